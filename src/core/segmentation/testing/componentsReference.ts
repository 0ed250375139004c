import type { VoxelBox } from '../../fields/distanceTransform';
import type { Volume } from '../../volume/Volume';
import type { VoxelArray } from '../../volume/voxelBuffer';
import type { ComponentRuns, Components } from '../connectedComponents';
import type { Histogram } from '../thresholds';
import type { Dims, OutsideFaces } from '../morphology';

/**
 * Test oracle: the byte-at-a-time implementations of the run labelling and label writing, `dilate6`,
 * `fillHoles` and `computeHistogram` as they were before the word-at-a-time versions
 * (24 Nov, commit 2163f70), kept verbatim (renamed `reference*`) so property tests can
 * check the fast versions give the same runs, ids, figures, masks and histograms.
 */

export function referenceComputeComponentRuns(mask: Uint8Array, dims: readonly [number, number, number], value?: number): ComponentRuns {
  const [ni, nj, nk] = dims;
  const nRows = nj * nk;
  // Run-length encode: runs per row, stored flat.
  let runCap = 1024;
  let runStart = new Int32Array(runCap);
  let runEnd = new Int32Array(runCap); // exclusive
  const rowFirst = new Int32Array(nRows + 1);
  let nRuns = 0;
  const nonZero = value === undefined;
  const v = value ?? 0;
  for (let r = 0; r < nRows; r++) {
    rowFirst[r] = nRuns;
    const base = r * ni;
    let i = 0;
    while (i < ni) {
      if (nonZero) {
        while (i < ni && mask[base + i] === 0) i++;
      } else {
        while (i < ni && mask[base + i] !== v) i++;
      }
      if (i >= ni) break;
      const s = i;
      if (nonZero) while (i < ni && mask[base + i] !== 0) i++;
      else while (i < ni && mask[base + i] === v) i++;
      if (nRuns === runCap) {
        runCap *= 2;
        const a = new Int32Array(runCap); a.set(runStart); runStart = a;
        const b = new Int32Array(runCap); b.set(runEnd); runEnd = b;
      }
      runStart[nRuns] = s;
      runEnd[nRuns] = i;
      nRuns++;
    }
  }
  rowFirst[nRows] = nRuns;
  const parent = new Int32Array(nRuns);
  for (let r = 0; r < nRuns; r++) parent[r] = r;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a), rb = find(b);
    if (ra === rb) return;
    if (ra < rb) parent[rb] = ra;
    else parent[ra] = rb;
  };
  const mergeRows = (r: number, q: number): void => {
    // Merge overlapping runs of rows r and q (both sorted by start).
    let a = rowFirst[r]!, b = rowFirst[q]!;
    const aEnd = rowFirst[r + 1]!, bEnd = rowFirst[q + 1]!;
    while (a < aEnd && b < bEnd) {
      if (runEnd[a]! <= runStart[b]!) a++;
      else if (runEnd[b]! <= runStart[a]!) b++;
      else {
        union(a, b);
        if (runEnd[a]! < runEnd[b]!) a++;
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
  // Compact ids in raster order of first appearance.
  const compact = new Int32Array(nRuns).fill(0);
  let count = 0;
  for (let r = 0; r < nRuns; r++) {
    const root = find(r);
    if (compact[root] === 0) compact[root] = ++count;
    compact[r] = compact[root]!;
  }
  const sizes = new Float64Array(count + 1);
  const boxes = new Int32Array(6 * (count + 1));
  const sums = new Float64Array(3 * (count + 1));
  for (let c = 1; c <= count; c++) {
    boxes[6 * c] = boxes[6 * c + 1] = boxes[6 * c + 2] = 0x7fffffff;
    boxes[6 * c + 3] = boxes[6 * c + 4] = boxes[6 * c + 5] = -1;
  }
  for (let row = 0; row < nRows; row++) {
    const r0 = rowFirst[row]!, r1 = rowFirst[row + 1]!;
    if (r0 === r1) continue;
    const j = row % nj, k = (row - j) / nj;
    for (let r = r0; r < r1; r++) {
      const c = compact[r]!;
      const s = runStart[r]!, e = runEnd[r]!;
      const len = e - s;
      sizes[c]! += len;
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
  return { count, sizes, boxes, sums, runCount: nRuns, runStart, runEnd, runId: compact, rowFirst };
}


/** Writes the ids of `runs` into `out` (zeroed first unless `clear` is false); returns `out`. */
export function referenceWriteComponentLabels(runs: ComponentRuns, dims: readonly [number, number, number], out: Int32Array = new Int32Array(dims[0] * dims[1] * dims[2]), clear = false): Int32Array {
  const ni = dims[0];
  if (clear) out.fill(0);
  const nRows = runs.rowFirst.length - 1;
  for (let row = 0; row < nRows; row++) {
    const base = row * ni;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) out.fill(runs.runId[r]!, base + runs.runStart[r]!, base + runs.runEnd[r]!);
  }
  return out;
}

export function referenceComputeComponents(mask: Uint8Array, dims: readonly [number, number, number], value?: number): Components {
  const runs = referenceComputeComponentRuns(mask, dims, value);
  const labels = referenceWriteComponentLabels(runs, dims);
  return { labels, count: runs.count, sizes: runs.sizes, boxes: runs.boxes, sums: runs.sums };
}

export function referenceDilate6(mask: Uint8Array, dims: Dims, out: Uint8Array = new Uint8Array(mask.length)): Uint8Array {
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


export function referenceFillHoles(mask: Uint8Array, dims: Dims, faces: OutsideFaces = 'all'): number {
  const [ni, nj, nk] = dims;
  // Run level only (no label volume): a background run is filled when its component
  // touches no outside face.
  const bg = referenceComputeComponentRuns(mask, dims, 0);
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

export function referenceComputeHistogram(volume: Volume<VoxelArray>, options: { box?: VoxelBox; stride?: number; maxBins?: number } = {}): Histogram {
  const [ni, nj, nk] = volume.geometry.dims;
  const box = options.box ?? { min: [0, 0, 0], max: [ni, nj, nk] };
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  const v = volume.voxels;
  let lo = Infinity, hi = -Infinity;
  for (let k = box.min[2]; k < box.max[2]; k += stride) {
    for (let j = box.min[1]; j < box.max[1]; j += stride) {
      const row = ni * (j + nj * k);
      for (let i = box.min[0]; i < box.max[0]; i += stride) {
        const x = v[row + i]!;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
  }
  if (!(hi >= lo)) return { minGrey: 0, binWidth: 1, counts: new Float64Array(1), total: 0 };
  const maxBins = options.maxBins ?? 4096;
  const integer = !(v instanceof Float32Array);
  let binWidth = (hi - lo + (integer ? 1 : 0)) / maxBins;
  if (integer) binWidth = Math.max(1, Math.ceil(binWidth));
  if (!(binWidth > 0)) binWidth = 1;
  const nb = Math.max(1, Math.min(maxBins, Math.floor((hi - lo) / binWidth) + 1));
  const counts = new Float64Array(nb);
  const inv = 1 / binWidth;
  let total = 0;
  for (let k = box.min[2]; k < box.max[2]; k += stride) {
    for (let j = box.min[1]; j < box.max[1]; j += stride) {
      const row = ni * (j + nj * k);
      for (let i = box.min[0]; i < box.max[0]; i += stride) {
        let b = Math.floor((v[row + i]! - lo) * inv);
        if (b >= nb) b = nb - 1;
        counts[b]!++;
        total++;
      }
    }
  }
  return { minGrey: lo, binWidth, counts, total };
}

