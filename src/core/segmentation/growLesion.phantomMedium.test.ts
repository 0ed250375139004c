import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { LABELS } from '../shared/ids';
import { segmentBone } from './segmentBone';
import { expectSameLesion } from './testing/expectSameLesion';
import { lesionTruthFigures } from './testing/lesionTruth';
import { measureLabel, undoEdit } from './labelEdits';

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
    // The same voxels, edit and figures as the implementation before the speed work (fingerprints).
    const grown = expectSameLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    const res = grown.res!;
    expect(res.status).toBe('ok');
    expect(res.bridged).toBe(false);
    const f = lesionTruthFigures(grown.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS.sacrum);
    expect(f.dice).toBeGreaterThanOrEqual(0.9);
    expect(f.outsideBone).toBeLessThanOrEqual(outsideBoneFraction * f.grownVoxels);
    expect(f.inJointGap).toBeLessThanOrEqual(jointGapVoxels);
  }, MEDIUM_TIMEOUT_MS);

  // The lesion destroys both cortices of the thin ilium and is wider than the bone: the closed
  // envelope does not hold it and the enclosure rules run into the soft tissue (until today a
  // 'leak', nothing written). The outline is bridged with the convex hull of the cavity's bare
  // trabecular walls and their cortical rim seen from the seed (growLesionBridge.ts). Measured:
  // small Dice 0.901 (589 voxels grown of 619, 45 in truth soft tissue, all in the one-voxel layer
  // around the true outline: the phantom's lesion bulges 1.5 mm beyond the bone, at the grey of
  // the muscle around it), medium 0.908 (1,587 of 1,756; 69 in the soft tissue, likewise).
  it.each(['small', 'medium'] as const)('supraAcetabular %s: a lesion through both cortices of the thin ilium is bridged: Dice >= 0.90, nothing in the soft tissue beyond the true outline', (size) => {
    const ph = generatePhantom({ caseId: 'supraAcetabular', size });
    const seg = segmentBone(ph.ct);
    const before = seg.labels.voxels.slice();
    const grown = expectSameLesion(ph.ct, seg.labels, { seedLps: ph.truth.lesion!.centerLps });
    const res = grown.res!;
    expect(res.status).toBe('ok');
    expect(res.bridged).toBe(true);
    expect(res.measure).toEqual(measureLabel(grown.labels, LABELS.lesion));
    const f = lesionTruthFigures(grown.labels.voxels, ph.labels.voxels, ph.ct.geometry, LABELS.hipRight);
    expect(f.dice).toBeGreaterThanOrEqual(0.9);
    // Soft tissue only in the partial-volume layer of the true bone outline (small 7.6 %, medium 4.3 %).
    expect(f.beyondOutline).toBe(0);
    expect(f.outsideBone).toBeLessThanOrEqual(0.1 * f.grownVoxels);
    expect(f.inJointGap).toBe(0);
    expect(Math.abs(res.measure!.volumeMl - ph.truth.lesion!.volumeMl)).toBeLessThan(0.15 * ph.truth.lesion!.volumeMl);
    // Only lesion was written (bone voxels turned lesion, nothing else changed), and undo restores it.
    for (let q = 0; q < res.edit.indices.length; q++) expect(res.edit.after[q]).toBe(LABELS.lesion);
    undoEdit(grown.labels, res.edit);
    expect(grown.labels.voxels).toEqual(before);
  }, MEDIUM_TIMEOUT_MS);
});
