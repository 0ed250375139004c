import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId } from '../../../sample-dicom/truth';
import { LABELS } from '../shared/ids';
import { growLesion } from './growLesion';
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
// The medium cases are in growLesion.phantomMedium.test.ts (a file of their own, so vitest runs them
// beside the rest).
const MEDIUM_TIMEOUT_MS = 1_800_000;

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
      // Never across a joint gap into the neighbouring part's joint space.
      expect(lesionTruthFigures(seg.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS[ph.truth.lesion!.host]).inJointGap).toBe(0);
    });
  }

  // Issue #4: Dice >= 0.90 on the CBCT phantom too, nothing in the soft tissue. Measured after the
  // host-only envelope, with today's segmentBone (field-of-view shading correction): small Dice 0.957
  // (17 voxels in the soft tissue, 1 in the joint gap), medium 0.914 (281 voxels outside the true
  // lesion, all in truth bone). With the segmentation of ae5eba4 medium was 0.708.
  it('sacralAlaCbct small: Dice >= 0.90 from one click, nothing outside bone', () => {
    const ph = generatePhantom({ caseId: 'sacralAlaCbct', size: 'small' });
    const seg = segmentBone(ph.ct);
    const res = growLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    expect(res.status).toBe('ok');
    const f = lesionTruthFigures(seg.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS.sacrum);
    expect(f.dice).toBeGreaterThanOrEqual(0.9);
    expect(f.outsideBone).toBeLessThanOrEqual(0.01 * f.grownVoxels);
    // 1 mm voxels: one voxel on the rim of the SI joint (within 4 mm of both parts).
    expect(f.inJointGap).toBeLessThanOrEqual(2);
  }, MEDIUM_TIMEOUT_MS);

  // Issue #4 asks for Dice >= 0.90 here too; not reached: small and medium both report a leak
  // (the lesion is wider than the thin ilium and destroys both cortices; the closed envelope does
  // not hold it, and the core grown under the loosest enclosure rule runs into the soft tissue).
  // Antipodal ray pairs meeting the host on both sides do not separate the lesion from the soft
  // tissue either (see the module README).
  it.each(['small'] as const)('supraAcetabular %s: a lesion through both cortices of the thin ilium is reported as a leak and nothing is written', (size) => {
    const ph = generatePhantom({ caseId: 'supraAcetabular', size });
    const seg = segmentBone(ph.ct);
    const before = seg.labels.voxels.slice();
    const res = growLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    expect(res.status).toBe('leak');
    expect(res.edit.indices.length).toBe(0);
    expect(seg.labels.voxels).toEqual(before);
   }, MEDIUM_TIMEOUT_MS);
});
