type Dims = readonly [number, number, number];

/**
 * The sacrum's mirror plane, measured on its voxels (coarse CT: the sacral marrow fill's canal
 * band, `fillSacralMarrow` in segmentBoneMarrow.ts).
 *
 * Why not the centroid: a sacrum with one ala eaten by a lytic metastasis (or fractured, or
 * partly labelled as the ilium next to it) has its centroid moved sideways by the missing or
 * added bone: on the real 3 mm CT with 30-50 % of one ala replaced by lesion grey the centroid
 * lay 3-34 mm beside the canal, the mirror plane (or a plane nearly as symmetric) within 2.5 mm
 * of it (README, "25 Nov stop 21, helper D"). The sacrum is mirror-symmetric about its
 * midsagittal plane, which runs through the canal; bone lost or added on one side lowers the
 * mirror overlap of every candidate plane about alike, but what is left symmetric (the bodies,
 * the canal's ring, the other ala) still peaks at the midline.
 *
 * The plane is searched in the (i, j) plane of the grid, in mm (the crop's i axis near
 * left-right, j near anteroposterior, k the levels, as the SI split assumes): its normal
 * (cos a, sin a) for a in -15..15 degrees by 2.5, its offset in steps of half an i voxel within
 * `searchMm` of the centroid (on the half-voxel grid); the score is the number of sacrum voxels
 * whose mirror image (to the nearest voxel, same slice) is sacrum. Candidates are tried from the least rotated and
 * nearest to the centroid outwards and a later one wins only with a strictly higher score, so a
 * symmetric sacrum keeps the plane through its centroid.
 */
export type SacralMirrorPlane = {
  /** Unit normal (i mm, j mm components) and offset: the plane holds the points p (mm, p = index x spacing) with normal . p = offsetMm. */
  normal: [number, number];
  offsetMm: number;
  angleDeg: number;
  /** Score of the plane: sacrum voxels whose mirror image is sacrum, over all sacrum voxels. */
  overlap: number;
  /**
   * The other planes (any angle, offsets more than `distinctMm` from this one along the normal
   * at the sacrum's centroid) whose score is at least `ambiguity` of the best's: the midline is
   * not sure between them, so the canal band must cover them too. Empty when the best stands out.
   */
  rivals: { normal: [number, number]; offsetMm: number; angleDeg: number; overlap: number }[];
  /**
   * Per slice k: the offset of that slice's own mirror line (the plane's normal, offsets within
   * `levelSearchMm` of the plane's), NaN for a slice with fewer than `levelMinVoxels` sacrum voxels.
   */
  levelOffsetMm: Float64Array;
  /** Per slice k: that line's score over the slice's sacrum voxels (NaN as above). */
  levelOverlap: Float64Array;
  /** The sacrum's centroid (mm, index x spacing) in i and j. */
  centroidMm: [number, number];
};

export const SACRAL_MIRROR_MAX_ANGLE_DEG = 15;
export const SACRAL_MIRROR_ANGLE_STEP_DEG = 2.5;
/** A rival plane scoring at least this fraction of the best one's makes the midline unsure. */
export const SACRAL_MIRROR_AMBIGUITY = 0.9;

/**
 * The mirror plane of the voxels with `mask[t] === value` (see {@link SacralMirrorPlane}); null
 * when there are none. `distinctMm`: rivals are planes whose offset at the centroid differs by
 * more than this (the caller's band already covers the nearer ones).
 */
export function sacralMirrorPlane(
  mask: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  options: { value?: number; searchMm?: number; distinctMm?: number; ambiguity?: number; levelSearchMm?: number; levelMinVoxels?: number } = {},
): SacralMirrorPlane | null {
  const value = options.value ?? 1;
  const searchMm = options.searchMm ?? 45;
  const distinctMm = options.distinctMm ?? 9;
  const ambiguity = options.ambiguity ?? SACRAL_MIRROR_AMBIGUITY;
  const levelSearchMm = options.levelSearchMm ?? 15;
  const levelMinVoxels = options.levelMinVoxels ?? 20;
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const si = spacingMm[0], sj = spacingMm[1];
  let count = 0, ci = 0, cj = 0;
  for (let t = 0; t < mask.length; t++) {
    if (mask[t] !== value) continue;
    count++;
  }
  if (count === 0) return null;
  const pi = new Float64Array(count), pj = new Float64Array(count);
  const base = new Int32Array(count);
  for (let t = 0, q = 0; t < mask.length; t++) {
    if (mask[t] !== value) continue;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / nij);
    pi[q] = i * si;
    pj[q] = j * sj;
    base[q] = k * nij;
    ci += pi[q]!;
    cj += pj[q]!;
    q++;
  }
  ci /= count;
  cj /= count;
  // Angles and offsets from the least rotated / nearest to the centroid outwards.
  const angles: number[] = [0];
  for (let a = SACRAL_MIRROR_ANGLE_STEP_DEG; a <= SACRAL_MIRROR_MAX_ANGLE_DEG + 1e-9; a += SACRAL_MIRROR_ANGLE_STEP_DEG) angles.push(a, -a);
  const step = si / 2;
  const nSteps = Math.floor(searchMm / step);
  const shifts: number[] = [0];
  for (let q = 1; q <= nSteps; q++) shifts.push(q * step, -q * step);
  type Cand = { normal: [number, number]; offsetMm: number; angleDeg: number; score: number; shift: number };
  const all: Cand[] = [];
  let best: Cand | null = null;
  for (const a of angles) {
    const rad = (a * Math.PI) / 180;
    const nx = Math.cos(rad), ny = Math.sin(rad);
    // From the centroid's projection on the half-voxel grid (at 0 degrees every candidate is then
    // an exact mirror of the grid: i -> 2c - i).
    const c0 = Math.round((nx * ci + ny * cj) / step) * step;
    for (const shift of shifts) {
      const o = c0 + shift;
      let score = 0;
      for (let q = 0; q < count; q++) {
        const d2 = 2 * (nx * pi[q]! + ny * pj[q]! - o);
        const mi = Math.round((pi[q]! - d2 * nx) / si), mj = Math.round((pj[q]! - d2 * ny) / sj);
        if (mi < 0 || mj < 0 || mi >= ni || mj >= nj) continue;
        if (mask[base[q]! + mi + ni * mj] === value) score++;
      }
      const cand: Cand = { normal: [nx, ny], offsetMm: o, angleDeg: a, score, shift };
      all.push(cand);
      if (!best || score > best.score) best = cand;
    }
  }
  const b = best!;
  const rivals = all
    .filter((c) => c !== b && c.score >= ambiguity * b.score && Math.abs(c.shift - b.shift) > distinctMm)
    .map((c) => ({ normal: c.normal, offsetMm: c.offsetMm, angleDeg: c.angleDeg, overlap: c.score / count }));
  // Each slice's own line, same normal: the voxels are in raster order, so a slice's are contiguous.
  const levelOffsetMm = new Float64Array(nk).fill(NaN), levelOverlap = new Float64Array(nk).fill(NaN);
  const [nx, ny] = b.normal;
  const levelShifts: number[] = [0];
  for (let q = 1; q <= Math.floor(levelSearchMm / step); q++) levelShifts.push(q * step, -q * step);
  for (let q0 = 0; q0 < count; ) {
    let q1 = q0;
    while (q1 < count && base[q1] === base[q0]) q1++;
    const k = base[q0]! / nij;
    if (q1 - q0 >= levelMinVoxels) {
      let bestScore = -1, bestO = NaN;
      for (const shift of levelShifts) {
        const o = b.offsetMm + shift;
        let score = 0;
        for (let q = q0; q < q1; q++) {
          const d2 = 2 * (nx * pi[q]! + ny * pj[q]! - o);
          const mi = Math.round((pi[q]! - d2 * nx) / si), mj = Math.round((pj[q]! - d2 * ny) / sj);
          if (mi < 0 || mj < 0 || mi >= ni || mj >= nj) continue;
          if (mask[base[q]! + mi + ni * mj] === value) score++;
        }
        if (score > bestScore) { bestScore = score; bestO = o; }
      }
      levelOffsetMm[k] = bestO;
      levelOverlap[k] = bestScore / (q1 - q0);
    }
    q0 = q1;
  }
  return { normal: b.normal, offsetMm: b.offsetMm, angleDeg: b.angleDeg, overlap: b.score / count, rivals, levelOffsetMm, levelOverlap, centroidMm: [ci, cj] };
}
