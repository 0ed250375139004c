import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import { computeHistogram, otsuThreshold, binCentre } from '../segmentation/thresholds';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';

/**
 * Where the screw's path meets the skin: walking from the bone entry back out
 * along the axis (away from the tip), the first point where the image turns
 * to air. Air is below `airThreshold`: -500 HU for CT; for a cone-beam CT
 * (not calibrated in HU) the Otsu threshold of the image's own histogram
 * (air against everything else) unless the caller gives one.
 *
 * Outcomes are data: `found` is false when the path leaves the image before
 * it reaches air (small CBCT field of view, a bone-only volume); `skinEntryLps`
 * is then the last point inside the image and the report must say so.
 */
export type SkinEntryResult = {
  found: boolean;
  skinEntryLps: Vec3;
  /** Distance from the skin entry to the bone entry along the path, mm. */
  skinToBoneMm: number;
  /** The air threshold used (grey value of the image). */
  airThreshold: number;
};

export type SkinEntryOptions = {
  airThreshold?: number;
  /** Sampling step along the path, mm (default 0.5); the crossing is then refined by bisection. */
  stepMm?: number;
  /** Air must persist this far outward to count (skips a gas bubble inside the body), mm (default 3). */
  minAirRunMm?: number;
};

/** Default air threshold: -500 HU for CT, Otsu of the histogram for anything else. */
export function defaultAirThreshold(volume: Volume<VoxelArray>): number {
  if (volume.kind === 'ct') return -500;
  const h = computeHistogram(volume, { stride: 2, maxBins: 1024 });
  return binCentre(h, otsuThreshold(h));
}

export function computeSkinEntry(
  volume: Volume<VoxelArray>,
  boneEntryLps: Readonly<Vec3>,
  tipLps: Readonly<Vec3>,
  options: SkinEntryOptions = {},
): SkinEntryResult {
  const dx = boneEntryLps[0] - tipLps[0], dy = boneEntryLps[1] - tipLps[1], dz = boneEntryLps[2] - tipLps[2];
  const len = Math.hypot(dx, dy, dz);
  if (!(len > 0)) throw new PlannerError('report/bad-input', 'skin entry: bone entry and tip coincide');
  const out: Vec3 = [dx / len, dy / len, dz / len];
  const threshold = options.airThreshold ?? defaultAirThreshold(volume);
  const step = options.stepMm ?? 0.5;
  const minRun = options.minAirRunMm ?? 3;
  const p: Vec3 = [0, 0, 0];
  const at = (t: number): Vec3 => {
    p[0] = boneEntryLps[0] + out[0] * t; p[1] = boneEntryLps[1] + out[1] * t; p[2] = boneEntryLps[2] + out[2] * t;
    return p;
  };
  let lastInside = 0;
  let runStart = -1;
  for (let t = 0; t < 2000; t += step) {
    const v = sampleTrilinearLps(volume, at(t), Number.NaN);
    if (Number.isNaN(v)) break;
    lastInside = t;
    if (v < threshold) {
      if (runStart < 0) runStart = t;
      if (t - runStart >= minRun) {
        // Refine the tissue-to-air crossing between runStart - step and runStart.
        let lo = Math.max(0, runStart - step), hi = runStart;
        for (let n = 0; n < 30; n++) {
          const mid = (lo + hi) / 2;
          if (sampleTrilinearLps(volume, at(mid), Number.NaN) < threshold) hi = mid; else lo = mid;
        }
        const s = (lo + hi) / 2;
        return { found: true, skinEntryLps: [...at(s)] as Vec3, skinToBoneMm: s, airThreshold: threshold };
      }
    } else runStart = -1;
  }
  return { found: false, skinEntryLps: [...at(lastInside)] as Vec3, skinToBoneMm: lastInside, airThreshold: threshold };
}
