import { describe, expect, it } from 'vitest';
import { JOINT_DISPLAY_LABELS } from '../core/anatomy/rasterizeStructures';
import { BONE_LABELS, LABELS } from '../core/shared/ids';
import { createVolume } from '../core/volume/Volume';
import { createVolumeGeometry } from '../core/volume/VolumeGeometry';
import { createFakeViewer } from './createFakeViewer';
import { DEFAULT_LABEL_STYLE, LABEL_GROUP_VALUES, LABEL_GROUPS, labelColorTable, mergeLabelStyle } from './labelColors';

describe('label colours', () => {
  it('colours every label value we write, each group in one colour, background transparent', () => {
    const table = labelColorTable();
    expect(table).toHaveLength(256);
    expect(table[0]).toEqual([0, 0, 0, 0]);
    const values = new Set<number>();
    for (const g of LABEL_GROUPS) for (const v of LABEL_GROUP_VALUES[g]) values.add(v);
    for (const v of Object.values(LABELS)) if (v !== 0) expect(values.has(v)).toBe(true);
    expect(values.has(JOINT_DISPLAY_LABELS.jointLeft)).toBe(true);
    // The lesion is opaque and differs from every other group; bone is faint.
    const lesion = table[LABELS.lesion]!;
    expect(lesion[3]).toBe(255);
    for (const g of LABEL_GROUPS) if (g !== 'lesion') expect(table[LABEL_GROUP_VALUES[g][0]!]!.slice(0, 3)).not.toEqual(lesion.slice(0, 3));
    for (const b of BONE_LABELS) expect(table[b]![3]).toBeLessThan(128);
  });

  it('bone is off and the lesion on by default; a style patch merges and clamps', () => {
    expect(DEFAULT_LABEL_STYLE.visible.bone).toBe(false);
    expect(DEFAULT_LABEL_STYLE.visible.lesion).toBe(true);
    const s = mergeLabelStyle(DEFAULT_LABEL_STYLE, { opacity: 3, visible: { ...DEFAULT_LABEL_STYLE.visible, bone: true } });
    expect(s.opacity).toBe(1);
    expect(s.visible).toEqual({ ...DEFAULT_LABEL_STYLE.visible, bone: true });
  });
});

describe('fake viewer labels (same contract as the Cornerstone overlay)', () => {
  const geometry = createVolumeGeometry({ dims: [8, 8, 4], spacingMm: [1, 1, 2], originLps: [0, 0, 0] });
  const info = { seriesUid: '1', patientName: '', patientId: '', studyDate: '', seriesDescription: '', modality: 'CT', gridText: '' };

  it('shows labels on the grid of the volume shown, refreshes the same ones, refuses another grid', async () => {
    const v = createFakeViewer();
    await v.showVolume(createVolume('ct', 'ct', geometry, new Int16Array(256)), info);
    const labels = createVolume('labels', 'label', geometry, new Uint8Array(256));
    v.showLabels(labels);
    v.refreshLabels();
    v.showLabels(labels);
    expect(v.labels()).toMatchObject({ volume: labels, refreshes: 2 });
    const other = createVolume('other', 'label', createVolumeGeometry({ dims: [4, 4, 4], spacingMm: [1, 1, 1], originLps: [0, 0, 0] }), new Uint8Array(64));
    expect(() => v.showLabels(other)).toThrow(/grid/);
    v.clearVolume();
    expect(v.labels().volume).toBeNull();
    v.dispose();
  });
});
