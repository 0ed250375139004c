import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { boxOfLabelSet } from '../anatomy/labelBoxes';
import { CASE_TRIANGLES, EDGE_AXIS, EDGE_CORNERS } from './marchingCubesTable';

/**
 * A triangle mesh in LPS millimetres: xyz triples, unit vertex normals
 * pointing out of the solid, and triangles counter-clockwise seen from
 * outside. Structurally the same as scene/ScenePort.ts SurfaceMesh (core does
 * not import the scene).
 */
export type SurfaceMeshData = { positionsLps: Float32Array; normals: Float32Array; indices: Uint32Array };

export type IsosurfaceOptions = {
  /** Label values that form the solid (e.g. BONE_LABELS, or [LABELS.lesion]). */
  labelValues: readonly number[];
  /**
   * Target edge of the sampling cell in mm: the label grid is averaged in
   * blocks of round(cellMm / spacing) voxels per axis (at least 1), which
   * gives a partial-volume occupancy in [0, 1]. Default: 1.5 mm.
   */
  cellMm?: number;
  /**
   * Passes of a [1 2 1]/4 filter per axis whose result only places the
   * vertices along their edges: every cell keeps its inside/outside side of
   * the level (the blurred value is clamped to it), so the topology is that
   * of the unblurred occupancy (thin structures survive) while the slice
   * staircase gives way to sub-voxel positions. Default 2; 0 = plain.
   */
  constrainedBlurPasses?: number;
};

export type IsosurfaceResult = {
  /** Null when no voxel carries one of the labels. */
  mesh: SurfaceMeshData | null;
  /** Voxels per sampling cell along i, j, k. */
  blockVoxels: [number, number, number];
  /** Size of the sampled grid (ROI in cells plus padding). */
  gridCells: [number, number, number];
  /** Voxels carrying one of the labels. */
  maskVoxels: number;
};

/**
 * Occupancy level of the surface: half a cell inside. Nudged off 0.5 by less
 * than a Float32 step, so that no (Float32) grid value equals it: a crossing
 * never lands exactly on a grid point, where several edges would put
 * vertices at one position (split seams the decimation would open up).
 */
const ISO = 0.5 + 1e-9;
/**
 * With the blurred placement, a crossing stays within this fraction of the
 * edge around its midpoint: the staircase (steps of half a cell either side)
 * is smoothed, and a structure one cell thin keeps at least half its width.
 */
const PLACEMENT_RANGE = 0.25;
/** Empty cells around the ROI: one so that the surface closes, one for the blur's reach. */
const PAD = 2;

/**
 * Extracts the boundary of a set of labels as a closed, oriented triangle
 * mesh in LPS mm (marching cubes, see marchingCubesTable.ts, on the block-
 * averaged occupancy of the labels' bounding box). The volume's outside
 * counts as background, so a structure cut by the field of view is capped:
 * the mesh is watertight whenever it is non-empty. Vertices go through the
 * volume's ijk -> LPS transform (direction cosines and spacing included);
 * when that transform mirrors (negative determinant) the winding is flipped
 * so that triangles stay counter-clockwise from outside in LPS.
 *
 * Normals are area-weighted face normals averaged per vertex, in LPS.
 * Allocates the occupancy grid (4 bytes per cell) and the mesh.
 */
export function computeIsosurface(labels: Volume<Uint8Array>, options: IsosurfaceOptions): IsosurfaceResult {
  const { dims, spacingMm } = labels.geometry;
  const [ni, nj] = dims;
  const cellMm = options.cellMm ?? 1.5;
  if (!(cellMm > 0)) throw new PlannerError('segmentation/bad-input', `surface cell size must be positive (got ${cellMm} mm)`);
  const member = new Uint8Array(256);
  for (const v of options.labelValues) member[v & 255] = 1;
  const vox = labels.voxels;

  // Bounding box of the labels: the union of their boxes from one pass that skips background words.
  const labelBox = boxOfLabelSet(vox, dims, member);
  const [i0, j0, k0, i1, j1, k1] = labelBox ?? [0, 0, 0, -1, -1, -1];
  let maskVoxels = 0;
  const block: [number, number, number] = [0, 1, 2].map((a) => Math.max(1, Math.round(cellMm / spacingMm[a]!))) as [number, number, number];
  if (!labelBox) return { mesh: null, blockVoxels: block, gridCells: [0, 0, 0], maskVoxels };
  const [bi, bj, bk] = block;
  // Sampled grid: cell c covers voxels roi0 + c*b ... roi0 + c*b + b - 1, shifted by PAD cells.
  const ci = Math.ceil((i1 - i0 + 1) / bi) + 2 * PAD;
  const cj = Math.ceil((j1 - j0 + 1) / bj) + 2 * PAD;
  const ck = Math.ceil((k1 - k0 + 1) / bk) + 2 * PAD;
  const cij = ci * cj;
  const field = new Float32Array(cij * ck);
  for (let k = k0; k <= k1; k++) {
    const zk = ((k - k0) / bk | 0) + PAD;
    for (let j = j0; j <= j1; j++) {
      const row = zk * cij + (((j - j0) / bj | 0) + PAD) * ci + PAD;
      const p0 = ni * (j + nj * k);
      for (let i = i0; i <= i1; i++) {
        if (member[vox[p0 + i]!]) {
          field[row + ((i - i0) / bi | 0)]! += 1;
          maskVoxels++;
        }
      }
    }
  }
  const inv = 1 / (bi * bj * bk);
  for (let p = 0; p < field.length; p++) field[p]! *= inv;
  const passes = options.constrainedBlurPasses ?? 2;
  let placement = field;
  if (passes > 0) {
    placement = field.slice();
    for (let p = 0; p < passes; p++) blur121(placement, ci, cj, ck);
  }

  const tri = marchCubes(field, placement, passes > 0 ? PLACEMENT_RANGE : 0.5, ci, cj, ck);
  // Sampled-grid coordinates -> voxel ijk (cell centre) -> LPS.
  const m = labels.geometry.ijkToLps;
  const positions = new Float32Array(tri.positions.length);
  for (let v = 0; v < positions.length; v += 3) {
    const i = i0 + (tri.positions[v]! - PAD + 0.5) * bi - 0.5;
    const j = j0 + (tri.positions[v + 1]! - PAD + 0.5) * bj - 0.5;
    const k = k0 + (tri.positions[v + 2]! - PAD + 0.5) * bk - 0.5;
    positions[v] = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
    positions[v + 1] = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
    positions[v + 2] = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
  }
  const indices = tri.indices;
  const det = m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) - m[4]! * (m[1]! * m[10]! - m[2]! * m[9]!) + m[8]! * (m[1]! * m[6]! - m[2]! * m[5]!);
  if (det < 0) {
    for (let t = 0; t < indices.length; t += 3) {
      const b = indices[t + 1]!;
      indices[t + 1] = indices[t + 2]!;
      indices[t + 2] = b;
    }
  }
  return {
    mesh: { positionsLps: positions, normals: computeVertexNormals(positions, indices), indices },
    blockVoxels: block,
    gridCells: [ci, cj, ck],
    maskVoxels,
  };
}

/** In-place separable [1 2 1]/4 filter along each axis; cells beyond the grid count as 0. */
function blur121(field: Float32Array, ci: number, cj: number, ck: number): void {
  const strides = [1, ci, ci * cj];
  const sizes = [ci, cj, ck];
  const line = new Float32Array(Math.max(ci, cj, ck));
  for (let axis = 0; axis < 3; axis++) {
    const s = strides[axis]!, n = sizes[axis]!;
    const u = (axis + 1) % 3, w = (axis + 2) % 3;
    for (let b = 0; b < sizes[w]!; b++) {
      for (let a = 0; a < sizes[u]!; a++) {
        const base = a * strides[u]! + b * strides[w]!;
        for (let x = 0; x < n; x++) line[x] = field[base + x * s]!;
        for (let x = 0; x < n; x++) {
          const prev = x > 0 ? line[x - 1]! : 0, next = x + 1 < n ? line[x + 1]! : 0;
          field[base + x * s] = 0.25 * prev + 0.5 * line[x]! + 0.25 * next;
        }
      }
    }
  }
}

/**
 * Marching cubes over a scalar grid (inside: value >= ISO). `placement`
 * (the same grid, or a smoothed copy) places each crossing along its edge,
 * within `range` of the edge's midpoint (0.5: anywhere on the edge). Vertices
 * are shared between cubes through per-layer caches of edge vertices, so the
 * output is an indexed mesh with each crossing computed once.
 */
function marchCubes(field: Float32Array, placement: Float32Array, range: number, ci: number, cj: number, ck: number): { positions: Float32Array; indices: Uint32Array } {
  const sMin = 0.5 - range, sMax = 0.5 + range;
  const cij = ci * cj;
  let pos = new Float32Array(1 << 16);
  let idx = new Uint32Array(1 << 17);
  let nv = 0, ni = 0;
  // Edge-vertex caches: x and y edges on the cube layer's lower (0) and upper (1) planes, z edges between them.
  let xLo = new Int32Array(cij).fill(-1), xHi = new Int32Array(cij).fill(-1);
  let yLo = new Int32Array(cij).fill(-1), yHi = new Int32Array(cij).fill(-1);
  const zMid = new Int32Array(cij).fill(-1);
  const cornerOffset = new Int32Array(8);
  for (let c = 0; c < 8; c++) cornerOffset[c] = (c & 1) + ((c >> 1) & 1) * ci + ((c >> 2) & 1) * cij;
  const val = new Float32Array(8);
  const edgeVertex = new Int32Array(12);

  const addVertex = (x: number, y: number, z: number): number => {
    if (3 * nv + 3 > pos.length) {
      const grown = new Float32Array(pos.length * 2);
      grown.set(pos);
      pos = grown;
    }
    pos[3 * nv] = x;
    pos[3 * nv + 1] = y;
    pos[3 * nv + 2] = z;
    return nv++;
  };

  for (let k = 0; k + 1 < ck; k++) {
    for (let j = 0; j + 1 < cj; j++) {
      for (let i = 0; i + 1 < ci; i++) {
        const base = i + j * ci + k * cij;
        let mask = 0;
        for (let c = 0; c < 8; c++) {
          const v = field[base + cornerOffset[c]!]!;
          val[c] = v;
          if (v >= ISO) mask |= 1 << c;
        }
        if (mask === 0 || mask === 255) continue;
        const tris = CASE_TRIANGLES[mask]!;
        edgeVertex.fill(-1);
        for (let t = 0; t < tris.length; t++) {
          const e = tris[t]!;
          if (edgeVertex[e] !== -1) continue;
          const [a, b] = EDGE_CORNERS[e]!;
          const ax = a & 1, ay = (a >> 1) & 1, az = (a >> 2) & 1;
          const key = i + ax + (j + ay) * ci;
          const axis = EDGE_AXIS[e]!;
          const cache = axis === 0 ? (az ? xHi : xLo) : axis === 1 ? (az ? yHi : yLo) : zMid;
          let id = cache[key]!;
          if (id === -1) {
            const pa = placement[base + cornerOffset[a]!]!, pb = placement[base + cornerOffset[b]!]!;
            let s = (ISO - pa) / (pb - pa);
            if (!(s >= sMin)) s = Number.isNaN(s) ? 0.5 : sMin;
            else if (s > sMax) s = sMax;
            id = addVertex(i + ax + (axis === 0 ? s : 0), j + ay + (axis === 1 ? s : 0), k + az + (axis === 2 ? s : 0));
            cache[key] = id;
          }
          edgeVertex[e] = id;
        }
        if (ni + tris.length > idx.length) {
          const grown = new Uint32Array(idx.length * 2);
          grown.set(idx);
          idx = grown;
        }
        for (let t = 0; t < tris.length; t += 3) {
          idx[ni++] = edgeVertex[tris[t]!]!;
          idx[ni++] = edgeVertex[tris[t + 1]!]!;
          idx[ni++] = edgeVertex[tris[t + 2]!]!;
        }
      }
    }
    // Next layer: the upper plane becomes the lower one.
    [xLo, xHi] = [xHi, xLo];
    [yLo, yHi] = [yHi, yLo];
    xHi.fill(-1);
    yHi.fill(-1);
    zMid.fill(-1);
  }
  return { positions: pos.slice(0, 3 * nv), indices: idx.slice(0, ni) };
}

/** Area-weighted vertex normals (unit; zero for isolated vertices). */
export function computeVertexNormals(positions: Float32Array, indices: Uint32Array): Float32Array {
  const normals = new Float32Array(positions.length);
  for (let t = 0; t < indices.length; t += 3) {
    const a = 3 * indices[t]!, b = 3 * indices[t + 1]!, c = 3 * indices[t + 2]!;
    const ux = positions[b]! - positions[a]!, uy = positions[b + 1]! - positions[a + 1]!, uz = positions[b + 2]! - positions[a + 2]!;
    const vx = positions[c]! - positions[a]!, vy = positions[c + 1]! - positions[a + 1]!, vz = positions[c + 2]! - positions[a + 2]!;
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (const p of [a, b, c]) {
      normals[p]! += nx;
      normals[p + 1]! += ny;
      normals[p + 2]! += nz;
    }
  }
  for (let p = 0; p < normals.length; p += 3) {
    const l = Math.hypot(normals[p]!, normals[p + 1]!, normals[p + 2]!);
    if (l > 0) {
      normals[p]! /= l;
      normals[p + 1]! /= l;
      normals[p + 2]! /= l;
    }
  }
  return normals;
}
