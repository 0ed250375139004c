import { describe, expect, it } from 'vitest';
import { LABELS } from '../shared/ids';
import { createVolumeGeometry, lpsToIjk } from '../volume/VolumeGeometry';
import { JOINT_DISPLAY_LABELS, rasterizeStructures } from './rasterizeStructures';
import { emptyStructures, type CriticalStructures } from './structures';

const geometry = createVolumeGeometry({ dims: [60, 60, 40], spacingMm: [0.5, 0.5, 1], originLps: [-15, -15, -20] });

function count(v: Uint8Array, label: number): number {
  let n = 0;
  for (let t = 0; t < v.length; t++) if (v[t] === label) n++;
  return n;
}

function at(v: Uint8Array, p: [number, number, number]): number {
  const ijk = lpsToIjk([0, 0, 0], geometry, p).map(Math.round) as [number, number, number];
  return v[ijk[0] + 60 * (ijk[1] + 60 * ijk[2])]!;
}

describe('rasterizeStructures', () => {
  it('fills a foramen channel with its label, about the capsule volume, nothing outside', () => {
    const s: CriticalStructures = {
      ...emptyStructures(),
      foramina: [{ id: 'foramenS2Left', centerLps: [0, 5, 0], axisLps: [0, 1, 0], radiusMm: 3, lengthMm: 10 }],
    };
    const v = rasterizeStructures(geometry, s);
    const n = count(v, LABELS.foramenS2Left);
    const mm3 = n * 0.5 * 0.5 * 1;
    const exact = Math.PI * 9 * 10 + (4 / 3) * Math.PI * 27;
    expect(mm3 / exact).toBeGreaterThan(0.9);
    expect(mm3 / exact).toBeLessThan(1.1);
    expect(at(v, [0, 0, 0])).toBe(LABELS.foramenS2Left);
    expect(at(v, [0, -5, 0])).toBe(LABELS.foramenS2Left);
    expect(at(v, [5, 0, 0])).toBe(0);
    expect(at(v, [0, 10, 0])).toBe(0);
  });

  it('draws roots along their polyline and the canal under them', () => {
    const s: CriticalStructures = {
      ...emptyStructures(),
      sacralCanal: { id: 'sacralCanal', centerlineLps: [[0, 0, -15], [0, 0, 15]], radiusMm: 4 },
      roots: [{ id: 'rootS1Right', centerlineLps: [[0, 0, 0], [-10, 0, 0], [-10, 10, 0]], radiusMm: 1.5 }],
    };
    const v = rasterizeStructures(geometry, s);
    expect(at(v, [0, 0, 10])).toBe(LABELS.sacralCanal);
    expect(at(v, [-7, 0, 0])).toBe(LABELS.rootS1Right);
    expect(at(v, [-10, 8, 0])).toBe(LABELS.rootS1Right);
    expect(at(v, [-5, 5, 0])).toBe(0);
  });

  it('draws only the articular cap of a joint, as a thin shell', () => {
    const s: CriticalStructures = {
      ...emptyStructures(),
      joints: [{ id: 'jointLeft', side: 'left', centerLps: [0, 0, 0], radiusMm: 10, capAxisLps: [0, 0, 1], capHalfAngleDeg: 60, rmsResidualMm: 0.2 }],
    };
    const v = rasterizeStructures(geometry, s);
    expect(at(v, [0, 0, 10])).toBe(JOINT_DISPLAY_LABELS.jointLeft);
    expect(at(v, [0, 0, 0])).toBe(0);
    expect(at(v, [0, 0, -10])).toBe(0);
    expect(count(v, JOINT_DISPLAY_LABELS.jointLeft)).toBeGreaterThan(100);
  });

  it('clears the output buffer it is given', () => {
    const out = new Uint8Array(60 * 60 * 40).fill(7);
    rasterizeStructures(geometry, emptyStructures(), out);
    expect(count(out, 0)).toBe(out.length);
  });
});
