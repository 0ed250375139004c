import { describe, expect, it } from 'vitest';
import { transformPoint } from '../volume/VolumeGeometry';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { recutSacroiliacJoints, splitSacroiliacJoints } from './segmentBoneSacroiliac';

/**
 * A left sacroiliac joint on 3 mm voxels (3x3x3 supersampled) as the real 3 mm CT shows it in
 * fatty bone: no cleft. The sacrum (cancellous 250 under a 2 mm cortex of 600) has a 5 mm band of
 * fatty marrow (120) next to the joint; the joint itself, two subchondral plates with the
 * cartilage between them, is one bright band 8 mm thick (600), centred on an oblique plane
 * (normal 20 degrees posterior of lateral, 36 mm from the sacrum's centre plane); then the
 * ilium's fatty marrow (120, 12 mm) and its outer cortex (600), muscle (40) around. The marrow
 * next to the joint and the ilium's are the same tissue (same grey). The parts mimic the
 * erosion split's grow-back: the hip label runs over the ala up to 12 mm medial of the joint.
 */
function brightBandSacroiliac(lowerEnd?: { belowZMm: number; shiftMm: number; jointSpace: boolean }) {
  const dims = [50, 40, 24] as const;
  const sp = 3;
  const g = createVolumeGeometry({ dims, spacingMm: [sp, sp, sp], originLps: [0, 0, 0] });
  const th = (20 * Math.PI) / 180;
  const n = [Math.cos(th), Math.sin(th), 0];
  const centre = [45, 60, 36];
  const jointMm = 36;
  const signed = (x: number, y: number, z: number) => (x - centre[0]!) * n[0]! + (y - centre[1]!) * n[1]! + (z - centre[2]!) * n[2]!;
  // With a lower end, the bone runs on below the image (as the lower sacrum and the ilium do on a CT cropped at the joints' lower end).
  const bottomMm = lowerEnd ? -10 : 6;
  const inBody = (x: number, y: number, z: number) => Math.abs(y - centre[1]!) < 30 && z > bottomMm && z < 66 && x > 0;
  const greyAt = (x: number, y: number, z: number): number => {
    if (!inBody(x, y, z)) return 40;
    const s = signed(x, y, z) - jointMm;
    const edge = Math.min(30 - Math.abs(y - centre[1]!), z - bottomMm, 66 - z);
    if (lowerEnd && z < lowerEnd.belowZMm) {
      // The joint's lower end, further out along the normal: two 3 mm plates with a 3 mm joint
      // space (soft tissue) between them, or (no joint space) one bright band 9 mm thick.
      const e = s - lowerEnd.shiftMm;
      if (e < -4.5) return edge < 2 ? 600 : 250;
      if (e < -1.5) return 600;
      if (e < 1.5) return lowerEnd.jointSpace ? 40 : 600;
      if (e < 4.5) return 600;
      if (e < 16) return edge < 2 ? 600 : 120;
      if (e < 18) return 600;
      return 40;
    }
    if (s < -9) return edge < 2 ? 600 : 250;
    if (s < -4) return edge < 2 ? 600 : 120;
    if (s < 4) return 600;
    if (s < 16) return edge < 2 ? 600 : 120;
    if (s < 18) return 600;
    return 40;
  };
  const grey = new Int16Array(dims[0] * dims[1] * dims[2]);
  const parts = new Uint8Array(grey.length);
  const p: [number, number, number] = [0, 0, 0];
  for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
    let acc = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) acc += greyAt((i + (a - 1) / 3) * sp, (j + (b - 1) / 3) * sp, (k + (c - 1) / 3) * sp);
    grey[t] = Math.round(acc / 27);
    transformPoint(p, g.ijkToLps, [i, j, k]);
    if (grey[t]! < 100) continue;
    parts[t] = signed(p[0], p[1], p[2]) < jointMm - 12 ? LABELS.sacrum : LABELS.hipLeft;
  }
  const thresholds: BoneThresholds = { softTissuePeakGrey: 40, softTissueSigmaGrey: 20, boneGrey: 100, corticalGrey: 600, bodyGrey: -300 };
  return { dims, g, ct: createVolume('si', 'ct', g, grey), parts, thresholds, signed, jointMm, n, lowerEnd };
}

/** Ala (medial of the band's medial half) still labelled hip / its size, and ilium (lateral of the band) labelled sacrum. */
function tally(before: Uint8Array, parts: Uint8Array, dims: readonly [number, number, number], ijkToLps: Float64Array, signed: (x: number, y: number, z: number) => number, jointMm: number) {
  const p: [number, number, number] = [0, 0, 0];
  let alaHip = 0, alaTotal = 0, iliumSacrum = 0, iliumTotal = 0;
  for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
    if (!before[t]) continue;
    transformPoint(p, ijkToLps, [i, j, k]);
    const s = signed(p[0], p[1], p[2]) - jointMm;
    if (s < -1.5) {
      alaTotal++;
      if (parts[t] !== LABELS.sacrum) alaHip++;
    }
    if (s > 4 + 1.5) {
      iliumTotal++;
      if (parts[t] !== LABELS.hipLeft) iliumSacrum++;
    }
  }
  return { alaHip, alaTotal, iliumSacrum, iliumTotal };
}

describe('sacroiliac joint without a cleft (3 mm voxels, fatty bone)', () => {
  it('cuts in the bright band of the merged subchondral plates, not at the ala\'s fatty marrow medial of it, and takes none of the ilium', () => {
    const { dims, g, ct, parts, thresholds, signed, jointMm, n } = brightBandSacroiliac();
    const before = parts.slice();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    expect(planes.map((q) => q.side)).toEqual(['left']);
    const plane = planes[0]!;
    const cos = plane.normalLps[0] * n[0]! + plane.normalLps[1] * n[1]! + plane.normalLps[2] * n[2]!;
    expect(cos).toBeGreaterThan(Math.cos((10 * Math.PI) / 180));
    // The dip is the ala's marrow (medial of the band), the joint line lies in the band.
    expect(plane.jointLineMm).toBeGreaterThan(plane.offsetMm);
    const { alaHip, alaTotal, iliumSacrum, iliumTotal } = tally(before, parts, dims, g.ijkToLps, signed, jointMm);
    expect(alaTotal).toBeGreaterThan(1000);
    expect(iliumTotal).toBeGreaterThan(500);
    // Cut at the dip, the ala's marrow band and the band's medial half stay hip (measured: 7.2 % of the ala).
    expect(alaHip / alaTotal).toBeLessThan(0.03);
    expect(iliumSacrum).toBe(0);
  });

  it('gives the sacrum again what a hip closing claimed medial of the joint line, and nothing lateral of it', () => {
    const { dims, g, ct, parts, thresholds, signed, jointMm } = brightBandSacroiliac();
    const before = parts.slice();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    // A hip closing claims the ala's marrow band back (as segmentBoneMarrow's per-part closing does).
    const p: [number, number, number] = [0, 0, 0];
    let claimed = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      if (parts[t] !== LABELS.sacrum) continue;
      transformPoint(p, g.ijkToLps, [i, j, k]);
      const s = signed(p[0], p[1], p[2]) - jointMm;
      if (s > -9 && s < -1.5) { parts[t] = LABELS.hipLeft; claimed++; }
    }
    expect(claimed).toBeGreaterThan(100);
    const moved = recutSacroiliacJoints(parts, dims, g.ijkToLps, planes);
    expect(moved.map((m) => m.side)).toEqual(['left']);
    expect(moved[0]!.moved).toBeGreaterThanOrEqual(claimed);
    const { alaHip, alaTotal, iliumSacrum } = tally(before, parts, dims, g.ijkToLps, signed, jointMm);
    expect(alaHip / alaTotal).toBeLessThan(0.03);
    expect(iliumSacrum).toBe(0);
    // Without planes nothing moves.
    const copy = parts.slice();
    expect(recutSacroiliacJoints(copy, dims, g.ijkToLps, [])).toEqual([]);
    expect(copy).toEqual(parts);
  });

  it('follows the joint\'s lower end where it leaves the plane: the sacrum\'s lateral edge lateral of the plane, up to the cleft between the plates, and none of the ilium', () => {
    // The lowest six slices (z < 18 mm): the joint lies 12 mm further
    // out (the sacrum curves backwards below), with a visible joint space between its plates.
    const shiftMm = 12, belowZMm = 18;
    const { dims, g, ct, parts, thresholds, signed, jointMm } = brightBandSacroiliac({ belowZMm, shiftMm, jointSpace: true });
    const before = parts.slice();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    expect(planes.map((q) => q.side)).toEqual(['left']);
    const plane = planes[0]!;
    // The whole plane holds the joint above; the lower end gets its own cut, slice by slice from the bottom, and stops above it.
    expect(plane.jointLineMm).toBeGreaterThan(plane.offsetMm);
    expect(plane.lowerEnd?.length ?? 0).toBeGreaterThanOrEqual(3);
    for (const end of plane.lowerEnd ?? []) expect(end.zRangeMm[1]).toBeLessThan(belowZMm + 3);
    const p: [number, number, number] = [0, 0, 0];
    let lowSacrumHip = 0, lowSacrumTotal = 0, iliumSacrum = 0, upperAlaHip = 0, upperAlaTotal = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      if (!before[t]) continue;
      transformPoint(p, g.ijkToLps, [i, j, k]);
      // The slices whose slab (two slices) lies below the turn; the one whose slab reaches it stays with the plane.
      const low = p[2] < belowZMm - 6 - 0.5;
      const high = p[2] > belowZMm + 1.5;
      const s = signed(p[0], p[1], p[2]) - jointMm - (low ? shiftMm : 0);
      if (low && s < -1.5 && s > -shiftMm - 1.5) {
        // The sacrum's lateral edge, lateral of the whole plane's joint line.
        lowSacrumTotal++;
        if (parts[t] !== LABELS.sacrum) lowSacrumHip++;
      }
      if ((low || high) && s > 4.5 + 1.5 && parts[t] !== LABELS.hipLeft) iliumSacrum++;
      if (high && s < -1.5) {
        upperAlaTotal++;
        if (parts[t] !== LABELS.sacrum) upperAlaHip++;
      }
    }
    expect(lowSacrumTotal).toBeGreaterThan(150);
    // Measured: none left hip (with the whole plane alone: all of it).
    expect(lowSacrumHip / lowSacrumTotal).toBeLessThan(0.05);
    expect(iliumSacrum).toBe(0);
    expect(upperAlaHip / upperAlaTotal).toBeLessThan(0.03);
    // The same cut again after a hip closing (recut) gives back what the closing claimed there.
    let claimed = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      if (parts[t] !== LABELS.sacrum) continue;
      transformPoint(p, g.ijkToLps, [i, j, k]);
      if (p[2] < belowZMm - 1.5 && signed(p[0], p[1], p[2]) - jointMm > 3) { parts[t] = LABELS.hipLeft; claimed++; }
    }
    expect(claimed).toBeGreaterThan(50);
    const moved = recutSacroiliacJoints(parts, dims, g.ijkToLps, planes);
    expect(moved[0]!.moved).toBeGreaterThanOrEqual(claimed);
  });

  it('does not take the ilium\'s marrow for the lower end\'s cleft when the plates show no joint space there', () => {
    // A lower end (the lowest four slices) with the plates merged: the first dip lateral of the
    // joint line deep enough is the ilium's marrow (as dark as the ilium's marrow on the whole
    // plane), not a cleft. Without the grey test the ilium's marrow there is taken.
    const shiftMm = 12, belowZMm = 12;
    const { dims, g, ct, parts, thresholds, signed, jointMm } = brightBandSacroiliac({ belowZMm, shiftMm, jointSpace: false });
    const before = parts.slice();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    expect(planes[0]!.lowerEnd ?? []).toEqual([]);
    const p: [number, number, number] = [0, 0, 0];
    let iliumSacrum = 0, iliumTotal = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      if (!before[t]) continue;
      transformPoint(p, g.ijkToLps, [i, j, k]);
      if (p[2] >= belowZMm - 1.5) continue;
      if (signed(p[0], p[1], p[2]) - jointMm - shiftMm > 4.5 + 1.5) {
        iliumTotal++;
        if (parts[t] !== LABELS.hipLeft) iliumSacrum++;
      }
    }
    expect(iliumTotal).toBeGreaterThan(100);
    expect(iliumSacrum).toBe(0);
  });

  it('takes nothing more where the joint does not leave the plane (the whole plane alone)', () => {
    const { dims, g, ct, parts, thresholds } = brightBandSacroiliac();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    expect(planes[0]!.lowerEnd ?? []).toEqual([]);
  });
});
