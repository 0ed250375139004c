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
function brightBandSacroiliac() {
  const dims = [50, 40, 24] as const;
  const sp = 3;
  const g = createVolumeGeometry({ dims, spacingMm: [sp, sp, sp], originLps: [0, 0, 0] });
  const th = (20 * Math.PI) / 180;
  const n = [Math.cos(th), Math.sin(th), 0];
  const centre = [45, 60, 36];
  const jointMm = 36;
  const signed = (x: number, y: number, z: number) => (x - centre[0]!) * n[0]! + (y - centre[1]!) * n[1]! + (z - centre[2]!) * n[2]!;
  const inBody = (x: number, y: number, z: number) => Math.abs(y - centre[1]!) < 30 && z > 6 && z < 66 && x > 0;
  const greyAt = (x: number, y: number, z: number): number => {
    if (!inBody(x, y, z)) return 40;
    const s = signed(x, y, z) - jointMm;
    const edge = Math.min(30 - Math.abs(y - centre[1]!), z - 6, 66 - z);
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
  return { dims, g, ct: createVolume('si', 'ct', g, grey), parts, thresholds, signed, jointMm, n };
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
});
