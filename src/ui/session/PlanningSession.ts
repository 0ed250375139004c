/**
 * Contract of the planning session: the main-thread object that, for the
 * volume on screen, runs the segmentation worker (bone, lesion, critical
 * structures), builds the distance fields and feeds the planner pool.
 * `createPlanningSession` (createPlanningSession.ts: a lower-case planningSession.ts
 * would differ from this file only in casing, which tsc rejects) implements it; the plan store,
 * the segmentation panel, the screw list and the report read from it.
 *
 * Everything here is plain data in LPS millimetres. Expected clinical
 * outcomes (a lesion that leaks, no corridor) are data in the status and the
 * results, never exceptions; a call rejects only with a typed PlannerError
 * (`worker/stale` when a newer call of the same kind superseded it).
 *
 * Shared by several modules: change it additively, and say so in the commit.
 */
import type { SacrumCoverage } from '../../core/segmentation/sacrumCoverage';
import type { CriticalStructures } from '../../core/anatomy/structures';
import type { Vec3 } from '../../core/geometry/vec3';
import type { CorridorRequest, LiveCheckRequest, PlanProgress } from '../../core/planning/plannerEngine';
import type { PlanResult, PlanSettings, ScrewCatalog, ScrewEvaluation, StructuresWithoutModel } from '../../core/planning/types';
import type { Volume } from '../../core/volume/Volume';
import type { VoxelArray } from '../../core/volume/voxelBuffer';
import type { PlannerMode } from '../../compute/workerPool';
import type { SeriesIdentity } from '../loading/DicomSource';

export type SessionPhase =
  /** No volume. */
  | 'idle'
  /** Bone segmentation and structure detection running. */
  | 'segmenting'
  /** Labels and structures ready; fields being (re)built after an edit. */
  | 'fields'
  /** Fields loaded in the planner: plans and live checks can run. */
  | 'ready'
  /** Segmentation failed (the message says why and what to do); the volume stays on screen. */
  | 'error';

/** 'bridged': grown, but its cortex is destroyed on both sides and the outline across the gap is a hull between the remaining bone edges (growLesionBridge.ts): the user checks it. */
export type LesionStatus = 'ok' | 'conservative' | 'leak' | 'bridged';

export type SessionStatus = {
  phase: SessionPhase;
  seriesUid: string | null;
  /** One line for the status bar, e.g. "Bone segmented (1 240 ml); 14 structures found". */
  message: string;
  /** Increments on every change of the label volume (segmentation, lesion click, brush, undo). */
  labelsGeneration: number;
  /** Generation of the fields loaded in the planner (-1 before). */
  fieldsGeneration: number;
  /** Principal diameters (largest first, mm) measured in the worker with the lesion; null when unknown. */
  lesion: { volumeMl: number; status: LesionStatus; centroidLps: Vec3 | null; diametersMm?: [number, number, number] | null } | null;
  /** The bone segmentation as measured in the worker (parts by label value; they follow every label edit), null before it ran. */
  bone?: { totalMl: number; parts: { label: number; volumeMl: number }[]; boneThresholdGrey: number; notes: string[] } | null;
  /** Bone-brush edits (and their undo/redo) since the series opened: views of the bone surface redraw when it changes. Additive. */
  boneEdits?: number;
  /**
   * Is the sacrum's bone label whole (src/core/segmentation/sacrumCoverage.ts)? Assessed after the
   * fields of each labels generation are built (every label edit, import, structure edit); null
   * without a sacrum, undefined before the first assessment. Additive.
   */
  sacrumCoverage?: SacrumCoverage | null;
  structures: CriticalStructures | null;
  /** Structures the planner has no model for (clearance to them cannot be checked). */
  missingStructures: string[];
  plannerMode: PlannerMode | null;
  /** Set in phase 'error'. */
  error: { code: string; message: string } | null;
};

/** Identity of the open series as the plan file records it (defined with the loader: ui/loading/DicomSource.ts). */
export type { SeriesIdentity };

export type LesionClickResult = { status: LesionStatus; volumeMl: number; changedVoxels: number; message: string };

export interface PlanningSession {
  /** Starts on a newly shown volume (releases the previous one): bone segmentation, structures, fields. */
  open(volume: Volume<VoxelArray>, seriesUid: string, identity?: SeriesIdentity): Promise<void>;
  /** Releases the volume's workers and buffers (the next open() also does). */
  close(): void;
  getStatus(): Readonly<SessionStatus>;
  subscribe(listener: (status: Readonly<SessionStatus>) => void): () => void;
  /** The label volume on the CT grid (shared memory when isolated; a current copy otherwise). */
  getLabels(): Volume<Uint8Array> | null;
  /** Study/series identity given to open() (null when none was given or nothing is open). */
  getSeriesIdentity(): SeriesIdentity | null;

  /** One click inside the lesion: grows it, then rebuilds the fields. */
  growLesion(seedLps: Vec3): Promise<LesionClickResult>;
  /** Brush correction of the lesion label (sphere), then fields rebuilt (debounced). */
  paintLesion(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase'): Promise<{ changedVoxels: number }>;
  /**
   * Bone brush (additive, optional for fakes): 'add' extends the bone part nearest to the centre
   * over background, 'erase' clears bone parts; never the lesion or a structure. Same undo
   * history as the lesion edits; fields rebuilt (debounced). Rejects with `segmentation/bad-seed`
   * when 'add' finds no bone within reach.
   */
  paintBone?(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase'): Promise<{ changedVoxels: number; partLabel: number | null; changedMlByPart: Array<[number, number]> }>;
  undoLabels(): Promise<boolean>;
  redoLabels(): Promise<boolean>;
  /**
   * Replaces the label volume with one read from a file (DICOM SEG / NRRD on the CT grid, already
   * checked by core/segmentation/labelFiles.ts); label undo history restarts; fields are rebuilt.
   * Rejects with `volume/mismatch` for another grid (nothing changed).
   */
  importLabels(labels: Volume<Uint8Array>, source: string): Promise<void>;
  /** The user edited or confirmed structure models: fields are rebuilt. */
  setStructures(structures: CriticalStructures): Promise<void>;

  /** Full plan for the current lesion; a newer call makes an older one reject with `worker/stale`. */
  plan(
    request: {
      settings: PlanSettings; catalog: ScrewCatalog; corridors?: CorridorRequest[];
      /** Why structures have no model (not found / marked absent), for the structuresModelled rule (optional, added 25 Nov). */
      structuresWithoutModel?: StructuresWithoutModel;
    },
    onProgress?: (progress: PlanProgress) => void,
  ): Promise<PlanResult>;
  /**
   * Ends the running plan, if any (the plan panel's Cancel): its promise rejects with `worker/stale`
   * and the planner workers stop searching for it. Optional (additive): fakes may omit it.
   */
  cancelPlan?(): void;
  /** Live check of one screw against every rule and the other screws. */
  checkScrew(request: LiveCheckRequest): Promise<ScrewEvaluation>;

  dispose(): void;
}
