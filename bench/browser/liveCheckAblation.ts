/**
 * Ablation probe for the live-check bench (not an entry of `npm run bench`; diagnostic only, nothing of
 * it runs in the product): what each part of the editing screen adds to a screw drag's frame in default
 * headless Chromium (SwiftShader for WebGL and for the compositor), on the full-size phantom with the 3D
 * scene on, as the bench's default row.
 *
 * Opens the full-size sacralAla phantom (bench/out/phantom, through the file input; `PROBE_CASE=medium`:
 * the bundled sample, 3D on too), grows the lesion at the truth centre, plans and accepts (or puts a screw
 * on the truth S1-left corridor when the planner proposes none), waits for the 3D meshes, selects the
 * S1-left screw, presses its tip handle in the axial view and then drags it in turn under variants: a
 * style sheet hiding one part of the page (visibility, or display:none where said), then, after a
 * release, smaller windows (`page.setViewportSize`, the drag pressed again). Each variant: MOVES moves one
 * frame (16 ms) apart, never waiting (the bench's continuous drag), traced (liveCheckTrace.ts).
 *
 * Printed per variant: input -> dispatch (median), dispatch -> status shown (median: the plan controller's
 * check of that move's tip applied to the store), the GPU process's swap per frame (composite + headless
 * read-back) and frames per move, tiles rastered per move, the renderer main thread's busy time; the WebGL
 * draw calls made during the variant per canvas (3D scene, Cornerstone's off-screen render canvases) and
 * the 2D draws into on-screen canvases; from the DevTools protocol's LayerTree, the composited layers, their
 * area and which of them were repainted during the variant (paintCount before/after), by the DOM node that
 * owns them.
 *
 * `BENCH_PORT=6050 npx tsx bench/browser/liveCheckAblation.ts`; `PROBE_ARGS`: extra Chromium flags (e.g.
 * `--disable-gpu-compositing`); `PROBE_MOVES` (default 40); `PROBE_VARIANTS=short`: shipped, 3D hidden,
 * shipped again, small window; `PROBE_VARIANTS=ab` with `PROBE_AB='[["name", "css"], ...]'`: each candidate
 * style sheet in turn with as shipped, `PROBE_PAIRS` rounds (default 3), same page; `PROBE_GPU=1`: the GPU main thread's slices of most self time; `PROBE_SHOT=1`: a screenshot
 * of each variant during the drag (e2e/artifacts/ablation-during-<variant>.png); `PROBE_QUERY`: more of the app's query (e.g. an A/B switch).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { benchPort, ROOT, startVite } from './browserSupport';
import { ensurePhantom } from './dropToFrame.bench';
import { summariseTrace } from './liveCheckTrace';

type Vec3 = [number, number, number];
type CheckRecord = { screwId: string; tipLps: Vec3; requestedAt: number; answeredAt: number; appliedAt: number | null };
const MOVES = Number(process.env['PROBE_MOVES'] ?? 40);
const WAIT_MS = 900_000;
const extraArgs = (process.env['PROBE_ARGS'] ?? '').split(' ').filter(Boolean);
const full = process.env['PROBE_CASE'] !== 'medium';
const caseDir = full ? join(ROOT, 'bench/out/phantom/sacralAla-full') : join(ROOT, 'sample-dicom/out/sacralAla-medium');
const query = process.env['PROBE_QUERY'] ?? '';
const t0 = Date.now();
const step = (what: string): void => void process.stderr.write(`  [${((Date.now() - t0) / 1000).toFixed(0)} s] ${what}\n`);
const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] ?? NaN; };

/** Init script: pointermove timestamps while armed, WebGL draw calls and on-screen 2D draws per canvas. */
const PROBE = `(() => {
  const p = { armed: false, moves: [], gl: {}, draws2d: {} };
  window.__ablation = p;
  const where = (c) => {
    if (!c) return 'none';
    if (!c.isConnected) return 'offscreen ' + c.width + 'x' + c.height;
    const cell = c.closest('[data-cell]');
    return (cell ? cell.getAttribute('data-cell') : 'other') + (c.closest('.scene-element') ? ' (3D scene)' : '') + ' ' + c.width + 'x' + c.height;
  };
  for (const C of [WebGL2RenderingContext, WebGLRenderingContext]) {
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced', 'drawRangeElements']) {
      const orig = C.prototype[name];
      if (!orig) continue;
      C.prototype[name] = function (...a) { if (p.armed) { const k = where(this.canvas); p.gl[k] = (p.gl[k] || 0) + 1; } return orig.apply(this, a); };
    }
  }
  const proto = CanvasRenderingContext2D.prototype;
  for (const name of ['drawImage', 'putImageData', 'fillRect', 'fillText', 'stroke', 'fill']) {
    const orig = proto[name];
    proto[name] = function (...a) { if (p.armed && this.canvas && this.canvas.isConnected) { const k = where(this.canvas); p.draws2d[k] = (p.draws2d[k] || 0) + 1; } return orig.apply(this, a); };
  }
  // What each animation frame is about to paint for the dragged screw: its list row's status and the axial layer's.
  p.frames = {};
  const sample = () => {
    if (p.armed && p.screwId) {
      const row = document.querySelector('.screw-row[data-screw-id="' + p.screwId + '"]');
      const g = document.querySelector('[data-screw-layer="axial"] [data-screw-id="' + p.screwId + '"]');
      const k = 'row ' + (row ? row.getAttribute('data-status') : 'none') + ', axial ' + (g ? (g.getAttribute('data-status') || '?') : 'none');
      p.frames[k] = (p.frames[k] || 0) + 1;
    }
    requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
  window.addEventListener('pointermove', (e) => {
    if (!p.armed) return;
    const rec = { t: e.timeStamp, at: performance.now(), tip: null };
    p.moves.push(rec);
    setTimeout(() => { const s = window.__planner && window.__planner.plan.state().plan.screws.find((x) => x.id === p.screwId); rec.tip = s ? [...s.tipLps] : null; }, 0);
  }, true);
})();`;

type Layer = { layerId: string; backendNodeId?: number; width: number; height: number; paintCount: number; drawsContent: boolean; invisible?: boolean };

/** The compositor's layers now (LayerTree enabled only for this: it reports every change). A tiny layer of our own is added and removed so the tree changes and is reported. */
async function layers(cdp: CDPSession, page: Page): Promise<Layer[]> {
  return new Promise((resolve) => {
    let last: Layer[] = [];
    const on = (e: { layers?: Layer[] }): void => { if (e.layers) last = e.layers.filter((l) => !(l.width === 3 && l.height === 3)); };
    cdp.on('LayerTree.layerTreeDidChange', on);
    void cdp.send('LayerTree.enable').then(async () => {
      await page.evaluate(() => new Promise<void>((r) => {
        const d = document.createElement('div');
        d.style.cssText = 'position:fixed;left:0;top:0;width:3px;height:3px;will-change:transform;background:#000;pointer-events:none';
        document.body.append(d);
        requestAnimationFrame(() => requestAnimationFrame(() => { d.remove(); r(); }));
      }));
      setTimeout(() => { cdp.off('LayerTree.layerTreeDidChange', on); void cdp.send('LayerTree.disable').then(() => resolve(last)); }, 500);
    });
  });
}

async function describe(cdp: CDPSession, id: number | undefined): Promise<string> {
  if (id === undefined) return '(no node)';
  try {
    const { node } = await cdp.send('DOM.describeNode', { backendNodeId: id }) as { node: { nodeName: string; attributes?: string[] } };
    const a = node.attributes ?? [];
    const attr = (n: string): string | undefined => { const i = a.indexOf(n); return i >= 0 ? a[i + 1] : undefined; };
    const tag = node.nodeName.toLowerCase();
    const cls = attr('class');
    const extra = ['data-cell', 'data-screw-layer', 'data-view', 'data-scene'].map((k) => (attr(k) ? `[${k}=${attr(k)}]` : '')).join('');
    return `${tag}${cls ? '.' + cls.split(/\s+/).slice(0, 2).join('.') : ''}${extra}`;
  } catch {
    return `(node ${id})`;
  }
}

const server = await startVite(benchPort());
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({ content: PROBE });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('DOM.enable');
  await page.goto(`${server.url}/?sample=none${query}`, { timeout: WAIT_MS });
  await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
  step(`opening ${full ? 'the full-size phantom' : 'sacralAla-medium'} (load ${load()})`);
  if (full) {
    await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached' });
    await page.locator('[data-testid="open-files-input"]').setInputFiles(ensurePhantom());
  } else {
    await page.goto(`${server.url}/?sample=sacralAla-medium${query}`, { timeout: WAIT_MS });
  }
  const ready = '#app[data-session-phase="ready"]';
  await page.locator(ready).waitFor({ state: 'attached', timeout: WAIT_MS });
  const truth = JSON.parse(readFileSync(join(caseDir, 'truth.json'), 'utf8')) as { lesion: { centerLps: Vec3 }; corridors: { id: string; side?: string; axisStartLps: Vec3; axisEndLps: Vec3 }[] };
  step('session ready; lesion, plan');
  await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: Vec3): Promise<unknown> } } }).__planner.session.growLesion(q), truth.lesion.centerLps);
  await page.locator(ready).waitFor({ state: 'attached', timeout: WAIT_MS });
  await page.locator('[data-action="plan"]:not([disabled])').click({ timeout: 120_000 });
  await page.locator('.plan-panel:is([data-plan-state="done"], [data-plan-state="error"])').waitFor({ state: 'attached', timeout: WAIT_MS });
  if ((await page.locator('.plan-corridor[data-available="1"]').count()) > 0) {
    await page.locator('[data-action="accept-plan"]').click();
  } else {
    step('the planner proposed no screw: one on the truth S1-left corridor axis');
    const c = truth.corridors.find((x) => x.id === 'iliosacralS1' && x.side === 'left')!;
    const d = c.axisEndLps.map((v, i) => v - c.axisStartLps[i]!);
    const n = Math.hypot(d[0]!, d[1]!, d[2]!);
    const tipLps = c.axisStartLps.map((v, i) => v + (d[i]! / n) * 80) as Vec3;
    await page.evaluate((s) => (window as unknown as { __planner: { plan: { setScrews(s: unknown): void } } }).__planner.plan.setScrews([s]), { id: 'probe-s1-left', corridorId: 'iliosacralS1', side: 'left', entryLps: [...c.axisStartLps], tipLps, diameterMm: 7.3, lengthMm: 80, catalogId: 'cannulated-7.3', skinEntryLps: null });
  }
  const screw = await page.evaluate(() => {
    const w = window as unknown as { __planner: { plan: { state(): { plan: { screws: { id: string; corridorId: string; side: string | null; tipLps: Vec3 }[] } } } } };
    const all = w.__planner.plan.state().plan.screws;
    const s = all.find((x) => x.corridorId === 'iliosacralS1' && x.side === 'left') ?? all[0]!;
    return { id: s.id, tipLps: [...s.tipLps] as Vec3 };
  });
  await page.locator(`.screw-row[data-screw-id="${screw.id}"]:not([data-status="pending"])`).waitFor({ state: 'attached' });
  await page.locator(`.screw-row[data-screw-id="${screw.id}"]`).click();
  await page.evaluate((p) => (window as unknown as { __planner: { plan: { setCrosshair(p: Vec3): void } } }).__planner.plan.setCrosshair(p), screw.tipLps);
  if ((await page.locator('#app[data-scene-mode]').count()) > 0) {
    step('waiting for the 3D meshes');
    await page.waitForFunction(() => {
      const d = document.getElementById('app')!.dataset;
      const w = window as unknown as { __planner: { session: { getStatus(): { labelsGeneration: number } } } };
      return d['sceneReady'] === '1' && d['sceneLesionGeneration'] === String(w.__planner.session.getStatus().labelsGeneration);
    }, undefined, { timeout: WAIT_MS, polling: 200 });
  }
  await page.evaluate((id) => ((window as unknown as { __ablation: { screwId: string } }).__ablation.screwId = id), screw.id);
  await page.waitForTimeout(2000);

  let x0 = 0, y0 = 0;
  const press = async (): Promise<void> => {
    const handle = page.locator(`[data-screw-layer="axial"] [data-screw-id="${screw.id}"] [data-handle="tip"]`);
    let box = await handle.boundingBox();
    for (let i = 0; i < 50; i++) {
      await page.waitForTimeout(100);
      const b = await handle.boundingBox();
      if (b && box && Math.abs(b.x - box.x) < 0.01 && Math.abs(b.y - box.y) < 0.01) break;
      box = b;
    }
    x0 = box!.x + box!.width / 2; y0 = box!.y + box!.height / 2;
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    await page.mouse.move(x0 + 6, y0);
    await page.waitForTimeout(2500); // the first drag frame's pipeline compiles (bench README)
  };
  const at = (i: number): [number, number] => [x0 + 6 + 24 * Math.sin((2 * Math.PI * i) / MOVES), y0 + 12 * Math.sin((4 * Math.PI * i) / MOVES)];

  const runVariant = async (name: string, css: string): Promise<void> => {
    const handle = css ? await page.addStyleTag({ content: css }) : null;
    await page.waitForTimeout(1200);
    const before = await layers(cdp, page);
    await page.evaluate(() => { const p = (window as unknown as { __ablation: { moves: unknown[]; gl: object; draws2d: object; frames: object; armed: boolean } }).__ablation; p.moves = []; p.gl = {}; p.draws2d = {}; p.frames = {}; p.armed = true; });
    await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'gpu', 'v8', 'viz', 'cc', 'toplevel', 'gpu.angle'] });
    const tStart = Date.now();
    for (let i = 1; i <= MOVES; i++) {
      await page.mouse.move(...at(i));
      const wait = tStart + i * 16 - Date.now();
      if (wait > 0) await page.waitForTimeout(wait);
    }
    await page.waitForTimeout(600);
    const buf = await browser.stopTracing();
    // PROBE_SHOT=1: the screen during the drag (button still held), e2e/artifacts/ablation-during-<variant>.png.
    if (process.env['PROBE_SHOT'] === '1') await page.screenshot({ path: join(ROOT, 'e2e/artifacts', `ablation-during-${name.replace(/\W+/g, '-')}.png`) });
    const data = await page.evaluate(() => {
      const w = window as unknown as { __ablation: { moves: { t: number; at: number; tip: Vec3 | null }[]; gl: Record<string, number>; draws2d: Record<string, number>; frames: Record<string, number>; armed: boolean }; __planner: { plan: { checkTimings(): { recent: CheckRecord[] } } } };
      w.__ablation.armed = false;
      return { moves: w.__ablation.moves, gl: w.__ablation.gl, draws2d: w.__ablation.draws2d, frames: w.__ablation.frames, checks: w.__planner.plan.checkTimings().recent };
    });
    const after = await layers(cdp, page);
    const queue = data.moves.map((m) => m.at - m.t);
    const ours: number[] = [];
    const shown: number[] = [];
    for (const m of data.moves) {
      const tip = m.tip;
      const c = tip && data.checks.find((r) => r.screwId === screw.id && r.appliedAt !== null && r.requestedAt >= m.at && r.tipLps.every((v, k) => v === tip[k]));
      if (c) { ours.push(c.appliedAt! - m.at); shown.push(c.appliedAt! - m.t); }
    }
    const txt = buf.toString('utf8');
    const s = summariseTrace(txt);
    const rasters = (txt.match(/"name":"RasterTask"/g) ?? []).length;
    const perMove = (n: number): string => (n / Math.max(1, data.moves.length)).toFixed(2);
    console.log(`\n${name} [load ${load()}]: move -> shown ${median(shown).toFixed(1)} ms = input -> dispatch ${median(queue).toFixed(1)} + dispatch -> shown ${median(ours).toFixed(1)} (medians; ${shown.length} of ${data.moves.length} checked); swap ${s.swapMedianMs.toFixed(1)} ms x ${s.framesPerMove.toFixed(2)} per move; tiles rastered per move ${(rasters / Math.max(1, s.moves)).toFixed(1)}; main busy ${s.median['main: busy']!.toFixed(1)} ms; GPU main busy ${s.median['GPU process main (SwiftShader)']!.toFixed(1)} ms`);
    if (process.env['PROBE_GPU'] === '1') console.log(`  GPU process main thread, most self time over the variant: ${s.topGpu.slice(0, 8).map(([n, ms]) => `${n} ${(ms / Math.max(1, data.moves.length)).toFixed(1)} ms/move`).join('; ')}`);
    console.log(`  WebGL draw calls per move: ${Object.entries(data.gl).map(([k, v]) => `${k}: ${perMove(v)}`).join('; ') || 'none'}`);
    console.log(`  animation frames by the dragged screw's status about to be painted: ${Object.entries(data.frames).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    console.log(`  2D draws into on-screen canvases per move: ${Object.entries(data.draws2d).map(([k, v]) => `${k}: ${perMove(v)}`).join('; ') || 'none'}`);
    const prev = new Map(before.map((l) => [l.layerId, l.paintCount]));
    const drawn = after.filter((l) => l.drawsContent && !l.invisible);
    const area = drawn.reduce((a, l) => a + l.width * l.height, 0);
    console.log(`  composited layers drawing content: ${drawn.length}, ${(area / 1e6).toFixed(2)} Mpx in all (window ${(await page.evaluate(() => innerWidth * innerHeight)) / 1e6} Mpx)`);
    const repainted = drawn.filter((l) => l.paintCount > (prev.get(l.layerId) ?? 0)).sort((a, b) => b.width * b.height - a.width * a.height);
    for (const l of repainted.slice(0, 14)) console.log(`    paintCount + ${perMove(l.paintCount - (prev.get(l.layerId) ?? 0))} per move: ${l.width}x${l.height} ${await describe(cdp, l.backendNodeId)}`);
    if (process.env['PROBE_LAYERS'] === '1') for (const l of drawn) console.log(`    layer ${l.width}x${l.height} ${await describe(cdp, l.backendNodeId)}`);
    if (handle) await handle.evaluate((n) => (n as Element).remove());
  };

  step(`dragging (load ${load()})`);
  await press();
  const hide3d = '.scene-element canvas { visibility: hidden !important; }';
  // PROBE_VARIANTS=ab: an A/B of candidate style sheets in this one page, `PROBE_AB` = JSON [[name, css], ...],
  // as shipped and each candidate in turn, PROBE_PAIRS rounds (default 3): same page, same load, alternated.
  const ab = process.env['PROBE_VARIANTS'] === 'ab' ? (JSON.parse(process.env['PROBE_AB'] ?? '[]') as [string, string][]) : null;
  const abRounds = Number(process.env['PROBE_PAIRS'] ?? 3);
  const variants: [string, string][] = ab ? Array.from({ length: abRounds }, (_, k): [string, string][] => [[`as shipped (round ${k + 1})`, ''], ...ab.map(([n, c]): [string, string] => [`${n} (round ${k + 1})`, c])]).flat() : process.env['PROBE_VARIANTS'] === 'short' ? [
    ['as shipped', ''],
    ['3D scene canvas hidden', hide3d],
    ['as shipped (again)', ''],
  ] : [
    ['as shipped', ''],
    ['3D scene canvas hidden (visibility)', hide3d],
    ['3D scene element display:none', '.scene-element { display: none !important; }'],
    ['MPR views\' canvases hidden (axial, sagittal, coronal)', '.view-axial canvas, .view-sagittal canvas, .view-coronal canvas { visibility: hidden !important; }'],
    ['trajectory strip hidden', '.trajectory-strip { visibility: hidden !important; }'],
    ['side panel hidden', '.side-panel { visibility: hidden !important; }'],
    ['status bar hidden', '.statusbar { visibility: hidden !important; }'],
    ['every canvas hidden', 'canvas { visibility: hidden !important; }'],
    ['everything but the axial cell hidden', '.workspace > *:not(.view-grid), .statusbar, .topbar, .view-cell:not(.view-axial) { visibility: hidden !important; }'],
    ['as shipped (again)', ''],
  ];
  for (const [name, css] of variants) await runVariant(name, css);
  await page.mouse.up();
  for (const [w, h] of ab ? [] : process.env['PROBE_VARIANTS'] === 'short' ? [[1000, 563]] : [[1200, 675], [800, 450], [1600, 900]]) {
    await page.setViewportSize({ width: w!, height: h! });
    await page.waitForTimeout(2000);
    await press();
    await runVariant(`window ${w} x ${h}`, '');
    await page.mouse.up();
  }
  await page.screenshot({ path: join(ROOT, 'e2e/artifacts', 'ablation-after.png') });
} finally {
  await browser.close();
  await server.stop();
}
