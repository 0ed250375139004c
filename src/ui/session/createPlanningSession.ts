/**
 * The planning session (contract: PlanningSession.ts): for the volume on
 * screen it drives, off the main thread,
 *
 *   CT -> segmentation worker: bone -> critical structures -> distance fields
 *      -> planner (worker pool, or in-process with `planner: 'inprocess'`)
 *
 * and keeps one observable status. Each opened volume gets its own "run"
 * (its segmentation worker and planner workers); opening another volume or
 * closing disposes the run: its workers are terminated (so a long bone
 * segmentation of the old volume stops at once), every call still waiting on
 * them rejects with `worker/stale`, and no late result is ever applied to the
 * new volume (every step checks that its run is still the current one).
 *
 * Memory: with cross-origin isolation the CT, the labels and the fields live
 * on SharedArrayBuffers (the labels returned by `getLabels` ARE the engine's
 * label volume); without it the CT is copied once to the segmentation worker,
 * each label change comes back as a copy the worker made and transferred, and
 * the field sets are transferred from the segmentation worker through this
 * thread to the single planner worker without a copy on the main thread
 * (compute/segmentationClient.ts transferringSegmentationEngine, PlannerService.loadFields handOver).
 *
 * See README.md in this folder for the pipeline, the modes and the figures.
 */
import type { CriticalStructures } from '../../core/anatomy/structures';
import { listStructureIds } from '../../core/anatomy/structures';
import type { Vec3 } from '../../core/geometry/vec3';
import type { LiveCheckRequest, PlanProgress } from '../../core/planning/plannerEngine';
import { DEFAULT_PLAN_SETTINGS, type PlanResult, type ScrewEvaluation } from '../../core/planning/types';
import type { LabelsState, SegmentationEngine } from '../../core/segmentation/segmentationEngine';
import type { GrowLesionOptions } from '../../core/segmentation/growLesion';
import { errorCodeOf, PlannerError, type ErrorCode } from '../../core/shared/errors';
import { BONE_LABELS, LABELS, STRUCTURE_IDS } from '../../core/shared/ids';
import type { Volume } from '../../core/volume/Volume';
import type { VoxelArray } from '../../core/volume/voxelBuffer';
import type { PlannerService } from '../../compute/workerPool';
import type { LesionClickResult, LesionStatus, PlanningSession, SessionStatus, SeriesIdentity } from './PlanningSession';

/** The segmentation engine as the session calls it: every method may answer through a promise (a worker) or directly (in-process). */
export type AsyncSegmentationEngine = {
  [K in keyof SegmentationEngine]: (...args: Parameters<SegmentationEngine[K]>) => Promise<ReturnType<SegmentationEngine[K]>> | ReturnType<SegmentationEngine[K]>;
};

/** One segmentation worker (or its in-process stand-in) for one volume. */
export type SegmentationBackend = {
  engine: AsyncSegmentationEngine;
  loadVolume(ct: Volume<VoxelArray>): Promise<void>;
  /** Rejects if the worker dies outside a call (raced against every call, which would otherwise never settle). */
  failed?: Promise<never>;
  dispose(): void;
};

export type PlanningSessionOptions = {
  /** Memory shared with the workers (compute/isolation.ts `detectIsolation().shared`). */
  shared: boolean;
  /** Starts the segmentation side for one volume (spawnSegmentation in the app, createInProcessSegmentation in tests). */
  createSegmentation(): SegmentationBackend;
  /**
   * Starts the planner for one volume (createPlannerPool sized by poolSizeFor, or createInProcessPlanner).
   * `failed` rejects if a planner worker dies outside a call (raced like the segmentation's).
   */
  createPlanner(): PlannerService & { failed?: Promise<never> };
  /** Quiet time after the last brush dab before the fields are rebuilt, ms (default 300). */
  paintDebounceMs?: number;
  /** Options for one-click lesion growing (the seed comes from the call). */
  growOptions?: Omit<GrowLesionOptions, 'seedLps' | 'seedIjk'>;
};

/** Every structure the planner can model; those absent from the detected models are reported as missing. */
const EXPECTED_STRUCTURES = STRUCTURE_IDS;

type Waiter = { generation: number; resolve(): void; reject(error: unknown): void };

type Run = {
  readonly id: number;
  readonly seriesUid: string;
  readonly seg: SegmentationBackend;
  readonly planner: PlannerService & { failed?: Promise<never> };
  disposed: boolean;
  /** Rejects (worker/stale) when the run is disposed: raced against every remote call. */
  readonly closed: Promise<never>;
  rejectClosed(error: PlannerError): void;
  /** Labels generation the planner must reach; -1 before the first build. */
  fieldsTarget: number;
  fieldsLoaded: number;
  building: boolean;
  waiters: Waiter[];
  debounce: ReturnType<typeof setTimeout> | null;
  /** Plans in flight (field loads wait for them, so one plan never mixes two field sets). */
  plansRunning: number;
  plansIdle: (() => void)[];
  /** Settles when the bone segmentation and structure detection have run. */
  segmented: Promise<void>;
  lastClickStatus: LesionStatus;
  /** Bone and structure summary for the status line while fields are built. */
  summary: string;
  /** Widest sacroiliac gap closed in the planner grid (a plan setting that needs the grid rebuilt when it changes). */
  maxJointGapMm: number;
  /** Labels generation the last sacrum coverage assessment was made for (-1: none yet). */
  coverageFor: number;
};

function staleError(what: string): PlannerError {
  return new PlannerError('worker/stale', what);
}

/** A PlannerError from anything a worker threw (comlink passes the message; the code is its prefix). */
function typedError(error: unknown, fallback: ErrorCode = 'assert'): PlannerError {
  if (error instanceof PlannerError) return error;
  const code = errorCodeOf(error) ?? fallback;
  const raw = error instanceof Error ? error.message : String(error);
  return new PlannerError(code, raw.replace(/^\[[^\]]+\]\s*/, ''));
}

/** What to tell the user when a pipeline step fails (the volume stays on screen). */
function userMessage(error: PlannerError, step: string): string {
  const detail = error.message.replace(/^\[[^\]]+\]\s*/, '');
  switch (error.code) {
    case 'segmentation/no-bone':
      return `No bone found in this series (${detail}). Check that it is a CT of the pelvis; planning is not available on it.`;
    case 'segmentation/bad-seed':
      return `${detail}. Click inside the lesion, in bone.`;
    case 'worker/cancelled':
      return `${detail}. The images stay on screen; reload the page to restart planning (close other tabs if memory is short).`;
    case 'volume/mismatch':
    case 'volume/geometry':
      return `The volume's geometry cannot be used for planning (${detail}). Reload the series.`;
    default:
      return `${step} failed: ${detail}. The images stay on screen; reload the series to try again.`;
  }
}

function mlText(ml: number): string {
  return ml >= 100 ? ml.toFixed(0) : ml.toFixed(1);
}

function idleStatus(plannerMode: SessionStatus['plannerMode']): SessionStatus {
  return {
    phase: 'idle', seriesUid: null, message: 'No series open', labelsGeneration: 0, fieldsGeneration: -1,
    lesion: null, bone: null, structures: null, missingStructures: [], plannerMode, error: null, sacrumCoverage: undefined,
  };
}

export function createPlanningSession(options: PlanningSessionOptions): PlanningSession {
  const paintDebounceMs = options.paintDebounceMs ?? 300;
  const listeners = new Set<(s: Readonly<SessionStatus>) => void>();
  let status: SessionStatus = idleStatus(null);
  let run: Run | null = null;
  let runCounter = 0;
  /** Monotonic over the session (never reset), so consumers always see a change. */
  let labelsGeneration = 0;
  let labels: Volume<Uint8Array> | null = null;
  let series: SeriesIdentity | null = null;
  let planCounter = 0;
  let disposed = false;

  const setStatus = (patch: Partial<SessionStatus>): void => {
    status = { ...status, ...patch };
    for (const l of [...listeners]) l(status);
  };

  const isCurrent = (r: Run): boolean => !r.disposed && r === run;
  const checkCurrent = (r: Run): void => {
    if (!isCurrent(r)) throw staleError(`series ${r.seriesUid} is no longer open`);
  };
  /** Awaits a remote call of run `r`; rejects with worker/stale if the run is disposed meanwhile (or was already). */
  const guard = async <T>(r: Run, value: Promise<T> | T): Promise<T> => {
    checkCurrent(r);
    let result: T;
    try {
      const racers: Promise<T>[] = [Promise.resolve(value), r.closed];
      if (r.seg.failed) racers.push(r.seg.failed);
      if (r.planner.failed) racers.push(r.planner.failed);
      result = await Promise.race(racers);
    } catch (error) {
      if (!isCurrent(r)) throw staleError(`series ${r.seriesUid} is no longer open`);
      throw typedError(error);
    }
    checkCurrent(r);
    return result;
  };

  const disposeRun = (r: Run): void => {
    if (r.disposed) return;
    r.disposed = true;
    if (r.debounce) clearTimeout(r.debounce);
    const err = staleError(`series ${r.seriesUid} was closed`);
    r.rejectClosed(err);
    for (const w of r.waiters.splice(0)) w.reject(err);
    for (const f of r.plansIdle.splice(0)) f();
    r.seg.dispose();
    r.planner.dispose();
  };

  const lesionFrom = (state: LabelsState, lesionStatus: LesionStatus): SessionStatus['lesion'] =>
    state.lesion ? { volumeMl: state.lesion.volumeMl, status: lesionStatus, centroidLps: state.lesion.centroidLps, diametersMm: state.lesion.diametersMm } : null;

  /** Applies a new label state of run `r` (a copy in transfer mode, the shared volume otherwise). */
  const adoptLabels = (r: Run, state: LabelsState, lesionStatus: LesionStatus, message?: string): void => {
    checkCurrent(r);
    labels = state.labels;
    labelsGeneration++;
    const patch: Partial<SessionStatus> = { labelsGeneration, lesion: lesionFrom(state, lesionStatus) };
    // The bone parts' figures follow every edit (the lesion brush paints over bone, the bone brush adds or erases it).
    const delta = new Map(state.changedMlByLabel ?? []);
    if (status.bone && [...delta.keys()].some((label) => status.bone!.parts.some((p) => p.label === label))) {
      const parts = status.bone.parts.map((p) => ({ label: p.label, volumeMl: Math.max(0, p.volumeMl + (delta.get(p.label) ?? 0)) }));
      patch.bone = { ...status.bone, parts, totalMl: parts.reduce((sum, p) => sum + p.volumeMl, 0) };
      // A bone-brush edit (or its undo) moves voxels between bone and background only; a lesion edit always involves the lesion.
      if (!delta.has(LABELS.lesion)) patch.boneEdits = (status.boneEdits ?? 0) + 1;
    }
    if (message) patch.message = message;
    setStatus(patch);
  };

  const readyMessage = (): string => {
    const l = status.lesion;
    const missing = status.missingStructures.length;
    const structures = missing ? `; ${missing} structure${missing > 1 ? 's' : ''} not found: clearance to ${missing > 1 ? 'them' : 'it'} cannot be checked` : '';
    if (!l) return `Ready: click inside the lesion to segment it${structures}`;
    const note = l.status === 'conservative' ? ' (conservative core: check the outline)' : l.status === 'bridged' ? ' (outline bridged across destroyed cortex: check it)' : '';
    return `Ready to plan: lesion ${mlText(l.volumeMl)} ml${note}${structures}`;
  };

  const settleWaiters = (r: Run): void => {
    const keep: Waiter[] = [];
    for (const w of r.waiters) {
      if (r.fieldsLoaded >= w.generation) w.resolve();
      else keep.push(w);
    }
    r.waiters = keep;
  };

  const waitPlansIdle = (r: Run): Promise<void> =>
    r.plansRunning === 0 ? Promise.resolve() : new Promise((resolve) => r.plansIdle.push(resolve));

  /**
   * Assesses the sacrum's coverage by the bone labels for the labels (and structures: their edits
   * bump the generation too) the planner now holds: after the fields, so it never delays them
   * (~0.1 s in the worker at full size). Every label edit counts: a lesion eraser can leave
   * background inside the sacrum as well as the bone eraser. A failure is not the user's
   * problem: the last assessment stays, and the next build tries again.
   */
  const refreshCoverage = async (r: Run, generation: number): Promise<void> => {
    if (r.coverageFor >= generation) return;
    r.coverageFor = generation;
    try {
      const sacrumCoverage = await guard(r, r.seg.engine.assessSacrumCoverage());
      if (isCurrent(r) && r.coverageFor === generation) setStatus({ sacrumCoverage });
    } catch {
      if (r.coverageFor === generation) r.coverageFor = -1;
    }
  };

  /** Builds and loads fields until the planner holds the latest labels; one build at a time. */
  const pump = async (r: Run): Promise<void> => {
    if (r.building || r.disposed) return;
    r.building = true;
    try {
      while (isCurrent(r) && r.fieldsLoaded < r.fieldsTarget) {
        const target = r.fieldsTarget;
        const gapMm = r.maxJointGapMm;
        setStatus({ phase: 'fields', message: r.fieldsLoaded < 0 ? `${r.summary}; building distance fields…` : 'Lesion or structures changed: rebuilding distance fields…', error: null });
        const fields = await guard(r, r.seg.engine.buildFields({ generation: target }));
        // Never swap fields under a running plan: it would mix two field sets.
        await waitPlansIdle(r);
        checkCurrent(r);
        // The field set came from the worker for the planner only: hand it over (transferred, never copied here).
        await guard(r, r.planner.loadFields({ fields, voxelStructureIds: [], maxJointGapMm: gapMm }, { handOver: !options.shared }));
        // A joint-gap setting changed meanwhile: these fields do not count, the loop builds again.
        r.fieldsLoaded = gapMm === r.maxJointGapMm ? target : -1;
        settleWaiters(r);
        if (r.fieldsLoaded >= r.fieldsTarget) {
          setStatus({ phase: 'ready', fieldsGeneration: target, message: readyMessage(), error: null });
          void refreshCoverage(r, target);
        } else setStatus({ fieldsGeneration: target });
      }
    } catch (error) {
      const e = typedError(error);
      for (const w of r.waiters.splice(0)) w.reject(e);
      if (isCurrent(r)) setStatus({ phase: 'error', error: { code: e.code, message: userMessage(e, 'Building the distance fields') }, message: userMessage(e, 'Building the distance fields') });
    } finally {
      r.building = false;
    }
  };

  /** Asks for fields of the current labels; resolves when the planner holds them. */
  const requestFields = (r: Run, debounceMs = 0, edited = 'Lesion edited'): Promise<void> => {
    checkCurrent(r);
    r.fieldsTarget = labelsGeneration;
    const done = new Promise<void>((resolve, reject) => {
      r.waiters.push({ generation: labelsGeneration, resolve, reject });
    });
    if (r.debounce) {
      clearTimeout(r.debounce);
      r.debounce = null;
    }
    if (debounceMs > 0) {
      setStatus({ phase: 'fields', message: `${edited}: fields will be rebuilt when the brush stops` });
      r.debounce = setTimeout(() => {
        r.debounce = null;
        void pump(r);
      }, debounceMs);
    } else {
      void pump(r);
    }
    return done;
  };

  const runPipeline = async (r: Run, volume: Volume<VoxelArray>): Promise<void> => {
    try {
      setStatus({ phase: 'segmenting', message: 'Sending the volume to the segmentation worker…' });
      await guard(r, r.seg.loadVolume(volume));
      setStatus({ message: 'Segmenting bone…' });
      const bone = await guard(r, r.seg.engine.segmentBone());
      const boneMl = bone.parts.reduce((s, p) => s + p.volumeMl, 0);
      setStatus({ bone: { totalMl: boneMl, parts: bone.parts.map((p) => ({ label: p.label, volumeMl: p.volumeMl })), boneThresholdGrey: bone.thresholds.boneGrey, notes: [...bone.notes] } });
      adoptLabels(r, bone, 'ok', `Bone segmented (${mlText(boneMl)} ml); finding nerve channels and joints…`);
      const structures = await guard(r, r.seg.engine.detectStructures());
      const ids = listStructureIds(structures);
      const missing = EXPECTED_STRUCTURES.filter((id) => !ids.includes(id));
      r.summary = `Bone ${mlText(boneMl)} ml, ${ids.length} structures found${missing.length ? ` (${missing.length} not found: check them)` : ''}`;
      setStatus({ structures, missingStructures: missing, message: r.summary });
    } catch (error) {
      if (!isCurrent(r)) return;
      const e = typedError(error);
      const message = userMessage(e, 'Segmentation');
      setStatus({ phase: 'error', error: { code: e.code, message }, message });
      throw e;
    }
  };

  const requireRun = (): Run => {
    if (!run || run.disposed) throw new PlannerError('planning/bad-input', 'no series open: open a CT series first');
    return run;
  };

  /** Waits until the bone is segmented (growLesion and the brush need labels). */
  const requireSegmented = async (): Promise<Run> => {
    const r = requireRun();
    await guard(r, r.segmented);
    return r;
  };

  /** Waits until the planner holds fields of the current labels. */
  const requireFieldsCurrent = async (r: Run): Promise<void> => {
    await guard(r, r.segmented);
    if (r.fieldsLoaded >= labelsGeneration && !r.debounce) return;
    if (r.debounce) {
      clearTimeout(r.debounce);
      r.debounce = null;
    }
    await guard(r, requestFields(r));
  };

  const session: PlanningSession = {
    async open(volume, seriesUid, identity) {
      if (disposed) throw new PlannerError('worker/cancelled', 'planning session disposed');
      if (run) disposeRun(run);
      let seg: SegmentationBackend | null = null;
      let planner: (PlannerService & { failed?: Promise<never> }) | null = null;
      try {
        seg = options.createSegmentation();
        planner = options.createPlanner();
      } catch (error) {
        seg?.dispose();
        const e = typedError(error);
        const message = `The planning workers could not start (${e.message.replace(/^\[[^\]]+\]\s*/, '')}). Reload the page; try ?planner=inprocess.`;
        run = null;
        setStatus({ ...idleStatus(null), phase: 'error', seriesUid, labelsGeneration, error: { code: e.code, message }, message });
        throw e;
      }
      let rejectClosed!: (e: PlannerError) => void;
      const closed = new Promise<never>((_, reject) => {
        rejectClosed = reject;
      });
      closed.catch(() => undefined);
      const r: Run = {
        id: ++runCounter, seriesUid, seg, planner, disposed: false, closed, rejectClosed,
        fieldsTarget: -1, fieldsLoaded: -1, building: false, waiters: [], debounce: null,
        plansRunning: 0, plansIdle: [], segmented: Promise.resolve(), lastClickStatus: 'ok', summary: '', maxJointGapMm: DEFAULT_PLAN_SETTINGS.maxJointGapMm, coverageFor: -1,
      };
      run = r;
      labels = null;
      series = identity ?? null;
      labelsGeneration++;
      setStatus({ ...idleStatus(planner.mode), phase: 'segmenting', seriesUid, labelsGeneration, message: 'Starting segmentation…' });
      r.segmented = runPipeline(r, volume);
      r.segmented.catch(() => undefined);
      await r.segmented;
      await requestFields(r);
    },
    close() {
      if (run) disposeRun(run);
      run = null;
      labels = null;
      series = null;
      labelsGeneration++;
      setStatus({ ...idleStatus(null), labelsGeneration });
    },
    getStatus: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getLabels: () => labels,
    getSeriesIdentity: () => series,

    async growLesion(seedLps: Vec3): Promise<LesionClickResult> {
      const r = await requireSegmented();
      let res: Awaited<ReturnType<SegmentationEngine['growLesion']>>;
      try {
        res = await guard(r, r.seg.engine.growLesion({ ...(options.growOptions ?? {}), seedLps }));
      } catch (error) {
        const e = typedError(error);
        // A click in the wrong place: say so on the status line too (the labels are unchanged, the phase stays).
        if (e.code === 'segmentation/bad-seed' && isCurrent(r)) {
          const detail = e.message.replace(/^\[[^\]]+\]\s*/, '');
          setStatus({ message: `Nothing segmented: ${detail}${/click inside/i.test(detail) ? '' : '. Click inside the dark (lytic) area of the lesion, within the bone'}.` });
        }
        throw e;
      }
      if (res.status === 'leak') {
        const message = 'The lesion could not be delimited from the image here (its cortex is destroyed on all sides, or the image is too noisy); nothing was changed. Paint the lesion with the brush instead.';
        setStatus({ message });
        return { status: 'leak', volumeMl: status.lesion?.volumeMl ?? 0, changedVoxels: 0, message };
      }
      const clickStatus: LesionStatus = res.status === 'ok' && res.bridged ? 'bridged' : res.status;
      r.lastClickStatus = clickStatus;
      const volumeMl = res.lesion?.volumeMl ?? 0;
      const message = res.lesion === null
        ? 'No lesion found at this point: click inside the dark (lytic) area in bone, or paint it with the brush.'
        : clickStatus === 'conservative'
          ? `Lesion ${mlText(volumeMl)} ml (conservative core: the full grey window spilled into the marrow). Check its outline and correct it with the brush.`
          : clickStatus === 'bridged'
            ? `Lesion ${mlText(volumeMl)} ml segmented; its cortex is destroyed on both sides, so the outline across the gap is drawn between the remaining bone edges, not seen in the image. Check it in every view and correct it with the brush.`
            : `Lesion ${mlText(volumeMl)} ml segmented${res.touchesBox ? ' (it reaches the edge of the search box: check that it is complete)' : ''}.`;
      adoptLabels(r, res, clickStatus, message);
      await requestFields(r);
      return { status: clickStatus, volumeMl, changedVoxels: res.changedVoxels, message };
    },

    async paintLesion(centerLps, radiusMm, mode) {
      const r = await requireSegmented();
      const res = await guard(r, r.seg.engine.paintLesion(centerLps, radiusMm, mode));
      if (res.changedVoxels > 0) {
        // A painted lesion is the user's: it is no longer a conservative guess.
        r.lastClickStatus = 'ok';
        adoptLabels(r, res, 'ok');
        void requestFields(r, paintDebounceMs).catch(() => undefined);
      }
      return { changedVoxels: res.changedVoxels };
    },

    async paintBone(centerLps, radiusMm, mode) {
      const r = await requireSegmented();
      const res = await guard(r, r.seg.engine.paintBone(centerLps, radiusMm, mode));
      if (res.changedVoxels > 0) {
        adoptLabels(r, res, r.lastClickStatus);
        void requestFields(r, paintDebounceMs, 'Bone edited').catch(() => undefined);
      }
      const bone = new Set<number>(BONE_LABELS);
      return { changedVoxels: res.changedVoxels, partLabel: res.partLabel, changedMlByPart: (res.changedMlByLabel ?? []).filter(([label]) => bone.has(label)) };
    },

    async undoLabels() {
      const r = await requireSegmented();
      const res = await guard(r, r.seg.engine.undo());
      if (!res) return false;
      adoptLabels(r, res, r.lastClickStatus, 'Undone');
      void requestFields(r).catch(() => undefined);
      return true;
    },

    async redoLabels() {
      const r = await requireSegmented();
      const res = await guard(r, r.seg.engine.redo());
      if (!res) return false;
      adoptLabels(r, res, r.lastClickStatus, 'Redone');
      void requestFields(r).catch(() => undefined);
      return true;
    },

    async importLabels(imported, source) {
      const r = await requireSegmented();
      const res = await guard(r, r.seg.engine.setLabels(imported));
      r.lastClickStatus = 'ok';
      const ml = res.lesion?.volumeMl ?? 0;
      adoptLabels(r, res, 'ok', `Labels imported from ${source}${ml > 0 ? `: lesion ${mlText(ml)} ml` : ': no lesion'}; rebuilding distance fields…`);
      await requestFields(r);
    },

    async setStructures(structures: CriticalStructures) {
      const r = await requireSegmented();
      await guard(r, r.seg.engine.setStructures(structures));
      const ids = listStructureIds(structures);
      // The fields depend on the models: rebuild them as after a label edit.
      labelsGeneration++;
      setStatus({ structures, missingStructures: EXPECTED_STRUCTURES.filter((id) => !ids.includes(id)), labelsGeneration });
      await requestFields(r);
    },

    async plan(request, onProgress?: (progress: PlanProgress) => void): Promise<PlanResult> {
      const mine = ++planCounter;
      const r = requireRun();
      const stale = (): PlannerError => staleError(`plan ${mine} superseded by plan ${planCounter}`);
      const gap = request.settings.maxJointGapMm;
      if (Number.isFinite(gap) && gap >= 0 && gap !== r.maxJointGapMm) {
        // The joint-closed bone depth is baked into the planner grid: rebuild it with this setting.
        await guard(r, r.segmented);
        r.maxJointGapMm = gap;
        r.fieldsLoaded = -1;
      }
      await requireFieldsCurrent(r);
      if (mine !== planCounter) throw stale();
      if (!status.lesion) {
        throw new PlannerError('planning/no-lesion', 'No lesion segmented: click inside the lesion first (or paint it with the brush), then plan.');
      }
      const fieldsAtStart = r.fieldsLoaded;
      r.plansRunning++;
      try {
        const result = await guard(r, r.planner.plan({ settings: request.settings, catalog: request.catalog, ...(request.corridors ? { corridors: request.corridors } : {}), ...(request.structuresWithoutModel ? { structuresWithoutModel: request.structuresWithoutModel } : {}) }, onProgress));
        if (mine !== planCounter) throw stale();
        if (labelsGeneration !== fieldsAtStart) throw staleError('the lesion or the structures changed during the plan search: plan again');
        return result;
      } finally {
        r.plansRunning--;
        if (r.plansRunning === 0) for (const f of r.plansIdle.splice(0)) f();
      }
    },

    cancelPlan(): void {
      // The waiting plan call (if any) becomes stale, and the pool stops the workers' search.
      planCounter++;
      run?.planner.cancel();
    },

    async checkScrew(request: LiveCheckRequest): Promise<ScrewEvaluation> {
      const r = requireRun();
      if (r.fieldsLoaded < 0) await requireFieldsCurrent(r);
      return guard(r, r.planner.checkScrew(request));
    },

    dispose() {
      disposed = true;
      if (run) disposeRun(run);
      run = null;
      labels = null;
      listeners.clear();
    },
  };
  return session;
}
