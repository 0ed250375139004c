import type { Vec3 } from '../geometry/vec3';
import { invertAffine, transformPoint } from '../volume/VolumeGeometry';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import type { BoneThresholds } from './thresholds';
import { cappedGreySampler } from './segmentBoneGrey';

type Dims = readonly [number, number, number];

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
  /**
   * The joint line itself (mm along the normal from `originLps`, >= `offsetMm`): the first
   * minimum of the profile lateral of the dip, i.e. the plane brightest against both sides,
   * the subchondral plates of sacrum and ilium merged at this voxel size (see
   * {@link splitSacroiliacJoints}). Hip voxels between `offsetMm` and it become sacrum only where
   * they join the sacrum in their axial slice.
   */
  jointLineMm: number;
  /** The sacrum part's centroid when the plane was found (the planes' origin), LPS. */
  originLps: Vec3;
  /** The sacrum part's height (LPS z range, mm) and its most anterior LPS y when the plane was found: nothing outside is moved. */
  zRangeMm: [number, number];
  yMinMm: number;
  /** Per crop slice k, the sacrum's most anterior LPS y in slices k - 1 to k + 1 (Infinity where none): the band is not moved anterior of it. */
  yMinBySliceMm: Float64Array;
  /** The joint's lower end, one plane per slice where it has left this plane (parallel to it, each for one slice), cut again after the marrow closing. */
  lowerEnd?: SacroiliacPlane[];
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
  const yMinBySlice = new Float64Array(nk).fill(Infinity);
  const p: Vec3 = [0, 0, 0];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== sac) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    for (let a = 0; a < 3; a++) c[a]! += p[a]!;
    count++;
    if (p[2] < zMin) zMin = p[2];
    if (p[2] > zMax) zMax = p[2];
    if (p[1] < yMin) yMin = p[1];
    if (p[1] < yMinBySlice[k]!) yMinBySlice[k] = p[1];
  }
  if (count === 0) return [];
  {
    const own = yMinBySlice.slice();
    for (let k = 0; k < nk; k++) yMinBySlice[k] = Math.min(own[k]!, k > 0 ? own[k - 1]! : Infinity, k < nk - 1 ? own[k + 1]! : Infinity);
  }
  for (let a = 0; a < 3; a++) c[a]! /= count;
  const voxelMm = Math.max(...spacingMm);
  const toIjk = ct.geometry.lpsToIjk;
  const grey = cappedGreySampler(ct, thresholds);
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
  /** The best plane's profile for one side, scored on points within [zLo, zHi] (LPS mm); only `normal` when given; offsets with fewer than `minPoints` scored points are -Infinity. */
  const search = (lat: number, zLo: number, zHi: number, normal?: Vec3, minPoints = 40): { s: number; n: Vec3; profile: number[]; lineGrey: number[] } => {
    let best = { s: -Infinity, n: [0, 0, 0] as Vec3, profile: [] as number[], lineGrey: [] as number[] };
    for (let thd = -50; thd <= 50; thd += 10) for (let phd = -20; phd <= 20; phd += 10) {
      if (normal && (thd !== 0 || phd !== 0)) continue;
      const th = (thd * Math.PI) / 180, ph = (phd * Math.PI) / 180;
      const n: Vec3 = normal ? [normal[0], normal[1], normal[2]] : [lat * Math.cos(th) * Math.cos(ph), Math.sin(th) * Math.cos(ph), Math.sin(ph)];
      // In-plane basis u (horizontal), w.
      const un = Math.hypot(n[0], n[1]);
      const u: Vec3 = [-n[1] / un, n[0] / un, 0];
      const w: Vec3 = [n[1] * u[2] - n[2] * u[1], n[2] * u[0] - n[0] * u[2], n[0] * u[1] - n[1] * u[0]];
      const lineGrey: number[] = [];
      const profile = offsets.map((off) => {
        let s = 0, m = 0, g = 0;
        for (let a = -20; a <= 20; a++) for (let b = -20; b <= 20; b++) {
          const x = c[0] + n[0] * off + (u[0] * a + w[0] * b) * voxelMm;
          const y = c[1] + n[1] * off + (u[1] * a + w[1] * b) * voxelMm;
          const z = c[2] + n[2] * off + (u[2] * a + w[2] * b) * voxelMm;
          if (z < zLo || z > zHi) continue;
          if (!partAt(x - n[0] * voxelMm, y - n[1] * voxelMm, z - n[2] * voxelMm) || !partAt(x + n[0] * voxelMm, y + n[1] * voxelMm, z + n[2] * voxelMm)) continue;
          const at = (e: number) => grey(x + n[0] * e * voxelMm, y + n[1] * e * voxelMm, z + n[2] * e * voxelMm);
          const line = Math.min(at(-0.25), at(0.25));
          const inner = Math.max(at(-1), at(-1.5)), outer = Math.max(at(1), at(1.5));
          if (!Number.isFinite(line + inner + outer)) continue;
          s += Math.min(inner - line, outer - line);
          g += line;
          m++;
        }
        lineGrey.push(m >= minPoints ? g / m : NaN);
        return m >= minPoints ? s / m : -Infinity;
      });
      const top = Math.max(...profile);
      if (top > best.s) best = { s: top, n, profile, lineGrey };
    }
    return best;
  };
  const offsets: number[] = [];
  for (let o = voxelMm; o <= 25 * voxelMm + 1e-6; o += 0.5 * voxelMm) offsets.push(o);
  const out: SacroiliacPlane[] = [];
  for (const side of ['left', 'right'] as const) {
    const hip = side === 'left' ? LABELS.hipLeft : LABELS.hipRight;
    if (!parts.includes(hip)) continue;
    const lat = side === 'left' ? 1 : -1;
    const best = search(lat, zMin, zMax + voxelMm);
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
    // The joint line. Where the joint shows as a cleft (cartilage between two subchondral plates,
    // brighter than marrow by partial volume), the dip is the joint. At 3 mm in fatty bone the
    // joint space is thinner than a voxel and the two plates merge into one bright band: the
    // dip medial of it is then the ala's fatty marrow, as dark as the ilium's marrow lateral of
    // the band (the next dip). So: when the next dip's grey on the plane is within one
    // soft-tissue sigma of this one's (the same tissue, marrow), the joint line is the band's
    // brightest plane, the first local minimum of the profile lateral of the dip; else the dip.
    let line = at;
    let nextDip = -1;
    {
      let trough = -1;
      for (let o = at + 1; o < pr.length && Number.isFinite(pr[o]!); o++) {
        const next = o + 1 < pr.length ? pr[o + 1]! : -Infinity;
        if (pr[o]! <= 0 && (!Number.isFinite(next) || next >= pr[o]!)) {
          trough = o;
          break;
        }
      }
      if (trough >= 0) {
        for (let o = trough + 1; o < pr.length && Number.isFinite(pr[o]!); o++) {
          if (!(pr[o]! > 0)) continue;
          if (o === pr.length - 1 || !(pr[o + 1]! > pr[o]!)) {
            nextDip = o;
            break;
          }
        }
      }
      const lg = best.lineGrey;
      if (trough >= 0 && nextDip >= 0 && Math.abs(lg[at]! - lg[nextDip]!) <= thresholds.softTissueSigmaGrey) line = trough;
    }
    const plane: SacroiliacPlane = {
      side, normalLps: best.n, offsetMm: offsets[at]!, jointDipGrey: pr[at]!, moved: 0, movedCentroidLps: [NaN, NaN, NaN],
      jointLineMm: offsets[line]!, originLps: [c[0], c[1], c[2]], zRangeMm: [zMin, zMax + voxelMm], yMinMm: yMin, yMinBySliceMm: yMinBySlice,
    };
    const mv = giveSacrumMedialOfJoint(parts, dims, cropToLps, plane);
    // The joint's lower end. The auricular surface is not planar: below, the sacrum curves
    // backwards and its lateral part lies further along the (posteriorly turned) normal, so the
    // plane found on the whole height lies medial of the joint there and the ilium keeps the
    // sacrum's lateral edge (which the walk down the lower sacrum then carries further down).
    // There the joint still shows as a cleft between the two plates: a dip of the profile taken
    // on thin slabs (two voxels high, same normal) lateral of the joint line, brighter on its
    // plane than the ilium's marrow (the next dip of the whole profile) by more than a
    // soft-tissue sigma, and darker than the plates on both sides by more than twice the noise
    // (two soft-tissue sigmas: the bone's partial-volumed bottom face is bright everywhere and
    // shows only shallow dips). From the sacrum's lowest slice upwards, slice by slice while such a
    // cleft shows, the hip voxels medial of it become sacrum; the first slab without one ends
    // it (above, the whole plane holds). Only where the joint line was taken in the bright band
    // (fatty marrow at this voxel size: the ilium's marrow grey is known).
    if (nextDip >= 0 && line > at) {
      const cleftMinGrey = best.lineGrey[nextDip]! + thresholds.softTissueSigmaGrey;
      const heightRows = (zMax + voxelMm - zMin) / voxelMm;
      // The whole plane's minimum of 40 points over the sacrum's height, scaled to two rows.
      const minPoints = Math.max(1, Math.ceil((40 * 2) / heightRows));
      for (let za = zMin; za < zMax; za += voxelMm) {
        const slab = search(lat, za, za + 2 * voxelMm, best.n, minPoints);
        const sp = slab.profile;
        let cleft = -1;
        for (let o = line + 1; o < sp.length; o++) {
          if (!(sp[o]! > 0)) continue;
          if (sp[o]! >= sp[o - 1]! && (o === sp.length - 1 || sp[o]! >= sp[o + 1]!)) {
            if (slab.lineGrey[o]! >= cleftMinGrey && sp[o]! >= 2 * thresholds.softTissueSigmaGrey) cleft = o;
            break;
          }
        }
        if (cleft < 0) break;
        const end: SacroiliacPlane = { ...plane, offsetMm: offsets[cleft]!, jointLineMm: offsets[cleft]!, zRangeMm: [za, za + 0.999 * voxelMm], lowerEnd: undefined };
        const endMove = giveSacrumMedialOfJoint(parts, dims, cropToLps, end);
        addMove(mv, endMove);
        (plane.lowerEnd ??= []).push(end);
      }
    }
    if (mv.moved === 0) continue;
    plane.moved = mv.moved;
    plane.movedCentroidLps = mv.centroidLps;
    out.push(plane);
  }
  return out;
}

/**
 * Gives the sacrum the hip voxels (of `plane.side`'s hip part) medial of the plane's dip, and
 * those between the dip and the joint line that join the sacrum in their axial slice
 * (8-connected through such voxels: the ilium's medial cortex further forward, also medial of an
 * extended plane, is not joined to the sacrum there). Only within the sacrum's height and not
 * anterior of it, as the plane was found. Used by {@link splitSacroiliacJoints} and again after
 * the marrow closing ({@link recutSacroiliacJoints}). `parts` is updated in place.
 */
export function giveSacrumMedialOfJoint(parts: Uint8Array, dims: Dims, cropToLps: Float64Array, plane: SacroiliacPlane): { moved: number; centroidLps: Vec3 } {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const hip = plane.side === 'left' ? LABELS.hipLeft : LABELS.hipRight;
  const sac = LABELS.sacrum;
  const n = plane.normalLps, c = plane.originLps;
  const [z0, z1] = plane.zRangeMm;
  const p: Vec3 = [0, 0, 0];
  const sum: Vec3 = [0, 0, 0];
  let moved = 0;
  const band: number[] = [];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== hip) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    if (p[2] < z0 || p[2] > z1 || p[1] < plane.yMinMm || p[1] < plane.yMinBySliceMm[k]!) continue;
    const d = (p[0] - c[0]) * n[0] + (p[1] - c[1]) * n[1] + (p[2] - c[2]) * n[2];
    if (d >= plane.offsetMm) {
      if (d < plane.jointLineMm) {
        band.push(t);
      }
      continue;
    }
    parts[t] = sac;
    moved++;
    for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
  }
  if (band.length > 0) {
    // A band voxel is the joint's when the sacrum lies straight medial of it, just inside the
    // dip's plane (the ala): not so for the ilium's cortex further forward, with the pelvic
    // cavity medial of it.
    const lpsToCrop = invertAffine(cropToLps)!;
    const voxelMm = Math.max(Math.hypot(cropToLps[0]!, cropToLps[1]!, cropToLps[2]!), Math.hypot(cropToLps[4]!, cropToLps[5]!, cropToLps[6]!), Math.hypot(cropToLps[8]!, cropToLps[9]!, cropToLps[10]!));
    const q: Vec3 = [0, 0, 0];
    const take: number[] = [];
    for (const t of band) {
      const i = t % ni, j = ((t - i) / ni) % nj, k = (t - i - ni * j) / nij;
      transformPoint(p, cropToLps, [i, j, k]);
      const d = (p[0] - c[0]) * n[0] + (p[1] - c[1]) * n[1] + (p[2] - c[2]) * n[2];
      const back = d - plane.offsetMm + 0.5 * voxelMm;
      transformPoint(q, lpsToCrop, [p[0] - n[0] * back, p[1] - n[1] * back, p[2] - n[2] * back]);
      const qi = Math.round(q[0]), qj = Math.round(q[1]), qk = Math.round(q[2]);
      if (qi < 0 || qj < 0 || qk < 0 || qi >= ni || qj >= nj || qk >= nk) continue;
      if (parts[qi + ni * qj + nij * qk] === sac) take.push(t);
    }
    for (const t of take) {
      const i = t % ni, j = ((t - i) / ni) % nj, k = (t - i - ni * j) / nij;
      transformPoint(p, cropToLps, [i, j, k]);
      parts[t] = sac;
      moved++;
      for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
    }
  }
  return { moved, centroidLps: moved > 0 ? [sum[0] / moved, sum[1] / moved, sum[2] / moved] : [NaN, NaN, NaN] };
}

/**
 * After the per-part marrow closing (segmentBoneMarrow.ts): the hip's closing claims the
 * unlabelled voxels near the joint it is nearest to, which includes the ala's marrow medial of
 * the joint line; they are given to the sacrum by the same rule as the split
 * ({@link giveSacrumMedialOfJoint}). Returns what moved per plane.
 */
export function recutSacroiliacJoints(parts: Uint8Array, dims: Dims, cropToLps: Float64Array, planes: readonly SacroiliacPlane[]): { side: 'left' | 'right'; moved: number; centroidLps: Vec3 }[] {
  return planes.map((plane) => {
    const r = giveSacrumMedialOfJoint(parts, dims, cropToLps, plane);
    for (const end of plane.lowerEnd ?? []) addMove(r, giveSacrumMedialOfJoint(parts, dims, cropToLps, end));
    return { side: plane.side, ...r };
  });
}

/** Adds `more` into `into` (voxel count and centroid). */
function addMove(into: { moved: number; centroidLps: Vec3 }, more: { moved: number; centroidLps: Vec3 }): void {
  if (more.moved === 0) return;
  const total = into.moved + more.moved;
  for (let a = 0; a < 3; a++) into.centroidLps[a] = into.moved > 0 ? (into.centroidLps[a]! * into.moved + more.centroidLps[a]! * more.moved) / total : more.centroidLps[a]!;
  into.moved = total;
}
