/**
 * Probe for the live-check bench (not an entry of `npm run bench`): what ONE frame of the app
 * costs the software GPU, whatever changed, and with what hidden. Opens the app (argument: the
 * query, e.g. `/?sample=sacralAla-medium&no3d=1`), waits for the volume, then moves the mouse
 * 20 times (one every 350 ms, each after a frame) while a 60 x 16 px text follows it in a corner
 * (or two texts in opposite corners), and traces each variant (liveCheckTrace.ts): frames drawn,
 * the GPU's swap (composite + headless read-back) per frame, the canvas resources the renderer
 * produced. `npx tsx bench/browser/liveCheckCompositeProbe.ts "/?sample=sacralAla-medium&no3d=1"`
 * (BENCH_PORT: the Vite port, default 5260).
 */
import { launchChromium, benchPort, startVite } from './browserSupport';
import { summariseTrace } from './liveCheckTrace';

const server = await startVite(benchPort());
const url = server.url + (process.argv[2] ?? '/?sample=sacralAla-medium&no3d=1');
const browser = await launchChromium();
const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
const page = await context.newPage();
await page.goto(url, { timeout: 300_000 });
await page.locator('#app[data-state="ready"]').waitFor({ state: 'attached', timeout: 300_000 });
// Nothing else changing on screen: the planning session finished segmenting (its status line and overlays are still).
await page.locator('#app[data-session-phase="ready"], #app[data-session-phase="error"]').waitFor({ state: 'attached', timeout: 600_000 });
await page.waitForTimeout(3000);
await page.addScriptTag({ content: `
  function mk(css) {
    const d = document.createElement('div');
    d.style.cssText = 'position:fixed;' + css + ';width:60px;height:16px;font:12px sans-serif;color:#fff;background:#a00;z-index:1000;pointer-events:none';
    document.body.append(d);
    return d;
  }
  const a = mk('left:60px;top:120px');
  const b = mk('right:20px;bottom:60px');
  window.__probeMode = 'one';
  window.addEventListener('pointermove', (e) => {
    a.textContent = e.clientX.toFixed(0);
    if (window.__probeMode === 'two') b.textContent = e.clientX.toFixed(0);
  }, true);
` });
const variants: [string, string, string][] = [
  ['one small change (top-left)', '', 'one'],
  ['two small changes, opposite corners', '', 'two'],
  ['one small change, canvases hidden', 'canvas { visibility: hidden !important; }', 'one'],
  ['one small change, MPR view canvases hidden', '.view-axial canvas, .view-sagittal canvas, .view-coronal canvas { visibility: hidden !important; }', 'one'],
  ['one small change, SVG layers hidden', '.view-cell svg { visibility: hidden !important; }', 'one'],
  ['one small change, side panel hidden', '.side-panel { visibility: hidden !important; }', 'one'],
  ['one small change, view cells hidden', '.view-cell { visibility: hidden !important; }', 'one'],
  ['one small change (again)', '', 'one'],
];
let style: { remove(): Promise<void> } | null = null;
for (const [name, css, mode] of variants) {
  await page.evaluate((m) => ((window as unknown as { __probeMode: string }).__probeMode = m), mode);
  if (css) {
    const h = await page.addStyleTag({ content: css });
    style = { remove: () => h.evaluate((n) => (n as Element).remove()) };
  }
  await page.waitForTimeout(1500);
  await browser.startTracing(page, { categories: ['devtools.timeline', 'gpu', 'viz', 'toplevel', 'gpu.angle', 'blink'] });
  for (let i = 0; i < 20; i++) {
    await page.mouse.move(300 + 5 * i, 600 + (i % 2));
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0))));
    await page.waitForTimeout(350);
  }
  const buf = await browser.stopTracing();
  const s = summariseTrace(buf.toString('utf8'));
  const canv = (buf.toString('utf8').match(/Canvas2DResourceProvider::ProduceCanvasResource/g) ?? []).length;
  const txt = buf.toString('utf8');
  const draws = (txt.match(/"DirectRenderer::DrawFrame"/g) ?? []).length;
  console.log(`${name}: frames drawn ${draws}; swap median ${s.swapMedianMs.toFixed(1)} ms, swaps/move ${s.framesPerMove.toFixed(2)}, GPU main busy median ${s.median['GPU process main (SwiftShader)']!.toFixed(1)} ms per move, canvas resources produced ${canv} (${s.moves} moves)`);
  if (style) {
    await style.remove();
    style = null;
  }
}
await browser.close();
await server.stop();
