/**
 * The Cornerstone 3D volume viewport while the plan scene covers it (issue
 * #6): in plan mode the 3D element is out of the layout, so a resize of the
 * view cells (which goes through Cornerstone's engine.resize: every viewport
 * of the engine) must not ray cast it (seconds of readPixels on a software
 * rasteriser); back in volume mode it shows the same picture (same camera,
 * preset and volume), and after a series loaded while it was hidden it shows
 * that series. Counts the renders (IMAGE_RENDERED of each view element) and
 * compares pixels; waits on the app's state and on renders, never on time.
 */
import { expect, test, type Page } from '@playwright/test';
import { canvasStats, filesIn, openApp, openFilesWithChooser, screenshot, waitForAnatomy, waitForLoad, type ViewName } from './support/app';
import { resolve } from 'node:path';

const VIEWS: readonly ViewName[] = ['axial', 'sagittal', 'coronal', 'volume3d'];
type Renders = Record<ViewName, number>;

/** Starts counting Cornerstone's IMAGE_RENDERED events per view element (from zero). */
async function countRenders(page: Page): Promise<void> {
  await page.evaluate((views) => {
    const w = globalThis as unknown as { __renders?: Record<string, number> };
    if (!w.__renders) {
      w.__renders = {};
      for (const v of views) {
        document.querySelector(`[data-view="${v}"]`)!.addEventListener('CORNERSTONE_IMAGE_RENDERED', () => {
          w.__renders![v] = (w.__renders![v] ?? 0) + 1;
        });
      }
    }
    for (const v of views) w.__renders[v] = 0;
  }, VIEWS);
}

async function renders(page: Page): Promise<Renders> {
  return page.evaluate((views) => {
    const r = (globalThis as unknown as { __renders: Record<string, number> }).__renders;
    return Object.fromEntries(views.map((v) => [v, r[v] ?? 0])) as Renders;
  }, VIEWS);
}

/** Width of a view's canvas and of its element in device px (Cornerstone sizes the canvas to the element). */
async function canvasMatchesElement(page: Page, view: ViewName): Promise<boolean> {
  return page.evaluate((v) => {
    const el = document.querySelector<HTMLElement>(`[data-view="${v}"]`)!;
    const canvas = el.querySelector('canvas')!;
    return el.clientWidth > 0 && Math.abs(canvas.width - Math.round(el.clientWidth * devicePixelRatio)) <= 1;
  }, view);
}

/** Resolves after two animation frames of the page: a render Cornerstone flagged before has run. */
async function afterFrames(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));
}

/** Resizes the window and waits until the axial view was resized and rendered at the new size. */
async function resizeAndWaitForAxial(page: Page, width: number, height: number): Promise<void> {
  const widthBefore = (await canvasStats(page, 'axial')).width;
  await countRenders(page);
  await page.setViewportSize({ width, height });
  await expect.poll(async () => (await canvasStats(page, 'axial')).width, { message: 'the axial canvas follows the window' }).not.toBe(widthBefore);
  await expect.poll(() => canvasMatchesElement(page, 'axial')).toBe(true);
  await expect.poll(async () => (await renders(page)).axial, { message: 'the axial view rendered at its new size' }).toBeGreaterThan(0);
}

test('plan mode: resizes do not render the hidden 3D volume viewport; it comes back with the same picture and orbit, and with a series loaded while hidden', async ({ page }) => {
  // A ceiling for a hung run on the shared machine (SwiftShader ray casts), not pacing.
  test.setTimeout(600_000);
  await page.setViewportSize({ width: 1600, height: 900 });
  const state = await openApp(page);
  expect(state['state']).toBe('ready');
  const root = page.locator('#app');
  const volumeElement = page.locator('[data-view="volume3d"]');
  await expect(root).toHaveAttribute('data-rendered3d', '1');
  const apView = await waitForAnatomy(page, 'volume3d');
  await screenshot(page, 'volume3d-hidden-1-volume-mode');

  // Plan mode: the scene covers the cell; the volume is invisible, its canvas out of the layout.
  await page.locator('[data-testid="scene-mode-plan"]').click();
  await expect(root).toHaveAttribute('data-scene-mode', 'plan');
  await expect(volumeElement).toBeHidden();

  // Window resizes in plan mode: the MPR views resize and render, the hidden 3D viewport does not.
  await resizeAndWaitForAxial(page, 1200, 700);
  expect((await renders(page)).volume3d, '3D renders during a plan-mode resize').toBe(0);
  await resizeAndWaitForAxial(page, 1600, 900);
  expect((await renders(page)).volume3d, '3D renders during a plan-mode resize').toBe(0);

  // Back to the volume rendering at the size it was drawn at: the same picture.
  await countRenders(page);
  await page.locator('[data-testid="scene-mode-volume"]').click();
  await expect(root).toHaveAttribute('data-scene-mode', 'volume');
  await expect(volumeElement).toBeVisible();
  await expect.poll(() => canvasMatchesElement(page, 'volume3d')).toBe(true);
  expect((await canvasStats(page, 'volume3d')).checksum, 'the 3D canvas shows the picture it had').toBe(apView.checksum);

  // It still renders when shown: a resize in volume mode ray casts it at the new size, and
  // back at the first size with the same camera, preset and volume it is the same picture.
  await resizeAndWaitForAxial(page, 1200, 700);
  await expect.poll(async () => (await renders(page)).volume3d, { message: 'the shown 3D view renders after a resize' }).toBeGreaterThan(0);
  await expect.poll(() => canvasMatchesElement(page, 'volume3d')).toBe(true);
  await waitForAnatomy(page, 'volume3d');
  await resizeAndWaitForAxial(page, 1600, 900);
  await expect.poll(async () => (await renders(page)).volume3d).toBeGreaterThan(0);
  await expect.poll(async () => (await canvasStats(page, 'volume3d')).checksum, { message: 'same camera, preset and volume: same picture' }).toBe(apView.checksum);

  // The user orbits the volume rendering (left drag: trackball), goes to the plan scene and back:
  // the orbited picture is still there, not ray cast again, and the next render keeps the orbit.
  await countRenders(page);
  const box3d = (await volumeElement.boundingBox())!;
  await page.mouse.move(box3d.x + box3d.width / 2, box3d.y + box3d.height / 2);
  await page.mouse.down();
  await page.mouse.move(box3d.x + box3d.width / 2 + 80, box3d.y + box3d.height / 2 + 20, { steps: 4 });
  await page.mouse.up();
  await expect.poll(async () => (await renders(page)).volume3d, { message: 'the orbit rendered' }).toBeGreaterThan(0);
  await expect.poll(async () => (await canvasStats(page, 'volume3d')).checksum, { message: 'the orbit changed the picture' }).not.toBe(apView.checksum);
  await afterFrames(page);
  const orbited = await waitForAnatomy(page, 'volume3d');
  await page.locator('[data-testid="scene-mode-plan"]').click();
  await expect(volumeElement).toBeHidden();
  await countRenders(page);
  await page.locator('[data-testid="scene-mode-volume"]').click();
  await expect(volumeElement).toBeVisible();
  await expect.poll(() => canvasMatchesElement(page, 'volume3d')).toBe(true);
  await afterFrames(page);
  expect((await canvasStats(page, 'volume3d')).checksum, 'the orbited picture is back').toBe(orbited.checksum);
  // A frame of the MPR views (a crosshair move renders them) passes before the count is read.
  await page.locator('[data-view="axial"]').click({ position: { x: 200, y: 150 } });
  await expect.poll(async () => (await renders(page)).axial).toBeGreaterThan(0);
  expect((await renders(page)).volume3d, 'nothing to ray cast again on the way back').toBe(0);
  await screenshot(page, 'volume3d-hidden-2-orbited-back-to-volume');

  // A series loaded while the 3D view is hidden, at the size its canvas was last drawn at:
  // nothing but the new content asks for a render when it is shown again.
  await page.locator('[data-testid="scene-mode-plan"]').click();
  await expect(root).toHaveAttribute('data-scene-mode', 'plan');
  await countRenders(page);
  const contentBefore = Number(await volumeElement.getAttribute('data-volume3d-content'));
  expect(await volumeElement.getAttribute('data-volume3d-drawn')).toBe(String(contentBefore));
  const attempt = Number(state['loadSettled']) + 1;
  await openFilesWithChooser(page, filesIn(resolve(import.meta.dirname ?? '.', '../sample-dicom/out/sacralAla-medium/dicom')));
  const second = await waitForLoad(page, attempt);
  expect(second['state']).toBe('ready');
  await waitForAnatomy(page, 'axial');
  await expect(root).toHaveAttribute('data-scene-mode', 'plan');
  // The viewer set the new series up in the hidden 3D viewport (volume, preset, camera), and did not draw it.
  await expect(volumeElement).toHaveAttribute('data-volume3d-content', String(contentBefore + 1));
  expect((await renders(page)).volume3d, 'no 3D render while hidden, even for a new series').toBe(0);
  expect(await volumeElement.getAttribute('data-volume3d-drawn')).toBe(String(contentBefore));
  await page.locator('[data-testid="scene-mode-volume"]').click();
  await expect.poll(async () => (await renders(page)).volume3d, { message: 'the new series is ray cast when the 3D view is shown' }).toBeGreaterThan(0);
  await expect(volumeElement).toHaveAttribute('data-volume3d-drawn', String(contentBefore + 1));
  await afterFrames(page);
  const newSeries = await waitForAnatomy(page, 'volume3d');
  // The new series with its camera reset (AP view), not the old one's orbited picture.
  expect(newSeries.checksum).not.toBe(orbited.checksum);
  await screenshot(page, 'volume3d-hidden-3-new-series');

  // The window resized while hidden: shown again, it is resized and ray cast at the new size.
  await page.locator('[data-testid="scene-mode-plan"]').click();
  await resizeAndWaitForAxial(page, 1200, 700);
  expect((await renders(page)).volume3d).toBe(0);
  await page.locator('[data-testid="scene-mode-volume"]').click();
  await expect.poll(async () => (await renders(page)).volume3d, { message: 'shown after a resize, the 3D view renders at its new size' }).toBeGreaterThan(0);
  await expect.poll(() => canvasMatchesElement(page, 'volume3d')).toBe(true);
  await waitForAnatomy(page, 'volume3d');
  await screenshot(page, 'volume3d-hidden-4-shown-after-resize');
});
