import { EDT_FAR, createEdtScratch, edtPassSlab, edtSlabCount, setEdtExecutor } from '../fields/distanceTransform';
import type { VoxelArray } from '../volume/voxelBuffer';
import { allocVoxels, isShared } from '../volume/voxelBuffer';
import type { ComponentRuns } from './connectedComponents';
import { maskRuns } from './connectedComponents';
import { isFieldCutHeadSphere, surfaceOfRunComponent } from './segmentBoneCap';
import { fillHoles, type OutsideFaces } from './morphology';
import { countPerValue, histogramOfPerValue, perValueRange, type Histogram } from './thresholds';
import { runSplitSlab, type SplitTask } from './segmentBoneSplit';

/**
 * segmentBone's slab-parallel steps (issue #4: on the app's path the EDT helper thread is
 * idle during most of segmentBone). Each task splits into independent slabs (one k slice of
 * its grid each) that write disjoint outputs; parallelEdt.ts hands the slabs out between this
 * thread and the helper (BoneSlabJob, the same chunk counter and fallback as a pass's: a helper
 * that never answers means this thread runs every slab). Whoever runs a slab, the same code
 * writes the same bytes, so the output is the same bit for bit as one thread.
 *
 * - `thresholdBox`: the bounding box of the voxels >= threshold, per slice (merged here);
 * - `thresholdCrop`: `(ct >= threshold)` on the crop box into a dense mask;
 * - `dilate6`: the one-voxel 6-neighbour dilation (morphology.ts dilate6) of a mask, per output slice;
 * - `fillHoles`: morphology.ts fillHoles of independent masks, one per slab (the closing's and the mask's);
 * - `capTest`: is a component's surface a femoral head cut by the field (segmentBoneCap.ts), one component per slab;
 * - `fillRuns`: the runs of a labelling written into a grid (their ids: the label crop; a constant; the depth's first EDT pass), per slice;
 * - `addCavities`: segmentBone's addCavities per slice, in its two phases (each over the whole grid before the next);
 * - `histogram`: the bone thresholds' per-value counts (thresholds.ts countPerValue), one count array per chunk of sampled slices;
 * - `writeLabels`: segmentBone's final write of the part labels from the label crop onto the CT grid, per crop slice, with counts per label value per chunk;
 * - `split`: independent component split searches (segmentBoneSplit.ts SplitTask), one per slab.
 * Structured-cloneable (every array on shared memory when posted).
 */
export type BoneSlabTask = ThresholdBoxTask | ThresholdCropTask | Dilate6Task | FillHolesTask | CapTestTask | FillRunsTask | AddCavitiesTask | HistogramTask | WriteLabelsTask | SplitTask;

/**
 * Per slice k of the grid: `out[4 * k ..]` = [i0, j0, i1, j1] (inclusive), a box of voxels >= threshold of
 * the slices run with it that holds the slice's own (i1 = -1 when the slice has none): merged, the box of all.
 */
export type ThresholdBoxTask = {
  kind: 'thresholdBox';
  voxels: VoxelArray;
  dims: [number, number, number];
  threshold: number;
  out: Int32Array;
};

/** Slice k of the crop `box` (grid ijk, max exclusive) of `voxels >= threshold` into `out` (dense, the crop's dims). */
export type ThresholdCropTask = {
  kind: 'thresholdCrop';
  voxels: VoxelArray;
  gridDims: [number, number];
  box: { min: [number, number, number]; max: [number, number, number] };
  threshold: number;
  out: Uint8Array;
};

/** Slice k of `out` = the 6-neighbour dilation of `mask` (0 / 1), from the runs of mask slices k - 1 .. k + 1. */
export type Dilate6Task = {
  kind: 'dilate6';
  mask: Uint8Array;
  dims: [number, number, number];
  out: Uint8Array;
};

/** morphology.ts fillHoles of `masks[s]` (in place) for slab s; with `from`, `masks[s]` is first set to a copy of `from[s]` (by the thread that fills it). */
export type FillHolesTask = {
  kind: 'fillHoles';
  masks: Uint8Array[];
  dims: [number, number, number];
  faces: OutsideFaces;
  from?: Uint8Array[];
};

/** The runs of one component of a run labelling (all rows of the grid; only this component's runs), for a {@link CapTestTask}. */
export type OneComponentRuns = { rowFirst: Int32Array; runStart: Int32Array; runEnd: Int32Array; runId: Int32Array };

/**
 * segmentBoneCap.ts's test of step 1 for component `comps[s]` (slab s): surfaceOfRunComponent with
 * the crop's cut slices (no field-of-view columns: a CBCT's cut field runs in this thread), then
 * isFieldCutHeadSphere; `out[s]` = 1 when the component is such a cap.
 */
export type CapTestTask = {
  kind: 'capTest';
  comps: (OneComponentRuns & { id: number; ijk: Int32Array; maxLpsZ: number })[];
  dims: [number, number, number];
  cropToLps: Float64Array;
  cutSlices: number[];
  voxelMm: number;
  out: Uint8Array;
};

/** The runs of component `id` of `runs` (its box `ijk` holds them), copied out for a {@link CapTestTask}. */
export function componentRunsOf(runs: ComponentRuns, id: number, ijk: ArrayLike<number>, dims: readonly [number, number, number]): OneComponentRuns {
  const nj = dims[1], nRows = dims[1] * dims[2];
  const rowFirst = new Int32Array(nRows + 1);
  let count = 0;
  for (let k = ijk[2]!; k <= ijk[5]!; k++) for (let j = ijk[1]!; j <= ijk[4]!; j++) {
    const row = j + nj * k;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) if (runs.runId[r] === id) count++;
  }
  const runStart = new Int32Array(count), runEnd = new Int32Array(count), runId = new Int32Array(count).fill(id);
  let q = 0;
  for (let row = 0; row < nRows; row++) {
    rowFirst[row] = q;
    const k = Math.floor(row / nj), j = row - k * nj;
    if (k < ijk[2]! || k > ijk[5]! || j < ijk[1]! || j > ijk[4]!) continue;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
      if (runs.runId[r] !== id) continue;
      runStart[q] = runs.runStart[r]!;
      runEnd[q] = runs.runEnd[r]!;
      q++;
    }
  }
  rowFirst[nRows] = q;
  return { rowFirst, runStart, runEnd, runId };
}

/** The runs of a labelling on shared memory (connectedComponents.ts ComponentRuns' arrays, copied). */
export type SharedRuns = { rowFirst: Int32Array; runStart: Int32Array; runEnd: Int32Array; runId: Int32Array };

/** Copies the run arrays of `runs` onto shared memory (a few bytes per run). */
export function shareRuns(runs: ComponentRuns): SharedRuns {
  const copy = (a: Int32Array, n: number): Int32Array => {
    const s = allocVoxels(Int32Array, n, { shared: true });
    s.set(a.subarray(0, n));
    return s;
  };
  return { rowFirst: copy(runs.rowFirst, runs.rowFirst.length), runStart: copy(runs.runStart, runs.runCount), runEnd: copy(runs.runEnd, runs.runCount), runId: copy(runs.runId, runs.runCount) };
}

/**
 * Slice k (rows nj * k .. nj * (k + 1)) of `out` (rows of `ni`): the voxels of each run set to its
 * id (connectedComponents.ts writeComponentLabels, `out` zeroed) or to `value` when given, or,
 * with `firstPassH` (`out` a zeroed Float32 grid), to the first pass along i of the squared
 * distance to the voxels outside the runs ({@link depthFirstPassOfRuns}).
 */
export type FillRunsTask = {
  kind: 'fillRuns';
  runs: SharedRuns;
  ni: number;
  nj: number;
  out: Int32Array | Float32Array;
  value?: number;
  /** Voxel spacing along i (mm): write the depth's first EDT pass instead of ids or `value`. */
  firstPassH?: number;
};

/**
 * segmentBone.ts addCavities of slices [k0, k1), in two phases run one after the other over every
 * slice: 0, the closing's cavities (`holes` becomes holes & ~closed, `filled` |= it); 1, the
 * closing's own voxels (closed, not in `mask`) next to a cavity voxel set in `filled` (reads
 * `holes` of the slices k +- 1, written by phase 0). Phase 1 writes `filled` only and reads none
 * of it, so the slices are independent within a phase. The same bit operations per byte as
 * addCavities (four at a time where all four arrays start on a word), so the same bytes.
 */
export type AddCavitiesTask = {
  kind: 'addCavities';
  phase: 0 | 1;
  filled: Uint8Array;
  mask: Uint8Array;
  closed: Uint8Array;
  holes: Uint8Array;
  dims: [number, number, number];
};

function addCavitiesSlices(task: AddCavitiesTask, k0: number, k1: number): void {
  const filled = task.filled, mask = task.mask, closed = task.closed, holes = task.holes;
  const ni = task.dims[0], nj = task.dims[1], nk = task.dims[2];
  const nij = ni * nj;
  const t0 = k0 * nij, t1 = k1 * nij;
  const aligned = filled.byteOffset % 4 === 0 && mask.byteOffset % 4 === 0 && closed.byteOffset % 4 === 0 && holes.byteOffset % 4 === 0;
  // Whole words inside [t0, t1) (none when an array is not word-aligned), bytes at both ends.
  const w0 = aligned ? Math.ceil(t0 / 4) : 0, w1 = aligned ? Math.max(w0, Math.floor(t1 / 4)) : 0;
  const b0 = aligned ? Math.min(t1, 4 * w0) : t1, b1 = aligned ? Math.max(b0, 4 * w1) : t1;
  // Each loop is a module function with plain arguments: one function holding them all was
  // compiled (OSR) inside its first loop, then deoptimized on every call at a later loop that had
  // no type feedback yet (58 deopts in the cold call).
  if (task.phase === 0) {
    cavitiesBytes(filled, closed, holes, t0, b0);
    cavitiesWords(wordsOf(filled, w0, w1), wordsOf(closed, w0, w1), wordsOf(holes, w0, w1));
    cavitiesBytes(filled, closed, holes, b1, t1);
    return;
  }
  touchesBytes(filled, mask, closed, holes, ni, nj, nk, t0, b0);
  touchesWords(filled, mask, closed, holes, ni, nj, nk, wordsOf(mask, w0, w1), wordsOf(closed, w0, w1), w0);
  touchesBytes(filled, mask, closed, holes, ni, nj, nk, b1, t1);
}

/** Words [w0, w1) of `a` (an empty array when none). */
function wordsOf(a: Uint8Array, w0: number, w1: number): Uint32Array {
  return w1 > w0 ? new Uint32Array(a.buffer, a.byteOffset + 4 * w0, w1 - w0) : new Uint32Array(0);
}

/** addCavities' phase 0 on bytes [t0, t1): holes &= ~closed, filled |= holes. */
function cavitiesBytes(filled: Uint8Array, closed: Uint8Array, holes: Uint8Array, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) {
    holes[t] = holes[t]! & ~closed[t]!;
    filled[t] = filled[t]! | holes[t]!;
  }
}

/** addCavities' phase 0 on whole words (the same bit operations, four bytes at a time). */
function cavitiesWords(f4: Uint32Array, c4: Uint32Array, h4: Uint32Array): void {
  for (let w = 0; w < h4.length; w++) {
    const h = h4[w]! & ~c4[w]!;
    h4[w] = h;
    f4[w] = f4[w]! | h;
  }
}

/** addCavities' phase 1 on voxel t: a closing voxel not in the mask next (6) to a cavity voxel is set in `filled`. */
function touchesVoxel(filled: Uint8Array, mask: Uint8Array, closed: Uint8Array, holes: Uint8Array, ni: number, nj: number, nk: number, t: number): void {
  if (mask[t] || !closed[t]) return;
  const nij = ni * nj;
  const k = Math.floor(t / nij), j = Math.floor((t - k * nij) / ni), i = t - k * nij - j * ni;
  if (
    (i > 0 && holes[t - 1]) || (i < ni - 1 && holes[t + 1]) ||
    (j > 0 && holes[t - ni]) || (j < nj - 1 && holes[t + ni]) ||
    (k > 0 && holes[t - nij]) || (k < nk - 1 && holes[t + nij])
  )
    filled[t] = 1;
}

/** Phase 1 on bytes [t0, t1). */
function touchesBytes(filled: Uint8Array, mask: Uint8Array, closed: Uint8Array, holes: Uint8Array, ni: number, nj: number, nk: number, t0: number, t1: number): void {
  for (let t = t0; t < t1; t++) touchesVoxel(filled, mask, closed, holes, ni, nj, nk, t);
}

/** Phase 1 on the bytes of words w0 + [0, m4.length) (`m4`, `c4`: those words of mask and closed). */
function touchesWords(filled: Uint8Array, mask: Uint8Array, closed: Uint8Array, holes: Uint8Array, ni: number, nj: number, nk: number, m4: Uint32Array, c4: Uint32Array, w0: number): void {
  for (let w = 0; w < c4.length; w++) {
    // A word with no byte closed and not in the mask has no voxel touchesVoxel would look at.
    if ((c4[w]! & ~m4[w]!) === 0) continue;
    for (let t = 4 * (w0 + w); t < 4 * (w0 + w) + 4; t++) touchesVoxel(filled, mask, closed, holes, ni, nj, nk, t);
  }
}

/**
 * computeBoneThresholds' histogram samples (every `stride`-th voxel along each axis of the whole
 * grid) of sampled slices [s0, s1) (slice s * stride) counted per grey value into `out`'s count
 * array of the chunk (s0 / chunkSlabs; `out` holds one of perValueRange entries per chunk, zeroed):
 * summed over the chunks, the counts of one pass (integers).
 */
export type HistogramTask = {
  kind: 'histogram';
  voxels: Int16Array | Uint16Array | Uint8Array;
  dims: [number, number, number];
  stride: number;
  chunkSlabs: number;
  /** Zeroed, on shared memory; read as unsigned counts. */
  out: Int32Array;
};

/**
 * segmentBone.ts writeRunLabelsToGrid of crop slices [s0, s1): for each voxel of `runs` (rows of
 * `ni`, `nj` rows per slice), `lut[labels[t]]` written into `out` (the CT grid, `gridDims` its
 * first two dims) at the crop's place `boxMin` where not 0, and counted per label value into
 * `counts`' 256 entries of the chunk (s0 / chunkSlabs; zeroed, shared): summed over the chunks,
 * the counts of one pass (integers).
 */
export type WriteLabelsTask = {
  kind: 'writeLabels';
  runs: SharedRuns;
  labels: Int32Array;
  lut: Uint8Array;
  ni: number;
  nj: number;
  boxMin: [number, number, number];
  gridDims: [number, number];
  out: Uint8Array;
  chunkSlabs: number;
  counts: Int32Array;
};

function writeLabelsSlices(task: WriteLabelsTask, s0: number, s1: number): void {
  const { runs, labels, lut, ni, nj, boxMin, out, counts } = task;
  const [gi, gj] = task.gridDims;
  const c0 = 256 * Math.floor(s0 / task.chunkSlabs);
  for (let k = s0; k < s1; k++) for (let j = 0; j < nj; j++) {
    const row = j + nj * k;
    const r0 = runs.rowFirst[row]!, r1 = runs.rowFirst[row + 1]!;
    if (r0 === r1) continue;
    const q0 = boxMin[0] + gi * (boxMin[1] + j + gj * (boxMin[2] + k));
    for (let r = r0; r < r1; r++) {
      for (let i = runs.runStart[r]!, e = runs.runEnd[r]!; i < e; i++) {
        const label = lut[labels[row * ni + i]!]!;
        if (label !== 0) {
          out[q0 + i] = label;
          counts[c0 + label]!++;
        }
      }
    }
  }
}

/**
 * segmentBone.ts writeRunLabelsToGrid (the same bytes and counts) slice by slice on this thread and
 * the EDT helper: every array on shared memory (`lut` is copied onto it here).
 */
export function sharedWriteRunLabels(labels: Int32Array, lut: Uint8Array, runs: SharedRuns, dims: readonly [number, number, number], boxMin: readonly number[], gridDims: readonly number[], out: Uint8Array): Float64Array {
  const nk = dims[2];
  const chunkSlabs = Math.max(1, Math.ceil(nk / 16));
  const chunks = Math.ceil(nk / chunkSlabs);
  const lutShared = allocVoxels(Uint8Array, lut.length, { shared: true });
  lutShared.set(lut);
  const counts = allocVoxels(Int32Array, 256 * chunks, { shared: true });
  runBoneSlabs({ kind: 'writeLabels', runs, labels, lut: lutShared, ni: dims[0], nj: dims[1], boxMin: [boxMin[0]!, boxMin[1]!, boxMin[2]!], gridDims: [gridDims[0]!, gridDims[1]!], out, chunkSlabs, counts }, nk, dims[0] * dims[1] * nk, chunkSlabs);
  const written = new Float64Array(256);
  for (let c = 0; c < chunks; c++) for (let v = 0; v < 256; v++) written[v] = written[v]! + counts[256 * c + v]!;
  return written;
}

/** Runs slabs (slices) [s0, s1) of `task` in this thread. */
export function runBoneSlabTask(task: BoneSlabTask, s0: number, s1: number): void {
  if (task.kind === 'thresholdBox') thresholdBoxSlices(task, s0, s1);
  else if (task.kind === 'thresholdCrop') for (let k = s0; k < s1; k++) thresholdCropSlice(task, k);
  else if (task.kind === 'dilate6') dilate6Slices(task.mask, task.dims, task.out, s0, s1);
  else if (task.kind === 'fillHoles') for (let s = s0; s < s1; s++) {
    if (task.from) task.masks[s]!.set(task.from[s]!);
    fillHoles(task.masks[s]!, task.dims, task.faces);
  }
  else if (task.kind === 'addCavities') addCavitiesSlices(task, s0, s1);
  else if (task.kind === 'histogram') {
    const [ni, nj, nk] = task.dims;
    const box = { min: [0, 0, 0] as [number, number, number], max: [ni, nj, nk] as [number, number, number] };
    const counts = new Uint32Array(task.out.buffer, task.out.byteOffset, task.out.length);
    countPerValue(task.voxels, ni, nj, box, task.stride, s0, s1, counts, Math.floor(s0 / task.chunkSlabs) * perValueRange(task.voxels));
  }
  else if (task.kind === 'writeLabels') writeLabelsSlices(task, s0, s1);
  else if (task.kind === 'split') for (let s = s0; s < s1; s++) runSplitSlab(task, s);
  else if (task.kind === 'fillRuns') {
    if (task.firstPassH !== undefined) depthFirstPassOfRuns(task.runs, task.ni, task.nj, task.firstPassH, task.out as Float32Array, s0, s1);
    else fillRunsSlices(task, s0, s1);
  }
  else for (let s = s0; s < s1; s++) {
    const c = task.comps[s]!;
    const { surfaceLps } = surfaceOfRunComponent(c, task.dims, c.id, c.ijk, task.cropToLps, task.cutSlices);
    task.out[s] = isFieldCutHeadSphere(c.maxLpsZ, surfaceLps, task.voxelMm) ? 1 : 0;
  }
}

/** An executor that takes bone slab work (parallelEdt.ts createParallelEdtExecutor). */
type BoneSlabExecutor = { forBoneSlabs(task: BoneSlabTask, slabs: number, voxels: number, chunkSlabs?: number): boolean };

/** The EDT executor installed in this thread when it takes bone slab work (distanceTransform.ts has no getter: read by swapping it out and back). */
function boneSlabExecutor(): BoneSlabExecutor | null {
  const current = setEdtExecutor(null);
  setEdtExecutor(current);
  return current && typeof (current as Partial<BoneSlabExecutor>).forBoneSlabs === 'function' ? (current as unknown as BoneSlabExecutor) : null;
}

/** Whether slab work on these arrays could go to a helper (an executor that takes it is installed, every array on shared memory). */
export function canShareBoneSlabs(...arrays: VoxelArray[]): boolean {
  return boneSlabExecutor() !== null && arrays.every((a) => isShared(a));
}

/**
 * Runs slabs [0, slabs) of `task` with the helper when the installed executor takes them (every
 * array of the task on shared memory, `voxels` large enough), else in this thread; same bits either way.
 * Returns whether the executor took them.
 */
export function runBoneSlabs(task: BoneSlabTask, slabs: number, voxels: number, chunkSlabs?: number): boolean {
  // (A cap test's inputs are small and cloned when posted: only its output must be shared.)
  const arrays = task.kind === 'dilate6' ? [task.mask, task.out] : task.kind === 'addCavities' ? [task.filled, task.mask, task.closed, task.holes] : task.kind === 'histogram' ? [task.voxels, task.out] : task.kind === 'fillHoles' ? [...task.masks, ...(task.from ?? [])] : task.kind === 'capTest' ? [task.out] : task.kind === 'fillRuns' ? [task.out, task.runs.rowFirst, task.runs.runStart, task.runs.runEnd, task.runs.runId] : task.kind === 'writeLabels' ? [task.out, task.labels, task.lut, task.counts, task.runs.rowFirst, task.runs.runStart, task.runs.runEnd, task.runs.runId] : task.kind === 'split' ? [task.labels, task.depth, task.ct.voxels, task.runs.rowFirst, task.runs.runStart, task.runs.runEnd, task.runs.runId, ...task.jobs.flatMap((j) => [j.out.vox, j.out.rowVox, j.out.owner])] : [task.voxels, task.out];
  const executor = arrays.every((a) => isShared(a)) ? boneSlabExecutor() : null;
  if (executor && executor.forBoneSlabs(task, slabs, voxels, chunkSlabs)) return true;
  runBoneSlabTask(task, 0, slabs);
  return false;
}

/**
 * Slices [s0, s1)'s boxes of voxels >= threshold (segmentBone's thresholdBox runs it over every slice):
 * a row of a slice that already has a voxel, inside the j range of the box found so far in
 * these slices, can only widen it in i (only its voxels left and right of the box are read).
 * Each slice's entry is that running box once the slice has a voxel (i1 = -1 when it has none):
 * it holds voxels of these slices only, so the union of the entries is the box of all voxels.
 */
function thresholdBoxSlices(task: ThresholdBoxTask, s0: number, s1: number): void {
  const [ni, nj] = task.dims;
  const v = task.voxels;
  const threshold = task.threshold;
  let i0 = ni, j0 = nj, i1 = -1, j1 = -1;
  for (let k = s0; k < s1; k++) {
    let found = false;
    for (let j = 0; j < nj; j++) {
      const row = ni * (j + nj * k);
      if (found && j >= j0 && j <= j1) {
        for (let i = 0; i < i0; i++) if (v[row + i]! >= threshold) {
          i0 = i;
          break;
        }
        for (let i = ni - 1; i > i1; i--) if (v[row + i]! >= threshold) {
          i1 = i;
          break;
        }
        continue;
      }
      let first = -1;
      for (let i = 0; i < ni; i++) if (v[row + i]! >= threshold) {
        first = i;
        break;
      }
      if (first < 0) continue;
      let last = first;
      for (let i = ni - 1; i > first; i--) if (v[row + i]! >= threshold) {
        last = i;
        break;
      }
      found = true;
      if (first < i0) i0 = first;
      if (last > i1) i1 = last;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
    }
    task.out.set(found ? [i0, j0, i1, j1] : [ni, nj, -1, -1], 4 * k);
  }
}

/** The bounding box (max exclusive) of the slices' boxes of a finished {@link ThresholdBoxTask}; null if no voxel. */
export function mergeSliceBoxes(out: Int32Array, nk: number): { min: [number, number, number]; max: [number, number, number] } | null {
  let i0 = Infinity, j0 = Infinity, k0 = -1, i1 = -1, j1 = -1, k1 = -1;
  for (let k = 0; k < nk; k++) {
    if (out[4 * k + 2]! < 0) continue;
    if (k0 < 0) k0 = k;
    k1 = k;
    i0 = Math.min(i0, out[4 * k]!);
    j0 = Math.min(j0, out[4 * k + 1]!);
    i1 = Math.max(i1, out[4 * k + 2]!);
    j1 = Math.max(j1, out[4 * k + 3]!);
  }
  if (k0 < 0) return null;
  return { min: [i0, j0, k0], max: [i1 + 1, j1 + 1, k1 + 1] };
}

function thresholdCropSlice(task: ThresholdCropTask, kc: number): void {
  const [gi, gj] = task.gridDims;
  const { box, threshold, out } = task;
  const v = task.voxels;
  const ni = box.max[0] - box.min[0], nj = box.max[1] - box.min[1];
  const k = box.min[2] + kc;
  let p = ni * nj * kc;
  for (let j = box.min[1]; j < box.max[1]; j++) {
    const q0 = box.min[0] + gi * (j + gj * k);
    for (let i = 0; i < ni; i++, p++) out[p] = v[q0 + i]! >= threshold ? 1 : 0;
  }
}

/**
 * Slices [k0, k1) of the 6-neighbour dilation of `mask` into `out` (0 / 1; every voxel of those
 * slices written): a voxel is set when it or a face neighbour is non-zero. Over the runs along i
 * of mask slices k0 - 1 .. k1 (those inside the grid), as morphology.ts dilate6: each run set one
 * voxel longer at both ends in its own row and as it is in the rows j +- 1 and k +- 1, only where
 * that row lies in [k0, k1). `out` must not be `mask`.
 */
export function dilate6Slices(mask: Uint8Array, dims: readonly [number, number, number], out: Uint8Array, k0: number, k1: number): void {
  const [ni, nj, nk] = dims;
  const nij = ni * nj;
  const from = Math.max(0, k0 - 1), to = Math.min(nk, k1 + 1);
  out.fill(0, k0 * nij, k1 * nij);
  const set = (a: number, b: number): void => {
    if (b - a < 24) for (let t = a; t < b; t++) out[t] = 1;
    else out.fill(1, a, b);
  };
  const { runStart, runEnd, rowFirst } = maskRuns(mask.subarray(from * nij, to * nij), ni, (to - from) * nj);
  for (let k = from, row = 0; k < to; k++) {
    const inside = k >= k0 && k < k1;
    const below = k > 0 && k - 1 >= k0 && k - 1 < k1;
    const above = k < nk - 1 && k + 1 >= k0 && k + 1 < k1;
    for (let j = 0; j < nj; j++, row++) {
      const r1 = rowFirst[row + 1]!;
      const base = ni * (j + nj * k);
      for (let r = rowFirst[row]!; r < r1; r++) {
        const s = runStart[r]!, e = runEnd[r]!;
        const a = base + s, b = base + e;
        if (inside) {
          set(s > 0 ? a - 1 : a, e < ni ? b + 1 : b);
          if (j > 0) set(a - ni, b - ni);
          if (j < nj - 1) set(a + ni, b + ni);
        }
        if (below) set(a - nij, b - nij);
        if (above) set(a + nij, b + nij);
      }
    }
  }
}

function fillRunsSlices(task: FillRunsTask, s0: number, s1: number): void {
  const { runs, ni, nj, out, value } = task;
  for (let row = s0 * nj; row < s1 * nj; row++) {
    const base = row * ni;
    for (let r = runs.rowFirst[row]!, e = runs.rowFirst[row + 1]!; r < e; r++) {
      const v = value ?? runs.runId[r]!, a = base + runs.runStart[r]!, b = base + runs.runEnd[r]!;
      if (b - a < 16) for (let t = a; t < b; t++) out[t] = v;
      else out.fill(v, a, b);
    }
  }
}

/**
 * Slices [s0, s1) of the first pass (along i) of the squared EDT of a grid seeded EDT_FAR on the
 * voxels of `runs` and 0 elsewhere, written straight from the runs into `out` (zeroed): the same
 * numbers as seeding the rows and running distanceTransform.ts's edtPassI on them (its two-scan of
 * a 0 / EDT_FAR row: the integer distance d to the nearest 0 of the row, e = d h, e * e; a row
 * without a 0 stays EDT_FAR, a row without a run stays 0). A run is maximal, so the voxels next to
 * it in its row are 0: a run voxel's nearest 0 is the one before the run or the one after it.
 */
export function depthFirstPassOfRuns(runs: SharedRuns, ni: number, nj: number, h: number, out: Float32Array, s0: number, s1: number): void {
  const NONE = 0x3fffffff;
  for (let row = s0 * nj; row < s1 * nj; row++) {
    const r0 = runs.rowFirst[row]!, r1 = runs.rowFirst[row + 1]!;
    if (r0 === r1) continue;
    const base = row * ni;
    if (r1 - r0 === 1 && runs.runStart[r0] === 0 && runs.runEnd[r0] === ni) {
      out.fill(EDT_FAR, base, base + ni);
      continue;
    }
    for (let r = r0; r < r1; r++) {
      const a = runs.runStart[r]!, b = runs.runEnd[r]!;
      for (let i = a; i < b; i++) {
        // edtPassI's order: the distance to the 0 before (none: NONE), then the one after when nearer.
        let d = a > 0 ? i - (a - 1) : NONE;
        if (b < ni && b - i < d) d = b - i;
        const e = d * h;
        out[base + i] = e * e;
      }
    }
  }
}

/**
 * The passes along j and k of the squared EDT on `sq` (its first pass done: see
 * {@link depthFirstPassOfRuns}) as distanceTransform.ts squaredDistanceInPlace runs them from
 * there: through the installed executor (both threads) when it takes the grid, else here.
 */
export function squaredDistanceAfterFirstPass(sq: Float32Array, dims: readonly [number, number, number], spacingMm: readonly [number, number, number]): void {
  const executor = setEdtExecutor(null);
  setEdtExecutor(executor);
  if (executor && executor.run(sq, dims, spacingMm, 1)) return;
  const sc = createEdtScratch(Math.max(dims[0], dims[1], dims[2]));
  for (const pass of [1, 2] as const) edtPassSlab(sq, dims, spacingMm, pass, 0, edtSlabCount(pass, dims), sc);
}

/**
 * thresholds.ts computeHistogram(volume, { stride, maxBins }) of 8/16-bit voxels on shared memory,
 * the sampled slices counted in chunks on this thread and the EDT helper (one count array per
 * chunk, summed here): the same histogram (integer counts).
 */
export function sharedHistogram(voxels: Int16Array | Uint16Array | Uint8Array, dims: readonly [number, number, number], stride: number, maxBins: number): Histogram {
  const [ni, nj, nk] = dims;
  const slabs = Math.ceil(nk / stride);
  const chunkSlabs = Math.max(1, Math.ceil(slabs / 16));
  const chunks = Math.max(1, Math.ceil(slabs / chunkSlabs));
  const range = perValueRange(voxels);
  const shared = allocVoxels(Int32Array, chunks * range, { shared: true });
  runBoneSlabs({ kind: 'histogram', voxels, dims: [ni, nj, nk], stride, chunkSlabs, out: shared }, slabs, Math.ceil(ni / stride) * Math.ceil(nj / stride) * slabs, chunkSlabs);
  const out = new Uint32Array(shared.buffer, shared.byteOffset, shared.length);
  const perValue = new Uint32Array(range);
  let total = 0;
  for (let c = 0; c < chunks; c++) for (let x = 0, o = c * range; x < range; x++) {
    const n = out[o + x]!;
    perValue[x] = perValue[x]! + n;
    total += n;
  }
  return histogramOfPerValue(voxels, perValue, total, maxBins);
}
