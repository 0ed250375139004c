import type { Vec3 } from '../geometry/vec3';
import type { Volume } from './Volume';
import type { VoxelArray } from './voxelBuffer';

/**
 * Trilinear interpolation at a continuous voxel index (i, j, k).
 * Outside the grid (beyond the outer voxel centres) returns `outside`.
 * Hot path: no allocation.
 */
export function sampleTrilinearIjk(volume: Volume<VoxelArray>, i: number, j: number, k: number, outside: number): number {
  const [ni, nj, nk] = volume.geometry.dims;
  if (!(i >= 0 && j >= 0 && k >= 0 && i <= ni - 1 && j <= nj - 1 && k <= nk - 1)) return outside;
  const v = volume.voxels;
  const i0 = Math.min(Math.floor(i), ni - 2 < 0 ? 0 : ni - 2);
  const j0 = Math.min(Math.floor(j), nj - 2 < 0 ? 0 : nj - 2);
  const k0 = Math.min(Math.floor(k), nk - 2 < 0 ? 0 : nk - 2);
  const fi = ni > 1 ? i - i0 : 0;
  const fj = nj > 1 ? j - j0 : 0;
  const fk = nk > 1 ? k - k0 : 0;
  const di = ni > 1 ? 1 : 0;
  const dj = nj > 1 ? ni : 0;
  const dk = nk > 1 ? ni * nj : 0;
  const base = i0 + ni * (j0 + nj * k0);
  const c000 = v[base]!, c100 = v[base + di]!;
  const c010 = v[base + dj]!, c110 = v[base + dj + di]!;
  const c001 = v[base + dk]!, c101 = v[base + dk + di]!;
  const c011 = v[base + dk + dj]!, c111 = v[base + dk + dj + di]!;
  const c00 = c000 + (c100 - c000) * fi;
  const c10 = c010 + (c110 - c010) * fi;
  const c01 = c001 + (c101 - c001) * fi;
  const c11 = c011 + (c111 - c011) * fi;
  const c0 = c00 + (c10 - c00) * fj;
  const c1 = c01 + (c11 - c01) * fj;
  return c0 + (c1 - c0) * fk;
}

/** Trilinear interpolation at a point in LPS millimetres. */
export function sampleTrilinearLps(volume: Volume<VoxelArray>, pointLps: Readonly<Vec3>, outside: number): number {
  const m = volume.geometry.lpsToIjk;
  const x = pointLps[0], y = pointLps[1], z = pointLps[2];
  const i = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
  const j = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
  const k = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
  return sampleTrilinearIjk(volume, i, j, k, outside);
}

/** Nearest-voxel value at a point in LPS millimetres (labels); `outside` beyond the grid. */
export function sampleNearestLps(volume: Volume<VoxelArray>, pointLps: Readonly<Vec3>, outside: number): number {
  const m = volume.geometry.lpsToIjk;
  const x = pointLps[0], y = pointLps[1], z = pointLps[2];
  const i = Math.round(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!);
  const j = Math.round(m[1]! * x + m[5]! * y + m[9]! * z + m[13]!);
  const k = Math.round(m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
  const [ni, nj, nk] = volume.geometry.dims;
  if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return outside;
  return volume.voxels[i + ni * (j + nj * k)]!;
}
