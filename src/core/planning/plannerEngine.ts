import type { FieldSet } from '../fields/FieldSet';
import { buildPlannerGrid, type PlannerGrid } from '../collision/plannerGrid';
import type { AnatomicalFrame } from '../geometry/patientFrames';
import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import type { CorridorId, Side, StructureId } from '../shared/ids';
import { closedBoneDepth } from './jointClosing';
import { fieldTolerances } from './checks/index';
import { summarizeAnatomy, type AnatomySummary } from './anatomySummary';
import { generationToken } from './cancel';
import { createEvaluationContext, evaluateScrew } from './checks/index';
import { CORRIDOR_IDS } from './corridors';
import { defaultCatalog, validateCatalog } from './screwCatalog';
import {
  createSearchScratch, DEFAULT_SEARCH_OPTIONS, finishCorridor, refineCorridor, scanCorridor, searchCorridor,
  type CorridorRefinement, type CorridorScan, type ScanShare, type SearchContext, type SearchOptions,
} from './search';
import { checkScrewSpacing } from './checks/screwSpacing';
import { DEFAULT_PLAN_SETTINGS, type CorridorOutcome, type PlanResult, type PlanSettings, type RankedScrew, type Screw, type ScrewCatalog, type ScrewEvaluation, type StructuresWithoutModel } from './types';

/**
 * The planner engine: the object a worker exposes (workers/planner.worker.ts)
 * and tests call directly; compute/inProcess.ts wraps the same object for the
 * main thread. Everything in and out is plain data (structured-clone safe).
 *
 * Lifecycle: `loadFields` once per field generation (builds the interleaved
 * planner grid unless one is given, shared, by the caller, and the anatomy
 * summary), then any number of `plan` / `searchCorridors` / `checkScrew`.
 */
export type CorridorRequest = { corridorId: CorridorId; side: Side };

export type FieldsPayload = {
  fields: FieldSet;
  /** A grid built by the caller with {@link buildEngineGrid} (e.g. on a SharedArrayBuffer for every worker); built here when absent. */
  grid?: PlannerGrid;
  /**
   * Structures whose fields are voxel distance transforms of a label (not
   * analytic from a model): they get the larger voxel tolerance.
   */
  voxelStructureIds?: StructureId[];
  /** Widest sacroiliac gap closed for the cortex-cover field, mm (default: DEFAULT_PLAN_SETTINGS.maxJointGapMm). */
  maxJointGapMm?: number;
  /** Build the grid on a SharedArrayBuffer (to hand it to other workers with `currentGrid`). */
  shareGrid?: boolean;
  /**
   * The anatomy summary of this very field set, computed by another engine ({@link PlannerEngine.currentSummary}):
   * the pool's first worker computes it and the others take it instead of repeating the passes over the labels.
   * Taken only together with that engine's `grid` (same load); ignored otherwise.
   */
  summary?: AnatomySummary;
};

export type FieldsInfo = {
  fieldsGeneration: number;
  frame: AnatomicalFrame;
  frameFromAnatomy: boolean;
  lesionCentroidLps: Vec3 | null;
  lesionVolumeMl: number;
  lesionHost: number;
};

export type PlanRequest = {
  /** Request generation: a newer request on the same cancel token makes this one stale. */
  generation: number;
  settings?: Partial<PlanSettings>;
  catalog?: ScrewCatalog;
  /** Corridors to search; default every corridor on both sides. */
  corridors?: CorridorRequest[];
  /** Slot 0 holds the latest generation (SharedArrayBuffer when isolated); polled during the search. */
  cancelToken?: Int32Array;
  options?: Partial<SearchOptions>;
  /**
   * Why structures have no model (the plan's structure review: not found / marked absent), for the
   * `structuresModelled` rule of every screw evaluated (added 25 Nov, optional). Absent: every
   * limiting structure without a field counts as not found (the rule fails).
   */
  structuresWithoutModel?: StructuresWithoutModel;
};

export type PlanProgress = { generation: number; candidatesScored: number; corridorsDone: number; corridorsTotal: number };
export type ProgressCallback = (progress: PlanProgress) => void;

export type LiveCheckRequest = {
  screw: Screw; others?: Screw[]; settings?: Partial<PlanSettings>;
  /** As PlanRequest.structuresWithoutModel (optional, added 25 Nov). */
  structuresWithoutModel?: StructuresWithoutModel;
};

/** One share of one corridor's coarse scan (the pool splits a corridor's directions across its workers). */
export type ScanRequest = Omit<PlanRequest, 'corridors'> & { corridor: CorridorRequest; share: ScanShare };

/** One share of a corridor's refinement (seed index modulo the share count), with the fine check of each refined line. */
export type RefineRequest = Omit<PlanRequest, 'corridors'> & { scans: CorridorScan[]; share: ScanShare };

/**
 * The rest of one corridor's search, from its scan's shares (in any order) and, when the seeds were refined
 * elsewhere, every share of that refinement.
 */
export type FinishRequest = Omit<PlanRequest, 'corridors'> & { scans: CorridorScan[]; refinements?: CorridorRefinement[] };

/**
 * What the engine did for one request generation (summed over its
 * `searchCorridors` calls: the pool sends a plan one corridor at a time):
 * candidates scored, corridors finished, and whether it stopped on a cancel.
 */
export type RunStats = { generation: number; candidatesScored: number; corridorsDone: number; cancelled: boolean };

export type PlannerEngine = {
  loadFields(payload: FieldsPayload): FieldsInfo;
  /** Searches the given corridors (default all); the pool splits a plan into such chunks. */
  searchCorridors(request: PlanRequest, onProgress?: ProgressCallback): CorridorOutcome[];
  /**
   * One share of a corridor's coarse scan (plain data). `finishCorridor` on the
   * shares gives exactly `searchCorridors` on that corridor, however it was split.
   */
  scanCorridor(request: ScanRequest, onProgress?: ProgressCallback): CorridorScan;
  /**
   * A share of a corridor's refinement (pattern search from the scan's best lines) with the fine check of each
   * refined line: `finishCorridor` given every share gives exactly what it would have refined and checked itself.
   */
  refineCorridor(request: RefineRequest, onProgress?: ProgressCallback): CorridorRefinement;
  /** Refinement (unless given), fine checks, width probe, parallel set and explanation of a corridor from its scan's shares. */
  finishCorridor(request: FinishRequest, onProgress?: ProgressCallback): CorridorOutcome;
  /** Full plan: every requested corridor, then the set of screws that work together. */
  plan(request: PlanRequest, onProgress?: ProgressCallback): PlanResult;
  /** Live check of one edited screw against every rule (a few ms). */
  checkScrew(request: LiveCheckRequest): ScrewEvaluation;
  /** The planner grid in use (SharedArrayBuffer-backed when loaded with shareGrid), null before loadFields. */
  currentGrid(): PlannerGrid | null;
  /** The anatomy summary of the loaded fields (plain data, for other engines' loadFields), null before loadFields. */
  currentSummary(): AnatomySummary | null;
  /** Generation of the loaded field set (-1 before loadFields). */
  fieldsGeneration(): number;
  /** The latest request generation this engine searched for, null before any (tests and the bench count a cancelled search's work with it). */
  lastRun(): RunStats | null;
  dispose(): void;
};

export function allCorridorRequests(): CorridorRequest[] {
  const out: CorridorRequest[] = [];
  for (const corridorId of CORRIDOR_IDS) for (const side of ['left', 'right'] as const) out.push({ corridorId, side });
  return out;
}

export function resolveSettings(partial: Partial<PlanSettings> | undefined): PlanSettings {
  const s = { ...DEFAULT_PLAN_SETTINGS, ...(partial ?? {}) };
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new PlannerError('planning/bad-input', `setting ${k} must be a non-negative number, got ${String(v)}`);
  }
  if (s.femoralNeckTipMaxMm < s.femoralNeckTipMinMm) throw new PlannerError('planning/bad-input', 'femoral neck tip depth: max below min');
  return s;
}

/**
 * The planner grid for a field set: bone depth with the joint gaps closed,
 * lesion, and nearest critical structure (voxel-made structures offset by
 * their extra tolerance). Build it once on the main thread with `shared: true`
 * to hand the same memory to every worker.
 */
export function buildEngineGrid(fields: FieldSet, options: { shared?: boolean; voxelStructureIds?: readonly StructureId[]; maxJointGapMm?: number } = {}): PlannerGrid {
  const tol = fieldTolerances(fields.geometry, undefined, options.voxelStructureIds ?? []);
  const structureOffsetMm: Partial<Record<StructureId, number>> = {};
  for (const id of options.voxelStructureIds ?? []) structureOffsetMm[id] = tol.voxelStructureMm - tol.structureMm;
  const closed = closedBoneDepth(fields, options.maxJointGapMm ?? DEFAULT_PLAN_SETTINGS.maxJointGapMm, { shared: options.shared ?? false });
  return buildPlannerGrid(fields, { shared: options.shared ?? false, boneDepthOverride: closed, structureOffsetMm });
}

export function createPlannerEngine(): PlannerEngine {
  let fields: FieldSet | null = null;
  let voxelStructureIds: StructureId[] = [];
  let grid: PlannerGrid | null = null;
  let summary: AnatomySummary | null = null;
  const scratch = createSearchScratch(DEFAULT_SEARCH_OPTIONS.sampleStepMm, DEFAULT_SEARCH_OPTIONS.keepTop);
  let scratchKey = `${DEFAULT_SEARCH_OPTIONS.sampleStepMm}/${DEFAULT_SEARCH_OPTIONS.keepTop}`;
  let scratchNow = scratch;
  let run: RunStats | null = null;

  const requireFields = (): { fields: FieldSet; grid: PlannerGrid; summary: AnatomySummary } => {
    if (!fields || !grid || !summary) throw new PlannerError('planning/bad-input', 'planner has no fields: call loadFields first');
    return { fields, grid, summary };
  };

  /**
   * A search context for one call: settings, catalog and options of the request, its cancel token,
   * progress counted into `scored` (this call) and the generation's run stats.
   */
  const begin = (request: Omit<PlanRequest, 'corridors'>, corridorsTotal: number, onProgress?: ProgressCallback) => {
    const loaded = requireFields();
    const settings = resolveSettings(request.settings);
    const catalog = request.catalog ? validateCatalog(request.catalog) : defaultCatalog();
    const options: SearchOptions = { ...DEFAULT_SEARCH_OPTIONS, ...(request.options ?? {}) };
    const key = `${options.sampleStepMm}/${options.keepTop}`;
    if (key !== scratchKey) {
      scratchNow = createSearchScratch(options.sampleStepMm, options.keepTop);
      scratchKey = key;
    }
    const cancel = generationToken(request.cancelToken, request.generation);
    if (!run || run.generation !== request.generation) run = { generation: request.generation, candidatesScored: 0, corridorsDone: 0, cancelled: false };
    const stats = run;
    if (cancel.isCancelled()) stats.cancelled = true;
    cancel.throwIfCancelled();
    const progress = { scored: 0, done: 0 };
    const report = (): void => onProgress?.({ generation: request.generation, candidatesScored: progress.scored, corridorsDone: progress.done, corridorsTotal });
    const ctx: SearchContext = {
      ...loaded,
      settings,
      catalog,
      evaluation: createEvaluationContext(loaded.fields, settings, loaded.grid, voxelStructureIds, undefined, request.structuresWithoutModel),
      options,
      cancel,
      onProgress: (n) => {
        progress.scored += n;
        stats.candidatesScored += n;
        report();
      },
      scratch: scratchNow,
    };
    /** Runs `work`, marking the run cancelled when it stops on the token. */
    const guard = <T>(work: () => T): T => {
      try {
        return work();
      } catch (error) {
        if (cancel.isCancelled()) stats.cancelled = true;
        throw error;
      }
    };
    const corridorDone = (): void => {
      progress.done++;
      stats.corridorsDone++;
      report();
    };
    return { ctx, cancel, guard, corridorDone };
  };

  const searchCorridors = (request: PlanRequest, onProgress?: ProgressCallback): CorridorOutcome[] => {
    const corridors = request.corridors ?? allCorridorRequests();
    const { ctx, cancel, guard, corridorDone } = begin(request, corridors.length, onProgress);
    return guard(() => {
      const out: CorridorOutcome[] = [];
      for (const c of corridors) {
        out.push(searchCorridor(ctx, c.corridorId, c.side));
        corridorDone();
        // Between corridors too (a corridor that ends before the next poll still stops the rest).
        cancel.throwIfCancelled();
      }
      return out;
    });
  };

  return {
    loadFields(payload: FieldsPayload): FieldsInfo {
      const f = payload.fields;
      if (!f || !f.boneDepth || !f.labels) throw new PlannerError('planning/bad-input', 'field set lacks boneDepth or labels');
      fields = f;
      voxelStructureIds = payload.voxelStructureIds ?? [];
      grid = payload.grid && payload.grid.generation === f.generation
        ? payload.grid
        : buildEngineGrid(f, { voxelStructureIds, maxJointGapMm: payload.maxJointGapMm ?? DEFAULT_PLAN_SETTINGS.maxJointGapMm, shared: payload.shareGrid ?? false });
      summary = payload.summary && payload.grid && payload.grid === grid ? payload.summary : summarizeAnatomy(f); // given with its grid only
      return {
        fieldsGeneration: f.generation,
        frame: summary.frame,
        frameFromAnatomy: summary.frameFromAnatomy,
        lesionCentroidLps: summary.lesionCentroidLps,
        lesionVolumeMl: summary.lesionVolumeMm3 / 1000,
        lesionHost: summary.lesionHostLabel,
      };
    },
    searchCorridors,
    scanCorridor(request: ScanRequest, onProgress?: ProgressCallback): CorridorScan {
      const { ctx, guard } = begin(request, 1, onProgress);
      return guard(() => scanCorridor(ctx, request.corridor.corridorId, request.corridor.side, request.share));
    },
    refineCorridor(request: RefineRequest, onProgress?: ProgressCallback): CorridorRefinement {
      const { ctx, guard } = begin(request, 1, onProgress);
      return guard(() => refineCorridor(ctx, request.scans, request.share, true));
    },
    finishCorridor(request: FinishRequest, onProgress?: ProgressCallback): CorridorOutcome {
      const { ctx, guard, corridorDone } = begin(request, 1, onProgress);
      return guard(() => {
        const outcome = finishCorridor(ctx, request.scans, request.refinements);
        corridorDone();
        return outcome;
      });
    },
    plan(request: PlanRequest, onProgress?: ProgressCallback): PlanResult {
      const t0 = Date.now();
      const outcomes = searchCorridors(request, onProgress);
      const settings = resolveSettings(request.settings);
      return assemblePlan(outcomes, settings, request.generation, requireFields().fields.generation, Date.now() - t0);
    },
    checkScrew(request: LiveCheckRequest): ScrewEvaluation {
      const loaded = requireFields();
      const settings = resolveSettings(request.settings);
      return evaluateScrew(createEvaluationContext(loaded.fields, settings, loaded.grid, voxelStructureIds, undefined, request.structuresWithoutModel), request.screw, request.others ?? []);
    },
    currentGrid(): PlannerGrid | null {
      return grid;
    },
    currentSummary(): AnatomySummary | null {
      return summary;
    },
    fieldsGeneration(): number {
      return fields ? fields.generation : -1;
    },
    lastRun(): RunStats | null {
      return run ? { ...run } : null;
    },
    dispose(): void {
      fields = null;
      grid = null;
      summary = null;
    },
  };
}

/** Corridors that cannot both be used (same sacral level). */
const EXCLUSIVE: Record<string, string> = {
  iliosacralS1: 'S1', transsacralS1: 'S1', iliosacralS2: 'S2', transsacralS2: 'S2',
};

/**
 * Picks the screws of one plan from the corridor outcomes: best first, at most
 * one screw per corridor and side, one per sacral level (iliosacral or
 * transsacral), the femoral neck as its parallel set, every pair at least
 * `screwSpacingMm` apart (capsule-capsule). Pure; the pool calls it after
 * merging the workers' outcomes. Corridor order decides ties, so the result is
 * the same however the corridors were split.
 */
export function assemblePlan(outcomes: CorridorOutcome[], settings: PlanSettings, generation: number, fieldsGeneration: number, elapsedMs: number): PlanResult {
  const groups: { key: string; level: string | null; options: RankedScrew[][] }[] = [];
  for (const o of outcomes) {
    if (!o.available) continue;
    const options: RankedScrew[][] = [];
    if (o.parallelSet.length > 0) options.push(o.parallelSet);
    for (const s of o.screws) options.push([s]);
    groups.push({ key: `${o.corridorId}/${o.side}`, level: EXCLUSIVE[o.corridorId] ?? null, options });
  }
  groups.sort((a, b) => b.options[0]![0]!.score - a.options[0]![0]!.score || (a.key < b.key ? -1 : 1));
  const chosen: RankedScrew[] = [];
  const levels = new Set<string>();
  for (const g of groups) {
    if (g.level && levels.has(g.level)) continue;
    for (const option of g.options) {
      const fits = option.every((s) => chosen.every((c) => checkScrewSpacing(s.screw, c.screw, settings).ok));
      if (!fits) continue;
      chosen.push(...option);
      if (g.level) levels.add(g.level);
      break;
    }
  }
  // Each chosen screw's evaluation carries its spacing to the others of the plan.
  const screws = chosen.map((r) => {
    const spacing = chosen.filter((o) => o !== r).map((o) => checkScrewSpacing(r.screw, o.screw, settings));
    const checks = [...r.evaluation.checks.filter((c) => c.rule !== 'screwSpacing'), ...spacing];
    return { ...r, evaluation: { ...r.evaluation, checks, ok: checks.every((c) => c.ok) } };
  });
  const candidatesScored = outcomes.reduce((n, o) => n + o.candidatesScored, 0);
  return { generation, fieldsGeneration, corridors: outcomes, screws, candidatesScored, elapsedMs };
}
