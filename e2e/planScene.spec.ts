/**
 * The three.js plan scene in the 3D cell, on the bundled sample
 * (sacralAla-medium): the bone surface appears once the session has bone
 * labels, a mouse drag orbits, a screw put into the plan store is drawn, a
 * click on it selects it in the store, and the clip plane cuts the bone.
 * Waits on the app's data-* state and on pixels, never on time.
 */
import { expect, test, type Page } from '@playwright/test';
import { join } from 'node:path';
import { ARTIFACTS, appData, openApp } from './support/app';
import { drawnHandleCenter } from './support/screwDrag';

type Vec3 = [number, number, number];
type SceneHook = {
  projectToPage(p: Vec3): { x: number; y: number } | null;
  setScrews(screws: unknown[]): void;
  selected(): string | null;
  drawnScrews(): { id: string; entryLps: Vec3; tipLps: Vec3 }[];
  renderCount(): number;
};
type PlanHook = {
  state(): { plan: { catalog: { screws: { id: string; diameterMm: number }[] }; screws: { id: string; entryLps: Vec3; tipLps: Vec3 }[] } | null };
  setCrosshair(p: Vec3): void;
};

type ScenePixels = {
  width: number;
  height: number;
  /** Fraction of bone-coloured (lit ivory) pixels in the central half of the view. */
  boneCentre: number;
  checksum: number;
  /** RGBA bytes of the whole canvas (for local differences). */
  rgba: number[];
};

/** Reads the plan scene's WebGL canvas (drawing buffer kept under VITE_E2E). */
async function scenePixels(page: Page): Promise<ScenePixels> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-scene="plan"] canvas')!;
    const c2 = document.createElement('canvas');
    c2.width = canvas.width;
    c2.height = canvas.height;
    const ctx = c2.getContext('2d')!;
    ctx.drawImage(canvas, 0, 0);
    const { data } = ctx.getImageData(0, 0, c2.width, c2.height);
    let bone = 0, centre = 0, checksum = 0;
    for (let y = 0; y < c2.height; y++) {
      for (let x = 0; x < c2.width; x++) {
        const p = 4 * (x + y * c2.width);
        const r = data[p]!, g = data[p + 1]!, b = data[p + 2]!;
        checksum = (checksum * 31 + r + 7 * g + 13 * b) >>> 0;
        if (x < c2.width / 4 || x > (3 * c2.width) / 4 || y < c2.height / 4 || y > (3 * c2.height) / 4) continue;
        centre++;
        // Lit ivory: warm (r >= g >= b), not grey, not saturated like the status colours.
        if (r > 60 && r >= g && g >= b && r - b > 10 && r - b < 120 && g > 0.75 * r) bone++;
      }
    }
    return { width: c2.width, height: c2.height, boneCentre: bone / centre, checksum, rgba: Array.from(data) };
  });
}

/** Pixels that differ (sum of |dRGB| > 60) between two frames inside a box around (cx, cy) in canvas px. */
function changedAround(a: ScenePixels, b: ScenePixels, cx: number, cy: number, half: number): number {
  let n = 0;
  for (let y = Math.max(0, Math.round(cy - half)); y < Math.min(a.height, cy + half); y++) {
    for (let x = Math.max(0, Math.round(cx - half)); x < Math.min(a.width, cx + half); x++) {
      const p = 4 * (x + y * a.width);
      if (Math.abs(a.rgba[p]! - b.rgba[p]!) + Math.abs(a.rgba[p + 1]! - b.rgba[p + 1]!) + Math.abs(a.rgba[p + 2]! - b.rgba[p + 2]!) > 60) n++;
    }
  }
  return n;
}

async function cellShot(page: Page, name: string): Promise<void> {
  await page.locator('[data-cell="volume3d"]').screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

test('plan scene: bone surface, orbit, a screw from the store, click to select, clip plane', async ({ page }) => {
  // A ceiling for a hung run on the shared machine (SwiftShader, other suites running), not pacing.
  test.setTimeout(600_000);
  const state = await openApp(page);
  expect(state['state']).toBe('ready');
  const root = page.locator('#app');
  // The session segments the bone, the worker builds the surface, the plan scene becomes the default.
  await expect(root).toHaveAttribute('data-scene-ready', '1', { timeout: 240_000 });
  await expect(root).toHaveAttribute('data-scene-mode', 'plan');
  const triangles = Number((await appData(page))['sceneTriangles']);
  expect(triangles).toBeGreaterThan(5_000);
  expect(triangles).toBeLessThanOrEqual(300_000);
  await expect(page.locator('[data-testid="scene-mode-plan"]')).toHaveAttribute('aria-pressed', 'true');
  // AP view: the patient's left (L) on the screen's right.
  await expect(page.locator('[data-scene="plan"] [data-orient="right"]')).toHaveText('L');
  await expect(page.locator('[data-scene="plan"] [data-orient="top"]')).toHaveText('S');

  let ap!: ScenePixels;
  await expect.poll(async () => (ap = await scenePixels(page)).boneCentre, { message: 'bone-coloured pixels in the centre of the AP view' }).toBeGreaterThan(0.08);
  await cellShot(page, 'plan-scene-ap');

  const box = (await page.locator('[data-scene="plan"]').boundingBox())!;
  // The lesion (one click's growing, through the session: set-up here, the lesion tool has its own
  // tests) appears in red-orange once the worker has meshed the new label generation.
  const lesionLps: Vec3 = [40, 9.964, -6.272]; // truth.json lesion centre
  const grown = await page.evaluate(async (seed) => {
    const session = (globalThis as unknown as { __planner: { session: { growLesion(p: Vec3): Promise<{ status: string }>; getStatus(): { labelsGeneration: number } } } }).__planner.session;
    const result = await session.growLesion(seed);
    return { status: result.status, generation: session.getStatus().labelsGeneration };
  }, lesionLps);
  expect(grown.status).not.toBe('leak');
  await expect(root).toHaveAttribute('data-scene-lesion-generation', String(grown.generation));
  const lesionPage = (await page.evaluate((p) => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.projectToPage(p), lesionLps))!;
  const s0 = ap.width / box.width;
  let withLesion!: ScenePixels;
  await expect
    .poll(async () => changedAround(ap, (withLesion = await scenePixels(page)), (lesionPage.x - box.x) * s0, (lesionPage.y - box.y) * s0, 10 * s0))
    .toBeGreaterThan(20);
  await cellShot(page, 'plan-scene-lesion');
  ap = withLesion;

  // Orbit: a horizontal drag turns the view.
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let s = 1; s <= 8; s++) await page.mouse.move(cx + s * 18, cy + s * 4);
  await page.mouse.up();
  let oblique!: ScenePixels;
  await expect.poll(async () => (oblique = await scenePixels(page)).checksum).not.toBe(ap.checksum);
  expect(oblique.boneCentre).toBeGreaterThan(0.05);
  await expect(page.locator('[data-scene="plan"] [data-orient="right"]')).not.toHaveText('L');
  await cellShot(page, 'plan-scene-oblique');
  // Back to the AP view for the screw.
  await page.locator('[data-testid="scene-reset"]').click();
  await expect(page.locator('[data-scene="plan"] [data-orient="right"]')).toHaveText('L');

  // A left S1 iliosacral screw along the phantom's corridor axis (truth.json), set through the store.
  const entryLps: Vec3 = [74.943, 13.887, -6.394];
  const tipLps: Vec3 = [-5.027, 9.695, -2.203];
  const spec = await page.evaluate(() => {
    const plan = (globalThis as unknown as { __planner: { plan: PlanHook } }).__planner.plan.state().plan;
    return plan ? plan.catalog.screws[0]! : null;
  });
  expect(spec, 'a plan is open for the series').not.toBeNull();
  const before = await scenePixels(page);
  const lengthMm = Math.hypot(entryLps[0] - tipLps[0], entryLps[1] - tipLps[1], entryLps[2] - tipLps[2]);
  await page.evaluate(
    (screw) => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.setScrews([screw]),
    { id: 'e2e-s1-left', corridorId: 'iliosacralS1', side: 'left', entryLps, tipLps, diameterMm: spec!.diameterMm, lengthMm, catalogId: spec!.id, skinEntryLps: null },
  );
  await expect(root).toHaveAttribute('data-scene-screws', '1');
  const mid: Vec3 = [(entryLps[0] + tipLps[0]) / 2, (entryLps[1] + tipLps[1]) / 2, (entryLps[2] + tipLps[2]) / 2];
  const midPage = (await page.evaluate((p) => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.projectToPage(p), mid))!;
  expect(midPage).not.toBeNull();
  // The screw is drawn where the store puts it: pixels change around its projected midpoint.
  const scale = before.width / box.width;
  const mx = (midPage.x - box.x) * scale, my = (midPage.y - box.y) * scale;
  let withScrew!: ScenePixels;
  await expect.poll(async () => changedAround(before, (withScrew = await scenePixels(page)), mx, my, 12 * scale)).toBeGreaterThan(30);
  // Away from the screw (a corner of the view) nothing changed.
  expect(changedAround(before, withScrew, 10 * scale, 10 * scale, 8 * scale)).toBe(0);
  await cellShot(page, 'plan-scene-screw');

  // A click on the screw selects it in the store.
  expect(await page.evaluate(() => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.selected())).toBeNull();
  await page.mouse.click(midPage.x, midPage.y);
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.selected()))
    .toBe('e2e-s1-left');
  await expect(root).toHaveAttribute('data-scene-selected', 'e2e-s1-left');
  const selected = await scenePixels(page);
  await cellShot(page, 'plan-scene-selected');

  // Clip plane through the selected screw's axis: the bone in front of it is cut away.
  // (The trajectory strip opened with the selection: the 3D cell moved and resized.)
  const box2 = (await page.locator('[data-scene="plan"]').boundingBox())!;
  const mid2 = (await page.evaluate((p) => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.projectToPage(p), mid))!;
  await page.locator('[data-testid="scene-clip"]').click();
  await expect(root).toHaveAttribute('data-scene-clip', '1');
  let clipped!: ScenePixels;
  await expect.poll(async () => (clipped = await scenePixels(page)).checksum).not.toBe(selected.checksum);
  const scale2 = clipped.width / box2.width;
  expect(changedAround(selected, clipped, (mid2.x - box2.x) * scale2, (mid2.y - box2.y) * scale2, 60 * scale2)).toBeGreaterThan(200);
  await cellShot(page, 'plan-scene-clip');
  await page.locator('[data-testid="scene-clip"]').click();
  await expect(root).toHaveAttribute('data-scene-clip', '0');

  // Drag the screw's tip in the axial view: the 3D scene follows only at rest during a drag (the
  // status never waits for a 3D frame) and draws the final position once the drag has ended.
  await page.evaluate((p) => (globalThis as unknown as { __planner: { plan: PlanHook } }).__planner.plan.setCrosshair(p), tipLps);
  // Pressed where the handle is drawn once the layer has been redrawn for the crosshair's camera move.
  const hc = await drawnHandleCenter(page, 'axial', 'e2e-s1-left', 'tip');
  const beforeDrag = await scenePixels(page);
  await page.mouse.move(hc.x, hc.y);
  await page.mouse.down();
  const storeTip = async (): Promise<Vec3> =>
    page.evaluate(() => (globalThis as unknown as { __planner: { plan: PlanHook } }).__planner.plan.state().plan!.screws.find((x) => x.id === 'e2e-s1-left')!.tipLps);
  const drawnTip = async (): Promise<Vec3 | null> =>
    page.evaluate(() => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.drawnScrews().find((x) => x.id === 'e2e-s1-left')?.tipLps ?? null);
  for (let k = 1; k <= 10; k++) await page.mouse.move(hc.x + 3 * k, hc.y + 2 * k);
  await cellShot(page, 'plan-scene-drag-in-progress');
  // Holding the button still, the scene comes to draw the screw where the drag has put it (it follows at rest).
  const heldTip = await storeTip();
  expect(Math.hypot(heldTip[0] - tipLps[0], heldTip[1] - tipLps[1], heldTip[2] - tipLps[2]), 'the held drag moved the tip').toBeGreaterThan(2);
  await expect.poll(drawnTip, { message: 'the 3D frame follows the held screw at rest' }).toEqual(heldTip);
  await cellShot(page, 'plan-scene-drag-held-still');
  await page.mouse.up();
  const finalTip = await storeTip();
  expect(Math.hypot(finalTip[0] - tipLps[0], finalTip[1] - tipLps[1], finalTip[2] - tipLps[2]), 'the drag moved the tip').toBeGreaterThan(2);
  await expect.poll(drawnTip, { message: 'the last 3D frame shows the final tip' }).toEqual(finalTip);
  // ...and the pixels moved with it: around the final tip the frame differs from before the drag.
  const tipPage = (await page.evaluate((p) => (globalThis as unknown as { __planner: { scene: SceneHook } }).__planner.scene.projectToPage(p), finalTip))!;
  const s3 = beforeDrag.width / box2.width;
  await expect.poll(async () => changedAround(beforeDrag, await scenePixels(page), (tipPage.x - box2.x) * s3, (tipPage.y - box2.y) * s3, 10 * s3)).toBeGreaterThan(10);
  await cellShot(page, 'plan-scene-after-drag');
  // A click away from every screw clears the selection.
  await page.mouse.click(box2.x + 20, box2.y + box2.height - 20);
  await expect(root).toHaveAttribute('data-scene-selected', '');

  // The switch goes back to the volume rendering.
  await page.locator('[data-testid="scene-mode-volume"]').click();
  await expect(root).toHaveAttribute('data-scene-mode', 'volume');
  await expect(page.locator('[data-scene="plan"]')).toBeHidden();
});
