import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../core/geometry/vec3';
import { computeScrewInPlane, computeSectionEllipse } from './screwSection';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const unit = (v: Vec3): Vec3 => {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
};
/** Distance of p from the infinite line through a along unit u. */
function distToLine(p: Vec3, a: Vec3, u: Vec3): number {
  const d = sub(p, a);
  const t = dot(d, u);
  return Math.hypot(d[0] - u[0] * t, d[1] - u[1] * t, d[2] - u[2] * t);
}

describe('section ellipse of a cylinder cut by a plane', () => {
  it('has semi-axes r and r / cos(angle to the normal), the major one along the projected axis', () => {
    const u = unit([1, 0, 1]); // 45 degrees to the axial plane
    const e = computeSectionEllipse(u, [0, 0, 1], 3.5)!;
    expect(e.semiMinorMm).toBeCloseTo(3.5, 12);
    expect(e.semiMajorMm).toBeCloseTo(3.5 * Math.SQRT2, 12);
    expect(e.majorDirLps[0]).toBeCloseTo(1, 12);
    expect(Math.abs(e.minorDirLps[1])).toBeCloseTo(1, 12);
  });
  it('is a circle for an axis along the normal and undefined for an axis in the plane', () => {
    const e = computeSectionEllipse([0, 0, 1], [0, 0, 1], 2)!;
    expect(e.semiMajorMm).toBeCloseTo(2, 12);
    expect(computeSectionEllipse([1, 0, 0], [0, 0, 1], 2)).toBeNull();
  });
});

describe('screw in a view plane', () => {
  const axial = { pointLps: [0, 0, 0] as Vec3, normalLps: [0, 0, 1] as Vec3 };

  it('an oblique screw through the plane gives the ellipse of its cross-section, every boundary point on the cylinder and in the plane', () => {
    const entry: Vec3 = [-20, 5, -20];
    const tip: Vec3 = [20, 5, 20];
    const u = unit(sub(tip, entry));
    const cut = computeScrewInPlane({ entryLps: entry, tipLps: tip, diameterMm: 7 }, axial, 48);
    expect(cut.kind).toBe('crossSection');
    const pts = cut.sectionLps!;
    for (const p of pts) {
      expect(Math.abs(p[2])).toBeLessThan(1e-9);
      expect(distToLine(p, entry, u)).toBeCloseTo(3.5, 9);
    }
    const xs = pts.map((p) => p[0]);
    const ys = pts.map((p) => p[1]);
    // Semi-major r / cos(45) along x (the projected axis), semi-minor r along y, centred where the axis crosses.
    expect(Math.max(...xs) - Math.min(...xs)).toBeCloseTo(2 * 3.5 * Math.SQRT2, 6);
    expect(Math.max(...ys) - Math.min(...ys)).toBeCloseTo(7, 1);
    expect((Math.max(...xs) + Math.min(...xs)) / 2).toBeCloseTo(0, 6);
  });

  it('a screw lying in the plane gives an outline: two edges at +-r over its whole length', () => {
    const cut = computeScrewInPlane({ entryLps: [0, 0, 0.5], tipLps: [60, 0, 0.5], diameterMm: 6 }, axial);
    expect(cut.kind).toBe('outline');
    expect(cut.inPlaneAxisRangeMm).toEqual([0, 60]);
    const [e1, e2] = cut.inPlaneEdgesLps!;
    expect(e1[0]).toEqual([0, expect.closeTo(3, 9), 0]);
    expect(e1[1][0]).toBeCloseTo(60, 9);
    expect(Math.abs(e2[0][1])).toBeCloseTo(3, 9);
    // The section is the strip of half-width sqrt(r^2 - h^2) at height h = 0.5.
    const ys = cut.sectionLps!.map((p) => p[1]);
    expect(Math.max(...ys)).toBeCloseTo(Math.sqrt(9 - 0.25), 9);
    expect(cut.entryOffsetMm).toBeCloseTo(0.5, 12);
  });

  it('a screw at a shallow angle shows in-plane edges only where its discs reach the plane', () => {
    // Rises 10 mm over 100 mm: axis at 5.7 degrees to the plane, r = 3.
    const entry: Vec3 = [0, 0, -5];
    const tip: Vec3 = [100, 0, 5];
    const cut = computeScrewInPlane({ entryLps: entry, tipLps: tip, diameterMm: 6 }, axial);
    expect(cut.kind).toBe('outline');
    const [ta, tb] = cut.inPlaneAxisRangeMm!;
    const len = Math.hypot(100, 10);
    const c = 10 / len;
    const s = Math.sqrt(1 - c * c);
    // |h0 + c t| <= r s with h0 = -5.
    expect(ta).toBeCloseTo((5 - 3 * s) / c, 6);
    expect(tb).toBeCloseTo((5 + 3 * s) / c, 6);
    expect(cut.projectionLps.length).toBeGreaterThan(10);
  });

  it('a screw away from the plane has no section, only its projection', () => {
    const cut = computeScrewInPlane({ entryLps: [0, 0, 10], tipLps: [50, 0, 12], diameterMm: 7 }, axial);
    expect(cut.kind).toBe('none');
    expect(cut.sectionLps).toBeNull();
    const ys = cut.projectionLps.map((p) => p[1]);
    expect(Math.max(...ys)).toBeCloseTo(3.5, 9);
    for (const p of cut.projectionLps) expect(p[2]).toBeCloseTo(0, 12);
  });

  it('a screw along the normal gives a circle where it crosses, and nothing beyond its ends', () => {
    const cut = computeScrewInPlane({ entryLps: [5, 5, -30], tipLps: [5, 5, 30], diameterMm: 8 }, axial);
    expect(cut.kind).toBe('crossSection');
    for (const p of cut.sectionLps!) expect(Math.hypot(p[0] - 5, p[1] - 5)).toBeCloseTo(4, 9);
    expect(computeScrewInPlane({ entryLps: [5, 5, 10], tipLps: [5, 5, 30], diameterMm: 8 }, axial).kind).toBe('none');
    // A plane through the entry itself (the bull's-eye at the bone entry), with rounding either way.
    for (const z of [1e-12, -1e-12]) expect(computeScrewInPlane({ entryLps: [5, 5, z], tipLps: [5, 5, 30], diameterMm: 8 }, axial).kind).toBe('crossSection');
  });

  it('the end caps clip a section where the plane passes through the tip', () => {
    // Oblique screw whose tip lies 1 mm beyond the plane: part of the ellipse is cut off.
    const entry: Vec3 = [-40, 0, -40];
    const tip: Vec3 = [1, 0, 1];
    const u = unit(sub(tip, entry));
    const cut = computeScrewInPlane({ entryLps: entry, tipLps: tip, diameterMm: 7 }, axial, 48);
    for (const p of cut.sectionLps!) {
      const t = dot(sub(p, entry), u);
      expect(t).toBeLessThanOrEqual(Math.hypot(41, 41) + 1e-9);
      expect(distToLine(p, entry, u)).toBeLessThanOrEqual(3.5 + 1e-9);
    }
    const xs = cut.sectionLps!.map((p) => p[0]);
    expect(Math.max(...xs)).toBeLessThan(3.5 * Math.SQRT2 - 0.5);
  });
});
