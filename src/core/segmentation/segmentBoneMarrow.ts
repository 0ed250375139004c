import type { VoxelBox } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { closeMm, fillHoles } from './morphology';

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
  const [ni, nj, nk] = dims;
  const [gi, gj] = ct.geometry.dims;
  const v = ct.voxels;
  // 0: free; label: claimed by that part; 255: claimed by two parts (a joint space: left free).
  const claim = new Uint8Array(parts.length);
  const pad = [0, 1, 2].map((a) => Math.ceil(radiusMm / spacingMm[a]!) + 1);
  for (const label of labelsToFill) {
    let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      if (parts[t] !== label) continue;
      if (i < i0) i0 = i;
      if (i > i1) i1 = i;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
      if (k < k0) k0 = k;
      if (k > k1) k1 = k;
    }
    if (i1 < 0) continue;
    const cutInK = k0 - pad[2]! <= 0 || k1 + pad[2]! >= nk - 1;
    i0 = Math.max(0, i0 - pad[0]!);
    j0 = Math.max(0, j0 - pad[1]!);
    k0 = Math.max(0, k0 - pad[2]!);
    i1 = Math.min(ni - 1, i1 + pad[0]!);
    j1 = Math.min(nj - 1, j1 + pad[1]!);
    k1 = Math.min(nk - 1, k1 + pad[2]!);
    const ld: Dims = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
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
