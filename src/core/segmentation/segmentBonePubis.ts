import type { Vec3 } from '../geometry/vec3';
import { transformPoint } from '../volume/VolumeGeometry';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';

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
const TILTS_DEG = [-20, -10, 0, 10, 20];

/**
 * Coarse voxels (3 mm): the pubic bodies are bridged across the symphysis by partial volume,
 * so when the fused pelvis is split by erosion the two hip pieces meet wherever their
 * grow-back fronts meet, which need not be the joint (on totalseg-example the right hip piece
 * took the whole left pubic body). The symphysis is a midline joint: a fibrocartilage disc
 * (a few mm, soft-tissue grey) between the two pubic bodies' cortices, i.e. a thin plane
 * darker than the bone on both sides, lying in the mid-sagittal plane. The pelvis is
 * bilaterally symmetric, so that plane lies near the midpoint of the two hip parts' lateral
 * extremes, whatever the patient's position in the field. Searched: planes facing left-right
 * (normal turned up to 20 degrees about the vertical and about the AP axis) within an eighth
 * of the pelvis's width of that midpoint, scored like the SI joint's cleft (the grey on the
 * plane below the brighter bone a voxel to a voxel and a half on either side) over the plane's
 * points anterior of the hip parts' centroids (the pubis; the sacrum, the coccyx and the SI
 * joints lie posterior of them) with hip bone on both sides. The hip voxels in that anterior
 * band then take the side of the plane they lie on.
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
  let xMin = Infinity, xMax = -Infinity;
  const cy = [0, 0], count = [0, 0];
  const bMin: Vec3 = [Infinity, Infinity, Infinity], bMax: Vec3 = [-Infinity, -Infinity, -Infinity];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    if (p[0] < xMin) xMin = p[0];
    if (p[0] > xMax) xMax = p[0];
    const s = l === hipL ? 0 : 1;
    cy[s]! += p[1];
    count[s]!++;
  }
  if (count[0] === 0 || count[1] === 0) return null;
  const midX = (xMin + xMax) / 2;
  const band = (xMax - xMin) / 8;
  const yFront = (cy[0]! / count[0]! + cy[1]! / count[1]!) / 2;
  // The band: hip voxels anterior of the hips' centroids within the band around the midpoint
  // (searched planes reach a little further); do the two hips touch there?
  const inBand = (q: Vec3) => q[1] < yFront && Math.abs(q[0] - midX) <= 2 * band;
  let touch = false;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    transformPoint(p, cropToLps, [i, j, k]);
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
  const cap = thresholds.softTissuePeakGrey + 8 * (thresholds.boneGrey - thresholds.softTissuePeakGrey);
  const [gi, gj, gk] = ct.geometry.dims;
  const v = ct.voxels;
  const toIjk = ct.geometry.lpsToIjk;
  /** Trilinear grey value at an LPS point (capped), NaN outside the image. */
  const grey = (x: number, y: number, z: number): number => {
    const fi = toIjk[0]! * x + toIjk[4]! * y + toIjk[8]! * z + toIjk[12]!;
    const fj = toIjk[1]! * x + toIjk[5]! * y + toIjk[9]! * z + toIjk[13]!;
    const fk = toIjk[2]! * x + toIjk[6]! * y + toIjk[10]! * z + toIjk[14]!;
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
  // The band's centre; plane points on a voxel-spaced grid wide enough to cover the band's box.
  const centre: Vec3 = [midX, (bMin[1] + bMax[1]) / 2, (bMin[2] + bMax[2]) / 2];
  const reach = Math.ceil(Math.hypot(bMax[0] - bMin[0], bMax[1] - bMin[1], bMax[2] - bMin[2]) / 2 / voxelMm) + 1;
  let best = { s: -Infinity, n: [1, 0, 0] as Vec3, off: 0 };
  for (const thd of TILTS_DEG) for (const phd of TILTS_DEG) {
    const th = (thd * Math.PI) / 180, ph = (phd * Math.PI) / 180;
    const n: Vec3 = [Math.cos(th) * Math.cos(ph), Math.sin(th) * Math.cos(ph), Math.sin(ph)];
    // In-plane basis u (horizontal), w.
    const un = Math.hypot(n[0], n[1]);
    const u: Vec3 = [-n[1] / un, n[0] / un, 0];
    const w: Vec3 = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
    for (let off = -band; off <= band + 1e-6; off += 0.5 * voxelMm) {
      let s = 0, m = 0;
      for (let a = -reach; a <= reach; a++) for (let b = -reach; b <= reach; b++) {
        const x = centre[0] + n[0] * off + (u[0] * a + w[0] * b) * voxelMm;
        const y = centre[1] + n[1] * off + (u[1] * a + w[1] * b) * voxelMm;
        const z = centre[2] + n[2] * off + (u[2] * a + w[2] * b) * voxelMm;
        if (y >= yFront || Math.abs(x - midX) > 2 * band) continue;
        if (!isHip(partAt(x - n[0] * voxelMm, y - n[1] * voxelMm, z - n[2] * voxelMm)) || !isHip(partAt(x + n[0] * voxelMm, y + n[1] * voxelMm, z + n[2] * voxelMm))) continue;
        const at = (e: number) => grey(x + n[0] * e * voxelMm, y + n[1] * e * voxelMm, z + n[2] * e * voxelMm);
        const line = Math.min(at(-0.25), at(0.25));
        const inner = Math.max(at(-1), at(-1.5)), outer = Math.max(at(1), at(1.5));
        if (!Number.isFinite(line + inner + outer)) continue;
        s += Math.min(inner - line, outer - line);
        m++;
      }
      // At least a pubic body's face: 4 x 4 points.
      if (m >= 16 && s / m > best.s) best = { s: s / m, n, off };
    }
  }
  if (!(best.s > thresholds.softTissueSigmaGrey)) return null;
  const n = best.n;
  const point: Vec3 = [centre[0] + n[0] * best.off, centre[1] + n[1] * best.off, centre[2] + n[2] * best.off];
  let toLeft = 0, toRight = 0;
  const sumL: Vec3 = [0, 0, 0], sumR: Vec3 = [0, 0, 0];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = parts[t]!;
    if (l !== hipL && l !== hipR) continue;
    transformPoint(p, cropToLps, [i, j, k]);
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
