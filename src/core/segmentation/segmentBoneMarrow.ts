import type { VoxelBox } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { LABELS } from '../shared/ids';
import { transformPoint } from '../volume/VolumeGeometry';
import { labelBoxesOf } from '../anatomy/labelBoxes';
import { computeComponents } from './connectedComponents';
import { closeMm, fillHoles } from './morphology';
import { sacralMirrorPlane } from './sacralMidline';

type Dims = readonly [number, number, number];

/**
 * Thickest pelvic cortex (mm): the iliac and sacral cortices are 0.5-2 mm, the
 * acetabular roof and the femoral neck's calcar up to about 2.5 mm. Voxels coarser than
 * this cannot hold a full-density cortical voxel anywhere.
 */
export const THICKEST_CORTEX_MM = 2.5;

/**
 * Closing radius (mm) that encloses the marrow of coarse images: once the voxels are
 * larger than the thickest cortex, the cortex is partial-volumed below the bone
 * threshold in places and the trabecular interior (fatty marrow, grey values of muscle)
 * leaks out of the cortical shell, so hole filling alone cannot find it. Two and a half
 * voxels along the coarsest axis (7.5 mm at 3 mm) bridges such cortical gaps; finer
 * images (the cortex holds; the phantoms, fracsegnet-002) are not closed.
 */
export function marrowClosingRadiusMm(spacingMm: readonly [number, number, number]): number {
  const s = Math.max(spacingMm[0], spacingMm[1], spacingMm[2]);
  return s > THICKEST_CORTEX_MM ? 2.5 * s : 0;
}

/**
 * Closes and hole-fills every labelled part on its own (so that two parts never bridge
 * into each other: the closing of a part stays within its own concavities), and adds to
 * it the voxels of its closing that no other part labels and whose grey value is at least
 * `floorGrey` (fat-filled foramina and the canal's epidural fat stay out: they are darker
 * than marrow). A voxel claimed by two parts' closings goes to the nearest part.
 * `parts` holds part labels (0 = none) on the crop `box` of `ct`; it is updated in place.
 * Returns the number of voxels added per label.
 */
export function fillPartsByClosing(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  radiusMm: number,
  ct: Volume<VoxelArray>,
  box: VoxelBox,
  floorGrey: number,
  labelsToFill: readonly number[],
): Map<number, number> {
  const added = new Map<number, number>();
  if (!(radiusMm > 0)) return added;
  const [ni, nj] = dims;
  const [gi, gj] = ct.geometry.dims;
  const v = ct.voxels;
  // 0: free; label: claimed by that part; 255: claimed by two parts (a joint space: left free).
  const claim = new Uint8Array(parts.length);
  const pad = [0, 1, 2].map((a) => Math.ceil(radiusMm / spacingMm[a]!) + 1);
  // The parts' boxes, once: the loop below writes `claim`, not `parts`.
  const boxes = labelBoxesOf(parts, dims);
  for (const label of labelsToFill) {
    const padded = paddedLabelBox(boxes, label, pad, dims);
    if (!padded) continue;
    const { i0, j0, k0, cutInK } = padded;
    const ld = padded.dims;
    const local = new Uint8Array(ld[0] * ld[1] * ld[2]);
    for (let k = 0; k < ld[2]; k++) for (let j = 0; j < ld[1]; j++) {
      const src = i0 + ni * (j0 + j + nj * (k0 + k));
      const dst = ld[0] * (j + ld[1] * k);
      for (let i = 0; i < ld[0]; i++) if (parts[src + i] === label) local[dst + i] = 1;
    }
    const closed = closeMm(local, ld, spacingMm, radiusMm);
    for (let t = 0; t < local.length; t++) closed[t] = closed[t]! | local[t]!;
    // Sides only when the part reaches the first or last slice: cut there, it is still a closed tube.
    fillHoles(closed, ld, cutInK ? 'sides' : 'all');
    for (let k = 0; k < ld[2]; k++) for (let j = 0; j < ld[1]; j++) {
      const src = i0 + ni * (j0 + j + nj * (k0 + k));
      const dst = ld[0] * (j + ld[1] * k);
      const g0 = box.min[0] + i0 + gi * (box.min[1] + j0 + j + gj * (box.min[2] + k0 + k));
      for (let i = 0; i < ld[0]; i++) {
        const t = src + i;
        if (!closed[dst + i] || local[dst + i] || parts[t]) continue;
        if (v[g0 + i]! < floorGrey) continue;
        const c = claim[t]!;
        claim[t] = c === 0 ? label : c === label ? c : 255;
      }
    }
  }
  // Claimed by two parts (their closings overlap, e.g. across a joint bridged by partial
  // volume): the part with the nearest voxel takes it.
  let near: Uint8Array | null = null;
  for (let t = 0; t < parts.length; t++) {
    let c = claim[t]!;
    if (c === 0) continue;
    if (c === 255) c = (near ??= nearestLabel(parts, dims))[t]!;
    if (c === 0) continue;
    parts[t] = c;
    added.set(c, (added.get(c) ?? 0) + 1);
  }
  return added;
}

/**
 * Label `label`'s box from `boxes` ({@link labelBoxesOf}), grown by `pad` voxels per axis and
 * clipped to the grid: its first voxel, its dims, and whether the grown box reaches the first
 * or last slice (`cutInK`: the part is cut there by the field of view). Null when the label is absent.
 */
function paddedLabelBox(boxes: Int32Array, label: number, pad: readonly number[], dims: Dims): { i0: number; j0: number; k0: number; dims: Dims; cutInK: boolean } | null {
  const [ni, nj, nk] = dims;
  const o = 6 * label;
  if (boxes[o + 3]! < 0) return null;
  const cutInK = boxes[o + 2]! - pad[2]! <= 0 || boxes[o + 5]! + pad[2]! >= nk - 1;
  const i0 = Math.max(0, boxes[o]! - pad[0]!);
  const j0 = Math.max(0, boxes[o + 1]! - pad[1]!);
  const k0 = Math.max(0, boxes[o + 2]! - pad[2]!);
  const i1 = Math.min(ni - 1, boxes[o + 3]! + pad[0]!);
  const j1 = Math.min(nj - 1, boxes[o + 4]! + pad[1]!);
  const k1 = Math.min(nk - 1, boxes[o + 5]! + pad[2]!);
  return { i0, j0, k0, dims: [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1], cutInK };
}

/** Label of the nearest labelled voxel (6-connected BFS through the whole grid; city-block distance). */
function nearestLabel(parts: Uint8Array, dims: Dims): Uint8Array {
  const [ni, nj, nk] = dims;
  const n = parts.length;
  const near = parts.slice();
  const queue = new Int32Array(n);
  let head = 0, tail = 0;
  for (let t = 0; t < n; t++) if (near[t]) queue[tail++] = t;
  const nij = ni * nj;
  while (head < tail) {
    const t = queue[head++]!;
    const l = near[t]!;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / nij);
    if (i > 0 && !near[t - 1]) { near[t - 1] = l; queue[tail++] = t - 1; }
    if (i < ni - 1 && !near[t + 1]) { near[t + 1] = l; queue[tail++] = t + 1; }
    if (j > 0 && !near[t - ni]) { near[t - ni] = l; queue[tail++] = t - ni; }
    if (j < nj - 1 && !near[t + ni]) { near[t + ni] = l; queue[tail++] = t + ni; }
    if (k > 0 && !near[t - nij]) { near[t - nij] = l; queue[tail++] = t - nij; }
    if (k < nk - 1 && !near[t + nij]) { near[t + nij] = l; queue[tail++] = t + nij; }
  }
  return near;
}

/**
 * Anatomical bounds of the sacral marrow fill ({@link fillSacralMarrow}), in mm.
 * - `hullRadiusMm`: the sacrum's envelope is its closing with this ball. The fatty marrow of
 *   the S1-S2 body and alae is reached from outside through the channels (the anterior and
 *   posterior foramina, up to about 1-1.5 cm across, and the canal's openings): a ball of 12 mm
 *   bridges mouths up to about 2.4 cm, so what lies behind them is enclosed.
 * - `canalHalfWidthMm`: the sacral canal runs the sacrum's length on the midline; every
 *   candidate within this distance of the midline (the sacrum's mirror plane, each level's own
 *   mirror line, and every plane nearly as symmetric: sacralMidline.ts) is left out, whatever
 *   its grey value (the canal holds the dural sac, CSF of soft-tissue grey, down to S2).
 */
export const SACRAL_MARROW_HULL_RADIUS_MM = 12;
export const SACRAL_CANAL_HALF_WIDTH_MM = 9;

export type SacralMarrowFill = {
  /** Voxels added to the sacrum, and their LPS centroid (NaN when none). */
  added: number;
  centroidLps: [number, number, number];
  /** Unlabelled voxels of the envelope left out as channel (fat connected to outside the bone or to the canal, a voxel around it, and the canal). */
  channelVoxels: number;
  /**
   * The midline the canal band was laid on (NaN / 0 when no sacrum): the mirror plane's angle
   * to the grid's j axis (degrees) and its LPS x where it crosses the sacrum's centroid's j and
   * k; the sacrum's centroid x (the midline before 25 Nov stop 21, moved sideways by a destroyed
   * ala); the planes nearly as symmetric whose bands were guarded too.
   */
  midline: { angleDeg: number; planeXLps: number; centroidXLps: number; rivals: number };
};

/**
 * Coarse voxels: the sacrum's fatty marrow (S1-S2 body and alae), as dark as the fat of the
 * canal and the foramina at 3 mm and, unlike the other parts' marrow, not enclosed by its own
 * closing (the channels open it to the outside). The nerve channels are told from the marrow
 * by shape, not by grey: a channel is fat that reaches the fat outside the bone (the
 * foramina's mouths, anterior and posterior) or the canal, so it is a dark region connected
 * to outside the sacrum's envelope or to the midline; the marrow's own fat lies in isolated
 * specks between trabeculae. Within the sacrum's envelope (closing with
 * {@link SACRAL_MARROW_HULL_RADIUS_MM}, hole-filled), the unlabelled voxels are added to the
 * sacrum except:
 * - dark voxels (below `darkGrey`, the fat side of the soft tissue) of a 6-connected dark
 *   region that has a voxel outside the envelope or in the canal, and every unlabelled voxel
 *   next to them, diagonals included (the partial-volumed rim of a channel);
 * - the canal: within {@link SACRAL_CANAL_HALF_WIDTH_MM} of the midline, per anteroposterior
 *   column the free voxels from the back through the longest free run (its content need not be
 *   dark: CSF; see `canalGuard`). The midline is the sacrum's mirror plane (`sacralMirrorPlane`),
 *   with each level's own mirror line and every plane scoring nearly as high guarded too: the
 *   band is never laid on one guess when another is about as likely (a destroyed ala, a sacrum
 *   partly labelled as the ilium beside it). Not the centroid: 40 % of one ala replaced by lesion
 *   grey on the real 3 mm CT put it 3-34 mm beside the canal (README, "25 Nov stop 21, helper D").
 * `parts` (part labels on the crop `box` of `ct`, ijk->LPS `cropToLps`) is updated in place.
 * Assumes the crop's i axis is near the LPS x axis (left-right), as the SI split does.
 */
export function fillSacralMarrow(
  parts: Uint8Array,
  dims: Dims,
  spacingMm: readonly [number, number, number],
  cropToLps: Float64Array,
  ct: Volume<VoxelArray>,
  box: VoxelBox,
  darkGrey: number,
  options: { hullRadiusMm?: number; canalHalfWidthMm?: number } = {},
): SacralMarrowFill {
  const none: SacralMarrowFill = { added: 0, centroidLps: [NaN, NaN, NaN], channelVoxels: 0, midline: { angleDeg: NaN, planeXLps: NaN, centroidXLps: NaN, rivals: 0 } };
  const hullRadiusMm = options.hullRadiusMm ?? SACRAL_MARROW_HULL_RADIUS_MM;
  const canalHalfWidthMm = options.canalHalfWidthMm ?? SACRAL_CANAL_HALF_WIDTH_MM;
  const [ni, nj, nk] = dims;
  const [gi, gj] = ct.geometry.dims;
  const v = ct.voxels;
  const sac = LABELS.sacrum;
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1, count = 0, xSum = 0;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (parts[t] !== sac) continue;
    if (i < i0) i0 = i;
    if (i > i1) i1 = i;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
    xSum += cropToLps[0]! * i + cropToLps[4]! * j + cropToLps[8]! * k + cropToLps[12]!;
    count++;
  }
  if (count === 0) return none;
  const midX = xSum / count;
  const pad = [0, 1, 2].map((a) => Math.ceil(hullRadiusMm / spacingMm[a]!) + 1);
  const cutInK = k0 - pad[2]! <= 0 || k1 + pad[2]! >= nk - 1;
  i0 = Math.max(0, i0 - pad[0]!);
  j0 = Math.max(0, j0 - pad[1]!);
  k0 = Math.max(0, k0 - pad[2]!);
  i1 = Math.min(ni - 1, i1 + pad[0]!);
  j1 = Math.min(nj - 1, j1 + pad[1]!);
  k1 = Math.min(nk - 1, k1 + pad[2]!);
  const ld: Dims = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const [li, lj, lk] = ld;
  const nl = li * lj * lk;
  const local = new Uint8Array(nl);
  const free = new Uint8Array(nl);
  const dark = new Uint8Array(nl);
  const band = new Uint8Array(nl);
  for (let k = 0, s = 0; k < lk; k++) for (let j = 0; j < lj; j++) {
    const src = i0 + ni * (j0 + j + nj * (k0 + k));
    const g0 = box.min[0] + i0 + gi * (box.min[1] + j0 + j + gj * (box.min[2] + k0 + k));
    for (let i = 0; i < li; i++, s++) {
      const l = parts[src + i]!;
      if (l === sac) local[s] = 1;
      else if (l === 0) free[s] = 1;
      if (v[g0 + i]! < darkGrey) dark[s] = 1;
    }
  }
  // The canal band around the sacrum's mirror plane and around every plane nearly as symmetric
  // (sacralMidline.ts): not around its centroid, which a destroyed ala moves sideways.
  // Rivals from half the band's width away: one nearer lies well inside the best plane's band; one
  // 4.5-9 mm off would leave its canal's far side out of it.
  const plane = sacralMirrorPlane(local, ld, spacingMm, { distinctMm: canalHalfWidthMm / 2 })!;
  const planes = [plane, ...plane.rivals];
  const [nx, ny] = plane.normal;
  for (let k = 0, s = 0; k < lk; k++) {
    // The slice's own mirror line too (same normal): a canal that bends sideways level by level.
    const levelOffsetMm = plane.levelOffsetMm[k]!;
    for (let j = 0; j < lj; j++) {
      const ym = j * spacingMm[1];
      for (let i = 0; i < li; i++, s++) {
        const xm = i * spacingMm[0];
        if (Math.abs(nx * xm + ny * ym - levelOffsetMm) <= canalHalfWidthMm) { band[s] = 1; continue; }
        for (const pl of planes) {
          if (Math.abs(pl.normal[0] * xm + pl.normal[1] * ym - pl.offsetMm) <= canalHalfWidthMm) { band[s] = 1; break; }
        }
      }
    }
  }
  const hull = closeMm(local, ld, spacingMm, hullRadiusMm);
  for (let s = 0; s < nl; s++) hull[s] = hull[s]! | local[s]!;
  fillHoles(hull, ld, cutInK ? 'sides' : 'all');
  const canal = canalGuard(hull, free, band, ld, cropToLps);
  // Dark regions that reach outside the envelope or the canal are channels.
  const cc = computeComponents(dark, ld);
  const isChannel = new Uint8Array(cc.count + 1);
  for (let s = 0; s < nl; s++) {
    const id = cc.labels[s]!;
    if (id === 0 || isChannel[id]) continue;
    if (!hull[s] || canal[s]) isChannel[id] = 1;
  }
  const channel = new Uint8Array(nl);
  for (let s = 0; s < nl; s++) {
    if (!hull[s] || !free[s]) continue;
    if (canal[s] || isChannel[cc.labels[s]!]) channel[s] = 1;
  }
  // A voxel's width around each channel, in every direction (its 26 neighbours): the channel's
  // wall may lie anywhere within the voxel next to its seen core (partial volume), diagonally too.
  const lij = li * lj;
  const rim = channel.slice();
  for (let k = 0, s = 0; k < lk; k++) for (let j = 0; j < lj; j++) for (let i = 0; i < li; i++, s++) {
    if (!channel[s]) continue;
    for (let dk = -1; dk <= 1; dk++) {
      const kk = k + dk;
      if (kk < 0 || kk >= lk) continue;
      for (let dj = -1; dj <= 1; dj++) {
        const jj = j + dj;
        if (jj < 0 || jj >= lj) continue;
        for (let di = -1; di <= 1; di++) {
          const ii = i + di;
          if (ii >= 0 && ii < li) rim[s + di + li * dj + lij * dk] = 1;
        }
      }
    }
  }
  let added = 0, channelVoxels = 0;
  const sum: [number, number, number] = [0, 0, 0];
  const p: [number, number, number] = [0, 0, 0];
  for (let k = 0, s = 0; k < lk; k++) for (let j = 0; j < lj; j++) for (let i = 0; i < li; i++, s++) {
    if (!hull[s] || !free[s]) continue;
    if (rim[s]) {
      channelVoxels++;
      continue;
    }
    parts[i0 + i + ni * (j0 + j + nj * (k0 + k))] = sac;
    added++;
    transformPoint(p, cropToLps, [i0 + i, j0 + j, k0 + k]);
    for (let a = 0; a < 3; a++) sum[a]! += p[a]!;
  }
  // Where the plane crosses the centroid's j and k (local mm -> crop index -> LPS x).
  const cj = plane.centroidMm[1];
  const planeI = (plane.offsetMm - ny * cj) / nx / spacingMm[0], centroidJ = cj / spacingMm[1];
  let kSum = 0;
  for (let s = 0; s < nl; s++) if (local[s]) kSum += Math.floor(s / lij);
  const centroidK = kSum / count;
  const planeXLps = cropToLps[0]! * (i0 + planeI) + cropToLps[4]! * (j0 + centroidJ) + cropToLps[8]! * (k0 + centroidK) + cropToLps[12]!;
  return {
    added,
    centroidLps: added > 0 ? [sum[0] / added, sum[1] / added, sum[2] / added] : [NaN, NaN, NaN],
    channelVoxels,
    midline: { angleDeg: plane.angleDeg, planeXLps, centroidXLps: midX, rivals: plane.rivals.length },
  };
}

/**
 * The canal's share of the midline band (free voxels of the envelope within the canal's
 * half-width of the midline), column by column along the anteroposterior axis: the canal lies
 * behind the vertebral body, so in each column the free voxels from the back of the envelope
 * forwards through the longest free run (the canal, or the body's marrow where that is longer:
 * then the whole column) are the canal's; the free runs in front of it (the body's marrow,
 * behind its anterior cortex) are not. A column whose j axis is not the anteroposterior one
 * (more than 45 degrees off) is the canal's whole. Returns 1 per guarded voxel of the local box.
 */
function canalGuard(hull: Uint8Array, free: Uint8Array, band: Uint8Array, ld: Dims, cropToLps: Float64Array): Uint8Array {
  const [li, lj, lk] = ld;
  const guard = new Uint8Array(hull.length);
  const jy = cropToLps[5]!, jNorm = Math.hypot(cropToLps[4]!, cropToLps[5]!, cropToLps[6]!);
  if (!(Math.abs(jy) > Math.SQRT1_2 * jNorm)) {
    for (let s = 0; s < hull.length; s++) if (band[s] && hull[s] && free[s]) guard[s] = 1;
    return guard;
  }
  // From the back (posterior, LPS +y) forwards.
  const j0 = jy > 0 ? lj - 1 : 0, dj = jy > 0 ? -1 : 1;
  for (let k = 0; k < lk; k++) for (let i = 0; i < li; i++) {
    let longest = 0, longestEnd = -1, run = 0;
    for (let q = 0, j = j0; q < lj; q++, j += dj) {
      const s = i + li * (j + lj * k);
      if (band[s] && hull[s] && free[s]) {
        run++;
        if (run >= longest) { longest = run; longestEnd = q; }
      } else run = 0;
    }
    if (longestEnd < 0) continue;
    for (let q = 0, j = j0; q <= longestEnd; q++, j += dj) {
      const s = i + li * (j + lj * k);
      if (band[s] && hull[s] && free[s]) guard[s] = 1;
    }
  }
  return guard;
}
