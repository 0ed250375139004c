import { describe, expect, it } from 'vitest';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';
import { closedBoneDepth } from './jointClosing';
import { phantomCase } from './testing/phantomFields';

describe('closedBoneDepth', () => {
  const { phantom, fields } = phantomCase('sacralAla', 'small');
  const full = closedBoneDepth(fields, 6, { localBoxes: false });
  const local = closedBoneDepth(fields, 6);

  it('closes the sacroiliac gap: the truth S1 axis is deep in bone across the joint where the plain depth is not', () => {
    const c = phantom.truth.corridors.find((t) => t.id === 'iliosacralS1' && t.side === 'left')!;
    const a = c.axisStartLps, b = c.axisEndLps;
    let minPlain = Infinity, minClosed = Infinity;
    for (let t = 0.2; t <= 0.8; t += 0.01) {
      const p: [number, number, number] = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t];
      minPlain = Math.min(minPlain, sampleTrilinearLps(fields.boneDepth, p, -1e3));
      const v = sampleTrilinearLps(local, p, -1e3);
      minClosed = Math.min(minClosed, v);
      expect(Math.abs(v - sampleTrilinearLps(full, p, -1e3))).toBeLessThan(1e-3); // local boxes = whole-grid EDT here
    }
    expect(minPlain).toBeLessThan(1); // the gap
    expect(minClosed).toBeGreaterThan(5); // the 13 mm corridor
  });

  it('local boxes never claim more depth than the whole-grid closing, and leave other joints and holes open', () => {
    let deeper = 0;
    for (let v = 0; v < full.voxels.length; v++) if (local.voxels[v]! > full.voxels[v]! + 1e-4) deeper++;
    expect(deeper).toBe(0);
    // The canal and the foramina stay outside bone.
    const canal = phantom.truth.sacralCanal.centerlineLps[4]!;
    expect(sampleTrilinearLps(local, canal, -1e3)).toBeLessThan(0);
    const head = phantom.truth.femoralHeads[0]!;
    const jointPoint: [number, number, number] = [head.centerLps[0], head.centerLps[1], head.centerLps[2] + head.radiusMm + 1.5];
    expect(sampleTrilinearLps(local, jointPoint, -1e3)).toBeLessThanOrEqual(sampleTrilinearLps(fields.boneDepth, jointPoint, -1e3) + 1e-4);
  });
});
