import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FieldSet } from '../../fields/FieldSet';
import type { Vec3 } from '../../geometry/vec3';
import { LABELS } from '../../shared/ids';
import { createVolume, type Volume } from '../../volume/Volume';
import { createVolumeGeometry, type VolumeGeometry } from '../../volume/VolumeGeometry';
import { phantomCase, trueLabelClearanceMm, truePurchaseMm, voxelStructureIds } from '../testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS, type Screw } from '../types';
import {
  checkClearance, checkCorticalBreach, checkLesionSpan, checkPurchase, checkScrewSpacing, checkSkinPath, checkTipPosition, createEvaluationContext, evaluateScrew,
  fieldTolerances, findGaps, lesionSizeMm, lesionVolumeMm3, requiredLesionSpanMm, sampleAxisProfile,
} from './index';

const settings = DEFAULT_PLAN_SETTINGS;

/** Length of the lesion crossing in a truth walk (0 when none). */
function fill<T extends Float32Array | Uint8Array>(g: VolumeGeometry, out: T, f: (p: Vec3) => number): T {
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  for (let k = 0, v = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, v++) out[v] = f([m[0]! * i + m[12]!, m[5]! * j + m[13]!, m[10]! * k + m[14]!]);
  return out;
}

/**
 * A synthetic field set with analytic fields: a bone cylinder of radius 12 mm
 * along x (label sacrum), a second bone block (label hipLeft) at x < -70, a
 * lesion ball of radius 6 at the origin, a root (tube) along z at (0, 20).
 */
function synthetic(): { fields: FieldSet; g: VolumeGeometry } {
  const g = createVolumeGeometry({ dims: [100, 40, 40], spacingMm: [2, 1, 1], originLps: [-99, -20, -20] });
  const n = 100 * 40 * 40;
  const cyl = (p: Vec3) => 12 - Math.hypot(p[1], p[2]);
  const block = (p: Vec3) => Math.min(-70 - p[0], 10 - Math.abs(p[1]), 10 - Math.abs(p[2]));
  const inBone = (p: Vec3) => (p[0] > -60 && p[0] < 60 ? cyl(p) : -1);
  const bone = fill(g, new Float32Array(n), (p) => Math.max(p[0] > -60 && p[0] < 60 ? Math.min(cyl(p), p[0] + 60, 60 - p[0]) : -Math.max(Math.abs(p[0]) - 60, 0), block(p)));
  const lesion = fill(g, new Float32Array(n), (p) => Math.hypot(p[0], p[1], p[2]) - 6);
  const root = fill(g, new Float32Array(n), (p) => Math.max(0, Math.hypot(p[0], p[1] - 20) - 2));
  const labels = fill(g, new Uint8Array(n), (p) => (Math.hypot(p[0], p[1], p[2]) < 6 ? LABELS.lesion : inBone(p) > 0 ? LABELS.sacrum : block(p) > 0 ? LABELS.hipLeft : 0));
  const vol = (id: string, v: Float32Array): Volume<Float32Array> => createVolume(id, 'field', g, v);
  return {
    g,
    fields: { geometry: g, boneDepth: vol('bone', bone), lesion: vol('lesion', lesion), structures: { rootS1Left: vol('root', root) }, structureMarginMm: 30, labels: createVolume('labels', 'label', g, labels), generation: 0 },
  };
}

const screw = (entry: Vec3, tip: Vec3, diameterMm = 6.5): Screw => ({
  id: 's', corridorId: 'iliosacralS1', side: 'left', entryLps: entry, tipLps: tip, diameterMm,
  lengthMm: Math.hypot(tip[0] - entry[0], tip[1] - entry[1], tip[2] - entry[2]), catalogId: '',
});

describe('checks on analytic fields', () => {
  const { fields } = synthetic();
  const tol = fieldTolerances(fields.geometry);

  it('purchase: healthy bone on each side of the lesion, and says so when the screw misses it', () => {
    const p = sampleAxisProfile(null, fields, [50, 0, 0], [-40, 0, 0], 0.5);
    const r = checkPurchase(p, settings, tol.boneMm);
    // Entry at x = 50 inside bone, lesion from x = 6 to -6, tip at -40: 44 mm and 34 mm.
    expect(r.figures!.nearMm).toBeCloseTo(44, 0);
    expect(r.figures!.farMm).toBeCloseTo(34, 0);
    expect(Math.abs(r.figures!.lesionSpanMm - 12)).toBeLessThanOrEqual(1); // counted in 0.5 mm samples
    expect(r.ok).toBe(true);
    expect(r.valueMm).toBeCloseTo(34, 0);
    const miss = checkPurchase(sampleAxisProfile(null, fields, [50, 9, 0], [-40, 9, 0], 0.5), settings, tol.boneMm);
    expect(miss.ok).toBe(false);
    expect(miss.detail).toMatch(/does not cross the lesion \(axis passes [23]\.\d mm/);
  });

  it('cortical breach: cover of the screw surface inside the cylinder, fails when the screw leaves the bone', () => {
    const inside = sampleAxisProfile(null, fields, [50, 2, 0], [-40, 2, 0], 0.5);
    const ok = checkCorticalBreach(inside, findGaps(inside, 6), 3.25, settings, 0, tol.boneMm);
    expect(ok.valueMm).toBeCloseTo(12 - 2 - 3.25, 1);
    expect(ok.ok).toBe(true);
    const oblique = sampleAxisProfile(null, fields, [50, 0, 0], [-40, 0, 11], 0.5);
    const bad = checkCorticalBreach(oblique, findGaps(oblique, 6), 3.25, settings, 0, tol.boneMm);
    expect(bad.ok).toBe(false);
    expect(bad.marginMm).toBeLessThan(-1);
  });

  it('tip: inside the bone it must end in, or names the wrong bone', () => {
    const p = sampleAxisProfile(null, fields, [50, 0, 0], [-40, 0, 0], 0.5);
    expect(checkTipPosition(p, 3.25, settings, 'inBone', [LABELS.sacrum], null, tol.boneMm).ok).toBe(true);
    const wrong = checkTipPosition(p, 3.25, settings, 'inBone', [LABELS.hipRight], null, tol.boneMm);
    expect(wrong.ok).toBe(false);
    expect(wrong.detail).toMatch(/tip ends in sacrum, expected hipRight/);
    const shallow = checkTipPosition(p, 3.25, settings, 'subchondral', [LABELS.sacrum], 3, tol.boneMm);
    expect(shallow.ok).toBe(false);
    expect(checkTipPosition(p, 3.25, settings, 'subchondral', [LABELS.sacrum], 7.5, tol.boneMm).ok).toBe(true);
    expect(checkTipPosition(p, 3.25, settings, 'subchondral', [LABELS.sacrum], 12, tol.boneMm).ok).toBe(false);
  });

  it('clearance: the whole screw cylinder against a root, by how much it passes or fails', () => {
    const near = checkClearance(fields, screw([50, 12, 0], [-40, 12, 0]), 'rootS1Left', settings, tol.structureMm, 0.5)!;
    // Root tube: axis along z at (0, 20), radius 2: axis-to-axis 8, minus 2 and 3.25.
    expect(Math.abs(near.valueMm - (8 - 2 - 3.25))).toBeLessThanOrEqual(tol.structureMm);
    expect(near.ok).toBe(true);
    const far = checkClearance(fields, screw([50, 15, 0], [-40, 15, 0]), 'rootS1Left', settings, tol.structureMm, 0.5)!;
    expect(far.ok).toBe(false);
    expect(Math.abs(far.marginMm - (5 - 2 - 3.25 - 2 - tol.structureMm))).toBeLessThanOrEqual(tol.structureMm);
    expect(checkClearance(fields, screw([0, 0, 0], [1, 0, 0]), 'foramenS1Left', settings, 0, 0.5)).toBeNull();
  });

  it('screw spacing: capsule-capsule gap against the required spacing', () => {
    const a = screw([50, 0, 0], [-40, 0, 0], 7.3);
    const b = { ...screw([50, 9, 0], [-40, 9, 0], 6.5), id: 'b' };
    const r = checkScrewSpacing(a, b, settings);
    expect(r.valueMm).toBeCloseTo(9 - 3.65 - 3.25, 6);
    expect(r.ok).toBe(false);
    expect(r.otherScrewId).toBe('b');
  });

  it('skin path: fails when the way in crosses another bone, naming it', () => {
    // Entry at x = -55 heading +x: the path back towards -x runs into the hipLeft block at x < -70.
    const blocked = checkSkinPath(fields, screw([-58, 0, 0], [20, 0, 0]), settings, tol.boneMm, 1);
    expect(blocked.check.ok).toBe(false);
    expect(blocked.check.detail).toMatch(/crosses hipLeft/);
    const clear = checkSkinPath(fields, screw([58, 0, 0], [-20, 0, 0]), settings, tol.boneMm, 1);
    expect(clear.check.ok).toBe(true);
    expect(clear.pathExitLps[0]).toBeGreaterThan(95);
  });

  it('evaluateScrew runs every rule and reports the figures', () => {
    // The synthetic set models only the S1 root of the corridor's limiting structures: the others are said absent here.
    const ctx = createEvaluationContext(fields, settings, null, [], undefined, { foramenS1Left: 'absent', rootL5Left: 'absent', sacralCanal: 'absent' });
    const e = evaluateScrew(ctx, screw([58, 2, 0], [-32, 2, 0]));
    expect(e.checks.map((c) => c.rule).sort()).toEqual(['clearance', 'corticalBreach', 'lesionSpan', 'purchase', 'skinPath', 'structuresModelled', 'structuresModelled', 'structuresModelled', 'tipPosition']);
    expect(e.purchaseNearMm).toBeGreaterThan(40);
    expect(e.minClearanceStructure).toBe('rootS1Left');
    expect(e.ok).toBe(true);
    // Without their status they count as not found: the screw fails on them alone.
    const unknown = evaluateScrew(createEvaluationContext(fields, settings), screw([58, 2, 0], [-32, 2, 0]));
    expect(unknown.ok).toBe(false);
    expect(unknown.checks.filter((c) => !c.ok).map((c) => c.structureId)).toEqual(['foramenS1Left', 'rootL5Left', 'sacralCanal']);
  });

  it('lesion span: through the middle passes; an axis that grazes the lesion fails with its figure', () => {
    // Lesion ball of radius 6: 12 mm across, so the 8 mm default is capped at half its size, 6 mm.
    const size = lesionSizeMm(lesionVolumeMm3(fields));
    expect(size).toBeGreaterThan(11.4);
    expect(size).toBeLessThan(12.6);
    expect(requiredLesionSpanMm(settings, size)).toBeCloseTo(size / 2, 9);
    expect(requiredLesionSpanMm(settings, 40)).toBe(settings.minLesionSpanMm);
    const through = checkLesionSpan(sampleAxisProfile(null, fields, [50, 0, 0], [-40, 0, 0], 0.5), settings, size, tol.boneMm);
    expect(through.valueMm).toBeGreaterThan(11);
    expect(through.ok).toBe(true);
    // 5.5 mm off the centre: a chord of 2 sqrt(36 - 30.25) = 4.8 mm.
    const grazing = checkLesionSpan(sampleAxisProfile(null, fields, [50, 5.5, 0], [-40, 5.5, 0], 0.5), settings, size, tol.boneMm);
    expect(grazing.ok).toBe(false);
    expect(grazing.valueMm).toBeGreaterThan(3.5);
    expect(grazing.valueMm).toBeLessThan(6);
    expect(grazing.detail).toMatch(/^lesion span \d\.\d mm, needs \d\.\d mm \(half the lesion's 1\d\.\d mm size\) \+ \d\.\d mm voxel uncertainty: the screw only grazes the lesion$/);
    // The purchase rule alone lets that screw "bridge" the lesion.
    expect(checkPurchase(sampleAxisProfile(null, fields, [50, 5.5, 0], [-40, 5.5, 0], 0.5), settings, tol.boneMm).ok).toBe(true);
    const missing = checkLesionSpan(sampleAxisProfile(null, fields, [50, 9, 0], [-40, 9, 0], 0.5), settings, size, tol.boneMm);
    expect(missing.ok).toBe(false);
    expect(missing.valueMm).toBe(0);
    // A larger lesion asks the setting itself.
    const big = checkLesionSpan(sampleAxisProfile(null, fields, [50, 0, 0], [-40, 0, 0], 0.5), { ...settings, minLesionSpanMm: 20 }, 60, tol.boneMm);
    expect(big.requiredMm).toBe(20);
    expect(big.ok).toBe(false);
    expect(big.detail).toMatch(/needs 20\.0 mm \+ \d\.\d mm voxel uncertainty: the screw only grazes/);
  });

  it('clearance beyond the structure field is a lower bound, flagged; a near one is not', () => {
    // The root field's grid ends at y = -20; structureMarginMm is 30, the value beyond the grid.
    const far = checkClearance(fields, screw([-40, -60, 0], [40, -60, 0]), 'rootS1Left', settings, tol.structureMm, tol.stepMm)!;
    expect(far.valueMm).toBeCloseTo(30 - 3.25, 5);
    expect(far.isLowerBound).toBe(true);
    expect(far.detail).toMatch(/clears rootS1Left: more than 26 mm \(needs/);
    const near = checkClearance(fields, screw([58, 2, 0], [-32, 2, 0]), 'rootS1Left', settings, tol.structureMm, tol.stepMm)!;
    expect(near.isLowerBound).toBeUndefined();
    expect(near.valueMm).toBeLessThan(20);
    const e = evaluateScrew(createEvaluationContext(fields, settings), screw([-40, -60, 0], [40, -60, 0]));
    expect(e.minClearanceIsLowerBound).toBe(true);
    expect(evaluateScrew(createEvaluationContext(fields, settings), screw([58, 2, 0], [-32, 2, 0])).minClearanceIsLowerBound).toBeUndefined();
  });
});

describe('checks agree with brute force on the phantom label volume (random screws)', () => {
  const { phantom, fields } = phantomCase('sacralAla', 'small');
  const ctx = createEvaluationContext(fields, settings, null, voxelStructureIds(fields));
  const tol = ctx.tolerances;
  const h = Math.min(...phantom.labels.geometry.spacingMm);
  const [a, b, c] = phantom.labels.geometry.spacingMm;
  const halfDiag = 0.5 * Math.hypot(a, b, c);
  // Screws through the sacral region, random position and direction.
  const coord = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true });
  const arb = fc.tuple(coord(-40, 40), coord(-5, 35), coord(-40, 5), coord(-1, 1), coord(-1, 1), coord(-1, 1), coord(40, 110), fc.constantFrom(4.5, 6.5, 7.3));
  const toScrew = ([x, y, z, dx, dy, dz, len, diam]: [number, number, number, number, number, number, number, number]): Screw | null => {
    const n = Math.hypot(dx, dy, dz);
    if (n < 0.2) return null;
    const e: Vec3 = [x, y, z];
    return screw(e, [x + (dx / n) * len, y + (dy / n) * len, z + (dz / n) * len], diam);
  };

  it('clearance to each labelled foramen matches the label brute force within the tolerance, and never passes a true violation', () => {
    let compared = 0;
    fc.assert(fc.property(arb, (t) => {
      const s = toScrew(t);
      if (!s) return;
      for (const id of ['foramenS1Left', 'foramenS1Right', 'foramenS2Left'] as const) {
        const check = checkClearance(fields, s, id, settings, tol.voxelStructureMm, tol.stepMm)!;
        const brute = trueLabelClearanceMm(phantom, s, LABELS[id]) + halfDiag - h / 2;
        if (brute > 20) continue; // far away: the field is capped at its sub-box margin
        compared++;
        // The structure field is unsigned (0 inside): an axis that enters the structure reads minus the
        // radius however deep it goes (a failure either way). The brute force's figure goes below that.
        const expected = Math.max(brute, -s.diameterMm / 2);
        expect(Math.abs(check.valueMm - expected)).toBeLessThanOrEqual(tol.voxelStructureMm + 1e-6);
        if (check.ok) expect(brute).toBeGreaterThanOrEqual(settings.safetyMarginMm);
      }
    }), { numRuns: 80 });
    expect(compared).toBeGreaterThanOrEqual(10);
  });

  it('random screws: the lesion is seen where the labels have it, and purchase matches a nearest-label walk', () => {
    fc.assert(fc.property(arb, (t) => {
      const s = toScrew(t);
      if (!s) return;
      const p = sampleAxisProfile(null, fields, s.entryLps, s.tipLps, tol.stepMm);
      const check = checkPurchase(p, settings, tol.boneMm);
      const truth = truePurchaseMm(phantom, s);
      // A lesion crossing longer than two voxels in the field is a crossing in the labels.
      if (check.figures!.lesionSpanMm > 2 * h) expect(truth.crossesLesion).toBe(true);
      // And the other way, in distance rather than span: the walk's nearest voxel is lesion up to
      // half a voxel diagonal outside the labelled voxels, so a line grazing the lesion can run for
      // mm through such voxels where the field says it passes by (4.5 mm in seed -117918556, kept
      // below as an example; the field's closest approach there 0 to 0.5 mm). A lesion voxel's
      // centre lies at or below -h/2 in the field (its surface is half a voxel out) and the field
      // is 1-Lipschitz, so the axis comes within half a diagonal less h/2 of the field's lesion,
      // plus half the sampling step.
      if (check.figures!.lesionSpanMm === 0 && truth.crossesLesion) {
        let closestMm = Infinity;
        for (let q = 0; q < p.n; q++) closestMm = Math.min(closestMm, p.lesion[q]!);
        expect(closestMm).toBeLessThanOrEqual(halfDiag - h / 2 + tol.stepMm / 2);
      }
      if (!truth.crossesLesion || check.figures!.lesionSpanMm === 0) return;
      // Each side has two boundaries (bone and lesion), each within half a voxel; plus sampling.
      expect(Math.abs(check.figures!.nearMm - truth.nearMm)).toBeLessThanOrEqual(2 * h + 1);
      expect(Math.abs(check.figures!.farMm - truth.farMm)).toBeLessThanOrEqual(2 * h + 1);
    }), { numRuns: 60, examples: [[[0, 0, 0, 38.26664736500671 / 40, 0, -11.647476097517025 / 40, 40, 4.5]]] });
  });

  it('lesion size and span agree with the truth (phantom volume, nearest-label walk)', () => {
    const truthMl = phantom.truth.lesion!.volumeMl;
    expect(Math.abs(lesionVolumeMm3(fields) / 1000 - truthMl) / truthMl).toBeLessThan(0.1);
    const size = lesionSizeMm(lesionVolumeMm3(fields));
    const lesion = phantom.truth.lesion!.centerLps;
    let compared = 0, passed = 0, failed = 0;
    fc.assert(fc.property(coord(-1, 1), coord(-1, 1), coord(-1, 1), coord(-9, 9), coord(-9, 9), (dx, dy, dz, ou, ov) => {
      const n = Math.hypot(dx, dy, dz);
      if (n < 0.2) return;
      const d: Vec3 = [dx / n, dy / n, dz / n];
      // Offset across the axis, so some lines pass through the middle and some graze the edge.
      const a: Vec3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
      const u: Vec3 = [a[1] * d[2] - a[2] * d[1], a[2] * d[0] - a[0] * d[2], a[0] * d[1] - a[1] * d[0]];
      const un = Math.hypot(u[0], u[1], u[2]);
      const v: Vec3 = [d[1] * u[2] - d[2] * u[1], d[2] * u[0] - d[0] * u[2], d[0] * u[1] - d[1] * u[0]];
      const c: Vec3 = [lesion[0] + (u[0] * ou + v[0] * ov) / un, lesion[1] + (u[1] * ou + v[1] * ov) / un, lesion[2] + (u[2] * ou + v[2] * ov) / un];
      const s = screw([c[0] - d[0] * 40, c[1] - d[1] * 40, c[2] - d[2] * 40], [c[0] + d[0] * 40, c[1] + d[1] * 40, c[2] + d[2] * 40]);
      const check = checkLesionSpan(sampleAxisProfile(null, fields, s.entryLps, s.tipLps, tol.stepMm), settings, size, tol.boneMm);
      const truth = truePurchaseMm(phantom, s);
      compared++;
      if (check.ok) passed++; else failed++;
      // Two lesion boundaries, each within half a voxel of the labels' (and the walk's own nearest-label step).
      expect(Math.abs(check.valueMm - truth.spanMm)).toBeLessThanOrEqual(2 * h + 0.5);
      if (check.ok) expect(truth.spanMm).toBeGreaterThanOrEqual(check.requiredMm - h);
      // Besides the random lines, three that always run, so that both outcomes are seen whatever the
      // seed (150 random lines once all passed): through the middle along z (span 18.5 mm, passes),
      // grazing the edge along y (2.5 mm, fails), missing it (0 mm, fails).
    }), { numRuns: 150, examples: [[0, 0, 1, 0, 0], [0, 1, 0, 9, 0], [1, 0, 0, 9, 9]] });
    expect(compared).toBeGreaterThanOrEqual(20);
    expect(passed).toBeGreaterThan(0);
    expect(failed).toBeGreaterThan(0);
  });

  it('screw lines through the lesion: purchase compared on every run', () => {
    const lesion = phantom.truth.lesion!.centerLps;
    fc.assert(fc.property(coord(-1, 1), coord(-1, 1), coord(-1, 1), coord(20, 60), (dx, dy, dz, back) => {
      const n = Math.hypot(dx, dy, dz);
      if (n < 0.2) return;
      const d: Vec3 = [dx / n, dy / n, dz / n];
      const s = screw([lesion[0] - d[0] * back, lesion[1] - d[1] * back, lesion[2] - d[2] * back], [lesion[0] + d[0] * 30, lesion[1] + d[1] * 30, lesion[2] + d[2] * 30]);
      const p = sampleAxisProfile(null, fields, s.entryLps, s.tipLps, tol.stepMm);
      const check = checkPurchase(p, settings, tol.boneMm);
      const truth = truePurchaseMm(phantom, s);
      expect(truth.crossesLesion).toBe(true);
      expect(check.figures!.lesionSpanMm).toBeGreaterThan(0);
      expect(Math.abs(check.figures!.nearMm - truth.nearMm)).toBeLessThanOrEqual(2 * h + 1);
      expect(Math.abs(check.figures!.farMm - truth.farMm)).toBeLessThanOrEqual(2 * h + 1);
      if (check.ok) expect(Math.min(truth.nearMm, truth.farMm)).toBeGreaterThanOrEqual(settings.purchaseMm - h);
    }), { numRuns: 40 });
  });

  it('cortical cover inside the sacrum matches the distance to the nearest non-bone voxel', () => {
    let compared = 0;
    const g = phantom.labels.geometry;
    const [ni, nj, nk] = g.dims;
    const m = g.lpsToIjk, w = g.ijkToLps;
    const boneOrLesion = (l: number) => (l >= LABELS.sacrum && l <= LABELS.l5) || l === LABELS.lesion;
    const nearestNonBone = (p: Vec3, reach: number): number => {
      const ci = m[0]! * p[0] + m[12]!, cj = m[5]! * p[1] + m[13]!, ck = m[10]! * p[2] + m[14]!;
      const r = Math.ceil(reach / h);
      let best = Infinity;
      for (let k = Math.max(0, Math.round(ck) - r); k <= Math.min(nk - 1, Math.round(ck) + r); k++)
        for (let j = Math.max(0, Math.round(cj) - r); j <= Math.min(nj - 1, Math.round(cj) + r); j++)
          for (let i = Math.max(0, Math.round(ci) - r); i <= Math.min(ni - 1, Math.round(ci) + r); i++) {
            if (boneOrLesion(phantom.labels.voxels[i + ni * (j + nj * k)]!)) continue;
            const d = Math.hypot(w[0]! * i + w[12]! - p[0], w[5]! * j + w[13]! - p[1], w[10]! * k + w[14]! - p[2]);
            if (d < best) best = d;
          }
      return best;
    };
    fc.assert(fc.property(coord(-20, 20), coord(0, 25), coord(-20, 0), coord(-1, 1), coord(-1, 1), coord(-1, 1), (x, y, z, dx, dy, dz) => {
      const n = Math.hypot(dx, dy, dz);
      if (n < 0.2) return;
      const s = screw([x, y, z], [x + (dx / n) * 20, y + (dy / n) * 20, z + (dz / n) * 20]);
      const p = sampleAxisProfile(null, fields, s.entryLps, s.tipLps, tol.stepMm);
      if (!p.containment.subarray(0, p.n).every((v) => v > 0)) return; // only screws wholly inside the bone envelope
      const check = checkCorticalBreach(p, findGaps(p, 6), 3.25, { ...settings, entryZoneMm: 0 }, 0, tol.boneMm);
      let brute = Infinity;
      for (let t = 1.5 * 3.25; t <= 20; t += 0.5) {
        const q: Vec3 = [x + (dx / n) * t, y + (dy / n) * t, z + (dz / n) * t];
        brute = Math.min(brute, nearestNonBone(q, 16) - h / 2 - 3.25);
      }
      if (!Number.isFinite(brute) || brute > 10) return;
      compared++;
      expect(Math.abs(check.valueMm - brute)).toBeLessThanOrEqual(tol.boneMm + h / 2);
    }), { numRuns: 80 });
    expect(compared).toBeGreaterThanOrEqual(5);
  });
});
