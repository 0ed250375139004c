import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { allocVoxels } from '../volume/voxelBuffer';
import type { StructureShape } from './structureDistance';
import { fillShapeField } from './structureDistance';
import { edtPassStridedWasm, edtWasm } from './edtWasm';

/**
 * Exact Euclidean distance transforms in millimetres on voxel grids.
 *
 * Algorithm: separable squared-distance transform (Felzenszwalb & Huttenlocher,
 * "Distance Transforms of Sampled Functions", 2012), one 1D lower-envelope pass
 * per axis, with the axis spacing folded into the parabola positions so that
 * anisotropic voxels give true millimetre distances. The result is the exact
 * distance between voxel CENTRES (tested against brute force).
 *
 * Frame caveat: distances assume the three grid axes are orthogonal (true for
 * every CT series except a gantry-tilted one before resampling, whose shear
 * makes the per-axis separation an approximation).
 */

/** Half-open box of voxel indices: `min` inclusive, `max` exclusive, per axis i, j, k. */
export type VoxelBox = {
  readonly min: readonly [number, number, number];
  readonly max: readonly [number, number, number];
};

/**
 * Which mask values count as "inside": a single value, a list of values, or a
 * 256-entry lookup table (non-zero entry = inside). Default: any non-zero value.
 */
export type InsideSpec = number | readonly number[] | Uint8Array;

/**
 * How to report a signed field.
 * - `false`: unsigned distance to the inside set (0 inside).
 * - `'insidePositive'`: positive inside (depth), negative outside (FieldSet.boneDepth).
 * - `'insideNegative'`: negative inside, positive outside (FieldSet.lesion).
 */
export type SignedMode = false | 'insidePositive' | 'insideNegative';

export type DistanceFieldOptions = {
  /** Mask values that are inside. Default: non-zero. */
  inside?: InsideSpec;
  /** Default false (unsigned). */
  signed?: SignedMode;
  /**
   * Sub-box of the mask grid to compute on; the output lives on this sub-grid.
   * Features outside the box are ignored, so give it a margin around what matters.
   * Default: the whole grid.
   */
  roi?: VoxelBox;
  /**
   * Surface offset. `'voxelCentre'` (default for unsigned) gives the exact distance to the
   * nearest inside voxel centre. `'halfVoxel'` (default for signed) treats the surface as lying
   * half a voxel (half the smallest spacing) beyond the centres: unsigned values become
   * max(0, d - h/2); signed values are +/-(d - h/2), so boundary voxel pairs are +/-h/2 apart
   * from zero and trilinear sampling crosses zero midway between them.
   */
  surface?: 'voxelCentre' | 'halfVoxel';
  /** Allocate the output on a SharedArrayBuffer. */
  shared?: boolean;
  /** Id of the output volume. */
  id?: string;
};

/** Lines of a strided pass transformed together (see edtPassStrided). */
const BLOCK = 16;

/** Squared distances beyond this are "no feature on this line yet". */
const FAR = 1e30;

/** Seed value for {@link squaredDistanceInPlace}: "not a feature". */
export const EDT_FAR = FAR;

/** Builds the 256-entry inside lookup table from an {@link InsideSpec}. */
export function insideLookup(spec: InsideSpec | undefined): Uint8Array {
  if (spec instanceof Uint8Array) {
    if (spec.length !== 256) throw new PlannerError('assert', `inside lookup table has ${spec.length} entries, expected 256`);
    return spec;
  }
  const lut = new Uint8Array(256);
  if (spec === undefined) {
    lut.fill(1);
    lut[0] = 0;
  } else if (typeof spec === 'number') {
    lut[spec & 255] = 1;
  } else {
    for (const v of spec) lut[v & 255] = 1;
  }
  return lut;
}

/** The whole grid as a {@link VoxelBox}. */
export function fullBox(geometry: VolumeGeometry): VoxelBox {
  return { min: [0, 0, 0], max: [geometry.dims[0], geometry.dims[1], geometry.dims[2]] };
}

/** Clamps a box to the grid; throws `volume/geometry` when the result is empty. */
export function clampBox(box: VoxelBox, geometry: VolumeGeometry): VoxelBox {
  const min: [number, number, number] = [0, 0, 0];
  const max: [number, number, number] = [0, 0, 0];
  for (let a = 0; a < 3; a++) {
    min[a] = Math.max(0, Math.min(geometry.dims[a]!, Math.floor(box.min[a]!)));
    max[a] = Math.max(0, Math.min(geometry.dims[a]!, Math.ceil(box.max[a]!)));
    if (max[a]! <= min[a]!) {
      throw new PlannerError('volume/geometry', `region of interest ${box.min.join(',')}..${box.max.join(',')} is empty on a ${geometry.dims.join(' x ')} grid`);
    }
  }
  return { min, max };
}

/** Geometry of a sub-box of `geometry`: same axes and spacing, origin at the box's first voxel. */
export function subGridGeometry(geometry: VolumeGeometry, box: VoxelBox): VolumeGeometry {
  const m = geometry.ijkToLps;
  const i = box.min[0], j = box.min[1], k = box.min[2];
  return createVolumeGeometry({
    dims: [box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]],
    spacingMm: geometry.spacingMm,
    direction: geometry.direction,
    originLps: [
      m[0]! * i + m[4]! * j + m[8]! * k + m[12]!,
      m[1]! * i + m[5]! * j + m[9]! * k + m[13]!,
      m[2]! * i + m[6]! * j + m[10]! * k + m[14]!,
    ],
  });
}

/**
 * Reusable scratch of the 1D lower-envelope transform, sized for the longest line:
 * the envelope's parabola vertices (position, value, height) and the boundaries
 * between them. Per thread; never shared.
 */
export type EdtScratch = {
  vx: Float64Array; vf: Float64Array; vc: Float64Array; z: Float64Array; near: Int32Array;
  /** The block envelopes' vertices, four numbers each (position, value, height, left boundary): line b's start at 4 b len. */
  v4: Float64Array;
  /** Entries per line of the block envelopes (edtPassStrided): line b's vertices start at b * len. */
  len: number;
  /** Per line of a block: index of its envelope's last vertex (-1: none yet), and whether a run of zeros was collapsed. */
  top: Int32Array; collapsed: Uint8Array;
  /** Per sample row of a block: 1 when the row is all zero. */
  zeroRow: Uint8Array;
};

/** Scratch for lines of up to `n` samples; the vertex arrays hold one envelope per line of a block ({@link BLOCK}). */
export function createEdtScratch(n: number): EdtScratch {
  const len = n + 1;
  return {
    vx: new Float64Array(len), vf: new Float64Array(len), vc: new Float64Array(len), z: new Float64Array(len), v4: new Float64Array(4 * BLOCK * (len + 1)),
    near: new Int32Array(n), len, top: new Int32Array(BLOCK), collapsed: new Uint8Array(BLOCK), zeroRow: new Uint8Array(n),
  };
}

/**
 * 1D squared distance transform IN PLACE of the line `a[o], a[o + s], ..., a[o + (n-1) s]`
 * with sample spacing `h` (mm): a[q] <- min_p (h (q - p))^2 + a[p]. Entries >= FAR
 * are absent features. A line without any feature is left as it is (all FAR).
 * `q0` is the index of the line's first sample on the whole line it is part of
 * (positions are `(q0 + q) h`, the same numbers as when the whole line is transformed).
 * Lower envelope of parabolas (Felzenszwalb & Huttenlocher): each vertex keeps its
 * own value, so the line can be overwritten by the final sweep.
 *
 * Runs of zeros (features; after the first pass, every voxel of the feature set)
 * keep only their two ends as vertices: an interior zero is nobody's nearest
 * feature but its own (the run's end on that side is strictly nearer to every
 * other sample), and a zero is never popped by a later parabola, so the envelope
 * outside the run, its boundaries and the value written at every sample are the
 * same as with every zero a vertex (bit for bit); the sweep leaves zeros as they are
 * (their value is 0 either way). This saves a vertex, a division and a write per
 * interior zero: most of a depth transform, whose features are the background.
 */
function envelopeLine(a: Float32Array, o: number, s: number, n: number, h: number, sc: EdtScratch, q0: number): void {
  const vx = sc.vx, vf = sc.vf, vc = sc.vc, z = sc.z;
  // Sentinel left boundary of the first vertex: the pop test fails on it (xq > its x, so the
  // right side is -Infinity), which spares a \`k > 0\` test per comparison.
  z[0] = -Infinity;
  let k = -1;
  let collapsed = false;
  const last = n - 1;
  for (let q = 0, t = o; q < n; q++, t += s) {
    const fq = a[t]!;
    if (fq >= FAR) continue;
    // Interior zero of a run: not a vertex (see above). The neighbours are still inputs here.
    if (fq === 0 && q > 0 && q < last && a[t - s] === 0 && a[t + s] === 0) {
      collapsed = true;
      continue;
    }
    const xq = (q0 + q) * h;
    const cq = fq + xq * xq;
    if (k < 0) {
      // First vertex: no boundary on its left (z[0] is never read).
      k = 0;
      vx[0] = xq;
      vf[0] = fq;
      vc[0] = cq;
      continue;
    }
    // Pop the vertices the new parabola hides: intersection (cq - c) / (2 (xq - x)) <= z[k],
    // compared without the division (xq > x).
    while (cq - vc[k]! <= 2 * (xq - vx[k]!) * z[k]!) k--;
    const zq = (cq - vc[k]!) / (2 * (xq - vx[k]!));
    k++;
    vx[k] = xq;
    vf[k] = fq;
    vc[k] = cq;
    z[k] = zq;
  }
  if (k < 0) return;
  z[k + 1] = Infinity;
  if (k === 0) {
    // One parabola: the distance to a single feature.
    const x0 = vx[0]!, f0 = vf[0]!;
    for (let q = 0, t = o; q < n; q++, t += s) {
      const dx = (q0 + q) * h - x0;
      a[t] = dx * dx + f0;
    }
    return;
  }
  let j = 0;
  let zNext = z[1]!;
  if (collapsed) {
    for (let q = 0, t = o; q < n; q++, t += s) {
      if (a[t] === 0) continue;
      const x = (q0 + q) * h;
      while (zNext < x) zNext = z[++j + 1]!;
      const dx = x - vx[j]!;
      a[t] = dx * dx + vf[j]!;
    }
    return;
  }
  for (let q = 0, t = o; q < n; q++, t += s) {
    const x = (q0 + q) * h;
    while (zNext < x) zNext = z[++j + 1]!;
    const dx = x - vx[j]!;
    a[t] = dx * dx + vf[j]!;
  }
}

/**
 * First pass along i (contiguous rows) of rows `k0 <= k < k1`. Rows whose entries are
 * all 0 or FAR (every caller's seed) take the distance to the row's nearest feature in one
 * scan, each gap between features from a table ({@link firstPassGap}, {@link squaredSteps}:
 * the numbers of the linear two-scan this replaced, fround((d h)^2) for d voxels, and +0 at
 * the features, as it wrote them); any other row takes the general envelope.
 */
function edtPassI(sq: Float32Array, ni: number, nj: number, k0: number, k1: number, h: number, sc: EdtScratch): void {
  let tab: Float32Array | null = null;
  for (let k = k0; k < k1; k++) {
    for (let j = 0; j < nj; j++) {
      const base = ni * (j + nj * k);
      let any = false, far = false, general = false;
      for (let i = 0; i < ni; i++) {
        const x = sq[base + i]!;
        if (x === 0) any = true;
        else if (x < FAR) {
          general = true;
          break;
        } else far = true;
      }
      if (general) {
        envelopeLine(sq, base, 1, ni, h, sc, 0);
        continue;
      }
      // No feature (all FAR) or only features (all zero): the row stays as it is.
      if (!any || !far) continue;
      tab ??= squaredSteps(ni, h);
      // Each gap is written when the feature after it is found (the scan reads ahead of the
      // writes), the tail after the scan; a feature gets +0 (a -0 seed too).
      let prev = -1;
      for (let i = 0; i < ni; i++) {
        if (sq[base + i] !== 0) continue;
        if (i > prev + 1) firstPassGap(sq, base, prev, i, ni, tab);
        sq[base + i] = 0;
        prev = i;
      }
      if (prev < ni - 1) firstPassGap(sq, base, prev, ni, ni, tab);
    }
  }
}

/**
 * Strided pass along an axis of `n` samples `stride` apart with spacing `h`: the lines
 * start at `origin + i` for i in [0, width) (consecutive in memory), `outerCount` such
 * bundles at `outerStep` apart. The lines are transformed in place, BLOCK neighbours
 * one after the other, so the cache lines a line touches serve the next ones too
 * (measured on the full-size bone depth: faster than copying each block of lines into
 * a contiguous buffer and back, which the pass did before; 16 lines = one 64-byte cache
 * line per sample row, which stays in L1 over a line of a few hundred samples even at
 * the large power-of-two-ish strides of the k pass: faster than 8, 32 or 64).
 *
 * Rows of a block that are all zero at either end of its lines (features: the
 * background around the bone of a depth transform, or the bone around a distance to it)
 * are not transformed, except the innermost one on each side: a zero stays zero, and a
 * sample beyond a zero feature is nearer to it than to any feature behind it, which the
 * envelope never looks past (the zero is never popped, and the sweep reaches it before
 * any sample beyond it). So the samples in between get the same vertices, boundaries and
 * values, bit for bit, as with the whole line (positions stay those of the whole line).
 * A block of zeros only is skipped.
 */
function rowIsZero(sq: Float32Array, row: number, w: number): boolean {
  for (let b = 0; b < w; b++) if (sq[row + b] !== 0) return false;
  return true;
}

/**
 * {@link envelopeLine} of the `w` lines at `base + b` (b < w) over their samples q0..q1 (inclusive,
 * `stride` apart; positions `q h` as on the whole line), the lower envelopes built sample row by
 * sample row: for each row, the next sample of every line in turn. Each line's envelope gets the
 * same vertices, boundaries and values as envelopeLine gives it, by the same operations in the
 * same order (the lines are independent; only the order in which the lines' steps interleave
 * changes): the same bits. Faster because the lines' dependency chains (the division of a
 * boundary, then the comparisons of the next sample against it) overlap, and the block's row
 * of samples is one cache line read once. The final sweep stays line by line (interleaving it
 * was slower, measured).
 */
function envelopeBlock(a: Float32Array, base: number, w: number, stride: number, q0: number, q1: number, h: number, sc: EdtScratch): void {
  // Vertex p of line b at v[4 (b len + p) ..]: position, value, height (value + position^2), left boundary.
  const v = sc.v4, top = sc.top, collapsedOf = sc.collapsed, len4 = 4 * sc.len;
  // A local: a module constant is read from the module's context at every use (measured).
  const far = FAR;
  const n = q1 - q0 + 1;
  const last = n - 1;
  for (let b = 0; b < w; b++) {
    top[b] = -1;
    collapsedOf[b] = 0;
    // Sentinel left boundary of the first vertex: the pop test below fails on it (xq > its x).
    v[b * len4 + 3] = -Infinity;
  }
  // A row of zeros between two rows of zeros holds interior zeros of every line only (each
  // skipped below, its line marked collapsed): the row is skipped whole. Most of the rows of
  // a depth transform's box (its features are the background) are such rows.
  const zeroRow = sc.zeroRow;
  for (let q = 0, t = base + stride * q0; q < n; q++, t += stride) zeroRow[q] = rowIsZero(a, t, w) ? 1 : 0;
  for (let q = 0, t = base + stride * q0; q < n; q++, t += stride) {
    if (zeroRow[q] && q > 0 && q < last && zeroRow[q - 1] && zeroRow[q + 1]) {
      for (let b = 0; b < w; b++) collapsedOf[b] = 1;
      continue;
    }
    const xq = (q0 + q) * h;
    for (let b = 0; b < w; b++) {
      const fq = a[t + b]!;
      if (fq >= far) continue;
      // Interior zero of a run: not a vertex (see envelopeLine).
      if (fq === 0 && q > 0 && q < last && a[t + b - stride] === 0 && a[t + b + stride] === 0) {
        collapsedOf[b] = 1;
        continue;
      }
      const cq = fq + xq * xq;
      const o = b * len4;
      const k = top[b]!;
      if (k < 0) {
        top[b] = 0;
        v[o] = xq;
        v[o + 1] = fq;
        v[o + 2] = cq;
        continue;
      }
      let p = o + 4 * k;
      while (cq - v[p + 2]! <= 2 * (xq - v[p]!) * v[p + 3]!) p -= 4;
      const zq = (cq - v[p + 2]!) / (2 * (xq - v[p]!));
      p += 4;
      v[p] = xq;
      v[p + 1] = fq;
      v[p + 2] = cq;
      v[p + 3] = zq;
      top[b] = (p - o) >> 2;
    }
  }
  for (let b = 0; b < w; b++) {
    const k = top[b]!;
    if (k < 0) continue;
    const o = b * len4;
    const s0 = base + b + stride * q0;
    if (k === 0) {
      const x0 = v[o]!, f0 = v[o + 1]!;
      for (let q = 0, t = s0; q < n; q++, t += stride) {
        const dx = (q0 + q) * h - x0;
        a[t] = dx * dx + f0;
      }
      continue;
    }
    v[o + 4 * (k + 1) + 3] = Infinity;
    let j = o;
    let zNext = v[o + 7]!;
    if (collapsedOf[b]) {
      for (let q = 0, t = s0; q < n; q++, t += stride) {
        if (zeroRow[q] || a[t] === 0) continue;
        const x = (q0 + q) * h;
        while (zNext < x) {
          j += 4;
          zNext = v[j + 7]!;
        }
        const dx = x - v[j]!;
        a[t] = dx * dx + v[j + 1]!;
      }
      continue;
    }
    for (let q = 0, t = s0; q < n; q++, t += stride) {
      const x = (q0 + q) * h;
      while (zNext < x) {
        j += 4;
        zNext = v[j + 7]!;
      }
      const dx = x - v[j]!;
      a[t] = dx * dx + v[j + 1]!;
    }
  }
}

function edtPassStrided(sq: Float32Array, start: number, outerStep: number, outerCount: number, width: number, n: number, stride: number, h: number, sc: EdtScratch): void {
  // The WebAssembly block envelope (edtWasm.ts) when this thread has it: the same bits.
  const wasm = edtWasm();
  if (wasm && edtPassStridedWasm(wasm, sq, start, outerStep, outerCount, width, n, stride, h)) return;
  for (let o = 0; o < outerCount; o++) {
    const origin = start + outerStep * o;
    for (let i0 = 0; i0 < width; i0 += BLOCK) {
      const w = Math.min(BLOCK, width - i0);
      const base = origin + i0;
      let first = 0;
      while (first < n && rowIsZero(sq, base + stride * first, w)) first++;
      if (first === n) continue;
      let last = n - 1;
      while (last > first && rowIsZero(sq, base + stride * last, w)) last--;
      const q0 = first > 0 ? first - 1 : 0;
      const q1 = last < n - 1 ? last + 1 : n - 1;
      envelopeBlock(sq, base, w, stride, q0, q1, h, sc);
    }
  }
}

/**
 * Formerly the block buffer of the strided passes, which now run in place: a one-entry
 * array, kept so that callers written against the previous signature still compile.
 */
export function createEdtBlock(_n: number): Float32Array {
  return new Float32Array(1);
}

/**
 * The three passes of the separable transform as independent slabs, for a caller that
 * splits them across threads: every pass must finish on all slabs before the next
 * starts. `pass` 0 = along i (slab over k), 1 = along j (slab over k), 2 = along k
 * (slab over j). Slabs [s0, s1) of `edtSlabCount(pass, dims)`.
 */
export function edtPassSlab(
  sq: Float32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number],
  pass: 0 | 1 | 2, s0: number, s1: number, sc: EdtScratch, _buf?: Float32Array,
): void {
  const [ni, nj, nk] = dims;
  if (pass === 0) edtPassI(sq, ni, nj, s0, s1, spacingMm[0], sc);
  else if (pass === 1) {
    if (nj > 1) for (let k = s0; k < s1; k++) edtPassStrided(sq, ni * nj * k, 0, 1, ni, nj, ni, spacingMm[1], sc);
  } else if (nk > 1) edtPassStrided(sq, ni * s0, ni, s1 - s0, ni, nk, ni * nj, spacingMm[2], sc);
}

/** Number of slabs of a pass (see {@link edtPassSlab}). */
export function edtSlabCount(pass: 0 | 1 | 2, dims: readonly [number, number, number]): number {
  return pass === 2 ? dims[1] : dims[2];
}

/**
 * Squared EDT in place on a dense grid `sq` (dims ni x nj x nk, i fastest) whose
 * entries are 0 at features and {@link EDT_FAR} elsewhere; on return each entry is
 * the squared distance in mm^2 to the nearest feature centre (EDT_FAR when none).
 * Low-level building block for morphology; prefer {@link computeDistanceField}.
 */
export function squaredDistanceInPlace(sq: Float32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number]): void {
  squaredEdtInPlace(sq, dims[0], dims[1], dims[2], spacingMm[0], spacingMm[1], spacingMm[2]);
}

/**
 * Runs the three passes of a squared EDT somewhere else than in this thread alone
 * (parallelEdt.ts splits each pass's slabs with a helper thread). `run` returns
 * false when it declines (a grid too small to be worth it): the caller then runs
 * the passes itself. The output must be the same bit for bit: the lines of a pass
 * are independent, so who transforms which line does not change any value.
 */
export type EdtExecutor = {
  /** `firstPass` (default 0): the passes before it are done already (computeDistanceField seeds rows with the first pass). */
  run(sq: Float32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number], firstPass?: 0 | 1 | 2): boolean;
  /**
   * Runs slabs [0, slabs) of `task` ({@link runSlabTask}) here and on the helper (every array of
   * the task on shared memory); false when it declines (`voxels`, the work's size, too small):
   * the caller then runs them itself. Same bits either way: the slabs write disjoint voxels.
   */
  forSlabs?(task: SlabTask, slabs: number, voxels: number): boolean;
};

/**
 * Work other than the EDT passes that splits into independent slabs (parallelEdt.ts hands the
 * slabs out like a pass's): the signed output of computeDistanceField (slab: a k slice) and the
 * analytic structure fields of buildFieldSet (slab: one field). Structured-cloneable.
 */
export type SlabTask = SeedOutsideTask | SignedOutputTask | ShapeFieldsTask;

/** computeDistanceField's seeding of the transform to the outside set: first pass of each row of `toOutside` (dims) from the mask at `origin`. */
export type SeedOutsideTask = {
  kind: 'seedOutside';
  src: Uint8Array;
  lut: Uint8Array;
  /** The mask grid's ni, nj. */
  gridDims: [number, number];
  origin: [number, number, number];
  dims: [number, number, number];
  h: number;
  toOutside: Float32Array;
};

/** computeDistanceField's signed output: `out` (squared distance to the inside) and `toOutside` (on box `cbox`) to signed mm. */
export type SignedOutputTask = {
  kind: 'signedOutput';
  out: Float32Array;
  toOutside: Float32Array;
  dims: [number, number, number];
  /** Inclusive box of `toOutside` on the grid: [ci0, cj0, ck0, ci1, cj1, ck1]. */
  cbox: [number, number, number, number, number, number];
  sign: 1 | -1;
  offset: number;
};

/** Structure fields to fill (structureDistance.ts fillShapeField), one per slab. */
export type ShapeFieldsTask = {
  kind: 'shapeFields';
  fields: { shape: StructureShape; dims: [number, number, number]; ijkToLps: Float64Array; out: Float32Array }[];
};

/** Runs slabs [s0, s1) of `task` in this thread. */
export function runSlabTask(task: SlabTask, s0: number, s1: number): void {
  if (task.kind === 'seedOutside') seedOutsideSlices(task, s0, s1);
  else if (task.kind === 'signedOutput') {
    for (let k = s0; k < s1; k++) signedOutputSlice(task, k);
  } else {
    for (let s = s0; s < s1; s++) {
      const f = task.fields[s]!;
      fillShapeField(f.out, f.dims, f.ijkToLps, f.shape);
    }
  }
}

/** Runs `task`'s slabs through the executor when it takes them, else here. */
export function runSlabs(task: SlabTask, slabs: number, voxels: number): void {
  if (edtExecutor?.forSlabs && edtExecutor.forSlabs(task, slabs, voxels)) return;
  runSlabTask(task, 0, slabs);
}

let edtExecutor: EdtExecutor | null = null;

/**
 * Installs the executor every squared EDT of this thread goes through (null: none, every
 * pass in this thread). Returns the previous one. Set once per worker (the segmentation
 * worker, when it has a helper thread over shared memory).
 */
export function setEdtExecutor(executor: EdtExecutor | null): EdtExecutor | null {
  const previous = edtExecutor;
  edtExecutor = executor;
  return previous;
}

/** Whether an executor is installed (scratch grids are then best allocated on shared memory). */
export function hasEdtExecutor(): boolean {
  return edtExecutor !== null;
}

/**
 * A zeroed Float32 grid of `n` entries for {@link squaredDistanceInPlace}: on shared memory
 * when an executor is installed, so its helper works on it directly (a plain array is copied
 * onto shared memory for the transform and back: twice the grid's bytes for the time of it).
 */
export function allocEdtGrid(n: number): Float32Array {
  return allocVoxels(Float32Array, n, { shared: edtExecutor !== null });
}

function squaredEdtInPlace(sq: Float32Array, ni: number, nj: number, nk: number, sx: number, sy: number, sz: number, firstPass: 0 | 1 | 2 = 0): void {
  const dims: [number, number, number] = [ni, nj, nk];
  const sp: [number, number, number] = [sx, sy, sz];
  if (edtExecutor && edtExecutor.run(sq, dims, sp, firstPass)) return;
  const longest = Math.max(ni, nj, nk);
  const sc = createEdtScratch(longest);
  for (const pass of [0, 1, 2] as const) if (pass >= firstPass) edtPassSlab(sq, dims, sp, pass, 0, edtSlabCount(pass, dims), sc);
}

/**
 * The first pass's values fround((d h)^2) for d = 0 .. n voxels to the row's nearest feature,
 * computed as edtPassI's two-scan computes them (e = d h, then e * e stored in Float32): a row's
 * first pass is then a table look-up per voxel.
 */
function squaredSteps(n: number, h: number): Float32Array {
  const tab = new Float32Array(n + 1);
  for (let d = 0; d <= n; d++) {
    const e = d * h;
    tab[d] = e * e;
  }
  return tab;
}

/**
 * The first pass (along i) of the samples a < g < b of a row between two features at a and b
 * (a = -1: no feature before, b = the row's length: none after; not both), straight from where
 * its features are instead of seeding the row with 0 / FAR and transforming it: the distance
 * in voxels to the nearer of the two (the nearest feature of the row) through `tab`
 * ({@link squaredSteps}), the same numbers as edtPassI's two-scan. The features themselves are
 * not written (0 already).
 */
function firstPassGap(out: Float32Array, o: number, a: number, b: number, n: number, tab: Float32Array): void {
  if (a < 0) {
    for (let g = 0; g < b; g++) out[o + g] = tab[b - g]!;
    return;
  }
  if (b >= n) {
    for (let g = a + 1; g < n; g++) out[o + g] = tab[g - a]!;
    return;
  }
  // g - a <= b - g up to the middle (a tie takes either: the same value).
  const m = (a + b) >> 1;
  for (let g = a + 1; g <= m; g++) out[o + g] = tab[g - a]!;
  for (let g = m + 1; g < b; g++) out[o + g] = tab[b - g]!;
}

/** Slices [s0, s1) of the seeding of the transform to the outside set (see computeDistanceField). */
function seedOutsideSlices(task: SeedOutsideTask, s0: number, s1: number): void {
  const { src, lut, toOutside, h } = task;
  const [gi, gj] = task.gridDims;
  const [oi, oj, ok] = task.origin;
  const [mi, mj] = task.dims;
  const tab = squaredSteps(mi, h);
  // A row of background only (background not inside) has no inside voxel: it stays 0.
  const words = lut[0] ? null : wordsOf(src);
  for (let s = s0; s < s1; s++) {
    let r = mi * mj * s;
    for (let j = 0; j < mj; j++, r += mi) {
      const q = oi + gi * (j + oj + gj * (s + ok));
      if (words && isZeroRun(src, words, q, mi)) continue;
      // The features are the outside voxels (0 already): each run of inside voxels gets its
      // distance to the outside voxels on either side; a row of inside voxels only has none (FAR).
      let runStart = -1;
      for (let i = 0; i < mi; i++) {
        if (lut[src[q + i]!]) {
          if (runStart < 0) runStart = i;
        } else if (runStart >= 0) {
          firstPassGap(toOutside, r, runStart - 1, i, mi, tab);
          runStart = -1;
        }
      }
      if (runStart === 0) toOutside.fill(FAR, r, r + mi);
      else if (runStart > 0) firstPassGap(toOutside, r, runStart - 1, mi, mi, tab);
    }
  }
}

/** Signed value of an outside voxel from its squared distance `a` to the inside set. */
function outsideValue(a: number, sign: 1 | -1, offset: number): number {
  return a >= FAR ? -sign * Infinity : -sign * (Math.sqrt(a) - offset);
}

/** The signed output of slice `k` (see computeDistanceField). */
function signedOutputSlice(task: SignedOutputTask, k: number): void {
  const { out, toOutside, sign, offset } = task;
  const [ni, nj] = task.dims;
  const [ci0, cj0, ck0, ci1, cj1, ck1] = task.cbox;
  const mi = ci1 - ci0 + 1, mj = cj1 - cj0 + 1;
  let t = ni * nj * k;
  const inK = k >= ck0 && k <= ck1;
  for (let j = 0; j < nj; j++) {
    const rowEnd = t + ni;
    if (!inK || j < cj0 || j > cj1) {
      for (; t < rowEnd; t++) out[t] = outsideValue(out[t]!, sign, offset);
      continue;
    }
    let r = mi * (j - cj0 + mj * (k - ck0));
    const boxStart = t + ci0, boxEnd = t + ci1 + 1;
    for (; t < boxStart; t++) out[t] = outsideValue(out[t]!, sign, offset);
    for (; t < boxEnd; t++, r++) {
      const a = out[t]!;
      if (a !== 0) out[t] = outsideValue(a, sign, offset);
      else {
        const b = toOutside[r]!;
        out[t] = b >= FAR ? sign * Infinity : sign * (Math.sqrt(-2 - Math.fround(-2 - b)) - offset);
      }
    }
    for (; t < rowEnd; t++) out[t] = outsideValue(out[t]!, sign, offset);
  }
}

/** A Uint32 view of the whole buffer of `src` when its bytes start 4-aligned (else null). */
function wordsOf(src: Uint8Array): Uint32Array | null {
  return src.byteOffset % 4 === 0 ? new Uint32Array(src.buffer, src.byteOffset, src.length >> 2) : null;
}

/** Whether src[q .. q + n) are all 0, read a Uint32 word (four bytes) at a time between unaligned ends. */
function isZeroRun(src: Uint8Array, words: Uint32Array, q: number, n: number): boolean {
  const end = q + n;
  const head = Math.min(end, (q + 3) & ~3);
  let t = q;
  for (; t < head; t++) if (src[t] !== 0) return false;
  for (; t + 4 <= end; t += 4) if (words[t >> 2] !== 0) return false;
  for (; t < end; t++) if (src[t] !== 0) return false;
  return true;
}

/**
 * computeDistanceField's first pass (distance TO the inside set), each ROI row straight from the
 * mask: a row without inside voxels is FAR, a row of inside voxels only stays 0, each gap between
 * inside voxels (the features, 0 already) is written when the inside voxel after it is found, the
 * tail after the scan. ROI row (j, k) starts at mask index oi + gi * (j + oj + gj * (k + ok));
 * `words`: the mask as 32-bit words when the background is not inside (rows of background only
 * found four voxels at a time). Returns the number of inside voxels; `insideBox` (given as
 * ni, nj, nk, -1, -1, -1) becomes their inclusive ROI box [i0, j0, k0, i1, j1, k1]. A module
 * function with plain arguments (no property read in its loops), so its optimized code is kept
 * from one transform to the next.
 */
function firstPassOfMask(src: Uint8Array, lut: Uint8Array, words: Uint32Array | null, out: Float32Array, tab: Float32Array, ni: number, nj: number, nk: number, oi: number, oj: number, ok: number, gi: number, gj: number, insideBox: Int32Array): number {
  let p = 0;
  let insideCount = 0;
  let bi0 = insideBox[0]!, bj0 = insideBox[1]!, bk0 = insideBox[2]!, bi1 = insideBox[3]!, bj1 = insideBox[4]!, bk1 = insideBox[5]!;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++, p += ni) {
      const q = oi + gi * (j + oj + gj * (k + ok));
      if (words && isZeroRun(src, words, q, ni)) {
        out.fill(FAR, p, p + ni);
        continue;
      }
      let first = -1, last = -1, hits = 0;
      for (let i = 0; i < ni; i++) {
        if (!lut[src[q + i]!]) continue;
        if (i > last + 1) firstPassGap(out, p, last, i, ni, tab);
        if (first < 0) first = i;
        last = i;
        hits++;
      }
      if (hits === 0) {
        out.fill(FAR, p, p + ni);
        continue;
      }
      if (last < ni - 1) firstPassGap(out, p, last, ni, ni, tab);
      insideCount += hits;
      if (first < bi0) bi0 = first;
      if (last > bi1) bi1 = last;
      if (j < bj0) bj0 = j;
      if (j > bj1) bj1 = j;
      if (k < bk0) bk0 = k;
      if (k > bk1) bk1 = k;
    }
  }
  insideBox[0] = bi0; insideBox[1] = bj0; insideBox[2] = bk0; insideBox[3] = bi1; insideBox[4] = bj1; insideBox[5] = bk1;
  return insideCount;
}

/** The unsigned field from the squared distances in `out` (first `n` values): sqrt, FAR and above +Infinity, less `offset` (clamped at 0) when positive. */
function unsignedOfSquared(out: Float32Array, n: number, offset: number): void {
  for (let t = 0; t < n; t++) {
    const s2 = out[t]!;
    out[t] = s2 >= FAR ? Infinity : offset > 0 ? Math.max(0, Math.sqrt(s2) - offset) : Math.sqrt(s2);
  }
}

/** The signed field of a ROI without inside voxels: {@link outsideValue} of each squared distance. */
function outsideOfSquared(out: Float32Array, n: number, sign: 1 | -1, offset: number): void {
  for (let t = 0; t < n; t++) out[t] = outsideValue(out[t]!, sign, offset);
}

/**
 * Distance field in millimetres of the voxels of `mask` selected by `options.inside`,
 * on `options.roi` (default: the whole grid).
 *
 * Returns a new Float32 `field` volume on the ROI sub-grid (same axes and spacing,
 * origin at the ROI's first voxel). Where no inside voxel exists in the ROI, the
 * unsigned distance is +Infinity (and the signed one +/-Infinity accordingly).
 * Cost: O(ROI voxels) time, one Float32 output plus (signed) one Float32 scratch.
 */
export function computeDistanceField(mask: Volume<Uint8Array>, options: DistanceFieldOptions = {}): Volume<Float32Array> {
  const g = mask.geometry;
  const box = options.roi ? clampBox(options.roi, g) : fullBox(g);
  const lut = insideLookup(options.inside);
  const signed = options.signed ?? false;
  const surface = options.surface ?? (signed ? 'halfVoxel' : 'voxelCentre');
  const outGeometry = subGridGeometry(g, box);
  const [ni, nj, nk] = outGeometry.dims;
  const [sx, sy, sz] = g.spacingMm;
  const n = ni * nj * nk;
  const out = allocVoxels(Float32Array, n, { shared: options.shared ?? false });
  const src = mask.voxels;
  const gi = g.dims[0], gj = g.dims[1];
  const offset = surface === 'halfVoxel' ? 0.5 * Math.min(sx, sy, sz) : 0;

  // Distance TO the inside set: each row's first pass straight from the mask (a row without
  // inside voxels is FAR, a row of inside voxels only stays 0); track the inside's box.
  const tab = squaredSteps(ni, sx);
  // When the background (0) is not inside, a row of background only has no inside voxel:
  // found four voxels at a time (the rows without bone, about half of a bone-depth ROI).
  const words = lut[0] ? null : wordsOf(src);
  const insideBox = new Int32Array([ni, nj, nk, -1, -1, -1]);
  const insideCount = firstPassOfMask(src, lut, words, out, tab, ni, nj, nk, box.min[0], box.min[1], box.min[2], gi, gj, insideBox);
  const bi0 = insideBox[0]!, bj0 = insideBox[1]!, bk0 = insideBox[2]!, bi1 = insideBox[3]!, bj1 = insideBox[4]!, bk1 = insideBox[5]!;
  squaredEdtInPlace(out, ni, nj, nk, sx, sy, sz, 1);

  if (!signed) {
    unsignedOfSquared(out, n, offset);
    return createVolume(options.id ?? `${mask.id}-distance`, 'field', outGeometry, out);
  }

  // Distance from inside voxels TO the outside set. The nearest outside voxel of an
  // inside voxel lies within the inside set's box grown by one voxel (or is absent
  // when the inside fills the ROI), so this second transform runs on that box only,
  // its rows' first pass again straight from the mask (features: the outside voxels).
  const sign = signed === 'insidePositive' ? 1 : -1;
  if (insideCount === 0) {
    outsideOfSquared(out, n, sign, offset);
    return createVolume(options.id ?? `${mask.id}-signed-distance`, 'field', outGeometry, out);
  }
  const ci0 = Math.max(0, bi0 - 1), cj0 = Math.max(0, bj0 - 1), ck0 = Math.max(0, bk0 - 1);
  const ci1 = Math.min(ni - 1, bi1 + 1), cj1 = Math.min(nj - 1, bj1 + 1), ck1 = Math.min(nk - 1, bk1 + 1);
  const mi = ci1 - ci0 + 1, mj = cj1 - cj0 + 1, mk = ck1 - ck0 + 1;
  // Zeroed: a row of outside voxels only stays 0. Slices in parallel when an executor takes them.
  const toOutside = allocEdtGrid(mi * mj * mk);
  const seed: SeedOutsideTask = { kind: 'seedOutside', src, lut, gridDims: [gi, gj], origin: [box.min[0] + ci0, box.min[1] + cj0, box.min[2] + ck0], dims: [mi, mj, mk], h: sx, toOutside };
  const seedShared = typeof SharedArrayBuffer !== 'undefined' && src.buffer instanceof SharedArrayBuffer && toOutside.buffer instanceof SharedArrayBuffer;
  if (seedShared) runSlabs(seed, mk, mi * mj * mk);
  else runSlabTask(seed, 0, mk);
  squaredEdtInPlace(toOutside, mi, mj, mk, sx, sy, sz, 1);
  // Signed values in one pass (slices in parallel when an executor takes them). An inside voxel
  // (0 in `out`) takes its depth b from `toOutside`, through the Float32 value -2 - b that the
  // previous version stored in `out` on the way (kept: the same numbers, bit for bit).
  const task: SignedOutputTask = { kind: 'signedOutput', out, toOutside, dims: [ni, nj, nk], cbox: [ci0, cj0, ck0, ci1, cj1, ck1], sign, offset };
  const onShared = typeof SharedArrayBuffer !== 'undefined' && out.buffer instanceof SharedArrayBuffer && toOutside.buffer instanceof SharedArrayBuffer;
  if (onShared) runSlabs(task, nk, n);
  else runSlabTask(task, 0, nk);
  return createVolume(options.id ?? `${mask.id}-signed-distance`, 'field', outGeometry, out);
}
