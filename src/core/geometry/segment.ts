import type { Vec3 } from './vec3';

/**
 * Closest-point queries on line segments, in whatever frame the inputs share
 * (the planner uses LPS millimetres). Allocation-free: results go to `out`
 * arguments or are returned as numbers.
 *
 * Algorithm: the standard clamped closest-points-between-segments solution
 * (Ericson, "Real-Time Collision Detection", 5.1.9), with the degenerate
 * (zero-length, parallel) cases handled explicitly.
 */

const EPS = 1e-12;

/** Parameter t in [0, 1] of the point of segment a-b closest to p. */
export function closestParamOnSegment(a: Readonly<Vec3>, b: Readonly<Vec3>, p: Readonly<Vec3>): number {
  const dx = b[0] - a[0], dy = b[1] - a[1], dz = b[2] - a[2];
  const len2 = dx * dx + dy * dy + dz * dz;
  if (len2 < EPS) return 0;
  const t = ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy + (p[2] - a[2]) * dz) / len2;
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

/** Squared distance from point p to segment a-b. */
export function pointSegmentDistanceSq(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  const t = closestParamOnSegment(a, b, p);
  const x = a[0] + (b[0] - a[0]) * t - p[0];
  const y = a[1] + (b[1] - a[1]) * t - p[1];
  const z = a[2] + (b[2] - a[2]) * t - p[2];
  return x * x + y * y + z * z;
}

/** Distance from point p to segment a-b. */
export function pointSegmentDistance(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.sqrt(pointSegmentDistanceSq(p, a, b));
}

/**
 * Result holder for {@link closestSegmentSegment}: parameters s on p1-q1 and
 * t on p2-q2 (both in [0, 1]) and the squared distance between the two points.
 * Create once with {@link createSegmentPair} and reuse.
 */
export type SegmentPair = { s: number; t: number; distanceSq: number };

export function createSegmentPair(): SegmentPair {
  return { s: 0, t: 0, distanceSq: 0 };
}

/**
 * Closest points between segments p1-q1 and p2-q2. Writes into `out` and
 * returns it. Handles zero-length segments (points) and parallel segments.
 */
export function closestSegmentSegment(
  out: SegmentPair,
  p1: Readonly<Vec3>, q1: Readonly<Vec3>,
  p2: Readonly<Vec3>, q2: Readonly<Vec3>,
): SegmentPair {
  const d1x = q1[0] - p1[0], d1y = q1[1] - p1[1], d1z = q1[2] - p1[2];
  const d2x = q2[0] - p2[0], d2y = q2[1] - p2[1], d2z = q2[2] - p2[2];
  const rx = p1[0] - p2[0], ry = p1[1] - p2[1], rz = p1[2] - p2[2];
  const a = d1x * d1x + d1y * d1y + d1z * d1z;
  const e = d2x * d2x + d2y * d2y + d2z * d2z;
  const f = d2x * rx + d2y * ry + d2z * rz;
  let s: number;
  let t: number;
  if (a <= EPS && e <= EPS) {
    s = 0;
    t = 0;
  } else if (a <= EPS) {
    s = 0;
    t = clamp01(f / e);
  } else {
    const c = d1x * rx + d1y * ry + d1z * rz;
    if (e <= EPS) {
      t = 0;
      s = clamp01(-c / a);
    } else {
      const b = d1x * d2x + d1y * d2y + d1z * d2z;
      const denom = a * e - b * b;
      if (denom <= EPS * a * e) {
        // (Nearly) parallel: the closest pair has an endpoint of one segment on the other. Try
        // all four; picking s = 0 alone was off by length x angle when nearly collinear
        // segments touch at the far end (1e-5 mm, found by fast-check).
        return closestParallel(out, p1, d1x, d1y, d1z, a, p2, d2x, d2y, d2z, e);
      }
      s = clamp01((b * f - c * e) / denom);
      t = (b * s + f) / e;
      if (t < 0) {
        t = 0;
        s = clamp01(-c / a);
      } else if (t > 1) {
        t = 1;
        s = clamp01((b - c) / a);
      }
    }
  }
  const x = p1[0] + d1x * s - (p2[0] + d2x * t);
  const y = p1[1] + d1y * s - (p2[1] + d2y * t);
  const z = p1[2] + d1z * s - (p2[2] + d2z * t);
  out.s = s;
  out.t = t;
  out.distanceSq = x * x + y * y + z * z;
  return out;
}

/** Squared distance from p1 + d1 * s to p2 + d2 * t. */
function pairDistanceSq(p1: Readonly<Vec3>, d1x: number, d1y: number, d1z: number, s: number, p2: Readonly<Vec3>, d2x: number, d2y: number, d2z: number, t: number): number {
  const x = p1[0] + d1x * s - (p2[0] + d2x * t);
  const y = p1[1] + d1y * s - (p2[1] + d2y * t);
  const z = p1[2] + d1z * s - (p2[2] + d2z * t);
  return x * x + y * y + z * z;
}

/** Closest pair of two (nearly) parallel, non-degenerate segments: the best of the four endpoint-to-segment projections. */
function closestParallel(
  out: SegmentPair,
  p1: Readonly<Vec3>, d1x: number, d1y: number, d1z: number, a: number,
  p2: Readonly<Vec3>, d2x: number, d2y: number, d2z: number, e: number,
): SegmentPair {
  let bestS = 0, bestT = 0, best = Infinity;
  const consider = (s: number, t: number): void => {
    const dSq = pairDistanceSq(p1, d1x, d1y, d1z, s, p2, d2x, d2y, d2z, t);
    if (dSq < best) {
      best = dSq;
      bestS = s;
      bestT = t;
    }
  };
  // Endpoints of segment 1 projected onto segment 2, and of segment 2 onto segment 1.
  for (const s of [0, 1]) {
    const x = p1[0] + d1x * s - p2[0], y = p1[1] + d1y * s - p2[1], z = p1[2] + d1z * s - p2[2];
    consider(s, clamp01((x * d2x + y * d2y + z * d2z) / e));
  }
  for (const t of [0, 1]) {
    const x = p2[0] + d2x * t - p1[0], y = p2[1] + d2y * t - p1[1], z = p2[2] + d2z * t - p1[2];
    consider(clamp01((x * d1x + y * d1y + z * d1z) / a), t);
  }
  out.s = bestS;
  out.t = bestT;
  out.distanceSq = best;
  return out;
}

const scratchPair = createSegmentPair();

/** Distance between segments p1-q1 and p2-q2. */
export function segmentSegmentDistance(p1: Readonly<Vec3>, q1: Readonly<Vec3>, p2: Readonly<Vec3>, q2: Readonly<Vec3>): number {
  return Math.sqrt(closestSegmentSegment(scratchPair, p1, q1, p2, q2).distanceSq);
}

/**
 * Distance from segment a-b to a polyline (a list of vertices; one vertex is
 * a point). Used for analytic checks against tube-shaped truth (nerve roots).
 */
export function segmentPolylineDistance(a: Readonly<Vec3>, b: Readonly<Vec3>, polyline: readonly Readonly<Vec3>[]): number {
  if (polyline.length === 0) return Infinity;
  if (polyline.length === 1) return pointSegmentDistance(polyline[0]!, a, b);
  let best = Infinity;
  for (let i = 0; i + 1 < polyline.length; i++) {
    const d = closestSegmentSegment(scratchPair, a, b, polyline[i]!, polyline[i + 1]!).distanceSq;
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
