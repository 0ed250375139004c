/**
 * A pool of planner workers behind one typed {@link PlannerService}.
 *
 * - Shared memory (cross-origin isolated): hardwareConcurrency - 1 workers;
 *   the field set and the planner grid live on SharedArrayBuffers and are
 *   posted to every worker without copying (the first worker builds the grid
 *   on shared memory, the others receive it). With two workers or more, each
 *   corridor's coarse scan is split into one share of its cone's directions
 *   per worker, then its refinement into one share of the seeds per worker
 *   (each refined line fine-checked where it was refined: the fine checks
 *   are half of a corridor's finish), and one worker finishes the corridor
 *   from the shares (remaining fine checks, width probe, parallel set): a
 *   plan's cost sits in one or two corridors, so a corridor per worker left
 *   the others idle. Every task (scan share, refinement share, finish) goes
 *   through one queue; a free worker takes the first ready one, a corridor's
 *   later steps before the next corridor's scan. The shares merge exactly (search.ts
 *   `mergeScans`, `finishCorridor` with the refinement shares: same counts,
 *   same best lines in the same order, same checks), so the
 *   plan is deep-equal to the in-process one. Cancellation is a
 *   SharedArrayBuffer Int32 token holding the latest generation, which the
 *   engines poll every few hundred candidates and between tasks.
 * - No shared memory: one worker; the field set is copied once and the copy
 *   transferred. A plan runs corridor by corridor (chunks) and a cancelled or
 *   superseded request stops between chunks (the worker cannot read a copied
 *   token while it searches).
 * In both modes a new `plan` call, or `cancel()`, ends the previous plan at
 * once: its promise rejects with `worker/stale` without waiting for the
 * workers, which stop as above and are then free for the next request.
 * Outcomes are merged in request order and assembled by the same pure
 * function as in-process, so every mode gives the same plan.
 */
import type { Endpoint } from 'comlink';
import { proxy } from 'comlink';
import { PlannerError } from '../core/shared/errors';
import {
  allCorridorRequests, assemblePlan, resolveSettings,
  type CorridorRequest, type FieldsInfo, type FieldsPayload, type LiveCheckRequest, type PlanProgress, type PlanRequest,
} from '../core/planning/plannerEngine';
import type { AnatomySummary } from '../core/planning/anatomySummary';
import { defaultCatalog, validateCatalog } from '../core/planning/screwCatalog';
import { corridorRuledOut, DEFAULT_SEARCH_OPTIONS, mergeScans, refinedSeedCount, type CorridorRefinement, type CorridorScan } from '../core/planning/search';
import type { CorridorOutcome, PlanResult, ScrewEvaluation } from '../core/planning/types';
import { fieldSetBuffers, fieldSetForTransfer, isFieldSetShared, withTransfer, wrapPlannerEngine, type PlannerRemote } from './plannerClient';

export type PlannerMode = 'worker-shared' | 'worker-transfer' | 'in-process';

/** A plan request as callers give it: the service assigns generation and cancel token. */
export type ServicePlanRequest = Omit<PlanRequest, 'generation' | 'cancelToken'>;

export type PlannerService = {
  readonly mode: PlannerMode;
  readonly size: number;
  /**
   * Loads a field set. `handOver`: the caller gives the field buffers up, so
   * without shared memory they are transferred as they are instead of copied
   * first (the caller's field set is unusable afterwards).
   */
  loadFields(payload: FieldsPayload, options?: { handOver?: boolean }): Promise<FieldsInfo>;
  /** Plans; a newer call (or {@link PlannerService.cancel}) makes this one reject with `worker/stale`. */
  plan(request: ServicePlanRequest, onProgress?: (progress: PlanProgress) => void): Promise<PlanResult>;
  /** Ends the running plan, if any: it rejects with `worker/stale` now, and the workers stop searching for it (shared: within a few hundred candidates; transfer: after the corridor in hand). */
  cancel(): void;
  /** Live check of one screw (runs on the first worker). */
  checkScrew(request: LiveCheckRequest): Promise<ScrewEvaluation>;
  dispose(): void;
};

export type SpawnedWorker = { endpoint: Endpoint; terminate(): void };

/**
 * What the pool did for one plan, for diagnostics (the bench's timeline): each worker call from the main thread's side
 * (sent -> result back, ms on this thread's performance clock) and the main thread's own steps (merging scan shares,
 * assembling the plan).
 */
export type PoolTraceEvent =
  | { kind: 'task'; generation: number; worker: number; task: 'corridor' | 'scan' | 'refine' | 'finish'; corridor: number; share: number; sentMs: number; doneMs: number }
  | { kind: 'main'; generation: number; step: 'start' | 'merge' | 'assemble' | 'end'; startMs: number; endMs: number };

export type CreatePlannerPoolOptions = {
  /** Number of workers (use isolation.ts poolSizeFor); forced to 1 without shared memory. */
  size: number;
  shared: boolean;
  /** Diagnostics: called with every worker call and main-thread step of a plan (the bench prints a timeline). */
  trace?: (event: PoolTraceEvent) => void;
  /** Starts one worker; default spawns workers/planner.worker.ts. Tests pass MessageChannel stand-ins. */
  spawn?: () => SpawnedWorker;
};

function defaultSpawn(): SpawnedWorker {
  const worker = new Worker(new URL('../../workers/planner.worker.ts', import.meta.url), { type: 'module', name: 'planner' });
  return { endpoint: worker as unknown as Endpoint, terminate: () => worker.terminate() };
}

export function createPlannerPool(options: CreatePlannerPoolOptions): PlannerService {
  const shared = options.shared && typeof SharedArrayBuffer !== 'undefined';
  const size = shared ? Math.max(1, Math.floor(options.size)) : 1;
  const spawn = options.spawn ?? defaultSpawn;
  const trace = options.trace;
  const clock = (): number => performance.now();
  const workers: { spawned: SpawnedWorker; remote: PlannerRemote }[] = [];
  for (let i = 0; i < size; i++) {
    const spawned = spawn();
    workers.push({ spawned, remote: wrapPlannerEngine(spawned.endpoint) });
  }
  // Slot 0: latest generation. Shared: the engines poll it; else only this side reads it.
  const token = shared ? new Int32Array(new SharedArrayBuffer(4)) : new Int32Array(1);
  let generation = 0;
  let disposed = false;
  /** The loaded fields' anatomy summary (several workers: fetched from the first), to rule corridors out here. */
  let summary: AnatomySummary | null = null;
  /** Generation of the loaded field set (from loadFields), null before. */
  let fieldsGeneration: number | null = null;
  /** Rejects the running plan's promise at once (set while a plan runs). */
  let abortRunning: ((error: PlannerError) => void) | null = null;
  const endRunning = (error: PlannerError): void => {
    const abort = abortRunning;
    abortRunning = null;
    abort?.(error);
  };

  const alive = (): void => {
    if (disposed) throw new PlannerError('worker/cancelled', 'planner pool disposed');
  };

  return {
    mode: shared ? 'worker-shared' : 'worker-transfer',
    size,
    async loadFields(payload: FieldsPayload, loadOptions?: { handOver?: boolean }): Promise<FieldsInfo> {
      alive();
      if (shared) {
        if (!isFieldSetShared(payload.fields)) throw new PlannerError('planning/bad-input', 'shared planner pool needs a field set on SharedArrayBuffers (buildFieldSet { shared: true })');
        const first = workers[0]!.remote;
        summary = null;
        fieldsGeneration = null;
        const info = await first.loadFields({ ...payload, shareGrid: true });
        if (workers.length > 1) {
          // The grid (shared memory, not copied) and the anatomy summary (small plain data) come from the first worker.
          const [grid, firstSummary] = await Promise.all([first.currentGrid(), first.currentSummary()]);
          if (!grid || !firstSummary) throw new PlannerError('assert', 'first planner worker did not build a grid');
          await Promise.all(workers.slice(1).map((w) => w.remote.loadFields({ ...payload, grid, summary: firstSummary })));
          summary = firstSummary;
        }
        fieldsGeneration = info.fieldsGeneration;
        return info;
      }
      fieldsGeneration = null;
      const { fields, transfer } = loadOptions?.handOver ? { fields: payload.fields, transfer: fieldSetBuffers(payload.fields) } : fieldSetForTransfer(payload.fields);
      const info = await workers[0]!.remote.loadFields(withTransfer({ ...payload, fields }, transfer));
      fieldsGeneration = info.fieldsGeneration;
      return info;
    },
    async plan(request: ServicePlanRequest, onProgress?: (progress: PlanProgress) => void): Promise<PlanResult> {
      alive();
      const t0 = Date.now();
      const tStart = trace ? clock() : 0;
      const g = ++generation;
      Atomics.store(token, 0, g);
      endRunning(new PlannerError('worker/stale', `planner request ${g - 1} superseded by ${g}`));
      const settings = resolveSettings(request.settings);
      // Several workers: corridors ruled out before any line are decided here, which needs the catalog (bad input throws
      // before the plan runs; one worker validates it there, as before).
      const catalog = workers.length > 1 && summary ? (request.catalog ? validateCatalog(request.catalog) : defaultCatalog()) : null;
      // Running from here on: a cancel() from the first progress report (which may come before any worker call) ends it.
      const aborted = new Promise<never>((_, reject) => { abortRunning = reject; });
      aborted.catch(() => undefined); // whichever loses the race below still settles: no unhandled rejection
      await Promise.resolve(); // no progress report before plan() has returned its promise
      const corridors: CorridorRequest[] = request.corridors ?? allCorridorRequests();
      let scoredDone = 0;
      let corridorsDone = 0;
      const live = new Map<number, number>();
      const finished = new Set<number>(); // progress messages may arrive after their chunk's result
      const report = (): void => {
        if (!onProgress || generation !== g) return;
        let scored = scoredDone;
        for (const v of live.values()) scored += v;
        onProgress({ generation: g, candidatesScored: scored, corridorsDone, corridorsTotal: corridors.length });
      };
      const stale = (): PlannerError => new PlannerError('worker/stale', `planner request ${g} superseded by ${generation}`);
      const outcomes: (CorridorOutcome | undefined)[] = new Array(corridors.length);
      const call = { ...request, generation: g, cancelToken: token };
      const progressFor = (key: number): ((p: PlanProgress) => void) | undefined => (onProgress
        ? proxy((p: PlanProgress) => { if (!finished.has(key)) { live.set(key, p.candidatesScored); report(); } })
        : undefined);
      const taskDone = (key: number, scored: number): void => {
        finished.add(key);
        live.delete(key);
        scoredDone += scored;
      };
      let lane: (w: number) => Promise<void>;
      if (workers.length === 1) {
        // One worker (transfer mode, or one core): one corridor per call, so a cancel without shared memory stops between corridors.
        let next = 0;
        lane = async (w: number): Promise<void> => {
          const remote = workers[w]!.remote;
          for (;;) {
            if (generation !== g) throw stale();
            const i = next++;
            if (i >= corridors.length) return;
            const sent = trace ? clock() : 0;
            const result = await remote.searchCorridors({ ...call, corridors: [corridors[i]!] }, progressFor(i));
            trace?.({ kind: 'task', generation: g, worker: w, task: 'corridor', corridor: i, share: -1, sentMs: sent, doneMs: clock() });
            const o = result[0]!;
            outcomes[i] = o;
            taskDone(i, o.candidatesScored);
            corridorsDone++;
            report();
          }
        };
      } else {
        // Several workers on shared memory: each corridor's coarse scan is split into one share of its cone's directions
        // per worker (a plan's cost sits in one or two corridors: a corridor per worker left the others idle), then one
        // worker finishes it from the shares (refinement, fine checks, ...). One queue of tasks; a free worker takes the
        // first ready one (a corridor's finish as soon as its shares are in). The shares merge exactly (search.ts
        // mergeScans), so the plan equals the in-process one.
        const shares = workers.length;
        // A corridor goes scan shares -> refinement shares (with the fine checks of the refined lines) -> finish. (Tried
        // 2026-11-24: cheap corridors whole in one call and the refinement split only when nothing else was queued, 26 ->
        // 10 calls a plan; on this loaded 2-core machine its wall time was worse in 3 of 4 same-run A/Bs: coarse tasks
        // leave a descheduled worker holding more of the plan. See bench/README.md.)
        type Task = { corridor: number; kind: 'scan' | 'refine' | 'finish'; share: number };
        const queue: Task[] = [];
        // Corridors ruled out before any line (lesion off their path, ...) are decided here, as the engine would: no round trip.
        const basis = summary && catalog ? { summary, settings, catalog } : null;
        const early = corridors.map((c) => (basis ? corridorRuledOut(basis, c.corridorId, c.side) : null));
        for (let i = 0; i < corridors.length; i++) if (!early[i]) for (let k = 0; k < shares; k++) queue.push({ corridor: i, kind: 'scan', share: k });
        const scans: CorridorScan[][] = corridors.map(() => []);
        const merged: (CorridorScan | null)[] = corridors.map(() => null);
        const refineShares: number[] = corridors.map(() => 0);
        const refinements: CorridorRefinement[][] = corridors.map(() => []);
        const keepTop = { ...DEFAULT_SEARCH_OPTIONS, ...(request.options ?? {}) }.keepTop;
        let complete = 0;
        let wake: () => void = () => undefined;
        let changed = new Promise<void>((resolve) => { wake = resolve; });
        const signal = (): void => {
          const resolve = wake;
          changed = new Promise<void>((r) => { wake = r; });
          resolve();
        };
        const settle = (i: number, outcome: CorridorOutcome): void => {
          if (outcomes[i]) return;
          outcomes[i] = outcome;
          complete++;
          corridorsDone++;
          report();
        };
        for (const [i, o] of early.entries()) if (o) settle(i, o);
        let keys = 0;
        lane = async (w: number): Promise<void> => {
          const remote = workers[w]!.remote;
          try {
            for (;;) {
              if (generation !== g) throw stale();
              const task = queue.shift();
              if (!task) {
                if (complete === corridors.length) return;
                await changed;
                continue;
              }
              const i = task.corridor;
              const key = keys++;
              const sent = trace ? clock() : 0;
              const traced = (): void => trace?.({ kind: 'task', generation: g, worker: w, task: task.kind, corridor: i, share: task.share, sentMs: sent, doneMs: clock() });
              if (task.kind === 'scan') {
                const scan = await remote.scanCorridor({ ...call, corridor: corridors[i]!, share: { index: task.share, count: shares } }, progressFor(key));
                traced();
                taskDone(key, scan.scored);
                if (outcomes[i]) continue; // ruled out by another share
                if (scan.early) {
                  // Ruled out before any line: the other shares (same verdict) need not run.
                  for (let q = queue.length - 1; q >= 0; q--) if (queue[q]!.corridor === i) queue.splice(q, 1);
                  settle(i, scan.early);
                } else {
                  scans[i]!.push(scan);
                  if (scans[i]!.length === shares) {
                    // The shares merged here (pure, cheap): the refinement shares and the finish get one scan.
                    const tMerge = trace ? clock() : 0;
                    const whole = mergeScans(scans[i]!, keepTop);
                    trace?.({ kind: 'main', generation: g, step: 'merge', startMs: tMerge, endMs: clock() });
                    merged[i] = whole;
                    const seeds = refinedSeedCount(whole);
                    refineShares[i] = Math.min(shares, seeds);
                    // Next corridor's scan shares wait: a corridor's later steps go first (its result sooner, the others busy).
                    if (refineShares[i]! >= 2) for (let k = refineShares[i]! - 1; k >= 0; k--) queue.unshift({ corridor: i, kind: 'refine', share: k });
                    else { refineShares[i] = 0; queue.unshift({ corridor: i, kind: 'finish', share: -1 }); }
                  }
                }
              } else if (task.kind === 'refine') {
                const r = await remote.refineCorridor({ ...call, scans: [merged[i]!], share: { index: task.share, count: refineShares[i]! } }, progressFor(key));
                traced();
                taskDone(key, r.scored);
                refinements[i]!.push(r);
                if (refinements[i]!.length === refineShares[i]) queue.unshift({ corridor: i, kind: 'finish', share: -1 });
              } else {
                const before = merged[i]!.scored + refinements[i]!.reduce((n, r) => n + r.scored, 0);
                const o = await remote.finishCorridor({ ...call, scans: [merged[i]!], ...(refinements[i]!.length > 0 ? { refinements: refinements[i]! } : {}) }, progressFor(key));
                traced();
                taskDone(key, o.candidatesScored - before);
                settle(i, o);
              }
              signal(); // a waiting lane may have work now (a finish), or nothing left
            }
          } finally {
            signal(); // a waiting lane re-checks (more work, all done, or stale)
          }
        };
      }
      trace?.({ kind: 'main', generation: g, step: 'start', startMs: tStart, endMs: clock() });
      const work = Promise.all(workers.map((_, w) => lane(w)));
      work.catch(() => undefined);
      try {
        await Promise.race([work, aborted]);
      } finally {
        if (generation === g) abortRunning = null;
      }
      if (generation !== g) throw stale();
      const loaded = fieldsGeneration ?? (await workers[0]!.remote.fieldsGeneration());
      if (generation !== g) throw stale();
      const tAssemble = trace ? clock() : 0;
      const result = assemblePlan(outcomes as CorridorOutcome[], settings, g, loaded, Date.now() - t0);
      if (trace) {
        const end = clock();
        trace({ kind: 'main', generation: g, step: 'assemble', startMs: tAssemble, endMs: end });
        trace({ kind: 'main', generation: g, step: 'end', startMs: tStart, endMs: end });
      }
      return result;
    },
    cancel(): void {
      if (disposed || !abortRunning) return;
      const g = ++generation;
      Atomics.store(token, 0, g);
      endRunning(new PlannerError('worker/stale', `planner request ${g - 1} cancelled`));
    },
    async checkScrew(request: LiveCheckRequest): Promise<ScrewEvaluation> {
      alive();
      return workers[0]!.remote.checkScrew(request);
    },
    dispose(): void {
      disposed = true;
      Atomics.store(token, 0, -1);
      endRunning(new PlannerError('worker/cancelled', 'planner pool disposed'));
      for (const w of workers) w.spawned.terminate();
    },
  };
}
