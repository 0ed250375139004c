import { MeshoptSimplifier } from 'meshoptimizer/simplifier';
import type { Volume } from '../volume/Volume';
import { computeIsosurface, computeVertexNormals, type IsosurfaceOptions, type SurfaceMeshData } from './extractSurface';
import { smoothTaubin } from './smoothMesh';

export type SurfaceMeshOptions = IsosurfaceOptions & {
  /** Taubin lambda|mu pairs after extraction. Default 10. */
  smoothIterations?: number;
  /**
   * Decimation: collapses edges while the surface moves less than this (mm,
   * quadric error). Default 0.2 mm: far below the CT's own resolution.
   */
  maxDecimationErrorMm?: number;
  /** Hard cap on the triangle count (decimated further, with a larger error, to meet it). Default 300 000. */
  maxTriangles?: number;
};

export type SurfaceMeshStats = {
  maskVoxels: number;
  blockVoxels: [number, number, number];
  gridCells: [number, number, number];
  /** Triangles straight out of marching cubes. */
  extractedTriangles: number;
  triangles: number;
  vertices: number;
  /** Quadric error of the decimation, mm (0 when nothing was collapsed). */
  decimationErrorMm: number;
  /** Decimations rejected because they opened the surface (retried with a smaller error). */
  decimationRetries: number;
  /** Milliseconds per stage (this thread's clock). */
  timingsMs: { extract: number; smooth: number; decimate: number };
};

export type SurfaceMeshResult = { mesh: SurfaceMeshData | null; stats: SurfaceMeshStats };

/**
 * The display surface of a set of labels: marching cubes on the block-averaged
 * label occupancy (computeIsosurface), Taubin smoothing, then quadric edge-
 * collapse decimation (meshoptimizer's simplifier, WebAssembly) bounded by a
 * geometric error in mm and a triangle budget, then unused vertices dropped
 * and normals recomputed. LPS mm, closed and outward-oriented (the simplifier
 * never creates holes in a closed manifold mesh; tests check it).
 *
 * `now` is injected for the stage timings (core reads no clock of its own).
 */
export async function computeSurfaceMesh(
  labels: Volume<Uint8Array>,
  options: SurfaceMeshOptions,
  now: () => number = () => 0,
): Promise<SurfaceMeshResult> {
  const t0 = now();
  const iso = computeIsosurface(labels, options);
  const t1 = now();
  const stats: SurfaceMeshStats = {
    maskVoxels: iso.maskVoxels,
    blockVoxels: iso.blockVoxels,
    gridCells: iso.gridCells,
    extractedTriangles: iso.mesh ? iso.mesh.indices.length / 3 : 0,
    triangles: 0,
    vertices: 0,
    decimationErrorMm: 0,
    decimationRetries: 0,
    timingsMs: { extract: t1 - t0, smooth: 0, decimate: 0 },
  };
  if (!iso.mesh) return { mesh: null, stats };
  const positions = iso.mesh.positionsLps;
  smoothTaubin(positions, iso.mesh.indices, options.smoothIterations ?? 10);
  const t2 = now();
  const maxTriangles = options.maxTriangles ?? 300_000;
  const maxError = options.maxDecimationErrorMm ?? 0.2;
  let indices = iso.mesh.indices;
  if (maxError > 0 || indices.length / 3 > maxTriangles) {
    await MeshoptSimplifier.ready;
    // The simplifier keeps a closed mesh closed in practice, but not by
    // contract (thin sheets can fold): the result is checked, and a failed
    // attempt is retried with half the error; the full mesh is the fallback.
    let error = maxError;
    for (let attempt = 0; attempt < 4; attempt++, error /= 2) {
      let [simplified, reached] = MeshoptSimplifier.simplify(indices, positions, 3, 0, error, ['ErrorAbsolute']);
      if (simplified.length / 3 > maxTriangles) {
        // Over budget at the error bound: meet the budget, whatever the error.
        [simplified, reached] = MeshoptSimplifier.simplify(indices, positions, 3, maxTriangles * 3, Number.MAX_VALUE, ['ErrorAbsolute']);
      }
      if (isClosed(simplified, positions.length / 3)) {
        indices = simplified;
        stats.decimationErrorMm = reached;
        break;
      }
      stats.decimationRetries++;
    }
  }
  const t3 = now();
  const compact = compactVertices(positions, indices);
  stats.triangles = compact.indices.length / 3;
  stats.vertices = compact.positions.length / 3;
  stats.timingsMs.smooth = t2 - t1;
  stats.timingsMs.decimate = t3 - t2;
  return {
    mesh: { positionsLps: compact.positions, normals: computeVertexNormals(compact.positions, compact.indices), indices: compact.indices },
    stats,
  };
}

/** Drops vertices no triangle uses; renumbers in first-use order (cache-friendly). */
export function compactVertices(positions: Float32Array, indices: Uint32Array): { positions: Float32Array; indices: Uint32Array } {
  const remap = new Int32Array(positions.length / 3).fill(-1);
  const out = new Uint32Array(indices.length);
  let n = 0;
  for (let t = 0; t < indices.length; t++) {
    const v = indices[t]!;
    let r = remap[v]!;
    if (r === -1) r = remap[v] = n++;
    out[t] = r;
  }
  const compact = new Float32Array(3 * n);
  for (let v = 0; v < remap.length; v++) {
    const r = remap[v]!;
    if (r === -1) continue;
    compact[3 * r] = positions[3 * v]!;
    compact[3 * r + 1] = positions[3 * v + 1]!;
    compact[3 * r + 2] = positions[3 * v + 2]!;
  }
  return { positions: compact, indices: out };
}

/**
 * True when every undirected edge is used by exactly two triangles in
 * opposite directions (see meshMetrics.checkEdges), by sorting directed edge
 * keys: O(n log n), no hashing.
 */
function isClosed(indices: Uint32Array, vertexCount: number): boolean {
  const n = indices.length;
  const keys = new Float64Array(n);
  for (let t = 0; t < n; t += 3) {
    for (let k = 0; k < 3; k++) {
      const a = indices[t + k]!, b = indices[t + ((k + 1) % 3)]!;
      // Undirected key times 2, plus 1 for the a > b direction.
      keys[t + k] = (Math.min(a, b) * vertexCount + Math.max(a, b)) * 2 + (a > b ? 1 : 0);
    }
  }
  keys.sort();
  // Sorted: each undirected edge must appear as exactly the pair (2e, 2e + 1).
  for (let p = 0; p < n; p += 2) {
    if (keys[p]! % 2 !== 0 || keys[p + 1] !== keys[p]! + 1) return false;
    if (p + 2 < n && Math.floor(keys[p + 2]! / 2) === Math.floor(keys[p]! / 2)) return false;
  }
  return true;
}
