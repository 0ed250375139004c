import type { Vec3 } from '../geometry/vec3';
import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { transformPoint } from '../volume/VolumeGeometry';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';

type Dims = readonly [number, number, number];

/** Adult femoral-head radius range searched (mm). */
export const HEAD_RADIUS_MIN_MM = 18;
export const HEAD_RADIUS_MAX_MM = 30;
/**
 * The neck and the trochanters: within four head radii of the centre (head centre to the
 * lesser trochanter is about 70-80 mm), below it and at least 17 degrees lateral of the
 * vertical (the ischium and the pubis lie medial, the acetabular rim above the centre).
 */
const NECK_REACH_RADII = 4;
const NECK_LATERAL_COS = 0.3;

/**
 * The start of segmentBone's note for a femur carved out of its hip part by a sphere (coarse voxels,
 * the head fused to the acetabulum): "<side> femoral head fused to the acetabulum: carved out by its
 * sphere (...)". The structure review reads it: a hip joint fitted to such a femur is only as good
 * as that sphere, which on 3 mm CT can lie about a centimetre off the head (README, bone section).
 */
export function fusedHeadNotePrefix(side: 'left' | 'right'): string {
  return `${side} femoral head fused to the acetabulum: carved out by its sphere`;
}

export type FemoralHeadSphere = {
  centerLps: Vec3;
  radiusMm: number;
  /** Mean depth of the joint line below the brighter of its two sides (grey values). */
  jointDipGrey: number;
};

export type CarvedFemur = {
  side: 'left' | 'right';
  label: number;
  voxels: number;
  centroidLps: Vec3;
  head: FemoralHeadSphere;
};

/**
 * Coarse voxels (3 mm): the femoral head is fused to its acetabulum at every threshold
 * (the joint space, 2-4 mm of cartilage, is partial-volumed into bone), so the hip part
 * holds the head, the neck and the trochanter. The head is a sphere and the joint space a
 * thin shell around it that is darker than the subchondral bone on both sides (head inside,
 * acetabulum outside): the sphere is found by a search for the shell of lowest grey value
 * between brighter bone on both sides, over the directions that face the acetabulum
 * (superior hemisphere and the equator), centred near the hip part's deepest point below
 * its centroid (the head plus the acetabular roof is the thickest bone there).
 *
 * The hip part's voxels inside the sphere, and those lateral to and below its centre within
 * four radii (the neck and the trochanters: the acetabulum opens laterally and inferiorly,
 * the pubis and the ischium lie medial), become the femur. Only sides where no femur is
 * labelled; the sphere must show a joint line deeper than the soft tissue's noise (one
 * sigma), lie below the hip part's centroid and give at least `minFemurVoxels`.
 * `parts` (part labels on a crop of `ct` whose ijk->LPS matrix is `cropToLps`) is updated in place.
 */
export function carveFusedFemoralHeads(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  ct: Volume<VoxelArray>,
  thresholds: BoneThresholds,
  minFemurVoxels: number,
): CarvedFemur[] {
  const out: CarvedFemur[] = [];
  for (const side of ['left', 'right'] as const) {
    const hip = side === 'left' ? LABELS.hipLeft : LABELS.hipRight;
    const femur = side === 'left' ? LABELS.femurLeft : LABELS.femurRight;
    if (parts.includes(femur) || !parts.includes(hip)) continue;
    const head = findFemoralHead(parts, dims, spacingMm, cropToLps, ct, thresholds, hip);
    if (!head) continue;
    // Patient left is LPS +x: the lateral direction of the left hip.
    const lateral = side === 'left' ? 1 : -1;
    const [ni, nj, nk] = dims;
    const r = head.radiusMm;
    const c = head.centerLps;
    const p: Vec3 = [0, 0, 0];
    const take: number[] = [];
    const sum: Vec3 = [0, 0, 0];
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      if (parts[t] !== hip) continue;
      transformPoint(p, cropToLps, [i, j, k]);
      const x = p[0] - c[0], y = p[1] - c[1], z = p[2] - c[2];
      const d = Math.hypot(x, y, z);
      if (d <= r || (x * lateral > NECK_LATERAL_COS * d && z < 0 && d < NECK_REACH_RADII * r)) {
        take.push(t);
        for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
      }
    }
    if (take.length < minFemurVoxels) continue;
    for (const t of take) parts[t] = femur;
    out.push({ side, label: femur, voxels: take.length, centroidLps: [sum[0] / take.length, sum[1] / take.length, sum[2] / take.length], head });
  }
  return out;
}

/**
 * The femoral head of hip part `hip` (see {@link carveFusedFemoralHeads}), or null when no
 * joint line deeper than the soft tissue's noise is found.
 */
export function findFemoralHead(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  ct: Volume<VoxelArray>,
  thresholds: BoneThresholds,
  hip: number,
): FemoralHeadSphere | null {
  const [ni, nj, nk] = dims;
  const n = ni * nj * nk;
  // Seed: the deepest voxel of the part below its centroid.
  const depth2 = new Float32Array(n);
  let zSum = 0, count = 0;
  const p: Vec3 = [0, 0, 0];
  const zOf = new Float32Array(n);
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== hip) continue;
    depth2[t] = EDT_FAR;
    transformPoint(p, cropToLps, [i, j, k]);
    zOf[t] = p[2];
    zSum += p[2];
    count++;
  }
  if (count === 0) return null;
  const zCentroid = zSum / count;
  squaredDistanceInPlace(depth2, dims, spacingMm);
  let seed = -1;
  for (let t = 0; t < n; t++) if (parts[t] === hip && zOf[t]! < zCentroid && (seed < 0 || depth2[t]! > depth2[seed]!)) seed = t;
  if (seed < 0) return null;
  const seedLps = transformPoint([0, 0, 0], cropToLps, [seed % ni, Math.floor(seed / ni) % nj, Math.floor(seed / (ni * nj))]);

  // Grey values capped well above trabecular bone (metal and its streaks would dominate the
  // means): eight times the bone threshold's height above the soft-tissue peak.
  const cap = thresholds.softTissuePeakGrey + 8 * (thresholds.boneGrey - thresholds.softTissuePeakGrey);
  const [gi, gj, gk] = ct.geometry.dims;
  const v = ct.voxels;
  const lpsToIjk = ct.geometry.lpsToIjk;
  /** Trilinear grey value at an LPS point (capped), NaN outside the image. */
  const grey = (x: number, y: number, z: number): number => {
    const fi = lpsToIjk[0]! * x + lpsToIjk[4]! * y + lpsToIjk[8]! * z + lpsToIjk[12]!;
    const fj = lpsToIjk[1]! * x + lpsToIjk[5]! * y + lpsToIjk[9]! * z + lpsToIjk[13]!;
    const fk = lpsToIjk[2]! * x + lpsToIjk[6]! * y + lpsToIjk[10]! * z + lpsToIjk[14]!;
    const i = Math.floor(fi), j = Math.floor(fj), k = Math.floor(fk);
    if (i < 0 || j < 0 || k < 0 || i >= gi - 1 || j >= gj - 1 || k >= gk - 1) return NaN;
    const a = fi - i, b = fj - j, c = fk - k;
    let s = 0;
    for (let d = 0; d < 8; d++) {
      const w = (d & 1 ? a : 1 - a) * (d & 2 ? b : 1 - b) * (d & 4 ? c : 1 - c);
      s += w * Math.min(cap, v[i + (d & 1) + gi * (j + (d & 2 ? 1 : 0) + gj * (k + (d & 4 ? 1 : 0)))]!);
    }
    return s;
  };
  // Directions facing the acetabulum: the superior hemisphere down to a little below the
  // equator (a Fibonacci sphere of `total` points, those with z > -0.2 kept).
  const facing = (total: number): Vec3[] => {
    const dirs: Vec3[] = [];
    for (let q = 0; q < total; q++) {
      const z = 1 - (2 * (q + 0.5)) / total;
      if (z <= -0.2) continue;
      const rho = Math.sqrt(1 - z * z), phi = q * 2.399963229728653;
      dirs.push([rho * Math.cos(phi), rho * Math.sin(phi), z]);
    }
    return dirs;
  };
  const coarseDirs = facing(100), fineDirs = facing(240);
  const voxelMm = Math.max(...spacingMm);
  // Joint line at radius r: grey at r (the lower of r -/+ a quarter voxel) below the brighter
  // bone a voxel to a voxel and a half inside (head) and outside (acetabulum).
  const score = (cx: number, cy: number, cz: number, r: number, dirs: Vec3[]): number => {
    let s = 0, m = 0;
    const q = 0.25 * voxelMm, a1 = voxelMm, a2 = 1.5 * voxelMm;
    for (const d of dirs) {
      const at = (rr: number) => grey(cx + d[0] * rr, cy + d[1] * rr, cz + d[2] * rr);
      const line = Math.min(at(r - q), at(r + q));
      const inner = Math.max(at(r - a1), at(r - a2));
      const outer = Math.max(at(r + a1), at(r + a2));
      if (!Number.isFinite(line + inner + outer)) continue;
      s += Math.min(inner - line, outer - line);
      m++;
    }
    return m > 0.5 * dirs.length ? s / m : -Infinity;
  };
  // Coarse search on the voxel grid (centre within 4 voxels across and from 9 voxels below to
  // 2 above the seed: the seed sits in the head plus the acetabular roof), then refined at a
  // third of a voxel.
  let best = { s: -Infinity, c: [0, 0, 0] as Vec3, r: 0 };
  const rStep = voxelMm / 1.5;
  for (let dz = -9; dz <= 2; dz++) for (let dy = -4; dy <= 4; dy++) for (let dx = -4; dx <= 4; dx++) {
    const c: Vec3 = [seedLps[0] + dx * voxelMm, seedLps[1] + dy * voxelMm, seedLps[2] + dz * voxelMm];
    for (let r = HEAD_RADIUS_MIN_MM; r <= HEAD_RADIUS_MAX_MM + 1e-6; r += rStep) {
      const s = score(c[0], c[1], c[2], r, coarseDirs);
      if (s > best.s) best = { s, c, r };
    }
  }
  if (!Number.isFinite(best.s)) return null;
  const coarse = best;
  best = { s: score(coarse.c[0], coarse.c[1], coarse.c[2], coarse.r, fineDirs), c: coarse.c, r: coarse.r };
  const f = voxelMm / 3;
  for (let dz = -3; dz <= 3; dz++) for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
    const c: Vec3 = [coarse.c[0] + dx * f, coarse.c[1] + dy * f, coarse.c[2] + dz * f];
    for (let dr = -2; dr <= 2; dr++) {
      const r = coarse.r + dr * f;
      if (r < HEAD_RADIUS_MIN_MM || r > HEAD_RADIUS_MAX_MM) continue;
      const s = score(c[0], c[1], c[2], r, fineDirs);
      if (s > best.s) best = { s, c, r };
    }
  }
  if (best.s < thresholds.softTissueSigmaGrey || best.c[2] >= zCentroid) return null;
  return { centerLps: best.c, radiusMm: best.r, jointDipGrey: best.s };
}

// The SI joint split moved to segmentBoneSacroiliac.ts (25 Nov, helper M); re-exported for the callers of this module.
export { splitSacroiliacJoints, type SacroiliacPlane } from './segmentBoneSacroiliac';
