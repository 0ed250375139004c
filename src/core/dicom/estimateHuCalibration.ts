/**
 * Is this volume in Hounsfield units? Looks at the image's own histogram.
 *
 * A CT of a body holds air: a dark population about 1000 HU below soft
 * tissue. If such a population exists (the 2nd percentile lies more than 500
 * below the median), calibrated CT puts it at -1000 +/- 150 HU; anywhere else
 * means grey values (typical of cone-beam CT). Without a dark population
 * (bone-only crops, a 0 HU bath) the histogram cannot tell: 'unknown'.
 *
 * Spikes are ignored first: a single exact value holding over 2 % of the
 * samples that is the minimum (padding outside the field of view, clipped
 * air) or exactly 0 (a bath), so they cannot pose as air.
 * Samples at most ~1M voxels (strided); no allocation proportional to the volume.
 */
export type HuVerdict = {
  verdict: 'hu' | 'not-hu' | 'unknown';
  /** 2nd percentile (the air level when there is air), in volume values. */
  darkLevel: number;
  median: number;
  p1: number;
  p99: number;
};

export function estimateHuCalibration(voxels: ArrayLike<number>): HuVerdict {
  const n = voxels.length;
  const stride = Math.max(1, Math.floor(n / 1_000_000));
  let min = Infinity, max = -Infinity;
  for (let i = 0; i < n; i += stride) {
    const v = voxels[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || min === max) return { verdict: 'unknown', darkLevel: min, median: min, p1: min, p99: max };
  const bins = Math.min(65536, Math.ceil(max - min) + 1);
  const width = (max - min) / (bins - 1);
  const hist = new Uint32Array(bins);
  let total = 0;
  let minCount = 0, zeroCount = 0;
  for (let i = 0; i < n; i += stride) {
    const v = voxels[i]!;
    hist[Math.round((v - min) / width)]!++;
    total++;
    if (v === min) minCount++;
    if (v === 0) zeroCount++;
  }
  // Spikes: the exact minimum and exact 0, when they dominate.
  const spikeBins: number[] = [];
  if (minCount > 0.02 * total) spikeBins.push(0);
  if (zeroCount > 0.02 * total && min < 0 && max > 0) spikeBins.push(Math.round((0 - min) / width));
  let kept = total;
  for (const b of spikeBins) {
    const remove = b === 0 ? minCount : zeroCount;
    hist[b] = Math.max(0, hist[b]! - remove);
    kept -= remove;
  }
  const percentile = (p: number): number => {
    const target = p * kept;
    let acc = 0;
    for (let b = 0; b < bins; b++) {
      acc += hist[b]!;
      if (acc >= target) return min + b * width;
    }
    return max;
  };
  if (kept < 0.05 * total) return { verdict: 'unknown', darkLevel: min, median: min, p1: min, p99: max };
  const darkLevel = percentile(0.02);
  const median = percentile(0.5);
  const p1 = percentile(0.01);
  const p99 = percentile(0.99);
  let verdict: HuVerdict['verdict'] = 'unknown';
  if (median - darkLevel > 500) verdict = darkLevel >= -1150 && darkLevel <= -850 ? 'hu' : 'not-hu';
  return { verdict, darkLevel, median, p1, p99 };
}
