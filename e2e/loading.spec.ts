/**
 * Loading: a dropped set of files opens; every broken input shows what is
 * wrong and what it means for planning, and never replaces the volume
 * already open; a drop with two series asks which one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { canvasStats, dropFiles, filesIn, openFilesWithChooser, openFolderWithChooser, screenshot, waitForAnatomy, waitForLoad } from './support/app';
import { brokenCaseDir, type BrokenCase } from './support/brokenInputs';
import { REAL_DICOM_DIR } from './support/realCtToDicom';

const GOOD = join(REAL_DICOM_DIR, 'totalseg-example');

async function openGood(page: Page): Promise<Record<string, string>> {
  await page.goto('/?sample=none&no3d=1');
  await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
  await openFolderWithChooser(page, GOOD);
  const state = await waitForLoad(page, 1);
  expect(state['loadOutcome']).toBe('shown');
  await waitForAnatomy(page, 'axial');
  // The planning session segments the volume in the background and then draws the structures
  // over the views: the reference image is the one after that.
  await expect(page.locator('#app')).toHaveAttribute('data-session-phase', /^(ready|error)$/, { timeout: 150_000 });
  return state;
}

/** What each broken input must say (banner or confirmation dialog). */
const EXPECTED: Record<Exclude<BrokenCase, 'two-series' | 'reversed-order'>, RegExp> = {
  'missing-slice': /missing|gap/i,
  'uneven-spacing': /spacing/i,
  'gantry-tilt': /tilt/i,
  'truncated-file': /truncat|ends early/i,
  'non-dicom-file': /not a DICOM/i,
  'mr-series': /not a CT|MR/i,
};

test.describe('loading', () => {
  test.skip(!existsSync(GOOD), 'real CT DICOM not written (see e2e/globalSetup.ts)');

  test('files dropped on the page open, with a progress bar while loading', async ({ page }) => {
    await page.goto('/?sample=none&no3d=1');
    await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
    await dropFiles(page, filesIn(GOOD));
    await expect(page.locator('#app')).toHaveAttribute('data-load-attempt', '1');
    const state = await waitForLoad(page, 1);
    expect(state['loadOutcome']).toBe('shown');
    expect(state['state']).toBe('ready');
    await waitForAnatomy(page, 'axial');
    await expect(page.locator('.progress-panel')).toBeHidden();
  });

  for (const [name, pattern] of Object.entries(EXPECTED) as [keyof typeof EXPECTED, RegExp][]) {
    test(`${name}: shows what it means and keeps the open volume`, async ({ page }) => {
      const dir = brokenCaseDir(name);
      test.skip(dir === null, `no ${name} input generated`);
      const good = await openGood(page);
      const pixels = await canvasStats(page, 'axial');
      await openFilesWithChooser(page, filesIn(dir!));
      // Either the load is refused outright, or it needs confirmation because of warnings: decline.
      const dialog = page.locator('[data-testid="confirm-warnings"]');
      const settled = page.locator('#app[data-load-settled="2"]');
      await expect(dialog.or(settled)).toBeVisible();
      if (await dialog.isVisible()) {
        await expect(dialog).toContainText(pattern);
        await screenshot(page, `loading-${name}-confirm`);
        await dialog.locator('[data-action="keep"]').click();
      }
      const state = await waitForLoad(page, 2);
      expect(state['loadOutcome']).toBe('rejected');
      expect(state['state']).toBe('ready');
      expect(state['seriesUid']).toBe(good['seriesUid']);
      expect(state['volumeId']).toBe(good['volumeId']);
      const banner = page.locator('[data-testid="issue-banner"]');
      await expect(banner).toBeVisible();
      await expect(banner).toContainText(pattern);
      await expect(banner).toContainText('already open is kept');
      await screenshot(page, `loading-${name}`);
      // The image is still the one that was open (once the banner is dismissed the views have their old size).
      await banner.locator('.banner-close').click();
      await expect(banner).toBeHidden();
      await expect.poll(async () => (await canvasStats(page, 'axial')).checksum).toBe(pixels.checksum);
    });
  }

  test('a drop with two series asks which to open; cancel keeps the open one, a choice opens it', async ({ page }) => {
    const dir = brokenCaseDir('two-series');
    test.skip(dir === null, 'no two-series input generated');
    const good = await openGood(page);
    await openFilesWithChooser(page, filesIn(dir!));
    const chooser = page.locator('[data-testid="series-chooser"]');
    await expect(chooser).toBeVisible();
    await expect(chooser.locator('[data-series-uid]')).toHaveCount(2);
    await screenshot(page, 'loading-two-series-chooser');
    await chooser.locator('[data-action="cancel"]').click();
    let state = await waitForLoad(page, 2);
    expect(state['loadOutcome']).toBe('rejected');
    expect(state['seriesUid']).toBe(good['seriesUid']);

    await openFilesWithChooser(page, filesIn(dir!));
    await expect(chooser).toBeVisible();
    const second = chooser.locator('[data-series-uid]').nth(1);
    const key = await second.getAttribute('data-series-uid');
    await second.click();
    state = await waitForLoad(page, 3);
    expect(state['loadOutcome']).toBe('shown');
    expect(state['seriesUid']).toBe(key);
    await waitForAnatomy(page, 'axial');
  });

  test('slices stored in reverse order open exactly like the same series in order', async ({ page }) => {
    // Our own reversed copy of the good series: the picture must be identical to it.
    const dir = brokenCaseDir('reversed-order', 'own');
    test.skip(dir === null, 'no reversed-order input generated');
    const good = await openGood(page);
    const pixels = await canvasStats(page, 'axial');
    await openFilesWithChooser(page, filesIn(dir!));
    const dialog = page.locator('[data-testid="confirm-warnings"]');
    const settled = page.locator('#app[data-load-settled="2"]');
    await expect(dialog.or(settled)).toBeVisible();
    if (await dialog.isVisible()) await dialog.locator('[data-action="open-anyway"]').click();
    const state = await waitForLoad(page, 2);
    expect(state['loadOutcome']).toBe('shown');
    expect(state['seriesUid']).not.toBe(good['seriesUid']);
    for (const key of ['sliceAxial', 'sliceCountAxial', 'crosshairLps', 'window']) expect(state[key], key).toBe(good[key]);
    // Same voxels in the same place: the same picture.
    await expect.poll(async () => (await canvasStats(page, 'axial')).checksum).toBe(pixels.checksum);
  });

  test('the phantom series with its files in reverse order opens without a blocking finding', async ({ page }) => {
    const dir = brokenCaseDir('reversed-order');
    test.skip(dir === null || !dir.includes('sample-dicom'), 'no phantom reversed-order input');
    await page.goto('/?sample=none&no3d=1');
    await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
    await openFolderWithChooser(page, dir!);
    const state = await waitForLoad(page, 1);
    expect(state['loadOutcome'], (await page.locator('[data-testid="issue-banner"]').textContent()) ?? '').toBe('shown');
    await waitForAnatomy(page, 'axial');
  });
});
