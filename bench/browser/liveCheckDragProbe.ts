/**
 * Probe for the live-check bench (not an entry of `npm run bench`): where a screw drag's GPU frame
 * goes. Opens the bundled sacralAla-medium sample (`no3d=1`), plans and accepts, selects the
 * S1-left screw and presses its tip handle in the axial view, then drags it in turn under several
 * variants (a style sheet hiding one part of the page, or a URL query), tracing each
 * (liveCheckTrace.ts): per move the input -> dispatch wait, the GPU's swap per frame (composite +
 * headless read-back), the tiles rastered per move, the renderer's main-thread time.
 *
 * `BENCH_PORT=5990 npx tsx bench/browser/liveCheckDragProbe.ts` (second argument: more of the app's
 * query, e.g. `&canvas2d=accelerated`). `PROBE_ARGS`: extra Chromium flags, space separated
 * (e.g. `--disable-gpu-compositing`).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { benchPort, ROOT, startVite } from './browserSupport';
import { summariseTrace } from './liveCheckTrace';

type Vec3 = [number, number, number];
const MOVES = 30;
mkdirSync(join(ROOT, 'bench/out/prof'), { recursive: true });
const extraArgs = (process.env['PROBE_ARGS'] ?? '').split(' ').filter(Boolean);
const server = await startVite(benchPort());
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
try {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({
    content: `window.__moves = []; window.addEventListener('pointermove', (e) => { if (window.__armed) window.__moves.push(performance.now() - e.timeStamp); }, true);`,
  });
  const page = await context.newPage();
  await page.goto(`${server.url}/?sample=none`, { timeout: 300_000 });
  await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
  await page.goto(`${server.url}/?sample=sacralAla-medium&no3d=1${process.argv[2] ?? ''}`, { timeout: 300_000 });
  const ready = '#app[data-session-phase="ready"]';
  await page.locator(ready).waitFor({ state: 'attached', timeout: 600_000 });
  const truth = JSON.parse(readFileSync(join(ROOT, 'sample-dicom/out/sacralAla-medium/truth.json'), 'utf8')) as { lesion: { centerLps: Vec3 }; corridors: { id: string; side?: string; axisStartLps: Vec3; axisEndLps: Vec3 }[] };
  console.error('session ready');
  // PROBE_LESION=0: no lesion, no planner (a screw on the truth corridor instead): the frame's cost does not depend on it.
  const grown = process.env['PROBE_LESION'] === '0' ? 'skipped (PROBE_LESION=0)' : await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: Vec3): Promise<unknown> } } }).__planner.session.growLesion(q).then(() => null, (e: unknown) => String(e)), truth.lesion.centerLps);
  await page.locator(ready).waitFor({ state: 'attached', timeout: 600_000 });
  if (grown === null) {
    await page.locator('[data-action="plan"]:not([disabled])').click({ timeout: 120_000 });
    await page.locator('.plan-panel[data-plan-state="done"]').waitFor({ state: 'attached', timeout: 600_000 });
    await page.locator('[data-action="accept-plan"]').click();
  } else {
    // The lesion could not be grown (a broken working tree, say): a 7.3 x 80 mm screw on the TRUTH S1-left corridor instead.
    console.log(`no lesion: ${grown}; dragging a screw on the truth S1-left corridor axis`);
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
  await page.waitForTimeout(3000);
  console.error('dragging');
  const box = (await page.locator(`[data-screw-layer="axial"] [data-screw-id="${screw.id}"] [data-handle="tip"]`).boundingBox())!;
  const x0 = box.x + box.width / 2, y0 = box.y + box.height / 2;
  await page.mouse.move(x0, y0);
  await page.mouse.down();
  await page.mouse.move(x0 + 6, y0);
  await page.waitForTimeout(2000);
  const OLD_CONTAIN = '.view-cell, .side-panel { contain: none !important; }';
  const variants: [string, string][] = process.env['PROBE_VARIANTS'] === 'shipped' ? [['as shipped', '']] : process.env['PROBE_VARIANTS'] === 'contain' ? [
    ['with layout containment', ''],
    ['without (contain: none)', OLD_CONTAIN],
    ['with layout containment (2)', ''],
    ['without (2)', OLD_CONTAIN],
    ['with layout containment (3)', ''],
    ['without (3)', OLD_CONTAIN],
  ] : [
    ['as shipped', ''],
    ['other views\' screw layers hidden', '[data-screw-layer]:not([data-screw-layer="axial"]) { visibility: hidden !important; }'],
    ['side panel hidden', '.side-panel { visibility: hidden !important; }'],
    ['trajectory strip hidden', '.trajectory-strip { visibility: hidden !important; }'],
    ['all screw layers hidden', '[data-screw-layer] { visibility: hidden !important; }'],
    ['as shipped (again)', ''],
  ];
  const at = (i: number): [number, number] => [x0 + 6 + 24 * Math.sin((2 * Math.PI * i) / MOVES), y0 + 12 * Math.sin((4 * Math.PI * i) / MOVES)];
  const median = (a: number[]): number => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)] ?? NaN; };
  for (const [name, css] of variants) {
    const handle = css ? await page.addStyleTag({ content: css }) : null;
    await page.waitForTimeout(1000);
    await page.evaluate(() => { const w = window as unknown as { __moves: number[]; __armed: boolean }; w.__moves = []; w.__armed = true; });
    const invalidations = process.env['PROBE_INVALIDATIONS'] === '1';
    await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'gpu', 'v8', 'viz', 'cc', 'toplevel', 'gpu.angle', ...(invalidations ? ['disabled-by-default-devtools.timeline.invalidationTracking'] : [])] });
    const t0 = Date.now();
    for (let i = 1; i <= MOVES; i++) {
      await page.mouse.move(...at(i));
      const wait = t0 + i * 16 - Date.now();
      if (wait > 0) await page.waitForTimeout(wait);
    }
    await page.waitForTimeout(500);
    const buf = await browser.stopTracing();
    const queue = await page.evaluate(() => { const w = window as unknown as { __moves: number[]; __armed: boolean }; w.__armed = false; return w.__moves; });
    const txt = buf.toString('utf8');
    if (process.env['PROBE_SAVE']) writeFileSync(join(ROOT, 'bench/out/prof', `drag-probe-${name.replace(/\W+/g, '-')}.json`), buf);
    const s = summariseTrace(txt);
    const rasters = (txt.match(/"name":"RasterTask"/g) ?? []).length;
    const layouts = (JSON.parse(txt) as { traceEvents: { name: string; ph: string; args?: { beginData?: { partialLayout?: boolean; dirtyObjects?: number; totalObjects?: number } } }[] }).traceEvents.filter((e) => e.name === 'Layout' && e.ph === 'X');
    const layoutObjects = layouts.reduce((a, e) => a + (e.args?.beginData?.totalObjects ?? 0), 0);
    console.log(`${name}: input -> dispatch median ${median(queue).toFixed(1)} ms; window ${s.median['window']!.toFixed(1)} ms; swap ${s.swapMedianMs.toFixed(1)} ms x ${s.framesPerMove.toFixed(2)} per move; tiles rastered per move ${(rasters / Math.max(1, s.moves)).toFixed(1)}; layouts per move ${(layouts.length / Math.max(1, s.moves)).toFixed(1)} (${layouts.filter((e) => e.args?.beginData?.partialLayout === false).length} from the root in all), objects laid out per move ${(layoutObjects / Math.max(1, s.moves)).toFixed(0)}; main busy ${s.median['main: busy']!.toFixed(1)} ms (layout ${s.median['main: layout']!.toFixed(1)}, paint ${s.median['main: paint+commit']!.toFixed(1)}); GPU main busy ${s.median['GPU process main (SwiftShader)']!.toFixed(1)} ms; ${s.moves} moves`);
    if (invalidations) {
      // Which nodes were invalidated for paint / layout per move (PROBE_INVALIDATIONS=1).
      const counts = new Map<string, number>();
      for (const e of (JSON.parse(txt) as { traceEvents: { name: string; args?: { data?: { nodeName?: string; reason?: string } } }[] }).traceEvents) {
        if (!/Invalidation/.test(e.name)) continue;
        const k = `${e.name} ${e.args?.data?.nodeName ?? '?'} (${e.args?.data?.reason ?? ''})`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log(`    ${(n / Math.max(1, s.moves)).toFixed(1)} per move: ${k}`);
    }
    if (handle) await handle.evaluate((n) => (n as Element).remove());
  }
  await page.mouse.up();
} finally {
  await browser.close();
  await server.stop();
}
