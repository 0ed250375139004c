/**
 * Cross-origin isolated page: the segmentation worker hands the critical-structure
 * detection to its distance-transform helper thread and builds the bone depth meanwhile
 * (src/core/segmentation/overlapStructures.ts). Checked on the bundled sample: the helper
 * received the detection (its diagnostic counters, read from the worker), and the session
 * reaches "ready" with every expected structure found, as in one thread (the models'
 * identity with one thread is tested in node: overlapStructures.test.ts,
 * segmentationEdtHelper.test.ts).
 */
import { expect, test } from '@playwright/test';
import { screenshot } from './support/app';
import { waitSessionReady } from './support/session';

test('the structures are detected on the helper thread while the bone depth is built; every structure found', async ({ page }) => {
  await page.goto('/?no3d=1');
  await waitSessionReady(page);
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);
  const helper = page.workers().find((w) => w.url().includes('segmentationEdt'));
  expect(helper, 'the EDT helper worker runs on the isolated page').toBeTruthy();
  // Posted once per detection; counted when it arrives (the worker runs it itself when the helper has not taken it yet).
  await expect.poll(() => helper!.evaluate(() => (globalThis as { structuresJobsReceived?: number }).structuresJobsReceived ?? 0)).toBeGreaterThanOrEqual(1);
  const ran = await helper!.evaluate(() => (globalThis as { structuresJobs?: number }).structuresJobs ?? 0);
  const status = await page.evaluate(() => (window as unknown as { __planner: { session: { getStatus(): { structures: { foramina: unknown[]; roots: unknown[]; joints: unknown[]; sacralCanal: unknown } | null; missingStructures: string[] } } } }).__planner.session.getStatus());
  console.log(`[figures] structures detections run by the helper: ${ran}; foramina ${status.structures?.foramina.length}, roots ${status.structures?.roots.length}, joints ${status.structures?.joints.length}; missing ${status.missingStructures.join(', ') || 'none'}`);
  expect(status.missingStructures).toEqual([]);
  expect(status.structures?.foramina.length).toBe(8);
  await screenshot(page, 'segmentation-overlap-ready');
});
