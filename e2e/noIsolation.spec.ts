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
