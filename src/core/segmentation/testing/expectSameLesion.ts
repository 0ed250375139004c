import { expect } from 'vitest';
import type { Volume } from '../../volume/Volume';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { GrowLesionOptions } from '../growLesion';
import { growLesion } from '../growLesion';
import { growLesion as growLesionReference } from './growLesionReference';

/**
 * Grows the lesion with growLesion and with the kept reference implementation
 * (growLesionReference.ts: growLesion as it was before the speed work of issue #4) on copies of
 * the same labels, and expects the same outcome to the last bit: the label volumes, the edit, the
 * measure, the window, the flags; or the same error. Returns growLesion's result and labels.
 */
export function expectSameLesion(ct: Volume<VoxelArray>, labels: Volume<Uint8Array>, options: GrowLesionOptions) {
  const mine = { ...labels, voxels: labels.voxels.slice() };
  const ref = { ...labels, voxels: labels.voxels.slice() };
  let res: ReturnType<typeof growLesion> | null = null, err: unknown = null;
  let resRef: ReturnType<typeof growLesion> | null = null, errRef: unknown = null;
  try { res = growLesion(ct, mine, options); } catch (e) { err = e; }
  try { resRef = growLesionReference(ct, ref, options); } catch (e) { errRef = e; }
  expect(String(err)).toBe(String(errRef));
  expect(mine.voxels).toEqual(ref.voxels);
  expect(res).toEqual(resRef);
  return { res, labels: mine };
}
