import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../core/geometry/vec3';
import { computeTrajectoryBasis, computeTrajectoryGeometry } from './trajectoryFrames';

const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: Vec3, b: Vec3): Vec3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const unit = (v: Vec3): Vec3 => {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
};
/** Screen right of a Cornerstone camera. */
const right = (c: { viewUpLps: Vec3; viewPlaneNormalLps: Vec3 }): Vec3 => cross(c.viewUpLps, c.viewPlaneNormalLps);

// The left iliosacral S1 corridor of the sacralAla phantom (truth.json): lateral to medial, slightly anterior and down.
const entry: Vec3 = [74.943, 13.887, -6.394];
const tip: Vec3 = [-5.027, 9.695, -2.203];
const skin: Vec3 = [140, 17.3, -9.8];

describe('trajectory view bases', () => {
  it('in-line A contains the axis and the S-I direction; B contains the axis and is perpendicular to A', () => {
    const g = computeTrajectoryGeometry({ entryLps: entry, tipLps: tip, skinEntryLps: null }, null);
    const d = unit([tip[0] - entry[0], tip[1] - entry[1], tip[2] - entry[2]]);
    const a = g.cameras.inlineA;
    const b = g.cameras.inlineB;
    expect(Math.abs(dot(a.viewPlaneNormalLps, d))).toBeLessThan(1e-12);
    expect(Math.abs(dot(b.viewPlaneNormalLps, d))).toBeLessThan(1e-12);
    expect(Math.abs(dot(a.viewPlaneNormalLps, b.viewPlaneNormalLps))).toBeLessThan(1e-12);
    // A holds the S-I axis as closely as possible: its normal is perpendicular to S-I...
    expect(Math.abs(a.viewPlaneNormalLps[2])).toBeLessThan(1e-12);
    // ...superior is up and the path runs left to right from entry to tip.
    expect(a.viewUpLps[2]).toBeGreaterThan(0.99);
    for (const c of [a, b]) {
      expect(dot(right(c), d)).toBeCloseTo(1, 12);
      expect(dot(c.viewUpLps, c.viewPlaneNormalLps)).toBeCloseTo(0, 12);
    }
    // B: posterior down.
    expect(b.viewUpLps[1]).toBeLessThan(0);
  });

  it("the bull's-eye looks along the axis from the entry side, superior up, at the bone entry by default", () => {
    const g = computeTrajectoryGeometry({ entryLps: entry, tipLps: tip, skinEntryLps: null }, null);
    const d = g.axisLps;
    const be = g.cameras.bullseye;
    expect(dot(be.viewPlaneNormalLps, d)).toBeCloseTo(-1, 12);
    expect(be.viewUpLps[2]).toBeGreaterThan(0.99);
    expect(be.focalPointLps).toEqual(entry);
    expect(g.fromSkin).toBe(false);
    expect(g.bullseyeDepthMm).toBe(0);
  });

  it("places the bull's-eye at a depth along skin -> bone entry -> tip, clamped to the path", () => {
    const screw = { entryLps: entry, tipLps: tip, skinEntryLps: skin };
    const skinToBone = Math.hypot(entry[0] - skin[0], entry[1] - skin[1], entry[2] - skin[2]);
    const screwLen = Math.hypot(tip[0] - entry[0], tip[1] - entry[1], tip[2] - entry[2]);
    const at = computeTrajectoryGeometry(screw, null);
    expect(at.fromSkin).toBe(true);
    expect(at.boneEntryDepthMm).toBeCloseTo(skinToBone, 9);
    expect(at.pathLengthMm).toBeCloseTo(skinToBone + screwLen, 9);
    for (let k = 0; k < 3; k++) expect(at.bullseyePointLps[k]).toBeCloseTo(entry[k]!, 9);
    const deep = computeTrajectoryGeometry(screw, skinToBone + 20);
    const d = at.axisLps;
    for (let k = 0; k < 3; k++) expect(deep.bullseyePointLps[k]).toBeCloseTo(entry[k]! + 20 * d[k]!, 9);
    const shallow = computeTrajectoryGeometry(screw, 10);
    const s2b = unit([entry[0] - skin[0], entry[1] - skin[1], entry[2] - skin[2]]);
    for (let k = 0; k < 3; k++) expect(shallow.bullseyePointLps[k]).toBeCloseTo(skin[k]! + 10 * s2b[k]!, 9);
    expect(computeTrajectoryGeometry(screw, 1e6).bullseyeDepthMm).toBeCloseTo(at.pathLengthMm, 9);
    expect(computeTrajectoryGeometry(screw, -5).bullseyeDepthMm).toBe(0);
  });

  it('the in-line planes contain the screw axis even when the skin entry is off its line', () => {
    const bentSkin: Vec3 = [skin[0], skin[1] + 25, skin[2] - 15];
    const g = computeTrajectoryGeometry({ entryLps: entry, tipLps: tip, skinEntryLps: bentSkin }, null);
    for (const view of ['inlineA', 'inlineB'] as const) {
      const c = g.cameras[view];
      for (const p of [entry, tip]) {
        const off = dot([p[0] - c.focalPointLps[0], p[1] - c.focalPointLps[1], p[2] - c.focalPointLps[2]], c.viewPlaneNormalLps);
        expect(Math.abs(off)).toBeLessThan(1e-9);
      }
    }
  });

  it('fits the whole path across the in-line views', () => {
    const g = computeTrajectoryGeometry({ entryLps: entry, tipLps: tip, skinEntryLps: skin }, null, { inlineA: 1, inlineB: 0.8, bullseye: 1 });
    for (const [view, aspect] of [['inlineA', 1], ['inlineB', 0.8]] as const) {
      const halfWidth = g.cameras[view].parallelScaleMm * aspect;
      expect(2 * halfWidth).toBeGreaterThanOrEqual(g.pathLengthMm);
    }
  });

  it('keeps a right-handed, orthonormal basis for an axis along S-I (fallback: posterior)', () => {
    const { a, b } = computeTrajectoryBasis([0, 0, -1]);
    expect(Math.hypot(...a)).toBeCloseTo(1, 12);
    expect(dot(a, [0, 0, -1])).toBeCloseTo(0, 12);
    expect(dot(a, b)).toBeCloseTo(0, 12);
    const g = computeTrajectoryGeometry({ entryLps: [0, 0, 50], tipLps: [0, 0, 0], skinEntryLps: null }, null);
    expect(Number.isFinite(g.cameras.inlineA.viewPlaneNormalLps[0])).toBe(true);
    expect(Math.hypot(...g.cameras.inlineA.viewPlaneNormalLps)).toBeCloseTo(1, 12);
  });
});
