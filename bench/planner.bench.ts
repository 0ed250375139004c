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
import { wrap, type Endpoint } from 'comlink';
import { createPlannerPool, type PlannerService, type PoolTraceEvent } from '../src/compute/workerPool';
import { allCorridorRequests } from '../src/core/planning/plannerEngine';
import { planTimeline, type TimelineSummary } from './plannerTimeline';
import { benchEngineLoad, runPlannerBench } from '../src/core/planning/benchKernels';
import { phantomCase, voxelStructureIds } from '../src/core/planning/testing/phantomFields';
import type { Screw } from '../src/core/planning/types';
import type { BenchEntry, BenchResult } from './harness';
import type { BusyStats } from './planner.worker.node';

const now = (): number => performance.now();

/** A pool of node worker_threads, and a way to read each worker's busy time (bench/planner.worker.node.ts). */
function nodePool(size: number, trace?: (event: PoolTraceEvent) => void): { pool: PlannerService; busy: () => Promise<BusyStats[]> } {
  const stats: (() => Promise<BusyStats>)[] = [];
  const pool = createPlannerPool({
    size,
    shared: true,
    ...(trace ? { trace } : {}),
    spawn: () => {
      // The worker is TypeScript: its .mjs bootstrap loads it through tsx's API (workers do not inherit the loader).
      const worker = new Worker(new URL('./planner.worker.node.mjs', import.meta.url));
      // A second comlink wrapper on the same port (requests are matched by id) for the stats.
      const remote = wrap<{ busyStats(): BusyStats }>(nodeEndpoint(worker) as Endpoint);
      stats.push(() => remote.busyStats() as Promise<BusyStats>);
      return { endpoint: nodeEndpoint(worker) as Endpoint, terminate: () => void worker.terminate() };
    },
  });
  return { pool, busy: () => Promise.all(stats.map((f) => f())) };
}

/** The load average now (the machine is shared: every figure is printed with it). */
function load(): string {
  return `load ${loadavg().map((v) => v.toFixed(1)).join(' ')}`;
}

type PoolFigures = {
  size: number; loadMs: number; planMs: number; minMs: number; candidates: number; loads: string[];
  /** Per plan (median over the repeats): thread CPU of the busiest worker, of all workers, ms; null without /proc. */
  busiestCpuMs: number | null; totalCpuMs: number | null;
  /** The timeline of the median plan (and of the best), pools of several workers. */
  timeline: TimelineSummary | null; bestTimeline: TimelineSummary | null;
};

/** Short corridor names for the timeline (index in allCorridorRequests order). */
const CORRIDOR_SHORT = allCorridorRequests().map((c) => `${c.corridorId.replace('iliosacral', 'IS').replace('transsacral', 'TS').replace('supraAcetabular', 'SA').replace('anteriorColumn', 'AC').replace('femoralNeck', 'FN')}${c.side === 'left' ? 'L' : 'R'}`);

/**
 * Full plans through pools of the given sizes, INTERLEAVED (pool a, pool b, pool a, ...) so that the load of this
 * shared machine drifts over every pool alike; median and best of `repeats` each, after a warm-up plan per pool (JIT in
 * every worker). Every plan must equal the first pool's first (the bench fails otherwise).
 */
async function benchPools(sizes: number[], fields: Parameters<PlannerService['loadFields']>[0], repeats = 5): Promise<{ figures: PoolFigures[]; checkMs: number; screw: Screw | null }> {
  const traces: PoolTraceEvent[][] = sizes.map(() => []);
  const nodePools = sizes.map((size, i) => nodePool(size, size > 1 ? (e) => traces[i]!.push(e) : undefined));
  const pools = nodePools.map((p) => p.pool);
  try {
    const figures: PoolFigures[] = [];
    for (const [i, pool] of pools.entries()) {
      const t0 = now();
      await pool.loadFields(fields);
      figures.push({ size: sizes[i]!, loadMs: now() - t0, planMs: NaN, minMs: NaN, candidates: 0, loads: [], busiestCpuMs: null, totalCpuMs: null, timeline: null, bestTimeline: null });
    }
    let reference: string | null = null;
    const same = (plan: Awaited<ReturnType<PlannerService['plan']>>): void => {
      const key = JSON.stringify({ ...plan, generation: 0, elapsedMs: 0 });
      reference ??= key;
      if (key !== reference) throw new Error('two pools gave different plans');
    };
    for (const pool of pools) same(await pool.plan({})); // warm-up
    for (const p of nodePools) await p.busy();
    const times: number[][] = pools.map(() => []);
    const busiest: number[][] = pools.map(() => []);
    const total: number[][] = pools.map(() => []);
    const timelines: TimelineSummary[][] = pools.map(() => []);
    let screw: Screw | null = null;
    for (let r = 0; r < repeats; r++) {
      for (const [i, pool] of pools.entries()) {
        traces[i]!.length = 0;
        const t = now();
        const plan = await pool.plan({});
        times[i]!.push(now() - t);
        same(plan);
        figures[i]!.candidates = plan.candidatesScored;
        figures[i]!.loads.push(loadavg()[0]!.toFixed(1));
        const stats = await nodePools[i]!.busy();
        if (traces[i]!.length > 0) timelines[i]!.push(planTimeline(traces[i]!, stats.map((b) => b.spans), (c) => CORRIDOR_SHORT[c] ?? String(c)));
        const cpu = stats.map((b) => b.cpuMs);
        if (cpu.every((c) => c !== null)) {
          busiest[i]!.push(Math.max(...(cpu as number[])));
          total[i]!.push((cpu as number[]).reduce((a, b) => a + b, 0));
        }
        screw = plan.screws[0]?.screw ?? null;
      }
    }
    for (const [i, f] of figures.entries()) {
      const sorted = times[i]!.sort((a, b) => a - b);
      f.planMs = sorted[Math.floor(sorted.length / 2)]!;
      f.minMs = sorted[0]!;
      const median = (xs: number[]): number | null => (xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]! : null);
      const tl = [...timelines[i]!].sort((a, b) => a.wallMs - b.wallMs);
      f.timeline = tl.length ? tl[Math.floor(tl.length / 2)]! : null;
      f.bestTimeline = tl[0] ?? null;
      f.busiestCpuMs = median(busiest[i]!);
      f.totalCpuMs = median(total[i]!);
    }
    let checkMs = NaN;
    if (screw) {
      const pool = pools[0]!;
      for (let i = 0; i < 10; i++) await pool.checkScrew({ screw });
      const n = 200;
      const t = now();
      for (let i = 0; i < n; i++) await pool.checkScrew({ screw });
      checkMs = (now() - t) / n;
    }
    return { figures, checkMs, screw };
  } finally {
    for (const pool of pools) pool.dispose();
  }
}

export const plannerBench: BenchEntry = {
  name: 'planner (sacralAla-medium truth fields): kernel, full plan in-process and through a worker_threads pool, live check',
  async run(): Promise<BenchResult[]> {
    const { fields } = phantomCase('sacralAla', 'medium', true);
    const voxelIds = voxelStructureIds(fields);
    const single = runPlannerBench(fields, now, voxelIds);
    const engineLoad = benchEngineLoad(fields, now, voxelIds);
    const cores = cpus().length;
    const bigPool = Math.max(2, cores - 1);
    const pools = await benchPools([1, bigPool], { fields, voxelStructureIds: voxelIds });
    const [pool1, poolN] = pools.figures as [PoolFigures, PoolFigures];
    const inProcessRate = single.fullPlan.candidatesPerSecond;
    const rate = (p: { candidates: number; planMs: number }): number => (p.candidates / p.planMs) * 1000;
    const timesOf = (p: PoolFigures): string => {
      const cpu = p.busiestCpuMs === null || p.totalCpuMs === null ? 'thread CPU not available'
        : `thread CPU per plan: busiest worker ${p.busiestCpuMs} ms, all workers ${p.totalCpuMs} ms (10 ms ticks), i.e. ${p.busiestCpuMs > 0 ? ((p.candidates / p.busiestCpuMs) * 1000).toFixed(0) : '?'} candidates per second of the busiest worker's CPU`;
      return `median of ${p.loads.length} (best ${p.minMs.toFixed(0)} ms), interleaved with the other pool, load at each: ${p.loads.join(' ')}; ${cpu}`;
    };
    return [
      {
        name: 'search kernel alone (scoreLine on lines through sampled lesion points), one thread',
        figure: single.kernel.candidatesPerSecond,
        unit: 'candidates/s',
        reference: { name: 'brute force (every field sampled separately, no early stop)', figure: single.bruteForce.candidatesPerSecond, unit: 'candidates/s' },
        ratio: single.kernelSpeedup,
        ratioMeaning: 'kernel / brute force',
        notes: `${load()} on ${cores} cores (figures scale with it)`,
      },
      {
        name: 'full plan in-process (18 corridor-sides)',
        figure: single.fullPlan.medianMs,
        unit: 'ms',
        goal: '< 1000 ms',
        met: single.fullPlan.medianMs < 1000,
        notes: `${single.fullPlan.candidates} candidates, ${inProcessRate.toFixed(0)} candidates/s; of which the coarse scans alone (${single.scans.candidates} candidates, same lines, one thread): ${single.scans.ms.toFixed(0)} ms = ${single.scans.candidatesPerSecond.toFixed(0)} candidates/s; engine load ${single.loadMs.toFixed(0)} ms; ${load()}`,
      },
      {
        name: 'full plan, pool of 1 worker_thread',
        figure: pool1.planMs,
        unit: 'ms',
        reference: { name: 'in-process', figure: single.fullPlan.medianMs, unit: 'ms' },
        ratio: rate(pool1) / inProcessRate,
        ratioMeaning: 'candidates/s pool / in-process',
        notes: `${rate(pool1).toFixed(0)} candidates/s, ${timesOf(pool1)}; fields load ${pool1.loadMs.toFixed(0)} ms; ${load()}`,
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
        notes: `${rate(poolN).toFixed(0)} candidates/s (candidates scored / wall time of the whole plan: refinement, fine checks and width probes included), ${timesOf(poolN)}; each corridor's scan split across the ${bigPool} workers; fields load ${poolN.loadMs.toFixed(0)} ms (grid and anatomy summary built once by the first worker, shared); ${load()}`,
      },
      {
        name: `diagnostic: timeline of the median plan of the pool of ${bigPool} (per worker: calls, engine time, round trips, idle; main-thread steps)`,
        figure: poolN.timeline?.wallMs ?? NaN,
        unit: 'ms',
        notes: `${poolN.timeline?.text ?? 'no trace'} || best plan: ${poolN.bestTimeline ? `wall ${poolN.bestTimeline.wallMs.toFixed(1)} ms, ${poolN.bestTimeline.workers.map((w, i) => `w${i} engine ${w.engineMs.toFixed(1)} / round trips ${w.overheadMs.toFixed(1)} / idle ${w.idleMs.toFixed(1)} ms`).join(', ')}, tail ${poolN.bestTimeline.tailMs.toFixed(1)} ms` : 'none'}; ${load()}`,
      },
      {
        name: 'fields load into the engine (one thread): joint-closed depth + planner grid + anatomy summary',
        figure: engineLoad.totalMs,
        unit: 'ms',
        reference: { name: 'one copy of every field buffer (what transfer without shared memory adds)', figure: engineLoad.copyMs, unit: 'ms' },
        ratio: engineLoad.totalMs / engineLoad.copyMs,
        ratioMeaning: 'load / copy',
        notes: `joint closing ${engineLoad.closeMs.toFixed(0)} ms, grid ${engineLoad.gridMs.toFixed(0)} ms, anatomy ${engineLoad.summaryMs.toFixed(0)} ms; field buffers ${(engineLoad.copyBytes / 1e6).toFixed(0)} MB (shared: posted without a copy); ${load()}`,
      },
      {
        name: 'live check (every rule, one screw), in-process',
        figure: single.liveCheckMs ?? NaN,
        unit: 'ms',
        goal: '< 5 ms',
        met: single.liveCheckMs !== null && single.liveCheckMs < 5,
        notes: load(),
      },
      {
        name: 'live check, round trip through a worker_thread',
        figure: pools.checkMs,
        unit: 'ms',
        reference: { name: 'in-process', figure: single.liveCheckMs ?? NaN, unit: 'ms' },
        ratio: pools.checkMs / (single.liveCheckMs ?? NaN),
        ratioMeaning: 'round trip / in-process',
        goal: '< 5 ms',
        met: pools.checkMs < 5,
        notes: load(),
      },
    ];
  },
};
