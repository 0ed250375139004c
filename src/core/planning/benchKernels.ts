/**
 * Benchmark kernels of the planner, for bench/ to call (never used in tests).
 * Each takes a clock (`now`, ms: performance.now in node and browsers) so that
 * core stays free of host APIs. Figures:
 * - candidates scored per second by the search kernel (single thread);
 * - the same candidates scored by a brute-force baseline (every field sampled
 *   separately, no interleaving, no early stop): the kernel's reference;
 * - full plan time for one lesion (all corridors, fields ready);
 * - one live check (all rules, one screw).
 */
import type { FieldSet } from '../fields/FieldSet';
import { frameDirectionToLps } from '../geometry/patientFrames';
import type { Vec3 } from '../geometry/vec3';
import type { StructureId } from '../shared/ids';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';
import { summarizeAnatomy } from './anatomySummary';
import { createEvaluationContext } from './checks/index';
import { resolveCorridor } from './corridors';
import { NEVER_CANCELLED } from './cancel';
import { buildPlannerGrid } from '../collision/plannerGrid';
import { closedBoneDepth } from './jointClosing';
import { allCorridorRequests, buildEngineGrid, createPlannerEngine, type PlannerEngine } from './plannerEngine';
import { defaultCatalog } from './screwCatalog';
import { coneDirections, createLinePlan, createLineScore, createSearchScratch, DEFAULT_SEARCH_OPTIONS, scoreLine, WHOLE_SCAN, type SearchContext } from './search';
import { DEFAULT_PLAN_SETTINGS, type Screw } from './types';

export type Clock = () => number;

export type KernelBench = { candidates: number; ms: number; candidatesPerSecond: number };

/** A loaded engine plus a search context on the same fields (for the kernel benches). */
export function prepareBench(fields: FieldSet, voxelStructureIds: StructureId[] = []): { engine: PlannerEngine; ctx: SearchContext } {
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds });
  const grid = engine.currentGrid()!;
  const settings = { ...DEFAULT_PLAN_SETTINGS };
  const ctx: SearchContext = {
    fields,
    grid,
    summary: summarizeAnatomy(fields),
    settings,
    catalog: defaultCatalog(),
    evaluation: createEvaluationContext(fields, settings, grid, voxelStructureIds),
    options: { ...DEFAULT_SEARCH_OPTIONS },
    cancel: NEVER_CANCELLED,
    scratch: createSearchScratch(DEFAULT_SEARCH_OPTIONS.sampleStepMm, DEFAULT_SEARCH_OPTIONS.keepTop),
  };
  return { engine, ctx };
}

/** Candidate lines of one corridor: lesion points x cone directions (the search's own sampling). */
function candidateLines(ctx: SearchContext, corridorId: Parameters<typeof resolveCorridor>[0], side: 'left' | 'right', maxLines: number): { c: Vec3; d: Vec3 }[] {
  const rc = resolveCorridor(corridorId, side);
  const ideal = frameDirectionToLps([0, 0, 0], ctx.summary.frame, rc.axisFrame[0], rc.axisFrame[1], rc.axisFrame[2]);
  const dirs = coneDirections(ideal, rc.template.coneHalfAngleDeg, ctx.options.coneStepDeg);
  const pts = ctx.summary.lesionPointsLps;
  const lines: { c: Vec3; d: Vec3 }[] = [];
  for (let k = 0; lines.length < maxLines && pts.length > 0; k++) {
    const p = (k * 7919) % (pts.length / 3);
    lines.push({ c: [pts[p * 3]!, pts[p * 3 + 1]!, pts[p * 3 + 2]!], d: dirs[k % dirs.length]! });
  }
  return lines;
}

/** Search-kernel throughput on one corridor: scoreLine over `count` candidate lines through the lesion. */
export function benchScoreCandidates(ctx: SearchContext, now: Clock, count = 20000, corridorId: Parameters<typeof resolveCorridor>[0] = 'iliosacralS1', side: 'left' | 'right' = 'left'): KernelBench {
  const lines = candidateLines(ctx, corridorId, side, count);
  const lp = createLinePlan(ctx, corridorId, side);
  const res = createLineScore();
  const ideal = lines[0]?.d ?? [1, 0, 0];
  for (let rep = 0; rep < 2; rep++) for (const l of lines) scoreLine(ctx, lp, l.c, l.d, ideal, res); // warm-up: let the JIT settle
  const t0 = now();
  for (const l of lines) scoreLine(ctx, lp, l.c, l.d, ideal, res);
  const ms = now() - t0;
  return { candidates: lines.length, ms, candidatesPerSecond: (lines.length / ms) * 1000 };
}

/**
 * Brute-force baseline on the same lines: each candidate samples bone depth,
 * lesion and EVERY structure field separately (sampleTrilinearLps) every
 * sampling step over the corridor's full length in both directions, with no
 * interleaving and no early stop. What the kernel would cost done naively.
 */
export function benchBruteForceBaseline(ctx: SearchContext, now: Clock, count = 2000, corridorId: Parameters<typeof resolveCorridor>[0] = 'iliosacralS1', side: 'left' | 'right' = 'left'): KernelBench {
  const lines = candidateLines(ctx, corridorId, side, count);
  const rc = resolveCorridor(corridorId, side);
  const f = ctx.fields;
  const structures = Object.values(f.structures).filter((v) => v !== undefined);
  const h = ctx.options.sampleStepMm;
  const maxLen = rc.template.lengthRangeMm[1];
  const p: Vec3 = [0, 0, 0];
  let sink = 0;
  const t0 = now();
  for (const l of lines) {
    let minBone = Infinity, minLesion = Infinity, minCrit = Infinity;
    for (let t = -maxLen; t <= maxLen; t += h) {
      p[0] = l.c[0] + l.d[0] * t; p[1] = l.c[1] + l.d[1] * t; p[2] = l.c[2] + l.d[2] * t;
      minBone = Math.min(minBone, sampleTrilinearLps(f.boneDepth, p, -1e3));
      if (f.lesion) minLesion = Math.min(minLesion, sampleTrilinearLps(f.lesion, p, 1e4));
      for (const s of structures) minCrit = Math.min(minCrit, sampleTrilinearLps(s, p, f.structureMarginMm ?? 1e4));
    }
    sink += minBone + minLesion + minCrit;
  }
  const ms = now() - t0;
  if (Number.isNaN(sink)) throw new Error('unreachable');
  return { candidates: lines.length, ms, candidatesPerSecond: (lines.length / ms) * 1000 };
}

/** Full plan (all corridors, both sides) on a loaded engine: median of `repeats` runs, ms, and candidates per run. */
export function benchFullPlan(engine: PlannerEngine, now: Clock, repeats = 3): { medianMs: number; candidates: number; candidatesPerSecond: number } {
  engine.plan({ generation: 0 }); // warm-up
  const times: number[] = [];
  let candidates = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = now();
    candidates = engine.plan({ generation: i + 1 }).candidatesScored;
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  const medianMs = times[Math.floor(times.length / 2)]!;
  return { medianMs, candidates, candidatesPerSecond: (candidates / medianMs) * 1000 };
}

/**
 * The coarse scans of a full plan alone (every corridor, every direction, one
 * thread): the same lines the plan scores first, without its refinement, fine
 * checks and probes. Median of `repeats`, after a warm-up.
 */
export function benchPlanScans(engine: PlannerEngine, now: Clock, repeats = 3): KernelBench {
  const scanAll = (): number => {
    let n = 0;
    for (const corridor of allCorridorRequests()) n += engine.scanCorridor({ generation: 0, corridor, share: WHOLE_SCAN }).scored;
    return n;
  };
  scanAll();
  const times: number[] = [];
  let candidates = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = now();
    candidates = scanAll();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)]!;
  return { candidates, ms, candidatesPerSecond: (candidates / ms) * 1000 };
}

/**
 * The engine's fields load, by stage (ms, one run each after a warm-up):
 * joint-closed bone depth, the interleaved grid, the anatomy summary; and,
 * as the reference, one copy of every field buffer (what a transfer without
 * shared memory costs on top: `fieldSetForTransfer`).
 */
export function benchEngineLoad(fields: FieldSet, now: Clock, voxelStructureIds: StructureId[] = []): { closeMs: number; gridMs: number; summaryMs: number; totalMs: number; copyMs: number; copyBytes: number } {
  buildEngineGrid(fields, { voxelStructureIds }); // warm-up
  let t = now();
  const closed = closedBoneDepth(fields, DEFAULT_PLAN_SETTINGS.maxJointGapMm);
  const closeMs = now() - t;
  t = now();
  buildPlannerGrid(fields, { boneDepthOverride: closed });
  const gridMs = now() - t;
  t = now();
  summarizeAnatomy(fields);
  const summaryMs = now() - t;
  const volumes = [fields.boneDepth, fields.labels, ...(fields.lesion ? [fields.lesion] : []), ...Object.values(fields.structures)];
  t = now();
  let copyBytes = 0;
  for (const v of volumes) if (v) copyBytes += v.voxels.slice().byteLength;
  const copyMs = now() - t;
  return { closeMs, gridMs, summaryMs, totalMs: closeMs + gridMs + summaryMs, copyMs, copyBytes };
}

/** One live check (every rule on `screw`), mean over `repeats`, ms. */
export function benchLiveCheck(engine: PlannerEngine, screw: Screw, now: Clock, repeats = 200): number {
  for (let i = 0; i < 10; i++) engine.checkScrew({ screw });
  const t0 = now();
  for (let i = 0; i < repeats; i++) engine.checkScrew({ screw });
  return (now() - t0) / repeats;
}

/** Every planner figure in one call (what bench/ prints), on a field set whose lesion is already segmented. */
export function runPlannerBench(fields: FieldSet, now: Clock, voxelStructureIds: StructureId[] = []): {
  loadMs: number;
  kernel: KernelBench;
  bruteForce: KernelBench;
  /** kernel.candidatesPerSecond / bruteForce.candidatesPerSecond */
  kernelSpeedup: number;
  fullPlan: { medianMs: number; candidates: number; candidatesPerSecond: number };
  /** The full plan's coarse scans alone (same engine, same lines). */
  scans: KernelBench;
  liveCheckMs: number | null;
} {
  const t0 = now();
  const { engine, ctx } = prepareBench(fields, voxelStructureIds);
  const loadMs = now() - t0;
  const kernel = benchScoreCandidates(ctx, now);
  const bruteForce = benchBruteForceBaseline(ctx, now);
  const fullPlan = benchFullPlan(engine, now);
  const scans = benchPlanScans(engine, now);
  const screw = engine.plan({ generation: 99 }).screws[0]?.screw;
  const liveCheckMs = screw ? benchLiveCheck(engine, screw, now) : null;
  return { loadMs, kernel, bruteForce, kernelSpeedup: kernel.candidatesPerSecond / bruteForce.candidatesPerSecond, fullPlan, scans, liveCheckMs };
}
