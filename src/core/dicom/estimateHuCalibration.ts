/**
 * Is this volume in Hounsfield units? Looks at the image's own histogram.
 *
 * A CT of a body holds air: a dark population about 1000 HU below soft
 * tissue. If such a population exists (the 2nd percentile lies more than 500
 * below the median), calibrated CT puts it at -1000 +/- 150 HU; anywhere else
 * means grey values (typical of cone-beam CT). Without a dark population
 * (bone-only crops, a 0 HU bath) the histogram cannot tell: 'unknown'.
 *
 * Second rule, for a field of view with little air (cone-beam CT truncated
 * inside the body): a dominant population (a histogram peak holding >= 20 %
 * of the samples within +/- 50) at a value no body material has in HU
 * (above 600: a body is not mostly cortex; below -1150) means grey values.
 * Measured on our data: CT phantom peaks -974 and 16..36; real abdomen CT -977,
 * 3 and -77; real bone-only CT 262 (trabecular, allowed); CBCT phantom (grey =
 * 0.8 HU + 1000) 990, which this rule catches.
 *
 * Spikes are ignored first: a single exact value holding over 2 % of the
 * samples that is the minimum (padding outside the field of view, clipped
 * air) or exactly 0 (a bath), so they cannot pose as air.
 * Samples at most 262,144 voxels (1024 runs of 256); no allocation proportional to the volume.
 */
export type HuVerdict = {
  verdict: 'hu' | 'not-hu' | 'unknown';
  /** 2nd percentile (the air level when there is air), in volume values. */
  darkLevel: number;
  median: number;
  p1: number;
  p99: number;
  /** Centre of the densest +/- 50 window (volume values), null if undetermined. */
  dominantPeak: number | null;
  /** Why 'hu' or 'not-hu', in words for the user; '' when unknown. */
  reason: string;
};

export function estimateHuCalibration(voxels: ArrayLike<number>): HuVerdict {
  const n = voxels.length;
  // Samples: up to 1024 runs of 256 contiguous voxels (cache-friendly: a strided walk over a
  // 200 MB volume is one cache miss per sample), run starts a prime step apart so they cannot
  // line up with a row length and sample one column.
  const runLength = Math.min(256, n);
  const runs = Math.max(1, Math.min(1024, Math.floor(n / runLength)));
  const step = runs === 1 ? 0 : nextPrime(Math.max(1, Math.floor((n - runLength) / (runs - 1))));
  let min = Infinity, max = -Infinity;
  for (let r = 0; r < runs; r++) {
    const start = Math.min(r * step, n - runLength);
    for (let i = start; i < start + runLength; i++) {
      const v = voxels[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (!Number.isFinite(min) || min === max) return { verdict: 'unknown', darkLevel: min, median: min, p1: min, p99: max, dominantPeak: null, reason: '' };
  const bins = Math.min(65536, Math.ceil(max - min) + 1);
  const width = (max - min) / (bins - 1);
  const hist = new Uint32Array(bins);
  let total = 0;
  let minCount = 0, zeroCount = 0;
  for (let r = 0; r < runs; r++) {
    const start = Math.min(r * step, n - runLength);
    for (let i = start; i < start + runLength; i++) {
      const v = voxels[i]!;
      hist[Math.round((v - min) / width)]!++;
      total++;
      if (v === min) minCount++;
      if (v === 0) zeroCount++;
    }
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
  if (kept < 0.05 * total) return { verdict: 'unknown', darkLevel: min, median: min, p1: min, p99: max, dominantPeak: null, reason: '' };
  const darkLevel = percentile(0.02);
  const median = percentile(0.5);
  const p1 = percentile(0.01);
  const p99 = percentile(0.99);
  const dominant = dominantPeak(hist, min, width, kept);
  let verdict: HuVerdict['verdict'] = 'unknown';
  let reason = '';
  if (median - darkLevel > 500) {
    verdict = darkLevel >= -1150 && darkLevel <= -850 ? 'hu' : 'not-hu';
    reason = verdict === 'hu' ? `air sits at ${Math.round(darkLevel)}, as in HU` : `air sits at ${Math.round(darkLevel)} instead of about -1000`;
  }
  if (verdict === 'unknown' && dominant && dominant.fraction >= 0.2 && dominant.value >= -1100 && dominant.value <= -900) {
    // Air dominates the field of view (then the median is air too): it sits where HU puts it.
    verdict = 'hu';
    reason = `air sits at ${Math.round(dominant.value)}, as in HU`;
  }
  if (dominant && dominant.fraction >= 0.2 && (dominant.value > 600 || dominant.value < -1150)) {
    verdict = 'not-hu';
    reason = `${Math.round(dominant.fraction * 100)} % of the image sits near ${Math.round(dominant.value)}, a value no body tissue has in HU`;
  }
  return { verdict, darkLevel, median, p1, p99, dominantPeak: dominant?.value ?? null, reason };
}

function nextPrime(value: number): number {
  if (value <= 2) return Math.max(1, value);
  for (let candidate = value % 2 === 0 ? value + 1 : value; ; candidate += 2) {
    let prime = true;
    for (let d = 3; d * d <= candidate; d += 2) if (candidate % d === 0) { prime = false; break; }
    if (prime) return candidate;
  }
}

/** Highest peak of the histogram smoothed over +/- 50 value units: its value and the share of samples in that window. */
function dominantPeak(hist: Uint32Array, min: number, width: number, total: number): { value: number; fraction: number } | null {
  const half = Math.max(1, Math.round(50 / width));
  let best = -1, bestCount = 0, windowCount = 0;
  // Running sum over [b - half, b + half].
  for (let b = 0; b < Math.min(hist.length, half); b++) windowCount += hist[b]!;
  for (let b = 0; b < hist.length; b++) {
    if (b + half < hist.length) windowCount += hist[b + half]!;
    if (b - half - 1 >= 0) windowCount -= hist[b - half - 1]!;
    if (windowCount > bestCount) { bestCount = windowCount; best = b; }
  }
  return best < 0 || total === 0 ? null : { value: min + best * width, fraction: bestCount / total };
}
