import { describe, expect, it } from 'vitest';
import { LABELS } from '../shared/ids';
import { growLesion } from './growLesion';
import { createLabelHistory, measureLabel, paintSphere } from './labelEdits';
import { segmentBone } from './segmentBone';
import { dice, makeSyntheticPelvis } from './testing/syntheticPelvis';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';

describe('growLesion', () => {
  it('grows an enclosed lytic lesion from one click (Dice >= 0.9 vs the synthetic truth), with an undoable edit', () => {
    const lesion = { centerLps: [75, 20, 120] as [number, number, number], radiusMm: 12 };
    const { ct, labels: truth } = makeSyntheticPelvis({ noiseSigma: 12, spacingMm: [1.5, 1.5, 1.5], lesion });
    const seg = segmentBone(ct);
    // An earlier lesion elsewhere in the same bone: replaced (given back to the host bone).
    const earlier = paintSphere(seg.labels, [60, 20, 75], 4, { label: LABELS.lesion, mode: 'add' });
    expect(earlier.indices.length).toBeGreaterThan(10);
    const before = seg.labels.voxels.slice();
    const history = createLabelHistory(seg.labels);
    const res = growLesion(ct, seg.labels, { seedLps: [72, 22, 118] });
    history.push(res.edit);
    for (const t of earlier.indices) expect(seg.labels.voxels[t]).toBe(LABELS.hipLeft);
    expect(dice(seg.labels.voxels, LABELS.lesion, truth.voxels, LABELS.lesion)).toBeGreaterThan(0.9);
    // Nothing outside the bone.
    let outside = 0;
    for (let t = 0; t < truth.voxels.length; t++) if (seg.labels.voxels[t] === LABELS.lesion && truth.voxels[t] === 0) outside++;
    expect(outside).toBe(0);
    const expectedMl = (4 / 3) * Math.PI * 12 ** 3 / 1000;
    expect(res.measure!.volumeMl).toBeGreaterThan(0.85 * expectedMl);
    expect(res.measure!.volumeMl).toBeLessThan(1.15 * expectedMl);
    for (const d of res.measure!.diametersMm) expect(Math.abs(d - 24)).toBeLessThan(3);
    expect(res.windowGrey[1]).toBeGreaterThan(30);
    expect(res.windowGrey[1]).toBeLessThan(250);
    history.undo();
    expect(seg.labels.voxels).toEqual(before);
    history.redo();
    expect(measureLabel(seg.labels, LABELS.lesion)!.voxelCount).toBe(res.measure!.voxelCount);
    // Hang guard only (building and segmenting the synthetic pelvis takes minutes on a loaded machine).
  }, 600_000);

  it('rejects a seed in soft tissue and a seed in bright bone', () => {
    const { ct } = makeSyntheticPelvis({ noiseSigma: 5, spacingMm: [3, 3, 3] });
    const seg = segmentBone(ct);
    expect(() => growLesion(ct, seg.labels, { seedLps: [0, -60, 100] })).toThrow(/segmentation\/bad-seed/);
    expect(() => growLesion(ct, seg.labels, { seedLps: [0, 1000, 100] })).toThrow(/outside the/);
  });
});

describe('label edits', () => {
  const g = createVolumeGeometry({ dims: [40, 40, 40], spacingMm: [0.5, 0.5, 1], originLps: [-10, -10, -20] });

  it('paints and erases a sphere of radius mm, restoring the host label, with undo/redo', () => {
    const labels = createVolume('l', 'label', g, new Uint8Array(40 ** 3).fill(LABELS.sacrum));
    const h = createLabelHistory(labels);
    h.push(paintSphere(labels, [0, 0, 0], 4, { label: LABELS.lesion, mode: 'add' }));
    const m = measureLabel(labels, LABELS.lesion)!;
    expect(m.volumeMl * 1000).toBeGreaterThan(0.8 * (4 / 3) * Math.PI * 64);
    expect(m.volumeMl * 1000).toBeLessThan(1.2 * (4 / 3) * Math.PI * 64);
    h.push(paintSphere(labels, [0, 0, 0], 2, { label: LABELS.lesion, mode: 'erase' }));
    expect(labels.voxels[20 + 40 * (20 + 40 * 20)]).toBe(LABELS.sacrum);
    expect(h.depth).toEqual({ undo: 2, redo: 0 });
    h.undo();
    expect(labels.voxels[20 + 40 * (20 + 40 * 20)]).toBe(LABELS.lesion);
    h.undo();
    expect(measureLabel(labels, LABELS.lesion)).toBeNull();
    h.redo();
    expect(measureLabel(labels, LABELS.lesion)!.voxelCount).toBe(m.voxelCount);
    expect(() => paintSphere(labels, [0, 0, 0], 0, { label: 7, mode: 'add' })).toThrow(/radius/);
  });

  it('measures the principal diameters of an ellipsoid', () => {
    const v = new Uint8Array(40 ** 3);
    for (let k = 0; k < 40; k++) for (let j = 0; j < 40; j++) for (let i = 0; i < 40; i++) {
      const x = -10 + 0.5 * i, y = -10 + 0.5 * j, z = -20 + k;
      // Axes 16 x 8 x 4 mm, rotated 45 degrees in the x-y plane.
      const u = (x + y) / Math.SQRT2, w = (x - y) / Math.SQRT2;
      if ((u / 8) ** 2 + (w / 4) ** 2 + (z / 2) ** 2 <= 1) v[i + 40 * (j + 40 * k)] = 7;
    }
    const m = measureLabel(createVolume('e', 'label', g, v), 7)!;
    expect(m.diametersMm[0]).toBeCloseTo(16, 0);
    expect(Math.abs(m.diametersMm[1] - 8)).toBeLessThan(1);
    expect(Math.abs(m.diametersMm[2] - 4)).toBeLessThan(1.1);
    expect(Math.abs(Math.abs(m.axesLps[0][0]) - Math.SQRT1_2)).toBeLessThan(0.02);
  });
});
