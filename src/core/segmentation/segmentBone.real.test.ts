import { describe, expect, it } from 'vitest';
import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import { detectJointSurfaces } from '../anatomy/jointSurface';
import { rasterizeStructures } from '../anatomy/rasterizeStructures';
import { loadRealCase } from '../dicom/testing/realData';
import { LABELS } from '../shared/ids';
import { segmentBone } from './segmentBone';
import { dice } from './testing/syntheticPelvis';

/**
 * The real TotalSegmentator example CT (3 mm voxels, metal implant with streaks in the
 * left proximal femur, the field ending at the femoral heads) against its model-made
 * masks. Issue #4 asks for Dice >= 0.90 per part; reached for none of the parts. The bars
 * below are what the segmentation reaches today, kept as a guard against regressions
 * (measured: sacrum 0.705, left hip 0.897, right hip 0.913, left femur 0.521, right femur
 * 0.939, L5 0.831, all bone 0.888; before the right femoral head was refitted on its free
 * surface: right hip 0.895, right femur 0.885, its joint 9.4 mm from the reference head's;
 * before the hips were parted at the pubic symphysis's cleft: hips 0.885 / 0.881, 367 voxels
 * of the left pubis labelled right hip; before the lower sacrum was given back slice by slice:
 * sacrum 0.677, hips 0.883 / 0.875; before the SI joints were cut at their plane: sacrum
 * 0.534, hips 0.863 / 0.852; before the femoral heads were carved out by their sphere: hips
 * 0.753 / 0.777, femurs 0; before the marrow closing and the vertebra cut: sacrum 0.462,
 * hips 0.738 / 0.756, L5 0.361, all bone 0.791). What is still wrong (README, bone section):
 * the sacrum's low-density (fatty) marrow, 0 HU like the fat of the canal and foramina, is
 * left out (the model's sacrum has holes for the canal and foramina and counts this marrow
 * as sacrum); the lower ends of the SI joints go to the hips; around the implant the model's
 * left femur is a third smaller per slice than the right one while ours holds the streaks;
 * the left head's sphere (joint line, not refitted: the refit runs into the ilium around the
 * implant) sits 2-3 voxels medial and superior of the model's.
 */
describe('segmentBone on the real totalseg-example CT (3 mm, model-made masks)', () => {
  it('labels the hip bones (Dice >= 0.895 / 0.91), the femoral heads fused to them (>= 0.50 / 0.935), the sacrum (>= 0.70), L5 alone (>= 0.82) and all bone together (>= 0.88)', () => {
    const { ct, labels } = loadRealCase('totalseg-example');
    const seg = segmentBone(ct);
    const ours = seg.labels.voxels;
    const truth = labels.voxels;
    expect(dice(ours, LABELS.hipLeft, truth, LABELS.hipLeft)).toBeGreaterThan(0.895);
    expect(dice(ours, LABELS.hipRight, truth, LABELS.hipRight)).toBeGreaterThan(0.91);
    // The pubic bodies are bridged across the symphysis at 3 mm: the hips are parted at its
    // cleft (before: the right hip's grow-back took the left pubic body, 367 voxels; now 0).
    let leftPubisLabelledRight = 0;
    for (let t = 0; t < truth.length; t++) if (truth[t] === LABELS.hipLeft && ours[t] === LABELS.hipRight) leftPubisLabelledRight++;
    expect(leftPubisLabelledRight).toBeLessThan(40);
    expect(seg.notes.some((n) => n.startsWith('pubic symphysis bridged'))).toBe(true);
    // The femoral heads are fused to the acetabula at every threshold (3 mm voxels): carved
    // out of the hip parts by the sphere of their joint line, with the neck (before: 0 / 0,
    // labelled hip). The left one is short of the right: the implant's streaks around it.
    expect(dice(ours, LABELS.femurLeft, truth, LABELS.femurLeft)).toBeGreaterThan(0.5);
    expect(dice(ours, LABELS.femurRight, truth, LABELS.femurRight)).toBeGreaterThan(0.935);
    expect(seg.notes.filter((n) => n.includes('femoral head fused to the acetabulum'))).toHaveLength(2);
    // The joint line's sphere takes the acetabular fossa's fat for the joint (9-11 mm
    // superomedial of the heads); the right one is refitted on the head's free surface. The hip
    // joint the planner checks screws against is fitted to our femur: within 4 mm of the one
    // fitted to the reference femur (measured 1.3 mm; before: 9.4 mm). The left one (implant)
    // keeps the joint line's sphere and its joint is not proposed (jointSurface.truth.test.ts).
    expect(seg.notes.some((n) => n.startsWith('right femoral head fused') && n.includes("refitted on the head's free surface"))).toBe(true);
    expect(seg.notes.some((n) => n.startsWith('left femoral head fused') && n.includes('refitted'))).toBe(false);
    const refJoint = detectJointSurfaces(labels).joints.find((j) => j.side === 'right')!;
    const ourJoint = detectJointSurfaces(seg.labels).joints.find((j) => j.side === 'right')!;
    const c0 = refJoint.centerLps, c1 = ourJoint.centerLps;
    expect(Math.hypot(c1[0] - c0[0], c1[1] - c0[1], c1[2] - c0[2])).toBeLessThan(4);
    expect(Math.abs(ourJoint.radiusMm - refJoint.radiusMm)).toBeLessThan(3);
    // The SI joints, bridged at 3 mm, are cut at their plane (the most medial dark cleft facing
    // laterally): the alae go back to the sacrum (before: 0.534, the hip pieces grew over them).
    // Below the SI joints the sacrum and coccyx, grown over by the hip pieces, are given back
    // slice by slice (before: 0.677).
    expect(dice(ours, LABELS.sacrum, truth, LABELS.sacrum)).toBeGreaterThan(0.7);
    expect(seg.notes.filter((n) => n.includes('SI joint bridged'))).toHaveLength(2);
    expect(seg.notes.some((n) => n.startsWith('lower sacrum below the SI joints'))).toBe(true);
    // Like with like? Our sacrum part united with the canal and foramina that our own
    // structure detection finds on our labels (never anything from the truth), beside the
    // plain figure: asked for because the model's sacrum was thought to hold the canal and
    // foramina. Measured, it does not: its sacrum has holes there (551 voxels, median -41
    // HU), the canal our detection finds (no foramina at 3 mm) lies mostly outside it, and
    // the union scores a little below the plain figure (0.698 vs 0.705). Kept as a guard on
    // the detection's canal staying in the sacrum's hole; the plain figure is the one to raise.
    const structures = detectCriticalStructures(seg.labels);
    const raster = rasterizeStructures(ct.geometry, structures);
    const sacrumWithOurChannels = new Uint8Array(ours.length);
    let channelVoxels = 0;
    for (let t = 0; t < ours.length; t++) {
      const r = raster[t]!;
      const channel = r === LABELS.sacralCanal || (r >= LABELS.foramenS1Left && r <= LABELS.foramenS4Right);
      if (channel) channelVoxels++;
      if (ours[t] === LABELS.sacrum || channel) sacrumWithOurChannels[t] = 1;
    }
    expect(structures.sacralCanal).not.toBeNull();
    expect(channelVoxels).toBeGreaterThan(0);
    expect(dice(sacrumWithOurChannels, 1, truth, LABELS.sacrum)).toBeGreaterThan(0.69);
    // L5 is cut off the lumbar stack at its upper disc (before: L1-L5 in one piece, 0.36).
    expect(dice(ours, LABELS.l5, truth, LABELS.l5)).toBeGreaterThan(0.82);
    const bone = [1, 2, 3, 4, 5, 6];
    expect(dice(ours, bone, truth, bone)).toBeGreaterThan(0.88);
    // The marrow is enclosed: under 10 % of the truth's bone is left unlabelled (measured
    // 8.5 %, 3,769 voxels, most of them in the sacral alae; before the per-part closing:
    // 8,181 voxels, 19 %).
    let missed = 0, truthBone = 0;
    for (let t = 0; t < truth.length; t++) {
      if (truth[t]! < 1 || truth[t]! > 6) continue;
      truthBone++;
      if (ours[t] === 0) missed++;
    }
    expect(missed / truthBone).toBeLessThan(0.1);
    // The left hip bone is not taken for a femur (before: a lump eroded out of the ilium
    // was accepted as the femur and most of the left ilium was labelled femur).
    expect(seg.parts.find((p) => p.id === 'hipLeft')!.volumeMl).toBeGreaterThan(300);
  });
});
