import { PlannerError } from '../shared/errors';
import type { Vec3 } from '../geometry/vec3';

/**
 * Geometry of a voxel grid in DICOM patient coordinates (LPS, millimetres).
 *
 * Conventions follow Cornerstone3D so that values pass through unchanged:
 * - `dims` = [columns, rows, slices] = [ni, nj, nk]; voxel (i, j, k) is at
 *   `voxels[i + j * ni + k * ni * nj]`.
 * - `direction` holds three unit column vectors, flattened: [0..2] the i axis
 *   (DICOM row cosines, ImageOrientationPatient[0..2]), [3..5] the j axis
 *   (column cosines, IOP[3..5]), [6..8] the k axis (slice normal, in the
 *   direction of increasing slice index).
 * - `spacingMm` = [along i, along j, along k] = [PixelSpacing[1], PixelSpacing[0], slice step].
 * - `originLps` is the centre of voxel (0, 0, 0).
 *
 * The two 4x4 transforms are Float64, column-major (gl-matrix layout) and
 * computed once at creation; the object is plain data and survives structured clone.
 */
export type VolumeGeometry = {
  readonly dims: readonly [number, number, number];
  readonly spacingMm: readonly [number, number, number];
  readonly originLps: readonly [number, number, number];
  readonly direction: readonly number[];
  /** ijk (voxel index, continuous) to LPS mm. Column-major 4x4. */
  readonly ijkToLps: Float64Array;
  /** LPS mm to continuous ijk. Column-major 4x4. */
  readonly lpsToIjk: Float64Array;
};

export type VolumeGeometryInit = {
  dims: readonly [number, number, number];
  spacingMm: readonly [number, number, number];
  originLps: readonly [number, number, number];
  /** Nine numbers, see {@link VolumeGeometry.direction}. Defaults to identity. */
  direction?: readonly number[];
};

/**
 * Builds a geometry and its cached transforms. The direction need not be
 * orthogonal (a gantry-tilted series is sheared) but must be invertible.
 * Throws `volume/geometry` for non-positive sizes or spacing, or a singular direction.
 */
export function createVolumeGeometry(init: VolumeGeometryInit): VolumeGeometry {
  const dims = [init.dims[0], init.dims[1], init.dims[2]] as const;
  const spacingMm = [init.spacingMm[0], init.spacingMm[1], init.spacingMm[2]] as const;
  const originLps = [init.originLps[0], init.originLps[1], init.originLps[2]] as const;
  const direction = init.direction ? Array.from(init.direction) : [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 1) {
      throw new PlannerError('volume/geometry', `grid size ${dims.join(' x ')} is not a positive whole number in every axis`);
    }
  }
  for (const s of spacingMm) {
    if (!(s > 0) || !Number.isFinite(s)) {
      throw new PlannerError('volume/geometry', `voxel spacing ${spacingMm.join(' x ')} mm must be positive and finite`);
    }
  }
  if (direction.length !== 9 || direction.some((v) => !Number.isFinite(v)) || originLps.some((v) => !Number.isFinite(v))) {
    throw new PlannerError('volume/geometry', 'direction must be nine finite numbers and the origin three');
  }
  const m = new Float64Array(16);
  for (let axis = 0; axis < 3; axis++) {
    for (let r = 0; r < 3; r++) m[axis * 4 + r] = direction[axis * 3 + r]! * spacingMm[axis];
  }
  m[12] = originLps[0];
  m[13] = originLps[1];
  m[14] = originLps[2];
  m[15] = 1;
  const inv = invertAffine(m);
  if (!inv) throw new PlannerError('volume/geometry', 'direction cosines are degenerate (the three axes are not independent)');
  return { dims, spacingMm, originLps, direction, ijkToLps: m, lpsToIjk: inv };
}

/** Inverse of an affine column-major 4x4 (last row 0 0 0 1); null if singular. */
export function invertAffine(m: Float64Array): Float64Array | null {
  const a00 = m[0]!, a01 = m[1]!, a02 = m[2]!;
  const a10 = m[4]!, a11 = m[5]!, a12 = m[6]!;
  const a20 = m[8]!, a21 = m[9]!, a22 = m[10]!;
  const b01 = a22 * a11 - a12 * a21;
  const b11 = -a22 * a10 + a12 * a20;
  const b21 = a21 * a10 - a11 * a20;
  const det = a00 * b01 + a01 * b11 + a02 * b21;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return null;
  const id = 1 / det;
  const out = new Float64Array(16);
  out[0] = b01 * id;
  out[1] = (-a22 * a01 + a02 * a21) * id;
  out[2] = (a12 * a01 - a02 * a11) * id;
  out[4] = b11 * id;
  out[5] = (a22 * a00 - a02 * a20) * id;
  out[6] = (-a12 * a00 + a02 * a10) * id;
  out[8] = b21 * id;
  out[9] = (-a21 * a00 + a01 * a20) * id;
  out[10] = (a11 * a00 - a01 * a10) * id;
  const tx = m[12]!, ty = m[13]!, tz = m[14]!;
  out[12] = -(out[0] * tx + out[4] * ty + out[8] * tz);
  out[13] = -(out[1] * tx + out[5] * ty + out[9] * tz);
  out[14] = -(out[2] * tx + out[6] * ty + out[10] * tz);
  out[15] = 1;
  return out;
}

/** out = M * [p, 1] for an affine column-major 4x4. */
export function transformPoint(out: Vec3, m: Float64Array, p: Readonly<Vec3>): Vec3 {
  const x = p[0], y = p[1], z = p[2];
  out[0] = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
  out[1] = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
  out[2] = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
  return out;
}

/** out = M * [v, 0]: a direction, no translation. */
export function transformDirection(out: Vec3, m: Float64Array, v: Readonly<Vec3>): Vec3 {
  const x = v[0], y = v[1], z = v[2];
  out[0] = m[0]! * x + m[4]! * y + m[8]! * z;
  out[1] = m[1]! * x + m[5]! * y + m[9]! * z;
  out[2] = m[2]! * x + m[6]! * y + m[10]! * z;
  return out;
}

/** Continuous voxel index (i, j, k) to LPS millimetres. */
export function ijkToLps(out: Vec3, geometry: VolumeGeometry, ijk: Readonly<Vec3>): Vec3 {
  return transformPoint(out, geometry.ijkToLps, ijk);
}

/** LPS millimetres to continuous voxel index (i, j, k); not rounded or clamped. */
export function lpsToIjk(out: Vec3, geometry: VolumeGeometry, lps: Readonly<Vec3>): Vec3 {
  return transformPoint(out, geometry.lpsToIjk, lps);
}

export function voxelCount(geometry: VolumeGeometry): number {
  return geometry.dims[0] * geometry.dims[1] * geometry.dims[2];
}

/** Volume of one voxel in mm^3 (exact for sheared grids too). */
export function voxelVolumeMm3(geometry: VolumeGeometry): number {
  const m = geometry.ijkToLps;
  const det =
    m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) -
    m[4]! * (m[1]! * m[10]! - m[2]! * m[9]!) +
    m[8]! * (m[1]! * m[6]! - m[2]! * m[5]!);
  return Math.abs(det);
}

/** True when both grids have the same size and (within `tolMm`) the same placement. */
export function isSameGrid(a: VolumeGeometry, b: VolumeGeometry, tolMm = 1e-3): boolean {
  if (a.dims[0] !== b.dims[0] || a.dims[1] !== b.dims[1] || a.dims[2] !== b.dims[2]) return false;
  for (let i = 0; i < 16; i++) if (Math.abs(a.ijkToLps[i]! - b.ijkToLps[i]!) > tolMm) return false;
  return true;
}
