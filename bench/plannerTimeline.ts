/**
 * The timeline of one plan through the worker pool (a diagnostic for bench/planner.bench.ts): per worker, each call
 * (scan share, refinement share, finish) from the main thread's side (sent -> result back) and the engine's own time
 * inside it (bench/planner.worker.node.ts spans), the idle time between calls, the main thread's steps (set-up, merges,
 * assembly). All times in ms from the plan's start, on one clock (performance.timeOrigin + now in every thread).
 */
import type { PoolTraceEvent } from '../src/compute/workerPool';
import type { CallSpan } from './planner.worker.node';

export type TimelineSummary = {
  wallMs: number;
  /** Per worker: engine time (inside calls), round-trip overhead (call time minus engine time), idle (no call out). */
  workers: { engineMs: number; overheadMs: number; idleMs: number; calls: number; cpuMs: number | null }[];
  setupMs: number;
  mergeMs: number;
  assembleMs: number;
  /** From the first worker's last result to the plan's end (the other worker(s) still busy or the main thread assembling). */
  tailMs: number;
  text: string;
};

const KIND: Record<string, string> = { scan: 's', refine: 'r', finish: 'f', corridor: 'c' };

/**
 * `events`: the pool's trace of one plan (main-thread performance.now), `spans`: per worker, the engine calls of that
 * plan (shared wall clock), `corridorName`: short name of corridor index i.
 */
export function planTimeline(events: readonly PoolTraceEvent[], spans: readonly CallSpan[][], corridorName: (i: number) => string): TimelineSummary {
  const end = events.find((e) => e.kind === 'main' && e.step === 'end');
  if (!end || end.kind !== 'main') throw new Error('plan timeline: no end event');
  const origin = end.startMs; // main thread's performance.now at the plan's start
  const epoch0 = performance.timeOrigin + origin; // the same instant on the shared wall clock
  const wallMs = end.endMs - origin;
  const rel = (t: number): string => (t - origin).toFixed(1);
  const tasks = events.filter((e): e is Extract<PoolTraceEvent, { kind: 'task' }> => e.kind === 'task');
  const mains = events.filter((e): e is Extract<PoolTraceEvent, { kind: 'main' }> => e.kind === 'main');
  const sum = (step: string): number => mains.filter((m) => m.step === step).reduce((n, m) => n + m.endMs - m.startMs, 0);
  const nWorkers = Math.max(spans.length, ...tasks.map((t) => t.worker + 1));
  const workers: TimelineSummary['workers'] = [];
  const lines: string[] = [];
  let firstDone = Infinity;
  for (let w = 0; w < nWorkers; w++) {
    const mine = tasks.filter((t) => t.worker === w).sort((a, b) => a.sentMs - b.sentMs);
    const engine = (spans[w] ?? []).filter((s) => s.name !== 'busyStats').sort((a, b) => a.startMs - b.startMs);
    let busy = 0, engineMs = 0, cpu: number | null = 0;
    for (const t of mine) busy += t.doneMs - t.sentMs;
    for (const s of engine) {
      engineMs += s.endMs - s.startMs;
      cpu = cpu === null || s.cpuMs === null ? null : cpu + s.cpuMs;
    }
    const last = mine.length ? mine[mine.length - 1]!.doneMs : origin;
    firstDone = Math.min(firstDone, last);
    workers.push({ engineMs, overheadMs: busy - engineMs, idleMs: wallMs - busy, calls: mine.length, cpuMs: cpu });
    const parts = mine.map((t, k) => {
      const s = engine[k];
      const inner = s ? ` [${(s.startMs - epoch0).toFixed(1)}-${(s.endMs - epoch0).toFixed(1)}]` : '';
      return `${KIND[t.task]}${corridorName(t.corridor)}${t.share >= 0 ? `/${t.share}` : ''} ${rel(t.sentMs)}-${rel(t.doneMs)}${inner}`;
    });
    lines.push(`w${w}: ${parts.join(', ')}`);
  }
  const setupMs = sum('start'), mergeMs = sum('merge'), assembleMs = sum('assemble');
  const tailMs = end.endMs - firstDone;
  const perWorker = workers.map((w, i) => `w${i} engine ${w.engineMs.toFixed(1)} ms (CPU ${w.cpuMs ?? '?'} ms), round trips ${w.overheadMs.toFixed(1)} ms over ${w.calls} calls, idle ${w.idleMs.toFixed(1)} ms`).join('; ');
  const text = `wall ${wallMs.toFixed(1)} ms; ${perWorker}; main: set-up ${setupMs.toFixed(2)} ms, merges ${mergeMs.toFixed(2)} ms, assembly ${assembleMs.toFixed(2)} ms; tail (first worker done -> plan end) ${tailMs.toFixed(1)} ms. Calls (c corridor, s scan share, r refinement share, f finish; corridor/share; sent-back [engine] ms from start): ${lines.join(' | ')}`;
  return { wallMs, workers, setupMs, mergeMs, assembleMs, tailMs, text };
}
