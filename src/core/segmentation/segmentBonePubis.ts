import type { Vec3 } from '../geometry/vec3';
import { transformPoint } from '../volume/VolumeGeometry';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { cappedGreySampler } from './segmentBoneGrey';

type Dims = readonly [number, number, number];

export type PubicSymphysisCut = {
  /** Unit normal of the symphysis plane, pointing to the patient's left (LPS +x side). */
  normalLps: Vec3;
  /** A point of the plane (LPS, mm). */
  pointLps: Vec3;
  /** Mean depth of the cleft below the brighter of the pubic bodies on its two sides (grey values). */
  cleftDipGrey: number;
  /** Voxels moved from the right hip part to the left one, and the other way, with their LPS centroids (NaN when none). */
  toLeft: number;
  toRight: number;
  toLeftCentroidLps: Vec3;
  toRightCentroidLps: Vec3;
};

/** Tilts of the symphysis plane searched about the vertical (patient turned) and the AP axis (degrees). */
const TILTS_DEG = [-10, 0, 10];

/**
 * Coarse voxels (3 mm): the pubic bodies are bridged across the symphysis by partial volume,
 * so when the fused pelvis is split by erosion the two hip pieces meet wherever their
 * grow-back fronts meet, which need not be the joint (on totalseg-example the right hip piece
 * took the whole left pubic body). The symphysis is a midline joint: a fibrocartilage disc
 * (a few mm, soft-tissue grey) between the two pubic bodies' cortices, i.e. a thin plane
 * darker than the bone on both sides, lying in the mid-sagittal plane. The pelvis is
 * bilaterally symmetric, so that plane lies near the midpoint of the two hip parts' lateral
 * extremes, whatever the patient's position in the field. Searched: planes facing left-right
 * (normal turned up to 10 degrees about the vertical and about the AP axis) within an eighth
 * of the pelvis's width of that midpoint, scored like the SI joint's cleft (the grey on the
 * plane below the brighter bone a voxel to a voxel and a half on either side) over the plane's
 * points anterior of and below the hip parts' centroids (the pubis, the lowest front of the
 * pelvis; the sacrum, the coccyx and the SI joints lie posterior, the iliac wings above) with
 * hip bone on both sides. The hip voxels in that band then take the side of the plane they lie on.
 *
 * Only when both hip parts are labelled and touch each other in that band (the boundary was
 * drawn by the split, not by an image gap) and the best plane's cleft is deeper than the
 * soft tissue's noise (one sigma). `parts` (part labels on a crop of `ct` whose ijk->LPS
 * matrix is `cropToLps`) is updated in place. Returns null when nothing was cut.
 */
export function splitPubicSymphysis(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  ct: Volume<VoxelArray>,
  thresholds: BoneThresholds,
): PubicSymphysisCut | null {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const hipL = LABELS.hipLeft, hipR = LABELS.hipRight;
  const p: Vec3 = [0, 0, 0];
  const mat = cropToLps;
  /** The LPS position of crop voxel (i, j, k), written into p (no array per voxel). */
  const at = (i: number, j: number, k: number): Vec3 => {
    p[0] = mat[0]! * i + mat[4]! * j + mat[8]! * k + mat[12]!;
    p[1] = mat[1]! * i + mat[5]! * j + mat[9]! * k + mat[13]!;
    p[2] = mat[2]! * i + mat[6]! * j + mat[10]! * k + mat[14]!;
    return p;
  };
  let xMin = Infinity, xMax = -Infinity;
  const cy = [0, 0], cz = [0, 0], count = [0, 0];
  const bMin: Vec3 = [Infinity, Infinity, Infinity], bMax: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    at(i, j, k);
    if (p[0] < xMin) xMin = p[0];
    if (p[0] > xMax) xMax = p[0];
    const s = l === hipL ? 0 : 1;
    cy[s]! += p[1];
    cz[s]! += p[2];
    count[s]!++;
  }
  if (count[0] === 0 || count[1] === 0) return null;
  const midX = (xMin + xMax) / 2;
  const band = (xMax - xMin) / 8;
  const yFront = (cy[0]! / count[0]! + cy[1]! / count[1]!) / 2;
  const zTop = (cz[0]! / count[0]! + cz[1]! / count[1]!) / 2;
  // The band: hip voxels anterior of and below the hips' centroids (the pubis is the lowest
  // front of the pelvis) within the band around the midpoint (searched planes reach a little
  // further); do the two hips touch there?
  const inBand = (q: Vec3) => q[1] < yFront && q[2] < zTop && Math.abs(q[0] - midX) <= 2 * band;
  let touch = false;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    at(i, j, k);
    if (!inBand(p)) continue;
    for (let a = 0; a < 3; a++) {
      if (p[a]! < bMin[a]!) bMin[a] = p[a]!;
      if (p[a]! > bMax[a]!) bMax[a] = p[a]!;
    }
    const other = l === hipL ? hipR : hipL;
    if ((i + 1 < ni && parts[t + 1] === other) || (j + 1 < nj && parts[t + ni] === other) || (k + 1 < nk && parts[t + nij] === other)) touch = true;
  }
  if (!touch) return null;

  const voxelMm = Math.max(...spacingMm);
  const toIjk = ct.geometry.lpsToIjk;
  /** Trilinear grey value at an LPS point (capped), NaN outside the image. */
  const grey = cappedGreySampler(ct, thresholds);
  // Crop ijk of an LPS point (nearest voxel) for the part lookup: crop ijk = CT ijk minus the crop's origin in CT ijk.
  const o = transformPoint([0, 0, 0], toIjk, [cropToLps[12]!, cropToLps[13]!, cropToLps[14]!]);
  const partAt = (x: number, y: number, z: number): number => {
    const i = Math.round(toIjk[0]! * x + toIjk[4]! * y + toIjk[8]! * z + toIjk[12]! - o[0]);
    const j = Math.round(toIjk[1]! * x + toIjk[5]! * y + toIjk[9]! * z + toIjk[13]! - o[1]);
    const k = Math.round(toIjk[2]! * x + toIjk[6]! * y + toIjk[10]! * z + toIjk[14]! - o[2]);
    if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
    return parts[i + ni * j + nij * k]!;
  };
  const isHip = (l: number) => l === hipL || l === hipR;
  // The band's centre; plane points on a voxel-spaced grid covering the band's box in y (along u,
  // the plane's horizontal axis, within 10 degrees of y) and z (along w), two voxels to spare.
  const centre: Vec3 = [midX, (bMin[1] + bMax[1]) / 2, (bMin[2] + bMax[2]) / 2];
  const reachU = Math.ceil((bMax[1] - bMin[1]) / 2 / Math.cos((Math.max(...TILTS_DEG) * Math.PI) / 180) / voxelMm) + 2;
  const reachW = Math.ceil((bMax[2] - bMin[2]) / 2 / Math.cos((Math.max(...TILTS_DEG) * Math.PI) / 180) / voxelMm) + 2;
  let best = { s: -Infinity, n: [1, 0, 0] as Vec3, off: 0 };
  const step = 0.5 * voxelMm;
  const offsets: number[] = [];
  for (let off = -band; off <= band + 1e-6; off += step) offsets.push(off);
  const nOff = offsets.length;
  // Per line of plane points along the normal (one per in-plane grid point): is there hip bone at
  // each half-voxel step, from two steps (a voxel) before the first offset to two after the last.
  const hipAlong = new Uint8Array(nOff + 4);
  const sums = new Float64Array(nOff), counts = new Int32Array(nOff);
  for (const thd of TILTS_DEG) for (const phd of TILTS_DEG) {
    const th = (thd * Math.PI) / 180, ph = (phd * Math.PI) / 180;
    const n: Vec3 = [Math.cos(th) * Math.cos(ph), Math.sin(th) * Math.cos(ph), Math.sin(ph)];
    // In-plane basis u (horizontal), w.
    const un = Math.hypot(n[0], n[1]);
    const u: Vec3 = [-n[1] / un, n[0] / un, 0];
    const w: Vec3 = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
    const ex = n[0] * voxelMm, ey = n[1] * voxelMm, ez = n[2] * voxelMm;
    sums.fill(0);
    counts.fill(0);
    for (let a = -reachU; a <= reachU; a++) for (let b = -reachW; b <= reachW; b++) {
      const bx = centre[0] + (u[0] * a + w[0] * b) * voxelMm, by = centre[1] + (u[1] * a + w[1] * b) * voxelMm, bz = centre[2] + (u[2] * a + w[2] * b) * voxelMm;
      let any = 0;
      for (let q = 0; q < nOff + 4; q++) {
        const e = -band + (q - 2) * step;
        any += hipAlong[q] = isHip(partAt(bx + n[0] * e, by + n[1] * e, bz + n[2] * e)) ? 1 : 0;
      }
      if (any < 2) continue;
      for (let m = 0; m < nOff; m++) {
        // Hip bone a voxel either side of the plane point.
        if (!hipAlong[m] || !hipAlong[m + 4]) continue;
        const off = offsets[m]!;
        const x = bx + n[0] * off, y = by + n[1] * off, z = bz + n[2] * off;
        if (y >= yFront || z >= zTop || Math.abs(x - midX) > 2 * band) continue;
        const line = Math.min(grey(x - 0.25 * ex, y - 0.25 * ey, z - 0.25 * ez), grey(x + 0.25 * ex, y + 0.25 * ey, z + 0.25 * ez));
        const inner = Math.max(grey(x - ex, y - ey, z - ez), grey(x - 1.5 * ex, y - 1.5 * ey, z - 1.5 * ez));
        const outer = Math.max(grey(x + ex, y + ey, z + ez), grey(x + 1.5 * ex, y + 1.5 * ey, z + 1.5 * ez));
        if (!Number.isFinite(line + inner + outer)) continue;
        sums[m]! += Math.min(inner - line, outer - line);
        counts[m]!++;
      }
    }
    // At least a pubic body's face: 4 x 4 points.
    for (let m = 0; m < nOff; m++) if (counts[m]! >= 16 && sums[m]! / counts[m]! > best.s) best = { s: sums[m]! / counts[m]!, n, off: offsets[m]! };
  }
  if (!(best.s > thresholds.softTissueSigmaGrey)) return null;
  const n = best.n;
  const point: Vec3 = [centre[0] + n[0] * best.off, centre[1] + n[1] * best.off, centre[2] + n[2] * best.off];
  let toLeft = 0, toRight = 0;
  const sumL: Vec3 = [0, 0, 0], sumR: Vec3 = [0, 0, 0];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    at(i, j, k);
    if (!inBand(p)) continue;
    const side = (p[0] - point[0]) * n[0] + (p[1] - point[1]) * n[1] + (p[2] - point[2]) * n[2];
    if (l === hipR && side > 0) {
      parts[t] = hipL;
      toLeft++;
      for (let a = 0; a < 3; a++) sumL[a]! += p[a]!;
    } else if (l === hipL && side < 0) {
      parts[t] = hipR;
      toRight++;
      for (let a = 0; a < 3; a++) sumR[a]! += p[a]!;
    }
  }
  return {
    normalLps: n,
    pointLps: point,
    cleftDipGrey: best.s,
    toLeft,
    toRight,
    toLeftCentroidLps: [sumL[0] / toLeft, sumL[1] / toLeft, sumL[2] / toLeft],
    toRightCentroidLps: [sumR[0] / toRight, sumR[1] / toRight, sumR[2] / toRight],
  };
}
