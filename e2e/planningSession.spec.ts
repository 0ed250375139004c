/**
 * The planning session in the browser on the bundled sacralAla-medium sample:
 * bone segmentation, structures and fields run in workers after the volume is
 * shown; one lesion click (the segmentation panel's click tool is built
 * separately: the test seeds through the `__planner.session` hook at the
 * phantom's TRUTH lesion centre); then
 * (1) the worker pool and the in-process planner give the same plan
 *     (screws' entry/tip within 1e-6 mm, same corridor outcomes);
 * (2) while the pool searches, the main thread has no long task >= 50 ms.
 * Figures (pipeline time, plan time, live-check round trip, long tasks) are
 * printed for the README.
 */
import { expect, test } from '@playwright/test';
import { resolve } from 'node:path';
import { openFolderWithChooser, screenshot } from './support/app';
import { growAndPlan, liveCheckRoundTripMs, longTasks, phaseTimeline, recordSessionTimeline, truthLesionCenter, waitSessionReady, type PlanSummary } from './support/session';

const SAMPLE = 'sacralAla-medium';

function expectSamePlan(a: PlanSummary, b: PlanSummary): void {
  expect(a.screws.length).toBeGreaterThan(0);
  expect(a.screws.map((s) => [s.corridorId, s.side, s.diameterMm, s.lengthMm])).toEqual(b.screws.map((s) => [s.corridorId, s.side, s.diameterMm, s.lengthMm]));
  a.screws.forEach((s, i) => {
    for (let c = 0; c < 3; c++) {
      expect(Math.abs(s.entryLps[c]! - b.screws[i]!.entryLps[c]!)).toBeLessThanOrEqual(1e-6);
      expect(Math.abs(s.tipLps[c]! - b.screws[i]!.tipLps[c]!)).toBeLessThanOrEqual(1e-6);
    }
  });
  expect(a.corridors.map((c) => [c.corridorId, c.side, c.available, c.reason, c.candidatesScored, c.screws.length])).toEqual(
    b.corridors.map((c) => [c.corridorId, c.side, c.available, c.reason, c.candidatesScored, c.screws.length]),
  );
}

test('the worker pool and the in-process planner give the same plan; no long task on the main thread during the pool\'s search', async ({ browser }) => {
  const seed = truthLesionCenter(SAMPLE);

  // Two planner workers whatever the machine (a 2-core machine's default pool is one): each
  // corridor's scan is split between them (src/compute/workerPool.ts), merged, then finished.
  const pooledPage = await browser.newPage();
  await pooledPage.addInitScript(() => {
    const NativeWorker = window.Worker;
    const names: string[] = [];
    (window as unknown as { __workerNames: string[] }).__workerNames = names;
    window.Worker = class extends NativeWorker {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        names.push(options?.name ?? '');
      }
    };
  });
  await recordSessionTimeline(pooledPage);
  await pooledPage.goto('/?no3d=1&plannerWorkers=2');
  await waitSessionReady(pooledPage);
  expect(await pooledPage.locator('#app').getAttribute('data-planner-mode')).toBe('worker-shared');
  const timeline = await phaseTimeline(pooledPage);
  const start = timeline.find((e) => e.phase === 'segmenting')!;
  const ready = timeline.find((e) => e.phase === 'ready')!;
  const pooled = await growAndPlan(pooledPage, seed);
  expect(pooled.click.status).toBe('ok');
  expect(await pooledPage.locator('#app').getAttribute('data-lesion-status')).toBe('ok');
  await expect(pooledPage.locator('[data-testid="status-session"]')).toContainText('Ready to plan: lesion');
  expect(pooled.plan.screws.some((s) => s.corridorId === 'iliosacralS1' || s.corridorId === 'transsacralS1')).toBe(true);
  expect(await pooledPage.evaluate(() => (window as unknown as { __workerNames: string[] }).__workerNames.filter((n) => n === 'planner').length)).toBe(2);
  const liveMs = await liveCheckRoundTripMs(pooledPage);
  await screenshot(pooledPage, 'planning-session-ready');

  const localPage = await browser.newPage();
  await recordSessionTimeline(localPage);
  await localPage.goto('/?no3d=1&planner=inprocess');
  await waitSessionReady(localPage);
  expect(await localPage.locator('#app').getAttribute('data-planner-mode')).toBe('in-process');
  const local = await growAndPlan(localPage, seed);
  // Long-task entries reach the observer in a later task: poll until the in-process plan's is in
  // (it blocks the main thread, so one comes). The pool page's are read after all this, long after
  // its plan ended, so a late entry cannot be missed there.
  const localTasksIn = async () => (await longTasks(localPage)).filter((t) => t.start < local.plan.t1 && t.start + t.duration > local.plan.t0 && t.duration >= 50);
  await expect.poll(async () => (await localTasksIn()).length, { message: 'long tasks seen during the in-process plan' }).toBeGreaterThan(0);
  const localTasks = await localTasksIn();
  const tasks = await longTasks(pooledPage);
  const inPlan = tasks.filter((t) => t.start < pooled.plan.t1 && t.start + t.duration > pooled.plan.t0 && t.duration >= 50);

  console.log(`[figures] isolated: volumeReady -> fields ready ${(ready.t - start.t).toFixed(0)} ms; lesion ${pooled.click.volumeMl.toFixed(2)} ml; ` +
    `plan (pool) ${pooled.plan.ms.toFixed(0)} ms, plan (in-process) ${local.plan.ms.toFixed(0)} ms; live check round trip ${liveMs.toFixed(2)} ms; ` +
    `long tasks >= 50 ms during the pool's plan: ${inPlan.length} [${inPlan.map((t) => t.duration.toFixed(0)).join(', ')}], ` +
    `during the in-process plan: ${localTasks.length} (max ${Math.max(0, ...localTasks.map((t) => t.duration)).toFixed(0)} ms); long tasks while segmenting and building fields: [${tasks.filter((t) => t.start + t.duration > start.t && t.start < ready.t).map((t) => `${t.duration.toFixed(0)} ms at +${(t.start - start.t).toFixed(0)}`).join(', ')}]`);

  expectSamePlan(pooled.plan, local.plan);
  // The observer works here (the in-process search blocks the main thread), and the pool's search does not.
  expect(localTasks.length).toBeGreaterThan(0);
  expect(inPlan, JSON.stringify(inPlan)).toEqual([]);
  await pooledPage.close();
  await localPage.close();
});

test('a series opened while the previous one is still segmenting supersedes it: the session ends up on the new volume only', async ({ page }) => {
  await recordSessionTimeline(page);
  await page.goto('/?no3d=1');
  const app = page.locator('#app');
  await expect(app).toHaveAttribute('data-session-phase', 'segmenting');
  const firstSeries = await app.getAttribute('data-series-uid');
  await openFolderWithChooser(page, resolve(import.meta.dirname ?? '.', '../sample-dicom/out/sacralAla-small/dicom'));
  await expect(app).toHaveAttribute('data-load-settled', '2', { timeout: 120_000 });
  const secondSeries = await app.getAttribute('data-series-uid');
  expect(secondSeries).not.toBe(firstSeries);
  await waitSessionReady(page);
  const state = await page.evaluate(() => {
    const s = (window as unknown as { __planner: { session: { getStatus(): { seriesUid: string | null; phase: string }; getLabels(): { geometry: { dims: number[] } } | null } } }).__planner.session;
    return { status: s.getStatus(), dims: s.getLabels()?.geometry.dims ?? null };
  });
  expect(state.status.seriesUid).toBe(secondSeries);
  expect(state.dims).toEqual([192, 192, 125]); // the small phantom's grid, not the medium one's 256 x 256 x 200
  // After the second series was shown: ready exactly once, at the end (no old run's result in between).
  const timeline = await phaseTimeline(page);
  const after = timeline.slice(timeline.findIndex((e) => e.phase === 'load-settled:2') + 1).map((e) => e.phase);
  expect(after.filter((p) => p === 'ready')).toEqual(['ready']);
  expect(after[after.length - 1]).toBe('ready');
  await screenshot(page, 'planning-session-superseded');
});

test('Cancel in the plan panel stops the search: the panel returns to rest and the workers are free (a plan right after completes)', async ({ page }) => {
  const { expectCancelThenReplan } = await import('./support/session');
  await expectCancelThenReplan(page, 'worker-shared', (name) => screenshot(page, `${name}-isolated`));
});
