import type { Vec3 } from '../geometry/vec3';
import { transformPoint } from '../volume/VolumeGeometry';
import { LABELS } from '../shared/ids';

type Dims = readonly [number, number, number];

export type LowerSacrumMove = {
  /** Voxels moved from the left / right hip part to the sacrum. */
  fromLeft: number;
  fromRight: number;
  /** LPS centroids of the voxels moved from the left / right hip part (NaN when none). */
  centroidLeftLps: Vec3;
  centroidRightLps: Vec3;
};

/**
 * Coarse voxels: the lower sacrum and the coccyx (below the SI joints) are bridged to the
 * hip pieces when a fused pelvis is split by erosion, and the hip pieces grow back over
 * them. Below the SI joints the sacrum is a midline column of its own in every axial
 * slice (the ilia and the ischia are separate islands lateral of it), continuous with the
 * sacrum above it. Walking down slice by slice from the top, every in-plane island
 * (8-connected) of hip-labelled voxels with sacrum directly above some of it and no hip
 * bone above any of it is given to the sacrum; an ilium or ischium island continues a hip
 * column and has no sacrum above it, so it stays. An island joined in the slice to a hip
 * column (the lower end of the SI joint, partial volume) is split: each voxel goes to the
 * nearer (8-connected steps in the island) of its voxels under sacrum and under hip bone.
 * No size or distance: the rule is topological, so it scales with any voxel size.
 *
 * Only when the crop's k axis is axial (within 25 degrees of the LPS z axis).
 * `parts` (part labels on the crop whose ijk->LPS matrix is `cropToLps`) is updated in place.
 */
export function giveLowerSacrumItsSegments(parts: Uint8Array, dims: Dims, cropToLps: Float64Array): LowerSacrumMove {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const none: LowerSacrumMove = { fromLeft: 0, fromRight: 0, centroidLeftLps: [NaN, NaN, NaN], centroidRightLps: [NaN, NaN, NaN] };
  const kz = cropToLps[10]!, kNorm = Math.hypot(cropToLps[8]!, cropToLps[9]!, cropToLps[10]!);
  if (kNorm === 0 || Math.abs(kz) / kNorm < Math.cos((25 * Math.PI) / 180)) return none;
  // The slice above (superior, LPS +z) of slice k is k + up.
  const up = kz > 0 ? 1 : -1;
  const hipL = LABELS.hipLeft, hipR = LABELS.hipRight, sac = LABELS.sacrum;
  const island = new Int32Array(nij);
  const stack = new Int32Array(nij);
  /** In a mixed island: 1 continues the sacrum, 2 the hip bone, 0 not reached yet. */
  const owner = new Uint8Array(nij);
  const queue = new Int32Array(nij);
  const p: Vec3 = [0, 0, 0];
  const sumL: Vec3 = [0, 0, 0], sumR: Vec3 = [0, 0, 0];
  let fromLeft = 0, fromRight = 0;
  // From the slice below the top down to the last one (superior to inferior).
  const kFirst = up > 0 ? nk - 2 : 1, kLast = up > 0 ? 0 : nk - 1;
  for (let k = kFirst; up > 0 ? k >= kLast : k <= kLast; k -= up) {
    const base = nij * k, above = nij * (k + up);
    island.fill(0);
    let next = 0;
    for (let s = 0; s < nij; s++) {
      const l0 = parts[base + s]!;
      if ((l0 !== hipL && l0 !== hipR) || island[s] !== 0) continue;
      next++;
      // Flood the island (8-connected in the slice, both hip labels), counting what lies above.
      let top = 0, nSac = 0, nHip = 0, size = 0;
      stack[top++] = s;
      island[s] = next;
      const members: number[] = [];
      while (top > 0) {
        const q = stack[--top]!;
        members.push(q);
        size++;
        const a = parts[above + q]!;
        if (a === sac) nSac++;
        else if (a === hipL || a === hipR) nHip++;
        const i = q % ni, j = (q - i) / ni;
        for (let dj = -1; dj <= 1; dj++) {
          const jj = j + dj;
          if (jj < 0 || jj >= nj) continue;
          for (let di = -1; di <= 1; di++) {
            const ii = i + di;
            if (ii < 0 || ii >= ni || (di === 0 && dj === 0)) continue;
            const r = ii + ni * jj;
            if (island[r] !== 0) continue;
            const l = parts[base + r]!;
            if (l !== hipL && l !== hipR) continue;
            island[r] = next;
            stack[top++] = r;
          }
        }
      }
      if (nSac === 0 || size === 0) continue;
      if (nHip > 0) {
        // Joined in the slice to a hip column: split the island between what continues the
        // sacrum and what continues the hip bone, each voxel to the nearer (in-island steps,
        // a tie stays hip). Breadth-first from both at once.
        let head = 0, tail = 0;
        for (const q of members) {
          const a = parts[above + q]!;
          owner[q] = a === sac ? 1 : a === hipL || a === hipR ? 2 : 0;
          if (owner[q]) queue[tail++] = q;
        }
        while (head < tail) {
          // One ring at a time, hip first, so that a voxel reached by both in the same ring stays hip.
          const ringEnd = tail;
          for (const who of [2, 1]) {
            for (let h = head; h < ringEnd; h++) {
              const q = queue[h]!;
              if (owner[q] !== who) continue;
              const i = q % ni, j = (q - i) / ni;
              for (let dj = -1; dj <= 1; dj++) {
                const jj = j + dj;
                if (jj < 0 || jj >= nj) continue;
                for (let di = -1; di <= 1; di++) {
                  const ii = i + di;
                  if (ii < 0 || ii >= ni) continue;
                  const r = ii + ni * jj;
                  if (island[r] !== next || owner[r] !== 0) continue;
                  owner[r] = who;
                  queue[tail++] = r;
                }
              }
            }
          }
          head = ringEnd;
        }
      }
      for (const q of members) {
        if (nHip > 0 && owner[q] !== 1) continue;
        const left = parts[base + q] === hipL;
        if (left) fromLeft++;
        else fromRight++;
        parts[base + q] = sac;
        const i = q % ni, j = (q - i) / ni;
        transformPoint(p, cropToLps, [i, j, k]);
        const sum = left ? sumL : sumR;
        for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
      }
    }
  }
  const mean = (sum: Vec3, count: number): Vec3 => (count > 0 ? [sum[0] / count, sum[1] / count, sum[2] / count] : [NaN, NaN, NaN]);
  return { fromLeft, fromRight, centroidLeftLps: mean(sumL, fromLeft), centroidRightLps: mean(sumR, fromRight) };
}

export type LumbarArchMove = {
  /** Sacrum voxels given to L5 (between L5's mid-height and its top) and unlabelled (above L5's top). */
  toL5: number;
  toNone: number;
  /** LPS centroids of each set (NaN when empty). */
  centroidToL5Lps: Vec3;
  centroidToNoneLps: Vec3;
};

/**
 * Coarse voxels: the arches of L5 (and of the vertebrae above it) reach the sacrum through the
 * L5/S1 facet joints, which partial volume bridges at this voxel size, so the erosion split
 * grows the sacrum up the posterior elements. The sacrum's highest bone, the superior articular
 * processes of S1, meets L5's inferior articular processes beside the lower half of the L5 body:
 * no sacral bone lies above the L5 body's mid-height. Sacrum-labelled voxels above the L5 part's
 * centroid (LPS z) become L5 up to L5's top, and are left unlabelled above it (the vertebrae
 * above L5 are not labelled). Nothing is done without an L5 part or when the crop's k axis is
 * not axial (within 25 degrees of LPS z). `parts` is updated in place.
 */
export function giveLumbarArchesAboveSacrumBack(parts: Uint8Array, dims: Dims, cropToLps: Float64Array): LumbarArchMove {
  const [ni, nj, nk] = dims;
  const none: LumbarArchMove = { toL5: 0, toNone: 0, centroidToL5Lps: [NaN, NaN, NaN], centroidToNoneLps: [NaN, NaN, NaN] };
  const kz = cropToLps[10]!, kNorm = Math.hypot(cropToLps[8]!, cropToLps[9]!, cropToLps[10]!);
  if (kNorm === 0 || Math.abs(kz) / kNorm < Math.cos((25 * Math.PI) / 180)) return none;
  const l5 = LABELS.l5, sac = LABELS.sacrum;
  const p: Vec3 = [0, 0, 0];
  let n5 = 0, z5 = 0, top5 = -Infinity;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== l5) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    z5 += p[2];
    n5++;
    if (p[2] > top5) top5 = p[2];
  }
  if (n5 === 0) return none;
  const mid5 = z5 / n5;
  const sumL5: Vec3 = [0, 0, 0], sumNone: Vec3 = [0, 0, 0];
  let toL5 = 0, toNone = 0;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== sac) continue;
    transformPoint(p, cropToLps, [i, j, k]);
    if (!(p[2] > mid5)) continue;
    const intoL5 = p[2] <= top5;
    parts[t] = intoL5 ? l5 : 0;
    const sum = intoL5 ? sumL5 : sumNone;
    for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
    if (intoL5) toL5++;
    else toNone++;
  }
  const mean = (sum: Vec3, count: number): Vec3 => (count > 0 ? [sum[0] / count, sum[1] / count, sum[2] / count] : [NaN, NaN, NaN]);
  return { toL5, toNone, centroidToL5Lps: mean(sumL5, toL5), centroidToNoneLps: mean(sumNone, toNone) };
}

/**
 * Coarse voxels: the hip bone is one bone (ilium, ischium and pubis fused), so each hip part is
 * one piece in 3-D. A piece of a hip label that is not joined (26-connected) to that hip's
 * largest piece, and touches the sacrum and no other bone, is a piece of the sacrum or coccyx
 * that the erosion split's grow-back and the slice-by-slice walk down the lower sacrum
 * ({@link giveLowerSacrumItsSegments}, which splits an island between what lies under sacrum
 * and under hip bone) left with a hip label: it goes to the sacrum. Pieces touching nothing or
 * another part (a femur, L5) are left as they are. No size or distance: the rule is
 * topological. `parts` is updated in place; the move is reported like the walk's.
 */
export function giveDetachedHipPiecesToSacrum(parts: Uint8Array, dims: Dims, cropToLps: Float64Array): LowerSacrumMove {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const sac = LABELS.sacrum;
  const p: Vec3 = [0, 0, 0];
  const sums = { [LABELS.hipLeft]: [0, 0, 0] as Vec3, [LABELS.hipRight]: [0, 0, 0] as Vec3 };
  const counts = { [LABELS.hipLeft]: 0, [LABELS.hipRight]: 0 };
  const piece = new Int32Array(parts.length);
  const queue = new Int32Array(parts.length);
  for (const hip of [LABELS.hipLeft, LABELS.hipRight] as const) {
    // 26-connected pieces of this hip label: id per voxel, size per piece, whether it touches
    // the sacrum and whether it touches any other bone label.
    piece.fill(0);
    const sizes: number[] = [0];
    const touchesSacrum: boolean[] = [false];
    const touchesOther: boolean[] = [false];
    for (let t0 = 0; t0 < parts.length; t0++) {
      if (parts[t0] !== hip || piece[t0] !== 0) continue;
      const id = sizes.length;
      let head = 0, tail = 0, size = 0, sacrum = false, other = false;
      queue[tail++] = t0;
      piece[t0] = id;
      while (head < tail) {
        const t = queue[head++]!;
        size++;
        const i = t % ni, j = ((t - i) / ni) % nj, k = (t - i - ni * j) / nij;
        for (let dk = -1; dk <= 1; dk++) {
          const kk = k + dk;
          if (kk < 0 || kk >= nk) continue;
          for (let dj = -1; dj <= 1; dj++) {
            const jj = j + dj;
            if (jj < 0 || jj >= nj) continue;
            for (let di = -1; di <= 1; di++) {
              const ii = i + di;
              if (ii < 0 || ii >= ni) continue;
              const r = ii + ni * jj + nij * kk;
              const l = parts[r]!;
              if (l === hip) {
                if (piece[r] === 0) {
                  piece[r] = id;
                  queue[tail++] = r;
                }
              } else if (l === sac) sacrum = true;
              else if (l !== 0) other = true;
            }
          }
        }
      }
      sizes.push(size);
      touchesSacrum.push(sacrum);
      touchesOther.push(other);
    }
    if (sizes.length <= 2) continue;
    let main = 1;
    for (let id = 2; id < sizes.length; id++) if (sizes[id]! > sizes[main]!) main = id;
    for (let t = 0; t < parts.length; t++) {
      const id = piece[t]!;
      if (id === 0 || id === main || !touchesSacrum[id] || touchesOther[id]) continue;
      parts[t] = sac;
      const i = t % ni, j = ((t - i) / ni) % nj, k = (t - i - ni * j) / nij;
      transformPoint(p, cropToLps, [i, j, k]);
      for (let a = 0; a < 3; a++) sums[hip][a]! += p[a]!;
      counts[hip]++;
    }
  }
  const mean = (sum: Vec3, count: number): Vec3 => (count > 0 ? [sum[0] / count, sum[1] / count, sum[2] / count] : [NaN, NaN, NaN]);
  const fromLeft = counts[LABELS.hipLeft], fromRight = counts[LABELS.hipRight];
  return { fromLeft, fromRight, centroidLeftLps: mean(sums[LABELS.hipLeft], fromLeft), centroidRightLps: mean(sums[LABELS.hipRight], fromRight) };
}
