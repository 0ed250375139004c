import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LABELS } from '../shared/ids';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import type { CriticalStructures } from '../anatomy/structures';
import dcmjs from 'dcmjs';
import { readDicomSeg, writeDicomSeg } from './dicomSeg';

function sampleLabels() {
  // Oblique, anisotropic grid whose row length is not a multiple of 8 (frames are bit-packed across byte edges).
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const g = createVolumeGeometry({ dims: [37, 29, 21], spacingMm: [0.8, 0.9, 2.5], originLps: [-15, -12, 40], direction: [c, s, 0, -s, c, 0, 0, 0, 1] });
  const v = new Uint8Array(37 * 29 * 21);
  for (let k = 0; k < 21; k++) for (let j = 0; j < 29; j++) for (let i = 0; i < 37; i++) {
    const t = i + 37 * (j + 29 * k);
    if (Math.hypot(i - 18, j - 14, (k - 10) * 3) < 12) v[t] = LABELS.sacrum;
    if (Math.hypot(i - 22, j - 14, (k - 10) * 3) < 5) v[t] = LABELS.lesion;
    if (i < 5 && k > 3) v[t] = LABELS.hipLeft;
  }
  return createVolume('labels', 'label', g, v);
}

const structures: CriticalStructures = {
  foramina: [{ id: 'foramenS1Left', centerLps: [0, -5, 65], axisLps: [0, -1, 0], radiusMm: 3, lengthMm: 8 }],
  sacralCanal: { id: 'sacralCanal', centerlineLps: [[-2, 2, 50], [-2, 3, 80]], radiusMm: 2.5 },
  roots: [],
  joints: [],
  notes: [],
};

describe('DICOM SEG', () => {
  it('reads back our own labels identically, and passes dciodvfy without errors', () => {
    const labels = sampleLabels();
    const bytes = writeDicomSeg(labels, { uidSeed: 'test', patientName: 'Phantom^Pelvis', patientId: 'P1' });
    const back = readDicomSeg(bytes, labels.geometry);
    expect(back.notes).toEqual([]);
    expect(back.labels.voxels).toEqual(labels.voxels);
    expect(back.segments.map((s) => s.name)).toEqual(['sacrum', 'hipLeft', 'lesion']);
    const dir = mkdtempSync(join(tmpdir(), 'seg-'));
    try {
      const file = join(dir, 'seg.dcm');
      writeFileSync(file, bytes);
      // dciodvfy prints "Error - ..." lines for violations and exits non-zero; warnings are allowed.
      const combined = execFileSync('sh', ['-c', `/usr/bin/dciodvfy '${file}' 2>&1 || true`], { encoding: 'utf8' });
      expect(combined).not.toMatch(/^Error/m);
      expect(combined).toMatch(/Segmentation/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports structure tubes as their own segments, which import to their labels', () => {
    const labels = sampleLabels();
    const bytes = writeDicomSeg(labels, { structures, uidSeed: 's' });
    const back = readDicomSeg(bytes, labels.geometry);
    const names = back.segments.map((s) => s.name);
    expect(names).toContain('foramenS1Left');
    expect(names).toContain('sacralCanal');
    expect(back.labels.voxels.includes(LABELS.foramenS1Left)).toBe(true);
    expect(back.labels.voxels.includes(LABELS.sacralCanal)).toBe(true);
  });

  it('writes a frame only for the slices where a segment has voxels (each frame says its segment and slice), bit-packed', () => {
    const labels = sampleLabels();
    const bytes = writeDicomSeg(labels, { uidSeed: 'sparse' });
    const [ni, nj, nk] = labels.geometry.dims;
    const nij = ni * nj;
    // Expected frames counted from the label volume itself: per label, the slices holding it.
    const expected: Array<{ label: number; k: number }> = [];
    for (const label of [LABELS.sacrum, LABELS.hipLeft, LABELS.lesion]) {
      for (let k = 0; k < nk; k++) if (labels.voxels.subarray(k * nij, (k + 1) * nij).includes(label)) expected.push({ label, k });
    }
    expect(expected.length).toBeLessThan(3 * nk);
    const ds = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dcmjs.data.DicomMessage.readFile(bytes.slice().buffer).dict) as Record<string, any>;
    expect(Number(ds.NumberOfFrames)).toBe(expected.length);
    const perFrame = (Array.isArray(ds.PerFrameFunctionalGroupsSequence) ? ds.PerFrameFunctionalGroupsSequence : [ds.PerFrameFunctionalGroupsSequence]) as any[];
    const segLabel = [LABELS.sacrum, LABELS.hipLeft, LABELS.lesion];
    const pixel = new Uint8Array(Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData);
    // BINARY: one bit per voxel, frames back to back (padded to an even length).
    expect(pixel.length).toBe(Math.ceil((expected.length * nij) / 8) + (Math.ceil((expected.length * nij) / 8) % 2));
    perFrame.forEach((f, idx) => {
      const seg = Number((Array.isArray(f.SegmentIdentificationSequence) ? f.SegmentIdentificationSequence[0] : f.SegmentIdentificationSequence).ReferencedSegmentNumber);
      const k = Number((Array.isArray(f.FrameContentSequence) ? f.FrameContentSequence[0] : f.FrameContentSequence).DimensionIndexValues[1]) - 1;
      expect({ label: segLabel[seg - 1], k }).toEqual(expected[idx]);
      // Every written frame holds at least one voxel of its segment.
      let any = false;
      for (let t = 0; t < nij && !any; t++) any = ((pixel[(idx * nij + t) >> 3]! >> ((idx * nij + t) & 7)) & 1) === 1;
      expect(any).toBe(true);
    });
  });

  it('rejects a grid of another size and a file that is not a SEG', () => {
    const labels = sampleLabels();
    const bytes = writeDicomSeg(labels, { uidSeed: 'x' });
    const other = createVolumeGeometry({ dims: [10, 10, 10], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
    expect(() => readDicomSeg(bytes, other)).toThrow(/seg\/bad-file/);
    expect(() => readDicomSeg(new Uint8Array(200), labels.geometry)).toThrow(/seg\/bad-file/);
    expect(() => writeDicomSeg(createVolume('e', 'label', other, new Uint8Array(1000)))).toThrow(/no segment/);
  });
});
