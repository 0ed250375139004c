/**
 * Window presets. CT presets are in Hounsfield units; a CBCT is not
 * calibrated in HU, so its window comes from the image's own histogram.
 */
import type { VoxelArray } from '../core/volume/voxelBuffer';
import type { WindowLevel, WindowPresetId } from './ViewerPort';

export const CT_WINDOWS: Readonly<Record<'bone' | 'softTissue', WindowLevel>> = {
  // Cortex white, trabecular bone and lytic lesions distinguishable.
  bone: { widthHu: 1800, centerHu: 400 },
  softTissue: { widthHu: 400, centerHu: 40 },
};

/** Converts a window to the [lower, upper] value range a renderer wants. */
export function windowToRange(window: WindowLevel): { lower: number; upper: number } {
  return { lower: window.centerHu - window.widthHu / 2, upper: window.centerHu + window.widthHu / 2 };
}

export function rangeToWindow(lower: number, upper: number): WindowLevel {
  return { widthHu: Math.max(1, upper - lower), centerHu: (lower + upper) / 2 };
}

/**
 * A bone window from the histogram, for grey values that are not HU (CBCT).
 *
 * Takes at most `maxSamples` voxels on a regular stride. The soft-tissue
 * level is the histogram mode above the 10th percentile (below it lie air and
 * padding outside the field of view); the top is the 99.7th percentile (dense
 * cortex). The window runs from just below soft tissue to the top, so soft
 * tissue is dark grey and cortex white, the look of a CT bone window.
 * O(maxSamples log maxSamples); allocates the sample.
 */
export function computeAutoWindow(voxels: VoxelArray, maxSamples = 200_000): WindowLevel {
  const n = voxels.length;
  if (n === 0) return { widthHu: 1, centerHu: 0 };
  const stride = Math.max(1, Math.floor(n / maxSamples));
  const sample = new Float64Array(Math.ceil(n / stride));
  let m = 0;
  for (let i = 0; i < n; i += stride) sample[m++] = voxels[i]!;
  const sorted = sample.subarray(0, m).sort();
  const at = (q: number): number => sorted[Math.min(m - 1, Math.max(0, Math.floor(q * (m - 1))))]!;
  const p10 = at(0.1);
  const top = at(0.997);
  if (!(top > p10)) return { widthHu: Math.max(1, Math.abs(top) * 0.1 || 1), centerHu: top };
  // Mode above p10 on a 128-bin histogram between p10 and top.
  const bins = new Uint32Array(128);
  const scale = 128 / (top - p10);
  for (let i = 0; i < m; i++) {
    const v = sorted[i]!;
    if (v <= p10 || v > top) continue;
    bins[Math.min(127, Math.floor((v - p10) * scale))]!++;
  }
  let modeBin = 0;
  for (let b = 1; b < 128; b++) if (bins[b]! > bins[modeBin]!) modeBin = b;
  const soft = p10 + (modeBin + 0.5) / scale;
  const lower = soft - 0.15 * (top - soft);
  return rangeToWindow(lower, top);
}

/** The window of a preset; `cbctAuto` needs the voxels. */
export function windowForPreset(preset: WindowPresetId, voxels: VoxelArray | null): WindowLevel {
  if (preset === 'cbctAuto') return voxels ? computeAutoWindow(voxels) : CT_WINDOWS.bone;
  return CT_WINDOWS[preset];
}

/** A Cornerstone/vtk volume-rendering preset (all fields are space-separated strings). */
export type VolumePreset = {
  name: string;
  gradientOpacity: string;
  specularPower: string;
  scalarOpacity: string;
  specular: string;
  shade: string;
  ambient: string;
  colorTransfer: string;
  diffuse: string;
  interpolation: string;
};

/**
 * Bone-only volume rendering: transparent below `lowValue` (soft tissue, fat,
 * air), ramping to opaque ivory at `highValue` (cortex). Cornerstone's
 * 'CT-Bone' starts its ramp at -16 HU, so a whole pelvis of soft tissue turns
 * into a red fog in front of the bone.
 * CT: 180 / 700 HU. CBCT: thresholds from the histogram window (see volumeRenderingThresholds).
 * `shade: false` drops the lighting (gradient computation per sample), for software rasterizers.
 */
export function createBonePreset(lowValue: number, highValue: number, options: { shade?: boolean } = {}): VolumePreset {
  const span = Math.max(1, highValue - lowValue);
  const min = lowValue - 4 * span;
  const max = highValue + 4 * span;
  const f = (v: number): string => v.toFixed(1);
  return {
    name: `planner-bone-${Math.round(lowValue)}-${Math.round(highValue)}`,
    gradientOpacity: '4 0 1 255 1',
    specularPower: '10',
    scalarOpacity: `8 ${f(min)} 0 ${f(lowValue)} 0 ${f(highValue)} 0.85 ${f(max)} 0.9`,
    specular: '0.2',
    shade: options.shade === false ? '0' : '1',
    ambient: options.shade === false ? '1' : '0.2',
    colorTransfer: `16 ${f(min)} 0 0 0 ${f(lowValue)} 0.55 0.35 0.25 ${f(highValue)} 0.93 0.88 0.78 ${f(max)} 1 1 1`,
    diffuse: '0.9',
    interpolation: '1',
  };
}

/** Thresholds of the bone preset: fixed HU for CT, from the histogram window for CBCT. */
export function volumeRenderingThresholds(kind: 'ct' | 'cbct', autoWindow: WindowLevel | null): { lowValue: number; highValue: number } {
  if (kind === 'cbct' && autoWindow) {
    const { lower } = windowToRange(autoWindow);
    return { lowValue: lower + 0.3 * autoWindow.widthHu, highValue: lower + 0.75 * autoWindow.widthHu };
  }
  return { lowValue: 180, highValue: 700 };
}
