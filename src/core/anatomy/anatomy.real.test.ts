import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readNifti } from '../io/nifti';
import { distance } from '../geometry/vec3';
import { segmentBone } from '../segmentation/segmentBone';
import { createVolume } from '../volume/Volume';
import { detectSacralStructures } from './sacrum';

/**
 * Real pelvis (fracsegnet-002, 0.75 x 0.75 x 0.8 mm, a steeply tilted sacrum):
 * the eight anterior foramina from our own bone segmentation against the holes of
 * the expert-drawn sacrum label (same detector on the expert label).
 */
describe('anterior foramina on the real fracsegnet-002 sacrum', () => {
  it('finds all eight, ordered S1 to S4 down the sacrum, within 2 mm of those of the expert label', () => {
    const dir = '/work/shared/data/real/fracsegnet-002';
    const ct = readNifti(new Uint8Array(readFileSync(`${dir}/ct.nii.gz`)), { kind: 'ct' }).volume;
    const expertRaw = readNifti(new Uint8Array(readFileSync(`${dir}/labels.nii.gz`)), { kind: 'label' }).volume.voxels;
    const expert = new Uint8Array(expertRaw.length);
    for (let q = 0; q < expert.length; q++) {
      const v = expertRaw[q]!;
      expert[q] = v === 1 ? 1 : v >= 11 && v <= 13 ? 2 : v === 21 ? 3 : 0;
    }
    const ours = detectSacralStructures(segmentBone(ct).labels);
    const ref = detectSacralStructures(createVolume('expert', 'label', ct.geometry, expert));
    expect(ref.foramina).toHaveLength(8);
    expect(ours.foramina).toHaveLength(8);
    for (const f of ref.foramina) {
      const o = ours.foramina.find((x) => x.id === f.id)!;
      expect(distance(o.centerLps, f.centerLps), f.id).toBeLessThan(2);
    }
    for (const side of ['Left', 'Right']) {
      const z = ['S1', 'S2', 'S3', 'S4'].map((l) => ours.foramina.find((f) => f.id === `foramen${l}${side}`)!.centerLps[2]);
      for (let q = 1; q < 4; q++) expect(z[q]!).toBeLessThan(z[q - 1]!);
    }
    expect(ours.sacralCanal).not.toBeNull();
  });
});
