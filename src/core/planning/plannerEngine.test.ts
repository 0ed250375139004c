import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../shared/errors';
import { createPlannerEngine, type PlanProgress } from './plannerEngine';
import { phantomCase, voxelStructureIds } from './testing/phantomFields';

describe('planner engine', () => {
  const { fields } = phantomCase('femoralNeck', 'small');

  it('refuses to plan before fields are loaded, with a typed error', () => {
    const engine = createPlannerEngine();
    let error: unknown;
    try { engine.plan({ generation: 1 }); } catch (e) { error = e; }
    expect(errorCodeOf(error)).toBe('planning/bad-input');
    expect(engine.currentGrid()).toBeNull();
    expect(engine.fieldsGeneration()).toBe(-1);
  });

  it('reports progress and stops a stale request at its next poll of the token', () => {
    const engine = createPlannerEngine();
    const info = engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
    expect(info.lesionHost).toBeGreaterThan(0);
    expect(info.frameFromAnatomy).toBe(true);
    const token = new Int32Array(1);
    token[0] = 5;
    const progress: PlanProgress[] = [];
    const plan = engine.plan({ generation: 5, cancelToken: token, corridors: [{ corridorId: 'femoralNeck', side: 'left' }] }, (p) => progress.push(p));
    expect(plan.generation).toBe(5);
    expect(progress.at(-1)).toMatchObject({ generation: 5, corridorsDone: 1, corridorsTotal: 1, candidatesScored: plan.candidatesScored });
    // A newer generation in the token: the request is stale after at most one poll interval of candidates.
    let polls = 0;
    let error: unknown;
    try {
      engine.plan({ generation: 5, cancelToken: token, corridors: [{ corridorId: 'femoralNeck', side: 'left' }] }, () => {
        polls++;
        token[0] = 6;
      });
    } catch (e) { error = e; }
    expect(errorCodeOf(error)).toBe('worker/stale');
    expect(polls).toBe(1);
  });

  it('live-checks an edited screw: moving it off the neck fails the cortex rule and says by how much', () => {
    const engine = createPlannerEngine();
    engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
    const best = engine.plan({ generation: 1, corridors: [{ corridorId: 'femoralNeck', side: 'left' }] }).corridors[0]!.screws[0]!.screw;
    const ok = engine.checkScrew({ screw: best });
    expect(ok.ok).toBe(true);
    const moved = { ...best, entryLps: [best.entryLps[0], best.entryLps[1] - 25, best.entryLps[2]] as typeof best.entryLps, tipLps: [best.tipLps[0], best.tipLps[1] - 25, best.tipLps[2]] as typeof best.tipLps };
    const bad = engine.checkScrew({ screw: moved });
    expect(bad.ok).toBe(false);
    const breach = bad.checks.find((c) => c.rule === 'corticalBreach')!;
    expect(breach.ok).toBe(false);
    expect(breach.marginMm).toBeLessThan(0);
    // Settings are the user's: a 500 mm purchase requirement fails what the default 15 mm passes.
    const strict = engine.checkScrew({ screw: best, settings: { purchaseMm: 500 } });
    expect(strict.checks.find((c) => c.rule === 'purchase')!.ok).toBe(false);
  });
});
