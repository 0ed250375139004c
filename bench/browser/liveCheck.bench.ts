/**
 * Issue #6: "`npm run bench` (headless Chromium): time from pointer move to
 * updated status (goal under 16 ms median on the full-size phantom)".
 *
 * Three rows: the full-size sacralAla phantom (written once into bench/out/phantom
 * by dropToFrame's `ensurePhantom`, opened through the app's file input), the
 * same in a browser with `--disable-gpu-compositing` (a diagnostic row, never
 * judged against the goal: it separates SwiftShader's GPU compositing from the
 * page's own work; BENCH_LIVE_DIAGNOSTIC=0 skips it) and the bundled
 * sacralAla-medium sample (`?sample=`). Each: wait for the planning
 * session's fields, seed the lesion at the TRUTH lesion centre (truth.json
 * beside the series, through the session hook as e2e/planEditing.spec.ts does
 * when the click tool is absent), "Plan screws" and "Accept" through the plan
 * panel, select the S1-left screw (else the first) in the screw list, then
 * press the mouse on its tip handle in the axial view and move it with
 * page.mouse along a figure-eight path:
 *
 * - continuous: N moves about one animation frame apart, never waiting for a
 *   check (a hand dragging);
 * - paced: M moves, each after the previous move's check is shown (the
 *   latency of one check with nothing queued before it).
 *
 * Measured in the page (performance.now() timebase): for each input, its
 * `event.timeStamp` (when the input happened; the same on its raw update and
 * its pointermove), when the app took it (the overlay applies a drag input in
 * its `pointerrawupdate` where the browser sends one, else in the
 * frame-aligned `pointermove`: the probe wraps the app's raw listeners and
 * records whether the raw update moved the tip; a pointermove is recorded by
 * a capture listener that runs before the overlay's), the tip it put in the
 * plan store, and the first animation frame after it (the overlay redraws
 * synchronously in the same dispatch, which a MutationObserver on the axial
 * screw layer confirms). The plan controller records every live check
 * (`__planner.plan.checkTimings().recent`: the tip it checked, requested,
 * answered, applied to the store: the list and the overlay redraw
 * synchronously on the store's change). A move's latency = appliedAt of the
 * check of exactly its tip - the move's timeStamp; a move whose tip was never
 * checked (a newer move superseded it before the worker was free, or its
 * result came back stale) is counted as superseded. Also printed: when the
 * frame that paints the result begins (the first animation frame after
 * appliedAt, from a rAF loop that runs while the probe is armed): on
 * SwiftShader that frame waits for the previous one to be drawn.
 *
 * Same-run reference: the bare `session.checkScrew` round trip through the
 * planner worker (the hook), the same request 30 times with nothing else
 * going on. `BENCH_PROFILE=1` writes a CPU profile of the page's main thread
 * over the paced moves to bench/out/prof/live-check-<row>.cpuprofile. The engine's own time is not exposed in the page (the
 * evaluation carries no timing); the node entry `planner` measures it.
 * 3D is off (`no3d=1`, as the e2e): SwiftShader's scene redraw on every
 * store change would dominate the main thread here and not on a GPU.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BenchEntry, BenchResult } from '../harness';
import { benchPort, browserUnavailable, launchChromium, ROOT, startVite } from './browserSupport';
import { ensurePhantom } from './dropToFrame.bench';
import { formatTraceSummary, summariseTrace } from './liveCheckTrace';

type Vec3 = [number, number, number];
/** Ceiling for a hung run on a loaded machine (full-size segmentation runs in the page's workers), not pacing. */
const WAIT_MS = 900_000;
const CONTINUOUS_MOVES = Number(process.env['BENCH_LIVE_MOVES'] ?? 60);
const PACED_MOVES = 30;
const FRAME_MS = 16;
/** BENCH_APP_QUERY: more of the app's URL query for both rows (A/B, e.g. `&canvas2d=accelerated`, the browser's default 2D canvases). */
const APP_QUERY = process.env['BENCH_APP_QUERY'] ?? '';

type MoveRecord = {
  /** The input's event.timeStamp (the same on its raw update and its frame-aligned pointermove). */
  t: number;
  /** Its frame-aligned pointermove's dispatch (null: coalesced into a later move by the browser). */
  dispatchedAt: number | null;
  /** The tip in the store after that dispatch (null before it). */
  tip: Vec3 | null;
  /** Its pointerrawupdate's dispatch to the app's listener, and the tip that listener put in the store if it moved it. */
  rawAt: number | null;
  rawTip: Vec3 | null;
  frameAt: number | null;
  layerMutatedAt: number | null;
};
type CheckRecord = { screwId: string; tipLps: Vec3; requestedAt: number; answeredAt: number; appliedAt: number | null };

/**
 * Init script: timestamps every pointer input while armed (see the header). A pointermove is
 * recorded by a capture listener on window added here, before any of the app's. The app's own
 * pointerrawupdate listeners (the screw drag takes raw updates where the browser has them) are
 * wrapped as they are added, so the probe sees when each raw update reached the app and whether it
 * moved the tip; the probe adds no raw listener of its own (while one is registered Chromium hit
 * tests every raw input, a cost the app would not otherwise have).
 */
const LIVE_PROBE = `(() => {
  const probe = { armed: false, screwId: null, moves: [], canvasDraws: {}, frames: [] };
  window.__liveProbe = probe;
  // Draw calls into on-screen 2D canvases while armed, per canvas (its parent's class): a drag should draw into none.
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['drawImage', 'putImageData', 'fillRect', 'clearRect', 'fill', 'stroke', 'fillText']) {
    const orig = proto[name];
    proto[name] = function (...args) {
      if (probe.armed && this.canvas && this.canvas.isConnected) {
        const cell = this.canvas.closest('[data-cell]');
        const key = (cell && cell.getAttribute('data-cell')) || 'other';
        probe.canvasDraws[key] = (probe.canvasDraws[key] || 0) + 1;
      }
      return orig.apply(this, args);
    };
  }
  let layerMutatedAt = null;
  let observed = null;
  const observe = () => {
    const layer = document.querySelector('[data-screw-layer="axial"]');
    if (!layer || layer === observed) return;
    observed = layer;
    new MutationObserver(() => { if (layerMutatedAt === null) layerMutatedAt = performance.now(); }).observe(layer, { subtree: true, childList: true, attributes: true });
  };
  const tipNow = () => {
    const plan = window.__planner ? window.__planner.plan.state().plan : null;
    const s = plan && plan.screws.find((x) => x.id === probe.screwId);
    return s ? [...s.tipLps] : null;
  };
  const byT = new Map();
  const recordOf = (e) => {
    let rec = byT.get(e.timeStamp);
    if (rec) return rec;
    rec = { t: e.timeStamp, dispatchedAt: null, tip: null, rawAt: null, rawTip: null, frameAt: null, layerMutatedAt: null };
    byT.set(e.timeStamp, rec);
    probe.moves.push(rec);
    layerMutatedAt = null;
    requestAnimationFrame(() => { rec.frameAt = performance.now(); rec.layerMutatedAt = layerMutatedAt; });
    return rec;
  };
  // While armed, the start of every animation frame: the frame that shows a check's result is the first after it was applied.
  const onFrame = () => { if (!probe.armed) { probe.framesRunning = false; return; } probe.frames.push(performance.now()); requestAnimationFrame(onFrame); };
  probe.arm = (screwId) => {
    probe.screwId = screwId;
    probe.armed = true;
    if (!probe.framesRunning) { probe.framesRunning = true; requestAnimationFrame(onFrame); }
  };
  window.addEventListener('pointermove', (e) => {
    if (!probe.armed) return;
    observe();
    const rec = recordOf(e);
    rec.dispatchedAt = performance.now();
    // After the overlay's own listener (same dispatch) has put the dragged tip in the store.
    setTimeout(() => { rec.tip = tipNow(); }, 0);
  }, true);
  const wrapped = new WeakMap();
  const add = EventTarget.prototype.addEventListener;
  const remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, listener, options) {
    if (type !== 'pointerrawupdate' || typeof listener !== 'function') return add.call(this, type, listener, options);
    let w = wrapped.get(listener);
    if (!w) {
      w = function (e) {
        if (!probe.armed) return listener.call(this, e);
        observe();
        const rec = recordOf(e);
        const before = tipNow();
        const at = performance.now();
        const out = listener.call(this, e);
        const after = tipNow();
        if (after && (!before || after.some((v, k) => v !== before[k]))) { rec.rawAt = at; rec.rawTip = after; }
        return out;
      };
      wrapped.set(listener, w);
    }
    return add.call(this, type, w, options);
  };
  EventTarget.prototype.removeEventListener = function (type, listener, options) {
    return remove.call(this, type, (type === 'pointerrawupdate' && wrapped.get(listener)) || listener, options);
  };
})();`;

/** When the app took the input (its raw update if that moved the tip, else its pointermove) and the tip it put in the store then. */
function handled(m: MoveRecord): { at: number; tip: Vec3 } | null {
  if (m.rawAt !== null && m.rawTip) return { at: m.rawAt, tip: m.rawTip };
  if (m.dispatchedAt !== null && m.tip) return { at: m.dispatchedAt, tip: m.tip };
  return null;
}

type Row = {
  label: string;
  continuous: Stats;
  paced: Stats;
  continuousIntervalMs: number;
  referenceMs: number;
  referenceP90Ms: number;
  checks: number;
  staleDropped: number;
  screw: string;
  /** Input -> dispatch of the same pointer moves on a blank page, same browser, right after (median, p90). */
  blankQueueMs: number;
  blankQueueP90Ms: number;
  /** A diagnostic row (other browser flags): its figures are not judged against the goal. */
  diagnostic?: string | null;
};
type Stats = { queueMedianMs: number; oursMedianMs: number; n: number; measured: number; superseded: number; viaRaw: number; medianMs: number; p90Ms: number; maxMs: number; frameMedianMs: number; frameMaxMs: number; frameWithoutRedraw: number; statusFrameMedianMs: number; statusFrameP90Ms: number };

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function stats(moves: MoveRecord[], checks: CheckRecord[], screwId: string, frames: number[]): Stats {
  const lat: number[] = [];
  const frameLat: number[] = [];
  const statusFrame: number[] = [];
  const queue: number[] = [];
  const ours: number[] = [];
  let superseded = 0;
  let viaRaw = 0;
  let frameWithoutRedraw = 0;
  for (const m of moves) {
    if (m.frameAt !== null) frameLat.push(m.frameAt - m.t);
    if (m.layerMutatedAt === null || (m.frameAt !== null && m.layerMutatedAt > m.frameAt)) frameWithoutRedraw++;
    const h = handled(m);
    if (!h) {
      superseded++;
      continue;
    }
    if (h.at === m.rawAt) viaRaw++;
    const c = checks.find((r) => r.screwId === screwId && r.appliedAt !== null && r.requestedAt >= h.at && r.tipLps.every((v, i) => v === h.tip[i]));
    queue.push(h.at - m.t);
    if (c) {
      lat.push(c.appliedAt! - m.t);
      ours.push(c.appliedAt! - h.at);
      // The first animation frame begun after the result was applied: the frame that paints it.
      const f = frames.find((x) => x >= c.appliedAt!);
      if (f !== undefined) statusFrame.push(f - m.t);
    }
    else superseded++;
  }
  for (const a of [lat, frameLat, queue, ours, statusFrame]) a.sort((x, y) => x - y);
  return {
    queueMedianMs: quantile(queue, 0.5), oursMedianMs: quantile(ours, 0.5),
    n: moves.length, measured: lat.length, superseded, viaRaw,
    medianMs: quantile(lat, 0.5), p90Ms: quantile(lat, 0.9), maxMs: lat.length ? lat[lat.length - 1]! : NaN,
    frameMedianMs: quantile(frameLat, 0.5), frameMaxMs: frameLat.length ? frameLat[frameLat.length - 1]! : NaN, frameWithoutRedraw,
    statusFrameMedianMs: quantile(statusFrame, 0.5), statusFrameP90Ms: quantile(statusFrame, 0.9),
  };
}

async function waitReady(page: Page): Promise<void> {
  await page.locator('#app[data-session-phase="ready"], #app[data-session-phase="error"]').waitFor({ state: 'attached', timeout: WAIT_MS });
  const err = await page.evaluate(() => (window as unknown as { __planner: { session: { getStatus(): { error: { message: string } | null } } } }).__planner.session.getStatus().error);
  if (err) throw new Error(`planning session failed: ${err.message}`);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const benchT0 = Date.now();
/** Progress on stderr (a full-size run takes minutes): which step a hung run is in. */
const step = (label: string, what: string): void => {
  process.stderr.write(`  [${((Date.now() - benchT0) / 1000).toFixed(0)} s] ${label}: ${what}\n`);
};

/** BENCH_TRACE=paced (or 1) | continuous | all: a Chrome trace of that phase, or of both (see liveCheckTrace.ts). */
const TRACE_ENV = process.env['BENCH_TRACE'] === '1' ? 'paced' : (process.env['BENCH_TRACE'] ?? '');
const TRACE = TRACE_ENV === 'all' ? 'paced,continuous' : TRACE_ENV;
// viz, cc and toplevel name what the GPU process's main thread does (its display compositor draws every frame there).
const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'gpu', 'v8', 'viz', 'cc', 'toplevel', 'gpu.angle'];

async function startTrace(browser: Browser, page: Page): Promise<void> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES, screenshots: false });
}
async function stopTrace(browser: Browser, label: string, phase: string): Promise<void> {
  const buf = await browser.stopTracing();
  mkdirSync(join(ROOT, 'bench/out/prof'), { recursive: true });
  const file = join(ROOT, 'bench/out/prof', `live-trace-${label.split(' ')[0]}-${phase}.json`);
  writeFileSync(file, buf);
  step(label, `trace of the ${phase} moves in ${file} (${(buf.length / 1e6).toFixed(0)} MB)`);
  try {
    console.log(formatTraceSummary(`${label}, ${phase} moves`, summariseTrace(buf.toString('utf8'))));
  } catch (error) {
    console.log(`  trace summary failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function measure(browser: Browser, baseUrl: string, label: string, open: (page: Page) => Promise<void>, lesionLps: Vec3, setupScrew: unknown, appQuery: string): Promise<Row> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({ content: LIVE_PROBE });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  try {
    // A clean slate: no autosaved plan of an earlier run.
    await page.goto(`${baseUrl}/?sample=none${appQuery}${APP_QUERY}`, { timeout: WAIT_MS });
    await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
    step(label, 'opening');
    await open(page);
    await page.locator('#app[data-state="ready"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    step(label, 'volume shown; waiting for the session (segmentation, fields)');
    await waitReady(page);
    step(label, 'session ready; growing the lesion at the truth centre');
    await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: Vec3): Promise<unknown> } } }).__planner.session.growLesion(q), lesionLps);
    await waitReady(page);
    step(label, 'planning');
    try {
      await page.locator('[data-action="plan"]:not([disabled])').click({ timeout: 120_000 });
    } catch {
      throw new Error(`"Plan screws" stayed disabled; the plan panel says: ${(await page.locator('.plan-panel').innerText()).slice(0, 400)}`);
    }
    await page.locator('.plan-panel:is([data-plan-state="done"], [data-plan-state="error"], [data-plan-state="cancelled"])').waitFor({ state: 'attached', timeout: WAIT_MS });
    if ((await page.locator('.plan-panel').getAttribute('data-plan-state')) !== 'done') {
      throw new Error(`planning did not finish: ${(await page.locator('.plan-panel').innerText()).slice(0, 400)}`);
    }
    step(label, 'accepting the plan');
    let screwSource = 'planned and accepted through the plan panel';
    const available = await page.locator('.plan-corridor[data-available="1"]').count();
    if (available > 0) {
      await page.locator('[data-action="accept-plan"]').click({ timeout: 60_000 });
    } else {
      // The planner proposed nothing (seen on the full-size phantom): the drag is measured on a screw along the
      // TRUTH iliosacral S1 left corridor axis instead, put in the store through the scene hook (test set-up).
      const panel = (await page.locator('.plan-panel').innerText()).replace(/\s+/g, ' ');
      step(label, `the planner proposed no screw (${panel.slice(0, 200)}...); using the truth S1 left corridor`);
      if (!setupScrew) throw new Error(`the planner proposed no screw and there is no fallback: ${panel.slice(0, 400)}`);
      const ok = await page.evaluate((screwsIn) => {
        const hooks = (window as unknown as { __planner: { plan?: { setScrews?(s: unknown): void }; scene?: { setScrews(s: unknown): void } } }).__planner;
        const set = hooks.plan?.setScrews ?? hooks.scene?.setScrews;
        if (!set) return false;
        set(screwsIn);
        return true;
      }, [setupScrew]);
      if (!ok) throw new Error('the planner proposed no screw and no hook can set one (__planner.plan.setScrews, or the scene hook with 3D on)');
      screwSource = 'the planner proposed none: one 7.3 mm screw on the TRUTH S1 left corridor axis (set through the plan hook)';
    }
    await page.locator('#app[data-screw-count]:not([data-screw-count="0"])').waitFor({ state: 'attached', timeout: 60_000 });
    const screws = await page.evaluate(() => (window as unknown as { __planner: { plan: { state(): { plan: { screws: { id: string; corridorId: string; side: string | null; tipLps: Vec3 }[] } } } } }).__planner.plan.state().plan.screws.map((s) => ({ id: s.id, corridorId: s.corridorId, side: s.side, tipLps: [...s.tipLps] as Vec3 })));
    const screw = screws.find((s) => s.corridorId === 'iliosacralS1' && s.side === 'left') ?? screws[0];
    if (!screw) throw new Error('the accepted plan has no screw');
    const row = page.locator(`.screw-row[data-screw-id="${screw.id}"]`);
    await page.locator(`.screw-row[data-screw-id="${screw.id}"]:not([data-status="pending"])`).waitFor({ state: 'attached' });
    await row.click();
    await page.locator(`#app[data-selected-screw="${screw.id}"]`).waitFor({ state: 'attached' });
    await page.evaluate((p) => (window as unknown as { __planner: { plan: { setCrosshair(p: Vec3): void } } }).__planner.plan.setCrosshair(p), screw.tipLps);
    // 3D on: the bone and lesion meshes first (their arrival compiles shaders and uploads the mesh: a hitch of
    // seconds on SwiftShader that belongs to opening the case, not to the drag).
    if ((await page.locator('#app[data-scene-mode]').count()) > 0) {
      step(label, 'waiting for the 3D scene\'s bone and lesion meshes');
      await page.waitForFunction(() => {
        const d = document.getElementById('app')!.dataset;
        const w = window as unknown as { __planner: { session: { getStatus(): { labelsGeneration: number } } } };
        return d['sceneReady'] === '1' && d['sceneLesionGeneration'] === String(w.__planner.session.getStatus().labelsGeneration);
      }, undefined, { timeout: WAIT_MS, polling: 200 });
      await sleep(1000);
    }
    const handle = page.locator(`[data-screw-layer="axial"] [data-screw-id="${screw.id}"] [data-handle="tip"]`);
    await handle.waitFor({ state: 'attached' });
    // The layer is redrawn after the camera moves, and the view cells resize when the trajectory
    // column appears: read the box once it stays put, after the 3D scene's meshes (their arrival
    // can move the layout too).
    let box = await handle.boundingBox();
    for (let i = 0; i < 50; i++) {
      await sleep(100);
      const b = await handle.boundingBox();
      if (b && box && Math.abs(b.x - box.x) < 0.01 && Math.abs(b.y - box.y) < 0.01) break;
      box = b;
    }
    if (!box) throw new Error('the tip handle has no box in the axial view');
    const x0 = box.x + box.width / 2, y0 = box.y + box.height / 2;
    const before = await page.evaluate(() => (window as unknown as { __planner: { plan: { checkTimings(): { stale: number; count: number } } } }).__planner.plan.checkTimings());

    step(label, `dragging the tip of ${screw.corridorId} ${screw.side ?? ''}`);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    // Past the overlay's 3 px drag threshold (not measured).
    await page.mouse.move(x0 + 6, y0);
    // The press must have taken the tip handle (not the crosshair under it): the store's tip has moved.
    await page.waitForFunction(([id, tip]) => {
      const w = window as unknown as { __planner: { plan: { state(): { plan: { screws: { id: string; tipLps: Vec3 }[] } } } } };
      const s = w.__planner.plan.state().plan.screws.find((x) => x.id === id);
      return !!s && s.tipLps.some((v, k) => v !== tip[k]);
    }, [screw.id, screw.tipLps] as const, { timeout: 60_000, polling: 50 }).catch(() => {
      throw new Error('the press on the tip handle did not start a drag (the store\'s tip did not move)');
    });
    await page.evaluate((id) => (window as unknown as { __liveProbe: { arm(id: string): void } }).__liveProbe.arm(id), screw.id);
    // Figure of eight, 24 x 12 px around the start (a few mm on screen): every move a new tip.
    const at = (i: number, n: number): [number, number] => [x0 + 6 + 24 * Math.sin((2 * Math.PI * i) / n), y0 + 12 * Math.sin((4 * Math.PI * i) / n)];
    if (TRACE.includes('continuous')) await startTrace(browser, page);
    const tStart = Date.now();
    for (let i = 1; i <= CONTINUOUS_MOVES; i++) {
      const due = tStart + i * FRAME_MS;
      const [x, y] = at(i, CONTINUOUS_MOVES);
      await page.mouse.move(x, y);
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const continuousIntervalMs = (Date.now() - tStart) / CONTINUOUS_MOVES;
    const settled = async (): Promise<void> => {
      await page.waitForFunction((id) => {
        const w = window as unknown as { __planner: { plan: { state(): { plan: { screws: { id: string; tipLps: Vec3 }[] } }; checkTimings(): { recent: CheckRecord[] } } }; __liveProbe: { moves: MoveRecord[] } };
        const moves = w.__liveProbe.moves;
        const last = moves[moves.length - 1];
        // Its pointermove dispatched (the browser's last word on the position) and the check of the tip it left.
        if (!last || !last.tip || last.frameAt === null) return false;
        const tip = last.rawTip ?? last.tip;
        return w.__planner.plan.checkTimings().recent.some((r) => r.screwId === id && r.appliedAt !== null && r.tipLps.every((v, k) => v === tip[k]));
      }, screw.id, { timeout: WAIT_MS, polling: 50 });
    };
    await settled();
    if (TRACE.includes('continuous')) await stopTrace(browser, label, 'continuous');
    const nContinuous = await page.evaluate(() => (window as unknown as { __liveProbe: { moves: unknown[] } }).__liveProbe.moves.length);
    // BENCH_PROFILE=1: a CPU profile of the page's main thread over the paced moves (the continuous figures are taken without it).
    const profile = process.env['BENCH_PROFILE'] === '1' ? await context.newCDPSession(page) : null;
    if (profile) {
      await profile.send('Profiler.enable');
      await profile.send('Profiler.setSamplingInterval', { interval: 500 });
      await profile.send('Profiler.start');
    }
    if (TRACE.includes('paced')) await startTrace(browser, page);
    for (let i = 1; i <= PACED_MOVES; i++) {
      const [x, y] = at(i + 0.5, PACED_MOVES);
      await page.mouse.move(x, y);
      await settled();
    }
    if (TRACE.includes('paced')) await stopTrace(browser, label, 'paced');
    if (profile) {
      const { profile: cpu } = await profile.send('Profiler.stop');
      mkdirSync(join(ROOT, 'bench/out/prof'), { recursive: true });
      const file = join(ROOT, 'bench/out/prof', `live-check-${label.split(' ')[0]}.cpuprofile`);
      writeFileSync(file, JSON.stringify(cpu));
      step(label, `profile of the paced moves in ${file}`);
    }
    await page.evaluate(() => { (window as unknown as { __liveProbe: { armed: boolean } }).__liveProbe.armed = false; });
    const canvasDraws = await page.evaluate(() => (window as unknown as { __liveProbe: { canvasDraws: Record<string, number> } }).__liveProbe.canvasDraws);
    step(label, `2D canvas draw calls during the drag, per view: ${JSON.stringify(canvasDraws)}`);
    await page.mouse.up();

    const data = await page.evaluate(() => {
      const w = window as unknown as { __planner: { plan: { checkTimings(): { recent: CheckRecord[]; stale: number; count: number } } }; __liveProbe: { moves: MoveRecord[]; frames: number[] } };
      return { moves: w.__liveProbe.moves, frames: w.__liveProbe.frames, timings: w.__planner.plan.checkTimings() };
    });
    const continuousMoves = data.moves.slice(0, nContinuous);
    const pacedMoves = data.moves.slice(nContinuous);

    // Reference: the bare round trip through the planner worker, the same request, nothing else going on.
    await page.locator(`.screw-row[data-screw-id="${screw.id}"]:not([data-status="pending"])`).waitFor({ state: 'attached' });
    const ref = await page.evaluate(async (id) => {
      type S = { id: string; corridorId: string; side: string | null; entryLps: Vec3; tipLps: Vec3; diameterMm: number; lengthMm: number; catalogId: string };
      const w = window as unknown as { __planner: { plan: { state(): { plan: { screws: S[]; settings: Record<string, unknown> } } }; session: { checkScrew(r: unknown): Promise<unknown> } } };
      const plan = w.__planner.plan.state().plan;
      // (No named function in here: tsx's keepNames would wrap it in a __name the page does not have.)
      const all = plan.screws.map((s): S => ({ id: s.id, corridorId: s.corridorId, side: s.side, entryLps: [...s.entryLps] as Vec3, tipLps: [...s.tipLps] as Vec3, diameterMm: s.diameterMm, lengthMm: s.lengthMm, catalogId: s.catalogId }));
      const request = { screw: all.find((s) => s.id === id)!, others: all.filter((s) => s.id !== id), settings: { ...plan.settings } };
      await w.__planner.session.checkScrew(request);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const t0 = performance.now();
        await w.__planner.session.checkScrew(request);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b);
    }, screw.id);
    await page.screenshot({ path: join(ROOT, 'e2e/artifacts', `bench-live-check-${label.replace(/\W+/g, '-')}.png`) }).catch(() => undefined);
    // Reference for input -> dispatch: the same continuous moves over a blank page (no app, nothing drawn),
    // measured the same way, now: what the browser's input pipeline costs on this machine under this load.
    await page.goto(`${baseUrl}/bench/browser/blank.html`, { timeout: WAIT_MS });
    await page.evaluate(() => { const p = (window as unknown as { __liveProbe: { armed: boolean; screwId: string | null } }).__liveProbe; p.screwId = null; p.armed = true; });
    const tBlank = Date.now();
    for (let i = 1; i <= CONTINUOUS_MOVES; i++) {
      const [x, y] = at(i, CONTINUOUS_MOVES);
      await page.mouse.move(x, y);
      const wait = tBlank + i * FRAME_MS - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const blankQueue = (await page.evaluate(() => (window as unknown as { __liveProbe: { moves: MoveRecord[] } }).__liveProbe.moves.flatMap((m) => (m.dispatchedAt === null ? [] : [m.dispatchedAt - m.t])))).sort((a, b) => a - b);
    if (TRACE) {
      // Reference for the trace: the same browser drawing ONE small change per move on the blank page (a text
      // beside the pointer), paced the same way: what one frame costs the software GPU with nothing else on screen.
      await page.evaluate(() => {
        const d = document.createElement('div');
        d.style.cssText = 'position:fixed;left:12px;top:12px;font:13px system-ui,sans-serif';
        document.body.append(d);
        window.addEventListener('pointermove', (e) => (d.textContent = `${e.clientX.toFixed(1)}, ${e.clientY.toFixed(1)}`));
      });
      await startTrace(browser, page);
      for (let i = 1; i <= PACED_MOVES; i++) {
        const [x, y] = at(i + 0.5, PACED_MOVES);
        await page.mouse.move(x, y);
        await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
        await sleep(150);
      }
      await stopTrace(browser, label, 'blank-page-one-change-per-move');
    }
    return {
      label,
      continuous: stats(continuousMoves, data.timings.recent, screw.id, data.frames),
      paced: stats(pacedMoves, data.timings.recent, screw.id, data.frames),
      continuousIntervalMs,
      referenceMs: quantile(ref, 0.5),
      referenceP90Ms: quantile(ref, 0.9),
      checks: data.timings.count - before.count,
      staleDropped: data.timings.stale - before.stale,
      screw: `${screw.corridorId}${screw.side ? ` ${screw.side}` : ''} (${screwSource})`,
      blankQueueMs: quantile(blankQueue, 0.5),
      blankQueueP90Ms: quantile(blankQueue, 0.9),
    };
  } finally {
    await context.close();
  }
}

/** A 7.3 mm screw on the truth's iliosacral S1 left corridor axis (entry at the axis start, 80 mm long): the fallback screw. */
function truthScrew(dir: string): unknown {
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { corridors: { id: string; side?: string; axisStartLps: Vec3; axisEndLps: Vec3 }[] };
  const c = truth.corridors.find((x) => x.id === 'iliosacralS1' && x.side === 'left');
  if (!c) return null;
  const d = c.axisEndLps.map((v, i) => v - c.axisStartLps[i]!);
  const n = Math.hypot(d[0]!, d[1]!, d[2]!);
  const lengthMm = 80;
  const tipLps = c.axisStartLps.map((v, i) => v + (d[i]! / n) * lengthMm) as Vec3;
  return { id: 'bench-s1-left', corridorId: 'iliosacralS1', side: 'left', entryLps: [...c.axisStartLps], tipLps, diameterMm: 7.3, lengthMm, catalogId: 'cannulated-7.3', skinEntryLps: null };
}

function loadNote(): string {
  try {
    return `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')} on 2 cores`;
  } catch {
    return 'load average unknown';
  }
}

function goal(r: Row, medianMs: number): Pick<BenchResult, 'goal' | 'met'> {
  return r.diagnostic ? { goal: r.diagnostic } : { goal: '< 16 ms median', met: medianMs < 16 };
}

function results(r: Row): BenchResult[] {
  const ref = { name: 'bare session.checkScrew round trip through the planner worker (median of 30)', figure: r.referenceMs, unit: 'ms' };
  const f = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  return [
    {
      name: `${r.label}: pointer move -> status shown, continuous drag (${r.continuous.n} moves, one per ${r.continuousIntervalMs.toFixed(0)} ms)`,
      figure: r.continuous.medianMs,
      unit: 'ms (median)',
      reference: ref,
      ratio: r.continuous.medianMs / r.referenceMs,
      ratioMeaning: 'move -> shown / bare round trip',
      ...goal(r, r.continuous.medianMs),
      notes: `p90 ${f(r.continuous.p90Ms)} ms, max ${f(r.continuous.maxMs)} ms over ${r.continuous.measured} moves whose own position was checked; of it, median ${f(r.continuous.queueMedianMs)} ms from the input's timeStamp to the app taking it (its raw update for ${r.continuous.viaRaw} of ${r.continuous.measured + r.continuous.superseded} moves, else its frame-aligned pointermove: the browser's input and frame pipeline) and ${f(r.continuous.oursMedianMs)} ms from there to shown (the app: drag, store, list and overlay, the check in the worker, its result in the list); the frame that paints the result begins ${f(r.continuous.statusFrameMedianMs)} ms (median; p90 ${f(r.continuous.statusFrameP90Ms)}) after the input; same moves over a blank page: input -> dispatch median ${f(r.blankQueueMs)} ms, p90 ${f(r.blankQueueP90Ms)} ms; ${r.continuous.superseded} of ${r.continuous.n} superseded (a newer move came before the worker was free; never checked); screw ${r.screw}`,
    },
    {
      name: `${r.label}: pointer move -> status shown, paced (${r.paced.n} moves, each after the previous is shown)`,
      figure: r.paced.medianMs,
      unit: 'ms (median)',
      reference: ref,
      ratio: r.paced.medianMs / r.referenceMs,
      ratioMeaning: 'move -> shown / bare round trip',
      ...goal(r, r.paced.medianMs),
      notes: `p90 ${f(r.paced.p90Ms)} ms, max ${f(r.paced.maxMs)} ms; input -> taken by the app ${f(r.paced.queueMedianMs)} ms (raw update for ${r.paced.viaRaw} of ${r.paced.n}), taken -> shown ${f(r.paced.oursMedianMs)} ms (medians); the frame that paints the result begins ${f(r.paced.statusFrameMedianMs)} ms after the input (median; p90 ${f(r.paced.statusFrameP90Ms)}); ${r.paced.superseded} not checked; bare round trip p90 ${f(r.referenceP90Ms)} ms; ${r.checks} checks in the drag, ${r.staleDropped} results dropped as stale; ${loadNote()}`,
    },
    {
      name: `${r.label}: pointer move -> next animation frame with the overlay redrawn`,
      figure: r.continuous.frameMedianMs,
      unit: 'ms (median)',
      ...(r.diagnostic ? { goal: r.diagnostic } : { goal: '< 16 ms (one frame)', met: r.continuous.frameMedianMs < 16 }),
      notes: `continuous drag; max ${f(r.continuous.frameMaxMs)} ms; paced median ${f(r.paced.frameMedianMs)} ms; moves without an overlay redraw before that frame: ${r.continuous.frameWithoutRedraw + r.paced.frameWithoutRedraw}`,
    },
  ];
}

export const liveCheckBench: BenchEntry = {
  name: 'browser: live check, pointer move -> updated status (issue #6)',
  async run() {
    const unavailable = browserUnavailable();
    if (unavailable) {
      console.log(`  ${unavailable}`);
      return [];
    }
    const files = ensurePhantom();
    const truthOf = (dir: string): Vec3 => (JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as { lesion: { centerLps: Vec3 } }).lesion.centerLps;
    const fullTruth = truthOf(join(ROOT, 'bench/out/phantom/sacralAla-full'));
    const mediumTruth = truthOf(join(ROOT, 'sample-dicom/out/sacralAla-medium'));
    const server = await startVite(benchPort());
    let browser: Browser | null = null;
    const out: BenchResult[] = [];
    try {
      browser = await launchChromium();
      const openFull = async (page: Page): Promise<void> => {
        await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached' });
        await page.locator('[data-testid="open-files-input"]').setInputFiles(files);
      };
      const fullScrew = truthScrew(join(ROOT, 'bench/out/phantom/sacralAla-full'));
      type RowSpec = { label: string; open: (page: Page) => Promise<void>; truth: Vec3; setupScrew: unknown; appQuery: string; browserArgs?: string[]; diagnostic?: string };
      const rows: RowSpec[] = [
        // 3D on here: its scene hook is the fallback's way to put a screw in the plan (see measure).
        { label: 'full-size sacralAla 512x512x250', open: openFull, truth: fullTruth, setupScrew: fullScrew, appQuery: '' },
        // Diagnostic, never the goal's figure: the same drag with Chromium's software compositor (viz draws the page's
        // quads on the CPU, damage only; WebGL still runs in SwiftShader). Separates what SwiftShader's GPU compositing
        // costs per frame from the page's own work (bench/README "Live check", what each row means on a GPU).
        {
          label: 'full-size sacralAla 512x512x250, software compositing (--disable-gpu-compositing)', open: openFull, truth: fullTruth, setupScrew: fullScrew, appQuery: '',
          browserArgs: ['--disable-gpu-compositing'],
          diagnostic: 'diagnostic row (software compositing; not the goal\'s figure, see bench/README)',
        },
        {
          label: 'bundled sacralAla-medium',
          open: async (page) => {
            await page.goto(`${server.url}/?sample=sacralAla-medium&no3d=1${APP_QUERY}`, { timeout: WAIT_MS });
          },
          truth: mediumTruth, setupScrew: truthScrew(join(ROOT, 'sample-dicom/out/sacralAla-medium')), appQuery: '&no3d=1',
        },
      ];
      // BENCH_LIVE_ROWS: rows whose label contains it (`full`, `medium`, `software`); BENCH_LIVE_DIAGNOSTIC=0 skips the diagnostic row.
      const only = process.env['BENCH_LIVE_ROWS'];
      const diagnostics = process.env['BENCH_LIVE_DIAGNOSTIC'] !== '0';
      for (const row of rows) {
        if (only && !row.label.includes(only)) continue;
        if (row.diagnostic && !diagnostics) continue;
        let own: Browser | null = null;
        try {
          if (row.browserArgs) own = await launchChromium(row.browserArgs);
          const r = await measure(own ?? browser, server.url, row.label, row.open, row.truth, row.setupScrew, row.appQuery);
          out.push(...results({ ...r, diagnostic: row.diagnostic ?? null }));
        } catch (error) {
          console.log(`  ${row.label}: FAILED: ${error instanceof Error ? error.message : String(error)}`);
          process.exitCode = 1;
        } finally {
          await own?.close();
        }
      }
      return out;
    } finally {
      await browser?.close();
      await server.stop();
    }
  },
};
