import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../volume/VolumeGeometry';
import { BONE_BRUSH_REACH_MM, createLabelHistory, editLabelDelta, paintBone } from './labelEdits';

/**
 * The bone brush on a small hand-made label grid (1 mm voxels, 60 x 30 x 20): a sacrum block on
 * the left half, a right hip block with a 4-voxel gap (the joint) between them, a lesion inside
 * the sacrum and a foramen voxel column, so every rule can be seen voxel by voxel.
 */
function grid(): Volume<Uint8Array> {
  const dims: [number, number, number] = [60, 30, 20];
  const g = createVolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [-20, -15, -10], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const v = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 5; k < 15; k++) for (let j = 5; j < 25; j++) for (let i = 0; i < 60; i++) {
    const t = i + 60 * (j + 30 * k);
    if (i >= 4 && i < 18) v[t] = LABELS.sacrum;
    else if (i >= 22 && i < 36) v[t] = LABELS.hipRight;
  }
  for (let k = 8; k < 12; k++) for (let j = 12; j < 16; j++) for (let i = 8; i < 12; i++) v[i + 60 * (j + 30 * k)] = LABELS.lesion;
  for (let k = 0; k < 20; k++) v[14 + 60 * (3 + 30 * k)] = LABELS.foramenS1Left;
  return createVolume('bone-brush', 'label', g, v);
}

const at = (labels: Volume<Uint8Array>, i: number, j: number, k: number): Vec3 => ijkToLps([0, 0, 0], labels.geometry, [i, j, k]);
const count = (v: Uint8Array, label: number): number => v.reduce((n, x) => n + (x === label ? 1 : 0), 0);

describe('bone brush (paintBone)', () => {
  it('extends the nearest bone part over background only: never the lesion, a structure or the other part', () => {
    const labels = grid();
    const before = labels.voxels.slice();
    // Centred in the joint gap, 1 voxel nearer the sacrum (its last column is i = 17, the hip's first i = 22).
    const res = paintBone(labels, at(labels, 19, 15, 10), 3, 'add', BONE_LABELS);
    expect(res.partLabel).toBe(LABELS.sacrum);
    expect(res.edit.indices.length).toBeGreaterThan(0);
    for (let n = 0; n < res.edit.indices.length; n++) {
      expect(res.edit.before[n]).toBe(0);
      expect(res.edit.after[n]).toBe(LABELS.sacrum);
    }
    // Nothing else changed: the hip, the lesion and the foramen keep every voxel.
    for (const label of [LABELS.hipRight, LABELS.lesion, LABELS.foramenS1Left]) expect(count(labels.voxels, label)).toBe(count(before, label));
    expect(count(labels.voxels, LABELS.sacrum)).toBe(count(before, LABELS.sacrum) + res.edit.indices.length);
    expect(res.changedByPart).toEqual(new Map([[LABELS.sacrum, res.edit.indices.length]]));
    expect(labels.generation).toBe(1);
    // Nearer the hip (on a fresh grid): the hip grows.
    const other = grid();
    expect(paintBone(other, at(other, 21, 15, 10), 1, 'add', BONE_LABELS).partLabel).toBe(LABELS.hipRight);
  });

  it('paints over the lesion and a structure never, even centred on them', () => {
    const labels = grid();
    const res = paintBone(labels, at(labels, 10, 14, 10), 5, 'add', BONE_LABELS);
    for (const t of res.edit.indices) expect(grid().voxels[t]).toBe(0);
    expect(count(labels.voxels, LABELS.lesion)).toBe(64);
  });

  it('refuses with a message to act on when no bone is within reach, and changes nothing', () => {
    const labels = grid();
    const before = labels.voxels.slice();
    // Far right: the hip's last column is i = 35, 22 mm away (radius 2 + reach 10 = 12 mm).
    let error: unknown;
    try {
      paintBone(labels, at(labels, 57, 15, 10), 2, 'add', BONE_LABELS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlannerError);
    expect((error as PlannerError).code).toBe('segmentation/bad-seed');
    expect((error as PlannerError).message).toMatch(new RegExp(`no bone within ${BONE_BRUSH_REACH_MM} mm.*start painting next to the bone`));
    expect(labels.voxels).toEqual(before);
  });

  it('erases every bone part in the sphere to background, never the lesion or a structure', () => {
    const labels = grid();
    const before = labels.voxels.slice();
    const res = paintBone(labels, at(labels, 20, 10, 10), 6, 'erase', BONE_LABELS);
    expect(res.partLabel).toBeNull();
    expect(res.changedByPart.get(LABELS.sacrum)).toBeLessThan(0);
    expect(res.changedByPart.get(LABELS.hipRight)).toBeLessThan(0);
    for (let n = 0; n < res.edit.indices.length; n++) {
      expect(BONE_LABELS).toContain(res.edit.before[n]);
      expect(res.edit.after[n]).toBe(0);
    }
    expect(count(labels.voxels, LABELS.foramenS1Left)).toBe(count(before, LABELS.foramenS1Left));
    expect(count(labels.voxels, LABELS.lesion)).toBe(count(before, LABELS.lesion));
  });

  it('is one undo step; editLabelDelta gives the change per label both ways', () => {
    const labels = grid();
    const before = labels.voxels.slice();
    const history = createLabelHistory(labels);
    const res = paintBone(labels, at(labels, 19, 15, 10), 3, 'add', BONE_LABELS);
    history.push(res.edit);
    const n = res.edit.indices.length;
    expect(editLabelDelta(res.edit, 1)).toEqual(new Map([[0, -n], [LABELS.sacrum, n]]));
    expect(editLabelDelta(res.edit, -1)).toEqual(new Map([[0, n], [LABELS.sacrum, -n]]));
    expect(history.undo()).toBe(res.edit);
    expect(labels.voxels).toEqual(before);
  });
});
