import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { LABELS } from '../shared/ids';
import { growLesion } from './growLesion';
import { segmentBone } from './segmentBone';
import { lesionTruthFigures } from './testing/lesionTruth';

/**
 * One click at the truth lesion centre on the CBCT and supra-acetabular phantoms, small and medium
 * (0.5 mm), after our own bone segmentation; the CT phantoms are in growLesion.phantom.test.ts.
 * Each phantom is generated and segmented here: minutes on a loaded machine. The timeout is
 * vitest's hang guard, not a performance bar.
 */
const MEDIUM_TIMEOUT_MS = 1_800_000;

describe('growLesion on the CBCT and thin-bone phantoms', () => {
  // Issue #4: Dice >= 0.90 on the CBCT phantom too, nothing in the soft tissue. Measured after the
  // host-only envelope, with today's segmentBone (field-of-view shading correction): small Dice 0.957
  // (17 voxels in the soft tissue, 1 in the joint gap), medium 0.914 (281 voxels outside the true
  // lesion, all in truth bone). With the segmentation of ae5eba4 medium was 0.708.
  // Bounds per size: at 1 mm one voxel may sit on the rim of the SI joint (within 4 mm of both parts).
  it.each([
    { size: 'small', outsideBoneFraction: 0.01, jointGapVoxels: 2 },
    { size: 'medium', outsideBoneFraction: 0.001, jointGapVoxels: 0 },
  ] as const)('sacralAlaCbct $size: Dice >= 0.90 from one click, nothing in the soft tissue', ({ size, outsideBoneFraction, jointGapVoxels }) => {
    const ph = generatePhantom({ caseId: 'sacralAlaCbct', size });
    const seg = segmentBone(ph.ct);
    const res = growLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    expect(res.status).toBe('ok');
    const f = lesionTruthFigures(seg.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS.sacrum);
    expect(f.dice).toBeGreaterThanOrEqual(0.9);
    expect(f.outsideBone).toBeLessThanOrEqual(outsideBoneFraction * f.grownVoxels);
    expect(f.inJointGap).toBeLessThanOrEqual(jointGapVoxels);
  }, MEDIUM_TIMEOUT_MS);

  // Issue #4 asks for Dice >= 0.90 here too; not reached: small and medium both report a leak
  // (the lesion is wider than the thin ilium and destroys both cortices; the closed envelope does
  // not hold it, and the core grown under the loosest enclosure rule runs into the soft tissue).
  // Antipodal ray pairs meeting the host on both sides do not separate the lesion from the soft
  // tissue either (see the module README).
  it.each(['small', 'medium'] as const)('supraAcetabular %s: a lesion through both cortices of the thin ilium is reported as a leak and nothing is written', (size) => {
    const ph = generatePhantom({ caseId: 'supraAcetabular', size });
    const seg = segmentBone(ph.ct);
    const before = seg.labels.voxels.slice();
    const res = growLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    expect(res.status).toBe('leak');
    expect(res.edit.indices.length).toBe(0);
    expect(seg.labels.voxels).toEqual(before);
  }, MEDIUM_TIMEOUT_MS);
});
