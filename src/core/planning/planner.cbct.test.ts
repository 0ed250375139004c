import { describe, expect, it } from 'vitest';
import { createPlannerEngine } from './plannerEngine';
import { phantomCase, truthMarginViolations, voxelStructureIds } from './testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from './types';

/**
 * The cone-beam phantom (smaller field of view, the body truncated): the
 * planner still keeps every margin against the ground truth, and the
 * corridors the truncated grid cannot hold are explained, not thrown.
 */
describe('planner on the sacralAlaCbct phantom', () => {
  const { phantom, fields } = phantomCase('sacralAlaCbct', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1 });

  it('proposes no screw that violates a margin against the ground truth, and explains every corridor', () => {
    const all = plan.corridors.flatMap((c) => [...c.screws, ...c.parallelSet].map((s) => s.screw));
    expect(all.flatMap((s) => truthMarginViolations(phantom, s, DEFAULT_PLAN_SETTINGS.safetyMarginMm))).toEqual([]);
    for (const c of plan.corridors) expect(c.reason.length).toBeGreaterThan(10);
    if (process.env.PLANNER_DEBUG) console.log(plan.corridors.map((c) => `${c.corridorId} ${c.side}: ${c.reason}`).join('\n'));
  });
});
