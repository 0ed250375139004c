/**
 * Colours and groups of the label overlay (no Cornerstone here: the fake
 * viewer and the panel legend read the same table).
 *
 * Choices, looked at on the bone window: bone is a faint warm tint (off by
 * default: the grey values already show bone); the lesion is a saturated
 * magenta, which no crosshair line (red, yellow, green) and no grey level
 * shares; the canal blue, the foramina cyan, the roots yellow, the joint caps
 * green-white.
 */
import { JOINT_DISPLAY_LABELS } from '../core/anatomy/rasterizeStructures';
import { BONE_LABELS, FORAMEN_IDS, LABELS, ROOT_IDS } from '../core/shared/ids';
import type { LabelGroup, LabelOverlayStyle } from './ViewerPort';

/** RGBA 0-255; alpha is the label's weight, multiplied by the style's opacity. */
export type Rgba = readonly [number, number, number, number];

export const LABEL_GROUP_COLORS: Readonly<Record<LabelGroup, Rgba>> = {
  bone: [230, 200, 140, 90],
  lesion: [240, 40, 220, 255],
  canal: [70, 130, 255, 255],
  foramina: [0, 225, 235, 255],
  roots: [255, 225, 30, 255],
  joints: [140, 255, 170, 255],
};

/** Label values of each group (LABELS, plus the joint display values). */
export const LABEL_GROUP_VALUES: Readonly<Record<LabelGroup, readonly number[]>> = {
  bone: BONE_LABELS,
  lesion: [LABELS.lesion],
  canal: [LABELS.sacralCanal],
  foramina: FORAMEN_IDS.map((id) => LABELS[id]),
  roots: ROOT_IDS.map((id) => LABELS[id]),
  joints: [JOINT_DISPLAY_LABELS.jointLeft, JOINT_DISPLAY_LABELS.jointRight],
};

export const LABEL_GROUPS: readonly LabelGroup[] = ['lesion', 'bone', 'canal', 'foramina', 'roots', 'joints'];

export const DEFAULT_LABEL_STYLE: LabelOverlayStyle = {
  opacity: 0.6,
  visible: { bone: false, lesion: true, canal: true, foramina: true, roots: true, joints: true },
};

export function mergeLabelStyle(base: LabelOverlayStyle, patch: Partial<LabelOverlayStyle> | undefined): LabelOverlayStyle {
  if (!patch) return base;
  const opacity = patch.opacity === undefined ? base.opacity : Math.min(1, Math.max(0, patch.opacity));
  return { opacity, visible: { ...base.visible, ...(patch.visible ?? {}) } };
}

/** The colour table indexed by label value (0 transparent), 256 entries. */
export function labelColorTable(): Array<[number, number, number, number]> {
  const table: Array<[number, number, number, number]> = Array.from({ length: 256 }, () => [0, 0, 0, 0]);
  for (const group of LABEL_GROUPS) {
    const c = LABEL_GROUP_COLORS[group];
    for (const value of LABEL_GROUP_VALUES[group]) table[value] = [c[0], c[1], c[2], c[3]];
  }
  return table;
}

/** CSS colour of a group (legend swatches). */
export function groupCss(group: LabelGroup): string {
  const c = LABEL_GROUP_COLORS[group];
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}
