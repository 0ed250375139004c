import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import { transformPoint } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';
import type { ComponentRuns } from './connectedComponents';
import { componentRunsOfRuns, maskRunsOfList, writeComponentLabels } from './connectedComponents';
import { fillHoles } from './morphology';
import { isFieldCutHeadSphere } from './segmentBoneCap';

/**
 * segmentBone's component splits (bridged joints): the search for the erosion radius at which a
 * component falls apart and the grow-back of its pieces ({@link searchSplit}), the hip split's
 * acceptance rule as plain data ({@link acceptHipSplit}), and the slab task that runs several
 * independent searches at once, one per slab, on this thread and the EDT helper
 * ({@link SplitTask}, segmentBoneSlabs.ts). segmentBone writes the pieces into its labels.
 */

export type Dims = [number, number, number];

export type ComponentStats = {
  id: number;
  voxels: number;
  volumeMl: number;
  centroidLps: Vec3;
  /** LPS bounding extents of the component's voxel centres. */
  minLps: Vec3;
  maxLps: Vec3;
  /** Inclusive ijk box of the component's voxels on the crop grid when computed: [i0, j0, k0, i1, j1, k1]. */
  ijk: Int32Array;
};

/**
 * {@link componentStats} from per-component voxel counts, ijk sums (3 * c) and inclusive boxes (6 * c), e.g. of {@link computeComponentRuns}: no pass over the voxels.
 * `offset`: the ijk of this crop's first voxel in the crop `m` maps (the LPS figures are computed
 * from the same numbers as there: integer sums and corners shifted exactly, so bit for bit the same); `ijk` stays in this crop.
 */
export function statsOfSums(n: Float64Array, sums: Float64Array, boxes: Int32Array, count: number, m: Float64Array, voxelMl: number, firstId = 1, offset: readonly number[] = [0, 0, 0]): ComponentStats[] {
  const out: ComponentStats[] = [];
  const corner: Vec3 = [0, 0, 0];
  const [oi, oj, ok] = offset as [number, number, number];
  for (let c = firstId; c <= count; c++) {
    if (n[c] === 0) continue;
    const nc = n[c]!;
    const centroid = transformPoint([0, 0, 0], m, [(sums[3 * c]! + oi * nc) / nc, (sums[3 * c + 1]! + oj * nc) / nc, (sums[3 * c + 2]! + ok * nc) / nc]);
    const minLps: Vec3 = [Infinity, Infinity, Infinity];
    const maxLps: Vec3 = [-Infinity, -Infinity, -Infinity];
    const b = 6 * c;
    for (let q = 0; q < 8; q++) {
      transformPoint(corner, m, [oi + (q & 1 ? boxes[b + 3]! : boxes[b]!), oj + (q & 2 ? boxes[b + 4]! : boxes[b + 1]!), ok + (q & 4 ? boxes[b + 5]! : boxes[b + 2]!)]);
      for (let a = 0; a < 3; a++) {
        if (corner[a]! < minLps[a]!) minLps[a] = corner[a]!;
        if (corner[a]! > maxLps[a]!) maxLps[a] = corner[a]!;
      }
    }
    out.push({ id: c, voxels: n[c]!, volumeMl: n[c]! * voxelMl, centroidLps: centroid, minLps, maxLps, ijk: boxes.slice(b, b + 6) });
  }
  return out;
}

/** {@link componentStats} of every component of a run labelling. */
export function statsOfRuns(runs: ComponentRuns, cropToLps: Float64Array, voxelMl: number): ComponentStats[] {
  return statsOfSums(runs.sizes, runs.sums, runs.boxes, runs.count, cropToLps, voxelMl);
}

/**
 * For each value of the top 16 bits of a float32 (sign, exponent, 7 mantissa bits: a bucket of
 * 65,536 consecutive floats, lying between the floats of its lowest and highest bit patterns), the
 * number of thresholds `th` (at most 254) that every float of the bucket exceeds, when that number
 * is the same for all of them (for each threshold t, the bucket's least float > t or its greatest
 * <= t); 255 when it is not (a threshold falls inside the bucket) or the bucket holds NaNs. So for
 * a float32 d whose bucket entry is not 255, the entry is the number of thresholds d exceeds:
 * splitComponent's depth class, without comparing.
 */
export function depthClassTable(th: Float64Array): Uint8Array {
  const table = new Uint8Array(65536);
  const f = new Float32Array(2), u = new Uint32Array(f.buffer);
  for (let b = 0; b < 65536; b++) {
    u[0] = (b << 16) >>> 0;
    u[1] = ((b << 16) | 0xffff) >>> 0;
    const lo = Math.min(f[0]!, f[1]!), hi = Math.max(f[0]!, f[1]!);
    if (Number.isNaN(lo) || Number.isNaN(hi)) {
      table[b] = 255;
      continue;
    }
    let c = 0;
    for (let m = 0; m < th.length && c !== 255; m++) {
      if (lo > th[m]!) c++;
      else if (!(hi <= th[m]!)) c = 255;
    }
    table[b] = c;
  }
  return table;
}

/** A component to split: its id, voxel count and inclusive box on the crop ([i0, j0, k0, i1, j1, k1]). */
export type SplitComponent = { id: number; voxels: number; ijk: ArrayLike<number> };

/** The run arrays of a labelling (connectedComponents.ts ComponentRuns' rows and runs). */
export type SplitRuns = { rowFirst: Int32Array; runStart: Int32Array; runEnd: Int32Array; runId: Int32Array };

export type SplitValidate = {
  cropToLps: Float64Array;
  /** ijk of the crop's first voxel in `cropToLps`'s grid (default 0, 0, 0). */
  offset?: readonly number[];
  voxelMl: number;
  /** `surfaceLps(id)`: LPS centres of the seed's boundary voxels (flat xyz), those on the crop's first and last slice left out. */
  accept: (seeds: ComponentStats[], radiusMm: number, surfaceLps: (id: number) => number[]) => boolean;
  /** Slices of the crop (k) that are the image's first or last: a boundary there is the field's cut, not the bone's surface. */
  cutSlices?: readonly number[];
  /** Crop columns (i, j) whose voxels are left out of `surfaceLps` too (next to a field of view's edge). */
  cutColumn?: (i: number, j: number) => boolean;
};

/** The CT for the cortical-shell seeds: its voxels, grid dims, the crop's first voxel on it and the cortical threshold. */
export type SplitCortex = { voxels: VoxelArray; gridDims: readonly number[]; boxMin: readonly number[]; threshold: number };

/** Output arrays of a search given by the caller (e.g. on shared memory): zeroed, `vox` of the component's voxel count, `rowVox` and `owner` of its framed box. */
export type SplitBuffers = { vox: Int32Array; rowVox: Int32Array; owner: Uint16Array };

/** A split found: the radius, the number of pieces, and the owner / voxel arrays (see {@link searchSplit}). */
export type SplitFound = { radiusMm: number; count: number; owner: Uint16Array | Int32Array; vox: Int32Array; rowVox: Int32Array };

/**
 * The search of segmentBone's splitComponent: erodes component `comp` of `labels` (its inside
 * distance, squared, in `depth`) at increasing radii until it falls into >= 2 large pieces and
 * grows them back over the component; returns the pieces as an owner array on the component's
 * box with a one-voxel frame (1-based piece index, 0 elsewhere), the component's voxels
 * (`vox`, local indices, raster order) and the first of each local row (`rowVox`), or null when
 * it does not split. Reads `labels` (only where `runs` is null), `depth` and the CT; writes
 * nothing else than `buffers` (when given: the outputs, zeroed, sized for the component; the
 * pieces must then be fewer than 65,535). `comp.ijk` must be the component's box on the current labels.
 *
 * The component's voxels are read once, each put in a depth class (how many of the
 * erosion thresholds its squared depth exceeds), so each radius sets only the seeds
 * deeper than it: the same seeds as thresholding the component's depth over its box.
 */
export function searchSplit(
  labels: Int32Array,
  /** Squared inside depth (mm^2) of the filled bone over the whole crop. */
  depth: Float32Array,
  dims: Dims,
  spacing: readonly [number, number, number],
  comp: SplitComponent,
  minPieceVoxels: number,
  radiiMm: readonly number[],
  validate?: SplitValidate,
  /** Enables the cortical-shell seeds (radius -1 in `radiiMm`). */
  cortex?: SplitCortex,
  /** The runs of the first labelling when the component's id was never rewritten (its voxels are then read from them). */
  runs: SplitRuns | null = null,
  buffers?: SplitBuffers,
): SplitFound | null {
  const cb = comp.ijk;
  const bi0 = cb[0]!, bj0 = cb[1]!, bk0 = cb[2]!;
  const bn: Dims = [cb[3]! - bi0 + 3, cb[4]! - bj0 + 3, cb[5]! - bk0 + 3];
  const n = bn[0] * bn[1] * bn[2];
  // Depth thresholds, ascending: r^2 of each erosion radius and, for the cortical shells,
  // the one-voxel erosion (squared depth <= 0.99 spacing^2 is dropped).
  const useCortex = !!cortex && radiiMm.some((r) => r < 0);
  const cortexT = spacing[0] * spacing[0] * 0.99;
  const thr = [...new Set([...radiiMm.filter((r) => r >= 0).map((r) => r * r), ...(useCortex ? [cortexT] : [])])].sort((a, b) => a - b);
  const th = new Float64Array(thr);
  // The local box has a one-voxel background frame so the border erodes; the voxels' local
  // indices in raster order with their depth class (squared depth > thr[m] iff class > m),
  // and, for the cortical shells, the voxels at or above the cortical threshold.
  const nVox = comp.voxels;
  // Voxel p of the component (raster order): local index vox[p], depth class cls[p]
  // (squared depth > thr[m] iff cls[p] > m).
  const vox = buffers?.vox ?? new Int32Array(nVox);
  const cls = new Uint8Array(nVox);
  /** Index in `vox` of the first voxel of each local row (j + bn[1] * k). */
  const rowVox = buffers?.rowVox ?? new Int32Array(bn[1] * bn[2] + 1);
  const cortexVox: Int32Array | null = useCortex ? new Int32Array(nVox) : null;
  // The class of most depths from the top 16 bits of their float32 (depthClassTable; 255: a
  // threshold lies in that bucket, counted as above).
  const nCortex = listComponentVoxels(labels, depth, dims, comp, bn, runs, th, depthClassTable(th), vox, cls, rowVox, useCortex ? cortex! : null, cortexVox);
  let shell: Uint8Array | null = null;
  // The seeds of a radius are listed voxels (`vox`, raster order) whose entry in `seedClass` is
  // above `seedMin`; their runs are found straight from the list (the same runs as from a mask
  // of them: no box-sized mask written and read).
  let cortexSeed: Uint8Array | null = null;
  // Run arrays shared by the radii (a radius's runs are used before the next one's are found; the
  // winner's are the last): one pass per radius, no allocation.
  const runBuffers = { runStart: new Int32Array(nVox), runEnd: new Int32Array(nVox) };
  /** The seeds of the last erosion radius (class above `deepMin`), listed as `vox`, `cls` and `rowVox` are. */
  let deep: { index: Int32Array; cls: Uint8Array; rowIndex: Int32Array } | null = null;
  let deepMin = -1;
  for (const r of radiiMm) {
    let seedClass: Uint8Array = cls, seedMin: number;
    if (r < 0) {
      // Seeds from the cortical shells: voxels of the component at or above the cortical
      // threshold, hole-filled. A joint space bridged by partial volume at the trabecular
      // threshold is still darker than cortex, so the shells separate there.
      if (!useCortex) continue;
      shell ??= new Uint8Array(n);
      shell.fill(0);
      markListed(shell, cortexVox!, nCortex);
      fillHoles(shell, bn, 'sides');
      // Erode one voxel so that shells touching through a single voxel come apart (what
      // the hole filling added outside the component has no depth and goes too).
      cortexSeed ??= new Uint8Array(nVox);
      // The class above which the squared depth exceeds the cortical threshold.
      cortexSeedsOf(cortexSeed, cls, thr.indexOf(cortexT), shell, vox, nVox);
      seedClass = cortexSeed;
      seedMin = 0;
    } else seedMin = thr.indexOf(r * r);
    // Runs only: most radii do not split, and the label volume is needed only when one does. An
    // erosion radius at least as deep as the previous one lists its seeds from that one's (the
    // voxels above its class, kept by the previous call): the same voxels in the same order.
    let list: { index: Int32Array; cls: Uint8Array; rowIndex: Int32Array } = { index: vox, cls: seedClass, rowIndex: rowVox };
    let keep: typeof deep = null;
    if (r >= 0) {
      if (deep && seedMin >= deepMin) list = deep;
      keep = deep ??= { index: new Int32Array(nVox), cls: new Uint8Array(nVox), rowIndex: new Int32Array(rowVox.length) };
      deepMin = seedMin;
    }
    const cc = componentRunsOfRuns(maskRunsOfList(list.index, list.cls, seedMin, list.rowIndex, bn[0], bn[1] * bn[2], runBuffers, keep ?? undefined), bn);
    const big: number[] = [];
    for (let c = 1; c <= cc.count; c++) if (cc.sizes[c]! >= minPieceVoxels) big.push(c);
    if (big.length < 2) continue;
    if (validate) {
      const lm = new Float64Array(validate.cropToLps);
      const vo = validate.offset ?? [0, 0, 0];
      const o0 = transformPoint([0, 0, 0], validate.cropToLps, [vo[0]! + bi0 - 1, vo[1]! + bj0 - 1, vo[2]! + bk0 - 1]);
      lm[12] = o0[0];
      lm[13] = o0[1];
      lm[14] = o0[2];
      const seedStats = statsOfRuns(cc, lm, validate.voxelMl).filter((c) => big.includes(c.id));
      let seedLabels: Int32Array | null = null;
      const surfaceLps = (id: number): number[] =>
        seedSurfaceLps((seedLabels ??= writeComponentLabels(cc, bn)), bn, id, lm, validate.cutSlices ?? [], validate.cutColumn, bi0, bj0, bk0);
      if (!validate.accept(seedStats, r, surfaceLps)) continue;
    }
    return { radiusMm: r, count: big.length, owner: growBack(cc, big, vox, bn, nVox, buffers?.owner), vox, rowVox };
  }
  return null;
}

/**
 * searchSplit's listing of component `comp`'s voxels (raster order over its framed box `bn`): each
 * voxel's local index into `vox` and its depth class into `cls` (`table`: depthClassTable(th)), the
 * first of each local row into `rowVox`, and, with `cortex`, the voxels at or above its threshold
 * into `cortexVox`. Returns how many cortical voxels were listed. Module functions, not closures of
 * searchSplit, and every property read before the loops: their optimized code holds no search's
 * arrays and meets no property it has not seen, so it is kept from one search (and one
 * segmentation) to the next instead of being thrown away and compiled again.
 */
function listComponentVoxels(
  labels: Int32Array, depth: Float32Array, dims: Dims, comp: SplitComponent, bn: Dims, runs: SplitRuns | null,
  th: Float64Array, table: Uint8Array, vox: Int32Array, cls: Uint8Array, rowVox: Int32Array,
  cortex: SplitCortex | null, cortexVox: Int32Array | null,
): number {
  const cb = comp.ijk;
  const box = new Int32Array([cb[0]!, cb[1]!, cb[2]!, bn[0], bn[1], bn[2], dims[0], dims[1]]);
  const bits = new Uint32Array(depth.buffer, depth.byteOffset, depth.length);
  // The CT row of crop row (j, k) is ctBase + ctJ * j + ctK * k (unused without cortex).
  const ctGrid = new Int32Array(3);
  if (cortex) {
    const gi = cortex.gridDims[0]!, gj = cortex.gridDims[1]!;
    ctGrid[0] = cortex.boxMin[0]! + cb[0]! - 1 + gi * (cortex.boxMin[1]! + cb[1]! - 1 + gj * (cortex.boxMin[2]! + cb[2]! - 1));
    ctGrid[1] = gi;
    ctGrid[2] = gi * gj;
  }
  const ct = cortex ? cortex.voxels : null, ctT = cortex ? cortex.threshold : 0;
  const counts = runs
    ? listVoxelsOfRuns(runs.rowFirst, runs.runStart, runs.runEnd, runs.runId, comp.id, box, bits, depth, th, table, vox, cls, rowVox, ct, ctT, ctGrid, cortexVox)
    : listVoxelsOfLabels(labels, comp.id, box, bits, depth, th, table, vox, cls, rowVox, ct, ctT, ctGrid, cortexVox);
  if (counts[0] !== comp.voxels) throw new PlannerError('assert', `component ${comp.id} has ${counts[0]} voxels in its box, ${comp.voxels} expected`);
  return counts[1]!;
}

/** {@link listComponentVoxels} from the runs of the first labelling (the component's runs of each row, in i order). `box`: bi0, bj0, bk0, the framed box's dims, the crop's ni, nj. Returns [voxels, cortical voxels]. */
function listVoxelsOfRuns(
  rowFirst: Int32Array, runStart: Int32Array, runEnd: Int32Array, runId: Int32Array, id: number, box: Int32Array,
  bits: Uint32Array, depth: Float32Array, th: Float64Array, table: Uint8Array, vox: Int32Array, cls: Uint8Array, rowVox: Int32Array,
  ct: VoxelArray | null, ctT: number, ctGrid: Int32Array, cortexVox: Int32Array | null,
): [number, number] {
  const bi0 = box[0]!, bj0 = box[1]!, bk0 = box[2]!, b0 = box[3]!, b1 = box[4]!, b2 = box[5]!, ni = box[6]!, nj = box[7]!;
  const ctBase = ctGrid[0]!, ctJ = ctGrid[1]!, ctK = ctGrid[2]!;
  let p = 0, nCortex = 0;
  for (let k = 0; k < b2; k++) for (let j = 0; j < b1; j++) {
    rowVox[j + b1 * k] = p;
    if (k === 0 || j === 0 || k === b2 - 1 || j === b1 - 1) continue; // the background frame
    const cropRow = bj0 - 1 + j + nj * (bk0 - 1 + k);
    const src = bi0 - 1 + ni * cropRow;
    const dst = b0 * (j + b1 * k);
    const ctRow = ctBase + ctJ * j + ctK * k;
    for (let r = rowFirst[cropRow]!; r < rowFirst[cropRow + 1]!; r++) {
      if (runId[r] !== id) continue;
      const a = runStart[r]! - bi0 + 1, e = runEnd[r]! - bi0 + 1;
      p = gatherDepthClasses(table, bits, depth, th, vox, cls, p, src, dst, a, e);
      if (ct) nCortex = gatherCortex(ct, ctT, cortexVox!, nCortex, dst, ctRow, a, e);
    }
  }
  rowVox[b1 * b2] = p;
  return [p, nCortex];
}

/** {@link listComponentVoxels} from the labels (the row's stretches of the component's id, in i order); as {@link listVoxelsOfRuns}. */
function listVoxelsOfLabels(
  labels: Int32Array, id: number, box: Int32Array,
  bits: Uint32Array, depth: Float32Array, th: Float64Array, table: Uint8Array, vox: Int32Array, cls: Uint8Array, rowVox: Int32Array,
  ct: VoxelArray | null, ctT: number, ctGrid: Int32Array, cortexVox: Int32Array | null,
): [number, number] {
  const bi0 = box[0]!, bj0 = box[1]!, bk0 = box[2]!, b0 = box[3]!, b1 = box[4]!, b2 = box[5]!, ni = box[6]!, nj = box[7]!;
  const ctBase = ctGrid[0]!, ctJ = ctGrid[1]!, ctK = ctGrid[2]!;
  let p = 0, nCortex = 0;
  for (let k = 0; k < b2; k++) for (let j = 0; j < b1; j++) {
    rowVox[j + b1 * k] = p;
    if (k === 0 || j === 0 || k === b2 - 1 || j === b1 - 1) continue; // the background frame
    const cropRow = bj0 - 1 + j + nj * (bk0 - 1 + k);
    const src = bi0 - 1 + ni * cropRow;
    const dst = b0 * (j + b1 * k);
    const ctRow = ctBase + ctJ * j + ctK * k;
    for (let i = 1; i < b0 - 1; i++) {
      if (labels[src + i] !== id) continue;
      let e = i + 1;
      while (e < b0 - 1 && labels[src + e] === id) e++;
      p = gatherDepthClasses(table, bits, depth, th, vox, cls, p, src, dst, i, e);
      if (ct) nCortex = gatherCortex(ct, ctT, cortexVox!, nCortex, dst, ctRow, i, e);
      i = e;
    }
  }
  rowVox[b1 * b2] = p;
  return [p, nCortex];
}

/**
 * Voxels [a, e) of a row of the component (crop index src + i, local dst + i) listed from position
 * `p` of `vox` / `cls` with their depth class, counted without branches (th ascending: the number of
 * thresholds below the squared depth is the first index whose threshold it does not exceed; most
 * from `table`, 255 there: counted). Returns the next position.
 */
function gatherDepthClasses(table: Uint8Array, bits: Uint32Array, depth: Float32Array, th: Float64Array, vox: Int32Array, cls: Uint8Array, p: number, src: number, dst: number, a: number, e: number): number {
  const nT = th.length;
  let q = p;
  for (let i = a; i < e; i++, q++) {
    let c = table[bits[src + i]! >>> 16]!;
    if (c === 255) {
      const d = depth[src + i]!;
      c = 0;
      for (let m = 0; m < nT; m++) c += +(d > th[m]!);
    }
    vox[q] = dst + i;
    cls[q] = c;
  }
  return q;
}

/** The voxels [a, e) of the row (local dst + i, CT ctRow + i) at or above `threshold`, listed from position `w` of `out`; returns the next position. */
function gatherCortex(ct: VoxelArray, threshold: number, out: Int32Array, w: number, dst: number, ctRow: number, a: number, e: number): number {
  for (let i = a; i < e; i++) {
    out[w] = dst + i;
    w += +(ct[ctRow + i]! >= threshold);
  }
  return w;
}

/** Sets `mask` to 1 at the first `count` indices of `list`. */
function markListed(mask: Uint8Array, list: Int32Array, count: number): void {
  for (let q = 0; q < count; q++) mask[list[q]!] = 1;
}

/** The cortical-shell seeds: voxel p of the list (local index vox[p]) is one when its class is above `m` and `shell` is set there. */
function cortexSeedsOf(out: Uint8Array, cls: Uint8Array, m: number, shell: Uint8Array, vox: Int32Array, nVox: number): void {
  for (let p = 0; p < nVox; p++) out[p] = +(cls[p]! > m) & shell[vox[p]!]!;
}

/**
 * LPS centres (flat xyz, `lm`: the framed box's ijk to LPS) of the boundary voxels of seed `id` in
 * `labelsOf` (the seed labelling on the framed box `bn`), leaving out the crop slices `cutSlices`
 * and the crop columns `cutColumn` (the box's first voxel is crop bi0 - 1, bj0 - 1, bk0 - 1).
 */
function seedSurfaceLps(labelsOf: Int32Array, bn: Dims, id: number, lm: Float64Array, cut: readonly number[], cutColumn: ((i: number, j: number) => boolean) | undefined, bi0: number, bj0: number, bk0: number): number[] {
  const out: number[] = [];
  const p: Vec3 = [0, 0, 0];
  for (let k = 1; k < bn[2] - 1; k++) {
    if (cut.includes(bk0 - 1 + k)) continue;
    for (let j = 1; j < bn[1] - 1; j++) for (let i = 1; i < bn[0] - 1; i++) {
      const t = i + bn[0] * (j + bn[1] * k);
      if (labelsOf[t] !== id || cutColumn?.(bi0 - 1 + i, bj0 - 1 + j)) continue;
      const sxy = bn[0] * bn[1];
      if (labelsOf[t - 1] === id && labelsOf[t + 1] === id && labelsOf[t - bn[0]] === id && labelsOf[t + bn[0]] === id && labelsOf[t - sxy] === id && labelsOf[t + sxy] === id) continue;
      transformPoint(p, lm, [i, j, k]);
      out.push(p[0], p[1], p[2]);
    }
  }
  return out;
}

/**
 * Grows the big seed components `big` of `cc` back over the component (its voxels `vox`, local
 * indices on the local box `bn`): multi-source BFS (geodesic nearest piece), seeded in raster
 * order (the runs are in raster order). Returns the owner (1-based index in `big`, 0: unreached
 * or not in the component) per voxel of the box. The BFS tests one array: "a component voxel
 * not reached yet" is the mark `open` there. `into`: the owner array to use (zeroed, the box's size).
 */
function growBack(cc: ComponentRuns, big: readonly number[], vox: Int32Array, bn: Dims, voxels: number, into?: Uint16Array): Uint16Array | Int32Array {
  const n = bn[0] * bn[1] * bn[2];
  // Two bytes per voxel unless there are 65,535 pieces or more. The component's voxels are marked
  // `open` (no piece's index) in the zeroed array (only their pages are written), and those the
  // BFS does not reach go back to 0 at the end.
  const wide = big.length >= 0xffff;
  if (wide && into) throw new PlannerError('assert', `${big.length} pieces do not fit the two-byte owner array given`);
  const owner = wide ? new Int32Array(n) : (into ?? new Uint16Array(n));
  const open = wide ? -1 : 0xffff;
  markOpen(owner, vox, voxels, open);
  // Every voxel enters the queue at most once, and only the component's `voxels` do.
  const queue = new Int32Array(voxels);
  const pieceOf = new Int32Array(cc.count + 1);
  big.forEach((c, idx) => (pieceOf[c] = idx + 1));
  const tail = seedPieces(owner, queue, cc.rowFirst, cc.runStart, cc.runEnd, cc.runId, pieceOf, bn[0], bn[1] * bn[2]);
  const reached = growFromQueue(owner, queue, tail, open, bn[0], bn[0] * bn[1]);
  if (reached < voxels) unmarkOpen(owner, vox, voxels, open);
  return owner;
}

/**
 * growBack's seeds: each run of a big piece (`pieceOf` its run's component: 1-based index, 0 for
 * the others) written into `owner` and queued in raster order. Returns the queue's length.
 */
function seedPieces(owner: Uint16Array | Int32Array, queue: Int32Array, rowFirst: Int32Array, runStart: Int32Array, runEnd: Int32Array, runId: Int32Array, pieceOf: Int32Array, rowLength: number, rows: number): number {
  let tail = 0;
  for (let row = 0; row < rows; row++) {
    for (let r = rowFirst[row]!; r < rowFirst[row + 1]!; r++) {
      const w = pieceOf[runId[r]!]!;
      if (w === 0) continue;
      const s = row * rowLength + runStart[r]!, e = row * rowLength + runEnd[r]!;
      owner.fill(w, s, e);
      for (let t = s; t < e; t++) queue[tail++] = t;
    }
  }
  return tail;
}

/**
 * growBack's BFS: from the first `tail` queued voxels, each `open` 6-neighbour takes the owner of
 * the voxel it was reached from and is queued (steps sy, sz: the box's row and slice). Returns the
 * final queue length (the voxels reached, seeds included).
 */
function growFromQueue(owner: Uint16Array | Int32Array, queue: Int32Array, tail: number, open: number, sy: number, sz: number): number {
  let head = 0;
  while (head < tail) {
    const t = queue[head++]!;
    const w = owner[t]!;
    // The local box has a frame of background: every neighbour of a component voxel is in it.
    let q = t + 1;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
    q = t - 1;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
    q = t + sy;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
    q = t - sy;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
    q = t + sz;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
    q = t - sz;
    if (owner[q] === open) { owner[q] = w; queue[tail++] = q; }
  }
  return tail;
}

/** growBack's start: the listed voxels (`vox`, first `count`) marked `open` in `owner`. */
function markOpen(owner: Uint16Array | Int32Array, vox: Int32Array, count: number, open: number): void {
  for (let p = 0; p < count; p++) owner[vox[p]!] = open;
}

/** The listed voxels (`vox`, first `count`) still `open` in `owner` back to 0. */
function unmarkOpen(owner: Uint16Array | Int32Array, vox: Int32Array, count: number, open: number): void {
  for (let p = 0; p < count; p++) if (owner[vox[p]!] === open) owner[vox[p]!] = 0;
}

/** Sums of the pieces a split wrote (crop ijk), indexed by label id: voxel counts, ijk sums at 3 * id, inclusive boxes at 6 * id. */
export type PieceSums = { n: Float64Array; sums: Float64Array; boxes: Int32Array };

/**
 * Writes the grown pieces (`owner` on the local box `bn`, whose first voxel is crop
 * (oi, oj, ok)) into `labels` as ids `firstId + owner - 1`; returns their counts, ijk sums
 * and boxes (integers: the same figures as a scan of the box in any order). The component's
 * voxels of a row (`vox` from `rowVox[row]`, raster order) are taken in stretches of consecutive
 * voxels with one owner: one fill and one update of the sums and box per stretch (the sums are
 * of integers below 2^53, exact in any grouping).
 */
export function writePieces(labels: Int32Array, dims: Dims, owner: Uint16Array | Int32Array, bn: Dims, vox: Int32Array, rowVox: Int32Array, oi: number, oj: number, ok: number, firstId: number, count: number): PieceSums {
  const [ni, nj] = dims;
  const last = firstId + count - 1;
  const n = new Float64Array(last + 1);
  const sums = new Float64Array(3 * (last + 1));
  const boxes = new Int32Array(6 * (last + 1));
  for (let c = firstId; c <= last; c++) {
    boxes[6 * c] = boxes[6 * c + 1] = boxes[6 * c + 2] = 0x7fffffff;
    boxes[6 * c + 3] = boxes[6 * c + 4] = boxes[6 * c + 5] = -1;
  }
  for (let k = 1; k < bn[2] - 1; k++) for (let j = 1; j < bn[1] - 1; j++) {
    const dst = oi + ni * (oj + j + nj * (ok + k));
    const src = bn[0] * (j + bn[1] * k);
    const cj = oj + j, ck = ok + k;
    // The component's voxels of this row (the owner is 0 elsewhere), in stretches.
    const e = rowVox[j + bn[1] * k + 1]!;
    let p = rowVox[j + bn[1] * k]!;
    while (p < e) {
      const t0 = vox[p]!, w = owner[t0]!;
      let q = p + 1;
      while (q < e && vox[q] === t0 + (q - p) && owner[t0 + (q - p)] === w) q++;
      const len = q - p;
      p = q;
      if (w === 0) continue;
      const c = firstId + w - 1;
      const i0 = t0 - src, ci0 = oi + i0, ci1 = ci0 + len - 1;
      if (len < 16) for (let t = dst + i0, te = t + len; t < te; t++) labels[t] = c;
      else labels.fill(c, dst + i0, dst + i0 + len);
      n[c]! += len;
      sums[3 * c]! += ((ci0 + ci1) * len) / 2;
      sums[3 * c + 1]! += cj * len;
      sums[3 * c + 2]! += ck * len;
      const o = 6 * c;
      if (ci0 < boxes[o]!) boxes[o] = ci0;
      if (ci1 > boxes[o + 3]!) boxes[o + 3] = ci1;
      if (cj < boxes[o + 1]!) boxes[o + 1] = cj;
      if (cj > boxes[o + 4]!) boxes[o + 4] = cj;
      if (ck < boxes[o + 2]!) boxes[o + 2] = ck;
      if (ck > boxes[o + 5]!) boxes[o + 5] = ck;
    }
  }
  return { n, sums, boxes };
}

/** The constants of segmentBone's hip split rule: the pelvis's midline (LPS x), the image's lowest z, the voxel spacing along z and the largest spacing (mm). */
export type HipSplitRule = { midlineX: number; imageLowZ: number; spacingZMm: number; voxelMm: number };

/**
 * segmentBone's femur test: `c` lies below hip component `h`'s centroid, reaches into its height
 * (with `slackMm`), at least as low as its bottom + 15 mm, lateral to its centroid (10 mm slack)
 * and, with `volumeRule`, holds at least 8 % of its volume.
 */
export function isFemurOfStats(c: ComponentStats, h: ComponentStats, slackMm: number, midlineX: number, volumeRule = true): boolean {
  return c !== h &&
    c.centroidLps[2] < h.centroidLps[2] &&
    c.maxLps[2] > h.minLps[2] - slackMm &&
    c.minLps[2] < h.minLps[2] + 15 + slackMm &&
    Math.abs(c.centroidLps[0] - midlineX) > Math.abs(h.centroidLps[0] - midlineX) - 10 &&
    (!volumeRule || c.volumeMl >= 0.08 * h.volumeMl);
}

/**
 * segmentBone's acceptance of a hip component's split at erosion radius `r` (seeds: the large
 * seed components): accepted when a seed below the top piece looks like a femur (the top piece,
 * the hip bone, the larger; the femur reaching as low as anything), or when one is a femoral-head
 * cap cut by the field's lowest slice (segmentBoneCap.ts: spherical above the cut); that cap's
 * centroid is returned with it.
 */
export function acceptHipSplit(rule: HipSplitRule, seeds: ComponentStats[], r: number, surfaceLps: (id: number) => number[]): { accepted: boolean; capCentroidLps: Vec3 | null } {
  const top = seeds.reduce((a, b) => (b.maxLps[2] > a.maxLps[2] ? b : a));
  const lowestZ = Math.min(...seeds.map((c) => c.minLps[2]));
  const slack = Math.max(r, 1) + 2;
  // The hip bone (the top piece) is the larger part; a fracture fragment split off a hip bone
  // leaves a small top piece. The femur reaches as low as anything in the component (its shaft,
  // or its head when the field ends at the hip joint): a thick lump eroded out of the ilium
  // (3 mm voxels, erosion past the thin wing) does not.
  if (seeds.some((c) => isFemurOfStats(c, top, slack, rule.midlineX) && top.volumeMl >= 0.8 * c.volumeMl && c.minLps[2] <= lowestZ + Math.max(r, 1) + 2 * rule.spacingZMm)) return { accepted: true, capCentroidLps: null };
  // A field that ends at the hip joint (CBCT) holds only the top of the femoral head: too small
  // for the femur's volume rule, but cut by the field's last slice and spherical above the cut.
  const isFieldCutHead = (c: ComponentStats, surface: number[]) =>
    c.minLps[2] <= rule.imageLowZ + 0.5 * rule.spacingZMm + 1e-6 && isFieldCutHeadSphere(c.maxLps[2], surface, rule.voxelMm);
  const cap = seeds.find((c) => c !== top && isFemurOfStats(c, top, slack, rule.midlineX, false) && isFieldCutHead(c, surfaceLps(c.id)));
  return { accepted: !!cap, capCentroidLps: cap ? cap.centroidLps : null };
}

/**
 * Independent split searches ({@link searchSplit}), one per slab: segmentBone runs the splits it
 * is about to try (the sacrum's, each hip's) at once on this thread and the EDT helper, each into
 * its own output arrays, and writes the pieces in its own order afterwards. Every array but the
 * jobs' small boxes and matrices on shared memory. `result` of a job: [found (0 / 1), radius mm,
 * pieces, cap found (0 / 1), cap centroid LPS x, y, z].
 */
export type SplitTask = {
  kind: 'split';
  labels: Int32Array;
  depth: Float32Array;
  dims: [number, number, number];
  spacingMm: [number, number, number];
  /** The first labelling's runs (every job's component is one of its components, never rewritten). */
  runs: SplitRuns;
  /** The CT and the crop's first voxel on it (the cortical-shell seeds). */
  ct: { voxels: VoxelArray; gridDims: [number, number, number]; boxMin: [number, number, number] };
  jobs: SplitJob[];
};

export type SplitJob = {
  comp: { id: number; voxels: number; ijk: Int32Array };
  minPieceVoxels: number;
  radiiMm: number[];
  /** The hip split's rule (with the crop's matrix and the slices cut by the field), else no validation. */
  hip?: { rule: HipSplitRule; cropToLps: Float64Array; offset: [number, number, number]; voxelMl: number; cutSlices: number[] };
  /** Cortical threshold (grey) of the cortical-shell seeds. */
  cortexThreshold?: number;
  /** `result`: a Float64Array on a SharedArrayBuffer (7 entries). */
  out: SplitBuffers & { result: Float64Array };
};

/** Runs job `s` of `task` (see {@link SplitTask}). */
export function runSplitSlab(task: SplitTask, s: number): void {
  const job = task.jobs[s]!;
  let cap: Vec3 | null = null;
  const hip = job.hip;
  const validate: SplitValidate | undefined = hip
    ? {
        cropToLps: hip.cropToLps,
        offset: hip.offset,
        voxelMl: hip.voxelMl,
        cutSlices: hip.cutSlices,
        accept: (seeds, r, surfaceLps) => {
          const a = acceptHipSplit(hip.rule, seeds, r, surfaceLps);
          if (a.accepted) cap = a.capCentroidLps;
          return a.accepted;
        },
      }
    : undefined;
  const cortex = job.cortexThreshold !== undefined ? { voxels: task.ct.voxels, gridDims: task.ct.gridDims, boxMin: task.ct.boxMin, threshold: job.cortexThreshold } : undefined;
  const found = searchSplit(task.labels, task.depth, task.dims, task.spacingMm, job.comp, job.minPieceVoxels, job.radiiMm, validate, cortex, task.runs, job.out);
  const res = job.out.result;
  res.fill(0);
  if (!found) return;
  res[0] = 1;
  res[1] = found.radiusMm;
  res[2] = found.count;
  const c = cap as Vec3 | null;
  if (c) {
    res[3] = 1;
    res[4] = c[0];
    res[5] = c[1];
    res[6] = c[2];
  }
}
