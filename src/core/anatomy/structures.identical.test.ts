import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { segmentBone } from '../segmentation/segmentBone';
import type { Volume } from '../volume/Volume';
import { detectCriticalStructures } from './detectCriticalStructures';
import { STRUCTURE_HASHES, fracsegnetExpertLabels, onOtherGrid, phantomTruthLabels, structuresFingerprint, totalsegTruthLabels } from './testing/structureHashes';

/**
 * detectCriticalStructures' models are those recorded before its speed work of 24 Nov 2026
 * (testing/structureHashes.ts), on label volumes that do not depend on our segmentation (the
 * phantoms' truth labels, the real cases' reference labels: every voxel spacing from 0.5 to
 * 3 mm, grids with flipped and tilted axes) and on one of our segmentations with foramina missing.
 * buildFieldSet.identical.test.ts covers sacralAla small and medium through segmentBone.
 * Accuracy against the truth is tested in anatomy.phantom.test.ts and anatomy.real.test.ts;
 * this test only says "unchanged".
 */
describe('critical structures unchanged (stored hashes)', () => {
  const check = (name: keyof typeof STRUCTURE_HASHES, labels: Volume<Uint8Array>): void => {
    const got = structuresFingerprint(detectCriticalStructures(labels));
    if (process.env['PRINT_STRUCTURE_HASHES']) console.log(`'${name}': '${got}'`);
    expect(got, name).toBe(STRUCTURE_HASHES[name]);
  };
  for (const caseId of ['sacralAla', 'supraAcetabular', 'femoralNeck', 'dysmorphic', 'sacralAlaCbct']) {
    it(`${caseId} truth labels, small and medium`, () => {
      for (const size of ['small', 'medium']) {
        check(`${caseId}-${size} truth` as keyof typeof STRUCTURE_HASHES, phantomTruthLabels(`${caseId}-${size}`));
      }
    });
  }
  it('fracsegnet-002 expert labels (0.75 x 0.75 x 0.8 mm, i and j axes flipped)', () => {
    check('fracsegnet-002 expert', fracsegnetExpertLabels());
  });
  it('totalseg-example reference labels (3 mm)', () => {
    check('totalseg-example truth', totalsegTruthLabels());
  });
  it('sacralAla small and femoralNeck medium truth labels on a flipped and on a tilted grid (the general paths)', () => {
    for (const series of ['sacralAla-small', 'femoralNeck-medium']) {
      const labels = phantomTruthLabels(series);
      for (const how of ['flipIJ', 'tiltY'] as const) check(`${series} truth ${how}` as keyof typeof STRUCTURE_HASHES, onOtherGrid(labels, how));
    }
  });
  it('dysmorphic small through segmentBone (one foramen not found on each side)', () => {
    check('dysmorphic-small segmentBone', segmentBone(generatePhantom({ caseId: 'dysmorphic', size: 'small' }).ct).labels);
  });
});
