import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { computeComponentRuns } from './connectedComponents';

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
 * One-voxel 6-neighbour dilation (cheap), in place into `out` (0 / 1). A voxel is set when
 * the OR of its own and its six neighbours' bytes is non-zero; rows with all four
 * neighbour rows inside the grid take a loop without bounds tests.
 */
export function dilate6(mask: Uint8Array, dims: Dims, out: Uint8Array = new Uint8Array(mask.length)): Uint8Array {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const row = ni * (j + nj * k);
      if (j > 0 && j < nj - 1 && k > 0 && k < nk - 1 && ni > 1) {
        const end = row + ni - 1;
        out[row] = (mask[row]! | mask[row + 1]! | mask[row - ni]! | mask[row + ni]! | mask[row - nij]! | mask[row + nij]!) !== 0 ? 1 : 0;
        for (let t = row + 1; t < end; t++) {
          out[t] = (mask[t]! | mask[t - 1]! | mask[t + 1]! | mask[t - ni]! | mask[t + ni]! | mask[t - nij]! | mask[t + nij]!) !== 0 ? 1 : 0;
        }
        out[end] = (mask[end]! | mask[end - 1]! | mask[end - ni]! | mask[end + ni]! | mask[end - nij]! | mask[end + nij]!) !== 0 ? 1 : 0;
        continue;
      }
      for (let i = 0; i < ni; i++) {
        const t = row + i;
        out[t] =
          mask[t] ||
          (i > 0 && mask[t - 1]) ||
          (i < ni - 1 && mask[t + 1]) ||
          (j > 0 && mask[t - ni]) ||
          (j < nj - 1 && mask[t + ni]) ||
          (k > 0 && mask[t - nij]) ||
          (k < nk - 1 && mask[t + nij])
            ? 1
            : 0;
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
  const [ni, nj, nk] = dims;
  // Run level only (no label volume): a background run is filled when its component
  // touches no outside face.
  const bg = computeComponentRuns(mask, dims, 0);
  const outside = new Uint8Array(bg.count + 1);
  const b = bg.boxes;
  for (let c = 1; c <= bg.count; c++) {
    const o = 6 * c;
    if (b[o] === 0 || b[o + 1] === 0 || b[o + 3] === ni - 1 || b[o + 4] === nj - 1) outside[c] = 1;
    else if (faces === 'all' && (b[o + 2] === 0 || b[o + 5] === nk - 1)) outside[c] = 1;
  }
  let filled = 0;
  const nRows = nj * nk;
  for (let row = 0; row < nRows; row++) {
    const r1 = bg.rowFirst[row + 1]!;
    for (let r = bg.rowFirst[row]!; r < r1; r++) {
      if (outside[bg.runId[r]!]) continue;
      const s = row * ni + bg.runStart[r]!, e = row * ni + bg.runEnd[r]!;
      mask.fill(1, s, e);
      filled += e - s;
    }
  }
  return filled;
}
