import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId, PhantomSize } from '../../../sample-dicom/truth';
import { loadRealCase } from '../dicom/testing/realData';
import { segmentBone } from './segmentBone';
import { BONE_LABEL_HASHES, boneLabelHashes } from './testing/boneLabelHashes';

/**
 * segmentBone's labels, part summaries and notes are those recorded before its speed-ups
 * (testing/boneLabelHashes.ts): the run-based components, the box-restricted passes and the
 * shared depth grid must not change a voxel. Accuracy against the truth is tested elsewhere
 * (segmentBone.phantom.test.ts, segmentBone.real.test.ts); this test only says "unchanged".
 */
describe('segmentBone output unchanged (stored hashes)', () => {
  const phantoms: [PhantomCaseId, PhantomSize][] = [
    ['sacralAla', 'small'],
    ['dysmorphic', 'small'],
    ['sacralAlaCbct', 'small'],
    ['sacralAla', 'medium'],
    ['sacralAla', 'full'],
  ];
  for (const [caseId, size] of phantoms) {
    it(`${caseId} ${size}`, () => {
      const seg = segmentBone(generatePhantom({ caseId, size }).ct);
      expect(boneLabelHashes(seg)).toEqual(BONE_LABEL_HASHES[`${caseId} ${size}` as keyof typeof BONE_LABEL_HASHES]);
    });
  }
  it('fracsegnet-002 (real CT, 0.75 x 0.75 x 0.8 mm)', () => {
    const seg = segmentBone(loadRealCase('fracsegnet-002').ct);
    expect(boneLabelHashes(seg)).toEqual(BONE_LABEL_HASHES['fracsegnet-002']);
  });
});
