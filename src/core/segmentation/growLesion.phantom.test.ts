import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId } from '../../../sample-dicom/truth';
import { LABELS } from '../shared/ids';
import { growLesion } from './growLesion';
import { measureLabel } from './labelEdits';
import { segmentBone } from './segmentBone';
import { dice } from './testing/syntheticPelvis';
import { lesionTruthFigures } from './testing/lesionTruth';

/**
 * One click at the truth lesion centre, after our own bone segmentation.
 * Thick-bone lesions grow fully; on CBCT the enclosure rule still loses part of the lesion; the
 * supra-acetabular lesion that destroys both cortices of the thin ilium cannot be
 * delimited from the image and must be reported, not leaked (see the module README).
 */
// Medium phantoms (up to 384 x 384 x 256) are generated and segmented in the test: minutes on a
// loaded machine. Not a performance bar, only vitest's hang guard.
// The CBCT and supra-acetabular cases (small and medium) are in growLesion.phantomMedium.test.ts, a
// file of their own so that vitest runs them beside the rest.

describe('growLesion on the phantoms', () => {
  const cases: PhantomCaseId[] = ['sacralAla', 'femoralNeck', 'dysmorphic'];
  for (const caseId of cases) {
    it(`${caseId}: Dice >= 0.90 from one click, nothing grown outside bone`, () => {
      const ph = generatePhantom({ caseId, size: 'small' });
      const seg = segmentBone(ph.ct);
      const res = growLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
      expect(dice(seg.labels.voxels, LABELS.lesion, ph.labels.voxels, LABELS.lesion)).toBeGreaterThanOrEqual(0.9);
      let outside = 0;
      for (let t = 0; t < ph.labels.voxels.length; t++) if (seg.labels.voxels[t] === LABELS.lesion && ph.labels.voxels[t] === 0) outside++;
      // A voxel or two of the 1.5 mm the lesion may protrude beyond the host's surface.
      expect(outside).toBeLessThanOrEqual(0.03 * res.measure!.voxelCount);
      expect(Math.abs(res.measure!.volumeMl - ph.truth.lesion!.volumeMl)).toBeLessThan(0.2 * ph.truth.lesion!.volumeMl);
      expect(res.status).toBe('ok');
      // Held by the closed envelope: the cavity-wall bridge (growLesionBridge.ts) is not used.
      expect(res.bridged).toBe(false);
      // The measure (scanned over the grown box) is the whole volume's.
      expect(res.measure).toEqual(measureLabel(seg.labels, LABELS.lesion));
      // Never across a joint gap into the neighbouring part's joint space.
      expect(lesionTruthFigures(seg.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS[ph.truth.lesion!.host]).inJointGap).toBe(0);
    });
  }
});
