/**
 * The plan scene's frame time while orbiting, in headless Debian Chromium
 * with the e2e flags (software WebGL: SwiftShader; a GPU is far faster, so
 * read the figure as an upper bound on this machine class).
 *
 * Starts its own Vite server (port 5235, BENCH_SCENE_PORT moves it), opens
 * the medium phantom (and the full-size one when sample-dicom/out/<case>-full
 * exists; never generated here), waits until the bone surface is shown
 * (data-scene-ready), then turns the camera in N steps of 360/N degrees about
 * the patient's S axis. Each step renders synchronously and reads one pixel
 * back, so the time includes the rasteriser finishing the frame.
 * Reference in the same run: an empty frame (clear + the same read-back),
 * the fixed cost of a frame on this renderer.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { BenchEntry, BenchResult } from '../harness';
import { browserUnavailable, launchChromium, ROOT, startVite } from './browserSupport';

const STEPS = 36;
/** BENCH_SCENE_QUERY: more of the app's query (A/B, e.g. `&scene3d=webgl`: the WebGL canvas on the page instead of the CPU copy on a software rasteriser). */
const SCENE_QUERY = process.env['BENCH_SCENE_QUERY'] ?? '';
const WAIT_MS = 420_000;

type SceneBenchHook = { orbitStep(deg: number): number; emptyFrame(): number };

function cases(): string[] {
  const out = join(ROOT, 'sample-dicom/out');
  const list = ['sacralAla-medium'];
  if (existsSync(out)) for (const name of readdirSync(out).sort()) if (name.endsWith('-full') && existsSync(join(out, name, 'manifest.json'))) list.push(name);
  return list;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function measure(browser: Browser, url: string, sample: string): Promise<BenchResult> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  const page = await context.newPage();
  try {
    const t0 = Date.now();
    await page.goto(`${url}/?sample=${encodeURIComponent(sample)}${SCENE_QUERY}`);
    await page.locator('#app[data-scene-ready="1"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const readyS = (Date.now() - t0) / 1000;
    const info = await page.evaluate(() => {
      const d = document.getElementById('app')!.dataset;
      const c = document.querySelector<HTMLCanvasElement>('[data-scene="plan"] canvas');
      return { triangles: Number(d['sceneTriangles']), width: c?.width ?? 0, height: c?.height ?? 0 };
    });
    const times = await page.evaluate((steps) => {
      const hook = (globalThis as unknown as { __planner: { scene: SceneBenchHook } }).__planner.scene;
      for (let i = 0; i < 3; i++) hook.orbitStep(1);
      const orbit: number[] = [];
      const empty: number[] = [];
      for (let i = 0; i < steps; i++) {
        orbit.push(hook.orbitStep(360 / steps));
        empty.push(hook.emptyFrame());
      }
      return { orbit, empty };
    }, STEPS);
    const frame = median(times.orbit), empty = median(times.empty);
    return {
      name: `${sample}: plan scene frame while orbiting (${info.width}x${info.height} px, ${info.triangles} bone triangles)`,
      figure: frame,
      unit: 'ms/frame (median)',
      reference: { name: 'empty frame (clear + read-back)', figure: empty, unit: 'ms' },
      ratio: frame / empty,
      ratioMeaning: 'scene frame / empty frame',
      notes: `${STEPS} steps of ${(360 / STEPS).toFixed(0)} deg; slowest ${Math.max(...times.orbit).toFixed(1)} ms; bone shown ${readyS.toFixed(0)} s after navigation; software WebGL (SwiftShader)`,
    };
  } finally {
    await context.close();
  }
}

export const sceneOrbitBench: BenchEntry = {
  name: 'plan scene orbit (browser)',
  async run() {
    const why = browserUnavailable();
    if (why) return [{ name: 'plan scene orbit', figure: Number.NaN, unit: 'ms', notes: why }];
    const server = await startVite(Number(process.env['BENCH_SCENE_PORT'] ?? 5235));
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const results: BenchResult[] = [];
      for (const sample of cases()) results.push(await measure(browser, server.url, sample));
      return results;
    } finally {
      await browser?.close();
      await server.stop();
    }
  },
};
