import { describe, expect, it } from 'vitest';
import { emptyStructures, type CriticalStructures } from '../../core/anatomy/structures';
import { structureStateSchema } from '../../core/report/planSchema';
import { decisionsFromStates, reviewComplete, structureRows, toStructureStates, withoutStructure, withStructureFrom } from './structureReview';

const structures: CriticalStructures = {
  ...emptyStructures(),
  foramina: [{ id: 'foramenS1Left', centerLps: [10, 0, 0], axisLps: [0, -1, 0], radiusMm: 4, lengthMm: 10 }],
  sacralCanal: { id: 'sacralCanal', centerlineLps: [[0, 0, 0], [0, 0, 10]], radiusMm: 5 },
};

describe('structure review', () => {
  it('lists every expected structure: found, not found (said plainly), confirmed, absent', () => {
    const rows = structureRows(structures, new Map([['sacralCanal', 'confirmed'], ['foramenS4Right', 'absent']]));
    expect(rows).toHaveLength(17);
    const by = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(by['foramenS1Left']).toMatchObject({ state: 'found', name: 'S1 foramen left' });
    expect(by['sacralCanal']!.state).toBe('confirmed');
    expect(by['foramenS4Right']!.state).toBe('absent');
    expect(by['foramenS2Left']!.state).toBe('notFound');
    expect(by['foramenS2Left']!.detail).toMatch(/clearance to it cannot be checked/);
    expect(reviewComplete(rows)).toBe(false);
  });

  it('a hip joint the detection left out says why and what to do; one merely absent from the models says only that it was not found', () => {
    const withNote: CriticalStructures = { ...structures, notes: ['left femoral head not found: the sphere fitted to the left femur has a radius of 6 mm, not an adult head\'s 15-35 mm (the head cut by the field of view?); add the left hip joint by hand'] };
    const rows = structureRows(withNote, new Map());
    const left = rows.find((r) => r.id === 'jointLeft')!;
    expect(left.state).toBe('notFound');
    expect(left.detail).toBe('not found: the sphere fitted to the left femur has a radius of 6 mm, not an adult head\'s 15-35 mm (the head cut by the field of view?); add the left hip joint by hand; clearance to it cannot be checked');
    expect(rows.find((r) => r.id === 'jointRight')!.detail).toBe('not found: clearance to it cannot be checked');
    expect(rows.find((r) => r.id === 'foramenS2Left')!.detail).toBe('not found: clearance to it cannot be checked');
  });

  it('a hip joint fitted to a femur carved out by a sphere (the bone note of that side) is held back from "Confirm all found" and says why', () => {
    const joint = (side: 'left' | 'right') => ({ id: side === 'left' ? 'jointLeft' as const : 'jointRight' as const, side, centerLps: [side === 'left' ? 80 : -80, -140, 120] as [number, number, number], radiusMm: 22, capAxisLps: [0, 0, 1] as [number, number, number], capHalfAngleDeg: 80, rmsResidualMm: 1 });
    const withJoints: CriticalStructures = { ...structures, joints: [joint('left'), joint('right')] };
    const boneNotes = ['right femoral head fused to the acetabulum: carved out by its sphere (radius 22 mm), 96 mL with the neck', 'bone threshold 106'];
    const rows = structureRows(withJoints, new Map(), boneNotes);
    const right = rows.find((r) => r.id === 'jointRight')!;
    expect(right).toMatchObject({ state: 'found', checkEach: true });
    expect(right.detail).toMatch(/a centimetre off the head/);
    expect(rows.find((r) => r.id === 'jointLeft')).toMatchObject({ state: 'found', checkEach: false, detail: 'found: check it' });
    expect(rows.filter((r) => r.checkEach).map((r) => r.id)).toEqual(['jointRight']);
    // Once confirmed (or edited) it is reviewed like any other row.
    expect(structureRows(withJoints, new Map([['jointRight', 'confirmed']]), boneNotes).find((r) => r.id === 'jointRight')).toMatchObject({ state: 'confirmed', checkEach: false });
  });

  it('cannot confirm a structure that was not found', () => {
    const rows = structureRows(structures, new Map([['foramenS2Left', 'confirmed']]));
    expect(rows.find((r) => r.id === 'foramenS2Left')!.state).toBe('notFound');
  });

  it('an edited structure counts as reviewed, is written as "edited" and read back as such', () => {
    const rows = structureRows(structures, new Map([['foramenS1Left', 'edited']]));
    const row = rows.find((r) => r.id === 'foramenS1Left')!;
    expect(row.state).toBe('edited');
    const states = toStructureStates(rows, 'Dr A');
    const st = states.find((x) => x.id === 'foramenS1Left')!;
    expect(structureStateSchema.parse(st).status).toBe('edited');
    expect(st.reviewedBy).toBe('Dr A');
    expect(decisionsFromStates(states).get('foramenS1Left')).toBe('edited');
    // Without a model, "edited" does not hide that it is missing.
    expect(structureRows(structures, new Map([['foramenS2Left', 'edited']])).find((r) => r.id === 'foramenS2Left')!.state).toBe('notFound');
  });

  it('writes valid plan-file review states and reads them back', () => {
    const decisions = new Map([['sacralCanal', 'confirmed'], ['foramenS4Right', 'absent']] as const);
    const states = toStructureStates(structureRows(structures, new Map(decisions)), 'Dr A');
    for (const s of states) expect(structureStateSchema.safeParse(s).success).toBe(true);
    expect(states.find((s) => s.id === 'sacralCanal')).toMatchObject({ status: 'confirmed', reviewedBy: 'Dr A', labelValue: 8 });
    expect(states.find((s) => s.id === 'foramenS1Left')).toMatchObject({ status: 'automatic', reviewedBy: null });
    expect(states.some((s) => s.id === 'foramenS2Left')).toBe(false);
    expect(decisionsFromStates(states)).toEqual(new Map(decisions));
  });

  it('removes a structure the user marks absent from the models', () => {
    const s = withoutStructure(structures, 'foramenS1Left');
    expect(s.foramina).toHaveLength(0);
    expect(s.sacralCanal).not.toBeNull();
    expect(s.notes.at(-1)).toMatch(/S1 foramen left marked absent/);
    const back = withStructureFrom(s, structures, 'foramenS1Left');
    expect(back.foramina).toEqual(structures.foramina);
    expect(back.notes).toEqual(structures.notes);
    const canalBack = withStructureFrom(withoutStructure(structures, 'sacralCanal'), structures, 'sacralCanal');
    expect(canalBack.sacralCanal).toEqual(structures.sacralCanal);
  });
});
