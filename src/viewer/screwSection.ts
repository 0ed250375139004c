/**
 * Where a screw meets a view plane: pure geometry in LPS millimetres (no DOM,
 * no Cornerstone), so it runs in node tests. The screw is a finite cylinder
 * (axis from entry to tip, radius = diameter / 2); a view is a plane (a point
 * and a unit normal).
 *
 * - The *section* is the part of the cylinder that lies in the plane: an
 *   ellipse (semi-axes r and r / |cos|, cut off by the end caps) when the plane
 *   crosses the axis, a strip of half-width sqrt(r^2 - h^2) when the axis runs
 *   parallel to the plane at a distance h < r, nothing otherwise.
 * - The *projection* is the silhouette of the whole screw seen along the
 *   plane's normal: two lines at +-r beside the projected axis, closed by the
 *   projected end discs (half-ellipses).
 *
 * The section is built from chords: the disc of the cylinder at axis
 * parameter t (perpendicular to the axis) meets the plane in a chord along
 * k = u x n / |u x n|, centred at C(t) - h(t)/s * nPerp with half-length
 * sqrt(r^2 - (h(t)/s)^2), where u is the axis, n the plane normal,
 * c = u.n, s = sqrt(1 - c^2), h(t) the signed distance of C(t) from the
 * plane and nPerp = (n - c u) / s. One formula covers the oblique, parallel
 * and nearly perpendicular cases; the exactly perpendicular case (s = 0) is a
 * circle.
 */
import type { Vec3 } from '../core/geometry/vec3';

export type PlaneLps = { pointLps: Readonly<Vec3>; normalLps: Readonly<Vec3> };

export type ScrewCylinder = { entryLps: Readonly<Vec3>; tipLps: Readonly<Vec3>; diameterMm: number };

/**
 * How a view shows a screw: 'crossSection' when the plane crosses the axis at
 * 30 degrees or more (the section is a compact ellipse), 'outline' when the
 * axis runs along or near the plane (the section is long), 'none' when the
 * plane misses the cylinder (only the projection is drawn, faint).
 */
export type ScrewSectionKind = 'crossSection' | 'outline' | 'none';

export type ScrewInPlane = {
  kind: ScrewSectionKind;
  /** Closed polygon (first point not repeated) of the cylinder's part in the plane; null for 'none'. */
  sectionLps: Vec3[] | null;
  /** Closed polygon: silhouette of the whole screw projected along the normal onto the plane. */
  projectionLps: Vec3[];
  /**
   * The two silhouette lines (+-r beside the projected axis) over the axis
   * range whose discs meet the plane; null when none does.
   */
  inPlaneEdgesLps: [[Vec3, Vec3], [Vec3, Vec3]] | null;
  /** Axis parameters (mm from the entry) of the range whose discs meet the plane; null for 'none'. */
  inPlaneAxisRangeMm: [number, number] | null;
  /** Entry and tip projected onto the plane, and their signed distances from it (mm, along the normal). */
  entryOnPlaneLps: Vec3;
  tipOnPlaneLps: Vec3;
  entryOffsetMm: number;
  tipOffsetMm: number;
};

/** Rounding allowance (mm) for a plane through an end of the screw. */
const END_TOLERANCE_MM = 1e-6;
/** Axis at 30 degrees or more to the plane: drawn as a cross-section. */
const CROSS_SECTION_MIN_COS = 0.5;

const sub3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross3 = (a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const axpy = (p: Readonly<Vec3>, v: Readonly<Vec3>, s: number): Vec3 => [p[0] + v[0] * s, p[1] + v[1] * s, p[2] + v[2] * s];
const unit = (v: Readonly<Vec3>): Vec3 => {
  const l = Math.hypot(v[0], v[1], v[2]);
  return l > 0 ? [v[0] / l, v[1] / l, v[2] / l] : [0, 0, 0];
};

/** Any unit vector perpendicular to a unit vector `n`. */
export function anyPerpendicular(n: Readonly<Vec3>): Vec3 {
  const helper: Vec3 = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  return unit(cross3(n, helper));
}

export type SectionEllipse = {
  /** Semi-axis along the axis' projection onto the plane: r / |cos(angle between axis and normal)|. */
  semiMajorMm: number;
  /** Semi-axis perpendicular to it, in the plane: r. */
  semiMinorMm: number;
  /** Unit direction of the major axis (in the plane). */
  majorDirLps: Vec3;
  /** Unit direction of the minor axis (in the plane). */
  minorDirLps: Vec3;
};

/**
 * The ellipse in which a plane cuts an infinite cylinder of `radiusMm` around
 * a unit axis `axisLps` (null when the axis is parallel to the plane: the cut
 * is a strip, not an ellipse). Semi-axes r / |u.n| and r.
 */
export function computeSectionEllipse(axisLps: Readonly<Vec3>, normalLps: Readonly<Vec3>, radiusMm: number): SectionEllipse | null {
  const c = dot3(axisLps, normalLps);
  if (Math.abs(c) < 1e-9) return null;
  const s2 = 1 - c * c;
  let majorDir: Vec3;
  if (s2 < 1e-12) majorDir = anyPerpendicular(normalLps);
  else majorDir = unit(axpy(axisLps, normalLps, -c));
  const minorDir = unit(cross3(normalLps, majorDir));
  return { semiMajorMm: radiusMm / Math.abs(c), semiMinorMm: radiusMm, majorDirLps: majorDir, minorDirLps: minorDir };
}

/**
 * The screw in one view plane: section, projection and the projected ends.
 * `samples`: points per curved side of the section and of each projected end.
 */
export function computeScrewInPlane(screw: ScrewCylinder, plane: PlaneLps, samples = 24): ScrewInPlane {
  const n = unit(plane.normalLps);
  const r = screw.diameterMm / 2;
  const axis = sub3(screw.tipLps, screw.entryLps);
  const lengthMm = Math.hypot(axis[0], axis[1], axis[2]);
  const u: Vec3 = lengthMm > 0 ? [axis[0] / lengthMm, axis[1] / lengthMm, axis[2] / lengthMm] : [n[0], n[1], n[2]];
  const c = dot3(u, n);
  const s = Math.sqrt(Math.max(0, 1 - c * c));
  const h0 = dot3(sub3(screw.entryLps, plane.pointLps), n);
  const hTip = h0 + c * lengthMm;
  const onPlane = (p: Readonly<Vec3>, h: number): Vec3 => axpy(p, n, -h);
  const entryOnPlane = onPlane(screw.entryLps, h0);
  const tipOnPlane = onPlane(screw.tipLps, hTip);

  // In-plane directions: w along the projected axis, v across it (v = n x w, v is perpendicular to u).
  const w: Vec3 = s > 1e-9 ? unit(axpy(u, n, -c)) : anyPerpendicular(n);
  const v = unit(cross3(n, w));
  const projection = projectedOutline(entryOnPlane, tipOnPlane, v, w, r, Math.abs(c), samples);

  const base = { projectionLps: projection, entryOnPlaneLps: entryOnPlane, tipOnPlaneLps: tipOnPlane, entryOffsetMm: h0, tipOffsetMm: hTip };
  const none: ScrewInPlane = { kind: 'none', sectionLps: null, inPlaneEdgesLps: null, inPlaneAxisRangeMm: null, ...base };
  if (!(r > 0) || !(lengthMm > 0)) return none;

  if (s < 1e-6) {
    // Axis along the normal: the section is a disc of radius r where the axis crosses the plane.
    // A plane through an end (the bull's-eye at the bone entry) still shows the end disc despite rounding.
    const t0 = Math.min(lengthMm, Math.max(0, -h0 / c));
    if (Math.abs(h0 + c * t0) > END_TOLERANCE_MM) return none;
    const centre = axpy(screw.entryLps, u, t0);
    const ring: Vec3[] = [];
    const count = Math.max(8, samples * 2);
    for (let i = 0; i < count; i++) {
      const a = (2 * Math.PI * i) / count;
      ring.push(axpy(axpy(centre, v, r * Math.cos(a)), w, r * Math.sin(a)));
    }
    return { kind: 'crossSection', sectionLps: ring, inPlaneEdgesLps: null, inPlaneAxisRangeMm: [t0, t0], ...base };
  }

  // Axis range whose discs reach the plane: |h0 + c t| <= r s, within [0, L].
  const reach = r * s;
  let ta: number, tb: number, tMid: number, halfRange: number;
  if (Math.abs(c) < 1e-12) {
    if (Math.abs(h0) > reach) return none;
    ta = 0;
    tb = lengthMm;
    tMid = lengthMm / 2;
    halfRange = Infinity;
  } else {
    const t1 = (-reach - h0) / c;
    const t2 = (reach - h0) / c;
    tMid = -h0 / c;
    halfRange = Math.abs(t2 - t1) / 2;
    ta = Math.max(0, Math.min(t1, t2));
    tb = Math.min(lengthMm, Math.max(t1, t2));
    if (ta > tb + END_TOLERANCE_MM / Math.abs(c)) return none;
    if (ta > tb) ta = tb;
  }
  // Samples: the clipped ends plus points spaced by angle on the (unclipped) ellipse, dense where chords shrink.
  const ts = [ta, tb];
  if (Number.isFinite(halfRange)) {
    for (let i = 1; i < samples; i++) {
      const t = tMid + halfRange * Math.sin(-Math.PI / 2 + (Math.PI * i) / samples);
      if (t > ta && t < tb) ts.push(t);
    }
  }
  ts.sort((a, b) => a - b);
  const nPerp: Vec3 = [(n[0] - c * u[0]) / s, (n[1] - c * u[1]) / s, (n[2] - c * u[2]) / s];
  const k = unit(cross3(u, n));
  const left: Vec3[] = [];
  const right: Vec3[] = [];
  for (const t of ts) {
    const h = h0 + c * t;
    const q = h / s;
    const half = Math.sqrt(Math.max(0, r * r - q * q));
    const m = axpy(axpy(screw.entryLps, u, t), nPerp, -q);
    left.push(axpy(m, k, half));
    right.push(axpy(m, k, -half));
  }
  const section = [...left, ...right.reverse()];
  const atA = onPlane(axpy(screw.entryLps, u, ta), h0 + c * ta);
  const atB = onPlane(axpy(screw.entryLps, u, tb), h0 + c * tb);
  const edges: [[Vec3, Vec3], [Vec3, Vec3]] = [
    [axpy(atA, v, r), axpy(atB, v, r)],
    [axpy(atA, v, -r), axpy(atB, v, -r)],
  ];
  const kind: ScrewSectionKind = Math.abs(c) >= CROSS_SECTION_MIN_COS ? 'crossSection' : 'outline';
  return { kind, sectionLps: section, inPlaneEdgesLps: edges, inPlaneAxisRangeMm: [ta, tb], ...base };
}

/** Silhouette of the cylinder seen along the normal: half-ellipse around each projected end, joined by the +-r lines. */
function projectedOutline(entry: Vec3, tip: Vec3, v: Vec3, w: Vec3, r: number, absCos: number, samples: number): Vec3[] {
  const out: Vec3[] = [];
  const minor = r * absCos;
  // Tip end: from +v round through +w to -v; entry end: from -v round through -w to +v.
  for (let i = 0; i <= samples; i++) {
    const a = Math.PI / 2 - (Math.PI * i) / samples;
    out.push(axpy(axpy(tip, v, r * Math.sin(a)), w, minor * Math.cos(a)));
  }
  for (let i = 0; i <= samples; i++) {
    const a = -Math.PI / 2 - (Math.PI * i) / samples;
    out.push(axpy(axpy(entry, v, r * Math.sin(a)), w, minor * Math.cos(a)));
  }
  return out;
}
