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

export type SacroiliacPlane = {
  side: 'left' | 'right';
  /** Unit normal pointing laterally (LPS). */
  normalLps: Vec3;
  /** Signed distance of the joint plane from the sacrum part's centroid along the normal (mm). */
  offsetMm: number;
  jointDipGrey: number;
  /** Hip voxels moved to the sacrum, and their centroid. */
  moved: number;
  movedCentroidLps: Vec3;
};

/**
 * Coarse voxels: when a sacrum bridged to the hip bones by partial volume across the SI
 * joints is split by erosion, the hip pieces grow back over the sacral alae. The SI joint is
 * a thin, roughly planar cleft between the sacral and the iliac cortex, a little darker
 * than both: per side, planes facing laterally (normal turned 0-50 degrees posteriorly or
 * anteriorly in the axial plane, tilted up to 20 degrees) are scored by how far the grey
 * value on the plane lies below the brighter bone a voxel to a voxel and a half on either
 * side, over the plane's points that have bone on both sides within the sacrum's height.
 * For the best orientation, the profile along the normal shows the joint and, further out,
 * the ilium's own marrow between its two cortices: the joint is the most medial positive
 * local maximum. The hip voxels medial of that plane, within the sacrum's height and not
 * anterior of it, become sacrum. `parts` is updated in place.
 */
export function splitSacroiliacJoints(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  ct: Volume<VoxelArray>,
  thresholds: BoneThresholds,
): SacroiliacPlane[] {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const sac = LABELS.sacrum;
  const c: Vec3 = [0, 0, 0];
  let count = 0, zMin = Infinity, zMax = -Infinity, yMin = Infinity;
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== sac) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    for (let a = 0; a < 3; a++) c[a]! += p[a]!;
    count++;
    if (p[2] < zMin) zMin = p[2];
    if (p[2] > zMax) zMax = p[2];
    if (p[1] < yMin) yMin = p[1];
  }
  if (count === 0) return [];
  for (let a = 0; a < 3; a++) c[a]! /= count;
  const voxelMm = Math.max(...spacingMm);
  const cap = thresholds.softTissuePeakGrey + 8 * (thresholds.boneGrey - thresholds.softTissuePeakGrey);
  const [gi, gj, gk] = ct.geometry.dims;
  const v = ct.voxels;
  const toIjk = ct.geometry.lpsToIjk;
  const fromLps = (x: number, y: number, z: number, out: Vec3): Vec3 => {
    out[0] = toIjk[0]! * x + toIjk[4]! * y + toIjk[8]! * z + toIjk[12]!;
    out[1] = toIjk[1]! * x + toIjk[5]! * y + toIjk[9]! * z + toIjk[13]!;
    out[2] = toIjk[2]! * x + toIjk[6]! * y + toIjk[10]! * z + toIjk[14]!;
    return out;
  };
  const q: Vec3 = [0, 0, 0];
  const grey = (x: number, y: number, z: number): number => {
    fromLps(x, y, z, q);
    const i = Math.floor(q[0]), j = Math.floor(q[1]), k = Math.floor(q[2]);
    if (i < 0 || j < 0 || k < 0 || i >= gi - 1 || j >= gj - 1 || k >= gk - 1) return NaN;
    const a = q[0] - i, b = q[1] - j, cc = q[2] - k;
    let s = 0;
    for (let d = 0; d < 8; d++) {
      const w = (d & 1 ? a : 1 - a) * (d & 2 ? b : 1 - b) * (d & 4 ? cc : 1 - cc);
      s += w * Math.min(cap, v[i + (d & 1) + gi * (j + (d & 2 ? 1 : 0) + gj * (k + (d & 4 ? 1 : 0)))]!);
    }
    return s;
  };
  // Crop ijk of an LPS point (nearest voxel) for the part lookup.
  const cropInv = new Float64Array(16);
  {
    // Crop ijk = CT ijk minus the crop's origin in CT ijk.
    const o = transformPoint([0, 0, 0], toIjk, [cropToLps[12]!, cropToLps[13]!, cropToLps[14]!]);
    cropInv.set(toIjk);
    cropInv[12] = toIjk[12]! - o[0];
    cropInv[13] = toIjk[13]! - o[1];
    cropInv[14] = toIjk[14]! - o[2];
  }
  const partAt = (x: number, y: number, z: number): number => {
    const i = Math.round(cropInv[0]! * x + cropInv[4]! * y + cropInv[8]! * z + cropInv[12]!);
    const j = Math.round(cropInv[1]! * x + cropInv[5]! * y + cropInv[9]! * z + cropInv[13]!);
    const k = Math.round(cropInv[2]! * x + cropInv[6]! * y + cropInv[10]! * z + cropInv[14]!);
    if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
    return parts[i + ni * j + nij * k]!;
  };
  const out: SacroiliacPlane[] = [];
  for (const side of ['left', 'right'] as const) {
    const hip = side === 'left' ? LABELS.hipLeft : LABELS.hipRight;
    if (!parts.includes(hip)) continue;
    const lat = side === 'left' ? 1 : -1;
    const offsets: number[] = [];
    for (let o = voxelMm; o <= 25 * voxelMm + 1e-6; o += 0.5 * voxelMm) offsets.push(o);
    let best = { s: -Infinity, n: [0, 0, 0] as Vec3, profile: [] as number[] };
    for (let thd = -50; thd <= 50; thd += 10) for (let phd = -20; phd <= 20; phd += 10) {
      const th = (thd * Math.PI) / 180, ph = (phd * Math.PI) / 180;
      const n: Vec3 = [lat * Math.cos(th) * Math.cos(ph), Math.sin(th) * Math.cos(ph), Math.sin(ph)];
      // In-plane basis u (horizontal), w.
      const un = Math.hypot(n[0], n[1]);
      const u: Vec3 = [-n[1] / un, n[0] / un, 0];
      const w: Vec3 = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
      const profile = offsets.map((off) => {
        let s = 0, m = 0;
        for (let a = -20; a <= 20; a++) for (let b = -20; b <= 20; b++) {
          const x = c[0] + n[0] * off + (u[0] * a + w[0] * b) * voxelMm;
          const y = c[1] + n[1] * off + (u[1] * a + w[1] * b) * voxelMm;
          const z = c[2] + n[2] * off + (u[2] * a + w[2] * b) * voxelMm;
          if (z < zMin || z > zMax + voxelMm) continue;
          if (!partAt(x - n[0] * voxelMm, y - n[1] * voxelMm, z - n[2] * voxelMm) || !partAt(x + n[0] * voxelMm, y + n[1] * voxelMm, z + n[2] * voxelMm)) continue;
          const at = (e: number) => grey(x + n[0] * e * voxelMm, y + n[1] * e * voxelMm, z + n[2] * e * voxelMm);
          const line = Math.min(at(-0.25), at(0.25));
          const inner = Math.max(at(-1), at(-1.5)), outer = Math.max(at(1), at(1.5));
          if (!Number.isFinite(line + inner + outer)) continue;
          s += Math.min(inner - line, outer - line);
          m++;
        }
        return m >= 40 ? s / m : -Infinity;
      });
      const top = Math.max(...profile);
      if (top > best.s) best = { s: top, n, profile };
    }
    if (!(best.s > 0)) continue;
    // The most medial positive local maximum of the profile.
    const pr = best.profile;
    let at = -1;
    for (let o = 0; o < pr.length; o++) {
      if (!(pr[o]! > 0)) continue;
      if ((o === 0 || pr[o]! >= pr[o - 1]!) && (o === pr.length - 1 || pr[o]! >= pr[o + 1]!)) {
        at = o;
        break;
      }
    }
    if (at < 0) continue;
    const off = offsets[at]!, n = best.n;
    let moved = 0;
    const sum: Vec3 = [0, 0, 0];
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      if (parts[t] !== hip) continue;
      transformPoint(p, cropToLps, [i, j, k]);
      if (p[2] < zMin || p[2] > zMax + voxelMm || p[1] < yMin) continue;
      if ((p[0] - c[0]) * n[0] + (p[1] - c[1]) * n[1] + (p[2] - c[2]) * n[2] >= off) continue;
      parts[t] = sac;
      moved++;
      for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
    }
    if (moved === 0) continue;
    out.push({ side, normalLps: n, offsetMm: off, jointDipGrey: pr[at]!, moved, movedCentroidLps: [sum[0] / moved, sum[1] / moved, sum[2] / moved] });
  }
  return out;
}
