/**
 * Probe (not an entry of `npm run bench`): what a window resize costs in plan mode, where the
 * three.js scene covers the Cornerstone 3D volume viewport (issue #6, helper A stop 18). Opens the
 * bundled sacralAla-medium sample with the 3D view on, waits for the first volume rendering, switches
 * the 3D cell to the plan scene, then resizes the window 1600 x 900 -> 1200 x 700 -> 1600 x 900 and
 * counts, per resize, the IMAGE_RENDERED events of the 3D viewport (each one a software ray
 * cast of seconds on SwiftShader before bca5467). It measures no time: a first version timed
 * the resize to the axial view's next render and never saw that render (-1 in every row; cause
 * not traced), so the timing was taken out rather than left printing a number that is not one.
 *
 * `PROBE_URLS="old=http://127.0.0.1:6810 new=http://127.0.0.1:6811" PROBE_ROUNDS=2 npx tsx
 * bench/browser/planResizeProbe.ts`: the servers (started by the caller, e.g. one on a `git archive`
 * of the old commit) are measured in turn, one fresh page each, rounds alternated.
 */
import { execSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../playwright.config';

type Row = { label: string; renders3d: number; load: string };
const servers = (process.env['PROBE_URLS'] ?? '').split(' ').filter(Boolean).map((s) => {
  const [label, url] = s.split('=') as [string, string];
  return { label, url };
});
if (servers.length === 0) throw new Error('PROBE_URLS="label=url label=url"');
const rounds = Number(process.env['PROBE_ROUNDS'] ?? 2);
const load = (): string => execSync('cat /proc/loadavg').toString().split(' ').slice(0, 3).join(' ');

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS] });
const rows: Row[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? servers : [...servers].reverse();
    for (const { label, url } of order) {
      const context = await browser.newContext({ viewport: { width: 1600, height: 900 } });
      const page = await context.newPage();
      await page.goto(`${url}/?sample=none`, { timeout: 300_000 });
      await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
      await page.goto(`${url}/?sample=sacralAla-medium`, { timeout: 300_000 });
      console.error(`${label}: page open`);
      await page.locator('#app[data-rendered3d="1"]').waitFor({ state: 'attached', timeout: 300_000 });
      console.error(`${label}: 3D rendered`);
      await page.locator('[data-testid="scene-mode-plan"]').click();
      await page.locator('#app[data-scene-mode="plan"]').waitFor({ state: 'attached' });
      // The session keeps segmenting in the background in both; wait for it so its workers' results land outside the resizes.
      await page.locator('#app[data-session-phase="ready"]').waitFor({ state: 'attached', timeout: 300_000 });
      console.error(`${label}: session ready`);
      await page.evaluate(() => {
        const r3d = { n: 0 };
        (window as unknown as Record<string, unknown>)['__r3d'] = r3d;
        document.querySelector('[data-view="volume3d"]')!.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => r3d.n++);
      });
      for (const [width, height] of [[1200, 700], [1600, 900]] as const) {
        const before3d = await page.evaluate(() => (window as unknown as { __r3d: { n: number } }).__r3d.n);
        await page.setViewportSize({ width, height });
        // The viewer's resize (a ResizeObserver, then Cornerstone's resize and render frame) has
        // happened once the axial canvas has its new layout size and two frames have passed.
        await page.waitForFunction(() => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-view="axial"] canvas')!;
          return canvas.clientWidth > 0 && Math.abs(canvas.width - Math.round(canvas.clientWidth * devicePixelRatio)) <= 1;
        }, undefined, { timeout: 60_000 });
        await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
        console.error(`${label}: resized to ${width}x${height}`);
        const after3d = await page.evaluate(() => (window as unknown as { __r3d: { n: number } }).__r3d.n);
        const row = { label: `${label} ${width}x${height}`, renders3d: after3d - before3d, load: load() };
        rows.push(row);
        console.log(JSON.stringify(row));
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
for (const { label } of servers) {
  const mine = rows.filter((r) => r.label.startsWith(`${label} `)).map((r) => r.renders3d);
  console.log(`${label}: 3D viewport renders per plan-mode resize: ${mine.join(' / ')}`);
}
