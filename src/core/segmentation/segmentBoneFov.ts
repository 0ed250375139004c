import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import type { VoxelArray, VoxelArrayConstructor } from '../volume/voxelBuffer';
import { allocVoxels } from '../volume/voxelBuffer';
import type { BoneThresholds } from './thresholds';

/**
 * The reconstructed field of view of a cone-beam CT (or of a CT padded outside its
 * reconstruction circle), and the radial shading inside it.
 *
 * A CBCT reconstructs a cylinder about the rotation axis; the grid's corners outside
 * it hold one constant fill value. Inside, the grey value of one tissue drifts with
 * the distance from the cylinder's edge: cupping darkens the centre, truncation (the
 * body is larger than the field) brightens a band a centimetre or two wide along the
 * edge, enough to lift soft tissue above the bone threshold. Both depend on the
 * distance from the axis only, so the soft-tissue grey value measured ring by ring
 * (its histogram mode) gives the shading, and subtracting it flattens the image.
 * Nothing here is a fixed grey or HU value: the fill value is read from the corners,
 * the soft-tissue peak and spread from the image's histogram.
 */

export type ReconstructionFov = {
  /** 1 where column (i, j) lies inside the reconstructed field (ni * nj, i fastest). */
  readonly inside: Uint8Array;
  /** Distance (mm) in the slice plane from each inside column to the nearest outside column; 0 outside. */
  readonly edgeDistanceMm: Float32Array;
  /** Grey value the scanner wrote outside the field. */
  readonly fillGrey: number;
  /** Fraction of the slice outside the field. */
  readonly outsideFraction: number;
};

/**
 * Finds columns (i, j) that hold one constant value through the volume, starting
 * from the grid's corners. Null when the corners are not constant (no padded field
 * of view) or when the padded area is too small to matter (< 3 % of the slice).
 */
export function detectReconstructionFov(ct: Volume<VoxelArray>): ReconstructionFov | null {
  const [ni, nj, nk] = ct.geometry.dims;
  const v = ct.voxels;
  const nij = ni * nj;
  if (ni < 8 || nj < 8 || nk < 1) return null;
  const corners = [0, ni - 1, ni * (nj - 1), nij - 1];
  const fill = v[0]!;
  const kStep = Math.max(1, Math.floor(nk / 16));
  const ks: number[] = [];
  for (let k = 0; k < nk; k += kStep) ks.push(k);
  for (const k of ks) for (const c of corners) if (v[c + nij * k] !== fill) return null;
  // Outside: the fill value in every sampled slice.
  const inside = new Uint8Array(nij);
  let outsideCount = 0;
  for (let p = 0; p < nij; p++) {
    let out = true;
    for (const k of ks) {
      if (v[p + nij * k] !== fill) {
        out = false;
        break;
      }
    }
    if (out) outsideCount++;
    else inside[p] = 1;
  }
  const outsideFraction = outsideCount / nij;
  if (outsideFraction < 0.03 || outsideFraction > 0.8) return null;
  const sq = new Float32Array(nij);
  for (let p = 0; p < nij; p++) sq[p] = inside[p] ? EDT_FAR : 0;
  const [sx, sy, sz] = ct.geometry.spacingMm;
  squaredDistanceInPlace(sq, [ni, nj, 1], [sx, sy, sz]);
  const edgeDistanceMm = new Float32Array(nij);
  for (let p = 0; p < nij; p++) edgeDistanceMm[p] = inside[p] ? Math.sqrt(sq[p]!) : 0;
  return { inside, edgeDistanceMm, fillGrey: fill, outsideFraction };
}

export type FovShading = {
  /** Shading (grey units) to subtract, per ring of edge distance `ringMm` wide. */
  readonly shiftGrey: Float32Array;
  readonly ringMm: number;
  /** Largest absolute shift, grey units. */
  readonly maxShiftGrey: number;
  /**
   * Fraction of the voxels along the field's edge (outermost two rings) at or above the
   * body threshold: the body is cut by the field (cone beam) rather than lying inside it
   * with air around (a CT padded outside its reconstruction circle).
   */
  readonly truncatedFraction: number;
};

/**
 * Soft-tissue grey value ring by ring (edge-distance bins), minus the whole image's
 * soft-tissue peak. Rings with too few soft-tissue voxels take their neighbours' value.
 */
export function measureFovShading(ct: Volume<VoxelArray>, fov: ReconstructionFov, thresholds: BoneThresholds): FovShading {
  const [ni, nj, nk] = ct.geometry.dims;
  const nij = ni * nj;
  const v = ct.voxels;
  const ringMm = Math.max(1, Math.min(ct.geometry.spacingMm[0], ct.geometry.spacingMm[1]));
  let maxD = 0;
  for (let p = 0; p < nij; p++) if (fov.edgeDistanceMm[p]! > maxD) maxD = fov.edgeDistanceMm[p]!;
  const nRings = Math.floor(maxD / ringMm) + 1;
  const ringOf = new Int32Array(nij).fill(-1);
  for (let p = 0; p < nij; p++) if (fov.inside[p]) ringOf[p] = Math.min(nRings - 1, Math.floor(fov.edgeDistanceMm[p]! / ringMm));
  // Grey histogram per ring over peak - 8 sigma .. peak + 16 sigma (a truncation band can
  // lift soft tissue by several sigma), bins of sigma / 4.
  const peak = thresholds.softTissuePeakGrey, sigma = Math.max(1e-6, thresholds.softTissueSigmaGrey);
  const lo = peak - 8 * sigma, bw = sigma / 4, nb = 96;
  const hist = new Float64Array(nRings * nb);
  const kStep = nk > 64 ? 2 : 1;
  let edge = 0, edgeBody = 0;
  for (let k = 0; k < nk; k += kStep) {
    const base = nij * k;
    for (let p = 0; p < nij; p++) {
      const r = ringOf[p]!;
      if (r < 0) continue;
      const x = v[base + p]!;
      if (r < 2) {
        edge++;
        if (x >= thresholds.bodyGrey) edgeBody++;
      }
      const b = Math.floor((x - lo) / bw);
      if (b >= 0 && b < nb) hist[r * nb + b]!++;
    }
  }
  const truncatedFraction = edge > 0 ? edgeBody / edge : 0;
  // Track the soft-tissue mode from the axis outwards: each ring's mode is searched within
  // 3 sigma of the previous ring's, so a ring crossing a bone (a mode many sigma higher)
  // does not pull the shading up, while a band that rises over several millimetres is followed.
  const shift = new Float32Array(nRings);
  const sm = new Float64Array(nb);
  let prev = 0;
  for (let r = nRings - 1; r >= 0; r--) {
    for (let b = 0; b < nb; b++) {
      let acc = 0;
      for (let d = -2; d <= 2; d++) if (b + d >= 0 && b + d < nb) acc += hist[r * nb + b + d]!;
      sm[b] = acc;
    }
    const centreBin = (peak + prev - lo) / bw;
    const b0 = Math.max(0, Math.floor(centreBin - 12)), b1 = Math.min(nb - 1, Math.ceil(centreBin + 12));
    let total = 0, best = -1, bestB = -1;
    for (let b = b0; b <= b1; b++) {
      total += hist[r * nb + b]!;
      if (sm[b]! > best) {
        best = sm[b]!;
        bestB = b;
      }
    }
    if (total < 50 || bestB < 0) {
      shift[r] = prev;
      continue;
    }
    let w = 0, m = 0;
    for (let d = -3; d <= 3; d++) {
      const b = bestB + d;
      if (b < 0 || b >= nb) continue;
      w += hist[r * nb + b]!;
      m += hist[r * nb + b]! * (b + 0.5);
    }
    shift[r] = w > 0 ? lo + (m / w) * bw - peak : prev;
    prev = shift[r]!;
  }
  const smooth = new Float32Array(nRings);
  let maxShift = 0;
  for (let r = 0; r < nRings; r++) {
    let s = 0, c = 0;
    for (let d = -2; d <= 2; d++) if (r + d >= 0 && r + d < nRings) { s += shift[r + d]!; c++; }
    smooth[r] = s / c;
    if (Math.abs(smooth[r]!) > maxShift) maxShift = Math.abs(smooth[r]!);
  }
  return { shiftGrey: smooth, ringMm, maxShiftGrey: maxShift, truncatedFraction };
}

/**
 * A copy of `ct` with the ring shading subtracted inside the field (outside keeps the fill value);
 * on shared memory with `shared` (segmentBone's slab work on the EDT helper reads it).
 */
export function flattenFovShading(ct: Volume<VoxelArray>, fov: ReconstructionFov, shading: FovShading, options: { shared?: boolean } = {}): Volume<VoxelArray> {
  const [ni, nj, nk] = ct.geometry.dims;
  const nij = ni * nj;
  const v = ct.voxels;
  const out = allocVoxels(v.constructor as VoxelArrayConstructor, v.length, { shared: options.shared ?? false }) as VoxelArray;
  const perColumn = new Float32Array(nij);
  const nRings = shading.shiftGrey.length;
  for (let p = 0; p < nij; p++) if (fov.inside[p]) perColumn[p] = shading.shiftGrey[Math.min(nRings - 1, Math.floor(fov.edgeDistanceMm[p]! / shading.ringMm))]!;
  const integer = !(v instanceof Float32Array || v instanceof Float64Array);
  for (let k = 0; k < nk; k++) {
    const base = nij * k;
    for (let p = 0; p < nij; p++) {
      const x = v[base + p]!;
      out[base + p] = fov.inside[p] ? (integer ? Math.round(x - perColumn[p]!) : x - perColumn[p]!) : x;
    }
  }
  return createVolume(`${ct.id}-flat`, ct.kind, ct.geometry, out);
}
