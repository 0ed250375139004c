/**
 * Teardown: opening a series releases the previous one. Ten loads in a row
 * must not grow memory, WebGL contexts or workers.
 *
 * Memory is the resident size of the renderer and GPU processes (from
 * /proc, process ids from CDP SystemInfo): the voxels live in a
 * SharedArrayBuffer, which the JS heap figures do not count, and the
 * textures live in the GPU process (SwiftShader). The test first checks that
 * this instrument does see a volume arrive, so it can fail.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type CDPSession, type Page } from '@playwright/test';
import { openFolderWithChooser, waitForAnatomy, waitForLoad } from './support/app';
import { REAL_DICOM_DIR } from './support/realCtToDicom';

// The big real CT (512 x 363 x 339 int16 = 126 MB of voxels): a leaked volume cannot hide in the noise.
const SERIES = join(REAL_DICOM_DIR, 'fracsegnet-002');
const VOLUME_BYTES = 512 * 363 * 339 * 2;

type Usage = { heapBytes: number; rssBytes: number; rendererBytes: number; gpuBytes: number };

function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0; // process gone
  }
}

async function usageAfterGc(page: CDPSession, browser: CDPSession): Promise<Usage> {
  await page.send('HeapProfiler.collectGarbage');
  await page.send('HeapProfiler.collectGarbage');
  const u = (await page.send('Runtime.getHeapUsage')) as { usedSize: number };
  const info = (await browser.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  const sum = (types: string[]): number => info.processInfo.filter((p) => types.includes(p.type)).reduce((total, p) => total + rssOf(p.id), 0);
  const rendererBytes = sum(['renderer']);
  const gpuBytes = sum(['GPU', 'gpu']);
  return { heapBytes: u.usedSize, rssBytes: rendererBytes + gpuBytes, rendererBytes, gpuBytes };
}

/** Median of the slopes (y_b - y_a) / (b - a) over every pair a < b of equally spaced samples. */
function theilSenSlope(ys: readonly number[]): number {
  const slopes: number[] = [];
  for (let a = 0; a < ys.length; a++) for (let b = a + 1; b < ys.length; b++) slopes.push((ys[b]! - ys[a]!) / (b - a));
  slopes.sort((x, y) => x - y);
  const m = slopes.length >> 1;
  return slopes.length % 2 ? slopes[m]! : (slopes[m - 1]! + slopes[m]!) / 2;
}

async function counters(page: Page): Promise<{ webgl: number; workersLive: number }> {
  return page.evaluate(() => {
    const c = (window as unknown as { __counts: { webgl: number; workersCreated: number; workersTerminated: number } }).__counts;
    return { webgl: c.webgl, workersLive: c.workersCreated - c.workersTerminated };
  });
}

test('ten series in a row: memory, WebGL contexts and workers stay flat', async ({ page }) => {
  test.skip(!existsSync(SERIES), 'real CT DICOM not written');
  await page.addInitScript(() => {
    const counts = { webgl: 0, workersCreated: 0, workersTerminated: 0 };
    (window as unknown as { __counts: typeof counts }).__counts = counts;
    const seen = new WeakSet<object>();
    for (const proto of [HTMLCanvasElement.prototype, OffscreenCanvas.prototype] as { getContext: (...a: unknown[]) => unknown }[]) {
      const original = proto.getContext;
      proto.getContext = function (this: object, ...args: unknown[]) {
        const ctx = original.apply(this, args);
        if (ctx && (args[0] === 'webgl2' || args[0] === 'webgl') && !seen.has(this)) {
          seen.add(this);
          counts.webgl++;
        }
        return ctx;
      };
    }
    const NativeWorker = window.Worker;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        counts.workersCreated++;
      }
      override terminate(): void {
        counts.workersTerminated++;
        super.terminate();
      }
    };
  });
  await page.goto('/?sample=none&no3d=1');
  await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
  const cdp = await page.context().newCDPSession(page);
  const browserCdp = await page.context().browser()!.newBrowserCDPSession();
  const empty = await usageAfterGc(cdp, browserCdp);
  const samples: Usage[] = [];
  const figures: string[] = [];
  let reference: { webgl: number; workersLive: number } | null = null;
  for (let n = 1; n <= 10; n++) {
    await openFolderWithChooser(page, SERIES);
    const state = await waitForLoad(page, n);
    expect(state['loadOutcome']).toBe('shown');
    await waitForAnatomy(page, 'axial');
    const usage = await usageAfterGc(cdp, browserCdp);
    samples.push(usage);
    const c = await counters(page);
    figures.push(`load ${n}: JS heap ${(usage.heapBytes / 2 ** 20).toFixed(1)} MB, renderer+GPU RSS ${(usage.rssBytes / 2 ** 20).toFixed(0)} MB (renderer ${(usage.rendererBytes / 2 ** 20).toFixed(0)}, GPU ${(usage.gpuBytes / 2 ** 20).toFixed(0)}), webgl contexts ${c.webgl}, live workers ${c.workersLive}`);
    if (n === 2) reference = c;
    if (n > 2) expect(c).toEqual(reference);
  }
  figures.unshift(`before any load: renderer+GPU RSS ${(empty.rssBytes / 2 ** 20).toFixed(0)} MB (renderer ${(empty.rendererBytes / 2 ** 20).toFixed(0)}, GPU ${(empty.gpuBytes / 2 ** 20).toFixed(0)}); volume ${(VOLUME_BYTES / 2 ** 20).toFixed(0)} MB`);
  console.log(figures.join('\n'));
  const message = figures.join('\n');
  // The instrument sees a volume: the first load costs at least half a volume.
  expect(samples[0]!.rssBytes - empty.rssBytes, message).toBeGreaterThan(0.5 * VOLUME_BYTES);
  // After the second load the set-up is complete. A leak is memory that grows with every load,
  // so flatness is judged on the growth per load over loads 2-10, as the Theil-Sen slope (the
  // median of the slopes between every two loads). Resident memory also steps: allocator pages
  // of the file bytes are returned a load late (+120 MB at load 10 alone in one fresh-clone run,
  // +330 MB at one load in another), and a worker's heap that grew while the session was still
  // segmenting keeps its pages (+250 MB from load 8 on in a loaded run, flat when idle). One
  // step anywhere in the nine loads moves the median of the pairwise slopes by at most a
  // seventh of its height (a step between loads 5 and 6; a sixteenth at load 8), while a leak of
  // one volume per load gives a slope of one volume per load whatever the noise. The bounds:
  // 0.35 of a volume per load in the renderer (a step of up to 300 MB passes) and half a volume
  // in renderer + GPU (SwiftShader's GPU process pools swing by +-60 MB between loads); a leaked
  // label grid (half a volume a load) or a leaked CT is caught. The JS heap is measured after
  // a forced GC: the least of the last three loads within 16 MB of load 2.
  const growthPerLoad = (key: keyof Usage): number => theilSenSlope(samples.slice(1).map((s) => s[key]));
  expect(growthPerLoad('rssBytes'), message).toBeLessThan(0.5 * VOLUME_BYTES);
  expect(growthPerLoad('rendererBytes'), message).toBeLessThan(0.35 * VOLUME_BYTES);
  const lastThree = samples.slice(7);
  expect(Math.min(...lastThree.map((s) => s.heapBytes)) - samples[1]!.heapBytes, message).toBeLessThan(16 * 2 ** 20);
  // At any time: one volume's worth, not a pile of them. Measured on SwiftShader: about 5x the
  // voxel bytes over the empty app (renderer ~2.3x: the shared voxels plus allocator pages kept
  // from the file bytes; GPU process ~2.6x: a float texture and SwiftShader's copy). DESIGN's
  // "under 3x" is not met in software rendering; this bound catches a second volume kept alive.
  // The median, not every sample: allocator pages of the file bytes are sometimes returned a load
  // late (seen once: +330 MB at one load, back to normal at the next), which is not a leak.
  // Since the planning session runs on every open series, its working set is in the footprint
  // too (label volume, distance fields and planner grid of the pelvis ROI, worker heaps): about
  // 8.5-9x the voxel bytes over the empty app on SwiftShader. Leaks are caught by the flatness
  // checks above; this bound catches a second volume (or a second session) kept alive.
  const over = samples.map((s) => s.rssBytes - empty.rssBytes).sort((a, b) => a - b);
  expect(over[Math.floor(over.length / 2)]!, message).toBeLessThan(10.5 * VOLUME_BYTES);
});
