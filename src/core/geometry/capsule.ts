import type { Vec3 } from './vec3';
import { closestSegmentSegment, createSegmentPair, pointSegmentDistance } from './segment';

/**
 * A screw seen as a capsule: the axis segment from `startLps` (head end, at the
 * bone entry) to `endLps` (tip) swept by a sphere of `radiusMm`. The capsule
 * contains the screw's cylinder; at the tip it adds a hemisphere of radius r,
 * which makes every clearance computed with it conservative by construction.
 */
export type Capsule = {
  readonly startLps: Readonly<Vec3>;
  readonly endLps: Readonly<Vec3>;
  readonly radiusMm: number;
};

const pair = createSegmentPair();

/**
 * Surface-to-surface distance between two capsules in mm (negative when they
 * overlap: the depth of the overlap along the closest axis points).
 */
export function capsuleCapsuleDistance(a: Capsule, b: Capsule): number {
  const d = Math.sqrt(closestSegmentSegment(pair, a.startLps, a.endLps, b.startLps, b.endLps).distanceSq);
  return d - a.radiusMm - b.radiusMm;
}

/** Distance from a point to the capsule surface in mm (negative inside). */
export function pointCapsuleDistance(p: Readonly<Vec3>, c: Capsule): number {
  return pointSegmentDistance(p, c.startLps, c.endLps) - c.radiusMm;
}

/** Axis length of a capsule in mm. */
export function capsuleLengthMm(c: Capsule): number {
  const s = c.startLps, e = c.endLps;
  return Math.hypot(e[0] - s[0], e[1] - s[1], e[2] - s[2]);
}
