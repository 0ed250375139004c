// A planner worker for node (worker_threads), served over comlink's node adapter: bench/planner.bench.ts runs a pool of
// these (and compute/plannerCancel.test.ts). Besides the engine it answers `busyStats()`: wall and thread-CPU time spent
// inside engine calls since the last ask, so the bench can tell the work's cost from the machine's share of CPU.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { servePlannerEngine } from '../src/compute/plannerClient';
import { createPlannerEngine, type PlannerEngine } from '../src/core/planning/plannerEngine';

if (!parentPort) throw new Error('planner.worker.node.ts must run as a worker thread');

/** One engine call: method, start and end on the shared wall clock (performance.timeOrigin + now, ms), thread CPU (10 ms ticks). */
export type CallSpan = { name: string; startMs: number; endMs: number; cpuMs: number | null };

export type BusyStats = { calls: number; wallMs: number; cpuMs: number | null; spans: CallSpan[] };

/** This thread's CPU time, ms (Linux /proc, 10 ms ticks), or null where unavailable. */
function threadCpuMs(): number | null {
  try {
    const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, clock ticks of 10 ms
  } catch {
    return null;
  }
}

const engine = createPlannerEngine();
const stats: BusyStats = { calls: 0, wallMs: 0, cpuMs: threadCpuMs() === null ? null : 0, spans: [] };
const served: Record<string, unknown> = {};
for (const [name, method] of Object.entries(engine) as [string, (...args: unknown[]) => unknown][]) {
  served[name] = (...args: unknown[]): unknown => {
    const t0 = performance.now();
    const c0 = threadCpuMs();
    try {
      return method(...args);
    } finally {
      const t1 = performance.now();
      stats.calls++;
      stats.wallMs += t1 - t0;
      const c1 = threadCpuMs();
      const cpu = c0 !== null && c1 !== null ? c1 - c0 : null;
      if (stats.cpuMs !== null && cpu !== null) stats.cpuMs += cpu;
      if (stats.spans.length < 1000) stats.spans.push({ name, startMs: performance.timeOrigin + t0, endMs: performance.timeOrigin + t1, cpuMs: cpu });
    }
  };
}
served.busyStats = (): BusyStats => {
  const out = { ...stats };
  stats.spans = [];
  stats.calls = 0;
  stats.wallMs = 0;
  if (stats.cpuMs !== null) stats.cpuMs = 0;
  return out;
};
servePlannerEngine(served as PlannerEngine, nodeEndpoint(parentPort));
