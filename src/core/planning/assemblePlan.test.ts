import { describe, expect, it } from 'vitest';
import { assemblePlan } from './plannerEngine';
import { DEFAULT_PLAN_SETTINGS, type CorridorOutcome, type RankedScrew, type Screw } from './types';
import type { CorridorId, Side } from '../shared/ids';

function ranked(id: string, corridorId: CorridorId, side: Side, y: number, score: number): RankedScrew {
  const screw: Screw = { id, corridorId, side, entryLps: [60, y, 0], tipLps: [-10, y, 0], diameterMm: 7.3, lengthMm: 70, catalogId: 'cannulated-7.3' };
  return {
    screw, score, angleFromIdealDeg: 0,
    evaluation: { screwId: id, ok: true, checks: [], purchaseNearMm: 20, purchaseFarMm: 20, lesionSpanMm: 10, minClearanceMm: 5, minClearanceStructure: null, minBoneCoverMm: 2, pathExitLps: [100, y, 0], uncheckedStructures: [] },
  };
}

function outcome(corridorId: CorridorId, side: Side, screws: RankedScrew[], parallelSet: RankedScrew[] = []): CorridorOutcome {
  return { corridorId, side, available: screws.length > 0, screws, reason: 'test', widestInBoneMm: 12, widestWithMarginsMm: 8, candidatesScored: 10, rejectCounts: {}, parallelSet };
}

describe('assemblePlan', () => {
  it('takes the best screw per corridor, one per sacral level, keeping screws apart', () => {
    const plan = assemblePlan([
      outcome('iliosacralS1', 'left', [ranked('is1', 'iliosacralS1', 'left', 0, 10)]),
      outcome('transsacralS1', 'left', [ranked('ts1', 'transsacralS1', 'left', 30, 9)]), // same level as is1: left out
      // Best option collides with is1 (5 mm apart: 5 - 7.3 < 3), the second is far enough.
      outcome('iliosacralS2', 'left', [ranked('is2a', 'iliosacralS2', 'left', 5, 8), ranked('is2b', 'iliosacralS2', 'left', 20, 7)]),
      outcome('supraAcetabular', 'left', []),
    ], DEFAULT_PLAN_SETTINGS, 4, 2, 12);
    expect(plan.screws.map((s) => s.screw.id)).toEqual(['is1', 'is2b']);
    // Each chosen screw carries its spacing check against the others of the plan.
    const spacing = plan.screws[0]!.evaluation.checks.filter((c) => c.rule === 'screwSpacing');
    expect(spacing).toHaveLength(1);
    expect(spacing[0]!.otherScrewId).toBe('is2b');
    expect(spacing[0]!.valueMm).toBeCloseTo(20 - 7.3, 6);
    expect(plan.screws.every((s) => s.evaluation.ok)).toBe(true);
    expect(plan.generation).toBe(4);
    expect(plan.fieldsGeneration).toBe(2);
    expect(plan.candidatesScored).toBe(40);
    expect(plan.corridors).toHaveLength(4);
  });

  it('takes a parallel set whole', () => {
    const set = [ranked('p1', 'femoralNeck', 'left', 100, 5), ranked('p2', 'femoralNeck', 'left', 112, 5), ranked('p3', 'femoralNeck', 'left', 124, 5)];
    const plan = assemblePlan([outcome('femoralNeck', 'left', [set[0]!], set)], DEFAULT_PLAN_SETTINGS, 1, 1, 1);
    expect(plan.screws.map((s) => s.screw.id)).toEqual(['p1', 'p2', 'p3']);
  });
});
