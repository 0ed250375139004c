/**
 * Slice numbering of a view in the volume's own grid.
 *
 * A view's slices are the grid planes of the axis most aligned with its
 * normal; slice index = that voxel index (0-based, increasing with the grid
 * index, whatever way the camera looks). This is what the overlay shows and
 * what e2e tests read, so it is computed from our geometry, not from
 * Cornerstone's internal slice bookkeeping.
 */
import { dot, type Vec3 } from '../core/geometry/vec3';
import { ijkToLps, lpsToIjk, type VolumeGeometry } from '../core/volume/VolumeGeometry';
import type { SliceState } from './ViewerPort';

/** Grid axis (0 = i, 1 = j, 2 = k) whose direction is closest to `normalLps` (either sign). */
export function sliceAxisFor(geometry: VolumeGeometry, normalLps: Readonly<Vec3>): 0 | 1 | 2 {
  let best: 0 | 1 | 2 = 0;
  let bestCos = -1;
  for (const axis of [0, 1, 2] as const) {
    const d = geometry.direction;
    const a: Vec3 = [d[axis * 3]!, d[axis * 3 + 1]!, d[axis * 3 + 2]!];
    const c = Math.abs(dot(a, normalLps)) / Math.hypot(a[0], a[1], a[2]);
    if (c > bestCos + 1e-9) {
      bestCos = c;
      best = axis;
    }
  }
  return best;
}

/** Slice index (rounded, clamped) and count of the view with normal `normalLps` at `pointLps`. */
export function sliceAt(geometry: VolumeGeometry, normalLps: Readonly<Vec3>, pointLps: Readonly<Vec3>): SliceState {
  const axis = sliceAxisFor(geometry, normalLps);
  const ijk = lpsToIjk([0, 0, 0], geometry, pointLps);
  const count = geometry.dims[axis];
  const index = Math.min(count - 1, Math.max(0, Math.round(ijk[axis])));
  return { index, count };
}

/**
 * Signed distance in mm to move a camera along `normalLps` (unit) from
 * `pointLps` so that it lies on slice `index` (clamped to the grid) of that view.
 * Moving along the normal keeps the in-plane pan unchanged.
 */
export function offsetToSliceMm(geometry: VolumeGeometry, normalLps: Readonly<Vec3>, pointLps: Readonly<Vec3>, index: number): number {
  const axis = sliceAxisFor(geometry, normalLps);
  const count = geometry.dims[axis];
  const target = Math.min(count - 1, Math.max(0, Math.round(index)));
  const ijk = lpsToIjk([0, 0, 0], geometry, pointLps);
  const ijkTarget: Vec3 = [ijk[0], ijk[1], ijk[2]];
  ijkTarget[axis] = target;
  const from = ijkToLps([0, 0, 0], geometry, ijk);
  const to = ijkToLps([0, 0, 0], geometry, ijkTarget);
  const step: Vec3 = [to[0] - from[0], to[1] - from[1], to[2] - from[2]];
  // Project onto the normal; for an oblique (sheared) grid the plane through
  // `to` parallel to the view contains the target slice's point under the camera.
  return dot(step, normalLps);
}

/** Centre of the grid in LPS mm. */
export function volumeCenterLps(geometry: VolumeGeometry): Vec3 {
  return ijkToLps([0, 0, 0], geometry, [(geometry.dims[0] - 1) / 2, (geometry.dims[1] - 1) / 2, (geometry.dims[2] - 1) / 2]);
}
