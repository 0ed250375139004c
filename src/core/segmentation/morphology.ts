import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { componentRunRoots, maskRuns } from './connectedComponents';

/**
 * Binary morphology on dense Uint8 masks (0 / non-zero; outputs are 0 / 1), with
 * Euclidean balls of a radius in millimetres on anisotropic grids, computed
 * exactly through the distance transform (cost independent of the radius).
 * Beyond the grid edge is treated as "unknown": it neither dilates in nor erodes.
 */

export type Dims = readonly [number, number, number];
export type SpacingMm = readonly [number, number, number];

/** Squared distance (mm^2) from every voxel to the nearest voxel with `(mask != 0) === fg`. */
function squaredDistanceTo(mask: Uint8Array, dims: Dims, spacingMm: SpacingMm, fg: boolean, scratch?: Float32Array): Float32Array {
  const n = mask.length;
  const sq = scratch && scratch.length === n ? scratch : new Float32Array(n);
  for (let t = 0; t < n; t++) sq[t] = (mask[t] !== 0) === fg ? 0 : EDT_FAR;
  squaredDistanceInPlace(sq, dims, spacingMm);
  return sq;
}

/** Voxels within `radiusMm` of the mask (ball dilation). Returns a new mask unless `out` is given. */
export function dilateMm(mask: Uint8Array, dims: Dims, spacingMm: SpacingMm, radiusMm: number, out?: Uint8Array): Uint8Array {
  const sq = squaredDistanceTo(mask, dims, spacingMm, true);
  const r2 = radiusMm * radiusMm + 1e-6;
  const o = out ?? new Uint8Array(mask.length);
  for (let t = 0; t < mask.length; t++) o[t] = sq[t]! <= r2 ? 1 : 0;
  return o;
}

/** Voxels farther than `radiusMm` from every background voxel (ball erosion). */
export function erodeMm(mask: Uint8Array, dims: Dims, spacingMm: SpacingMm, radiusMm: number, out?: Uint8Array): Uint8Array {
  const sq = squaredDistanceTo(mask, dims, spacingMm, false);
  const r2 = radiusMm * radiusMm + 1e-6;
  const o = out ?? new Uint8Array(mask.length);
  for (let t = 0; t < mask.length; t++) o[t] = sq[t]! > r2 ? 1 : 0;
  return o;
}

/** Morphological closing (dilate then erode) with a ball of `radiusMm`: bridges gaps narrower than 2 r. */
export function closeMm(mask: Uint8Array, dims: Dims, spacingMm: SpacingMm, radiusMm: number): Uint8Array {
  const d = dilateMm(mask, dims, spacingMm, radiusMm);
  return erodeMm(d, dims, spacingMm, radiusMm, d);
}

/** Morphological opening (erode then dilate) with a ball of `radiusMm`: removes parts thinner than 2 r. */
export function openMm(mask: Uint8Array, dims: Dims, spacingMm: SpacingMm, radiusMm: number): Uint8Array {
  const e = erodeMm(mask, dims, spacingMm, radiusMm);
  return dilateMm(e, dims, spacingMm, radiusMm, e);
}

/**
 * One-voxel 6-neighbour dilation, into `out` (0 / 1; every voxel written). A voxel is set
 * when it or one of its six face neighbours is non-zero. Done over the mask's runs along i
 * ({@link maskRuns}, zero stretches skipped a word at a time): `out` is cleared, then each
 * run is set one voxel longer at both ends (within the row) in its own row and as it is in
 * the four neighbouring rows (j +- 1, k +- 1) inside the grid. The runs are read before
 * anything is written, so `out` may be `mask` itself.
 */
export function dilate6(mask: Uint8Array, dims: Dims, out: Uint8Array = new Uint8Array(mask.length)): Uint8Array {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const { runStart, runEnd, rowFirst } = maskRuns(mask, ni, nj * nk);
  out.fill(0);
  const set = (a: number, b: number): void => {
    if (b - a < 24) for (let t = a; t < b; t++) out[t] = 1;
    else out.fill(1, a, b);
  };
  for (let k = 0, row = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++, row++) {
      const r1 = rowFirst[row + 1]!;
      const base = row * ni;
      for (let r = rowFirst[row]!; r < r1; r++) {
        const s = runStart[r]!, e = runEnd[r]!;
        const a = base + s, b = base + e;
        set(s > 0 ? a - 1 : a, e < ni ? b + 1 : b);
        if (j > 0) set(a - ni, b - ni);
        if (j < nj - 1) set(a + ni, b + ni);
        if (k > 0) set(a - nij, b - nij);
        if (k < nk - 1) set(a + nij, b + nij);
      }
    }
  }
  return out;
}

/**
 * Which faces of the grid count as "outside" when filling holes:
 * `'all'`: all six; `'sides'`: the four faces along i and j only, so that a
 * tube cut by the first or last slice (the femoral medullary canal) still counts
 * as enclosed.
 */
export type OutsideFaces = 'all' | 'sides';

/**
 * Fills the background cavities of `mask` that are not 6-connected to an
 * outside face. In place; returns the number of voxels filled.
 */
export function fillHoles(mask: Uint8Array, dims: Dims, faces: OutsideFaces = 'all'): number {
  // Run level only (no label volume, no per-component figures): a background run is filled
  // when no run of its set touches an outside face. The two loops are module functions with
  // plain arguments (fillHoles was compiled inside its first loop and deoptimized at the second).
  const bg = componentRunRoots(mask, dims, 0);
  const outside = new Uint8Array(bg.runCount);
  markOutsideRuns(outside, bg.runStart, bg.runEnd, bg.rowFirst, bg.root, dims[0], dims[1], dims[2], faces === 'all');
  return fillEnclosedRuns(mask, outside, bg.runStart, bg.runEnd, bg.rowFirst, bg.root, dims[0], dims[1] * dims[2]);
}

/** fillHoles' first loop: `outside[root]` = 1 for every background run on an outside face (the k faces too with `allFaces`). */
function markOutsideRuns(outside: Uint8Array, runStart: Int32Array, runEnd: Int32Array, rowFirst: Int32Array, root: Int32Array, ni: number, nj: number, nk: number, allFaces: boolean): void {
  for (let k = 0, row = 0; k < nk; k++) {
    const faceSlice = allFaces && (k === 0 || k === nk - 1);
    for (let j = 0; j < nj; j++, row++) {
      const r0 = rowFirst[row]!, r1 = rowFirst[row + 1]!;
      if (r0 === r1) continue;
      if (faceSlice || j === 0 || j === nj - 1) {
        for (let r = r0; r < r1; r++) outside[root[r]!] = 1;
        continue;
      }
      if (runStart[r0] === 0) outside[root[r0]!] = 1;
      if (runEnd[r1 - 1] === ni) outside[root[r1 - 1]!] = 1;
    }
  }
}

/** fillHoles' second loop: every background run whose set is not outside set to 1 in `mask`; returns the voxels set. */
function fillEnclosedRuns(mask: Uint8Array, outside: Uint8Array, runStart: Int32Array, runEnd: Int32Array, rowFirst: Int32Array, root: Int32Array, ni: number, nRows: number): number {
  let filled = 0;
  for (let row = 0; row < nRows; row++) {
    const r1 = rowFirst[row + 1]!;
    for (let r = rowFirst[row]!; r < r1; r++) {
      if (outside[root[r]!]) continue;
      const s = row * ni + runStart[r]!, e = row * ni + runEnd[r]!;
      mask.fill(1, s, e);
      filled += e - s;
    }
  }
  return filled;
}
