import { MeshoptSimplifier } from 'meshoptimizer/simplifier';
import type { Volume } from '../volume/Volume';
import { computeIsosurface, computeVertexNormals, type IsosurfaceOptions, type SurfaceMeshData } from './extractSurface';
import { smoothTaubin } from './smoothMesh';

export type SurfaceMeshOptions = IsosurfaceOptions & {
  /** Taubin lambda|mu pairs after extraction. Default 20 (slice terraces on gently sloped surfaces need that many). */
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
  /** Edges of more than two triangles left by the decimation (thin walls collapsed together; still closed). */
  pinchedEdges: number;
  /** Milliseconds per stage (this thread's clock). */
  timingsMs: { extract: number; smooth: number; decimate: number };
};

export type SurfaceMeshResult = { mesh: SurfaceMeshData | null; stats: SurfaceMeshStats };

/**
 * The display surface of a set of labels: marching cubes on the block-averaged
 * label occupancy (computeIsosurface), Taubin smoothing, then quadric edge-
 * collapse decimation (meshoptimizer's simplifier, WebAssembly) bounded by a
 * geometric error in mm and a triangle budget, then unused vertices dropped
 * and normals recomputed. LPS mm, closed and outward-oriented: marching cubes
 * gives a closed 2-manifold, and a decimation that would open it is rejected.
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
    pinchedEdges: 0,
    timingsMs: { extract: t1 - t0, smooth: 0, decimate: 0 },
  };
  if (!iso.mesh) return { mesh: null, stats };
  const positions = iso.mesh.positionsLps;
  smoothTaubin(positions, iso.mesh.indices, options.smoothIterations ?? 20);
  const t2 = now();
  const maxTriangles = options.maxTriangles ?? 300_000;
  const maxError = options.maxDecimationErrorMm ?? 0.2;
  let indices = iso.mesh.indices;
  if (maxError > 0 || indices.length / 3 > maxTriangles) {
    await MeshoptSimplifier.ready;
    // The simplifier keeps a closed mesh closed in practice, but not by
    // contract: the result is checked (checkDecimated), and an open one is
    // retried with half the error; the full mesh is the fallback. Where two
    // thin walls collapse onto one edge the mesh stays closed but that edge
    // has four triangles: accepted and counted (pinchedEdges).
    let error = maxError;
    for (let attempt = 0; attempt < 4; attempt++, error /= 2) {
      let [simplified, reached] = MeshoptSimplifier.simplify(indices, positions, 3, 0, error, ['ErrorAbsolute']);
      if (simplified.length / 3 > maxTriangles) {
        // Over budget at the error bound: meet the budget, whatever the error.
        [simplified, reached] = MeshoptSimplifier.simplify(indices, positions, 3, maxTriangles * 3, Number.MAX_VALUE, ['ErrorAbsolute']);
      }
      const check = checkDecimated(simplified, positions.length / 3);
      if (check.closed) {
        indices = simplified;
        stats.decimationErrorMm = reached;
        stats.pinchedEdges = check.pinchedEdges;
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
 * Checks a decimated mesh: `closed` when every undirected edge is used as
 * often in one direction as in the other (no boundary, consistent
 * orientation: the surface still encloses a volume); `pinchedEdges` counts
 * edges of more than two triangles (two thin walls collapsed onto one edge:
 * closed, but not a 2-manifold there). Sorting directed edge keys: O(n log n).
 */
export function checkDecimated(indices: Uint32Array, vertexCount: number): { closed: boolean; pinchedEdges: number } {
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
  let pinchedEdges = 0;
  for (let p = 0; p < n; ) {
    const edge = Math.floor(keys[p]! / 2);
    let forward = 0, backward = 0;
    for (; p < n && Math.floor(keys[p]! / 2) === edge; p++) {
      if (keys[p]! % 2 === 0) forward++;
      else backward++;
    }
    if (forward !== backward) return { closed: false, pinchedEdges };
    if (forward > 1) pinchedEdges++;
  }
  return { closed: true, pinchedEdges };
}
