import { describe, expect, it } from 'vitest';
import { emptyStructures } from '../../core/anatomy/structures';
import { structureTubes } from './structureTubes';

describe('structureTubes', () => {
  it('maps foramina to channels ending at the anterior opening, tubes and joint spheres', () => {
    const s = emptyStructures();
    s.foramina.push({ id: 'foramenS1Left', centerLps: [30, -10, 5], axisLps: [0, -1, 0], radiusMm: 4, lengthMm: 12 });
    s.sacralCanal = { id: 'sacralCanal', centerlineLps: [[0, 20, 10], [0, 25, -30]], radiusMm: 6 };
    s.roots.push({ id: 'rootS1Left', centerlineLps: [[8, 27, 7], [24, 3, -24]], radiusMm: 3.5 });
    s.joints.push({ id: 'jointLeft', side: 'left', centerLps: [90, 0, -60], radiusMm: 24, capAxisLps: [0, 0, 1], capHalfAngleDeg: 70, rmsResidualMm: 0.3 });
    const tubes = structureTubes(s);
    expect(tubes.map((t) => [t.id, t.kind])).toEqual([
      ['foramenS1Left', 'foramen'], ['sacralCanal', 'canal'], ['rootS1Left', 'root'], ['jointLeft', 'joint'],
    ]);
    // The channel runs from 12 mm posterior of the opening (axis points anteriorly) to the opening.
    expect(tubes[0]!.centerlineLps).toEqual([[30, 2, 5], [30, -10, 5]]);
    expect(tubes[3]).toMatchObject({ centerlineLps: [[90, 0, -60]], radiusMm: 24 });
    expect(structureTubes(null)).toEqual([]);
  });
});
