/**
 * Shared pieces of the browser benchmarks: a Vite dev server started by the
 * bench, headless Debian Chromium (never downloaded), an in-page probe that
 * timestamps the app's state changes and Cornerstone's rendered frames, and
 * process memory of Chromium's renderer and GPU processes (from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';

/** Debian's Chromium; BENCH_CHROMIUM points elsewhere. */
export const CHROMIUM_PATH = process.env['BENCH_CHROMIUM'] ?? '/usr/bin/chromium';
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** First port the browser benches use (BENCH_PORT moves it). */
export function benchPort(): number {
  return Number(process.env['BENCH_PORT'] ?? 5260);
}

/** Null when the browser benches can run, else why not (printed, the entry is skipped). */
export function browserUnavailable(): string | null {
  if (!existsSync(CHROMIUM_PATH)) return `skipped: ${CHROMIUM_PATH} is missing (install Debian's chromium: apt-get install chromium, or npm run system-deps; or set BENCH_CHROMIUM to a Chromium binary)`;
  return null;
}

export type ViteServer = { url: string; log: () => string; stop(): Promise<void> };

/**
 * Starts `vite --port <port> --strictPort` (cross-origin isolated, like
 * `npm start`; VITE_E2E=1 only turns hot reload off, so other people saving
 * files do not reload the page under the bench). Its own dependency cache
 * directory, so it never re-optimises under another engineer's server.
 */
export async function startVite(port: number): Promise<ViteServer> {
  let output = '';
  const child: ChildProcess = spawn('npx', ['vite', '--port', String(port), '--strictPort'], {
    cwd: ROOT,
    env: { ...process.env, VITE_PORT: String(port), VITE_E2E: '1', VITE_CACHE_DIR: 'node_modules/.vite-bench' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited || child.pid === undefined) return;
    const done = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
    if (!exited) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  };
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`vite exited before serving on port ${port}:\n${output}`);
    try {
      const r = await fetch(`${url}/`);
      if (r.ok) return { url, log: () => output, stop };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`vite did not answer on port ${port} within 120 s:\n${output}`);
}

/** `extraArgs`: more Chromium flags for a diagnostic row (e.g. `--disable-gpu-compositing`); the default rows pass none. */
export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  // ForceEagerMeasureMemory: performance.measureUserAgentSpecificMemory() answers at once instead of at the next GC.
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, '--enable-blink-features=ForceEagerMeasureMemory', ...extraArgs] });
}

/**
 * In-page probe (an init script, runs before the app): timestamps in
 * performance.now() (ms since navigation start) of the first file-input
 * change, each data-state / data-rendered-3d change of #app, each Cornerstone
 * IMAGE_RENDERED per view with its viewport status, and the peak of
 * performance.memory sampled every 20 ms (main thread only: workers have
 * their own heaps, which the renderer's process memory covers).
 */
export const PROBE_SCRIPT = `(() => {
  const probe = { change: null, states: [], rendered3d: [], frames: [], heapPeak: 0, heapTotalPeak: 0, heapSamples: 0 };
  window.__benchProbe = probe;
  document.addEventListener('change', (e) => {
    if (probe.change === null && e.target instanceof HTMLInputElement && e.target.type === 'file') probe.change = performance.now();
  }, true);
  document.addEventListener('CORNERSTONE_IMAGE_RENDERED', (e) => {
    const host = e.target instanceof Element ? e.target.closest('[data-view]') : null;
    probe.frames.push({ t: performance.now(), view: host ? host.getAttribute('data-view') : '?', status: e.detail ? String(e.detail.viewportStatus) : '' });
  }, true);
  const sample = () => {
    const m = performance.memory;
    if (!m) return;
    probe.heapSamples++;
    if (m.usedJSHeapSize > probe.heapPeak) probe.heapPeak = m.usedJSHeapSize;
    if (m.totalJSHeapSize > probe.heapTotalPeak) probe.heapTotalPeak = m.totalJSHeapSize;
  };
  setInterval(sample, 20);
  const watch = () => {
    const app = document.getElementById('app');
    if (!app) return false;
    let state = app.dataset.state, r3d = app.dataset.rendered3d;
    probe.states.push({ t: performance.now(), state });
    new MutationObserver(() => {
      sample();
      if (app.dataset.state !== state) { state = app.dataset.state; probe.states.push({ t: performance.now(), state }); }
      if (app.dataset.rendered3d !== r3d) { r3d = app.dataset.rendered3d; probe.rendered3d.push({ t: performance.now(), value: r3d }); }
    }).observe(app, { attributes: true });
    return true;
  };
  if (!watch()) new MutationObserver((_, obs) => { if (watch()) obs.disconnect(); }).observe(document, { childList: true, subtree: true });
})();`;

export type Probe = {
  change: number | null;
  states: { t: number; state: string }[];
  rendered3d: { t: number; value: string }[];
  frames: { t: number; view: string; status: string }[];
  heapPeak: number;
  heapTotalPeak: number;
  heapSamples: number;
};

/**
 * The time by which every MPR view has rendered its first frame at or after
 * `readyT` (the data-state=ready time); null if not yet. The frames before it
 * are of the empty viewports (the app shows the volume inside showVolume, whose
 * renders run on the animation frames after volumeReady set the state).
 */
export function firstMprFrame(probe: Probe, readyT: number): number | null {
  let latest = 0;
  for (const view of ['axial', 'sagittal', 'coronal']) {
    const f = probe.frames.find((x) => x.view === view && x.t >= readyT);
    if (!f) return null;
    latest = Math.max(latest, f.t);
  }
  return latest;
}

export type ProcessMemory = { pid: number; type: string; rssBytes: number; hwmBytes: number };

function readStatusKb(pid: number, key: string): number {
  try {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Chromium's processes (renderers, GPU, utilities) among the descendants of
 * `rootPid` (this node process: Playwright launches Chromium as its child), by /proc.
 */
export function chromiumProcesses(rootPid: number = process.pid): ProcessMemory[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      /* gone */
    }
  }
  const out: ProcessMemory[] = [];
  const walk = (pid: number): void => {
    for (const c of children.get(pid) ?? []) {
      let type = 'other';
      try {
        const cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8');
        const m = /--type=([a-z-]+)/.exec(cmd);
        type = m ? m[1]! : 'other';
        if (type === 'utility' && cmd.includes('--utility-sub-type=')) type = `utility:${/--utility-sub-type=([\w.]+)/.exec(cmd)?.[1] ?? ''}`;
      } catch {
        /* gone */
      }
      out.push({ pid: c, type, rssBytes: readStatusKb(c, 'VmRSS'), hwmBytes: readStatusKb(c, 'VmHWM') });
      walk(c);
    }
  };
  walk(rootPid);
  return out;
}

export const MB = 1024 * 1024;
