import { describe, expect, it } from 'vitest';
import type { CriticalStructures } from '../../core/anatomy/structures';
import { structureHandles } from './structureEditor';

const models: CriticalStructures = {
  foramina: [{ id: 'foramenS1Right', centerLps: [-24, 3.3, -24], axisLps: [0, -1, 0], radiusMm: 5.6, lengthMm: 15 }],
  sacralCanal: { id: 'sacralCanal', centerlineLps: [[0, 20, 0], [0, 22, -20], [0, 25, -40]], radiusMm: 6 },
  roots: [{ id: 'rootS1Left', centerlineLps: [[10, 10, -20], [24, 0, -26]], radiusMm: 2.5 }],
  joints: [{ id: 'jointLeft', side: 'left', centerLps: [90, 0, -80], radiusMm: 24, capAxisLps: [0, 0, 1], capHalfAngleDeg: 70, rmsResidualMm: 0.3 }],
  notes: [],
};

describe('structure handles', () => {
  it('a foramen or joint has one handle at its centre with its radius', () => {
    expect(structureHandles(models, 'foramenS1Right')).toEqual([{ handleId: 'foramenS1Right', label: 'S1 foramen right centre', pointLps: [-24, 3.3, -24], radiusMm: 5.6 }]);
    expect(structureHandles(models, 'jointLeft')).toEqual([{ handleId: 'jointLeft', label: 'Hip joint left centre', pointLps: [90, 0, -80], radiusMm: 24 }]);
  });

  it('a root or the canal has one handle per centreline point, numbered from the canal', () => {
    const canal = structureHandles(models, 'sacralCanal');
    expect(canal.map((h) => h.handleId)).toEqual(['sacralCanal#0', 'sacralCanal#1', 'sacralCanal#2']);
    expect(canal[1]!.pointLps).toEqual([0, 22, -20]);
    expect(structureHandles(models, 'rootS1Left').map((h) => [h.handleId, h.label, h.radiusMm])).toEqual([
      ['rootS1Left#0', 'S1 root left point 1', 2.5],
      ['rootS1Left#1', 'S1 root left point 2', 2.5],
    ]);
  });

  it('no model, no handle; the handles are copies (dragging them cannot change the models)', () => {
    expect(structureHandles(models, 'foramenS2Left')).toEqual([]);
    expect(structureHandles(models, 'rootL5Right')).toEqual([]);
    const h = structureHandles(models, 'foramenS1Right')[0]!;
    h.pointLps[0] = 99;
    expect(models.foramina[0]!.centerLps[0]).toBe(-24);
  });
});
