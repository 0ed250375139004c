import { describe, expect, it } from 'vitest';
import { loadRealCase } from '../dicom/testing/realData';
import { LABELS } from '../shared/ids';
import { segmentBone } from './segmentBone';
import { dice } from './testing/syntheticPelvis';

/**
 * The real TotalSegmentator example CT (3 mm voxels, metal implant with streaks in the
 * left proximal femur, the field ending at the femoral heads) against its model-made
 * masks. Issue #4 asks for Dice >= 0.90 per part; NOT reached. The bars below are what
 * the segmentation reaches today (measured: sacrum 0.46, left hip 0.74, right hip 0.76,
 * femurs 0, L5 0.36, all bone 0.79), kept as a guard against regressions. Why (see the
 * README's known limits): at 3 mm the joints are bridged by partial volume (femoral heads
 * fused to the acetabula, the sacral alae to the ilia, the lumbar spine in one piece
 * labelled L5), the marrow is below the histogram's bone threshold and not enclosed by
 * a continuous cortex (19 % of the labelled bone is missed), and the metal streaks join
 * the left hip bone.
 */
describe('segmentBone on the real totalseg-example CT (3 mm, model-made masks)', () => {
  it('labels the hip bones (Dice >= 0.70), the sacrum (>= 0.40) and all bone together (>= 0.75)', () => {
    const { ct, labels } = loadRealCase('totalseg-example');
    const seg = segmentBone(ct);
    const ours = seg.labels.voxels;
    const truth = labels.voxels;
    expect(dice(ours, LABELS.hipLeft, truth, LABELS.hipLeft)).toBeGreaterThan(0.7);
    expect(dice(ours, LABELS.hipRight, truth, LABELS.hipRight)).toBeGreaterThan(0.7);
    expect(dice(ours, LABELS.sacrum, truth, LABELS.sacrum)).toBeGreaterThan(0.4);
    const bone = [1, 2, 3, 4, 5, 6];
    expect(dice(ours, bone, truth, bone)).toBeGreaterThan(0.75);
    // The left hip bone is not taken for a femur (before: a lump eroded out of the ilium
    // was accepted as the femur and most of the left ilium was labelled femur).
    expect(seg.parts.find((p) => p.id === 'hipLeft')!.volumeMl).toBeGreaterThan(300);
  });
});
