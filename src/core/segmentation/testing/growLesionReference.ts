import type { Vec3 } from '../../geometry/vec3';
import { BONE_LABELS, LABELS } from '../../shared/ids';
import { PlannerError } from '../../shared/errors';
import type { Volume } from '../../volume/Volume';
import { isSameGrid, transformPoint } from '../../volume/VolumeGeometry';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { LabelEdit, RegionMeasure } from '../labelEdits';
import { measureLabel } from '../labelEdits';
import { dilateMm, erodeMm, fillHoles } from '../morphology';
import { EDT_FAR, squaredDistanceInPlace } from '../../fields/distanceTransform';
import { bridgeDefect } from '../growLesionBridge';

/**
 * One-click lytic lesion segmentation.
 *
 * 1. A box of `maxRadiusMm` around the seed; the envelope there is the host part's own
 *    outline (the bone part around the seed, with any lesion), closed with a ball of
 *    `envelopeCloseMm` and hole-filled, so that a lesion that broke the cortex is still
 *    enclosed while the growing cannot leak into the soft tissue beyond the bone's outline,
 *    nor across a joint gap: the other parts and a 3 mm band around them (the joint
 *    space) are excluded.
 * 2. The grey values are mean-filtered (3x3x3) in the box, which makes the
 *    growing robust to CBCT noise without moving a symmetric edge.
 * 3. Window from the image itself: the lesion level is the median around the
 *    seed (3 mm), the bone level the median of the envelope in the box; the upper
 *    limit is their midpoint (the partial-volume edge), the lower limit as far
 *    below the lesion level.
 * 4. 6-connected growing from the seed inside the envelope and the window,
 *    holes filled; the result is written as LABELS.lesion (replacing an earlier
 *    lesion unless `replace` is false) and returned as an undoable edit.
 */

export type GrowLesionOptions = {
  /** Seed in LPS mm (or give `seedIjk`). */
  seedLps?: Readonly<Vec3>;
  seedIjk?: Readonly<Vec3>;
  /** Half size of the working box around the seed, mm. Default 45. */
  maxRadiusMm?: number;
  /** Closing radius that bridges cortical breaks in the envelope, mm. Default 4. */
  envelopeCloseMm?: number;
  /** Remove other lesion voxels first (one lesion at a time). Default true. */
  replace?: boolean;
};

export type GrowLesionResult = {
  /** The applied edit (push it on a LabelHistory to undo). */
  edit: LabelEdit;
  measure: RegionMeasure | null;
  /** Grey window used [lower, upper] and the two levels it came from. */
  windowGrey: [number, number];
  lesionLevelGrey: number;
  boneLevelGrey: number;
  /** True when the region reached the working box's edge (it may be larger than the box). */
  touchesBox: boolean;
  /**
   * 'ok': applied. 'conservative': the full window spilled over, the conservative core
   * (lesion level + 3 sigma) was applied instead; check it. 'leak': the lesion could not
   * be delimited from the image (cortex destroyed on all sides, or too much noise); nothing
   * was written: paint it with the brush.
   */
  status: 'ok' | 'conservative' | 'leak';
  /**
   * True when the closed envelope did not hold the lesion (cortex destroyed on several sides) and
   * the outline across the destroyed cortex is the convex hull of the cavity's bare walls and
   * their cortical rim (growLesionBridge.ts), not an image edge: check it.
   */
  bridged: boolean;
};

/** Width of a joint space next to the host that is never lesion, mm. */
const JOINT_SPACE_MM = 3;

function median(values: Float32Array | number[], count: number): number {
  const a = Float32Array.from(values.slice(0, count) as ArrayLike<number>).sort();
  return count > 0 ? a[count >> 1]! : NaN;
}

/**
 * Grows the lesion from one click. `labels` must be on the CT grid and hold the
 * bone segmentation; it is edited in place. Throws `segmentation/bad-seed` when
 * the seed is outside the grid or outside the bone envelope.
 */
export function growLesion(ct: Volume<VoxelArray>, labels: Volume<Uint8Array>, options: GrowLesionOptions): GrowLesionResult {
  const g = ct.geometry;
  if (!isSameGrid(g, labels.geometry)) throw new PlannerError('volume/mismatch', 'lesion growing needs the label volume on the CT grid');
  const seed = options.seedIjk ? [options.seedIjk[0], options.seedIjk[1], options.seedIjk[2]] : options.seedLps ? transformPoint([0, 0, 0], g.lpsToIjk, options.seedLps) : null;
  if (!seed) throw new PlannerError('segmentation/bad-seed', 'a seed point (LPS or ijk) is required');
  const [gi, gj, gk] = g.dims;
  const si = Math.round(seed[0]!), sj = Math.round(seed[1]!), sk = Math.round(seed[2]!);
  if (si < 0 || sj < 0 || sk < 0 || si >= gi || sj >= gj || sk >= gk) {
    throw new PlannerError('segmentation/bad-seed', `seed (${si}, ${sj}, ${sk}) is outside the ${g.dims.join(' x ')} grid`);
  }
  const R = options.maxRadiusMm ?? 45;
  const sp = g.spacingMm;
  const b0 = [Math.max(0, si - Math.ceil(R / sp[0])), Math.max(0, sj - Math.ceil(R / sp[1])), Math.max(0, sk - Math.ceil(R / sp[2]))];
  const b1 = [Math.min(gi, si + Math.ceil(R / sp[0]) + 1), Math.min(gj, sj + Math.ceil(R / sp[1]) + 1), Math.min(gk, sk + Math.ceil(R / sp[2]) + 1)];
  const dims: [number, number, number] = [b1[0]! - b0[0]!, b1[1]! - b0[1]!, b1[2]! - b0[2]!];
  const [ni, nj, nk] = dims;
  const n = ni * nj * nk;
  const boneLut = new Uint8Array(256);
  for (const l of BONE_LABELS) boneLut[l] = 1;
  boneLut[LABELS.lesion] = 1;

  // Crop: bone labels and mean-filtered grey values.
  const boneLabel = new Uint8Array(n);
  const grey = new Float32Array(n);
  let p = 0;
  for (let k = b0[2]!; k < b1[2]!; k++) for (let j = b0[1]!; j < b1[1]!; j++) {
    const q0 = b0[0]! + gi * (j + gj * k);
    for (let i = 0; i < ni; i++, p++) {
      const l = labels.voxels[q0 + i]!;
      boneLabel[p] = boneLut[l] ? l : 0;
      grey[p] = ct.voxels[q0 + i]!;
    }
  }
  const smooth = meanFilter3(grey, dims);
  // Host bone: the most frequent bone label within 12 mm of the seed.
  const host = mostFrequentNear(boneLabel, dims, sp, [si - b0[0]!, sj - b0[1]!, sk - b0[2]!], 12);
  // Envelope: the host part's own outline, closed with a ball (bridging the cortical break of a
  // lesion) and hole-filled. Only the host is closed and filled: filling the space between the
  // host and its neighbours (joint gaps) would let the lesion grow into the joint, and lesion
  // voxels count as inside bone for the planner's bone-depth field (a corridor would look wider
  // than it is). Other parts and a band of 3 mm and half a voxel around them (the joint space,
  // and the partial-volume blur of its edge: at 2 mm voxels our own segmentation gives part of
  // a 3 mm gap to the host) are never lesion.
  const seedLocal = si - b0[0]! + ni * (sj - b0[1]! + nj * (sk - b0[2]!));
  const hostMask = new Uint8Array(n);
  for (let t = 0; t < n; t++) hostMask[t] = boneLabel[t] === host || boneLabel[t] === LABELS.lesion ? 1 : 0;
  const others = new Uint8Array(n);
  for (let t = 0; t < n; t++) others[t] = boneLabel[t] !== 0 && !hostMask[t] ? 1 : 0;
  const walls = dilateMm(others, dims, sp, JOINT_SPACE_MM + 0.5 * Math.max(sp[0], sp[1], sp[2]));
  // Closing radius: the smallest of a few that encloses the seed (a lesion that destroyed a
  // wide patch of cortex needs a wider ball to plug the defect). The steps are fine because a
  // ball larger than needed bridges the bone's concavities.
  const radii = options.envelopeCloseMm !== undefined ? [options.envelopeCloseMm] : [6, 8, 10, 12, 15, 20];
  let envelope: Uint8Array = new Uint8Array(n);
  // Distance to the host, once for every radius tried (the dilations are its level sets).
  const hostDist2 = new Float32Array(n);
  for (let t = 0; t < n; t++) hostDist2[t] = hostMask[t] ? 0 : EDT_FAR;
  squaredDistanceInPlace(hostDist2, dims, sp);
  for (const closeR of radii) {
    envelope = new Uint8Array(n);
    const r2 = closeR * closeR + 1e-6;
    for (let t = 0; t < n; t++) envelope[t] = hostDist2[t]! <= r2 ? 1 : 0;
    erodeMm(envelope, dims, sp, closeR - Math.max(sp[0], sp[1], sp[2]), envelope);
    fillHoles(envelope, dims, 'all');
    for (let t = 0; t < n; t++) if (walls[t]) envelope[t] = 0;
    if (envelope[seedLocal]) break;
  }
  if (!envelope[seedLocal]) {
    throw new PlannerError('segmentation/bad-seed', 'the seed is outside the bone: click inside the lesion, within the bone outline');
  }

  // Levels: lesion around the seed (3 mm ball, at least the 26 neighbours), bone over the envelope.
  const near: number[] = [];
  const rr = Math.max(3, 1.01 * Math.max(sp[0], sp[1], sp[2]));
  const ci = si - b0[0]!, cj = sj - b0[1]!, ck = sk - b0[2]!;
  for (let k = Math.max(0, ck - Math.ceil(rr / sp[2])); k <= Math.min(nk - 1, ck + Math.ceil(rr / sp[2])); k++)
    for (let j = Math.max(0, cj - Math.ceil(rr / sp[1])); j <= Math.min(nj - 1, cj + Math.ceil(rr / sp[1])); j++)
      for (let i = Math.max(0, ci - Math.ceil(rr / sp[0])); i <= Math.min(ni - 1, ci + Math.ceil(rr / sp[0])); i++) {
        if (Math.hypot((i - ci) * sp[0], (j - cj) * sp[1], (k - ck) * sp[2]) > rr) continue;
        const t = i + ni * (j + nj * k);
        if (envelope[t]) near.push(grey[t]!);
      }
  const lesionLevel = median(near, near.length);
  // Robust spread of the lesion's own texture and noise (MAD), on the raw values.
  const dev = near.map((x) => Math.abs(x - lesionLevel));
  const lesionSigma = 1.4826 * median(dev, dev.length);
  // Bone level: the host bone (not the lesion, not other bones) in the box.
  const envValues = new Float32Array(n);
  let ne = 0;
  for (let t = 0; t < n; t++) if (boneLabel[t] === host) envValues[ne++] = smooth[t]!;
  const boneLevel = median(envValues, ne);
  if (!(boneLevel > lesionLevel + 2 * lesionSigma)) {
    throw new PlannerError('segmentation/bad-seed', `the seed (grey ${lesionLevel.toFixed(0)}) is not darker than the surrounding bone (${boneLevel.toFixed(0)}): not a lytic lesion`);
  }
  // Noisy image (CBCT): grow on the 3x3x3 mean, which divides the noise by about 5 but pulls
  // the voxels next to bright cortex up; on CT the raw values keep the edge where it is.
  const noisy = lesionSigma > 0.15 * (boneLevel - lesionLevel);
  const values = noisy ? smooth : grey;
  const sigmaUsed = noisy ? lesionSigma / 4 : lesionSigma;
  // Lower limit: 2.5 sigma below the lesion level, which keeps out fatty marrow, the canal's
  // fluid and the fat around the roots.
  const lower = lesionLevel - Math.max(2.5 * sigmaUsed, 0.05 * (boneLevel - lesionLevel));
  const nij = ni * nj;
  // Enclosure test: a voxel belongs to the bone's inside when rays in at least 21 of the 26
  // grid directions meet bone within 30 mm. Soft tissue beyond a broken cortex sees bone in
  // about half of them, so the growing stops at the defect instead of spilling out.
  const enclosedCache = new Int8Array(n).fill(-1);
  const rayMm = 30;
  // A lesion that destroyed both cortices of a thin bone (ilium) is not enclosed by that rule:
  // when the core stays under 0.5 mL, the rule relaxes to 14, then 9 of 26 directions.
  let minHits = 21, maxMisses = 5;
  const isEnclosed = (t: number): boolean => {
    const c = enclosedCache[t]!;
    if (c >= 0) return c === 1;
    const i0 = t % ni, j0 = ((t - i0) / ni) % nj, k0 = Math.floor(t / nij);
    let hits = 0, misses = 0;
    for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0 && dz === 0) continue;
      const stepMm = Math.hypot(dx * sp[0], dy * sp[1], dz * sp[2]);
      const steps = Math.ceil(rayMm / stepMm);
      let i = i0, j = j0, k = k0, hit = false;
      for (let st = 0; st < steps; st++) {
        i += dx; j += dy; k += dz;
        if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) break;
        if (boneLabel[i + ni * (j + nj * k)]) { hit = true; break; }
      }
      if (hit) hits++;
      else if (++misses > maxMisses) break;
    }
    const ok = misses <= maxMisses && hits >= minHits;
    enclosedCache[t] = ok ? 1 : 0;
    return ok;
  };
  const queue = new Int32Array(n);
  let touchesBox = false;
  const grow = (upperGrey: number): Uint8Array => {
    const region = new Uint8Array(n);
    let head = 0, tail = 0;
    region[seedLocal] = 1;
    queue[tail++] = seedLocal;
    touchesBox = false;
    while (head < tail) {
      const t = queue[head++]!;
      const i = t % ni, j = ((t - i) / ni) % nj, k = Math.floor(t / nij);
      if (i === 0 || j === 0 || k === 0 || i === ni - 1 || j === nj - 1 || k === nk - 1) touchesBox = true;
      for (let d = 0; d < 6; d++) {
        let q: number;
        if (d === 0) { if (i === 0) continue; q = t - 1; }
        else if (d === 1) { if (i === ni - 1) continue; q = t + 1; }
        else if (d === 2) { if (j === 0) continue; q = t - ni; }
        else if (d === 3) { if (j === nj - 1) continue; q = t + ni; }
        else if (d === 4) { if (k === 0) continue; q = t - nij; }
        else { if (k === nk - 1) continue; q = t + nij; }
        if (region[q] || !envelope[q] || walls[q]) continue;
        const s = values[q]!;
        if (s > upperGrey || s < lower) continue;
        if (!isEnclosed(q)) continue;
        region[q] = 1;
        queue[tail++] = q;
      }
    }
    return region;
  };
  // Pass 1: a conservative window (lesion level + 3 sigma of its raw texture) finds the core.
  // Pass 2: the bone level is re-measured in a 3-6 mm shell around that core (the trabecular
  // bone that actually borders the lesion, not the cortex-heavy median of the whole bone), and
  // over the whole envelope there, not the segmented bone only: on CBCT the segmentation holds
  // little more than the cortex (marrow not filled), whose level would put the window above
  // the marrow (sacralAlaCbct medium: 2010 vs marrow 1106, lesion 951), and
  // the upper limit is the partial-volume midpoint between lesion and that bone.
  const coreUpper = lesionLevel + Math.min(3 * sigmaUsed, 0.15 * (boneLevel - lesionLevel));
  const minCoreVoxels = Math.max(8, Math.ceil(500 / (sp[0] * sp[1] * sp[2])));
  let core: Uint8Array = new Uint8Array(0);
  for (const [h, m] of [[21, 5], [14, 12], [9, 17]] as const) {
    minHits = h;
    maxMisses = m;
    enclosedCache.fill(-1);
    core = grow(coreUpper);
    let count = 0;
    for (let t = 0; t < n; t++) count += core[t]!;
    if (count >= minCoreVoxels) break;
  }
  fillHolesInBox(core, dims);
  // Distance to the core on a crop of the core's box grown by the 6 mm shell (the same values
  // as over the whole box: every core voxel lies in the crop).
  const lo = [ni, nj, nk], hi = [-1, -1, -1];
  for (let t = 0; t < n; t++) {
    if (!core[t]) continue;
    const i = t % ni, j = ((t - i) / ni) % nj, k = Math.floor(t / nij);
    if (i < lo[0]!) lo[0] = i;
    if (i > hi[0]!) hi[0] = i;
    if (j < lo[1]!) lo[1] = j;
    if (j > hi[1]!) hi[1] = j;
    if (k < lo[2]!) lo[2] = k;
    if (k > hi[2]!) hi[2] = k;
  }
  const shell: number[] = [];
  if (hi[0]! >= 0) {
    const c0 = [0, 1, 2].map((a) => Math.max(0, lo[a]! - Math.ceil(6 / sp[a]!) - 1));
    const c1 = [0, 1, 2].map((a) => Math.min(dims[a]! - 1, hi[a]! + Math.ceil(6 / sp[a]!) + 1));
    const cd: [number, number, number] = [c1[0]! - c0[0]! + 1, c1[1]! - c0[1]! + 1, c1[2]! - c0[2]! + 1];
    const coreDist = new Float32Array(cd[0] * cd[1] * cd[2]);
    let u = 0;
    for (let k = c0[2]!; k <= c1[2]!; k++) for (let j = c0[1]!; j <= c1[1]!; j++) for (let i = c0[0]!; i <= c1[0]!; i++, u++) {
      coreDist[u] = core[i + ni * (j + nj * k)] ? 0 : EDT_FAR;
    }
    squaredDistanceInPlace(coreDist, cd, sp);
    u = 0;
    for (let k = c0[2]!; k <= c1[2]!; k++) for (let j = c0[1]!; j <= c1[1]!; j++) for (let i = c0[0]!; i <= c1[0]!; i++, u++) {
      const d2 = coreDist[u]!;
      const t = i + ni * (j + nj * k);
      if (d2 >= 9 && d2 <= 36 && envelope[t] && !walls[t]) shell.push(values[t]!);
    }
  }
  const nearBoneLevel = shell.length >= 20 ? median(shell, shell.length) : boneLevel;
  const upper = (lesionLevel + Math.min(nearBoneLevel, boneLevel)) / 2;
  const coreTouchesBox = touchesBox;
  let region = grow(upper);
  // Leak guard. On a lesion the bone-midpoint window adds only the partial-volume rim to the
  // conservative core; a region several times the core, or one that needed the loosest
  // enclosure rule or reaches the working box, has spilled into marrow or soft tissue.
  let coreCount = 0, regionCount = 0;
  for (let t = 0; t < n; t++) {
    coreCount += core[t]!;
    regionCount += region[t]!;
  }
  let status: GrowLesionResult['status'] = 'ok';
  let bridged = false;
  let windowUpper = upper;
  if (minHits <= 9 || coreTouchesBox) status = 'leak';
  else if (touchesBox || regionCount > 3 * coreCount) {
    status = 'conservative';
    region = core;
    touchesBox = coreTouchesBox;
  }
  if (status === 'leak') {
    // The envelope did not hold the lesion: bridge the destroyed cortex with the hull of the
    // cavity's bare walls seen from the seed (growLesionBridge.ts). Accepted when walls were seen
    // in at least 2 % of the directions, the region stays inside the box and holds 0.5 mL.
    const bridge = bridgeDefect({ dims, spacingMm: sp, host: hostMask, others, walls, grey, values, seedLocal, lesionLevel, lower }, R);
    if (bridge && bridge.seedWallFraction >= 0.02 && !bridge.touchesBox && bridge.regionVoxels >= minCoreVoxels) {
      region = bridge.region;
      touchesBox = false;
      windowUpper = bridge.upper;
      bridged = true;
      status = 'ok';
    }
  }
  if (status === 'leak') {
    const edit: LabelEdit = { label: 'lesion from one click (not applied: leak)', indices: new Int32Array(0), before: new Uint8Array(0), after: new Uint8Array(0) };
    return { edit, measure: measureLabel(labels, LABELS.lesion), windowGrey: [lower, upper], lesionLevelGrey: lesionLevel, boneLevelGrey: Math.min(nearBoneLevel, boneLevel), touchesBox, status, bridged };
  }
  // The region is 6-connected (grown from the seed) and filling its holes keeps it so (a filled
  // cavity borders the region): it is the seed's component as it is, no labelling needed.
  fillHolesInBox(region, dims);

  // Write: lesion voxels (and, with replace, restore the host label of the old lesion).
  const candidates: number[] = [];
  // The grown region's box (grid ijk, [lo, hi)): with `replace` it holds every lesion voxel after
  // the write, so the measure scans it instead of the whole volume (same figures).
  const grownLo: [number, number, number] = [gi, gj, gk], grownHi: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const base = ni * (j + nj * k);
    const q0 = b0[0]! + gi * (j + b0[1]! + gj * (k + b0[2]!));
    for (let i = 0; i < ni; i++) {
      if (!region[base + i]) continue;
      candidates.push(q0 + i);
      const a = b0[0]! + i, b = b0[1]! + j, c = b0[2]! + k;
      if (a < grownLo[0]) grownLo[0] = a;
      if (a >= grownHi[0]) grownHi[0] = a + 1;
      if (b < grownLo[1]) grownLo[1] = b;
      if (b >= grownHi[1]) grownHi[1] = b + 1;
      if (c < grownLo[2]) grownLo[2] = c;
      if (c >= grownHi[2]) grownHi[2] = c + 1;
    }
  }
  const v = labels.voxels;
  const idx: number[] = [];
  const before: number[] = [];
  const after: number[] = [];
  if (options.replace ?? true) {
    // The earlier lesion, found with the typed array's native search (a plain loop over a
    // full-size volume costs more than the growing itself).
    const gij = gi * gj;
    const inNew = (t: number): boolean => {
      const k = Math.floor(t / gij), j = Math.floor((t - k * gij) / gi), i = t - k * gij - j * gi;
      if (i < b0[0]! || j < b0[1]! || k < b0[2]! || i >= b1[0]! || j >= b1[1]! || k >= b1[2]!) return false;
      return region[i - b0[0]! + ni * (j - b0[1]! + nj * (k - b0[2]!))] === 1;
    };
    const host = hostLabelAround(labels, candidates);
    for (let t = v.indexOf(LABELS.lesion); t >= 0; t = v.indexOf(LABELS.lesion, t + 1)) {
      if (!inNew(t)) {
        idx.push(t);
        before.push(LABELS.lesion);
        after.push(host);
      }
    }
  }
  for (const t of candidates) {
    if (v[t] === LABELS.lesion) continue;
    idx.push(t);
    before.push(v[t]!);
    after.push(LABELS.lesion);
  }
  for (let q = 0; q < idx.length; q++) v[idx[q]!] = after[q]!;
  labels.generation++;
  const edit: LabelEdit = { label: 'lesion from one click', indices: Int32Array.from(idx), before: Uint8Array.from(before), after: Uint8Array.from(after) };
  return {
    edit,
    measure: measureLabel(labels, LABELS.lesion, (options.replace ?? true) ? { lo: grownLo, hi: grownHi } : undefined),
    windowGrey: [lower, windowUpper],
    lesionLevelGrey: lesionLevel,
    boneLevelGrey: Math.min(nearBoneLevel, boneLevel),
    touchesBox,
    status,
    bridged,
  };
}

/**
 * `fillHoles(mask, dims, 'all')` on the mask's bounding box grown by one voxel (clipped to the
 * grid), in place: the same result, at the cost of the box rather than the grid. A cavity is a
 * background component that touches no face; outside the bounding box everything is background,
 * connected, and reaches the grid's faces, so a background component of the crop touches a crop
 * face exactly when it reaches the grid's faces in the whole mask.
 */
export function fillHolesInBox(mask: Uint8Array, dims: readonly [number, number, number]): void {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (!mask[t]) continue;
    if (i < i0) i0 = i;
    if (i > i1) i1 = i;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
  }
  if (i1 < 0) return;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(ni - 1, i1 + 1); j1 = Math.min(nj - 1, j1 + 1); k1 = Math.min(nk - 1, k1 + 1);
  const cd: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  if (cd[0] === ni && cd[1] === nj && cd[2] === nk) {
    fillHoles(mask, dims, 'all');
    return;
  }
  const crop = new Uint8Array(cd[0] * cd[1] * cd[2]);
  for (let k = k0, u = 0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = ni * j + nij * k;
    for (let i = i0; i <= i1; i++, u++) crop[u] = mask[row + i]!;
  }
  fillHoles(crop, cd, 'all');
  for (let k = k0, u = 0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = ni * j + nij * k;
    for (let i = i0; i <= i1; i++, u++) if (crop[u]) mask[row + i] = 1;
  }
}

/** Most frequent non-zero, non-lesion value of `labels` within `radiusMm` of voxel `c` (0 if none). */
function mostFrequentNear(labels: Uint8Array, dims: readonly [number, number, number], sp: readonly [number, number, number], c: readonly number[], radiusMm: number): number {
  const [ni, nj, nk] = dims;
  const counts = new Float64Array(256);
  for (let k = Math.max(0, c[2]! - Math.ceil(radiusMm / sp[2])); k <= Math.min(nk - 1, c[2]! + Math.ceil(radiusMm / sp[2])); k++)
    for (let j = Math.max(0, c[1]! - Math.ceil(radiusMm / sp[1])); j <= Math.min(nj - 1, c[1]! + Math.ceil(radiusMm / sp[1])); j++)
      for (let i = Math.max(0, c[0]! - Math.ceil(radiusMm / sp[0])); i <= Math.min(ni - 1, c[0]! + Math.ceil(radiusMm / sp[0])); i++) {
        if (Math.hypot((i - c[0]!) * sp[0], (j - c[1]!) * sp[1], (k - c[2]!) * sp[2]) > radiusMm) continue;
        counts[labels[i + ni * (j + nj * k)]!]!++;
      }
  counts[0] = 0;
  counts[LABELS.lesion] = 0;
  let best = 0;
  for (let l = 1; l < 256; l++) if (counts[l]! > counts[best]!) best = l;
  return best;
}

/** Most frequent bone label among the 6-neighbours of a voxel set (its host bone); 0 if none. */
function hostLabelAround(labels: Volume<Uint8Array>, voxels: readonly number[]): number {
  const [ni, nj] = labels.geometry.dims;
  const v = labels.voxels;
  const counts = new Float64Array(256);
  for (const t of voxels) {
    for (const q of [t - 1, t + 1, t - ni, t + ni, t - ni * nj, t + ni * nj]) {
      if (q >= 0 && q < v.length) counts[v[q]!]!++;
    }
  }
  let best = 0, bestCount = 0;
  for (const l of BONE_LABELS) if (counts[l]! > bestCount) { best = l; bestCount = counts[l]!; }
  return best;
}

/** Separable 3x3x3 mean filter (edges average what exists). */
function meanFilter3(src: Float32Array, dims: readonly [number, number, number]): Float32Array {
  const [ni, nj, nk] = dims;
  const n = src.length;
  const a = new Float32Array(n), b = new Float32Array(n);
  const nij = ni * nj;
  let t = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    let s = src[t]!, c = 1;
    if (i > 0) { s += src[t - 1]!; c++; }
    if (i < ni - 1) { s += src[t + 1]!; c++; }
    a[t] = s / c;
  }
  t = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    let s = a[t]!, c = 1;
    if (j > 0) { s += a[t - ni]!; c++; }
    if (j < nj - 1) { s += a[t + ni]!; c++; }
    b[t] = s / c;
  }
  t = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    let s = b[t]!, c = 1;
    if (k > 0) { s += b[t - nij]!; c++; }
    if (k < nk - 1) { s += b[t + nij]!; c++; }
    a[t] = s / c;
  }
  return a;
}
