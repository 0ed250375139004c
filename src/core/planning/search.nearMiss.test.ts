/**
 * Refinement seeded from near misses: when no line of a corridor's coarse
 * search passes, the refinement starts from the lines rejected only for width,
 * purchase or lesion span with the smallest shortfall (search.ts `seedsOf`).
 * On the sacralAlaCbct small phantom no coarse iliosacral S2 (left) line
 * passes; from the near misses the refinement finds screws, and every one
 * keeps every margin against the phantom's ground truth. Without the near
 * misses the same scan leaves the corridor unavailable. (Full size, S2
 * through the lesion: planner.sacralFull.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { lesionSizeMm, lesionVolumeMm3, requiredLesionSpanMm } from './checks/index';
import { createPlannerEngine } from './plannerEngine';
import { WHOLE_SCAN } from './search';
import { phantomCase, truePurchaseMm, truthMarginViolations, voxelStructureIds } from './testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from './types';

describe('refinement from near misses', () => {
  it('sacralAlaCbct (small), iliosacral S2 left: no coarse line passes; screws found from near misses keep every true margin', () => {
    const { phantom, fields } = phantomCase('sacralAlaCbct', 'small');
    const engine = createPlannerEngine();
    engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
    const corridor = { corridorId: 'iliosacralS2' as const, side: 'left' as const };
    const scan = engine.scanCorridor({ generation: 1, corridor, share: WHOLE_SCAN });
    expect(scan.early).toBeNull();
    expect(scan.top).toEqual([]); // no line passed the coarse search
    expect(scan.near.length).toBe(8 * 8); // 8 near misses, 8 numbers a row
    // Smallest shortfall first (score = -deficit, descending).
    for (let o = 8; o < scan.near.length; o += 8) expect(scan.near[o]!).toBeLessThanOrEqual(scan.near[o - 8]!);

    const outcome = engine.finishCorridor({ generation: 1, scans: [scan] });
    expect(outcome, outcome.reason).toMatchObject({ available: true });
    expect(outcome).toEqual(engine.searchCorridors({ generation: 1, corridors: [corridor] })[0]);
    const voxelMm = Math.max(...fields.geometry.spacingMm);
    const required = requiredLesionSpanMm(DEFAULT_PLAN_SETTINGS, lesionSizeMm(lesionVolumeMm3(fields)));
    for (const s of outcome.screws) {
      expect(truthMarginViolations(phantom, s.screw, DEFAULT_PLAN_SETTINGS.safetyMarginMm), s.screw.id).toEqual([]);
      const truth = truePurchaseMm(phantom, s.screw);
      expect(truth.crossesLesion).toBe(true);
      expect(Math.min(truth.nearMm, truth.farMm)).toBeGreaterThanOrEqual(DEFAULT_PLAN_SETTINGS.purchaseMm);
      expect(truth.spanMm).toBeGreaterThanOrEqual(required - voxelMm);
    }

    // The same scan without its near misses: nothing to refine, the corridor stays unavailable.
    const without = engine.finishCorridor({ generation: 1, scans: [{ ...scan, near: [] }] });
    expect(without.available).toBe(false);
  });
});
