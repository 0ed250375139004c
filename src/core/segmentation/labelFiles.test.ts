import { describe, expect, it } from 'vitest';
import type { CriticalStructures } from '../anatomy/structures';
import { errorCodeOf } from '../shared/errors';
import { LABELS } from '../shared/ids';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { exportLabelsNrrd, exportLabelsSeg, importLabelFile } from './labelFiles';

const g = createVolumeGeometry({ dims: [24, 20, 12], spacingMm: [1, 1, 2], originLps: [-12, -10, 0] });
function labels(withBone: boolean): ReturnType<typeof createVolume<Uint8Array>> {
  const v = new Uint8Array(24 * 20 * 12);
  for (let k = 2; k < 10; k++) for (let j = 3; j < 17; j++) for (let i = 2; i < 22; i++) if (withBone) v[i + 24 * (j + 20 * k)] = i < 12 ? LABELS.hipRight : LABELS.sacrum;
  for (let k = 4; k < 7; k++) for (let j = 8; j < 12; j++) for (let i = 8; i < 14; i++) v[i + 24 * (j + 20 * k)] = LABELS.lesion;
  return createVolume('l', 'label', g, v);
}
const count = (v: Uint8Array, x: number): number => v.reduce((n, y) => n + (y === x ? 1 : 0), 0);
const structures: CriticalStructures = {
  foramina: [{ id: 'foramenS1Left', centerLps: [4, 0, 10], axisLps: [0, -1, 0], radiusMm: 2, lengthMm: 6 }],
  sacralCanal: null, roots: [], joints: [], notes: [],
};

describe('label files', () => {
  it('SEG out and back: bone and lesion identical; the structure segment is left out with a note', () => {
    const l = labels(true);
    const bytes = exportLabelsSeg(l, structures, { seriesInstanceUid: '1.2.3', studyInstanceUid: '1.2', frameOfReferenceUid: '1.2.4' });
    const back = importLabelFile(bytes, 'x.dcm', createVolume('cur', 'label', g, new Uint8Array(l.voxels.length)), '1.2.3');
    expect(Array.from(back.labels.voxels)).toEqual(Array.from(l.voxels));
    expect(back.lesionVoxels).toBe(count(l.voxels, LABELS.lesion));
    expect(back.notes.join(' ')).toMatch(/Structure segments were not imported/);
    expect(back.notes.join(' ')).not.toMatch(/segment \d/);
  });

  it('refuses a SEG of another series and an NRRD of another grid, with what to do', () => {
    const l = labels(true);
    const seg = exportLabelsSeg(l, null, { seriesInstanceUid: '1.2.3' });
    let e: unknown;
    try { importLabelFile(seg, 'a.dcm', l, '9.9.9'); } catch (x) { e = x; }
    expect(errorCodeOf(e)).toBe('volume/mismatch');
    expect(String(e)).toMatch(/another series.*Nothing was changed/);
    const g2 = createVolumeGeometry({ dims: [24, 20, 13], spacingMm: [1, 1, 2], originLps: [-12, -10, 0] });
    const other = exportLabelsNrrd(createVolume('o', 'label', g2, new Uint8Array(24 * 20 * 13).fill(LABELS.lesion)));
    expect(() => importLabelFile(other, 'o.nrrd', l, null)).toThrow(/another grid \(24 × 20 × 13 voxels\).*Nothing was changed/);
    expect(() => importLabelFile(new Uint8Array([1, 2, 3]), 'junk.bin', l, null)).toThrow(/neither a DICOM SEG nor a readable NRRD/);
    const g3 = createVolumeGeometry({ dims: [30, 20, 12], spacingMm: [1, 1, 2], originLps: [-12, -10, 0] });
    const otherSeg = exportLabelsSeg(createVolume('o', 'label', g3, new Uint8Array(30 * 20 * 12).fill(LABELS.lesion)), null, null);
    expect(() => importLabelFile(otherSeg, 'o.dcm', l, null)).toThrow(/another grid \(frames are 30 x 20.*Nothing was changed/);
    const shifted = createVolumeGeometry({ dims: [24, 20, 12], spacingMm: [1, 1, 2], originLps: [-12, -10, 100] });
    const farSeg = exportLabelsSeg(createVolume('f', 'label', shifted, l.voxels.slice()), null, null);
    expect(() => importLabelFile(farSeg, 'f.dcm', l, null)).toThrow(/none of its frames lies on a slice/);
  });

  it('an NRRD with only a lesion keeps the current bone and replaces the lesion', () => {
    const cur = labels(true);
    const lesionOnly = labels(false);
    const res = importLabelFile(exportLabelsNrrd(lesionOnly), 'lesion.nrrd', cur, null);
    expect(count(res.labels.voxels, LABELS.lesion)).toBe(count(lesionOnly.voxels, LABELS.lesion));
    expect(count(res.labels.voxels, LABELS.sacrum)).toBe(count(cur.voxels, LABELS.sacrum));
    expect(res.notes.join(' ')).toMatch(/current bone is kept/);
  });
});
