import { describe, expect, it } from 'vitest';
import { lesionSizeMm, lesionVolumeMm3, requiredLesionSpanMm } from './checks/index';
import { createPlannerEngine, type CorridorRequest } from './plannerEngine';
import { phantomCase, truePurchaseMm, truthMarginViolations, voxelStructureIds } from './testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from './types';

/**
 * The planner on the sacral phantoms, judged against the phantom's GROUND
 * TRUTH (truth roots, truth labels, truth corridor widths), with fields built
 * from the truth labels so that segmentation errors are not in play.
 */
const sacral: CorridorRequest[] = [];
for (const corridorId of ['iliosacralS1', 'iliosacralS2', 'transsacralS1', 'transsacralS2'] as const) for (const side of ['left', 'right'] as const) sacral.push({ corridorId, side });
const margin = DEFAULT_PLAN_SETTINGS.safetyMarginMm;

describe('planner on the sacralAla phantom', () => {
  const { phantom, fields } = phantomCase('sacralAla', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1, corridors: sacral });

  it('finds an S1 iliosacral screw that bridges the lesion, with true purchase and true clearances', () => {
    const s1 = plan.corridors.find((c) => c.corridorId === 'iliosacralS1' && c.side === 'left')!;
    expect(s1.available, s1.reason).toBe(true);
    const best = s1.screws[0]!;
    expect(best.evaluation.ok).toBe(true);
    const purchase = truePurchaseMm(phantom, best.screw);
    expect(purchase.crossesLesion).toBe(true);
    expect(purchase.nearMm).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.purchaseMm);
    expect(purchase.farMm).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.purchaseMm);
    // Through the lesion, not along its edge: the truth span is the required span (8 mm here) within a voxel.
    const required = requiredLesionSpanMm(DEFAULT_PLAN_SETTINGS, lesionSizeMm(lesionVolumeMm3(fields)));
    expect(required).toBe(DEFAULT_PLAN_SETTINGS.minLesionSpanMm);
    expect(purchase.spanMm).toBeGreaterThanOrEqual(required - Math.max(...fields.geometry.spacingMm));
    expect(truthMarginViolations(phantom, best.screw, margin)).toEqual([]);
    // It runs at the S1 level: within a few mm of the truth S1 corridor axis at the midline.
    const truthAxis = phantom.truth.corridors.find((c) => c.id === 'iliosacralS1' && c.side === 'left')!;
    const zAt = (x: number, a: number[], b: number[]) => a[2]! + ((b[2]! - a[2]!) * (x - a[0]!)) / (b[0]! - a[0]!);
    expect(Math.abs(zAt(10, best.screw.entryLps, best.screw.tipLps) - zAt(10, truthAxis.axisStartLps, truthAxis.axisEndLps))).toBeLessThan(10);
  });

  it('proposes no screw that violates a margin against the ground truth', () => {
    const all = plan.corridors.flatMap((c) => c.screws.map((s) => s.screw));
    expect(all.length).toBeGreaterThan(0);
    expect(all.flatMap((s) => truthMarginViolations(phantom, s, margin))).toEqual([]);
  });

  it('explains every unavailable corridor with data, not an exception', () => {
    for (const c of plan.corridors) {
      expect(c.reason.length).toBeGreaterThan(10);
      if (!c.available) expect(c.screws).toEqual([]);
    }
    const right = plan.corridors.find((c) => c.corridorId === 'iliosacralS1' && c.side === 'right')!;
    expect(right.available).toBe(false);
    expect(right.reason).toMatch(/other side of the midline/);
  });
});

describe('planner on the dysmorphic phantom', () => {
  // Medium grid (1.5 mm): the S2 corridor (11.8 mm) leaves 0.65 mm per side for a 6.5 mm screw with 2 mm margins.
  const { phantom, fields } = phantomCase('dysmorphic', 'medium');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1, corridors: sacral });

  it('reports S1 unavailable with its true narrowest width (within 1 mm) and proposes S2', () => {
    for (const id of ['iliosacralS1', 'transsacralS1'] as const) {
      for (const side of ['left', 'right'] as const) {
        const c = plan.corridors.find((o) => o.corridorId === id && o.side === side)!;
        expect(c.available, `${id} ${side}`).toBe(false);
        if (id === 'iliosacralS1' && side === 'right') continue; // the lesion is left: that one is explained by the midline
        const truth = phantom.truth.corridors.find((t) => t.id === id && (t.side === undefined || t.side === side))!;
        expect(c.reason).toMatch(/widest \d+\.\d mm in bone/);
        expect(Math.abs(c.widestInBoneMm - truth.narrowestWidthMm), `${id} ${side}: ${c.widestInBoneMm} vs truth ${truth.narrowestWidthMm}`).toBeLessThanOrEqual(1);
      }
    }
    const s2 = plan.corridors.filter((c) => (c.corridorId === 'iliosacralS2' || c.corridorId === 'transsacralS2') && c.available);
    expect(s2.length).toBeGreaterThan(0);
    expect(plan.screws.some((s) => s.screw.corridorId.endsWith('S2'))).toBe(true);
    const all = plan.corridors.flatMap((c) => c.screws.map((s) => s.screw));
    expect(all.flatMap((s) => truthMarginViolations(phantom, s, margin))).toEqual([]);
  });
});
