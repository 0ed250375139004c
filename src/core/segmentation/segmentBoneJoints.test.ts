import { describe, expect, it } from 'vitest';
import { transformPoint } from '../volume/VolumeGeometry';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { carveFusedFemoralHeads, findFemoralHead, refineHeadOnFreeSurface, splitSacroiliacJoints } from './segmentBoneJoints';

/**
 * A right hip joint on 3 mm voxels, partial volume simulated by 3x3x3 supersampling:
 * a femoral head (radius 23 mm; cancellous 250, subchondral shell 600) with its neck going
 * laterally and inferiorly, in an acetabular cup (subchondral 600, then cancellous 250, up to
 * 14 mm thick) over the superior hemisphere, the two separated by a 3 mm joint space of
 * cartilage (grey 90) that the voxels blur into bone; muscle (40) around.
 * Patient right is LPS -x, so lateral is -x for this hip.
 * `fossaMm`: the acetabular fossa over the cup's medial part (directions within 72 degrees of
 * medial): past the joint space that many mm of fat (-80), a 3 mm quadrilateral plate (600),
 * then the pelvic cavity (muscle, 40): a dark band between two brighter layers, like the joint.
 */
function fusedHip(center: [number, number, number], fossaMm = 0) {
  const dims = [40, 40, 36] as const;
  const sp = 3;
  const rHead = 23, joint = 3;
  const g = createVolumeGeometry({ dims, spacingMm: [sp, sp, sp], originLps: [0, 0, 0] });
  const greyAt = (x: number, y: number, z: number): number => {
    const dx = x - center[0], dy = y - center[1], dz = z - center[2];
    const d = Math.hypot(dx, dy, dz);
    if (d <= rHead) return d > rHead - 2 ? 600 : 250;
    // Neck: a cylinder of radius 15 mm from the centre along (-1, 0, -1)/sqrt(2) (lateral, inferior).
    const ax = -Math.SQRT1_2, az = -Math.SQRT1_2;
    const along = dx * ax + dz * az;
    const perp = Math.hypot(dx - along * ax, dy, dz - along * az);
    if (along > 0 && along < 60 && perp < 15) return perp > 13 ? 600 : 250;
    if (d <= rHead + joint) return 90;
    if (fossaMm > 0 && dx > 0.3 * d && dz > -0.2 * d) {
      if (d <= rHead + joint + fossaMm) return -80;
      return d <= rHead + joint + fossaMm + 3 ? 600 : 40;
    }
    // Cup over the superior hemisphere (and a little below the equator).
    if (dz > -0.2 * d && d <= rHead + joint + 14) return d < rHead + joint + 2 ? 600 : 250;
    return 40;
  };
  const grey = new Int16Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
    let s = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 3; c++) s += greyAt((i + (a - 1) / 3) * sp, (j + (b - 1) / 3) * sp, (k + (c - 1) / 3) * sp);
    grey[t] = Math.round(s / 27);
  }
  const thresholds: BoneThresholds = { softTissuePeakGrey: 40, softTissueSigmaGrey: 20, boneGrey: 100, corticalGrey: 600, bodyGrey: -300 };
  // All of it above the bone threshold is one hip part (the joint space is partial-volumed into bone).
  const parts = new Uint8Array(grey.length);
  for (let t = 0; t < grey.length; t++) if (grey[t]! >= thresholds.boneGrey) parts[t] = LABELS.hipRight;
  return { dims, g, ct: createVolume('hip', 'ct', g, grey), parts, thresholds, greyAt, rHead };
}

describe('femoral head fused to the acetabulum (3 mm voxels)', () => {
  it('finds the head sphere from the joint line and carves the head and neck out of the hip part', () => {
    const center: [number, number, number] = [61.3, 58.7, 52.1];
    const { dims, g, ct, parts, thresholds, rHead } = fusedHip(center);
    // The joint space is not a gap at this voxel size: the head and the cup are one part.
    const head = findFemoralHead(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, LABELS.hipRight);
    expect(head).not.toBeNull();
    const err = Math.hypot(head!.centerLps[0] - center[0], head!.centerLps[1] - center[1], head!.centerLps[2] - center[2]);
    // Within a voxel of the true centre; the radius lands in the joint space (23-26 mm).
    expect(err).toBeLessThan(3);
    expect(head!.radiusMm).toBeGreaterThan(rHead - 1.5);
    expect(head!.radiusMm).toBeLessThan(rHead + 3 + 1.5);
    expect(head!.jointDipGrey).toBeGreaterThan(thresholds.softTissueSigmaGrey);

    const carved = carveFusedFemoralHeads(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, 10);
    expect(carved.map((c) => c.side)).toEqual(['right']);
    // Every voxel centred in the head (1.5 mm inside its surface) is femur, and no voxel of
    // the cup beyond the joint space is.
    const p: [number, number, number] = [0, 0, 0];
    let headVoxels = 0, headFemur = 0, cupVoxels = 0, cupFemur = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      transformPoint(p, g.ijkToLps, [i, j, k]);
      const d = Math.hypot(p[0] - center[0], p[1] - center[1], p[2] - center[2]);
      if (d < rHead - 1.5) {
        headVoxels++;
        if (parts[t] === LABELS.femurRight) headFemur++;
      }
      if (parts[t] !== 0 && d > rHead + 3 + 3 && p[2] > center[2]) {
        cupVoxels++;
        if (parts[t] === LABELS.femurRight) cupFemur++;
      }
    }
    expect(headFemur).toBe(headVoxels);
    expect(cupVoxels).toBeGreaterThan(1000);
    expect(cupFemur).toBe(0);
    // The neck, lateral and inferior, goes with the head.
    const neck = transformPoint([0, 0, 0], g.lpsToIjk, [center[0] - 30, center[1], center[2] - 30]).map(Math.round) as [number, number, number];
    expect(parts[neck[0] + dims[0] * (neck[1] + dims[1] * neck[2])]).toBe(LABELS.femurRight);
  });

  it('refits the head on its free surface when the acetabular fossa draws the joint line\'s sphere off the head', () => {
    const center: [number, number, number] = [61.3, 58.7, 52.1];
    const { dims, g, ct, parts, thresholds, rHead } = fusedHip(center, 8);
    const dist = (c: readonly number[]) => Math.hypot(c[0]! - center[0], c[1]! - center[1], c[2]! - center[2]);
    // The fossa's fat is a dark shell too: the joint line's sphere is pulled off the head
    // (measured 3.7 mm, radius 26 mm).
    const joint = findFemoralHead(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, LABELS.hipRight)!;
    expect(dist(joint.centerLps)).toBeGreaterThan(3);
    const refined = refineHeadOnFreeSurface(parts, dims, [3, 3, 3], g.ijkToLps, LABELS.hipRight, joint);
    expect(refined).not.toBeNull();
    // Measured 0.9 mm, radius 23.4 mm (the head's 23).
    expect(dist(refined!.centerLps)).toBeLessThan(1.5);
    expect(Math.abs(refined!.radiusMm - rHead)).toBeLessThan(1.5);
    expect(refined!.freeSurface!.rmsMm).toBeLessThan(1.5);
    // The carving uses the refitted sphere: every voxel centred in the head is femur, and none of
    // the fossa's plate is.
    const carved = carveFusedFemoralHeads(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, 10);
    expect(carved).toHaveLength(1);
    expect(dist(carved[0]!.head.centerLps)).toBeLessThan(1.5);
    const p: [number, number, number] = [0, 0, 0];
    let headVoxels = 0, headFemur = 0, plateFemur = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      transformPoint(p, g.ijkToLps, [i, j, k]);
      const d = dist(p);
      if (d < rHead - 1.5) {
        headVoxels++;
        if (parts[t] === LABELS.femurRight) headFemur++;
      }
      if (parts[t] === LABELS.femurRight && d > rHead + 3 + 8 - 1.5 && p[0] - center[0] > 0.3 * d) plateFemur++;
    }
    expect(headFemur).toBe(headVoxels);
    expect(plateFemur).toBe(0);
  });

  it('keeps the joint line\'s sphere when the refit runs off the head (its top above the joint line\'s)', () => {
    const center: [number, number, number] = [61.3, 58.7, 52.1];
    const { dims, g, ct, parts, thresholds } = fusedHip(center);
    const joint = findFemoralHead(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, LABELS.hipRight)!;
    expect(refineHeadOnFreeSurface(parts, dims, [3, 3, 3], g.ijkToLps, LABELS.hipRight, joint)).not.toBeNull();
    // The same head, the joint line's sphere given 2 voxels lower: a refit whose top lies above it is not a head under that roof.
    const low = { ...joint, centerLps: [joint.centerLps[0], joint.centerLps[1], joint.centerLps[2] - 6] as [number, number, number] };
    expect(refineHeadOnFreeSurface(parts, dims, [3, 3, 3], g.ijkToLps, LABELS.hipRight, low)).toBeNull();
  });

  it('refuses a refit whose radius is not an adult head\'s (18-30 mm)', () => {
    // A ball of bone of radius 12 mm (a child's head, or a lump), its joint sphere given 3 mm
    // larger: the refit lands on the ball (top 3-6 mm under the joint sphere's) but is no adult head.
    const dims = [30, 30, 30] as const;
    const g = createVolumeGeometry({ dims, spacingMm: [3, 3, 3], originLps: [0, 0, 0] });
    const centre: [number, number, number] = [44.2, 45.1, 43.7];
    const parts = new Uint8Array(dims[0] * dims[1] * dims[2]);
    const p: [number, number, number] = [0, 0, 0];
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      transformPoint(p, g.ijkToLps, [i, j, k]);
      if (Math.hypot(p[0] - centre[0], p[1] - centre[1], p[2] - centre[2]) <= 12) parts[t] = LABELS.hipRight;
    }
    const joint = { centerLps: centre, radiusMm: 15, jointDipGrey: 50 };
    expect(refineHeadOnFreeSurface(parts, dims, [3, 3, 3], g.ijkToLps, LABELS.hipRight, joint)).toBeNull();
  });

  it('finds no head in a plain block of bone (no joint line) and changes nothing', () => {
    const dims = [30, 30, 30] as const;
    const g = createVolumeGeometry({ dims, spacingMm: [3, 3, 3], originLps: [0, 0, 0] });
    const grey = new Int16Array(dims[0] * dims[1] * dims[2]).fill(40);
    const parts = new Uint8Array(grey.length);
    for (let k = 3; k < 27; k++) for (let j = 3; j < 27; j++) for (let i = 3; i < 27; i++) {
      const t = i + 30 * (j + 30 * k);
      grey[t] = 300 + ((i * 7 + j * 13 + k * 5) % 11);
      parts[t] = LABELS.hipLeft;
    }
    const thresholds: BoneThresholds = { softTissuePeakGrey: 40, softTissueSigmaGrey: 20, boneGrey: 100, corticalGrey: 600, bodyGrey: -300 };
    const ct = createVolume('block', 'ct', g, grey);
    const before = parts.slice();
    expect(carveFusedFemoralHeads(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds, 10)).toEqual([]);
    expect(parts).toEqual(before);
  });
});

/**
 * A left sacroiliac joint on 3 mm voxels (3x3x3 supersampled): a sacrum (cancellous 250 under
 * a 2 mm cortex of 600) whose ala ends at an oblique joint plane (normal turned 20 degrees
 * posteriorly from lateral, 36 mm from the sacrum's centre plane), a 3 mm cleft of cartilage
 * (200) that the voxels blur into bone, then the ilium: a 15 mm plate (cortex 600, fatty
 * marrow 120: a deeper dip between its two cortices than the joint's, as on the real CT's
 * right side) and muscle (40). The parts mimic the erosion split's grow-back: the hip label
 * runs over the ala up to 12 mm medial of the joint.
 */
function fusedSacroiliac() {
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
    const s = signed(x, y, z);
    const edge = Math.min(30 - Math.abs(y - centre[1]!), z - 6, 66 - z);
    if (s < jointMm) return edge < 2 || s > jointMm - 2 ? 600 : 250;
    if (s < jointMm + 3) return 200;
    if (s < jointMm + 3 + 15) return edge < 2 || s < jointMm + 5 || s > jointMm + 16 ? 600 : 120;
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

describe('sacroiliac joint bridged by partial volume (3 mm voxels)', () => {
  it('finds the joint plane (not the ilium\'s marrow further out) and gives the ala medial of it back to the sacrum', () => {
    const { dims, g, ct, parts, thresholds, signed, jointMm, n } = fusedSacroiliac();
    const before = parts.slice();
    const planes = splitSacroiliacJoints(parts, dims, [3, 3, 3], g.ijkToLps, ct, thresholds);
    expect(planes.map((q) => q.side)).toEqual(['left']);
    // Orientation within the 10-degree search step of the true normal.
    const cos = planes[0]!.normalLps[0] * n[0]! + planes[0]!.normalLps[1] * n[1]! + planes[0]!.normalLps[2] * n[2]!;
    expect(cos).toBeGreaterThan(Math.cos((10 * Math.PI) / 180));
    const p: [number, number, number] = [0, 0, 0];
    let alaHip = 0, alaTotal = 0, iliumSacrum = 0, iliumTotal = 0;
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      if (!before[t]) continue;
      transformPoint(p, g.ijkToLps, [i, j, k]);
      const s = signed(p[0], p[1], p[2]);
      // The ala up to a voxel and a half from the joint, the ilium beyond the cleft.
      if (s < jointMm - 4.5) {
        alaTotal++;
        if (parts[t] !== LABELS.sacrum) alaHip++;
      }
      if (s > jointMm + 3 + 1.5) {
        iliumTotal++;
        if (parts[t] !== LABELS.hipLeft) iliumSacrum++;
      }
    }
    expect(alaTotal).toBeGreaterThan(1000);
    expect(iliumTotal).toBeGreaterThan(500);
    // Nearly all of the ala is sacrum again (the plane is within a search step of the joint's);
    // none of the ilium is taken.
    expect(alaHip / alaTotal).toBeLessThan(0.03);
    expect(iliumSacrum).toBe(0);
  });
});
