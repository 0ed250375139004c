import type { FieldSet } from '../fields/FieldSet';
import type { AnatomicalFrame } from '../geometry/patientFrames';
import { scannerFrame } from '../geometry/patientFrames';
import type { Vec3 } from '../geometry/vec3';
import { FORAMEN_IDS, LABELS, type ForamenId } from '../shared/ids';

/**
 * What the search needs to know about the anatomy, computed once per field
 * generation in one pass over the label volume and the lesion field:
 *
 * - the pelvis's anatomical frame. Left-right comes from the bone (centroid
 *   of the left hip bone minus that of the right, or the femurs); the origin is
 *   the sacrum's centroid (on the mid-sagittal plane). Superior lies in the
 *   anterior pelvic plane (Lewinnek: both anterior superior iliac spines and
 *   the pubic tubercles), found as the most anterior bone of each hip bone above
 *   and below its centroid; posterior completes the right-handed frame. When
 *   those landmarks are missing or implausible (plane more than 25 deg from the
 *   table axis) the table axis, made orthogonal to left-right, stands in.
 * - centroids of every labelled part (foramina give the sacral levels);
 * - the lesion's points (a subsample of its voxels) to draw candidate lines through.
 */
export type AnatomySummary = {
  frame: AnatomicalFrame;
  /** Centroid (LPS mm) and voxel count of each label value present, indexed by label value. */
  centroidsLps: (Vec3 | null)[];
  voxelCounts: number[];
  /** Lesion points, xyz triplets in LPS mm (at most `maxLesionPoints`). */
  lesionPointsLps: Float64Array;
  lesionCentroidLps: Vec3 | null;
  /** Largest distance from the lesion centroid to a lesion point, mm. */
  lesionRadiusMm: number;
  lesionVolumeMm3: number;
  /** Bone label most often found next to the lesion (its host), or 0. */
  lesionHostLabel: number;
  /** True when the left-right axis came from the bone, false when it fell back to the scanner's. */
  frameFromAnatomy: boolean;
  /**
   * Sacrum points within 8 mm of the mid-sagittal plane and anterior to the
   * sacral canal (the vertebral bodies), as frame coordinates (left,
   * posterior, superior) triplets, subsampled. Anchors the sacral corridors'
   * own width measurement (independent of the lesion).
   */
  sacralBodyPointsFrame: Float64Array;
  /**
   * Centroid (LPS mm) of each foramen, from its label when the label volume has
   * it, else from its structure field (voxels within 0.5 mm of the model).
   * Gives the sacral levels (S1 above the S1 foramina, S2 between S1 and S2).
   */
  foramenCentroidsLps: Partial<Record<ForamenId, Vec3>>;
};

// Local copy (per-voxel loops; imported bindings may be getters).
const LESION = LABELS.lesion;

export function summarizeAnatomy(fields: FieldSet, maxLesionPoints = 20000): AnatomySummary {
  const g = fields.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const labels = fields.labels.voxels;
  const lesion = fields.lesion ? fields.lesion.voxels : null;
  const sums = new Float64Array(256 * 3);
  const counts = new Array<number>(256).fill(0);
  let lesionCount = 0;
  for (let k = 0, v = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        const lab = labels[v]!;
        const inLesion = lesion ? lesion[v]! < 0 : lab === LESION;
        if (inLesion) lesionCount++;
        if (lab === 0) continue;
        const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
        const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
        const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
        sums[lab * 3] += x;
        sums[lab * 3 + 1] += y;
        sums[lab * 3 + 2] += z;
        counts[lab]!++;
      }
    }
  }
  const centroidsLps: (Vec3 | null)[] = counts.map((c, lab) => (c > 0 ? [sums[lab * 3]! / c, sums[lab * 3 + 1]! / c, sums[lab * 3 + 2]! / c] : null));

  // Lesion points: every `stride`-th lesion voxel, and the host bone next to it.
  const stride = Math.max(1, Math.ceil(lesionCount / maxLesionPoints));
  const pts = new Float64Array(Math.ceil(lesionCount / stride) * 3);
  let np = 0, seen = 0;
  let cx = 0, cy = 0, cz = 0;
  const hostVotes = new Array<number>(256).fill(0);
  for (let k = 0, v = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        const lab = labels[v]!;
        const inLesion = lesion ? lesion[v]! < 0 : lab === LESION;
        if (!inLesion) continue;
        if (seen++ % stride !== 0) continue;
        const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
        const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
        const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
        pts[np * 3] = x;
        pts[np * 3 + 1] = y;
        pts[np * 3 + 2] = z;
        np++;
        cx += x; cy += y; cz += z;
        // Host: bone labels among the six face neighbours.
        if (i > 0) hostVotes[labels[v - 1]!]!++;
        if (i < ni - 1) hostVotes[labels[v + 1]!]!++;
        if (j > 0) hostVotes[labels[v - ni]!]!++;
        if (j < nj - 1) hostVotes[labels[v + ni]!]!++;
        if (k > 0) hostVotes[labels[v - ni * nj]!]!++;
        if (k < nk - 1) hostVotes[labels[v + ni * nj]!]!++;
      }
    }
  }
  let lesionCentroidLps: Vec3 | null = null;
  let lesionRadiusMm = 0;
  if (np > 0) {
    lesionCentroidLps = [cx / np, cy / np, cz / np];
    for (let p = 0; p < np; p++) {
      const d = Math.hypot(pts[p * 3]! - lesionCentroidLps[0], pts[p * 3 + 1]! - lesionCentroidLps[1], pts[p * 3 + 2]! - lesionCentroidLps[2]);
      if (d > lesionRadiusMm) lesionRadiusMm = d;
    }
  }
  let lesionHostLabel = 0;
  let best = 0;
  for (const lab of [LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.femurLeft, LABELS.femurRight, LABELS.l5]) {
    if (hostVotes[lab]! > best) {
      best = hostVotes[lab]!;
      lesionHostLabel = lab;
    }
  }
  const voxelMm3 = Math.abs(m[0]! * (m[5]! * m[10]! - m[6]! * m[9]!) - m[4]! * (m[1]! * m[10]! - m[2]! * m[9]!) + m[8]! * (m[1]! * m[6]! - m[2]! * m[5]!));

  const coarse = estimateFrame(centroidsLps, g.originLps);
  const { frame, fromAnatomy } = coarse.fromAnatomy ? refineWithPelvicPlane(fields, coarse.frame, centroidsLps) : coarse;
  const sacralBodyPointsFrame = sacralBodyPoints(fields, frame, centroidsLps[LABELS.sacralCanal] ?? null, counts[LABELS.sacrum]!);
  const foramenCentroidsLps: Partial<Record<ForamenId, Vec3>> = {};
  for (const id of FORAMEN_IDS) {
    const fromLabel = centroidsLps[LABELS[id]];
    const c = fromLabel ?? fieldCentroid(fields, id);
    if (c) foramenCentroidsLps[id] = c;
  }
  return {
    foramenCentroidsLps,
    sacralBodyPointsFrame,
    frame,
    centroidsLps,
    voxelCounts: counts,
    lesionPointsLps: np * 3 === pts.length ? pts : pts.slice(0, np * 3),
    lesionCentroidLps,
    lesionRadiusMm,
    lesionVolumeMm3: lesionCount * voxelMm3,
    lesionHostLabel,
    frameFromAnatomy: fromAnatomy,
  };
}

function estimateFrame(c: (Vec3 | null)[], fallbackOrigin: readonly [number, number, number]): { frame: AnatomicalFrame; fromAnatomy: boolean } {
  const pairs: [number, number][] = [[LABELS.hipLeft, LABELS.hipRight], [LABELS.femurLeft, LABELS.femurRight]];
  let left: Vec3 | null = null;
  for (const [a, b] of pairs) {
    const ca = c[a], cb = c[b];
    if (ca && cb) {
      const v: Vec3 = [ca[0] - cb[0], ca[1] - cb[1], ca[2] - cb[2]];
      const n = Math.hypot(v[0], v[1], v[2]);
      if (n > 20) {
        left = [v[0] / n, v[1] / n, v[2] / n];
        break;
      }
    }
  }
  const origin: Vec3 = c[LABELS.sacrum]
    ? [...c[LABELS.sacrum]!] as Vec3
    : c[LABELS.hipLeft] && c[LABELS.hipRight]
      ? [(c[LABELS.hipLeft]![0] + c[LABELS.hipRight]![0]) / 2, (c[LABELS.hipLeft]![1] + c[LABELS.hipRight]![1]) / 2, (c[LABELS.hipLeft]![2] + c[LABELS.hipRight]![2]) / 2]
      : [fallbackOrigin[0], fallbackOrigin[1], fallbackOrigin[2]];
  if (!left) return { frame: scannerFrame(origin), fromAnatomy: false };
  // Superior: table axis minus its left-right component.
  const dz = left[2];
  let s: Vec3 = [-dz * left[0], -dz * left[1], 1 - dz * left[2]];
  const sn = Math.hypot(s[0], s[1], s[2]);
  s = [s[0] / sn, s[1] / sn, s[2] / sn];
  // posterior = superior x left (right-handed: left x posterior = superior).
  const p: Vec3 = [s[1] * left[2] - s[2] * left[1], s[2] * left[0] - s[0] * left[2], s[0] * left[1] - s[1] * left[0]];
  return { frame: { originLps: origin, leftLps: left, posteriorLps: p, superiorLps: s }, fromAnatomy: true };
}

const SACRUM_LABEL = LABELS.sacrum;

function sacralBodyPoints(fields: FieldSet, frame: AnatomicalFrame, canal: Vec3 | null, sacrumCount: number): Float64Array {
  if (sacrumCount === 0) return new Float64Array(0);
  const g = fields.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const labels = fields.labels.voxels;
  const O = frame.originLps, Lx = frame.leftLps, P = frame.posteriorLps, S = frame.superiorLps;
  const canalP = canal ? (canal[0] - O[0]) * P[0] + (canal[1] - O[1]) * P[1] + (canal[2] - O[2]) * P[2] : Infinity;
  const out: number[] = [];
  const stride = Math.max(1, Math.floor(sacrumCount / 200000));
  let seen = 0;
  for (let k = 0, v = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        if (labels[v] !== SACRUM_LABEL) continue;
        if (seen++ % stride !== 0) continue;
        const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]! - O[0];
        const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]! - O[1];
        const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]! - O[2];
        const l = x * Lx[0] + y * Lx[1] + z * Lx[2];
        if (Math.abs(l) > 8) continue;
        const p = x * P[0] + y * P[1] + z * P[2];
        if (p >= canalP) continue;
        out.push(l, p, x * S[0] + y * S[1] + z * S[2]);
      }
    }
  }
  return Float64Array.from(out);
}

/**
 * Superior axis from the anterior pelvic plane: mean of the most anterior 1 %
 * of each hip bone's voxels above its centroid (ASIS) and below it (pubis),
 * in the coarse frame. Returns the refined frame, or the coarse one when the
 * landmarks are missing or the plane is implausible.
 */
function refineWithPelvicPlane(fields: FieldSet, coarse: AnatomicalFrame, c: (Vec3 | null)[]): { frame: AnatomicalFrame; fromAnatomy: boolean } {
  const hips = [LABELS.hipLeft, LABELS.hipRight];
  if (!hips.every((h) => c[h])) return { frame: coarse, fromAnatomy: true };
  const g = fields.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const labels = fields.labels.voxels;
  const cutBin = new Int32Array(4);
  const sums = new Float64Array(16);
  const P = coarse.posteriorLps, S = coarse.superiorLps, L = coarse.leftLps;
  // Two passes, no point lists: a histogram of the posterior coordinate per hip and half (upper /
  // lower, split at the hip's centroid) gives the 1 % most anterior cut; the second pass averages
  // the voxels in front of it.
  const BIN = 0.5, LO = -1000, NB = 4000;
  const hist = new Int32Array(4 * NB);
  const count = new Int32Array(4);
  const bucketOf = (lab: number, x: number, y: number, z: number): number => {
    const h = lab === hips[0] ? 0 : lab === hips[1] ? 1 : -1;
    if (h < 0) return -1;
    const cc = c[hips[h]!]!;
    const sUp = (x - cc[0]) * S[0] + (y - cc[1]) * S[1] + (z - cc[2]) * S[2];
    return h * 2 + (sUp > 0 ? 0 : 1);
  };
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0, v = 0; k < nk; k++) {
      for (let j = 0; j < nj; j++) {
        for (let i = 0; i < ni; i++, v++) {
          const lab = labels[v]!;
          if (lab !== hips[0] && lab !== hips[1]) continue;
          const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
          const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
          const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
          const b = bucketOf(lab, x, y, z);
          const bin = Math.min(NB - 1, Math.max(0, Math.floor((x * P[0] + y * P[1] + z * P[2] - LO) / BIN)));
          if (pass === 0) {
            hist[b * NB + bin]!++;
            count[b]!++;
          } else if (bin <= cutBin[b]!) {
            sums[b * 4] += x; sums[b * 4 + 1] += y; sums[b * 4 + 2] += z; sums[b * 4 + 3] += 1;
          }
        }
      }
    }
    if (pass === 0) {
      for (let b = 0; b < 4; b++) {
        const want = Math.max(1, Math.floor(count[b]! * 0.01));
        let acc = 0, bin = 0;
        for (; bin < NB; bin++) {
          acc += hist[b * NB + bin]!;
          if (acc >= want) break;
        }
        cutBin[b] = bin;
      }
    }
  }
  const landmark = (h: number, half: number): Vec3 | null => {
    const b = h * 2 + half;
    if (count[b]! < 50 || sums[b * 4 + 3]! === 0) return null;
    const n = sums[b * 4 + 3]!;
    return [sums[b * 4]! / n, sums[b * 4 + 1]! / n, sums[b * 4 + 2]! / n];
  };
  const asisL = landmark(0, 0), asisR = landmark(1, 0), pubL = landmark(0, 1), pubR = landmark(1, 1);
  if (!asisL || !asisR || !pubL || !pubR) return { frame: coarse, fromAnatomy: true };
  const up: Vec3 = [(asisL[0] + asisR[0] - pubL[0] - pubR[0]) / 2, (asisL[1] + asisR[1] - pubL[1] - pubR[1]) / 2, (asisL[2] + asisR[2] - pubL[2] - pubR[2]) / 2];
  const along = up[0] * L[0] + up[1] * L[1] + up[2] * L[2];
  const s: Vec3 = [up[0] - along * L[0], up[1] - along * L[1], up[2] - along * L[2]];
  const sn = Math.hypot(s[0], s[1], s[2]);
  if (sn < 20) return { frame: coarse, fromAnatomy: true };
  s[0] /= sn; s[1] /= sn; s[2] /= sn;
  if (s[0] * S[0] + s[1] * S[1] + s[2] * S[2] < Math.cos((25 * Math.PI) / 180)) return { frame: coarse, fromAnatomy: true };
  const p: Vec3 = [s[1] * L[2] - s[2] * L[1], s[2] * L[0] - s[0] * L[2], s[0] * L[1] - s[1] * L[0]];
  return { frame: { originLps: coarse.originLps, leftLps: L, posteriorLps: p, superiorLps: s }, fromAnatomy: true };
}

/** Centroid of the voxels of a structure field within 0.5 mm of the structure (0 inside), or null. */
function fieldCentroid(fields: FieldSet, id: ForamenId): Vec3 | null {
  const f = fields.structures[id];
  if (!f) return null;
  const [ni, nj, nk] = f.geometry.dims;
  const m = f.geometry.ijkToLps;
  let x = 0, y = 0, z = 0, n = 0;
  for (let k = 0, v = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      for (let i = 0; i < ni; i++, v++) {
        if (!(f.voxels[v]! <= 0.5)) continue;
        x += m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
        y += m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
        z += m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
        n++;
      }
    }
  }
  return n > 0 ? [x / n, y / n, z / n] : null;
}
