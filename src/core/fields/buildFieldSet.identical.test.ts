import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomSize } from '../../../sample-dicom/truth';
import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import { segmentBone } from '../segmentation/segmentBone';
import { buildFieldSet, createFieldSetCache } from './buildFieldSet';
import { FIELD_SET_HASHES, fieldSetHash, structuresHash, withLesionBall } from './testing/fieldSetHashes';

/**
 * The structures and fields of the app's pipeline (segmentBone -> detectCriticalStructures ->
 * buildFieldSet, then a build with a lesion, as after a click) are those recorded before the
 * speed work of 24 Nov 2026 (testing/fieldSetHashes.ts). Accuracy against the truth is tested
 * elsewhere (anatomy.phantom.test.ts, buildFieldSet.test.ts); this test only says "unchanged".
 */
describe('structures and fields unchanged (stored hashes)', () => {
  for (const size of ['small', 'medium'] as PhantomSize[]) {
    it(`sacralAla ${size}`, () => {
      const ph = generatePhantom({ caseId: 'sacralAla', size });
      const seg = segmentBone(ph.ct);
      const structures = detectCriticalStructures(seg.labels);
      const fields = buildFieldSet(seg.labels, structures, { cache: createFieldSetCache() });
      const withLesion = buildFieldSet(withLesionBall(seg.labels, ph.truth.lesion!.centerLps, 8), structures, {});
      const got = { structures: structuresHash(structures), fields: fieldSetHash(fields), fieldsWithLesion: fieldSetHash(withLesion) };
      if (process.env['PRINT_FIELD_HASHES']) console.log(`'sacralAla ${size}': ${JSON.stringify(got)}`);
      expect(withLesion.lesion).not.toBeNull();
      expect(got).toEqual(FIELD_SET_HASHES[`sacralAla ${size}` as keyof typeof FIELD_SET_HASHES]);
    });
  }
});
