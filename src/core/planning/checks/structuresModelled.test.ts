import { describe, expect, it } from 'vitest';
import type { FieldSet } from '../../fields/FieldSet';
import { structureLabel } from '../../report/format';
import { STRUCTURE_IDS, type StructureId } from '../../shared/ids';
import { resolveCorridor } from '../corridors';
import { createPlannerEngine } from '../plannerEngine';
import { phantomCase, voxelStructureIds } from '../testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS, type RankedScrew, type ScrewEvaluation, type StructuresWithoutModel } from '../types';
import { checkStructuresModelled, createEvaluationContext, evaluateScrew, passesExceptModelling } from './index';

/**
 * Rule structuresModelled: a screw whose corridor is limited by a structure with no model (no
 * distance field) fails, naming it, unless the user marked it absent; fully modelled: no row.
 * On the sacralAla phantom (every structure modelled from the truth) with fields taken away.
 */
const { fields: full } = phantomCase('sacralAla', 'small');
const without = (ids: StructureId[]): FieldSet => {
  const structures = { ...full.structures };
  for (const id of ids) delete structures[id];
  return { ...full, structures, generation: full.generation + 100 };
};

/** The best iliosacral S1 left screw the planner proposes on the fully modelled phantom. */
const fullEngine = createPlannerEngine();
fullEngine.loadFields({ fields: full, voxelStructureIds: voxelStructureIds(full) });
function isS1Left(): RankedScrew {
  const o = fullEngine.searchCorridors({ generation: 1, corridors: [{ corridorId: 'iliosacralS1', side: 'left' }] })[0]!;
  expect(o.available, o.reason).toBe(true);
  return o.screws[0]!;
}
const best = isS1Left();
/** The live check as the engine runs it (its grid: bone depth with the SI gaps closed), on `fields`' structures. */
const evalWith = (fields: FieldSet, status?: StructuresWithoutModel): ScrewEvaluation =>
  evaluateScrew(createEvaluationContext(fields, DEFAULT_PLAN_SETTINGS, fullEngine.currentGrid(), voxelStructureIds(full), undefined, status), best.screw);
const rows = (e: ScrewEvaluation) => e.checks.filter((c) => c.rule === 'structuresModelled');

describe('structuresModelled', () => {
  it('every limiting structure modelled: no row, the evaluation is the one without the rule', () => {
    const e = evalWith(full);
    expect(rows(e)).toEqual([]);
    expect(e.ok).toBe(true);
    expect(e.checks).toEqual(best.evaluation.checks);
  });

  it('a limiting structure not found FAILS, naming it and what to do; the other checks are unchanged', () => {
    for (const status of [undefined, { foramenS1Left: 'notFound' } as StructuresWithoutModel]) {
      const e = evalWith(without(['foramenS1Left']), status);
      const r = rows(e);
      expect(r).toHaveLength(1);
      expect(r[0]!.ok).toBe(false);
      expect(r[0]!.structureId).toBe('foramenS1Left');
      expect(r[0]!.detail).toBe('Clearance NOT checked to S1 foramen, left (not found on this CT). Find it on the images and add it in Segmentation, or override with a reason.');
      expect(e.ok).toBe(false);
      expect(passesExceptModelling(e.checks)).toBe(true);
      // Everything else as with the model, minus the clearance that could not be measured.
      const others = e.checks.filter((c) => c.rule !== 'structuresModelled');
      expect(others).toEqual(best.evaluation.checks.filter((c) => !(c.rule === 'clearance' && c.structureId === 'foramenS1Left')));
    }
  });

  it('a limiting structure marked absent by the user passes and says so; one row per structure, in corridor order', () => {
    const ids: StructureId[] = ['foramenS1Left', 'rootL5Left', 'sacralCanal'];
    const e = evalWith(without(ids), { foramenS1Left: 'absent', rootL5Left: 'notFound', sacralCanal: 'absent' });
    const r = rows(e);
    expect(r.map((c) => [c.structureId, c.ok])).toEqual([['foramenS1Left', true], ['rootL5Left', false], ['sacralCanal', true]]);
    expect(r[0]!.detail).toBe('Clearance not checked to S1 foramen, left: marked absent by the user.');
    expect(e.ok).toBe(false); // the L5 root is still missing
    const allAbsent = evalWith(without(ids), { foramenS1Left: 'absent', rootL5Left: 'absent', sacralCanal: 'absent' });
    expect(rows(allAbsent).every((c) => c.ok)).toBe(true);
    expect(allAbsent.ok).toBe(true);
  });

  it('a structure the plan says is modelled but that has no field here still fails (plan and fields out of step)', () => {
    const e = evalWith(without(['rootS1Left']), { foramenS3Left: 'notFound' });
    const r = rows(e);
    expect(r.map((c) => [c.structureId, c.ok])).toEqual([['rootS1Left', false]]);
    expect(r[0]!.detail).toMatch(/^Clearance NOT checked to S1 root, left \(its model gave no distance field on this CT\)/);
  });

  it('structures that do not limit the corridor are not its business', () => {
    const e = evalWith(without(['foramenS4Right', 'foramenS2Right', 'jointRight']));
    expect(rows(e)).toEqual([]);
    expect(checkStructuresModelled(without(['jointLeft']), resolveCorridor('supraAcetabular', 'left').limiting, undefined).map((c) => c.structureId)).toEqual(['jointLeft']);
    expect(checkStructuresModelled(without(['jointLeft']), resolveCorridor('supraAcetabular', 'right').limiting, undefined)).toEqual([]);
  });

  it('names each structure as the report does', () => {
    for (const id of STRUCTURE_IDS) {
      const [row] = checkStructuresModelled(without([id]), [id], undefined);
      expect(row!.detail).toContain(`Clearance NOT checked to ${structureLabel(id)} (`);
    }
    expect(structureLabel('foramenS1Left')).toBe('S1 foramen, left');
    expect(structureLabel('sacralCanal')).toBe('Sacral canal');
  });
});

describe('the search proposes screws whose only failure is a structure without a model', () => {
  const fields = without(['foramenS1Left']);
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const corridors = [{ corridorId: 'iliosacralS1' as const, side: 'left' as const }, { corridorId: 'iliosacralS2' as const, side: 'right' as const }];
  const notFound = engine.plan({ generation: 1, corridors, structuresWithoutModel: { foramenS1Left: 'notFound' } });
  const absent = engine.plan({ generation: 2, corridors, structuresWithoutModel: { foramenS1Left: 'absent' } });

  it('offers the S1 screw, failed on the missing foramen only; the same screws when it is marked absent, then passing', () => {
    const o = notFound.corridors[0]!;
    expect(o.available, o.reason).toBe(true);
    for (const r of o.screws) {
      expect(r.evaluation.ok).toBe(false);
      expect(r.evaluation.checks.filter((c) => !c.ok).map((c) => [c.rule, c.structureId])).toEqual([['structuresModelled', 'foramenS1Left']]);
    }
    const a = absent.corridors[0]!;
    expect(a.screws.map((r) => [r.screw, r.score])).toEqual(o.screws.map((r) => [r.screw, r.score]));
    for (const r of a.screws) expect(r.evaluation.ok).toBe(true);
    // In the plan too: the failed screw is not dropped.
    expect(notFound.screws.map((r) => r.screw.id)).toEqual(absent.screws.map((r) => r.screw.id));
    expect(notFound.screws.some((r) => r.screw.corridorId === 'iliosacralS1' && !r.evaluation.ok)).toBe(true);
  });

  it('a corridor the missing structure does not limit is untouched', () => {
    expect(notFound.corridors[1]).toEqual(absent.corridors[1]);
    for (const r of notFound.corridors[1]!.screws) expect(r.evaluation.checks.some((c) => c.rule === 'structuresModelled')).toBe(false);
  });

  it('the live check takes the status from its request', () => {
    const s = notFound.corridors[0]!.screws[0]!.screw;
    const live = engine.checkScrew({ screw: s, structuresWithoutModel: { foramenS1Left: 'notFound' } });
    expect(live.ok).toBe(false);
    expect(engine.checkScrew({ screw: s, structuresWithoutModel: { foramenS1Left: 'absent' } }).ok).toBe(true);
    expect(engine.checkScrew({ screw: s }).ok).toBe(false); // no status: not found (the safe side)
  });
});

describe('femoral neck without the hip joints: the parallel set is still proposed, failed on the joint', () => {
  const base = phantomCase('femoralNeck', 'small').fields;
  const structures = { ...base.structures };
  delete structures.jointLeft;
  delete structures.jointRight;
  const fields: FieldSet = { ...base, structures, generation: base.generation + 100 };
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const corridors = [{ corridorId: 'femoralNeck' as const, side: 'left' as const }, { corridorId: 'femoralNeck' as const, side: 'right' as const }];
  const notFound = engine.searchCorridors({ generation: 1, corridors, structuresWithoutModel: { jointLeft: 'notFound', jointRight: 'notFound' } });
  const absent = engine.searchCorridors({ generation: 2, corridors, structuresWithoutModel: { jointLeft: 'absent', jointRight: 'absent' } });

  it('same parallel set either way; each screw fails structuresModelled for its joint when not found', () => {
    const o = notFound.find((c) => c.parallelSet.length > 0);
    expect(o, notFound.map((c) => c.reason).join('\n')).toBeDefined();
    const a = absent.find((c) => c.side === o!.side)!;
    expect(o!.parallelSet.map((r) => r.screw)).toEqual(a.parallelSet.map((r) => r.screw));
    const joint = o!.side === 'left' ? 'jointLeft' : 'jointRight';
    for (const r of o!.parallelSet) expect(r.evaluation.checks.find((c) => c.rule === 'structuresModelled')).toMatchObject({ ok: false, structureId: joint });
    for (const r of a.parallelSet) expect(r.evaluation.checks.find((c) => c.rule === 'structuresModelled')).toMatchObject({ ok: true, structureId: joint });
  });
});
