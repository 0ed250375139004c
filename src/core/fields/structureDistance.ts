import type { Vec3 } from '../geometry/vec3';

/**
 * Analytic distance (mm) from points to the critical-structure shapes, used to
 * fill the structure fields exactly instead of rasterising and transforming.
 * All inputs in LPS millimetres. No allocation in the hot functions.
 */

/** A polyline tube: distance is max(0, distance to the centreline - radius). */
export type TubeShape = { kind: 'tube'; pointsLps: readonly Vec3[]; radiusMm: number };

/**
 * The surface of a spherical cap (articular surface): points at distance
 * `radiusMm` from `centerLps` within `halfAngleRad` of `axisLps` (unit).
 * Distance is the exact Euclidean distance to that surface patch.
 */
export type CapShape = { kind: 'cap'; centerLps: Vec3; radiusMm: number; axisLps: Vec3; halfAngleRad: number };

export type StructureShape = TubeShape | CapShape;

/** Distance from (x, y, z) to the polyline (no radius). */
export function distanceToPolyline(points: readonly Vec3[], x: number, y: number, z: number): number {
  let best = Infinity;
  if (points.length === 1) {
    const p = points[0]!;
    return Math.hypot(x - p[0], y - p[1], z - p[2]);
  }
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s]!, b = points[s + 1]!;
    const abx = b[0] - a[0], aby = b[1] - a[1], abz = b[2] - a[2];
    const apx = x - a[0], apy = y - a[1], apz = z - a[2];
    const len2 = abx * abx + aby * aby + abz * abz;
    let t = len2 > 0 ? (apx * abx + apy * aby + apz * abz) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
}

/** Distance from (x, y, z) to the cap surface. */
export function distanceToCap(c: CapShape, x: number, y: number, z: number): number {
  const vx = x - c.centerLps[0], vy = y - c.centerLps[1], vz = z - c.centerLps[2];
  const r = Math.hypot(vx, vy, vz);
  const ax = c.axisLps[0], ay = c.axisLps[1], az = c.axisLps[2];
  const along = vx * ax + vy * ay + vz * az;
  const perp = Math.sqrt(Math.max(0, r * r - along * along));
  const angle = Math.atan2(perp, along);
  if (angle <= c.halfAngleRad) return Math.abs(r - c.radiusMm);
  // Nearest point is on the rim circle: in the plane of (axis, v), at the cap angle.
  const rimAlong = c.radiusMm * Math.cos(c.halfAngleRad);
  const rimPerp = c.radiusMm * Math.sin(c.halfAngleRad);
  return Math.hypot(along - rimAlong, perp - rimPerp);
}

/** Distance from (x, y, z) to a shape, 0 inside a tube. */
export function distanceToShape(shape: StructureShape, x: number, y: number, z: number): number {
  if (shape.kind === 'tube') return Math.max(0, distanceToPolyline(shape.pointsLps, x, y, z) - shape.radiusMm);
  return distanceToCap(shape, x, y, z);
}

/** Axis-aligned LPS bounds [min, max] of a shape (its surface), without margin. */
export function shapeBoundsLps(shape: StructureShape): { minLps: Vec3; maxLps: Vec3 } {
  const minLps: Vec3 = [Infinity, Infinity, Infinity];
  const maxLps: Vec3 = [-Infinity, -Infinity, -Infinity];
  if (shape.kind === 'tube') {
    for (const p of shape.pointsLps) {
      for (let a = 0; a < 3; a++) {
        minLps[a] = Math.min(minLps[a]!, p[a]! - shape.radiusMm);
        maxLps[a] = Math.max(maxLps[a]!, p[a]! + shape.radiusMm);
      }
    }
  } else {
    for (let a = 0; a < 3; a++) {
      minLps[a] = shape.centerLps[a]! - shape.radiusMm;
      maxLps[a] = shape.centerLps[a]! + shape.radiusMm;
    }
  }
  return { minLps, maxLps };
}
