import type { Vec3 } from '../geometry/vec3';
import type { VolumeGeometry } from '../volume/VolumeGeometry';

/**
 * Exact voxel traversal of a segment (Amanatides & Woo, "A Fast Voxel
 * Traversal Algorithm for Ray Tracing", 1987), in voxel index space: voxel
 * (i, j, k) is the cube [i-0.5, i+0.5] x ... around its centre. The segment
 * a-b is given in LPS mm; an affine grid maps lines to lines, so the
 * parameters t in [0, 1] reported to the visitor are the same along the LPS
 * segment. Used where label crossings matter (which bone a path enters,
 * brute-force checks).
 *
 * The visitor gets the flat voxel index and the parameter range [t0, t1] of
 * the segment inside that voxel; returning false stops the walk. Voxels
 * outside the grid are skipped (the walk clips to the grid first).
 * Returns the number of voxels visited.
 */
export type VoxelVisitor = (index: number, t0: number, t1: number) => boolean | void;

export function walkVoxels(geometry: VolumeGeometry, aLps: Readonly<Vec3>, bLps: Readonly<Vec3>, visit: VoxelVisitor): number {
  const m = geometry.lpsToIjk;
  const [ni, nj, nk] = geometry.dims;
  const a0 = m[0]! * aLps[0] + m[4]! * aLps[1] + m[8]! * aLps[2] + m[12]!;
  const a1 = m[1]! * aLps[0] + m[5]! * aLps[1] + m[9]! * aLps[2] + m[13]!;
  const a2 = m[2]! * aLps[0] + m[6]! * aLps[1] + m[10]! * aLps[2] + m[14]!;
  const b0 = m[0]! * bLps[0] + m[4]! * bLps[1] + m[8]! * bLps[2] + m[12]!;
  const b1 = m[1]! * bLps[0] + m[5]! * bLps[1] + m[9]! * bLps[2] + m[13]!;
  const b2 = m[2]! * bLps[0] + m[6]! * bLps[1] + m[10]! * bLps[2] + m[14]!;
  const o = [a0, a1, a2];
  const d = [b0 - a0, b1 - a1, b2 - a2];
  const n = [ni, nj, nk];
  // Clip to the grid's box [-0.5, n-0.5].
  let tStart = 0, tEnd = 1;
  for (let ax = 0; ax < 3; ax++) {
    const lo = -0.5, hi = n[ax]! - 0.5;
    if (Math.abs(d[ax]!) < 1e-15) {
      if (o[ax]! < lo || o[ax]! > hi) return 0;
      continue;
    }
    let t0 = (lo - o[ax]!) / d[ax]!, t1 = (hi - o[ax]!) / d[ax]!;
    if (t0 > t1) { const tmp = t0; t0 = t1; t1 = tmp; }
    if (t0 > tStart) tStart = t0;
    if (t1 < tEnd) tEnd = t1;
    if (tStart > tEnd) return 0;
  }
  const cell = [0, 0, 0], step = [0, 0, 0], tMax = [0, 0, 0], tDelta = [0, 0, 0];
  const tMid = tStart + Math.min(1e-9, (tEnd - tStart) * 0.5);
  for (let ax = 0; ax < 3; ax++) {
    const p = o[ax]! + d[ax]! * tMid;
    let c = Math.floor(p + 0.5);
    if (c < 0) c = 0;
    if (c > n[ax]! - 1) c = n[ax]! - 1;
    cell[ax] = c;
    if (d[ax]! > 0) {
      step[ax] = 1;
      tMax[ax] = (c + 0.5 - o[ax]!) / d[ax]!;
      tDelta[ax] = 1 / d[ax]!;
    } else if (d[ax]! < 0) {
      step[ax] = -1;
      tMax[ax] = (c - 0.5 - o[ax]!) / d[ax]!;
      tDelta[ax] = -1 / d[ax]!;
    } else {
      step[ax] = 0;
      tMax[ax] = Infinity;
      tDelta[ax] = Infinity;
    }
  }
  let t = tStart;
  let count = 0;
  for (;;) {
    const ax = tMax[0]! < tMax[1]! ? (tMax[0]! < tMax[2]! ? 0 : 2) : tMax[1]! < tMax[2]! ? 1 : 2;
    const tNext = Math.min(tMax[ax]!, tEnd);
    count++;
    if (visit(cell[0]! + ni * (cell[1]! + nj * cell[2]!), t, tNext) === false) return count;
    if (tMax[ax]! >= tEnd) return count;
    t = tMax[ax]!;
    cell[ax] = cell[ax]! + step[ax]!;
    if (cell[ax]! < 0 || cell[ax]! >= n[ax]!) return count;
    tMax[ax] = tMax[ax]! + tDelta[ax]!;
  }
}
