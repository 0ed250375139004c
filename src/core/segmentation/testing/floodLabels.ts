/**
 * Test oracle: 6-connected component labelling by a plain flood fill from
 * each unlabelled foreground voxel in raster order, so ids are in raster
 * order of first appearance (the numbering computeComponents promises).
 * Foreground: mask != 0, or mask == value when `value` is given.
 */
export function floodLabels(mask: Uint8Array, dims: readonly [number, number, number], value?: number): { labels: Int32Array; count: number } {
  const [ni, nj, nk] = dims;
  const fg = (t: number) => (value === undefined ? mask[t] !== 0 : mask[t] === value);
  const labels = new Int32Array(mask.length);
  let count = 0;
  const stack: number[] = [];
  for (let t0 = 0; t0 < mask.length; t0++) {
    if (!fg(t0) || labels[t0]) continue;
    labels[t0] = ++count;
    stack.push(t0);
    while (stack.length) {
      const t = stack.pop()!;
      const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
      const nb: number[] = [];
      if (i > 0) nb.push(t - 1);
      if (i < ni - 1) nb.push(t + 1);
      if (j > 0) nb.push(t - ni);
      if (j < nj - 1) nb.push(t + ni);
      if (k > 0) nb.push(t - ni * nj);
      if (k < nk - 1) nb.push(t + ni * nj);
      for (const q of nb) if (fg(q) && !labels[q]) {
        labels[q] = count;
        stack.push(q);
      }
    }
  }
  return { labels, count };
}
