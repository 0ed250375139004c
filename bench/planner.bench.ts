/**
 * Planner figures (src/core/planning/benchKernels.ts runPlannerBench) on the
 * sacralAla-medium phantom's truth fields (SharedArrayBuffers, lesion
 * segmented), plus the same full plan through a pool of node worker_threads
 * (comlink node adapter; the first worker builds the planner grid on shared
 * memory, the others receive it) with one worker and with several:
 * - search kernel candidates/s vs the brute-force baseline (same lines);
 * - full plan (all 18 corridor-sides): in-process, pool of 1, pool of N;
 *   candidates scored per second, ratio to in-process;
 * - live check: in-process and round trip through a worker.
 */
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import type { Endpoint } from 'comlink';
import { createPlannerPool, type PlannerService } from '../src/compute/workerPool';
import { benchEngineLoad, runPlannerBench } from '../src/core/planning/benchKernels';
import { phantomCase, voxelStructureIds } from '../src/core/planning/testing/phantomFields';
import type { Screw } from '../src/core/planning/types';
import type { BenchEntry, BenchResult } from './harness';

const now = (): number => performance.now();

function nodePool(size: number): PlannerService {
  return createPlannerPool({
    size,
    shared: true,
    spawn: () => {
      // The worker is TypeScript: its .mjs bootstrap loads it through tsx's API (workers do not inherit the loader).
      const worker = new Worker(new URL('./planner.worker.node.mjs', import.meta.url));
      return { endpoint: nodeEndpoint(worker) as Endpoint, terminate: () => void worker.terminate() };
    },
  });
}

async function benchPool(size: number, fields: Parameters<PlannerService['loadFields']>[0], repeats = 3): Promise<{ loadMs: number; planMs: number; candidates: number; checkMs: number; screw: Screw | null }> {
  const pool = nodePool(size);
  try {
    const t0 = now();
    await pool.loadFields(fields);
    const loadMs = now() - t0;
    await pool.plan({}); // warm-up (JIT in every worker)
    const times: number[] = [];
    let candidates = 0;
    let screw: Screw | null = null;
    for (let i = 0; i < repeats; i++) {
      const t = now();
      const plan = await pool.plan({});
      times.push(now() - t);
      candidates = plan.candidatesScored;
      screw = plan.screws[0]?.screw ?? null;
    }
    times.sort((a, b) => a - b);
    let checkMs = NaN;
    if (screw) {
      for (let i = 0; i < 10; i++) await pool.checkScrew({ screw });
      const n = 200;
      const t = now();
      for (let i = 0; i < n; i++) await pool.checkScrew({ screw });
      checkMs = (now() - t) / n;
    }
    return { loadMs, planMs: times[Math.floor(times.length / 2)]!, candidates, checkMs, screw };
  } finally {
    pool.dispose();
  }
}

export const plannerBench: BenchEntry = {
  name: 'planner (sacralAla-medium truth fields): kernel, full plan in-process and through a worker_threads pool, live check',
  async run(): Promise<BenchResult[]> {
    const { fields } = phantomCase('sacralAla', 'medium', true);
    const voxelIds = voxelStructureIds(fields);
    const single = runPlannerBench(fields, now, voxelIds);
    const load = benchEngineLoad(fields, now, voxelIds);
    const cores = cpus().length;
    const bigPool = Math.max(2, cores - 1);
    const pool1 = await benchPool(1, { fields, voxelStructureIds: voxelIds });
    const poolN = await benchPool(bigPool, { fields, voxelStructureIds: voxelIds });
    const inProcessRate = single.fullPlan.candidatesPerSecond;
    const rate = (p: { candidates: number; planMs: number }): number => (p.candidates / p.planMs) * 1000;
    return [
      {
        name: 'search kernel alone (scoreLine on lines through sampled lesion points), one thread',
        figure: single.kernel.candidatesPerSecond,
        unit: 'candidates/s',
        reference: { name: 'brute force (every field sampled separately, no early stop)', figure: single.bruteForce.candidatesPerSecond, unit: 'candidates/s' },
        ratio: single.kernelSpeedup,
        ratioMeaning: 'kernel / brute force',
        notes: `load average ${loadavg().map((v) => v.toFixed(1)).join(' ')} on ${cores} cores (figures scale with it)`,
      },
      {
        name: 'full plan in-process (18 corridor-sides)',
        figure: single.fullPlan.medianMs,
        unit: 'ms',
        goal: '< 1000 ms',
        met: single.fullPlan.medianMs < 1000,
        notes: `${single.fullPlan.candidates} candidates, ${inProcessRate.toFixed(0)} candidates/s; engine load ${single.loadMs.toFixed(0)} ms`,
      },
      {
        name: 'full plan, pool of 1 worker_thread',
        figure: pool1.planMs,
        unit: 'ms',
        reference: { name: 'in-process', figure: single.fullPlan.medianMs, unit: 'ms' },
        ratio: rate(pool1) / inProcessRate,
        ratioMeaning: 'candidates/s pool / in-process',
        notes: `${rate(pool1).toFixed(0)} candidates/s; fields load ${pool1.loadMs.toFixed(0)} ms`,
      },
      {
        name: `full plan, pool of ${bigPool} worker_threads (shared grid)`,
        figure: poolN.planMs,
        unit: 'ms',
        reference: { name: 'pool of 1', figure: pool1.planMs, unit: 'ms' },
        ratio: rate(poolN) / rate(pool1),
        ratioMeaning: `candidates/s pool of ${bigPool} / pool of 1 (${cores} cores, shared machine)`,
        goal: '> 200k candidates/s',
        met: rate(poolN) > 200_000,
        notes: `${rate(poolN).toFixed(0)} candidates/s (candidates scored / wall time of the whole plan: refinement, fine checks and width probes included); fields load ${poolN.loadMs.toFixed(0)} ms (grid and anatomy summary built once by the first worker, shared)`,
      },
      {
        name: 'fields load into the engine (one thread): joint-closed depth + planner grid + anatomy summary',
        figure: load.totalMs,
        unit: 'ms',
        reference: { name: 'one copy of every field buffer (what transfer without shared memory adds)', figure: load.copyMs, unit: 'ms' },
        ratio: load.totalMs / load.copyMs,
        ratioMeaning: 'load / copy',
        notes: `joint closing ${load.closeMs.toFixed(0)} ms, grid ${load.gridMs.toFixed(0)} ms, anatomy ${load.summaryMs.toFixed(0)} ms; field buffers ${(load.copyBytes / 1e6).toFixed(0)} MB (shared: posted without a copy)`,
      },
      {
        name: 'live check (every rule, one screw), in-process',
        figure: single.liveCheckMs ?? NaN,
        unit: 'ms',
        goal: '< 5 ms',
        met: single.liveCheckMs !== null && single.liveCheckMs < 5,
      },
      {
        name: 'live check, round trip through a worker_thread',
        figure: pool1.checkMs,
        unit: 'ms',
        reference: { name: 'in-process', figure: single.liveCheckMs ?? NaN, unit: 'ms' },
        ratio: pool1.checkMs / (single.liveCheckMs ?? NaN),
        ratioMeaning: 'round trip / in-process',
        goal: '< 5 ms',
        met: pool1.checkMs < 5,
      },
    ];
  },
};
