import type { Vec3 } from '../geometry/vec3';
import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { transformPoint } from '../volume/VolumeGeometry';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { cappedGreySampler } from './segmentBoneGrey';

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
 * as that sphere, which on 3 mm CT can lie about a centimetre off the head (README, bone section;
 * the joint line's sphere on totalseg-example; refitted on the head's free surface, the right one
 * lies 0.8 mm from the reference head, the left one, around an implant, is not refitted).
 */
export function fusedHeadNotePrefix(side: 'left' | 'right'): string {
  return `${side} femoral head fused to the acetabulum: carved out by its sphere`;
}

export type FemoralHeadSphere = {
  centerLps: Vec3;
  radiusMm: number;
  /** Mean depth of the joint line below the brighter of its two sides (grey values). */
  jointDipGrey: number;
  /**
   * Set when the sphere was refitted to the head's free surface (`refineHeadOnFreeSurface`):
   * the surface points used and their RMS distance to the sphere (mm). The radius is then the
   * bone surface's (the joint line lies a little outside it).
   */
  freeSurface?: { points: number; rmsMm: number };
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
    const joint = findFemoralHead(parts, dims, spacingMm, cropToLps, ct, thresholds, hip);
    if (!joint) continue;
    // The joint line's sphere can take the acetabular fossa's fat for the joint (a smaller sphere
    // tucked into the cup, superomedial of the head): refined on the head's free surface.
    const head = refineHeadOnFreeSurface(parts, dims, spacingMm, cropToLps, hip, joint) ?? joint;
    // Patient left is LPS +x: the lateral direction of the left hip.
    const lateral = side === 'left' ? 1 : -1;
    const [ni, nj, nk] = dims;
    const r = head.radiusMm;
    // A refitted sphere passes through the centres of the head's outermost bone voxels, on
    // average half a voxel inside its surface: the head reaches half a voxel further.
    const rHead = head.freeSurface ? r + 0.5 * Math.max(...spacingMm) : r;
    const c = head.centerLps;
    const p: Vec3 = [0, 0, 0];
    const take: number[] = [];
    const sum: Vec3 = [0, 0, 0];
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      if (parts[t] !== hip) continue;
      transformPoint(p, cropToLps, [i, j, k]);
      const x = p[0] - c[0], y = p[1] - c[1], z = p[2] - c[2];
      const d = Math.hypot(x, y, z);
      if (d <= rHead || (x * lateral > NECK_LATERAL_COS * d && z < 0 && d < NECK_REACH_RADII * r)) {
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

  // Grey values capped well above trabecular bone (metal and its streaks would dominate the means).
  const grey = cappedGreySampler(ct, thresholds);
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

/** Surface points farther than this from the sphere (in voxels) are not used in a refit. */
const FREE_SURFACE_BAND_VOXELS = 5 / 3;
/** A surface point is used when its outward normal is within 45 degrees of the radial direction. */
const FREE_SURFACE_NORMAL_COS = Math.SQRT1_2;
/**
 * Covered directions: within 60 degrees of medial (the acetabular fossa and the quadrilateral
 * plate) or of superior (the acetabular roof): a bone surface there at the head's distance is
 * the pelvis's, not the head's.
 */
const COVERED_COS = 0.5;
const REFIT_MAX_ITERATIONS = 40;

/**
 * Coarse voxels: the joint line's sphere (`findFemoralHead`) can take the acetabular fossa
 * for the joint. The fossa (inferomedial in the cup, fat-filled, floored by the thin
 * quadrilateral plate) is a dark band between two brighter layers like the joint, but wider
 * and a few mm medial of the head; the sphere through it is a smaller sphere tucked into the
 * superomedial cup (on totalseg-example 9-11 mm superomedial of the reference heads). Its top
 * still lies on the roof's joint line. The head's free surface (anterior, posterior,
 * inferior and lateral: the neck side; the acetabulum covers the superior and medial aspects)
 * is a plain bone-to-soft-tissue surface of the hip part at 3 mm: the sphere is refitted to it.
 *
 * Starting from the joint's sphere, repeatedly: the hip part's surface voxels (a 6-neighbour
 * in the crop not bone) within 5/3 voxels of the sphere, whose outward normal (the
 * 26-neighbourhood's non-part offsets summed) is within 45 degrees of the radial direction
 * and outside the covered cones (60 degrees around medial and around superior), are fitted
 * with a least-squares sphere, until the centre moves
 * less than 0.05 mm (at most 40 rounds). Accepted (else null: keep the joint's sphere) with
 * at least 20 points, a radius in the adult range, and its top at most three voxels below
 * the joint sphere's top and never above it (the head's bone surface lies under the roof's
 * joint line by the two cartilage layers, 2-4 mm, plus the partial volume; a refit that ran
 * off into the ilium, or down into the neck, does not).
 */
export function refineHeadOnFreeSurface(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  hip: number,
  joint: FemoralHeadSphere,
): FemoralHeadSphere | null {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const voxelMm = Math.max(...spacingMm);
  // Patient left is LPS +x: the medial direction of the left hip is -x.
  const medialX = hip === LABELS.hipLeft ? -1 : 1;
  // Surface points of the hip part near the joint's sphere (within the reach of any refit).
  const reach = HEAD_RADIUS_MAX_MM + 3 * voxelMm;
  const pts: number[] = [], nrm: number[] = [];
  const p: Vec3 = [0, 0, 0];
  const jc = joint.centerLps;
  // Direction of each of the 26 neighbour offsets in LPS (for the normals).
  const offs: [number, number, number, Vec3][] = [];
  for (let c = -1; c <= 1; c++) for (let b = -1; b <= 1; b++) for (let a = -1; a <= 1; a++) {
    if (a === 0 && b === 0 && c === 0) continue;
    const d: Vec3 = [cropToLps[0]! * a + cropToLps[4]! * b + cropToLps[8]! * c, cropToLps[1]! * a + cropToLps[5]! * b + cropToLps[9]! * c, cropToLps[2]! * a + cropToLps[6]! * b + cropToLps[10]! * c];
    const l = Math.hypot(d[0], d[1], d[2]);
    offs.push([a, b, c, [d[0] / l, d[1] / l, d[2] / l]]);
  }
  for (let k = 1; k < nk - 1; k++) for (let j = 1; j < nj - 1; j++) for (let i = 1, t = 1 + ni * (j + nj * k); i < ni - 1; i++, t++) {
    if (parts[t] !== hip) continue;
    if (parts[t - 1] !== 0 && parts[t + 1] !== 0 && parts[t - ni] !== 0 && parts[t + ni] !== 0 && parts[t - nij] !== 0 && parts[t + nij] !== 0) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    if (Math.hypot(p[0] - jc[0], p[1] - jc[1], p[2] - jc[2]) > reach) continue;
    const n: Vec3 = [0, 0, 0];
    for (const [a, b, c, d] of offs) {
      if (parts[t + a + ni * b + nij * c] === hip) continue;
      n[0] += d[0];
      n[1] += d[1];
      n[2] += d[2];
    }
    const l = Math.hypot(n[0], n[1], n[2]);
    if (l === 0) continue;
    pts.push(p[0], p[1], p[2]);
    nrm.push(n[0] / l, n[1] / l, n[2] / l);
  }
  const band = FREE_SURFACE_BAND_VOXELS * voxelMm;
  let c: Vec3 = [jc[0], jc[1], jc[2]], r = joint.radiusMm;
  let used = 0, rms = Infinity;
  for (let round = 0; round < REFIT_MAX_ITERATIONS; round++) {
    // Normal equations of the algebraic fit |p|^2 = 2 c.p + (r^2 - |c|^2).
    const ata = new Float64Array(16), atb = new Float64Array(4);
    const sel: number[] = [];
    for (let s = 0; s < pts.length; s += 3) {
      const x = pts[s]! - c[0], y = pts[s + 1]! - c[1], z = pts[s + 2]! - c[2];
      const d = Math.hypot(x, y, z);
      if (d === 0 || Math.abs(d - r) >= band) continue;
      const ux = x / d, uy = y / d, uz = z / d;
      if (ux * nrm[s]! + uy * nrm[s + 1]! + uz * nrm[s + 2]! <= FREE_SURFACE_NORMAL_COS) continue;
      if (ux * medialX > COVERED_COS || uz > COVERED_COS) continue;
      sel.push(s);
      const row = [2 * pts[s]!, 2 * pts[s + 1]!, 2 * pts[s + 2]!, 1];
      const rhs = pts[s]! * pts[s]! + pts[s + 1]! * pts[s + 1]! + pts[s + 2]! * pts[s + 2]!;
      for (let a = 0; a < 4; a++) {
        atb[a]! += row[a]! * rhs;
        for (let b = 0; b < 4; b++) ata[4 * a + b]! += row[a]! * row[b]!;
      }
    }
    if (sel.length < 20) return null;
    const sol = solve4(ata, atb);
    if (!sol) return null;
    const c2: Vec3 = [sol[0]!, sol[1]!, sol[2]!];
    const r2sq = sol[3]! + c2[0] * c2[0] + c2[1] * c2[1] + c2[2] * c2[2];
    if (!(r2sq > 0)) return null;
    const moved = Math.hypot(c2[0] - c[0], c2[1] - c[1], c2[2] - c[2]);
    c = c2;
    r = Math.sqrt(r2sq);
    used = sel.length;
    let ss = 0;
    for (const s of sel) ss += (Math.hypot(pts[s]! - c[0], pts[s + 1]! - c[1], pts[s + 2]! - c[2]) - r) ** 2;
    rms = Math.sqrt(ss / sel.length);
    if (moved < 0.05) break;
  }
  if (r < HEAD_RADIUS_MIN_MM || r > HEAD_RADIUS_MAX_MM) return null;
  const jointTop = jc[2] + joint.radiusMm, top = c[2] + r;
  if (top > jointTop || top < jointTop - 3 * voxelMm) return null;
  return { centerLps: c, radiusMm: r, jointDipGrey: joint.jointDipGrey, freeSurface: { points: used, rmsMm: rms } };
}

/** Solves the 4 x 4 system m x = b (row-major m) by Gaussian elimination with partial pivoting; null when singular. */
function solve4(m: Float64Array, b: Float64Array): Float64Array | null {
  const a = Float64Array.from(m), x = Float64Array.from(b);
  for (let col = 0; col < 4; col++) {
    let piv = col;
    for (let r = col + 1; r < 4; r++) if (Math.abs(a[4 * r + col]!) > Math.abs(a[4 * piv + col]!)) piv = r;
    if (Math.abs(a[4 * piv + col]!) < 1e-12) return null;
    if (piv !== col) {
      for (let c = 0; c < 4; c++) {
        const tmp = a[4 * col + c]!;
        a[4 * col + c] = a[4 * piv + c]!;
        a[4 * piv + c] = tmp;
      }
      const tb = x[col]!;
      x[col] = x[piv]!;
      x[piv] = tb;
    }
    for (let r = col + 1; r < 4; r++) {
      const f = a[4 * r + col]! / a[4 * col + col]!;
      for (let c = col; c < 4; c++) a[4 * r + c]! -= f * a[4 * col + c]!;
      x[r]! -= f * x[col]!;
    }
  }
  for (let r = 3; r >= 0; r--) {
    let s = x[r]!;
    for (let c = r + 1; c < 4; c++) s -= a[4 * r + c]! * x[c]!;
    x[r] = s / a[4 * r + r]!;
  }
  return x;
}

// The SI joint split moved to segmentBoneSacroiliac.ts (25 Nov, helper M); re-exported for the callers of this module.
export { splitSacroiliacJoints, type SacroiliacPlane } from './segmentBoneSacroiliac';
