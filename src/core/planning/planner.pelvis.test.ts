import { describe, expect, it } from 'vitest';
import { createPlannerEngine } from './plannerEngine';
import { phantomCase, truePurchaseMm, truthMarginViolations, voxelStructureIds } from './testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from './types';
import { capsuleCapsuleDistance } from '../geometry/capsule';

/** Supra-acetabular, femoral-neck and CBCT phantoms, judged against their ground truth. */
const margin = DEFAULT_PLAN_SETTINGS.safetyMarginMm;

describe('planner on the supraAcetabular phantom', () => {
  const { phantom, fields } = phantomCase('supraAcetabular', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1 });

  it('finds a supra-acetabular screw on the lesion side that bridges the lesion with true purchase and clearances', () => {
    const host = phantom.truth.lesion!.host;
    const side = host === 'hipRight' ? 'right' : 'left';
    const c = plan.corridors.find((o) => o.corridorId === 'supraAcetabular' && o.side === side)!;
    expect(c.available, c.reason).toBe(true);
    const best = c.screws[0]!.screw;
    const purchase = truePurchaseMm(phantom, best);
    expect(purchase.crossesLesion).toBe(true);
    expect(Math.min(purchase.nearMm, purchase.farMm)).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.purchaseMm);
    expect(truthMarginViolations(phantom, best, margin)).toEqual([]);
    // Clear of the hip joint: the femoral head sphere plus the margin.
    const head = phantom.truth.femoralHeads.find((h) => h.side === side)!;
    const gap = capsuleCapsuleDistance({ startLps: best.entryLps, endLps: best.tipLps, radiusMm: best.diameterMm / 2 }, { startLps: head.centerLps, endLps: head.centerLps, radiusMm: head.radiusMm });
    expect(gap).toBeGreaterThanOrEqual(margin);
    // Corridors on the other hip bone are explained as off the lesion's path.
    const other = plan.corridors.find((o) => o.corridorId === 'supraAcetabular' && o.side !== side)!;
    expect(other.available).toBe(false);
    expect(other.reason).toMatch(/off this corridor's path/);
  });

  it('proposes no screw that violates a margin against the ground truth', () => {
    const all = plan.corridors.flatMap((c) => [...c.screws, ...c.parallelSet].map((s) => s.screw));
    expect(all.length).toBeGreaterThan(0);
    expect(all.flatMap((s) => truthMarginViolations(phantom, s, margin))).toEqual([]);
  });
});

describe('planner on the femoralNeck phantom', () => {
  const { phantom, fields } = phantomCase('femoralNeck', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1 });

  it('proposes 2-3 parallel femoral-neck screws, tips 5-10 mm under the true head surface, at least one bridging the lesion', () => {
    const c = plan.corridors.find((o) => o.corridorId === 'femoralNeck' && o.side === 'left')!;
    expect(c.available, c.reason).toBe(true);
    const set = c.parallelSet.map((s) => s.screw);
    expect(set.length).toBeGreaterThanOrEqual(2);
    expect(set.length).toBeLessThanOrEqual(3);
    const head = phantom.truth.femoralHeads.find((h) => h.side === 'left')!;
    const dir = (s: (typeof set)[number]) => s.tipLps.map((v, i) => (v - s.entryLps[i]!) / s.lengthMm);
    for (const s of set) {
      const depth = head.radiusMm - Math.hypot(s.tipLps[0] - head.centerLps[0], s.tipLps[1] - head.centerLps[1], s.tipLps[2] - head.centerLps[2]);
      expect(depth).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.femoralNeckTipMinMm);
      expect(depth).toBeLessThanOrEqual(DEFAULT_PLAN_SETTINGS.femoralNeckTipMaxMm);
      const d0 = dir(set[0]!), d = dir(s);
      expect(d0[0]! * d[0]! + d0[1]! * d[1]! + d0[2]! * d[2]!).toBeGreaterThan(0.9999); // parallel
      expect(truthMarginViolations(phantom, s, margin)).toEqual([]);
    }
    for (let i = 0; i < set.length; i++) for (let j = i + 1; j < set.length; j++) {
      const a = set[i]!, b = set[j]!;
      expect(capsuleCapsuleDistance({ startLps: a.entryLps, endLps: a.tipLps, radiusMm: a.diameterMm / 2 }, { startLps: b.entryLps, endLps: b.tipLps, radiusMm: b.diameterMm / 2 })).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.screwSpacingMm);
    }
    const bridging = set.filter((s) => {
      const p = truePurchaseMm(phantom, s);
      return p.crossesLesion && Math.min(p.nearMm, p.farMm) >= DEFAULT_PLAN_SETTINGS.purchaseMm;
    });
    expect(bridging.length).toBeGreaterThanOrEqual(1);
    // The plan takes the whole set.
    expect(plan.screws.filter((s) => s.screw.corridorId === 'femoralNeck')).toHaveLength(set.length);
  });

  it('proposes no screw that violates a margin against the ground truth', () => {
    const all = plan.corridors.flatMap((c) => [...c.screws, ...c.parallelSet].map((s) => s.screw));
    expect(all.flatMap((s) => truthMarginViolations(phantom, s, margin))).toEqual([]);
  });
});
