/**
 * DESIGN §4: "first render of the bundled sample after `npm start`: under 5 s".
 *
 * Starts the Vite dev server as `npm start` does, opens `/` in headless
 * Chromium (the bundled sacralAla-medium sample opens by default, 3D view on)
 * and measures in the page, from navigation start (performance.now()):
 * data-state=ready, the first frame with data in all three MPR views, and
 * data-rendered-3d=1. Twice: the first navigation after the server started
 * (Vite transforms the modules on demand) and a second one in a fresh context
 * (server warm, browser cache empty).
 * Reference in the same run: the app booting with nothing to open
 * (`?sample=none`, navigation to data-state=idle) and fetching the sample's
 * bytes in the page, so the ratio separates our loading from the page's boot.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { BenchEntry, BenchResult } from '../harness';
import { benchPort, browserUnavailable, firstMprFrame, launchChromium, PROBE_SCRIPT, ROOT, startVite, type Probe } from './browserSupport';

const SAMPLE = 'sacralAla-medium';
const WAIT_MS = 300_000;

type Open = { readyMs: number; mprMs: number | null; frame3dMs: number | null };

async function openDefault(browser: Browser, url: string): Promise<Open> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({ content: PROBE_SCRIPT });
  // Ceilings for a hung run on a loaded machine, not pacing.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  try {
    await page.goto(`${url}/`, { timeout: WAIT_MS });
    await page.locator('#app[data-load-settled="1"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const outcome = await page.locator('#app').getAttribute('data-load-outcome');
    if (outcome !== 'shown') throw new Error(`the bundled sample did not open (outcome ${outcome}); run npm run sample`);
    await page.waitForFunction(() => {
      const p = (window as unknown as { __benchProbe: Probe }).__benchProbe;
      const ready = p.states.find((s) => s.state === 'ready');
      return ready !== undefined && ['axial', 'sagittal', 'coronal'].every((v) => p.frames.some((f) => f.view === v && f.t >= ready.t));
    }, undefined, { timeout: WAIT_MS, polling: 100 });
    let got3d = true;
    try {
      await page.locator('#app[data-rendered3d="1"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    } catch {
      got3d = false;
    }
    const p = await page.evaluate(() => (window as unknown as { __benchProbe: Probe }).__benchProbe);
    const ready = p.states.find((s) => s.state === 'ready');
    const r3d = p.rendered3d.find((r) => r.value === '1');
    return { readyMs: ready?.t ?? NaN, mprMs: ready ? firstMprFrame(p, ready.t) : null, frame3dMs: got3d && r3d ? r3d.t : null };
  } finally {
    await context.close();
  }
}

async function bootAndFetch(browser: Browser, url: string): Promise<{ idleMs: number; fetchMs: number; bytes: number }> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({ content: PROBE_SCRIPT });
  // Ceilings for a hung run on a loaded machine, not pacing.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  try {
    await page.goto(`${url}/?sample=none`, { timeout: WAIT_MS });
    await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const p = await page.evaluate(() => (window as unknown as { __benchProbe: Probe }).__benchProbe);
    const idle = p.states.find((s) => s.state === 'idle');
    const manifest = JSON.parse(readFileSync(join(ROOT, 'sample-dicom/out', SAMPLE, 'manifest.json'), 'utf8')) as { dicom: string[] };
    const urls = manifest.dicom.map((f) => `/sample/${SAMPLE}/${f}`);
    const fetched = await page.evaluate(async (list) => {
      const t0 = performance.now();
      const buffers = await Promise.all(list.map(async (u) => {
        const r = await fetch(u, { cache: 'no-store' });
        if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`);
        return r.arrayBuffer();
      }));
      return { ms: performance.now() - t0, bytes: buffers.reduce((s, b) => s + b.byteLength, 0) };
    }, urls);
    return { idleMs: idle?.t ?? NaN, fetchMs: fetched.ms, bytes: fetched.bytes };
  } finally {
    await context.close();
  }
}

export const sampleFirstRenderBench: BenchEntry = {
  name: 'browser: bundled sample, navigation -> first render (npm start)',
  async run() {
    const unavailable = browserUnavailable();
    if (unavailable) {
      console.log(`  ${unavailable}`);
      return [];
    }
    const server = await startVite(benchPort());
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const first = await openDefault(browser, server.url);
      const second = await openDefault(browser, server.url);
      const ref = await bootAndFetch(browser, server.url);
      const results: BenchResult[] = [];
      for (const [label, o] of [['first navigation after the server started', first], ['second navigation (server warm)', second]] as const) {
        const render = o.mprMs ?? NaN;
        results.push({
          name: `${label}: navigation -> first frame in all three MPR views`,
          figure: render,
          unit: 'ms',
          reference: { name: 'app boot with no sample (navigation -> data-state=idle)', figure: ref.idleMs, unit: 'ms' },
          ratio: render / ref.idleMs,
          ratioMeaning: 'first render / boot',
          goal: '< 5000 ms',
          met: render < 5000,
          notes: `data-state=ready at ${o.readyMs.toFixed(0)} ms; first 3D frame ${o.frame3dMs === null ? `not within ${WAIT_MS / 1000} s` : `at ${o.frame3dMs.toFixed(0)} ms`} (software WebGL)`,
        });
      }
      results.push({
        name: `fetch the sample's bytes in the page (${(ref.bytes / 1048576).toFixed(0)} MB)`,
        figure: ref.fetchMs,
        unit: 'ms',
        notes: 'the raw-I/O part of the sample load, same server, same run',
      });
      const optimized = /optimiz/i.test(server.log());
      if (optimized) results[0]!.notes += '; Vite pre-bundled dependencies during this run (first run with its cache dir)';
      return results;
    } finally {
      await browser?.close();
      await server.stop();
    }
  },
};
