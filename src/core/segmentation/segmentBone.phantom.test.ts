import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId } from '../../../sample-dicom/truth';
import { LABELS } from '../shared/ids';
import { segmentBone } from './segmentBone';
import { dice } from './testing/syntheticPelvis';

/** Bone parts against the phantom generator's ground-truth labels (small size: 2 mm voxels). */
describe('segmentBone on the phantoms', () => {
  const cases: PhantomCaseId[] = ['sacralAla', 'supraAcetabular', 'femoralNeck', 'dysmorphic'];
  for (const caseId of cases) {
    it(`${caseId}: Dice >= 0.97 for sacrum, hip bones and femurs, and for all bone together`, () => {
      const ph = generatePhantom({ caseId, size: 'small' });
      const seg = segmentBone(ph.ct);
      const truth = ph.labels.voxels;
      const ours = seg.labels.voxels;
      // The lesion replaces bone in the truth labels; it lies inside the bone envelope.
      expect(dice(ours, LABELS.sacrum, truth, LABELS.sacrum)).toBeGreaterThan(0.97);
      for (const l of [LABELS.hipLeft, LABELS.hipRight, LABELS.femurLeft, LABELS.femurRight]) {
        expect(dice(ours, l, truth, l)).toBeGreaterThan(0.97);
      }
      expect(dice(ours, LABELS.l5, truth, LABELS.l5)).toBeGreaterThan(0.9);
      const bone = [1, 2, 3, 4, 5, 6];
      expect(dice(ours, bone, truth, [...bone, LABELS.lesion])).toBeGreaterThan(0.97);
    });
  }
});
