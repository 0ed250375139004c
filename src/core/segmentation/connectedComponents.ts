/**
 * 6-connected component labelling of a binary mask on a dense grid (i fastest),
 * by union-find over runs along i: each run of foreground voxels becomes one
 * node, and runs overlapping in the previous row (j - 1) and previous slice
 * (k - 1) are merged. Cost O(voxels) with a small constant; memory one Int32
 * per voxel for the output plus two per run. {@link computeComponentRuns} stops at
 * the runs (no per-voxel output): callers that only need sizes, boxes, sums or a
 * test per component (hole filling, "does it split?") skip the label volume.
 */

export type Components = {
  /** Component id per voxel, 0 for background, 1..count for components. */
  readonly labels: Int32Array;
  readonly count: number;
  /** Voxel count of component c at index c (index 0 unused). */
  readonly sizes: Float64Array;
  /** Bounding boxes: [imin, jmin, kmin, imax, jmax, kmax] (inclusive) at 6*c. */
  readonly boxes: Int32Array;
  /** Sums of the voxels' i, j and k at 3*c (exact: integers below 2^53). */
  readonly sums: Float64Array;
};

/** The runs of a labelling: run r covers i in [runStart[r], runEnd[r]) of row `runRow[r]` (row = j + nj * k) and belongs to component `runId[r]`. */
export type ComponentRuns = Omit<Components, 'labels'> & {
  readonly runCount: number;
  readonly runStart: Int32Array;
  readonly runEnd: Int32Array;
  readonly runId: Int32Array;
  /** First run of each row (length nj * nk + 1). */
  readonly rowFirst: Int32Array;
};

/** Runs of one value class along i, row by row (internal to the labelling and the morphology). */
export type MaskRuns = {
  readonly runCount: number;
  /** Run r covers i in [runStart[r], runEnd[r]) of its row; arrays may be longer than runCount. */
  readonly runStart: Int32Array;
  readonly runEnd: Int32Array;
  /** First run of each row (length rows + 1). */
  readonly rowFirst: Int32Array;
};

/**
 * Run-length encodes `mask` (rows of `ni` bytes, `nRows` rows): the runs of bytes that are
 * non-zero (`value` undefined) or equal to `value`. Stretches between runs and inside long
 * runs are skipped four bytes at a time through a Uint32 view over the aligned words of the
 * mask's buffer (any byteOffset: the bytes before the first aligned word of a row, and after
 * its last, are read one by one): a word of background is 0 (non-zero mode) or has no byte
 * equal to `value`; a word of foreground has no zero byte (non-zero mode) or is all `value`.
 * The byte test `(x - 0x01010101) & ~x & 0x80808080` is non-zero exactly when a byte of x is 0.
 */
export function maskRuns(mask: Uint8Array, ni: number, nRows: number, value?: number): MaskRuns {
  let runCap = 1024;
  let runStart = new Int32Array(runCap);
  let runEnd = new Int32Array(runCap); // exclusive
  const rowFirst = new Int32Array(nRows + 1);
  let nRuns = 0;
  const off = mask.byteOffset & 3;
  const words = new Uint32Array(mask.buffer, mask.byteOffset - off, (mask.length + off) >> 2);
  const grow = (): void => {
    runCap *= 2;
    const a = new Int32Array(runCap); a.set(runStart); runStart = a;
    const b = new Int32Array(runCap); b.set(runEnd); runEnd = b;
  };
  if (value === undefined) {
    for (let r = 0; r < nRows; r++) {
      rowFirst[r] = nRuns;
      const base = r * ni, end = base + ni;
      const qEnd = (end + off) >> 2; // words entirely inside the row end before this one
      let p = base;
      for (;;) {
        // Background: zero bytes.
        while (p < end && mask[p] === 0 && ((p + off) & 3) !== 0) p++;
        if (p < end && mask[p] === 0) {
          let q = (p + off) >> 2;
          while (q + 4 <= qEnd && (words[q]! | words[q + 1]! | words[q + 2]! | words[q + 3]!) === 0) q += 4;
          while (q < qEnd && words[q] === 0) q++;
          p = q * 4 - off;
          while (p < end && mask[p] === 0) p++;
        }
        if (p >= end) break;
        const s = p++;
        // Foreground: non-zero bytes.
        while (p < end && mask[p] !== 0 && ((p + off) & 3) !== 0) p++;
        if (p < end && mask[p] !== 0) {
          let q = (p + off) >> 2;
          while (q < qEnd) {
            const x = words[q]!;
            if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
            q++;
          }
          p = q * 4 - off;
          while (p < end && mask[p] !== 0) p++;
        }
        if (nRuns === runCap) grow();
        runStart[nRuns] = s - base;
        runEnd[nRuns] = p - base;
        nRuns++;
      }
    }
  } else if (Number.isInteger(value) && value >= 0 && value <= 255) {
    const v = value;
    const vv = Math.imul(v, 0x01010101); // x ^ vv has a zero byte where x has a byte equal to v
    for (let r = 0; r < nRows; r++) {
      rowFirst[r] = nRuns;
      const base = r * ni, end = base + ni;
      const qEnd = (end + off) >> 2;
      let p = base;
      for (;;) {
        // Background: bytes other than v.
        while (p < end && mask[p] !== v && ((p + off) & 3) !== 0) p++;
        if (p < end && mask[p] !== v) {
          let q = (p + off) >> 2;
          while (q < qEnd) {
            const x = words[q]! ^ vv;
            if (((x - 0x01010101) & ~x & 0x80808080) !== 0) break;
            q++;
          }
          p = q * 4 - off;
          while (p < end && mask[p] !== v) p++;
        }
        if (p >= end) break;
        const s = p++;
        // Foreground: bytes equal to v.
        while (p < end && mask[p] === v && ((p + off) & 3) !== 0) p++;
        if (p < end && mask[p] === v) {
          let q = (p + off) >> 2;
          while (q + 4 <= qEnd && ((words[q]! ^ vv) | (words[q + 1]! ^ vv) | (words[q + 2]! ^ vv) | (words[q + 3]! ^ vv)) === 0) q += 4;
          while (q < qEnd && (words[q]! ^ vv) === 0) q++;
          p = q * 4 - off;
          while (p < end && mask[p] === v) p++;
        }
        if (nRuns === runCap) grow();
        runStart[nRuns] = s - base;
        runEnd[nRuns] = p - base;
        nRuns++;
      }
    }
  }
  // (A value no byte can hold has no runs.)
  rowFirst[nRows] = nRuns;
  return { runCount: nRuns, runStart, runEnd, rowFirst };
}

/**
 * The runs of the voxels where `mask[t] === value` (non-zero when `value` is undefined) and
 * the 6-connected set of each: `root[r]` is the first run (raster order) of run r's set.
 * For callers that need only a per-set flag ({@link fillHoles}: does it touch a face?).
 */
export function componentRunRoots(mask: Uint8Array, dims: readonly [number, number, number], value?: number): MaskRuns & { readonly root: Int32Array } {
  return rootsOfRuns(maskRuns(mask, dims[0], dims[1] * dims[2], value), dims);
}

/** {@link componentRunRoots} of runs already found (rows of the grid `dims`, as {@link maskRuns} gives them). */
function rootsOfRuns(runs: MaskRuns, dims: readonly [number, number, number]): MaskRuns & { readonly root: Int32Array } {
  const [, nj, nk] = dims;
  const { runCount: nRuns, runStart, runEnd, rowFirst } = runs;
  // Union-find over runs; a root is always the smallest run of its set, so parent[x] <= x.
  const parent = new Int32Array(nRuns);
  for (let r = 0; r < nRuns; r++) parent[r] = r;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const mergeRows = (r: number, q: number): void => {
    // Merge overlapping runs of rows r and q (both sorted by start).
    let a = rowFirst[r]!, b = rowFirst[q]!;
    const aEnd = rowFirst[r + 1]!, bEnd = rowFirst[q + 1]!;
    if (b === bEnd) return;
    while (a < aEnd && b < bEnd) {
      const ea = runEnd[a]!, eb = runEnd[b]!;
      if (ea <= runStart[b]!) a++;
      else if (eb <= runStart[a]!) b++;
      else {
        const ra = find(a), rb = find(b);
        if (ra < rb) parent[rb] = ra;
        else if (rb < ra) parent[ra] = rb;
        if (ea < eb) a++;
        else b++;
      }
    }
  };
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      const r = j + nj * k;
      if (rowFirst[r] === rowFirst[r + 1]) continue;
      if (j > 0) mergeRows(r, r - 1);
      if (k > 0) mergeRows(r, r - nj);
    }
  }
  // Every parent precedes its run, so one pass in order leaves each run pointing at its root.
  for (let r = 0; r < nRuns; r++) parent[r] = parent[parent[r]!]!;
  return { ...runs, root: parent };
}

/**
 * The runs of the 6-connected components of the voxels where `mask[t] === value`
 * (non-zero when `value` is undefined), numbered in raster order of first appearance
 * (the ids {@link computeComponents} writes).
 */
export function computeComponentRuns(mask: Uint8Array, dims: readonly [number, number, number], value?: number): ComponentRuns {
  return componentRunsOfRuns(maskRuns(mask, dims[0], dims[1] * dims[2], value), dims);
}

/**
 * {@link computeComponentRuns} of runs already found: `runs` must be what {@link maskRuns} gives
 * for the mask (maximal runs in raster order; e.g. {@link maskRunsOfList}), and then the result is
 * the same, array for array.
 */
export function componentRunsOfRuns(runs: MaskRuns, dims: readonly [number, number, number]): ComponentRuns {
  const [, nj, nk] = dims;
  const { runCount: nRuns, runStart, runEnd, rowFirst, root } = rootsOfRuns(runs, dims);
  // Compact ids in raster order of first appearance: a set first appears at its root.
  const compact = new Int32Array(nRuns);
  let count = 0;
  for (let r = 0; r < nRuns; r++) {
    const p = root[r]!;
    compact[r] = p === r ? ++count : compact[p]!;
  }
  const sizes = new Float64Array(count + 1);
  const boxes = new Int32Array(6 * (count + 1));
  const sums = new Float64Array(3 * (count + 1));
  for (let c = 1; c <= count; c++) {
    boxes[6 * c] = boxes[6 * c + 1] = boxes[6 * c + 2] = 0x7fffffff;
    boxes[6 * c + 3] = boxes[6 * c + 4] = boxes[6 * c + 5] = -1;
  }
  for (let k = 0, row = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++, row++) {
      const r0 = rowFirst[row]!, r1 = rowFirst[row + 1]!;
      for (let r = r0; r < r1; r++) {
        const c = compact[r]!;
        const s = runStart[r]!, e = runEnd[r]!;
        const len = e - s;
        sizes[c]! += len;
        // Integer sums below 2^53: exact in any order.
        sums[3 * c]! += ((s + e - 1) * len) / 2;
        sums[3 * c + 1]! += j * len;
        sums[3 * c + 2]! += k * len;
        const o = 6 * c;
        if (s < boxes[o]!) boxes[o] = s;
        if (j < boxes[o + 1]!) boxes[o + 1] = j;
        if (k < boxes[o + 2]!) boxes[o + 2] = k;
        if (e - 1 > boxes[o + 3]!) boxes[o + 3] = e - 1;
        if (j > boxes[o + 4]!) boxes[o + 4] = j;
        if (k > boxes[o + 5]!) boxes[o + 5] = k;
      }
    }
  }
  return { count, sizes, boxes, sums, runCount: nRuns, runStart, runEnd, runId: compact, rowFirst };
}

/**
 * The {@link maskRuns} of the mask whose set voxels are `index[p]` for the p < `count` with
 * `cls[p] > minClass`, without the mask: `index` lists grid indices (rows of `ni`, `nRows` rows)
 * in increasing order, `rowIndex[row]` is the first p of each row (length nRows + 1). The runs
 * are the maximal stretches of consecutive indices in a row, in raster order: what maskRuns
 * finds on the dense mask (arrays exactly `runCount` long, or `buffers`' arrays). Cost: the listed voxels and the rows,
 * not the grid's bytes.
 */
export function maskRunsOfList(
  index: Int32Array,
  cls: Uint8Array,
  minClass: number,
  rowIndex: Int32Array,
  ni: number,
  nRows: number,
  buffers?: { runStart: Int32Array; runEnd: Int32Array },
  /**
   * Receives the listed voxels above the class (index, class, first entry per row: a list of the
   * same form, for a later call with a higher class on fewer voxels). May be the input arrays
   * themselves (entries only move down).
   */
  keep?: { index: Int32Array; cls: Uint8Array; rowIndex: Int32Array },
): MaskRuns {
  const rowFirst = new Int32Array(nRows + 1);
  // With `buffers` (at least as long as the listed voxels above the class: the runs cannot be
  // more), one pass; else count the runs first, then fill exact-size arrays.
  let nRuns = 0;
  if (!buffers) for (let row = 0; row < nRows; row++) {
    let prev = -2;
    for (let p = rowIndex[row]!, e = rowIndex[row + 1]!; p < e; p++) {
      if (cls[p]! <= minClass) continue;
      const t = index[p]!;
      if (t !== prev + 1) nRuns++;
      prev = t;
    }
  }
  const runStart = buffers?.runStart ?? new Int32Array(nRuns), runEnd = buffers?.runEnd ?? new Int32Array(nRuns);
  let r = -1, w = 0;
  let p = rowIndex[0]!;
  for (let row = 0; row < nRows; row++) {
    rowFirst[row] = r + 1;
    const base = row * ni;
    let prev = -2;
    const e = rowIndex[row + 1]!;
    if (keep) keep.rowIndex[row] = w;
    for (; p < e; p++) {
      const c = cls[p]!;
      if (c <= minClass) continue;
      const t = index[p]!;
      if (t !== prev + 1) runStart[++r] = t - base;
      runEnd[r] = t - base + 1;
      prev = t;
      if (keep) {
        keep.index[w] = t;
        keep.cls[w] = c;
        w++;
      }
    }
  }
  if (keep) keep.rowIndex[nRows] = w;
  nRuns = r + 1;
  rowFirst[nRows] = nRuns;
  return { runCount: nRuns, runStart, runEnd, rowFirst };
}

/** Writes the ids of `runs` into `out` (zeroed first unless `clear` is false); returns `out`. */
export function writeComponentLabels(runs: ComponentRuns, dims: readonly [number, number, number], out: Int32Array = new Int32Array(dims[0] * dims[1] * dims[2]), clear = false): Int32Array {
  const ni = dims[0];
  if (clear) out.fill(0);
  const nRows = runs.rowFirst.length - 1;
  for (let row = 0; row < nRows; row++) {
    const base = row * ni;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
      const id = runs.runId[r]!, s = base + runs.runStart[r]!, e = base + runs.runEnd[r]!;
      if (e - s < 16) for (let t = s; t < e; t++) out[t] = id;
      else out.fill(id, s, e);
    }
  }
  return out;
}

/**
 * Labels the 6-connected components of the voxels where `mask[t] === value`
 * (default: non-zero when `value` is undefined).
 * `dims` = [ni, nj, nk] of the dense mask.
 */
export function computeComponents(mask: Uint8Array, dims: readonly [number, number, number], value?: number): Components {
  const runs = computeComponentRuns(mask, dims, value);
  const labels = writeComponentLabels(runs, dims);
  return { labels, count: runs.count, sizes: runs.sizes, boxes: runs.boxes, sums: runs.sums };
}
