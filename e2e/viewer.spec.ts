/**
 * The viewer on the bundled sample: four views with anatomy, linked
 * crosshair, scrolling, window presets and drag, length and angle.
 */
import { expect, test, type Page } from '@playwright/test';
import { appData, canvasStats, openApp, screenshot, viewPoint, waitForAnatomy } from './support/app';

/** Extra query of the app under test (E2E_QUERY=source=synthetic runs the viewer without the DICOM worker). */
const EXTRA = process.env['E2E_QUERY'] ?? '';
/** Only the first test renders 3D: software ray casting costs seconds per frame. */
const query = (with3d: boolean): string => `?${[EXTRA, with3d ? '' : 'no3d=1'].filter(Boolean).join('&')}`;

async function lps(page: Page): Promise<number[]> {
  return (await appData(page))['crosshairLps']!.split(',').map(Number);
}

test.describe('viewer', () => {
  test.beforeEach(async ({ page }, info) => {
    const state = await openApp(page, query(info.title.startsWith('opens the bundled sample')));
    expect(state['state'], `start-up load: ${await page.locator('[data-testid="issue-banner"]').textContent()}`).toBe('ready');
  });

  test('opens the bundled sample: all four views show anatomy, labelled L/R, A/P, S/I', async ({ page }) => {
    for (const view of ['axial', 'sagittal', 'coronal'] as const) await waitForAnatomy(page, view);
    await expect(page.locator('#app')).toHaveAttribute('data-rendered3d', '1');
    const s3d = await waitForAnatomy(page, 'volume3d');
    expect(s3d.nonBlack).toBeGreaterThan(0.05);
    const label = (view: string, side: string) => page.locator(`[data-overlay="${view}"] [data-orient="${side}"]`);
    await expect(label('axial', 'left')).toHaveText('R');
    await expect(label('axial', 'right')).toHaveText('L');
    await expect(label('axial', 'top')).toHaveText('A');
    await expect(label('axial', 'bottom')).toHaveText('P');
    await expect(label('coronal', 'top')).toHaveText('S');
    await expect(label('coronal', 'right')).toHaveText('L');
    await expect(label('sagittal', 'left')).toHaveText('A');
    await expect(label('sagittal', 'top')).toHaveText('S');
    // Patient and series overlay text.
    await expect(page.locator('[data-overlay="axial"] .corner-tl')).not.toBeEmpty();
    await expect(page.locator('[data-overlay="axial"] [data-role="slice"]')).toHaveText(/^Slice \d+ \/ \d+$/);
    const state = await appData(page);
    // Served cross-origin isolated: the voxels are a SharedArrayBuffer, and WebGL took them.
    expect(state['sharedMemory']).toBe('1');
    expect(state['seriesUid']).not.toBe('');
    expect(Number(state['sliceCountAxial'])).toBeGreaterThan(10);
    await screenshot(page, 'viewer-sample-1600x900');
  });

  test('the wheel scrolls one view; the others stay on their slice and their crosshair line follows', async ({ page }) => {
    await waitForAnatomy(page, 'axial');
    const before = await appData(page);
    const pixelsBefore = await canvasStats(page, 'axial');
    const p = await viewPoint(page, 'axial');
    await page.mouse.move(p.x, p.y);
    for (let n = 0; n < 4; n++) {
      await page.mouse.wheel(0, 100);
      await expect(page.locator('#app')).toHaveAttribute('data-slice-axial', String(Number(before['sliceAxial']) + n + 1));
    }
    const after = await appData(page);
    expect(after['sliceSagittal']).toBe(before['sliceSagittal']);
    expect(after['sliceCoronal']).toBe(before['sliceCoronal']);
    // The crosshair moved along the axial normal (z) only.
    const [x0, y0, z0] = before['crosshairLps']!.split(',').map(Number) as [number, number, number];
    const [x1, y1, z1] = after['crosshairLps']!.split(',').map(Number) as [number, number, number];
    expect([x1, y1]).toEqual([x0, y0]);
    expect(Math.abs(z1 - z0)).toBeGreaterThan(0);
    await expect.poll(async () => (await canvasStats(page, 'axial')).checksum).not.toBe(pixelsBefore.checksum);
    await page.mouse.wheel(0, -100);
    await expect(page.locator('#app')).toHaveAttribute('data-slice-axial', String(Number(before['sliceAxial']) + 3));
    // The keyboard scrolls the view under the mouse too.
    await page.keyboard.press('PageUp');
    await expect(page.locator('#app')).toHaveAttribute('data-slice-axial', String(Number(before['sliceAxial']) + 13));
    await page.keyboard.press('ArrowDown');
    await expect(page.locator('#app')).toHaveAttribute('data-slice-axial', String(Number(before['sliceAxial']) + 12));
  });

  test('a click with the crosshair tool moves the sagittal and coronal views to the clicked point', async ({ page }) => {
    await waitForAnatomy(page, 'axial');
    const before = await appData(page);
    const sagPixels = await canvasStats(page, 'sagittal');
    const p = await viewPoint(page, 'axial', 90, -50);
    await page.mouse.click(p.x, p.y);
    await expect(page.locator('#app')).not.toHaveAttribute('data-slice-sagittal', before['sliceSagittal']!);
    const after = await appData(page);
    expect(after['sliceCoronal']).not.toBe(before['sliceCoronal']);
    expect(after['sliceAxial']).toBe(before['sliceAxial']);
    const [x0, y0] = before['crosshairLps']!.split(',').map(Number) as [number, number];
    const [x1, y1] = after['crosshairLps']!.split(',').map(Number) as [number, number];
    // Right of centre on an axial view is the patient's left (+x); above is anterior (-y).
    expect(x1).toBeGreaterThan(x0 + 5);
    expect(y1).toBeLessThan(y0 - 5);
    await expect.poll(async () => (await canvasStats(page, 'sagittal')).checksum).not.toBe(sagPixels.checksum);
    await screenshot(page, 'viewer-crosshair-moved');
  });

  test('window presets and the W/L drag change the window of all three views', async ({ page }) => {
    await waitForAnatomy(page, 'axial');
    const bone = await canvasStats(page, 'coronal');
    await page.locator('[data-preset="softTissue"]').click();
    await expect(page.locator('#app')).toHaveAttribute('data-window', '400,40');
    await expect(page.locator('[data-overlay="coronal"] [data-role="window"]')).toHaveText('W 400  L 40');
    await expect.poll(async () => (await canvasStats(page, 'coronal')).checksum).not.toBe(bone.checksum);
    await page.locator('[data-tool="windowLevel"]').click();
    await expect(page.locator('#app')).toHaveAttribute('data-tool', 'windowLevel');
    const p = await viewPoint(page, 'axial');
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.move(p.x + 80, p.y + 40, { steps: 6 });
    await page.mouse.up();
    await expect(page.locator('#app')).not.toHaveAttribute('data-window', '400,40');
    const w = (await appData(page))['window']!;
    await expect(page.locator('[data-overlay="sagittal"] [data-role="window"]')).toHaveText(`W ${w.split(',')[0]}  L ${w.split(',')[1]}`);
  });

  test('length and angle measurements agree with the crosshair positions of the same screen points', async ({ page }) => {
    await waitForAnatomy(page, 'axial');
    // Length between a and b; angle d-e-f, away from the length's handles (a passive tool would grab them).
    const a = await viewPoint(page, 'axial', -120, 40);
    const b = await viewPoint(page, 'axial', 60, -30);
    const d = await viewPoint(page, 'axial', -100, -90);
    const e = await viewPoint(page, 'axial', 20, -110);
    const f = await viewPoint(page, 'axial', 110, 80);
    // World positions of the same screen points, read through the crosshair (our canvas-to-LPS path).
    // Crosshair clicks move the sagittal/coronal views, not the axial plane the tools draw on.
    const world: number[][] = [];
    for (const q of [a, b, d, e, f]) {
      await page.mouse.click(q.x, q.y);
      await expect.poll(async () => (await lps(page)).join(',')).not.toBe(world.at(-1)?.join(',') ?? '');
      world.push(await lps(page));
    }
    const [wa, wb, wd, we, wf] = world as [number[], number[], number[], number[], number[]];
    const dist = Math.hypot(wa[0]! - wb[0]!, wa[1]! - wb[1]!, wa[2]! - wb[2]!);

    const status = page.locator('[data-testid="status-measurement"]');
    await page.locator('[data-tool="length"]').click();
    await page.mouse.click(a.x, a.y);
    await page.mouse.click(b.x, b.y);
    await expect(status).toHaveText(/^Length: [\d.]+ mm$/);
    const length = Number((await status.textContent())!.match(/[\d.]+/)![0]);
    expect(Math.abs(length - dist)).toBeLessThan(1.5);

    // Angle: drag the first arm, then click the end of the second.
    await page.locator('[data-tool="angle"]').click();
    await page.mouse.move(d.x, d.y);
    await page.mouse.down();
    await page.mouse.move(e.x, e.y, { steps: 5 });
    await page.mouse.up();
    await page.mouse.move(f.x, f.y, { steps: 5 });
    await page.mouse.click(f.x, f.y);
    await expect(status).toHaveText(/^Angle: [\d.]+°$/);
    const angle = Number((await status.textContent())!.match(/[\d.]+/)![0]);
    const u = [0, 1, 2].map((i) => wd[i]! - we[i]!);
    const v = [0, 1, 2].map((i) => wf[i]! - we[i]!);
    const expected = (Math.acos((u[0]! * v[0]! + u[1]! * v[1]! + u[2]! * v[2]!) / (Math.hypot(...u) * Math.hypot(...v))) * 180) / Math.PI;
    expect(Math.abs(angle - expected)).toBeLessThan(1.5);
    await screenshot(page, 'viewer-measurements');
  });

  test('right-drag zooms and middle-drag pans the view without changing its slice', async ({ page }) => {
    await waitForAnatomy(page, 'coronal');
    const before = await appData(page);
    const p = await viewPoint(page, 'coronal');
    const drag = async (button: 'right' | 'middle', dx: number, dy: number): Promise<void> => {
      const start = await canvasStats(page, 'coronal');
      await page.mouse.move(p.x, p.y);
      await page.mouse.down({ button });
      await page.mouse.move(p.x + dx, p.y + dy, { steps: 6 });
      await page.mouse.up({ button });
      await expect.poll(async () => (await canvasStats(page, 'coronal')).checksum).not.toBe(start.checksum);
    };
    const zoomBefore = await canvasStats(page, 'coronal');
    // Cornerstone's zoom: dragging down zooms in.
    await drag('right', 0, 80);
    // Zoomed in: the body fills more of the view.
    expect((await canvasStats(page, 'coronal')).nonBlack).toBeGreaterThan(zoomBefore.nonBlack);
    await drag('middle', 120, 0);
    const after = await appData(page);
    expect(after['sliceCoronal']).toBe(before['sliceCoronal']);
    expect(after['crosshairLps']).toBe(before['crosshairLps']);
    await screenshot(page, 'viewer-zoom-pan');
  });

  test('fits a 1920 x 1080 workstation screen', async ({ page }) => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    // Half of what the side panel (planning panels) leaves: over 780 px a view.
    const sideWidth = (await page.locator('.side-panel').boundingBox())!.width;
    expect(sideWidth).toBeLessThanOrEqual(360);
    await expect.poll(async () => (await canvasStats(page, 'axial')).width).toBeGreaterThan(760);
    await waitForAnatomy(page, 'axial');
    await screenshot(page, 'viewer-1920x1080');
  });

  test('fits a 1280 x 800 screen: every view and the toolbar stay visible', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await expect.poll(async () => (await canvasStats(page, 'axial')).width).toBeLessThan(700);
    for (const view of ['axial', 'sagittal', 'coronal', 'volume3d'] as const) {
      const box = await page.locator(`[data-cell="${view}"]`).boundingBox();
      expect(box!.width).toBeGreaterThan(400);
      expect(box!.height).toBeGreaterThan(250);
      expect(box!.x + box!.width).toBeLessThanOrEqual(1280);
      expect(box!.y + box!.height).toBeLessThanOrEqual(800);
    }
    for (const sel of ['[data-action="open-folder"]', '[data-tool="angle"]', '[data-preset="cbctAuto"]', '[data-action="reset-views"]']) {
      const box = await page.locator(sel).boundingBox();
      expect(box!.x + box!.width, sel).toBeLessThanOrEqual(1280);
    }
    await waitForAnatomy(page, 'axial');
    await screenshot(page, 'viewer-1280x800');
  });
});

test('a cone-beam CT without HU calibration says so and gets a window from its own histogram', async ({ page }) => {
  const state = await openApp(page, `?${[EXTRA, 'sample=sacralAlaCbct-small', 'no3d=1'].filter(Boolean).join('&')}`);
  test.skip(state['loadOutcome'] !== 'shown' && /missing/.test((await page.locator('[data-testid="issue-banner"]').textContent()) ?? ''), 'CBCT sample not generated');
  expect(state['state']).toBe('ready');
  await expect(page.locator('[data-testid="issue-banner"]')).toContainText(/cone-beam/i);
  expect(state['issues']).toContain('not-hu-calibrated');
  // Not the CT bone window in HU: the histogram decided.
  expect(state['window']).not.toBe('1800,400');
  await waitForAnatomy(page, 'axial');
  await page.locator('[data-preset="bone"]').click();
  await expect(page.locator('#app')).toHaveAttribute('data-window', '1800,400');
  await page.locator('[data-preset="cbctAuto"]').click();
  await expect(page.locator('#app')).toHaveAttribute('data-window', state['window']!);
  await screenshot(page, 'viewer-cbct');
});
