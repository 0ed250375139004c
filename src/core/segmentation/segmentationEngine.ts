import type { Vec3 } from '../geometry/vec3';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { PlannerError, errorCodeOf } from '../shared/errors';
import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import type { CriticalStructures } from '../anatomy/structures';
import { emptyStructures } from '../anatomy/structures';
import type { BuildFieldSetOptions } from '../fields/buildFieldSet';
import { buildFieldSet, createFieldSetCache } from '../fields/buildFieldSet';
import type { FieldSet } from '../fields/FieldSet';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import { isSameGrid } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';
import { allocVoxels } from '../volume/voxelBuffer';
import type { GrowLesionOptions } from './growLesion';
import { growLesion } from './growLesion';
import type { LabelEdit, LabelHistory, RegionMeasure } from './labelEdits';
import { createLabelHistory, editLabelDelta, measureLabel, paintBone, paintSphere } from './labelEdits';
import type { StructuresSideThread } from './overlapStructures';
import { detectStructuresDuring } from './overlapStructures';
import type { BonePartSummary } from './segmentBone';
import { segmentBone } from './segmentBone';
import type { BoneThresholds } from './thresholds';
import { computeBoneThresholds } from './thresholds';
import { assessSacrumCoverage, type SacrumCoverage } from './sacrumCoverage';

/**
 * The segmentation engine: the object a worker exposes (workers/segmentation.worker.ts)
 * and tests or the in-process fallback call directly. It holds one CT, its label
 * volume, the edit history and the critical-structure models; every method takes
 * and returns plain data. With `shared: true` the label volume and the fields are
 * allocated on SharedArrayBuffers, so returning them shares memory; otherwise the
 * structured clone copies them (the label volume is a byte per voxel).
 */

export type LabelsState = {
  labels: Volume<Uint8Array>;
  generation: number;
  lesion: RegionMeasure | null;
  /** After an edit, its undo or redo: mL gained (+) or lost (-) per label value (the bone parts' figures follow it). */
  changedMlByLabel?: Array<[number, number]>;
};

export type SegmentationEngine = {
  /** Loads the CT (kept by reference; in transfer mode the caller transferred a copy). Resets labels and history. */
  loadVolume(ct: Volume<VoxelArray>): void;
  /** Automatic bone segmentation of the loaded CT; replaces the labels. */
  segmentBone(): LabelsState & { parts: BonePartSummary[]; notes: string[]; thresholds: BoneThresholds };
  /** Replaces the labels (imported DICOM SEG or NRRD on the CT grid). */
  setLabels(labels: Volume<Uint8Array>): LabelsState;
  /** One-click lesion growing (see growLesion). */
  growLesion(options: GrowLesionOptions): LabelsState & { windowGrey: [number, number]; touchesBox: boolean; changedVoxels: number; status: 'ok' | 'conservative' | 'leak'; bridged: boolean };
  /** Sphere brush ('add') or eraser ('erase') of the lesion label. */
  paintLesion(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase'): LabelsState & { changedVoxels: number };
  /**
   * Bone brush ('add': extends the bone part nearest to the centre over background) or
   * bone eraser ('erase': every bone part in the sphere to background); never the lesion or a
   * structure. One undo step with the lesion edits.
   */
  paintBone(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase'): LabelsState & { changedVoxels: number; partLabel: number | null };
  undo(): LabelsState | null;
  redo(): LabelsState | null;
  getLabels(): LabelsState;
  /** Detects the canal, foramina, roots and joint surfaces from the current labels. */
  detectStructures(): CriticalStructures;
  /** Replaces the structure models (after the user edited them). */
  setStructures(structures: CriticalStructures): void;
  getStructures(): CriticalStructures;
  /** Distance fields for the planner from the current labels and structures. */
  buildFields(options?: BuildFieldSetOptions): FieldSet;
  /** Is the sacrum's bone label whole (sacrumCoverage.ts)? From the current labels and structures; null without a sacrum. Additive. */
  assessSacrumCoverage(): SacrumCoverage | null;
};

export type SegmentationEngineOptions = {
  /** Labels and fields on SharedArrayBuffers. */
  shared?: boolean;
  /**
   * A second thread for the structure detection (shared mode): while it detects them,
   * this thread builds the bone-depth field ahead of time (overlapStructures.ts); its
   * `post` is set when the helper thread is attached (segmentationClient.ts).
   */
  sideThread?: StructuresSideThread;
};

export function createSegmentationEngine(options: SegmentationEngineOptions = {}): SegmentationEngine {
  const shared = options.shared ?? false;
  const sideThread = options.sideThread ?? null;
  let ct: Volume<VoxelArray> | null = null;
  let labels: Volume<Uint8Array> | null = null;
  let history: LabelHistory | null = null;
  let structures: CriticalStructures = emptyStructures();
  // The image's own thresholds (segmentBone's, or computed when labels were imported instead).
  let thresholds: BoneThresholds | null = null;
  // Fields of the last build, reused by the next when their input is unchanged (a lesion click keeps the bone depth).
  let fieldCache = createFieldSetCache();

  const requireCt = (): Volume<VoxelArray> => {
    if (!ct) throw new PlannerError('segmentation/bad-input', 'no volume loaded: call loadVolume first');
    return ct;
  };
  const requireLabels = (): Volume<Uint8Array> => {
    if (!labels) throw new PlannerError('segmentation/bad-input', 'no labels yet: run segmentBone or setLabels first');
    return labels;
  };
  /** The state after `edit` was applied (1) or undone (-1), with its change per label in mL. */
  const stateAfter = (edit: LabelEdit, direction: 1 | -1): LabelsState => ({ ...state(), ...stateDelta(edit, direction) });
  /** The per-label change of an edit applied (1) or undone (-1), mL (growLesion measures the lesion itself). */
  const stateDelta = (edit: LabelEdit, direction: 1 | -1 = 1): Pick<LabelsState, 'changedMlByLabel'> => {
    const g = requireLabels().geometry;
    const voxelMl = (g.spacingMm[0] * g.spacingMm[1] * g.spacingMm[2]) / 1000;
    return { changedMlByLabel: [...editLabelDelta(edit, direction)].map(([label, n]): [number, number] => [label, n * voxelMl]) };
  };
  const state = (): LabelsState => {
    const l = requireLabels();
    return { labels: l, generation: l.generation, lesion: measureLabel(l, LABELS.lesion) };
  };
  const adopt = (l: Volume<Uint8Array>): void => {
    labels = l;
    history = createLabelHistory(l);
  };

  return {
    loadVolume(volume) {
      ct = volume;
      labels = null;
      history = null;
      structures = emptyStructures();
      thresholds = null;
      fieldCache = createFieldSetCache();
    },
    segmentBone() {
      const seg = segmentBone(requireCt(), { shared });
      thresholds = seg.thresholds;
      adopt(seg.labels);
      // segmentBone writes bone parts only: its own count says there is no lesion, without
      // state()'s scan of the whole label volume for one (about 100 ms at full size on shared memory).
      const lesion = seg.voxelsPerLabel[LABELS.lesion] === 0 ? null : measureLabel(seg.labels, LABELS.lesion);
      return { labels: seg.labels, generation: seg.labels.generation, lesion, parts: seg.parts, notes: seg.notes, thresholds: seg.thresholds };
    },
    setLabels(volume) {
      const c = requireCt();
      if (!isSameGrid(c.geometry, volume.geometry)) throw new PlannerError('volume/mismatch', `labels ${volume.id} are not on the grid of ${c.id}`);
      // Own a copy on the engine's kind of memory, so later edits never touch the caller's buffer.
      const voxels = allocVoxels(Uint8Array, volume.voxels.length, { shared });
      voxels.set(volume.voxels);
      adopt(createVolume(volume.id, 'label', volume.geometry, voxels));
      return state();
    },
    growLesion(growOptions) {
      const l = requireLabels();
      const res = growLesion(requireCt(), l, growOptions);
      history!.push(res.edit);
      return { ...stateDelta(res.edit), labels: l, generation: l.generation, lesion: res.measure, windowGrey: res.windowGrey, touchesBox: res.touchesBox, changedVoxels: res.edit.indices.length, status: res.status, bridged: res.bridged };
    },
    paintLesion(centerLps, radiusMm, mode) {
      const l = requireLabels();
      const edit = paintSphere(l, centerLps, radiusMm, {
        label: LABELS.lesion,
        mode,
        // The brush paints over bone and background, never over critical-structure labels.
        paintOver: mode === 'add' ? [0, LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.femurLeft, LABELS.femurRight, LABELS.l5] : undefined,
      });
      history!.push(edit);
      return { ...stateAfter(edit, 1), changedVoxels: edit.indices.length };
    },
    paintBone(centerLps, radiusMm, mode) {
      const l = requireLabels();
      const res = paintBone(l, centerLps, radiusMm, mode, BONE_LABELS);
      history!.push(res.edit);
      return { ...stateAfter(res.edit, 1), changedVoxels: res.edit.indices.length, partLabel: res.partLabel };
    },
    undo() {
      if (!history) return null;
      const edit = history.undo();
      return edit ? stateAfter(edit, -1) : null;
    },
    redo() {
      if (!history) return null;
      const edit = history.redo();
      return edit ? stateAfter(edit, 1) : null;
    },
    getLabels: state,
    detectStructures() {
      const l = requireLabels();
      if (!sideThread?.post || !shared) {
        structures = detectCriticalStructures(l);
        return structures;
      }
      // Two threads: the structures on the helper while this thread builds the signed fields
      // into the field cache (they need the labels only); buildFields then takes them from
      // the cache (unchanged inside sets) and adds the structure fields. Same fields, bit for bit.
      structures = detectStructuresDuring(l, sideThread, () => {
        try {
          buildFieldSet(l, emptyStructures(), { shared, generation: l.generation, cache: fieldCache, signedFieldsOnly: true, editsBumpGeneration: true });
        } catch (error) {
          // Nothing to build ahead (no bone): buildFields reports it when it is asked for. Anything
          // else (a stalled helper, memory) would fail buildFields the same way: report it now.
          if (errorCodeOf(error) !== 'segmentation/no-bone') throw error;
        }
      }).structures;
      return structures;
    },
    setStructures(s) {
      structures = s;
    },
    getStructures() {
      return structures;
    },
    assessSacrumCoverage() {
      const c = requireCt();
      thresholds ??= computeBoneThresholds(c);
      return assessSacrumCoverage(c, requireLabels(), structures, thresholds);
    },
    buildFields(fieldOptions) {
      const l = requireLabels();
      // Every edit of the engine's labels goes through labelEdits / growLesion, which bump the
      // generation: the crop of the build ahead of time (detectStructures) is reused.
      return buildFieldSet(l, structures, { shared, generation: l.generation, ...fieldOptions, cache: fieldCache, editsBumpGeneration: true });
    },
  };
}
