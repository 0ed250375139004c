import { appendFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Volume } from '../../volume/Volume';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { GrowLesionOptions } from '../growLesion';
import { growLesion } from '../growLesion';
import { growLesion as growLesionReference } from './growLesionReference';
import { lesionInputFingerprint, lesionOutputFingerprint } from './lesionFingerprints';

/**
 * Grows the lesion with growLesion and with the kept reference implementation
 * (growLesionReference.ts: growLesion as it was before the speed work of issue #4) on copies of
 * the same labels, and expects the same outcome to the last bit: the label volumes, the edit, the
 * measure, the window, the flags; or the same error. Returns growLesion's result and labels.
 */
export function expectSameLesion(ct: Volume<VoxelArray>, labels: Volume<Uint8Array>, options: GrowLesionOptions) {
  const input = lesionInputFingerprint(ct, labels, options);
  const mine = { ...labels, voxels: labels.voxels.slice() };
  const ref = { ...labels, voxels: labels.voxels.slice() };
  let res: ReturnType<typeof growLesion> | null = null, err: unknown = null;
  let resRef: ReturnType<typeof growLesion> | null = null, errRef: unknown = null;
  try { res = growLesion(ct, mine, options); } catch (e) { err = e; }
  try { resRef = growLesionReference(ct, ref, options); } catch (e) { errRef = e; }
  expect(String(err)).toBe(String(errRef));
  // The label volumes by a plain loop (a deep equal walks a full-size volume element by element
  // through the matcher: minutes).
  expect(firstDifference(mine.voxels, ref.voxels)).toBe(-1);
  expect(res).toEqual(resRef);
  const record = process.env['RECORD_LESION_FINGERPRINTS'];
  if (record) appendFileSync(record, JSON.stringify([input, lesionOutputFingerprint(ref.voxels, resRef, errRef), lesionOutputFingerprint(mine.voxels, res, err)]) + '\n');
  return { res, labels: mine };
}

/** Index of the first element where the arrays differ (-1: the same length and elements). */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return t;
  return -1;
}
