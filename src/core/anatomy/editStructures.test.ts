import { describe, expect, it } from 'vitest';
import { criticalStructuresSchema } from '../report/planSchema';
import { errorCodeOf } from '../shared/errors';
import { addForamen, moveCenterlinePoint, moveStructureCentre, setRootCenterline, setStructureRadius, structureRadiusMm } from './editStructures';
import type { CriticalStructures } from './structures';

function base(): CriticalStructures {
  return {
    foramina: [{ id: 'foramenS1Right', centerLps: [-24, 3.3, -24], axisLps: [-0.344, -0.771, -0.535], radiusMm: 5.6, lengthMm: 15 }],
    sacralCanal: { id: 'sacralCanal', centerlineLps: [[0, 20, 0], [0, 25, -40]], radiusMm: 6 },
    roots: [{ id: 'rootS1Left', centerlineLps: [[10, 10, -20], [24, 0, -26]], radiusMm: 2.5 }],
    joints: [{ id: 'jointLeft', side: 'left', centerLps: [90, 0, -80], radiusMm: 24, capAxisLps: [0, 0, 1], capHalfAngleDeg: 70, rmsResidualMm: 0.3 }],
    notes: ['S1 foramen left marked absent by the user'],
  };
}

const valid = (s: CriticalStructures): void => void criticalStructuresSchema.parse(s);

describe('editStructures', () => {
  it('adds a missing foramen from its mirrored twin, and the result is a valid model', () => {
    const s = base();
    const next = addForamen(s, 'foramenS1Left', [24, 3.3, -24]);
    valid(next);
    const f = next.foramina.find((x) => x.id === 'foramenS1Left')!;
    expect(f.radiusMm).toBe(5.6);
    expect(f.lengthMm).toBe(15);
    expect(f.axisLps).toEqual([0.344, -0.771, -0.535]);
    expect(next.notes).toEqual([]);
    expect(s.foramina).toHaveLength(1); // input untouched
  });

  it('adds a foramen without a twin: 4 mm, straight anterior; a given radius wins', () => {
    const a = addForamen(base(), 'foramenS3Left', [18, 24, -64]);
    const f = a.foramina.find((x) => x.id === 'foramenS3Left')!;
    expect(f.radiusMm).toBe(4);
    expect(f.axisLps).toEqual([0, -1, 0]);
    expect(addForamen(base(), 'foramenS3Left', [18, 24, -64], 3.6).foramina.find((x) => x.id === 'foramenS3Left')!.radiusMm).toBe(3.6);
    valid(a);
  });

  it('moves a foramen or joint centre, and refuses a tube', () => {
    const s = moveStructureCentre(base(), 'jointLeft', [91, 1, -79]);
    expect(s.joints[0]!.centerLps).toEqual([91, 1, -79]);
    const t = moveStructureCentre(s, 'foramenS1Right', [-25, 3, -24]);
    expect(t.foramina[0]!.centerLps).toEqual([-25, 3, -24]);
    valid(t);
    expect(() => moveStructureCentre(base(), 'rootS1Left', [0, 0, 0])).toThrow(/no centre/);
    expect(errorCodeOf((() => { try { moveStructureCentre(base(), 'foramenS1Right', [NaN, 0, 0]); } catch (e) { return e; } })())).toBe('planning/bad-input');
  });

  it('moves one centreline point of a root or the canal, keeps the rest, refuses a fold or a bad index', () => {
    const s = base();
    const r = moveCenterlinePoint(s, 'rootS1Left', 1, [25, -2, -27]);
    expect(r.roots[0]!.centerlineLps).toEqual([[10, 10, -20], [25, -2, -27]]);
    expect(r.roots[0]!.radiusMm).toBe(2.5);
    expect(s.roots[0]!.centerlineLps[1]).toEqual([24, 0, -26]); // input untouched
    const c = moveCenterlinePoint(r, 'sacralCanal', 0, [1, 21, 0]);
    expect(c.sacralCanal!.centerlineLps).toEqual([[1, 21, 0], [0, 25, -40]]);
    valid(c);
    expect(() => moveCenterlinePoint(s, 'rootS1Left', 1, [10.2, 10, -20])).toThrow(/neighbour/);
    expect(() => moveCenterlinePoint(s, 'rootS1Left', 2, [0, 0, 0])).toThrow(/no centreline point 2/);
    expect(() => moveCenterlinePoint(s, 'rootL5Right', 0, [0, 0, 0])).toThrow(/no model/);
    expect(() => moveCenterlinePoint(s, 'rootS1Left', 0, [Number.NaN, 0, 0])).toThrow(/valid point/);
  });

  it('sets a radius on every kind, and refuses an absent model or a silly radius', () => {
    let s = base();
    for (const id of ['foramenS1Right', 'sacralCanal', 'rootS1Left', 'jointLeft'] as const) {
      s = setStructureRadius(s, id, 3.25);
      expect(structureRadiusMm(s, id)).toBe(3.25);
    }
    valid(s);
    expect(() => setStructureRadius(base(), 'rootL5Right', 2)).toThrow(/no model/);
    expect(() => setStructureRadius(base(), 'rootS1Left', 0)).toThrow(/outside/);
    expect(() => setStructureRadius(base(), 'rootS1Left', Number.NaN)).toThrow(/outside/);
  });

  it('redraws a root through distinct clicks, keeping its radius; needs two points', () => {
    const s = setRootCenterline(base(), 'rootS1Left', [[5, 12, -18], [5, 12, -18.1], [15, 6, -22], [24, 0, -27]]);
    const r = s.roots.find((x) => x.id === 'rootS1Left')!;
    expect(r.centerlineLps).toHaveLength(3);
    expect(r.radiusMm).toBe(2.5);
    valid(s);
    expect(setRootCenterline(base(), 'rootS2Right', [[0, 0, 0], [0, 0, 5]]).roots.find((x) => x.id === 'rootS2Right')!.radiusMm).toBe(2);
    expect(() => setRootCenterline(base(), 'rootS1Left', [[1, 1, 1], [1, 1, 1.2]])).toThrow(/two distinct/);
  });
});
