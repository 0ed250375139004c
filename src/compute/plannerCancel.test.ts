/**
 * Cancellation reaches the search, counted in candidates (never timed):
 * - the engine polls its token during a corridor and between corridors;
 * - in a real worker_thread (comlink's node adapter, SharedArrayBuffer token), a
 *   search cancelled after its first progress report stops long before the
 *   full search's candidate count;
 * - the pool's cancel() ends a plan at once in shared mode (two worker_threads)
 *   and in transfer mode (one), the workers stop, and the next plan completes
 *   and equals the in-process plan.
 * The node worker is bench/planner.worker.node.mjs (tsx loads its TypeScript).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { proxy, wrap, type Endpoint, type Remote } from 'comlink';
import { errorCodeOf } from '../core/shared/errors';
import { createPlannerEngine, type PlannerEngine, type PlanProgress, type RunStats } from '../core/planning/plannerEngine';
import { phantomCase, voxelStructureIds } from '../core/planning/testing/phantomFields';
import type { PlanResult } from '../core/planning/types';
import { createPlannerPool } from './workerPool';

const WORKER_URL = new URL('../../bench/planner.worker.node.mjs', import.meta.url);

type NodePlannerWorker = { worker: Worker; endpoint: Endpoint; remote: Remote<PlannerEngine> };

function spawnNodeWorker(): NodePlannerWorker {
  const worker = new Worker(WORKER_URL);
  const endpoint = nodeEndpoint(worker) as Endpoint;
  // A second comlink wrapper on the same port (requests are matched by id): the test reads lastRun() through it.
  return { worker, endpoint, remote: wrap<PlannerEngine>(nodeEndpoint(worker) as Endpoint) };
}

/** Plans must agree in everything but their request generation and wall time (deep-equal). */
function summary(plan: PlanResult): PlanResult {
  return { ...plan, generation: 0, elapsedMs: 0 };
}

describe('planner cancellation', () => {
  const { fields } = phantomCase('sacralAla', 'small', true);
  const ids = voxelStructureIds(fields);
  let full: PlanResult;

  beforeAll(() => {
    const engine = createPlannerEngine();
    engine.loadFields({ fields, voxelStructureIds: ids });
    full = engine.plan({ generation: 1 });
    expect(full.candidatesScored).toBeGreaterThan(5000);
  });

  it('the engine polls its token inside a corridor and stops within one poll interval', () => {
    const engine = createPlannerEngine();
    engine.loadFields({ fields, voxelStructureIds: ids });
    const token = new Int32Array(new SharedArrayBuffer(4));
    token[0] = 7;
    const seen: number[] = [];
    const run = (): unknown => engine.searchCorridors({ generation: 7, cancelToken: token }, (p) => {
      seen.push(p.candidatesScored);
      if (p.candidatesScored >= 512) Atomics.store(token, 0, 8); // cancelled from "outside" at a known count
    });
    let error: unknown = null;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(errorCodeOf(error)).toBe('worker/stale');
    const stats = engine.lastRun()!;
    expect(stats.generation).toBe(7);
    expect(stats.cancelled).toBe(true);
    // Cancelled at 512: the next poll (every 256 candidates) throws.
    expect(stats.candidatesScored).toBeGreaterThanOrEqual(512);
    expect(stats.candidatesScored).toBeLessThanOrEqual(512 + 256);
    expect(stats.corridorsDone).toBeLessThan(full.corridors.length);
    // The same engine plans normally afterwards.
    token[0] = 9;
    expect(summary(engine.plan({ generation: 9, cancelToken: token }))).toEqual(summary(full));
  });

  describe('in worker_threads', () => {
    const spawned: NodePlannerWorker[] = [];
    const spawn = () => {
      const w = spawnNodeWorker();
      spawned.push(w);
      return { endpoint: w.endpoint, terminate: () => void w.worker.terminate() };
    };
    afterAll(async () => {
      await Promise.all(spawned.map((w) => w.worker.terminate()));
    });

    it('a search cancelled through a SharedArrayBuffer token stops early, and the worker is free again', async () => {
      const w = spawnNodeWorker();
      spawned.push(w);
      const engine = wrap<PlannerEngine>(w.endpoint);
      await engine.loadFields({ fields, voxelStructureIds: ids });
      const token = new Int32Array(new SharedArrayBuffer(4));
      token[0] = 1;
      let cancelledAt = -1;
      const onProgress = proxy((p: PlanProgress) => {
        if (cancelledAt >= 0) return;
        cancelledAt = p.candidatesScored;
        Atomics.store(token, 0, 2);
      });
      const error = await engine.searchCorridors({ generation: 1, cancelToken: token }, onProgress).then(() => null, (e: unknown) => e);
      expect(errorCodeOf(error)).toBe('worker/stale');
      const stats = (await w.remote.lastRun()) as RunStats;
      expect(stats.generation).toBe(1);
      expect(stats.cancelled).toBe(true);
      expect(cancelledAt).toBeGreaterThan(0);
      expect(stats.candidatesScored).toBeGreaterThanOrEqual(cancelledAt);
      expect(stats.candidatesScored).toBeLessThan(full.candidatesScored / 2);
      const again = await engine.plan({ generation: 2, cancelToken: token });
      expect(summary(again)).toEqual(summary(full));
    });

    for (const shared of [true, false]) {
      it(`pool.cancel() ends the plan at once, the workers stop, and the next plan completes (${shared ? 'shared, 2 workers' : 'transfer, 1 worker'})`, async () => {
        const before = spawned.length;
        const pool = createPlannerPool({ size: 2, shared, spawn });
        const mine = spawned.slice(before);
        expect(mine).toHaveLength(shared ? 2 : 1);
        await pool.loadFields({ fields, voxelStructureIds: ids });
        let cancels = 0;
        // Cancelled at the first report of lines scored (corridors ruled out before any line are reported first, by the pool itself).
        const cancelled = pool.plan({}, (p) => {
          if (p.candidatesScored > 0 && cancels++ === 0) pool.cancel();
        });
        const error = await cancelled.then(() => null, (e: unknown) => e);
        expect(errorCodeOf(error)).toBe('worker/stale');
        expect(cancels).toBeGreaterThan(0);
        // Each worker's work for the cancelled generation (lastRun answers once the worker is free).
        const runs = (await Promise.all(mine.map((w) => w.remote.lastRun()))) as (RunStats | null)[];
        const generation = runs.find((r) => r !== null)!.generation;
        const scored = runs.reduce((n, r) => n + (r && r.generation === generation ? r.candidatesScored : 0), 0);
        const corridorsDone = runs.reduce((n, r) => n + (r && r.generation === generation ? r.corridorsDone : 0), 0);
        // (A worker may have stopped before its first progress step: the count is in steps of 256 within a corridor.)
        expect(scored).toBeLessThan(full.candidatesScored / 2);
        expect(corridorsDone).toBeLessThan(full.corridors.length);
        const next = await pool.plan({});
        expect(summary(next)).toEqual(summary(full));
        pool.dispose();
      });
    }
  });
});
