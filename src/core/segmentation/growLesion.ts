import type { Vec3 } from '../geometry/vec3';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { isSameGrid, transformPoint } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';
import type { LabelEdit, RegionMeasure } from './labelEdits';
import { measureLabel } from './labelEdits';
import { fillHoles } from './morphology';
import { allocEdtGrid, EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { bridgeDefect } from './growLesionBridge';

/** The transform's "no feature" seed, read once (not through the module binding in every loop). */
const FAR = EDT_FAR;

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
 * `median(a, a.length)` without the sort: the element of rank `length >> 1` by selection
 * (Hoare's partition with a median-of-three pivot), reordering `a`. The same value as the
 * sorted array's element there: finite values, and no -0 (grey values and their means).
 */
export function medianInPlace(a: Float32Array): number {
  const n = a.length;
  if (n === 0) return NaN;
  const want = n >> 1;
  let lo = 0, hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // Median of three as the pivot value.
    let x = a[lo]!, y = a[mid]!, z = a[hi]!;
    if (x > y) { const w = x; x = y; y = w; }
    if (y > z) { y = z; }
    const pivot = x > y ? x : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const w = a[i]!;
        a[i] = a[j]!;
        a[j] = w;
        i++;
        j--;
      }
    }
    // [lo, j] <= pivot <= [i, hi], and (j, i) equal to the pivot.
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return a[want]!;
  }
  return a[want]!;
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
  const LESION = LABELS.lesion;
  const boneLut = new Uint8Array(256);
  for (const l of BONE_LABELS) boneLut[l] = 1;
  boneLut[LESION] = 1;

  // Crop: bone labels and mean-filtered grey values.
  const boneLabel = new Uint8Array(n);
  const grey = new Float32Array(n);
  cropBox(labels.voxels, ct.voxels, g.dims, b0, dims, boneLut, boneLabel, grey);
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
  const others = new Uint8Array(n);
  // Voxels of the host label itself (not the lesion): the bone level's sample below.
  const hostVoxels = splitHost(boneLabel, host, LESION, hostMask, others);
  const wallMm = JOINT_SPACE_MM + 0.5 * Math.max(sp[0], sp[1], sp[2]);
  // Closing radius: the smallest of a few that encloses the seed (a lesion that destroyed a
  // wide patch of cortex needs a wider ball to plug the defect). The steps are fine because a
  // ball larger than needed bridges the bone's concavities.
  const radii = options.envelopeCloseMm !== undefined ? [options.envelopeCloseMm] : [6, 8, 10, 12, 15, 20];
  const envelope = new Uint8Array(n);
  // The transforms below run on crops of the box that hold every voxel whose value matters, with
  // the same values there as over the whole box (the nearest feature of each lies in the crop);
  // the masks are the same voxel for voxel (testing/lesionFingerprints.ts: the
  // outcomes recorded while the previous implementation was still compared click by click).
  // Distance to the host, once for every radius tried (the dilations are its level sets), on the
  // host's box grown by the radius (`hostDistBox`): outside it no voxel is within the radius of
  // the host. Computed for the first two radii (sacralAla full needs 8 mm); a larger radius (a
  // wide cortical defect) computes it again, for the largest.
  const hostBox = maskBox(hostMask, dims);
  const hostDist2 = new Float32Array(n);
  let hostDistMm = -1;
  let hostDistBox: Int32Array | null = null;
  // Walls (other parts and the joint-space band around them: the voxels within wallMm of another
  // part): needed only in the envelope, which lies in hostDistBox (inside the dilation's box, a
  // filled cavity too), so computed there.
  let walls: Uint8Array = new Uint8Array(n);
  let erodeGrid: Float32Array | null = null;
  for (const closeR of radii) {
    if (!hostBox) break;
    if (closeR > hostDistMm) {
      hostDistMm = hostDistMm < 0 ? Math.max(closeR, radii[1] ?? closeR) : Math.max(closeR, ...radii);
      hostDist2.fill(FAR);
      const box = growBox(hostBox, hostDistMm, sp, dims);
      const sq = cropSquaredDistance(hostMask, dims, sp, box);
      copyFromBox(sq, box, dims, hostDist2);
      hostDistBox = box;
      walls = dilateOnBox(others, dims, sp, wallMm, box);
    }
    // Closing: the dilation is hostDist2's level set; the erosion keeps the voxels farther than
    // closeR - one voxel from every voxel outside it (morphology.ts erodeMm, on the dilation's
    // box: see erodeLevelSetInBox).
    erodeGrid ??= allocEdtGrid(n);
    erodeLevelSetInBox(hostDist2, closeR * closeR + 1e-6, dims, sp, closeR - Math.max(sp[0], sp[1], sp[2]), erodeGrid, envelope);
    // Holes filled: a filled cavity lies inside the eroded set's box (what lies outside it is
    // connected to the grid's faces), so the envelope stays in that box.
    fillHoles(envelope, dims, 'all');
    clearWhere(envelope, walls, hostDistBox!, dims);
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
  const boneLevel = medianInPlace(valuesOfLabel(boneLabel, host, smooth, hostVoxels));
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
  // Enclosure test: a voxel belongs to the bone's inside when rays in at least 21 of the 26
  // grid directions meet bone within 30 mm. Soft tissue beyond a broken cortex sees bone in
  // about half of them, so the growing stops at the defect instead of spilling out.
  const rayMm = 30;
  // The 26 directions in the order they are tried, with their step counts.
  const rayDirs = new Int32Array(104);
  let r4 = 0;
  for (let dz = -1; dz <= 1; dz++) for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
    if (dx === 0 && dy === 0 && dz === 0) continue;
    rayDirs[r4++] = dx; rayDirs[r4++] = dy; rayDirs[r4++] = dz;
    rayDirs[r4++] = Math.ceil(rayMm / Math.hypot(dx * sp[0], dy * sp[1], dz * sp[2]));
  }
  // A lesion that destroyed both cortices of a thin bone (ilium) is not enclosed by that rule:
  // when the core stays under 0.5 mL, the rule relaxes to 14, then 9 of 26 directions.
  const gc: GrowContext = {
    ni, nj, nk, seedLocal, envelope, walls, values, lower, boneLabel, rayDirs,
    enclosedCache: new Int8Array(n).fill(-1), minHits: 21, maxMisses: 5,
    queue: new Int32Array(n), touchesBox: false, grownVoxels: 0, box: new Int32Array(6),
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
    gc.minHits = h;
    gc.maxMisses = m;
    gc.enclosedCache.fill(-1);
    core = growRegion(gc, coreUpper);
    if (gc.grownVoxels >= minCoreVoxels) break;
  }
  // The core's bounding box, as grown (filling its holes adds voxels inside that box only: a
  // filled cavity is enclosed by the region).
  const coreBox = gc.box.slice();
  fillHolesInBox(core, dims);
  // Distance to the core on a crop of the core's box grown by the 6 mm shell (the same values
  // as over the whole box: every core voxel lies in the crop).
  const shell = shellValues(core, coreBox, dims, sp, envelope, walls, values);
  const nearBoneLevel = shell.length >= 20 ? medianInPlace(shell) : boneLevel;
  const upper = (lesionLevel + Math.min(nearBoneLevel, boneLevel)) / 2;
  const coreTouchesBox = gc.touchesBox;
  let region = growRegion(gc, upper);
  let touchesBox = gc.touchesBox;
  // Leak guard. On a lesion the bone-midpoint window adds only the partial-volume rim to the
  // conservative core; a region several times the core, or one that needed the loosest
  // enclosure rule or reaches the working box, has spilled into marrow or soft tissue.
  // The region's voxels are the ones grown (each entered the queue once); the core's are counted
  // over its box (holes filled).
  const coreCount = countInBox(core, coreBox, dims);
  const regionCount = gc.grownVoxels;
  const minHits = gc.minHits;
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
    // The bridge grows outside the envelope: the walls over the whole box.
    const allWalls = dilateOnBox(others, dims, sp, wallMm, Int32Array.of(0, 0, 0, ni - 1, nj - 1, nk - 1));
    const bridge = bridgeDefect({ dims, spacingMm: sp, host: hostMask, others, walls: allWalls, grey, values, seedLocal, lesionLevel, lower }, R);
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
  // The grown region's box (grid ijk, [lo, hi)): with `replace` it holds every lesion voxel after
  // the write, so the measure scans it instead of the whole volume (same figures).
  const grownLo: [number, number, number] = [gi, gj, gk], grownHi: [number, number, number] = [0, 0, 0];
  const candidates: number[] = [];
  const rb = maskBox(region, dims);
  if (rb) {
    for (let a = 0; a < 3; a++) {
      grownLo[a] = b0[a]! + rb[a]!;
      grownHi[a] = b0[a]! + rb[a + 3]! + 1;
    }
    gridIndicesOf(region, rb, dims, b0, g.dims, candidates);
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

/** The working box's bone labels (bone and lesion values only, 0 elsewhere) and grey values, row by row. */
function cropBox(
  labelVoxels: Uint8Array, ctVoxels: VoxelArray, gridDims: readonly [number, number, number], b0: readonly number[],
  dims: readonly [number, number, number], boneLut: Uint8Array, boneLabel: Uint8Array, grey: Float32Array,
): void {
  const [gi, gj] = gridDims;
  const [ni, nj, nk] = dims;
  for (let k = 0, p = 0; k < nk; k++) for (let j = 0; j < nj; j++, p += ni) {
    const q0 = b0[0]! + gi * (j + b0[1]! + gj * (k + b0[2]!));
    // The typed-array copy converts each value as an element assignment does.
    grey.set(ctVoxels.subarray(q0, q0 + ni), p);
    for (let i = 0; i < ni; i++) {
      const l = labelVoxels[q0 + i]!;
      boneLabel[p + i] = boneLut[l] ? l : 0;
    }
  }
}

/** hostMask = the host part or the lesion, others = any other bone part; returns the count of the host label itself. */
function splitHost(boneLabel: Uint8Array, host: number, lesion: number, hostMask: Uint8Array, others: Uint8Array): number {
  let hostVoxels = 0;
  for (let t = 0, n = boneLabel.length; t < n; t++) {
    const l = boneLabel[t]!;
    if (l === host) hostVoxels++;
    if (l === host || l === lesion) hostMask[t] = 1;
    else if (l !== 0) others[t] = 1;
  }
  return hostVoxels;
}

/** `src` at the voxels whose label is `label` (there are `count`), in index order. */
function valuesOfLabel(labels: Uint8Array, label: number, src: Float32Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let t = 0, m = 0, n = labels.length; t < n; t++) if (labels[t] === label) out[m++] = src[t]!;
  return out;
}

/** Sum of a 0/1 mask over an inclusive box [i0, j0, k0, i1, j1, k1]. */
function countInBox(mask: Uint8Array, box: Int32Array, dims: readonly [number, number, number]): number {
  const [ni, nj] = dims;
  let count = 0;
  for (let k = box[2]!; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) {
    const row = ni * (j + nj * k);
    for (let t = row + box[0]!, e = row + box[3]!; t <= e; t++) count += mask[t]!;
  }
  return count;
}

/** Grid indices (index order) of the mask's voxels in `box`, the mask being the working box at `b0` of the grid. */
function gridIndicesOf(mask: Uint8Array, box: Int32Array, dims: readonly [number, number, number], b0: readonly number[], gridDims: readonly [number, number, number], out: number[]): void {
  const [ni, nj] = dims;
  const [gi, gj] = gridDims;
  for (let k = box[2]!; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) {
    const base = ni * (j + nj * k);
    const q0 = b0[0]! + gi * (j + b0[1]! + gj * (k + b0[2]!));
    for (let i = box[0]!; i <= box[3]!; i++) if (mask[base + i]) out.push(q0 + i);
  }
}

/**
 * The growing's inputs and state, one object of one shape (the growing and the enclosure test are
 * plain functions of it rather than closures over growLesion's locals: small functions that the
 * engine optimises on the first click, where a closure inside one long function made it recompile
 * that whole function several times per click).
 */
type GrowContext = {
  readonly ni: number;
  readonly nj: number;
  readonly nk: number;
  readonly seedLocal: number;
  readonly envelope: Uint8Array;
  readonly walls: Uint8Array;
  readonly values: Float32Array;
  readonly lower: number;
  readonly boneLabel: Uint8Array;
  /** The 26 ray directions (dx, dy, dz, steps). */
  readonly rayDirs: Int32Array;
  /** Enclosure test per voxel: -1 not tested yet, 0 no, 1 yes. */
  readonly enclosedCache: Int8Array;
  minHits: number;
  maxMisses: number;
  readonly queue: Int32Array;
  /** Of the last growRegion: whether it reached the box's faces, its voxel count and its bounding box. */
  touchesBox: boolean;
  grownVoxels: number;
  readonly box: Int32Array;
};

/** Whether rays in at least `minHits` of the 26 directions meet bone within their step counts (cached). */
function isEnclosed(c: GrowContext, t: number): boolean {
  const cached = c.enclosedCache[t]!;
  if (cached >= 0) return cached === 1;
  const { ni, nj, nk, boneLabel, rayDirs, maxMisses } = c;
  const nij = ni * nj;
  const i0 = t % ni, j0 = ((t - i0) / ni) % nj, k0 = Math.floor(t / nij);
  let hits = 0, misses = 0;
  for (let r = 0; r < 104; r += 4) {
    const dx = rayDirs[r]!, dy = rayDirs[r + 1]!, dz = rayDirs[r + 2]!, steps = rayDirs[r + 3]!;
    let i = i0, j = j0, k = k0, hit = false;
    for (let st = 0; st < steps; st++) {
      i += dx; j += dy; k += dz;
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) break;
      if (boneLabel[i + ni * (j + nj * k)]) { hit = true; break; }
    }
    if (hit) hits++;
    else if (++misses > maxMisses) break;
  }
  const ok = misses <= maxMisses && hits >= c.minHits;
  c.enclosedCache[t] = ok ? 1 : 0;
  return ok;
}

/** 6-connected growing from the seed inside the envelope, off the walls, in [lower, upperGrey], enclosed. */
function growRegion(c: GrowContext, upperGrey: number): Uint8Array {
  const { ni, nj, nk, envelope, walls, values, lower, queue } = c;
  const nij = ni * nj;
  const region = new Uint8Array(ni * nj * nk);
  let head = 0, tail = 0;
  region[c.seedLocal] = 1;
  queue[tail++] = c.seedLocal;
  let touchesBox = false;
  let bi0 = ni, bj0 = nj, bk0 = nk, bi1 = -1, bj1 = -1, bk1 = -1;
  while (head < tail) {
    const t = queue[head++]!;
    const i = t % ni, j = ((t - i) / ni) % nj, k = Math.floor(t / nij);
    if (i < bi0) bi0 = i;
    if (i > bi1) bi1 = i;
    if (j < bj0) bj0 = j;
    if (j > bj1) bj1 = j;
    if (k < bk0) bk0 = k;
    if (k > bk1) bk1 = k;
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
      if (!isEnclosed(c, q)) continue;
      region[q] = 1;
      queue[tail++] = q;
    }
  }
  c.touchesBox = touchesBox;
  c.grownVoxels = tail;
  c.box[0] = bi0; c.box[1] = bj0; c.box[2] = bk0; c.box[3] = bi1; c.box[4] = bj1; c.box[5] = bk1;
  return region;
}

/**
 * `values` over the shell 3-6 mm around the core (squared distance in [9, 36] mm^2), inside the
 * envelope and off the walls, in index order of the crop. The distance runs on the core's box
 * grown by 6 mm and one voxel (the same values there as over the whole box: every core voxel lies
 * in the crop).
 */
function shellValues(
  core: Uint8Array, coreBox: Int32Array, dims: readonly [number, number, number], sp: readonly [number, number, number],
  envelope: Uint8Array, walls: Uint8Array, values: Float32Array,
): Float32Array {
  const [ni, nj] = dims;
  if (coreBox[3]! < 0) return new Float32Array(0);
  const c0 = [0, 1, 2].map((a) => Math.max(0, coreBox[a]! - Math.ceil(6 / sp[a]!) - 1));
  const c1 = [0, 1, 2].map((a) => Math.min(dims[a]! - 1, coreBox[a + 3]! + Math.ceil(6 / sp[a]!) + 1));
  const cd: [number, number, number] = [c1[0]! - c0[0]! + 1, c1[1]! - c0[1]! + 1, c1[2]! - c0[2]! + 1];
  const coreDist = new Float32Array(cd[0] * cd[1] * cd[2]);
  for (let k = c0[2]!, u = 0; k <= c1[2]!; k++) for (let j = c0[1]!; j <= c1[1]!; j++) {
    const row = ni * (j + nj * k);
    for (let i = c0[0]!; i <= c1[0]!; i++, u++) coreDist[u] = core[row + i] ? 0 : FAR;
  }
  squaredDistanceInPlace(coreDist, cd, sp);
  const shell: number[] = [];
  for (let k = c0[2]!, u = 0; k <= c1[2]!; k++) for (let j = c0[1]!; j <= c1[1]!; j++) {
    const row = ni * (j + nj * k);
    for (let i = c0[0]!; i <= c1[0]!; i++, u++) {
      const d2 = coreDist[u]!;
      const t = row + i;
      if (d2 >= 9 && d2 <= 36 && envelope[t] && !walls[t]) shell.push(values[t]!);
    }
  }
  return Float32Array.from(shell);
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
  const box = maskBox(mask, dims);
  if (!box) return;
  let i0 = box[0]!, j0 = box[1]!, k0 = box[2]!, i1 = box[3]!, j1 = box[4]!, k1 = box[5]!;
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
  const nv = v.length, nij = ni * nj;
  const counts = new Float64Array(256);
  for (const t of voxels) {
    if (t - 1 >= 0) counts[v[t - 1]!]!++;
    if (t + 1 < nv) counts[v[t + 1]!]!++;
    if (t - ni >= 0) counts[v[t - ni]!]!++;
    if (t + ni < nv) counts[v[t + ni]!]!++;
    if (t - nij >= 0) counts[v[t - nij]!]!++;
    if (t + nij < nv) counts[v[t + nij]!]!++;
  }
  let best = 0, bestCount = 0;
  for (const l of BONE_LABELS) if (counts[l]! > bestCount) { best = l; bestCount = counts[l]!; }
  return best;
}

/**
 * Separable 3x3x3 mean filter (edges average what exists). Per axis each voxel's sum is taken in
 * the same order (itself, the lower neighbour, the upper one) and divided by the count, so the
 * interior loops carry no edge test and the values are those of the per-voxel form.
 */
export function meanFilter3(src: Float32Array, dims: readonly [number, number, number]): Float32Array {
  const [ni, nj, nk] = dims;
  const n = src.length;
  const a = new Float32Array(n), b = new Float32Array(n);
  // One small function per axis (each optimised on its own, on the first call).
  meanAlongI(src, a, ni, nj * nk);
  meanAlongJ(a, b, ni, nj, nk);
  meanAlongK(b, a, ni * nj, nk);
  return a;
}

function meanAlongI(src: Float32Array, a: Float32Array, ni: number, rows: number): void {
  for (let row = 0; row < rows; row++) {
    const o = row * ni;
    if (ni === 1) { a[o] = src[o]! / 1; continue; }
    a[o] = (src[o]! + src[o + 1]!) / 2;
    for (let t = o + 1, e = o + ni - 1; t < e; t++) a[t] = (src[t]! + src[t - 1]! + src[t + 1]!) / 3;
    a[o + ni - 1] = (src[o + ni - 1]! + src[o + ni - 2]!) / 2;
  }
}

/** Along j (rows of a slice). */
function meanAlongJ(a: Float32Array, b: Float32Array, ni: number, nj: number, nk: number): void {
  const nij = ni * nj;
  for (let k = 0; k < nk; k++) {
    const s0 = k * nij;
    for (let j = 0; j < nj; j++) {
      const o = s0 + j * ni;
      if (nj === 1) { for (let i = 0; i < ni; i++) b[o + i] = a[o + i]! / 1; continue; }
      if (j === 0) { for (let i = 0; i < ni; i++) b[o + i] = (a[o + i]! + a[o + i + ni]!) / 2; continue; }
      if (j === nj - 1) { for (let i = 0; i < ni; i++) b[o + i] = (a[o + i]! + a[o + i - ni]!) / 2; continue; }
      for (let t = o, e = o + ni; t < e; t++) b[t] = (a[t]! + a[t - ni]! + a[t + ni]!) / 3;
    }
  }
}

/** Along k (whole slices). */
function meanAlongK(b: Float32Array, a: Float32Array, nij: number, nk: number): void {
  for (let k = 0; k < nk; k++) {
    const o = k * nij, e = o + nij;
    if (nk === 1) { for (let t = o; t < e; t++) a[t] = b[t]! / 1; continue; }
    if (k === 0) { for (let t = o; t < e; t++) a[t] = (b[t]! + b[t + nij]!) / 2; continue; }
    if (k === nk - 1) { for (let t = o; t < e; t++) a[t] = (b[t]! + b[t - nij]!) / 2; continue; }
    for (let t = o; t < e; t++) a[t] = (b[t]! + b[t - nij]! + b[t + nij]!) / 3;
  }
}

/** Bounding box [i0, j0, k0, i1, j1, k1] (inclusive) of a mask's non-zero voxels; null when empty. */
export function maskBox(mask: Uint8Array, dims: readonly [number, number, number]): Int32Array | null {
  const [ni, nj, nk] = dims;
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++, t += ni) {
    let a = -1, b = -1;
    for (let i = 0; i < ni; i++) if (mask[t + i]) { a = i; break; }
    if (a < 0) continue;
    for (let i = ni - 1; i >= a; i--) if (mask[t + i]) { b = i; break; }
    if (a < i0) i0 = a;
    if (b > i1) i1 = b;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
  }
  return i1 < 0 ? null : Int32Array.of(i0, j0, k0, i1, j1, k1);
}

/** `box` grown by `mm` and one voxel on every side, clipped to the grid: it holds every voxel within `mm` of a voxel of `box`. */
function growBox(box: Int32Array, mm: number, sp: readonly [number, number, number], dims: readonly [number, number, number]): Int32Array {
  const out = new Int32Array(6);
  for (let a = 0; a < 3; a++) {
    const m = Math.ceil(mm / sp[a]!) + 1;
    out[a] = Math.max(0, box[a]! - m);
    out[a + 3] = Math.min(dims[a]! - 1, box[a + 3]! + m);
  }
  return out;
}

/** `out[t] = crop[u]` for every voxel of `box` (t its index in the grid, u in the crop, i fastest). */
function copyFromBox(crop: Float32Array, box: Int32Array, dims: readonly [number, number, number], out: Float32Array): void {
  const [ni, nj] = dims;
  const w = box[3]! - box[0]! + 1;
  for (let k = box[2]!, u = 0; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++, u += w) {
    const row = ni * (j + nj * k) + box[0]!;
    out.set(crop.subarray(u, u + w), row);
  }
}

/** `mask[t] = 0` where `where[t]`, over the voxels of `box`. */
function clearWhere(mask: Uint8Array, where: Uint8Array, box: Int32Array, dims: readonly [number, number, number]): void {
  const [ni, nj] = dims;
  for (let k = box[2]!; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) {
    const row = ni * (j + nj * k);
    for (let t = row + box[0]!, e = row + box[3]!; t <= e; t++) if (where[t]) mask[t] = 0;
  }
}

/** Squared distance (mm^2) on the crop `box` to the mask's non-zero voxels inside the crop (i fastest, the crop's dims). */
function cropSquaredDistance(mask: Uint8Array, dims: readonly [number, number, number], sp: readonly [number, number, number], box: Int32Array): Float32Array {
  const cd: [number, number, number] = [box[3]! - box[0]! + 1, box[4]! - box[1]! + 1, box[5]! - box[2]! + 1];
  const sq = allocEdtGrid(cd[0] * cd[1] * cd[2]);
  const [ni, nj] = dims;
  for (let k = box[2]!, u = 0; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) {
    const row = ni * (j + nj * k);
    for (let i = box[0]!; i <= box[3]!; i++, u++) sq[u] = mask[row + i] !== 0 ? 0 : FAR;
  }
  squaredDistanceInPlace(sq, cd, sp);
  return sq;
}

/**
 * `morphology.ts dilateMm(mask, dims, spacingMm, radiusMm)` on the voxels of `box` (0 elsewhere):
 * the transform runs on the box grown by the radius, which holds the nearest mask voxel of every
 * voxel of the box that has one within the radius.
 */
export function dilateOnBox(mask: Uint8Array, dims: readonly [number, number, number], sp: readonly [number, number, number], radiusMm: number, box: Int32Array): Uint8Array {
  const out = new Uint8Array(mask.length);
  const crop = growBox(box, radiusMm, sp, dims);
  const sq = cropSquaredDistance(mask, dims, sp, crop);
  const r2 = radiusMm * radiusMm + 1e-6;
  const cw = crop[3]! - crop[0]! + 1, ch = crop[4]! - crop[1]! + 1;
  const [ni, nj] = dims;
  for (let k = box[2]!; k <= box[5]!; k++) for (let j = box[1]!; j <= box[4]!; j++) {
    const row = ni * (j + nj * k);
    const urow = cw * (j - crop[1]! + ch * (k - crop[2]!)) - crop[0]!;
    for (let i = box[0]!; i <= box[3]!; i++) out[row + i] = sq[urow + i]! <= r2 ? 1 : 0;
  }
  return out;
}

/**
 * Erosion of a level set: `out` = erodeMm(dist2 <= level2, radiusMm) (morphology.ts: the voxels
 * farther than the radius from every voxel outside the set), with `grid` as the transform's
 * scratch (length of the grid). The transform runs on the set's bounding box grown by one voxel:
 * outside it no voxel is in the set (0), and a voxel outside the crop is never the only nearest
 * outside voxel of a voxel in it (clamped into the crop it stays outside the set and gets no
 * farther on any axis).
 */
export function erodeLevelSetInBox(
  dist2: Float32Array, level2: number, dims: readonly [number, number, number], sp: readonly [number, number, number],
  radiusMm: number, grid: Float32Array, out: Uint8Array,
): void {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  out.fill(0);
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    let rowAny = false;
    for (let i = 0; i < ni; i++, t++) {
      if (!(dist2[t]! <= level2)) continue;
      rowAny = true;
      if (i < i0) i0 = i;
      if (i > i1) i1 = i;
    }
    if (!rowAny) continue;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
  }
  if (i1 < 0) return;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(ni - 1, i1 + 1); j1 = Math.min(nj - 1, j1 + 1); k1 = Math.min(nk - 1, k1 + 1);
  const cd: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const cn = cd[0] * cd[1] * cd[2];
  const sq = cn === grid.length ? grid : grid.subarray(0, cn);
  for (let k = k0, u = 0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = ni * j + nij * k;
    for (let i = i0; i <= i1; i++, u++) sq[u] = dist2[row + i]! <= level2 ? FAR : 0;
  }
  squaredDistanceInPlace(sq, cd, sp);
  const r2 = radiusMm * radiusMm + 1e-6;
  for (let k = k0, u = 0; k <= k1; k++) for (let j = j0; j <= j1; j++) {
    const row = ni * j + nij * k;
    for (let i = i0; i <= i1; i++, u++) out[row + i] = sq[u]! > r2 ? 1 : 0;
  }
}

