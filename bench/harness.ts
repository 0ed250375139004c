/**
 * Benchmark harness: each entry measures a figure and, where it can, a
 * reference run in the same process (raw I/O, a naive baseline, a peer), so the
 * printed ratio means something on a shared, noisy machine. Never used in tests.
 */
import { performance } from 'node:perf_hooks';

export type BenchResult = {
  name: string;
  figure: number;
  unit: string;
  /** What the figure is compared with, measured in the same run. */
  reference?: { name: string; figure: number; unit: string };
  /** figure / reference.figure (or as the entry defines it; see `ratioMeaning`). */
  ratio?: number;
  ratioMeaning?: string;
  goal?: string;
  /** Whether the goal is met, when the goal is a number the harness can judge. */
  met?: boolean;
  notes?: string;
};

export type BenchEntry = {
  name: string;
  run(): Promise<BenchResult[]>;
};

/** Median wall time in ms of `repeats` runs of `fn`, after `warmup` runs. */
export async function medianMs(fn: () => unknown | Promise<unknown>, repeats = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e6) return x.toExponential(3);
  if (a >= 100) return x.toFixed(0);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

export function printResults(results: BenchResult[]): void {
  for (const r of results) {
    const parts = [`${r.name}: ${fmt(r.figure)} ${r.unit}`];
    if (r.reference) parts.push(`reference ${r.reference.name}: ${fmt(r.reference.figure)} ${r.reference.unit}`);
    if (r.ratio !== undefined) parts.push(`ratio ${fmt(r.ratio)}${r.ratioMeaning ? ` (${r.ratioMeaning})` : ''}`);
    if (r.goal) parts.push(`goal ${r.goal}${r.met === undefined ? '' : r.met ? ' [met]' : ' [NOT met]'}`);
    if (r.notes) parts.push(r.notes);
    console.log('  ' + parts.join(' | '));
  }
}

let sinkValue = 0;
/** Consumes a computed value so the JIT cannot drop the loop that made it. */
export function keepAlive(value: number): void {
  sinkValue += value;
  if (sinkValue === Number.MIN_VALUE) console.log('');
}
