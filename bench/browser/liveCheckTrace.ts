/**
 * Where a drag's time goes, from a Chrome trace (CDP Tracing, categories
 * `devtools.timeline`, `blink`, `gpu`, `v8`, `disabled-by-default-devtools.timeline`)
 * taken by liveCheck.bench.ts with `BENCH_TRACE=1` over the paced moves.
 *
 * The page's renderer is the one whose main thread dispatched the
 * pointermoves. Each move's window runs from its pointermove dispatch to the
 * next one's (paced: the next move is sent only after this one's status is
 * shown, so a window holds all of one move's work plus the bench's polling).
 * In each window, per thread, every trace slice's SELF time (its duration
 * minus its children's) is put in the bucket of its nearest classified
 * ancestor (or itself):
 *
 * - renderer main thread: script (event dispatch, timers, animation-frame
 *   callbacks, microtasks, V8 execution), style (style recalc), layout
 *   (layout, pre-paint), paint (paint, layerize, commit), gc, other (task
 *   overhead, IPC, tracing itself);
 * - renderer compositor thread and raster workers: busy time (with GPU raster the
 *   page's content is rasterised in the GPU process: RendererRasterWorker there);
 * - GPU process (SwiftShader: its main thread draws and composites every
 *   frame, the Viz compositor thread schedules them): busy time.
 *
 * Busy time of a thread = the sum of its top-level slices' durations inside
 * the window (clipped at the window's edges).
 */

type TraceEvent = { name: string; cat?: string; ph: string; ts: number; dur?: number; pid: number; tid: number; args?: Record<string, unknown> };
type Slice = { name: string; ts: number; end: number; children: Slice[] };

export type MoveBreakdown = Record<string, number>;
export type TraceSummary = {
  moves: number;
  /** Median over the moves' windows, ms, per bucket (see the header). */
  median: MoveBreakdown;
  /** Mean over the windows, ms. */
  mean: MoveBreakdown;
  /** The longest window (the worst move), ms per bucket, with its main-thread slices of most self time. */
  slowest: MoveBreakdown & { top?: string };
  /** Main-thread slices with the most self time over all windows (name: total ms). */
  topMain: [string, number][];
  /** Renderer main-thread script time by function or event (the longest call frames). */
  topScript: [string, number][];
  /** GPU process main thread: slices with the most self time over all windows (name: total ms). */
  topGpu: [string, number][];
  /** Frames the GPU process drew and swapped per move (SkiaOutputSurfaceImplOnGpu::SwapBuffers: in headless SwiftShader the swap reads the frame back and waits for the whole draw). */
  framesPerMove: number;
  /** Median duration of one such swap (ms): the software GPU's cost of compositing one frame of the page. */
  swapMedianMs: number;
  /**
   * 2D canvas resources the page's renderer produced per move (`ProduceCanvasResource`: an accelerated
   * canvas handed to the compositor again, or a canvas snapshot painted as an image).
   */
  canvasResourcesPerMove: number;
};

const SCRIPT = new Set(['EventDispatch', 'FunctionCall', 'TimerFire', 'FireAnimationFrame', 'RunMicrotasks', 'v8.run', 'v8.execute', 'V8.Execute', 'EvaluateScript', 'v8.callFunction', 'HandlePostMessage', 'v8.compile', 'v8.compileModule', 'V8.CompileCode', 'FireIdleCallback', 'ResizeObserver::BroadcastObservations']);
const STYLE = new Set(['UpdateLayoutTree', 'RecalculateStyles', 'ParseAuthorStyleSheet', 'ScheduleStyleRecalculation']);
const LAYOUT = new Set(['Layout', 'PrePaint', 'UpdateLayerTree', 'IntersectionObserverController::computeIntersections', 'ComputeIntersections', 'HitTest']);
const PAINT = new Set(['Paint', 'PaintImage', 'Layerize', 'UpdateLayer', 'CompositeLayers', 'Commit', 'ProxyMain::BeginMainFrame::commit', 'PaintArtifactCompositor::Update', 'LocalFrameView::RunPaintLifecyclePhase', 'Decode Image']);
const GC = new Set(['MinorGC', 'MajorGC', 'V8.GCScavenger', 'V8.GCFinalizeMC', 'BlinkGC.AtomicPhase', 'V8.GC_MC_BACKGROUND_MARKING', 'GCEvent', 'BlinkGC.CompleteSweep', 'BlinkGC.LazySweepInIdle', 'V8.GCIncrementalMarking', 'V8.GCCompactor', 'V8.GCIncrementalMarkingFinalize', 'V8.GCMarkCompactor', 'ThreadState::performIdleLazySweep']);

function bucketOf(name: string): string | null {
  if (SCRIPT.has(name)) return 'script';
  if (STYLE.has(name)) return 'style';
  if (LAYOUT.has(name)) return 'layout';
  if (PAINT.has(name)) return 'paint';
  if (GC.has(name) || name.startsWith('V8.GC') || name.startsWith('BlinkGC')) return 'gc';
  return null;
}

/** Slices of one thread as a forest (complete events and B/E pairs). */
function slicesOf(events: TraceEvent[]): Slice[] {
  const flat: Slice[] = [];
  const open: TraceEvent[] = [];
  for (const e of events) {
    if (e.ph === 'X' && typeof e.dur === 'number') flat.push({ name: e.name, ts: e.ts, end: e.ts + e.dur, children: [] });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) flat.push({ name: b.name, ts: b.ts, end: e.ts, children: [] });
    }
  }
  flat.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const roots: Slice[] = [];
  const stack: Slice[] = [];
  for (const s of flat) {
    while (stack.length && stack[stack.length - 1]!.end <= s.ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent && s.end <= parent.end + 0.5) parent.children.push(s);
    else {
      stack.length = 0;
      roots.push(s);
    }
    stack.push(s);
  }
  return roots;
}

const clip = (a: number, b: number, lo: number, hi: number): number => Math.max(0, Math.min(b, hi) - Math.max(a, lo));

/** Self time (µs) of every slice under `s`, clipped to [lo, hi), into buckets. */
function addSelf(s: Slice, inherited: string, lo: number, hi: number, out: Map<string, number>, names: Map<string, number>): void {
  const bucket = bucketOf(s.name) ?? inherited;
  let self = clip(s.ts, s.end, lo, hi);
  for (const c of s.children) self -= clip(c.ts, c.end, lo, hi);
  if (self > 0) {
    out.set(bucket, (out.get(bucket) ?? 0) + self);
    names.set(s.name, (names.get(s.name) ?? 0) + self);
  }
  for (const c of s.children) if (c.end > lo && c.ts < hi) addSelf(c, bucket, lo, hi, out, names);
}

function busy(roots: Slice[], lo: number, hi: number): number {
  let t = 0;
  for (const r of roots) t += clip(r.ts, r.end, lo, hi);
  return t;
}

function median(xs: number[]): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function summariseTrace(json: string, firstMove = 0): TraceSummary {
  const parsed = JSON.parse(json) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const threadName = new Map<string, string>();
  const processName = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') threadName.set(`${e.pid}:${e.tid}`, String((e.args as { name?: string })?.name ?? ''));
    if (e.name === 'process_name') processName.set(e.pid, String((e.args as { name?: string })?.name ?? ''));
  }
  const byThread = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X' && e.ph !== 'B' && e.ph !== 'E') continue;
    const k = `${e.pid}:${e.tid}`;
    let list = byThread.get(k);
    if (!list) byThread.set(k, (list = []));
    list.push(e);
  }
  // The page's renderer: its main thread dispatched the pointermoves.
  const dispatches = events
    .filter((e) => e.name === 'EventDispatch' && (e.args as { data?: { type?: string } })?.data?.type === 'pointermove' && threadName.get(`${e.pid}:${e.tid}`) === 'CrRendererMain')
    .sort((a, b) => a.ts - b.ts);
  if (dispatches.length < 2) throw new Error(`the trace has ${dispatches.length} pointermove dispatches on a renderer main thread`);
  const pid = dispatches[0]!.pid;
  const moves = dispatches.filter((d) => d.pid === pid).slice(firstMove);
  const threadsOf = (pred: (name: string, proc: string) => boolean): Slice[][] => {
    const out: Slice[][] = [];
    for (const [k, list] of byThread) {
      const [p] = k.split(':').map(Number);
      if (pred(threadName.get(k) ?? '', processName.get(p!) ?? '')) out.push(slicesOf(list));
    }
    return out;
  };
  const mainKey = `${pid}:${moves[0]!.tid}`;
  const main = slicesOf(byThread.get(mainKey) ?? []);
  const isRenderer = (proc: string, p?: number): boolean => proc === 'Renderer' && p === pid;
  const compositor: Slice[][] = [];
  const raster: Slice[][] = [];
  for (const [k, list] of byThread) {
    const [p] = k.split(':').map(Number);
    if (!isRenderer(processName.get(p!) ?? '', p)) continue;
    const n = threadName.get(k) ?? '';
    if (n === 'Compositor') compositor.push(slicesOf(list));
    if (n.startsWith('CompositorTileWorker')) raster.push(slicesOf(list));
  }
  const gpuMain = threadsOf((n, proc) => proc === 'GPU Process' && n === 'CrGpuMain');
  const viz = threadsOf((n, proc) => proc === 'GPU Process' && n === 'VizCompositorThread');
  const workers = threadsOf((n, proc) => proc === 'Renderer' && n.startsWith('DedicatedWorker'));
  const swaps = events.filter((e) => e.name === 'SkiaOutputSurfaceImplOnGpu::SwapBuffers' && e.ph === 'X' && processName.get(e.pid) === 'GPU Process');

  const perMove: MoveBreakdown[] = [];
  const mainNames = new Map<string, number>();
  const gpuNames = new Map<string, number>();
  let slowestTop: { window: number; top: string } | null = null;
  const framesPer: number[] = [];
  for (let i = 0; i + 1 < moves.length; i++) {
    const lo = moves[i]!.ts;
    const hi = moves[i + 1]!.ts;
    const buckets = new Map<string, number>();
    for (const r of main) if (r.end > lo && r.ts < hi) addSelf(r, 'other', lo, hi, buckets, mainNames);
    const sum = (xs: Slice[][]): number => xs.reduce((a, t) => a + busy(t, lo, hi), 0);
    for (const t of gpuMain) for (const r of t) if (r.end > lo && r.ts < hi) addSelf(r, 'gpu', lo, hi, new Map(), gpuNames);
    const b: MoveBreakdown = {
      window: (hi - lo) / 1000,
      'main: script': (buckets.get('script') ?? 0) / 1000,
      'main: style': (buckets.get('style') ?? 0) / 1000,
      'main: layout': (buckets.get('layout') ?? 0) / 1000,
      'main: paint+commit': (buckets.get('paint') ?? 0) / 1000,
      'main: gc': (buckets.get('gc') ?? 0) / 1000,
      'main: other': (buckets.get('other') ?? 0) / 1000,
      'main: busy': busy(main, lo, hi) / 1000,
      'renderer compositor': sum(compositor) / 1000,
      'renderer raster workers': sum(raster) / 1000,
      'GPU process main (SwiftShader)': sum(gpuMain) / 1000,
      'GPU process viz compositor': sum(viz) / 1000,
      'dedicated workers (planner check)': sum(workers) / 1000,
    };
    perMove.push(b);
    if (!slowestTop || b['window']! > slowestTop.window) {
      const names = new Map<string, number>();
      for (const r of main) if (r.end > lo && r.ts < hi) addSelf(r, 'other', lo, hi, new Map(), names);
      const gpu = new Map<string, number>();
      for (const t of gpuMain) for (const r of t) if (r.end > lo && r.ts < hi) addSelf(r, 'gpu', lo, hi, new Map(), gpu);
      const fmt = (m: Map<string, number>): string => [...m.entries()].sort((x, y) => y[1] - x[1]).slice(0, 5).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(', ');
      slowestTop = { window: b['window']!, top: `main: ${fmt(names)}; GPU: ${fmt(gpu)}` };
    }
    framesPer.push(swaps.filter((e) => e.ts >= lo && e.ts < hi).length);
  }
  const keys = Object.keys(perMove[0] ?? {});
  const med: MoveBreakdown = {};
  const mean: MoveBreakdown = {};
  for (const k of keys) {
    const xs = perMove.map((m) => m[k]!);
    med[k] = median(xs);
    mean[k] = xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  }
  // Script time by the callee (FunctionCall's function name when the trace has it).
  const script = new Map<string, number>();
  const first = moves[0]!.ts;
  const last = moves[moves.length - 1]!.ts;
  for (const e of byThread.get(mainKey) ?? []) {
    if (e.ph !== 'X' || e.ts < first || e.ts >= last || typeof e.dur !== 'number') continue;
    if (e.name !== 'FunctionCall' && e.name !== 'EventDispatch' && e.name !== 'FireAnimationFrame' && e.name !== 'TimerFire') continue;
    const d = (e.args as { data?: { functionName?: string; type?: string; url?: string; lineNumber?: number } })?.data;
    const where = d?.functionName ? `${d.functionName} (${String(d.url ?? '').split('/').pop()}:${d.lineNumber ?? ''})` : d?.type ?? '';
    const k = `${e.name} ${where}`;
    script.set(k, (script.get(k) ?? 0) + e.dur / 1000);
  }
  const top = (m: Map<string, number>, n: number, scale: number): [string, number][] =>
    [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => [k, v / scale]);
  const slowest: MoveBreakdown & { top?: string } = { ...(perMove.reduce((a, b) => (b['window']! > a['window']! ? b : a), perMove[0] ?? {})) };
  slowest.top = slowestTop?.top ?? '';
  const inMoves = (e: TraceEvent): boolean => e.ts >= moves[0]!.ts && e.ts < moves[moves.length - 1]!.ts;
  const canvasResources = events.filter((e) => e.pid === pid && e.name.endsWith('ProduceCanvasResource') && (e.ph === 'X' || e.ph === 'B') && inMoves(e)).length;
  return { moves: perMove.length, median: med, mean, slowest, topMain: top(mainNames, 14, 1000), topGpu: top(gpuNames, 12, 1000), topScript: top(script, 10, 1), framesPerMove: framesPer.reduce((a, b) => a + b, 0) / Math.max(1, framesPer.length), swapMedianMs: median(swaps.filter(inMoves).map((e) => (e.dur ?? 0) / 1000)), canvasResourcesPerMove: canvasResources / Math.max(1, perMove.length) };
}

export function formatTraceSummary(label: string, s: TraceSummary): string {
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  const lines = [`  trace of ${label}, ${s.moves} move windows (pointermove dispatch to the next), median / mean ms per move:`];
  lines.push(`    ${''.padEnd(36)} ${'median'.padStart(8)} ${'mean'.padStart(8)} ${'slowest'.padStart(8)}`);
  for (const k of Object.keys(s.median)) lines.push(`    ${k.padEnd(36)} ${f(s.median[k]!).padStart(8)} ${f(s.mean[k]!).padStart(8)} ${f(s.slowest[k] as number).padStart(8)}`);
  lines.push(`    slowest move, most self time (ms): ${s.slowest.top}`);
  lines.push(`    GPU frames (swaps) per move: ${s.framesPerMove.toFixed(2)}; one swap (composite + read-back, median): ${f(s.swapMedianMs)} ms; 2D canvas resources produced per move: ${s.canvasResourcesPerMove.toFixed(2)}`);
  lines.push(`    main-thread self time by slice (total ms over the windows): ${s.topMain.map(([k, v]) => `${k} ${f(v)}`).join('; ')}`);
  lines.push(`    GPU process main thread self time by slice (total ms): ${s.topGpu.map(([k, v]) => `${k} ${f(v)}`).join('; ')}`);
  lines.push(`    script by callee (total ms): ${s.topScript.map(([k, v]) => `${k} ${f(v)}`).join('; ')}`);
  return lines.join('\n');
}
