/**
 * Cameras of the trajectory reformats of one screw, pure geometry in LPS
 * millimetres (no DOM, no Cornerstone). Same convention as the report's
 * images (core/report/trajectoryImages.ts), so the screen and the printed
 * page agree:
 *
 * - d: the screw axis, bone entry -> tip (unit).
 * - a: the patient's superior direction (+S) made perpendicular to d; for an
 *   axis within a hair of S-I, the posterior direction instead.
 * - In-line A: the plane of d and a, i.e. the plane that contains the axis
 *   and is as close as possible to the patient's long (S-I) axis. Path
 *   horizontal (entry on the left, tip on the right), superior up.
 * - In-line B: contains the axis, at right angles to A (normal = a). Path
 *   horizontal, posterior down.
 * - Bull's-eye: perpendicular to the axis, looking along it from the entry
 *   towards the tip (the camera is on the skin side), superior up.
 *
 * Cornerstone's camera: `viewPlaneNormal` points from the focal point to the
 * camera; the screen's right is viewUp x viewPlaneNormal.
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { TrajectoryViewId, ViewCamera } from './PlanOverlayPort';

export type TrajectoryCamera = ViewCamera;

export type TrajectoryInput = {
  entryLps: Readonly<Vec3>;
  tipLps: Readonly<Vec3>;
  skinEntryLps: Readonly<Vec3> | null;
};

export type TrajectoryGeometry = {
  /** Unit axis, bone entry -> tip. */
  axisLps: Vec3;
  /** Where depth 0 is: the skin entry when known, else the bone entry. */
  depthOriginLps: Vec3;
  fromSkin: boolean;
  /** Path length from the depth origin to the tip (skin -> bone entry -> tip). */
  pathLengthMm: number;
  /** Depth of the bone entry along the path (0 without a skin entry). */
  boneEntryDepthMm: number;
  /** The bull's-eye depth used (clamped to [0, pathLengthMm]) and its point. */
  bullseyeDepthMm: number;
  bullseyePointLps: Vec3;
  cameras: Record<TrajectoryViewId, TrajectoryCamera>;
};

/** Field of view of the bull's-eye view (mm, full height). */
export const BULLSEYE_FOV_MM = 60;
/** Margin around the path in the in-line views (mm, each end): clear of the edge letters. */
const INLINE_MARGIN_MM = 25;

const sub3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const axpy = (p: Readonly<Vec3>, v: Readonly<Vec3>, s: number): Vec3 => [p[0] + v[0] * s, p[1] + v[1] * s, p[2] + v[2] * s];
const neg = (v: Readonly<Vec3>): Vec3 => [-v[0], -v[1], -v[2]];
const unit = (v: Readonly<Vec3>): Vec3 => {
  const l = Math.hypot(v[0], v[1], v[2]);
  return l > 0 ? [v[0] / l, v[1] / l, v[2] / l] : [0, 0, 0];
};

/**
 * The in-plane basis of the trajectory views for a unit axis `d`: `a` (the
 * superior direction made perpendicular to d; plane B's normal) and `b`
 * (= +-d x a: plane A's normal, signed to point posterior).
 */
export function computeTrajectoryBasis(d: Readonly<Vec3>): { a: Vec3; b: Vec3 } {
  let a: Vec3 = [-d[2] * d[0], -d[2] * d[1], 1 - d[2] * d[2]];
  if (Math.hypot(a[0], a[1], a[2]) < 1e-6) a = [-d[1] * d[0], 1 - d[1] * d[1], -d[1] * d[2]];
  a = unit(a);
  let b = unit(cross3(d, a));
  // Posterior (+y) down in view B; for a path in the sagittal plane, towards the patient's left.
  if (dot3(b, [0, 1, 0]) + 1e-9 * dot3(b, [1, 0, 0]) < 0) b = neg(b);
  return { a, b };
}

/**
 * The three cameras for a screw. `aspect`: width / height of each view
 * element (the in-line views fit the whole path across their width).
 * `bullseyeDepthMm` null puts the bull's-eye at the bone entry.
 */
export function computeTrajectoryGeometry(
  screw: TrajectoryInput,
  bullseyeDepthMm: number | null,
  aspect: Readonly<Record<TrajectoryViewId, number>> = { inlineA: 1, inlineB: 1, bullseye: 1 },
): TrajectoryGeometry {
  const screwVec = sub3(screw.tipLps, screw.entryLps);
  const screwLen = Math.hypot(screwVec[0], screwVec[1], screwVec[2]);
  const d: Vec3 = screwLen > 0 ? unit(screwVec) : [1, 0, 0];
  const skin = screw.skinEntryLps;
  const skinToEntry = skin ? Math.hypot(...sub3(screw.entryLps, skin)) : 0;
  const fromSkin = skin !== null && skinToEntry > 1e-6;
  const origin: Vec3 = fromSkin ? [skin![0], skin![1], skin![2]] : [screw.entryLps[0], screw.entryLps[1], screw.entryLps[2]];
  const pathLengthMm = skinToEntry * (fromSkin ? 1 : 0) + screwLen;
  const boneEntryDepthMm = fromSkin ? skinToEntry : 0;
  const depth = Math.min(pathLengthMm, Math.max(0, bullseyeDepthMm ?? boneEntryDepthMm));
  const pointAtDepth = (t: number): Vec3 => {
    if (fromSkin && t <= skinToEntry) return axpy(origin, unit(sub3(screw.entryLps, origin)), t);
    return axpy(screw.entryLps, d, t - boneEntryDepthMm);
  };
  const bullseyePoint = pointAtDepth(depth);

  const { a, b } = computeTrajectoryBasis(d);
  // In-line views: centre on the path, fit the path across the width and, for
  // a skin entry off the axis line, the whole path in height too.
  // The centre of the path, moved onto the screw's axis line: the in-line planes must contain the
  // axis itself even when the skin entry is off the line (a screw turned after the skin entry was set).
  const pathMid: Vec3 = [(origin[0] + screw.tipLps[0]) / 2, (origin[1] + screw.tipLps[1]) / 2, (origin[2] + screw.tipLps[2]) / 2];
  const mid = axpy(screw.entryLps, d, dot3(sub3(pathMid, screw.entryLps), d));
  const spanMm = Math.hypot(...sub3(screw.tipLps, origin)) + 2 * INLINE_MARGIN_MM;
  const inlineScale = (aspectRatio: number): number => Math.max(20, spanMm / 2 / Math.max(0.2, aspectRatio), spanMm / 2 / 2.5);
  const cameras: Record<TrajectoryViewId, TrajectoryCamera> = {
    // Right = d, up = a: normal = right x up.
    inlineA: { viewPlaneNormalLps: unit(cross3(d, a)), viewUpLps: a, focalPointLps: mid, parallelScaleMm: inlineScale(aspect.inlineA) },
    // Right = d, down = b (posterior): up = -b, normal = d x (-b).
    inlineB: { viewPlaneNormalLps: unit(cross3(d, neg(b))), viewUpLps: neg(b), focalPointLps: mid, parallelScaleMm: inlineScale(aspect.inlineB) },
    // Looking along d: the camera sits on the entry side, so the normal (towards the camera) is -d.
    bullseye: { viewPlaneNormalLps: neg(d), viewUpLps: a, focalPointLps: bullseyePoint, parallelScaleMm: BULLSEYE_FOV_MM / 2 / Math.min(1, Math.max(0.2, aspect.bullseye)) },
  };
  return { axisLps: d, depthOriginLps: origin, fromSkin, pathLengthMm, boneEntryDepthMm, bullseyeDepthMm: depth, bullseyePointLps: bullseyePoint, cameras };
}
