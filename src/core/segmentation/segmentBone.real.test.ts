import { describe, expect, it } from 'vitest';
import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import { detectJointSurfaces } from '../anatomy/jointSurface';
import { rasterizeStructures } from '../anatomy/rasterizeStructures';
import { loadRealCase } from '../dicom/testing/realData';
import { LABELS } from '../shared/ids';
import { lpsToIjk } from '../volume/VolumeGeometry';
import { segmentBone } from './segmentBone';
import { dice } from './testing/syntheticPelvis';

/**
 * The real TotalSegmentator example CT (3 mm voxels, metal implant with streaks in the
 * left proximal femur, the field ending at the femoral heads) against its model-made
 * masks. Issue #4 asks for Dice >= 0.90 per part; reached for all bone together only. The bars
 * below are what the segmentation reaches today, kept as a guard against regressions
 * (measured 25 Nov: sacrum 0.845, left hip 0.903, right hip 0.921, left femur 0.521, right femur
 * 0.939, L5 0.847, all bone 0.902; before the hip-labelled pieces cut off from their hip bone and
 * touching only the sacrum were given to it (README, "25 Nov stop 21, helper A"): sacrum 0.841,
 * right hip 0.919, 42 voxels of the coccyx labelled right hip; before the SI joints' lower end was cut slice by slice at its
 * cleft (README, "25 Nov stop 20, helper M2"): sacrum 0.836, left hip 0.901; before the sacral marrow fill, the SI joint line in the bright
 * band and the lumbar arches taken off the sacrum (README, "25 Nov stop 20, helper M"): sacrum
 * 0.705, L5 0.831; before the right femoral head was refitted on its free surface (README, "25
 * Nov stop 20, helper H"): right hip 0.895, right femur 0.885, its joint 9.4 mm from the
 * reference head's; before the hips were parted at the pubic symphysis's cleft: hips 0.885 /
 * 0.881, 367 voxels of the left pubis labelled right hip; before the lower sacrum was given back
 * slice by slice: sacrum 0.677, hips 0.883 / 0.875; before the SI joints were cut at their plane:
 * sacrum 0.534, hips 0.863 / 0.852; before the femoral heads were carved out by their sphere: hips
 * 0.753 / 0.777, femurs 0; before the marrow closing and the vertebra cut: sacrum 0.462,
 * hips 0.738 / 0.756, L5 0.361, all bone 0.791). What is still wrong (README, bone section):
 * the model's sacrum is about a voxel tighter than ours all round and labels the canal at S2-S3
 * (CSF grey, which our canal guard leaves out) as bone; the lower ends of the SI joints and the
 * ischial side of the lower sacrum; around the implant the model's left femur is a third smaller
 * per slice than the right one while ours holds the streaks; the left head's sphere (joint line,
 * not refitted: the refit runs into the ilium around the implant) sits 2-3 voxels medial and
 * superior of the model's.
 */
describe('segmentBone on the real totalseg-example CT (3 mm, model-made masks)', () => {
  it('labels the hip bones (Dice >= 0.902 / 0.92), the femoral heads fused to them (>= 0.50 / 0.935), the sacrum with its fatty marrow (>= 0.844), L5 alone (>= 0.84) and all bone together (>= 0.90), the canal and the model\'s channels left out', () => {
    const { ct, labels } = loadRealCase('totalseg-example');
    const seg = segmentBone(ct);
    const ours = seg.labels.voxels;
    const truth = labels.voxels;
    expect(dice(ours, LABELS.hipLeft, truth, LABELS.hipLeft)).toBeGreaterThan(0.902);
    expect(dice(ours, LABELS.hipRight, truth, LABELS.hipRight)).toBeGreaterThan(0.92);
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
    // The SI joints, bridged at 3 mm, are cut at their plane; where the joint shows no cleft (the
    // two subchondral plates one bright band) the cut lies in the band, not at the ala's fatty
    // marrow medial of it, and is made again after the hips' marrow closing (before: the dip,
    // 0.534 -> 0.677). Below the SI joints the sacrum and coccyx, grown over by the hip pieces, are
    // given back slice by slice (0.705). The sacrum's fatty marrow, opened to the outside by the
    // foramina and the canal, is filled within its envelope except the channels (fat reaching
    // outside the bone or the canal, a voxel around it, the canal's share of the midline band);
    // the lumbar arches the sacrum grew up through the bridged facets go back to L5 (0.836). The
    // joint's lower end, where the sacrum curves back off the plane, is cut slice by slice at the
    // cleft between the plates (0.841; README, "25 Nov stop 20, helper M2"). A hip-labelled piece
    // cut off from its hip bone and touching only the sacrum is the sacrum's (the coccyx, which the
    // walk had left partly right hip: 0.845; README, "25 Nov stop 21, helper A").
    expect(dice(ours, LABELS.sacrum, truth, LABELS.sacrum)).toBeGreaterThan(0.844);
    expect(seg.notes.some((n) => n.startsWith('hip-labelled pieces detached from their hip bone'))).toBe(true);
    // Where the model's sacrum is apart from its hip bones in an axial slice (the lower sacrum and
    // the coccyx), none of it is hip bone: labelled hip there 74 voxels, all at k 29-31 under the
    // SI joints' lower end (before: 116, 42 of them in the coccyx at k 16-22).
    let apartLabelledHip = 0;
    {
      const [gi, gj, gk] = ct.geometry.dims;
      for (let k = 0; k < gk; k++) {
        let touches = false;
        const base = gi * gj * k;
        for (let j = 0; j < gj && !touches; j++) for (let i = 0; i < gi && !touches; i++) {
          if (truth[base + i + gi * j] !== LABELS.sacrum) continue;
          for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
            const ii = i + di, jj = j + dj;
            if (ii < 0 || jj < 0 || ii >= gi || jj >= gj) continue;
            const v = truth[base + ii + gi * jj];
            if (v === LABELS.hipLeft || v === LABELS.hipRight) touches = true;
          }
        }
        if (touches) continue;
        for (let s = 0; s < gi * gj; s++) if (truth[base + s] === LABELS.sacrum && (ours[base + s] === LABELS.hipLeft || ours[base + s] === LABELS.hipRight)) apartLabelledHip++;
      }
    }
    expect(apartLabelledHip).toBeLessThan(80);
    expect(seg.notes.filter((n) => n.includes('SI joint bridged'))).toHaveLength(2);
    expect(seg.notes.some((n) => n.startsWith('lower sacrum below the SI joints'))).toBe(true);
    expect(seg.notes.some((n) => n.startsWith("coarse voxels: sacral marrow within the sacrum's envelope added"))).toBe(true);
    expect(seg.notes.some((n) => n.startsWith("lumbar arches above L5's mid-height taken off the sacrum"))).toBe(true);
    // Like with like? Our sacrum part united with the canal and foramina that our own
    // structure detection finds on our labels (never anything from the truth), beside the
    // plain figure: asked for because the model's sacrum was thought to hold the canal and
    // foramina. Measured, it does not: its sacrum has holes there (551 voxels, median -41
    // HU) except at S2-S3, where it labels the canal as bone; the union scores a little below
    // the plain figure (0.835 vs 0.836; before the marrow fill 0.698 vs 0.705). Kept as a
    // guard on the detection's canal staying in the sacrum's hole; the plain figure is the one to raise.
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
    expect(dice(sacrumWithOurChannels, 1, truth, LABELS.sacrum)).toBeGreaterThan(0.82);
    // The canal found on our labels runs down the sacrum (48 mm; before the marrow fill 24 mm,
    // mostly above it, in the L5/S1 interlaminar space), every centreline point in a voxel left
    // unlabelled with sacrum on both sides and behind it in its slice: the marrow fill did not
    // close or move it.
    const canal = structures.sacralCanal!.centerlineLps;
    expect(canal[0]![2] - canal[canal.length - 1]![2]).toBeGreaterThan(40);
    const [ni, nj] = ct.geometry.dims;
    for (const p of canal) {
      const q = lpsToIjk([0, 0, 0], ct.geometry, p);
      const i = Math.round(q[0]), j = Math.round(q[1]), k = Math.round(q[2]);
      expect(ours[i + ni * (j + nj * k)], `canal point ${i} ${j} ${k}`).toBe(0);
      const sacrumAlong = (di: number, dj: number) => {
        for (let s = 1; s < 15; s++) if (ours[i + di * s + ni * (j + dj * s + nj * k)] === LABELS.sacrum) return true;
        return false;
      };
      expect([sacrumAlong(1, 0), sacrumAlong(-1, 0), sacrumAlong(0, 1)], `canal point ${i} ${j} ${k}`).toEqual([true, true, true]);
    }
    // The model's channels (the holes of its sacrum in each axial slice: canal and foramina) stay
    // mostly unlabelled: 137 of 551 voxels labelled, their rims (before the marrow fill 134).
    let modelHoles = 0, modelHolesLabelled = 0;
    for (let k = 0; k < ct.geometry.dims[2]; k++) {
      const outside = new Uint8Array(ni * nj);
      const queue: number[] = [];
      for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
        if ((i === 0 || j === 0 || i === ni - 1 || j === nj - 1) && truth[i + ni * (j + nj * k)] !== LABELS.sacrum) { outside[i + ni * j] = 1; queue.push(i + ni * j); }
      }
      for (let h = 0; h < queue.length; h++) {
        const s = queue[h]!;
        const i = s % ni, j = (s - i) / ni;
        for (const [di, dj] of [[1, 0], [-1, 0], [0, 1], [0, -1]] as const) {
          const ii = i + di, jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= ni || jj >= nj) continue;
          const r = ii + ni * jj;
          if (outside[r] || truth[r + ni * nj * k] === LABELS.sacrum) continue;
          outside[r] = 1;
          queue.push(r);
        }
      }
      for (let s = 0; s < ni * nj; s++) {
        if (outside[s] || truth[s + ni * nj * k] === LABELS.sacrum) continue;
        modelHoles++;
        if (ours[s + ni * nj * k]) modelHolesLabelled++;
      }
    }
    expect(modelHoles).toBe(551);
    expect(modelHolesLabelled).toBeLessThan(150);
    // L5 is cut off the lumbar stack at its upper disc (before: L1-L5 in one piece, 0.36).
    // The arches above L5's mid-height, grown into the sacrum through the facets, are L5's (0.831 -> 0.847).
    expect(dice(ours, LABELS.l5, truth, LABELS.l5)).toBeGreaterThan(0.84);
    const bone = [1, 2, 3, 4, 5, 6];
    expect(dice(ours, bone, truth, bone)).toBeGreaterThan(0.9);
    // The marrow is enclosed: under 7 % of the truth's bone is left unlabelled (measured
    // 6.4 %, 2,798 voxels; before the sacral marrow fill 8.5 %, 3,769 voxels, most of them in
    // the sacral alae; before the per-part closing: 8,181 voxels, 19 %).
    let missed = 0, truthBone = 0;
    for (let t = 0; t < truth.length; t++) {
      if (truth[t]! < 1 || truth[t]! > 6) continue;
      truthBone++;
      if (ours[t] === 0) missed++;
    }
    expect(missed / truthBone).toBeLessThan(0.07);
    // The left hip bone is not taken for a femur (before: a lump eroded out of the ilium
    // was accepted as the femur and most of the left ilium was labelled femur).
    expect(seg.parts.find((p) => p.id === 'hipLeft')!.volumeMl).toBeGreaterThan(300);
  });
});
