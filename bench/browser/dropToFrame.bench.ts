/**
 * Issue #3: "time from drop to first rendered frame for the full-size phantom
 * in headless Chromium, and peak JS heap against the volume's size (goal:
 * under 3x)"; DESIGN §4: "peak memory under 3x the volume's own size".
 *
 * The full-size sacralAla phantom (512 x 512 x 250) is written once into
 * bench/out/phantom (git-ignored) by the phantom CLI, then opened through the
 * app's "Open files" chooser (setInputFiles, as e2e/loading.spec.ts does) in a
 * fresh page of Debian's Chromium against a Vite server this bench starts.
 * Measured in the page (performance.now()): from the input's change event to
 * data-state=ready, to the first Cornerstone frame with data in all three MPR
 * views, and to data-rendered-3d=1. Memory: peak performance.memory (main
 * thread, sampled every 20 ms), peak JSHeapUsedSize from CDP
 * Performance.getMetrics (sampled every 100 ms), and the renderer's and GPU
 * process's peak resident memory (VmHWM, /proc), each against the volume's
 * bytes. Reference in the same run, in a fresh page: reading the same files'
 * bytes in the page (File.arrayBuffer() through a file input, and fetch() from
 * the same server).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { BenchEntry, BenchResult } from '../harness';
import {
  benchPort,
  browserUnavailable,
  chromiumProcesses,
  firstMprFrame,
  launchChromium,
  MB,
  PROBE_SCRIPT,
  ROOT,
  startVite,
  type Probe,
} from './browserSupport';

const PHANTOM_OUT = join(ROOT, 'bench/out/phantom');
const SERIES_DIR = join(PHANTOM_OUT, 'sacralAla-full');
/** Ceiling for a hung run (not pacing): software ray casting of the first 3D frame is slow. */
const WAIT_MS = 600_000;

/** Writes the full-size phantom with the project's CLI when it is missing or from an older generator. */
export function ensurePhantom(): string[] {
  const r = spawnSync('npx', ['tsx', 'sample-dicom/generate.ts', '--case', 'sacralAla', '--size', 'full', '--out', PHANTOM_OUT, '--if-missing'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`phantom generation failed: ${r.stderr || r.stdout}`);
  const dir = join(SERIES_DIR, 'dicom');
  if (!existsSync(dir)) throw new Error(`no DICOM written in ${dir}`);
  return readdirSync(dir).filter((n) => n.endsWith('.dcm')).sort().map((n) => join(dir, n));
}

async function appData(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => ({ ...(document.getElementById('app')!.dataset as Record<string, string>) }));
}

async function probe(page: Page): Promise<Probe> {
  return page.evaluate(() => (window as unknown as { __benchProbe: Probe }).__benchProbe);
}

type DropRun = {
  rssTimeline: string;
  readyMs: number;
  mprFrameMs: number | null;
  frame3dMs: number | null;
  volumeBytes: number;
  dims: string;
  heapPeakBytes: number;
  cdpHeapPeakBytes: number;
  heapBaselineBytes: number;
  rendererPeakBytes: number;
  rendererBaselineBytes: number;
  gpuPeakBytes: number;
  renderers: number;
  uaMemory: string;
};

async function measureDrop(browser: Browser, baseUrl: string, files: string[]): Promise<DropRun> {
  const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
  await context.addInitScript({ content: PROBE_SCRIPT });
  // Ceilings for a hung run on a loaded machine, not pacing.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const cdpHeap = async (): Promise<number> => {
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    };
    await page.goto(`${baseUrl}/?sample=none`, { timeout: WAIT_MS });
    await page.locator('#app[data-state="idle"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const heapBaselineBytes = await cdpHeap();
    const procs0 = chromiumProcesses();
    const rendererBaselineBytes = Math.max(0, ...procs0.filter((p) => p.type === 'renderer').map((p) => p.rssBytes));

    // Sample CDP heap and the renderer's resident memory while loading.
    const timeOrigin = await page.evaluate(() => performance.timeOrigin);
    let cdpHeapPeakBytes = heapBaselineBytes;
    let sampling = true;
    const rss: { t: number; bytes: number }[] = [];
    const sampler = (async () => {
      while (sampling) {
        rss.push({ t: Date.now() - timeOrigin, bytes: Math.max(0, ...chromiumProcesses().filter((q) => q.type === 'renderer').map((q) => q.rssBytes)) });
        try {
          cdpHeapPeakBytes = Math.max(cdpHeapPeakBytes, await cdpHeap());
        } catch {
          /* page busy or closing */
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // BENCH_PROFILE=1: a CPU profile of the page's main thread over the load (bench/out/prof/drop-main.cpuprofile).
    const profile = process.env['BENCH_PROFILE'] === '1';
    if (profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 1000 });
      await cdp.send('Profiler.start');
    }

    await page.locator('[data-testid="open-files-input"]').setInputFiles(files);
    await page.locator('#app[data-load-settled="1"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    const data = await appData(page);
    if (data['loadOutcome'] !== 'shown') throw new Error(`the drop was not shown (outcome ${data['loadOutcome']}, issues ${data['issues']})`);
    // The MPR frames come on the next animation frames; the 3D frame after them.
    await page.waitForFunction(() => {
      const p = (window as unknown as { __benchProbe: Probe }).__benchProbe;
      const ready = p.states.find((s) => s.state === 'ready' && s.t >= p.change!);
      return ready !== undefined && ['axial', 'sagittal', 'coronal'].every((v) => p.frames.some((f) => f.view === v && f.t >= ready.t));
    }, undefined, { timeout: WAIT_MS, polling: 100 });
    let frame3dWait = true;
    try {
      await page.locator('#app[data-rendered3d="1"]').waitFor({ state: 'attached', timeout: WAIT_MS });
    } catch {
      frame3dWait = false;
    }
    sampling = false;
    await sampler;
    if (profile) {
      const { profile: cpu } = await cdp.send('Profiler.stop');
      mkdirSync(join(ROOT, 'bench/out/prof'), { recursive: true });
      writeFileSync(join(ROOT, 'bench/out/prof/drop-main.cpuprofile'), JSON.stringify(cpu));
    }
    const p = await probe(page);
    const t0 = p.change ?? 0;
    const ready = p.states.find((s) => s.state === 'ready' && s.t >= t0);
    const mpr = ready ? firstMprFrame(p, ready.t) : null;
    const r3d = p.rendered3d.find((r) => r.value === '1' && r.t >= t0);
    const ni = Number(data['sliceCountSagittal']), nj = Number(data['sliceCountCoronal']), nk = Number(data['sliceCountAxial']);
    // The phantom's grey values fit Int16: the loader allocates 2 bytes per voxel (src/core/dicom/assembleSeries.ts).
    const volumeBytes = ni * nj * nk * 2;
    const procs = chromiumProcesses();
    const renderers = procs.filter((q) => q.type === 'renderer');
    const gpu = procs.filter((q) => q.type === 'gpu-process');
    // measureUserAgentSpecificMemory (cross-origin isolated pages only): every heap and buffer of the page, workers included.
    const uaMemory = await page.evaluate(async () => {
      const perf = performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<{ bytes: number; breakdown: { bytes: number; types: string[] }[] }> };
      if (!perf.measureUserAgentSpecificMemory || !crossOriginIsolated) return 'measureUserAgentSpecificMemory unavailable';
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), 15_000));
      const m = await Promise.race([perf.measureUserAgentSpecificMemory(), timeout]);
      if (!m) return 'measureUserAgentSpecificMemory: no answer within 15 s';
      const byType = new Map<string, number>();
      for (const b of m.breakdown) {
        const key = b.types.join('+') || 'other';
        byType.set(key, (byType.get(key) ?? 0) + b.bytes);
      }
      return `after load, measureUserAgentSpecificMemory ${(m.bytes / 1048576).toFixed(0)} MB (${[...byType].map(([k, v]) => `${k} ${(v / 1048576).toFixed(0)} MB`).join(', ')})`;
    });
    // Resident memory of the renderer at the milestones (the last sample before each).
    const rssAt = (t: number | undefined): string => {
      if (t === undefined) return '?';
      const before = rss.filter((x) => x.t <= t);
      return before.length > 0 ? (before[before.length - 1]!.bytes / 1048576).toFixed(0) : '?';
    };
    const peak = rss.reduce((a, b) => (b.bytes > a.bytes ? b : a), { t: 0, bytes: 0 });
    const rssTimeline = `renderer RSS at the drop ${rssAt(t0)} MB, at data-state=ready ${rssAt(ready?.t)} MB, at the first MPR frame ${rssAt(mpr ?? undefined)} MB, at the first 3D frame ${rssAt(r3d?.t)} MB; sampled peak ${(peak.bytes / 1048576).toFixed(0)} MB at +${(peak.t - t0).toFixed(0)} ms`;
    return {
      rssTimeline,
      readyMs: ready ? ready.t - t0 : NaN,
      mprFrameMs: mpr === null ? null : mpr - t0,
      frame3dMs: frame3dWait && r3d ? r3d.t - t0 : null,
      volumeBytes,
      dims: `${ni}x${nj}x${nk}`,
      heapPeakBytes: p.heapPeak,
      cdpHeapPeakBytes,
      heapBaselineBytes,
      rendererPeakBytes: Math.max(0, ...renderers.map((q) => q.hwmBytes)),
      rendererBaselineBytes,
      gpuPeakBytes: Math.max(0, ...gpu.map((q) => q.hwmBytes)),
      renderers: renderers.length,
      uaMemory,
    };
  } finally {
    await context.close();
  }
}

/** Reading the same files' bytes in a fresh page: File.arrayBuffer() through a file input, and fetch() from the server. */
async function measureReads(browser: Browser, baseUrl: string, files: string[]): Promise<{ fileReadMs: number; fetchMs: number; bytes: number }> {
  const context = await browser.newContext();
  // Ceilings for a hung run on a loaded machine, not pacing.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  try {
    // A page without the app: only the reads are timed.
    await page.goto(`${baseUrl}/bench/browser/blank.html`, { timeout: WAIT_MS });
    await page.evaluate(() => {
      const input = document.createElement('input');
      input.type = 'file';
      input.multiple = true;
      input.id = 'bench-files';
      document.body.append(input);
      (window as unknown as { __read: Promise<{ ms: number; bytes: number }> }).__read = new Promise((resolve) => {
        input.addEventListener('change', async () => {
          const t0 = performance.now();
          const buffers = await Promise.all([...input.files!].map((f) => f.arrayBuffer()));
          resolve({ ms: performance.now() - t0, bytes: buffers.reduce((s, b) => s + b.byteLength, 0) });
        });
      });
    });
    await page.locator('#bench-files').setInputFiles(files);
    const fileRead = await page.evaluate(() => (window as unknown as { __read: Promise<{ ms: number; bytes: number }> }).__read);
    const urls = files.map((f) => `/${f.slice(ROOT.length + 1)}`);
    const fetched = await page.evaluate(async (list) => {
      const t0 = performance.now();
      const buffers = await Promise.all(list.map(async (u) => {
        const r = await fetch(u, { cache: 'no-store' });
        if (!r.ok) throw new Error(`${u}: HTTP ${r.status}`);
        return r.arrayBuffer();
      }));
      return { ms: performance.now() - t0, bytes: buffers.reduce((s, b) => s + b.byteLength, 0) };
    }, urls);
    if (fetched.bytes !== fileRead.bytes) throw new Error(`fetch read ${fetched.bytes} bytes, the file input ${fileRead.bytes}`);
    return { fileReadMs: fileRead.ms, fetchMs: fetched.ms, bytes: fileRead.bytes };
  } finally {
    await context.close();
  }
}

export const dropToFrameBench: BenchEntry = {
  name: 'browser: drop full-size phantom -> first frame, peak memory',
  async run() {
    const unavailable = browserUnavailable();
    if (unavailable) {
      console.log(`  ${unavailable}`);
      return [];
    }
    const files = ensurePhantom();
    const server = await startVite(benchPort());
    let browser: Browser | null = null;
    try {
      browser = await launchChromium();
      const drop = await measureDrop(browser, server.url, files);
      const reads = await measureReads(browser, server.url, files);
      const results: BenchResult[] = [];
      const sizeNote = `${files.length} files, ${(reads.bytes / MB).toFixed(0)} MB; volume ${drop.dims} Int16 = ${(drop.volumeBytes / MB).toFixed(0)} MB`;
      results.push({
        name: 'drop -> data-state=ready',
        figure: drop.readyMs,
        unit: 'ms',
        reference: { name: 'File.arrayBuffer() of the same files in the page', figure: reads.fileReadMs, unit: 'ms' },
        ratio: drop.readyMs / reads.fileReadMs,
        ratioMeaning: 'load / read',
        notes: `fetch() of the same bytes from the server: ${reads.fetchMs.toFixed(0)} ms (load / fetch ${(drop.readyMs / reads.fetchMs).toFixed(2)}); ${sizeNote}`,
      });
      if (drop.mprFrameMs !== null) {
        results.push({
          name: 'drop -> first frame in all three MPR views',
          figure: drop.mprFrameMs,
          unit: 'ms',
          reference: { name: 'File.arrayBuffer() of the same files', figure: reads.fileReadMs, unit: 'ms' },
          ratio: drop.mprFrameMs / reads.fileReadMs,
          ratioMeaning: 'first frame / read',
        });
      }
      results.push({
        name: 'drop -> first 3D frame (software WebGL)',
        figure: drop.frame3dMs ?? NaN,
        unit: 'ms',
        notes: drop.frame3dMs === null ? `not rendered within ${WAIT_MS / 1000} s` : 'SwiftShader ray casting; a GPU machine is far faster',
      });
      const vol = drop.volumeBytes;
      results.push({
        name: 'peak JS heap (main thread, performance.memory, 20 ms samples)',
        figure: drop.heapPeakBytes / MB,
        unit: 'MB',
        reference: { name: 'volume bytes', figure: vol / MB, unit: 'MB' },
        ratio: drop.heapPeakBytes / vol,
        ratioMeaning: 'heap / volume',
        goal: '< 3',
        met: drop.heapPeakBytes / vol < 3,
        notes: `CDP Performance.getMetrics JSHeapUsedSize peak ${(drop.cdpHeapPeakBytes / MB).toFixed(0)} MB (before the drop ${(drop.heapBaselineBytes / MB).toFixed(0)} MB); voxel buffers live outside the JS heap (ArrayBuffer backing stores), see the process figures`,
      });
      results.push({
        name: 'peak renderer process memory (VmHWM: main thread, workers, buffers)',
        figure: drop.rendererPeakBytes / MB,
        unit: 'MB',
        reference: { name: 'volume bytes', figure: vol / MB, unit: 'MB' },
        ratio: drop.rendererPeakBytes / vol,
        ratioMeaning: 'renderer peak / volume',
        goal: '< 3',
        met: drop.rendererPeakBytes / vol < 3,
        notes: `renderer before the drop ${(drop.rendererBaselineBytes / MB).toFixed(0)} MB, so the load added ${((drop.rendererPeakBytes - drop.rendererBaselineBytes) / MB).toFixed(0)} MB = ${((drop.rendererPeakBytes - drop.rendererBaselineBytes) / vol).toFixed(2)}x the volume; ${drop.renderers} renderer process(es); GPU process peak ${(drop.gpuPeakBytes / MB).toFixed(0)} MB (${(drop.gpuPeakBytes / vol).toFixed(2)}x: SwiftShader textures); ${drop.rssTimeline}; ${drop.uaMemory}`,
      });
      return results;
    } finally {
      await browser?.close();
      await server.stop();
    }
  },
};
