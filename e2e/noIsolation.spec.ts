/**
 * The same app served WITHOUT cross-origin isolation (no SharedArrayBuffer):
 * volumes are transferred from the DICOM worker instead of shared. The bundled
 * sample must open just the same.
 */
import { expect, test } from '@playwright/test';
import { appData, openApp, waitForAnatomy } from './support/app';

test('without COOP/COEP the sample opens through the transfer fallback', async ({ page }) => {
  const state = await openApp(page, '?no3d=1');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(false);
  expect(state['sharedMemory']).toBe('0');
  expect(state['state'], (await page.locator('[data-testid="issue-banner"]').textContent()) ?? '').toBe('ready');
  for (const view of ['axial', 'sagittal', 'coronal'] as const) await waitForAnatomy(page, view);
  const p = await page.locator('[data-view="axial"]').boundingBox();
  await page.mouse.click(p!.x + p!.width / 2 + 60, p!.y + p!.height / 2);
  await expect.poll(async () => (await appData(page))['sliceSagittal']).not.toBe(state['sliceSagittal']);
});

test('without COOP/COEP the planning session runs in transfer mode: one planner worker, same plan as in-process, no long task during the search', async ({ browser }) => {
  const { growAndPlan, liveCheckRoundTripMs, longTasks, phaseTimeline, recordSessionTimeline, truthLesionCenter, waitSessionReady } = await import('./support/session');
  const seed = truthLesionCenter('sacralAla-medium');
  const page = await browser.newPage();
  await recordSessionTimeline(page);
  await page.goto('/?no3d=1');
  await waitSessionReady(page);
  expect(await page.locator('#app').getAttribute('data-planner-mode')).toBe('worker-transfer');
  const timeline = await phaseTimeline(page);
  const start = timeline.find((e) => e.phase === 'segmenting')!;
  const ready = timeline.find((e) => e.phase === 'ready')!;
  const pooled = await growAndPlan(page, seed);
  expect(pooled.click.status).toBe('ok');
  const tasks = await longTasks(page);
  const inPlan = tasks.filter((t) => t.start < pooled.plan.t1 && t.start + t.duration > pooled.plan.t0 && t.duration >= 50);
  const liveMs = await liveCheckRoundTripMs(page);

  const local = await browser.newPage();
  await local.goto('/?no3d=1&planner=inprocess');
  await waitSessionReady(local);
  const reference = await growAndPlan(local, seed);
  console.log(`[figures] transfer mode: volumeReady -> fields ready ${(ready.t - start.t).toFixed(0)} ms; plan (one worker) ${pooled.plan.ms.toFixed(0)} ms; ` +
    `live check round trip ${liveMs.toFixed(2)} ms; long tasks >= 50 ms during the plan: ${inPlan.length}; long tasks while segmenting and building fields: [${tasks.filter((t) => t.start + t.duration > start.t && t.start < ready.t).map((t) => `${t.duration.toFixed(0)} ms at +${(t.start - start.t).toFixed(0)}`).join(', ')}]; timeline ${timeline.map((e) => `${e.phase}@${(e.t - start.t).toFixed(0)}`).join(' ')}`);
  expect(pooled.plan.screws.length).toBeGreaterThan(0);
  expect(pooled.plan.screws.map((s) => [s.corridorId, s.side, s.entryLps, s.tipLps])).toEqual(reference.plan.screws.map((s) => [s.corridorId, s.side, s.entryLps, s.tipLps]));
  expect(pooled.plan.corridors.map((c) => [c.corridorId, c.side, c.available, c.reason])).toEqual(reference.plan.corridors.map((c) => [c.corridorId, c.side, c.available, c.reason]));
  expect(inPlan, JSON.stringify(inPlan)).toEqual([]);
  await page.close();
  await local.close();
});

test('without COOP/COEP, Cancel in the plan panel stops the search between corridors: the panel returns to rest and the worker is free (a plan right after completes)', async ({ page }) => {
  const { expectCancelThenReplan } = await import('./support/session');
  const { screenshot } = await import('./support/app');
  await expectCancelThenReplan(page, 'worker-transfer', (name) => screenshot(page, `${name}-transfer`));
});
