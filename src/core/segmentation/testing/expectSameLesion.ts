import { expect } from 'vitest';
import type { Volume } from '../../volume/Volume';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { GrowLesionOptions } from '../growLesion';
import { growLesion } from '../growLesion';
import { LESION_FINGERPRINTS, lesionInputFingerprint, lesionOutputFingerprint } from './lesionFingerprints';

/**
 * Grows the lesion with growLesion on a copy of the labels and expects the recorded outcome to the
 * last bit (lesionFingerprints.ts: the label volume after the click, the edit, the measure, the
 * window and the flags, or the error; recorded while the implementation before the speed work of
 * issue #4 was still compared click by click). A click whose input (CT, labels, options) has no
 * recorded fingerprint fails: the phantom, segmentBone or the test's seed changed, and there is
 * nothing to compare with. Returns growLesion's result and labels.
 */
export function expectSameLesion(ct: Volume<VoxelArray>, labels: Volume<Uint8Array>, options: GrowLesionOptions) {
  const input = lesionInputFingerprint(ct, labels, options);
  const mine = { ...labels, voxels: labels.voxels.slice() };
  let res: ReturnType<typeof growLesion> | null = null, err: unknown = null;
  try { res = growLesion(ct, mine, options); } catch (e) { err = e; }
  const recorded = LESION_FINGERPRINTS[input];
  expect(recorded, `no recorded lesion fingerprint for input ${input} (options ${JSON.stringify(options)}): the CT, the bone labels or the seed changed`).toBeDefined();
  expect(lesionOutputFingerprint(mine.voxels, res, err), `growLesion's outcome changed for input ${input} (options ${JSON.stringify(options)})`).toBe(recorded);
  return { res, labels: mine };
}
