import type { Vec3 } from './vec3';

/** Axis-aligned box in the frame of its inputs (LPS mm or voxel index space). */
export type Aabb3 = { min: Vec3; max: Vec3 };

/** Interval result of {@link clipSegmentToAabb}: parameters on the segment a-b, tEnter <= tExit when hit. */
export type ClipInterval = { tEnter: number; tExit: number };

export function createClipInterval(): ClipInterval {
  return { tEnter: 0, tExit: 0 };
}

/**
 * Clips segment a-b (parameter t in [0, 1]) to the box with the slab method
 * (Kay & Kajiya). Returns false when the segment misses the box; otherwise
 * writes the clipped parameter range into `out`. Boundaries count as inside.
 */
export function clipSegmentToAabb(out: ClipInterval, a: Readonly<Vec3>, b: Readonly<Vec3>, box: Aabb3): boolean {
  let t0 = 0;
  let t1 = 1;
  for (let axis = 0; axis < 3; axis++) {
    const origin = a[axis]!;
    const d = b[axis]! - origin;
    const lo = box.min[axis]!;
    const hi = box.max[axis]!;
    if (Math.abs(d) < 1e-15) {
      if (origin < lo || origin > hi) return false;
      continue;
    }
    let tn = (lo - origin) / d;
    let tf = (hi - origin) / d;
    if (tn > tf) {
      const tmp = tn;
      tn = tf;
      tf = tmp;
    }
    if (tn > t0) t0 = tn;
    if (tf < t1) t1 = tf;
    if (t0 > t1) return false;
  }
  out.tEnter = t0;
  out.tExit = t1;
  return true;
}

/** True when p lies in the box (boundaries included). */
export function aabbContains(box: Aabb3, p: Readonly<Vec3>): boolean {
  return p[0] >= box.min[0] && p[0] <= box.max[0] && p[1] >= box.min[1] && p[1] <= box.max[1] && p[2] >= box.min[2] && p[2] <= box.max[2];
}
