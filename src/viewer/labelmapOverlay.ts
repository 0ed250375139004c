/**
 * The label overlay of the MPR views, through Cornerstone's segmentation
 * state: each label volume is a labelmap segmentation backed by a Cornerstone
 * volume on the CT grid, drawn as a labelmap representation (filled, thin
 * outline) in every MPR viewport.
 *
 * Two layers:
 * - `labels`: the planning session's label volume (bone parts, lesion). With
 *   SharedArrayBuffer memory it is registered without a copy (registerVolume,
 *   as for the CT): the segmentation worker writes, we only tell Cornerstone
 *   the data changed. With ordinary buffers the session hands out a copy per
 *   labels generation; it is copied into one buffer of ours, registered once.
 * - `structures`: the critical-structure models (canal, foramina, roots,
 *   joint caps) rasterised on the same grid into a buffer of ours
 *   (core/anatomy/rasterizeStructures), redrawn when the models change.
 *
 * Colours: labelColors.ts. Visibility per group maps to Cornerstone's
 * per-segment visibility (segment index = label value).
 */
import { type Types } from '@cornerstonejs/core';
import { Enums as ToolEnums, segmentation as csSegmentation } from '@cornerstonejs/tools';
import { rasterizeStructures } from '../core/anatomy/rasterizeStructures';
import type { CriticalStructures } from '../core/anatomy/structures';
import { PlannerError } from '../core/shared/errors';
import { createVolume, type Volume } from '../core/volume/Volume';
import { isSameGrid } from '../core/volume/VolumeGeometry';
import { DEFAULT_LABEL_STYLE, LABEL_GROUP_VALUES, LABEL_GROUPS, labelColorTable, mergeLabelStyle } from './labelColors';
import { registerVolume, type RegisteredVolume } from './registerVolume';
import type { LabelOverlayStyle } from './ViewerPort';

const LABELMAP = ToolEnums.SegmentationRepresentations.Labelmap;

type Layer = {
  readonly segmentationId: string;
  readonly reg: RegisteredVolume;
  /** The caller's voxels when registered without a copy; null when `own` holds a copy. */
  readonly source: Uint8Array | null;
  /** Id of the caller's label volume when `source` is set. */
  readonly sourceId: string | null;
  readonly own: Uint8Array | null;
};

export type LabelmapOverlay = {
  /** Shows (or refreshes) the label volume; the reference volume is the CT on screen. */
  show(labels: Volume<Uint8Array> | null, reference: Volume | null): void;
  refresh(): void;
  setStyle(patch: Partial<LabelOverlayStyle>): void;
  getStyle(): LabelOverlayStyle;
  showStructures(structures: CriticalStructures | null, reference: Volume | null): void;
  /** Removes both layers (before the CT is released). */
  clear(): void;
  /** True when the labels layer shares the caller's memory (no copy). */
  isZeroCopy(): boolean;
  dispose(): void;
};

let colorLutIndex: number | null = null;
let layerCounter = 0;

export function createLabelmapOverlay(options: { viewportIds: readonly string[]; render: () => void }): LabelmapOverlay {
  const { viewportIds } = options;
  let style = DEFAULT_LABEL_STYLE;
  let labelsLayer: Layer | null = null;
  let labelsInput: Volume<Uint8Array> | null = null;
  let structuresLayer: Layer | null = null;

  const lut = (): number => {
    // One colour table per page (Cornerstone's LUT registry is global).
    if (colorLutIndex === null) colorLutIndex = csSegmentation.config.color.addColorLUT(labelColorTable() as unknown as Types.ColorLUT);
    return colorLutIndex;
  };

  function addLayer(volume: Volume<Uint8Array>, reference: Volume, source: Uint8Array | null, own: Uint8Array | null, name: string): Layer {
    const reg = registerVolume(volume, 'SEG', { frameOfReferenceOf: reference });
    const segmentationId = `planner-${name}-${++layerCounter}`;
    const segments: Record<number, { label: string }> = {};
    for (const group of LABEL_GROUPS) for (const value of LABEL_GROUP_VALUES[group]) segments[value] = { label: `${group} ${value}` };
    csSegmentation.addSegmentations([{ segmentationId, representation: { type: LABELMAP, data: { volumeId: reg.volumeId } }, config: { label: name, segments } }]);
    const index = lut();
    const map: Record<string, Array<{ segmentationId: string; type: typeof LABELMAP; config: { colorLUTOrIndex: number } }>> = {};
    for (const id of viewportIds) map[id] = [{ segmentationId, type: LABELMAP, config: { colorLUTOrIndex: index } }];
    csSegmentation.addLabelmapRepresentationToViewportMap(map);
    const layer = { segmentationId, reg, source, sourceId: source ? volume.id : null, own };
    applyStyle(layer);
    return layer;
  }

  function removeLayer(layer: Layer | null): void {
    if (!layer) return;
    csSegmentation.removeSegmentation(layer.segmentationId);
    layer.reg.release();
  }

  function applyStyle(layer: Layer): void {
    const s = { fillAlpha: style.opacity, fillAlphaInactive: style.opacity, renderOutline: true, renderOutlineInactive: true, outlineWidth: 1, outlineWidthInactive: 1, outlineOpacity: Math.min(1, style.opacity + 0.3), outlineOpacityInactive: Math.min(1, style.opacity + 0.3) };
    csSegmentation.config.style.setStyle({ type: LABELMAP, segmentationId: layer.segmentationId }, s);
    for (const id of viewportIds) {
      for (const group of LABEL_GROUPS) {
        for (const value of LABEL_GROUP_VALUES[group]) {
          csSegmentation.config.visibility.setSegmentIndexVisibility(id, { segmentationId: layer.segmentationId, type: LABELMAP }, value, style.visible[group]);
        }
      }
    }
  }

  function dataModified(layer: Layer | null): void {
    if (!layer) return;
    csSegmentation.triggerSegmentationEvents.triggerSegmentationDataModified(layer.segmentationId);
  }

  const sameLabels = (layer: Layer, labels: Volume<Uint8Array>): boolean =>
    layer.source !== null && (layer.source === labels.voxels || (layer.sourceId === labels.id && isShared(labels.voxels) && layer.source.length === labels.voxels.length));

  const isShared = (a: Uint8Array): boolean => typeof SharedArrayBuffer !== 'undefined' && a.buffer instanceof SharedArrayBuffer;

  const overlay: LabelmapOverlay = {
    show(labels, reference) {
      if (!labels) {
        removeLayer(labelsLayer);
        labelsLayer = null;
        labelsInput = null;
        options.render();
        return;
      }
      if (!reference) throw new PlannerError('volume/mismatch', 'labels can only be shown over an open volume');
      if (!isSameGrid(reference.geometry, labels.geometry)) throw new PlannerError('volume/mismatch', `labels ${labels.id} are not on the grid of the volume shown`);
      labelsInput = labels;
      const current = labelsLayer;
      // Each worker reply carries a new SharedArrayBuffer object over the same memory, so identity
      // cannot tell; the engine keeps one label volume (one id) per segmentation, edited in place.
      if (current && current.source && sameLabels(current, labels)) return overlay.refresh();
      if (current && current.own && !isShared(labels.voxels)) {
        current.own.set(labels.voxels);
        return dataModified(current);
      }
      removeLayer(current);
      if (isShared(labels.voxels)) {
        labelsLayer = addLayer(labels, reference, labels.voxels, null, 'labels');
      } else {
        const own = new Uint8Array(labels.voxels);
        labelsLayer = addLayer(createVolume(`${labels.id}-display`, 'label', labels.geometry, own), reference, null, own, 'labels');
      }
      options.render();
    },
    refresh() {
      if (!labelsLayer || !labelsInput) return;
      if (labelsLayer.own) labelsLayer.own.set(labelsInput.voxels);
      dataModified(labelsLayer);
    },
    setStyle(patch) {
      style = mergeLabelStyle(style, patch);
      for (const layer of [labelsLayer, structuresLayer]) if (layer) applyStyle(layer);
      options.render();
    },
    getStyle: () => ({ opacity: style.opacity, visible: { ...style.visible } }),
    showStructures(structures, reference) {
      if (!structures || !reference) {
        removeLayer(structuresLayer);
        structuresLayer = null;
        options.render();
        return;
      }
      if (structuresLayer && structuresLayer.own && structuresLayer.own.length === reference.voxels.length) {
        rasterizeStructures(reference.geometry, structures, structuresLayer.own);
        return dataModified(structuresLayer);
      }
      removeLayer(structuresLayer);
      const own = rasterizeStructures(reference.geometry, structures);
      structuresLayer = addLayer(createVolume(`${reference.id}-structures`, 'label', reference.geometry, own), reference, null, own, 'structures');
      options.render();
    },
    clear() {
      removeLayer(labelsLayer);
      removeLayer(structuresLayer);
      labelsLayer = null;
      structuresLayer = null;
      labelsInput = null;
    },
    isZeroCopy: () => labelsLayer !== null && labelsLayer.source !== null,
    dispose() {
      overlay.clear();
    },
  };
  return overlay;
}
