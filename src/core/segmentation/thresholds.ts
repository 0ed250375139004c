import type { VoxelBox } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';

/**
 * Histogram-derived grey-value thresholds for bone, valid for calibrated CT and
 * for uncalibrated cone-beam CT alike: every value comes from the image's own
 * histogram (the soft-tissue peak and the shape of the bone tail), never from a
 * fixed Hounsfield number.
 */

/** Grey-value histogram: bin b counts values in [minGrey + b*binWidth, minGrey + (b+1)*binWidth). */
export type Histogram = {
  readonly minGrey: number;
  readonly binWidth: number;
  readonly counts: Float64Array;
  readonly total: number;
};

/**
 * Histogram of a volume (or of a box of it), sampling every `stride`-th voxel
 * along each axis (stride 2 reads one voxel in eight: ample for thresholds).
 */
export function computeHistogram(volume: Volume<VoxelArray>, options: { box?: VoxelBox; stride?: number; maxBins?: number } = {}): Histogram {
  const [ni, nj, nk] = volume.geometry.dims;
  const box = options.box ?? { min: [0, 0, 0], max: [ni, nj, nk] };
  const stride = Math.max(1, Math.floor(options.stride ?? 1));
  const v = volume.voxels;
  if (v instanceof Int16Array || v instanceof Uint16Array || v instanceof Uint8Array) return histogramOfSmallIntegers(v, ni, nj, box, stride, options.maxBins ?? 4096);
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

/**
 * {@link computeHistogram} for 8- and 16-bit voxels in one pass over the samples: a count per
 * possible value (65,536 or 256), whose occupied range gives the minimum and maximum, then
 * summed into the bins with the same bin formula as the two-pass loop (the counts are
 * integers, so the sums are exact: the same histogram).
 */
function histogramOfSmallIntegers(v: Int16Array | Uint16Array | Uint8Array, ni: number, nj: number, box: VoxelBox, stride: number, maxBins: number): Histogram {
  const perValue = new Uint32Array(perValueRange(v));
  const total = countPerValue(v, ni, nj, box, stride, 0, Math.ceil((box.max[2] - box.min[2]) / stride), perValue, 0);
  return histogramOfPerValue(v, perValue, total, maxBins);
}

/** How many grey values an 8/16-bit voxel array can hold (the length of a per-value count). */
export function perValueRange(v: Int16Array | Uint16Array | Uint8Array): number {
  return v instanceof Uint8Array ? 256 : 65536;
}

/**
 * Counts the voxels of `v` per grey value into `perValue[at + value (+ 32768 for Int16)]` over the
 * sampled slices s0 <= s < s1 (slice box.min[2] + s * stride) of computeHistogram's sampling of
 * `box` with `stride`; returns how many were counted. Slices counted apart and summed give the
 * counts of all at once (integers).
 */
export function countPerValue(v: Int16Array | Uint16Array | Uint8Array, ni: number, nj: number, box: VoxelBox, stride: number, s0: number, s1: number, perValue: Uint32Array, at: number): number {
  const shift = (v instanceof Int16Array ? 32768 : 0) + at;
  let total = 0;
  for (let s = s0; s < s1; s++) {
    const k = box.min[2] + s * stride;
    for (let j = box.min[1]; j < box.max[1]; j += stride) {
      const row = ni * (j + nj * k);
      for (let i = box.min[0]; i < box.max[0]; i += stride) {
        perValue[v[row + i]! + shift]!++;
        total++;
      }
    }
  }
  return total;
}

/** computeHistogram of 8/16-bit voxels from their per-value counts ({@link countPerValue} over every sampled slice). */
export function histogramOfPerValue(v: Int16Array | Uint16Array | Uint8Array, perValue: Uint32Array, total: number, maxBins: number): Histogram {
  const shift = v instanceof Int16Array ? 32768 : 0;
  let first = 0, last = perValue.length - 1;
  while (first < perValue.length && perValue[first] === 0) first++;
  if (first === perValue.length) return { minGrey: 0, binWidth: 1, counts: new Float64Array(1), total: 0 };
  while (perValue[last] === 0) last--;
  const lo = first - shift, hi = last - shift;
  let binWidth = (hi - lo + 1) / maxBins;
  binWidth = Math.max(1, Math.ceil(binWidth));
  if (!(binWidth > 0)) binWidth = 1;
  const nb = Math.max(1, Math.min(maxBins, Math.floor((hi - lo) / binWidth) + 1));
  const counts = new Float64Array(nb);
  const inv = 1 / binWidth;
  for (let x = lo; x <= hi; x++) {
    const c = perValue[x + shift]!;
    if (c === 0) continue;
    let b = Math.floor((x - lo) * inv);
    if (b >= nb) b = nb - 1;
    counts[b]! += c;
  }
  return { minGrey: lo, binWidth, counts, total };
}

/** Grey value at the centre of bin `b`. */
export function binCentre(h: Histogram, b: number): number {
  return h.minGrey + (b + 0.5) * h.binWidth;
}

/** Bin index of a grey value, clamped. */
export function binOf(h: Histogram, grey: number): number {
  return Math.max(0, Math.min(h.counts.length - 1, Math.floor((grey - h.minGrey) / h.binWidth)));
}

/** Otsu's threshold on bins [from, to) (grey value at the split); NaN when the range is empty. */
export function otsuThreshold(h: Histogram, from = 0, to = h.counts.length): number {
  const c = h.counts;
  let w = 0, s = 0;
  for (let b = from; b < to; b++) {
    w += c[b]!;
    s += c[b]! * b;
  }
  if (w <= 0) return NaN;
  let w0 = 0, s0 = 0, best = -1, bestB = from;
  for (let b = from; b < to - 1; b++) {
    w0 += c[b]!;
    s0 += c[b]! * b;
    const w1 = w - w0;
    if (w0 <= 0 || w1 <= 0) continue;
    const m0 = s0 / w0, m1 = (s - s0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  return h.minGrey + (bestB + 1) * h.binWidth;
}

/** Grey value below which `fraction` of the counted voxels lie. */
export function histogramQuantile(h: Histogram, fraction: number): number {
  const target = fraction * h.total;
  let acc = 0;
  for (let b = 0; b < h.counts.length; b++) {
    acc += h.counts[b]!;
    if (acc >= target) return binCentre(h, b);
  }
  return binCentre(h, h.counts.length - 1);
}

export type BoneThresholds = {
  /** Centre of the soft-tissue peak (muscle on CT; the 0 HU bath of a bone-only export). Grey units of the volume. */
  readonly softTissuePeakGrey: number;
  /** Spread (sigma estimated from the half-maximum width) of the soft-tissue peak, grey units. */
  readonly softTissueSigmaGrey: number;
  /** Threshold for compact bone (cortex and dense trabecular bone), grey units. */
  readonly boneGrey: number;
  /** 99.5th percentile of the bone tail: a typical cortical value, grey units. */
  readonly corticalGrey: number;
  /** Threshold between air/fat and tissue, grey units (what the body outline uses). */
  readonly bodyGrey: number;
};

/**
 * Finds the soft-tissue peak and the bone threshold from the volume's own histogram.
 *
 * 1. Smoothed histogram; prominent peaks (prominence >= 2 % of the highest bin).
 *    Peaks in the lowest 15 % of the grey range are air. The soft-tissue peak is
 *    the highest-valued remaining peak that holds at least a quarter of the most
 *    populous one (muscle lies above fat; bone is a tail or a minor peak). Its sigma
 *    comes from the half-maximum width on its upper flank (the lower one merges with fat).
 * 2. The bone threshold is the knee where the observed histogram leaves the
 *    peak's Gaussian flank (trabecular bone begins), kept between peak + 3 sigma
 *    and the midpoint between the peak and the cortical value.
 */
/** computeBoneThresholds' histogram sampling: every second voxel along each axis, at most 2048 bins. */
export const BONE_THRESHOLD_HISTOGRAM = { stride: 2, maxBins: 2048 } as const;

/** `histogram`: computeHistogram(volume, { box, stride, maxBins: 2048 }) computed by the caller (e.g. on two threads). */
export function computeBoneThresholds(volume: Volume<VoxelArray>, options: { box?: VoxelBox; stride?: number; histogram?: Histogram } = {}): BoneThresholds {
  const h = options.histogram ?? computeHistogram(volume, { box: options.box, stride: options.stride ?? BONE_THRESHOLD_HISTOGRAM.stride, maxBins: BONE_THRESHOLD_HISTOGRAM.maxBins });
  const n = h.counts.length;
  const sm = new Float64Array(n);
  const radius = Math.max(1, Math.round(n / 400));
  for (let b = 0; b < n; b++) {
    let acc = 0, cnt = 0;
    for (let d = -radius; d <= radius; d++) {
      const q = b + d;
      if (q >= 0 && q < n) {
        acc += h.counts[q]!;
        cnt++;
      }
    }
    sm[b] = acc / cnt;
  }
  let maxCount = 0;
  for (let b = 0; b < n; b++) if (sm[b]! > maxCount) maxCount = sm[b]!;
  // Prominent peaks: local maxima whose drop to the higher of the two surrounding minima is large.
  const peaks: number[] = [];
  for (let b = 0; b < n; b++) {
    const x = sm[b]!;
    if (x <= 0) continue;
    if ((b > 0 && sm[b - 1]! > x) || (b < n - 1 && sm[b + 1]! >= x)) continue;
    let leftMin = x;
    for (let q = b - 1; q >= 0 && sm[q]! <= x; q--) if (sm[q]! < leftMin) leftMin = sm[q]!;
    let rightMin = x;
    for (let q = b + 1; q < n && sm[q]! <= x; q++) if (sm[q]! < rightMin) rightMin = sm[q]!;
    if (x - Math.max(leftMin, rightMin) >= 0.02 * maxCount) peaks.push(b);
  }
  // Air: peaks in the lowest 15 % of the robust grey range (when anything else is left).
  const rangeLo = binOf(h, histogramQuantile(h, 0.001));
  const rangeHi = binOf(h, histogramQuantile(h, 0.999));
  const airLimit = rangeLo + 0.15 * (rangeHi - rangeLo);
  let candidates = peaks.filter((b) => b > airLimit);
  if (candidates.length === 0) candidates = peaks;
  // Soft tissue: the highest-valued peak holding at least a quarter of the most populous
  // candidate (muscle above fat; a uniform bone phase or the table never holds that many voxels).
  let peak = -1;
  if (candidates.length > 0) {
    let top = 0;
    for (const b of candidates) if (sm[b]! > top) top = sm[b]!;
    for (const b of candidates) if (sm[b]! >= 0.25 * top) peak = b;
  } else {
    peak = 0;
    for (let b = 1; b < n; b++) if (sm[b]! > sm[peak]!) peak = b;
  }
  const half = sm[peak]! / 2;
  let upper = peak;
  while (upper < n - 1 && sm[upper]! > half) upper++;
  const sigma = Math.max(h.binWidth, ((upper - peak) * h.binWidth) / 1.1774);
  const peakGrey = binCentre(h, peak);

  // Bone tail: the cortical value is the 99.5th percentile of what lies above the peak.
  const tailFrom = binOf(h, peakGrey + 3 * sigma);
  let tailTotal = 0;
  for (let b = tailFrom; b < n; b++) tailTotal += h.counts[b]!;
  let acc = 0, corticalBin = n - 1;
  for (let b = tailFrom; b < n; b++) {
    acc += h.counts[b]!;
    if (acc >= 0.995 * tailTotal) {
      corticalBin = b;
      break;
    }
  }
  const corticalGrey = binCentre(h, corticalBin);
  // The bone threshold is the knee where the histogram leaves the soft-tissue
  // Gaussian (peak height, sigma from the upper flank) and the flat bone tail
  // takes over: the first bin above peak + 2 sigma holding three times what the
  // Gaussian predicts. Trabecular bone starts there; a cortical-only threshold
  // (Otsu on the tail) leaves gaps in thin cortex that the hole filling cannot close.
  const height = sm[peak]!;
  let knee = NaN;
  for (let b = peak + 1; b < n; b++) {
    const dx = (binCentre(h, b) - peakGrey) / sigma;
    if (dx < 2) continue;
    const gauss = height * Math.exp(-0.5 * dx * dx);
    if (sm[b]! > 3 * gauss + 1e-9 * height) {
      knee = binCentre(h, b);
      break;
    }
  }
  const lo = peakGrey + 3 * sigma;
  const hi = (peakGrey + corticalGrey) / 2;
  let bone = Number.isFinite(knee) ? knee : otsuThreshold(h, tailFrom, corticalBin + 1);
  if (!Number.isFinite(bone)) bone = lo;
  bone = Math.min(Math.max(bone, lo), Math.max(lo, hi));

  // Body outline: Otsu between the lowest populated value and the tissue peak.
  const body = otsuThreshold(h, 0, peak + 1);
  return {
    softTissuePeakGrey: peakGrey,
    softTissueSigmaGrey: sigma,
    boneGrey: bone,
    corticalGrey,
    bodyGrey: Number.isFinite(body) ? Math.min(body, peakGrey - 2 * sigma) : peakGrey - 3 * sigma,
  };
}
