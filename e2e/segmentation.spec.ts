/**
 * Segmentation UI: one real mouse click grows the lesion (Dice against the
 * phantom's labels.nrrd), the overlay shows it, the brush and the eraser
 * change it by about a sphere, undo restores it exactly, a click on air is
 * refused with a message and loses nothing, and the structure panel lists
 * what was found (sacralAla and the dysmorphic sacrum).
 *
 * Points: the test puts the crosshair on an LPS point (hook), then clicks
 * where the crosshair lines cross in the axial view (read from the SVG the
 * viewer draws), so the click lands on that point through the app's own
 * canvas <-> LPS mapping.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { readNrrd } from '../src/core/io/nrrd';
import { sphereVoxelIndices } from '../src/core/segmentation/labelEdits';
import type { Volume } from '../src/core/volume/Volume';
import { appData, ARTIFACTS, crosshairPagePoint, openApp, screenshot, setCrosshair, waitForAnatomy } from './support/app';

const LESION = 7;
const OUT = resolve(import.meta.dirname ?? '.', '../sample-dicom/out');

type Vec3 = [number, number, number];
type Truth = { lesion: { centerLps: Vec3; volumeMl: number }; foramina: Array<{ id: string; centerLps: Vec3 }> };

function truthOf(caseId: string): { truth: Truth; labels: Volume<Uint8Array> } {
  const truth = JSON.parse(readFileSync(resolve(OUT, caseId, 'truth.json'), 'utf8')) as Truth;
  const labels = readNrrd(new Uint8Array(readFileSync(resolve(OUT, caseId, 'labels.nrrd')))).volume as Volume<Uint8Array>;
  return { truth, labels };
}

async function indicesOf(page: Page, label: number): Promise<number[]> {
  return page.evaluate((l) => (window as unknown as { __planner: { segmentation: { indicesOf(l: number): number[] } } }).__planner.segmentation.indicesOf(l), label);
}

/** Waits until every label edit sent so far has finished and `count` have been applied. */
async function waitForEdits(page: Page, count: number): Promise<void> {
  await expect(page.locator('#app')).toHaveAttribute('data-label-edits', String(count));
  await expect(page.locator('#app')).toHaveAttribute('data-label-busy', '0');
}

function dice(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  let both = 0;
  for (const t of a) if (b.has(t)) both++;
  return (2 * both) / (a.size + b.size);
}

function truthIndices(labels: Volume<Uint8Array>, label: number): Set<number> {
  const out = new Set<number>();
  for (let t = 0; t < labels.voxels.length; t++) if (labels.voxels[t] === label) out.add(t);
  return out;
}

/** Pixels of the lesion colour (magenta) in a view's canvas within `radiusPx` of a page point. */
async function lesionPixels(page: Page, view: string, at: { x: number; y: number }, radiusPx: number): Promise<number> {
  return page.evaluate(
    ({ v, p, r }) => {
      const canvas = document.querySelector<HTMLCanvasElement>(`[data-view="${v}"] canvas`)!;
      const rect = canvas.getBoundingClientRect();
      const sx = canvas.width / rect.width;
      const cx = (p.x - rect.left) * sx, cy = (p.y - rect.top) * sx, rr = r * sx;
      const ctx = canvas.getContext('2d')!;
      const x0 = Math.max(0, Math.floor(cx - rr)), y0 = Math.max(0, Math.floor(cy - rr));
      const w = Math.min(canvas.width - x0, Math.ceil(2 * rr)), h = Math.min(canvas.height - y0, Math.ceil(2 * rr));
      const { data } = ctx.getImageData(x0, y0, w, h);
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        const red = data[i]!, green = data[i + 1]!, blue = data[i + 2]!;
        // Magenta over grey: red and blue well above green.
        if (red - green > 60 && blue - green > 50) n++;
      }
      return n;
    },
    { v: view, p: at, r: radiusPx },
  );
}

/** The voxel centre nearest to `nearLps` (searched every second voxel) whose `radiusMm` sphere is all `label` in `labels`. */
function deepInside(labels: Volume<Uint8Array>, label: number, nearLps: Vec3, radiusMm: number): Vec3 {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  let best: Vec3 | null = null;
  let bestD = Infinity;
  for (let k = 0; k < nk; k += 2) for (let j = 0; j < nj; j += 2) for (let i = 0; i < ni; i += 2) {
    if (labels.voxels[i + ni * (j + nj * k)] !== label) continue;
    const p: Vec3 = [m[0]! * i + m[4]! * j + m[8]! * k + m[12]!, m[1]! * i + m[5]! * j + m[9]! * k + m[13]!, m[2]! * i + m[6]! * j + m[10]! * k + m[14]!];
    const d = Math.hypot(p[0] - nearLps[0], p[1] - nearLps[1], p[2] - nearLps[2]);
    if (d >= bestD) continue;
    if (Array.from(sphereVoxelIndices(labels, p, radiusMm)).every((t) => labels.voxels[t] === label)) {
      best = p;
      bestD = d;
    }
  }
  if (!best) throw new Error(`no ${radiusMm} mm sphere of label ${label} in the truth labels`);
  return best;
}

async function openSegmented(page: Page, caseId: string): Promise<void> {
  await openApp(page, `?sample=${caseId}&no3d=1`);
  await waitForAnatomy(page, 'axial');
  await expect(page.locator('#app')).toHaveAttribute('data-structures-found', /^\d+$/, { timeout: 120_000 });
  await expect(page.locator('#app')).toHaveAttribute('data-session-phase', /^(fields|ready)$/);
}

test.describe('segmentation', () => {
  test('one real click grows the lesion (Dice >= 0.90 against the phantom), the overlay shows it, a click on air loses nothing; structures are reviewed', async ({ page }) => {
    const { truth, labels: truthLabels } = truthOf('sacralAla-medium');
    await openSegmented(page, 'sacralAla-medium');
    expect(await indicesOf(page, LESION)).toHaveLength(0);

    // Real click at the truth lesion centre with the Lesion tool.
    await setCrosshair(page, truth.lesion.centerLps);
    await page.locator('[data-tool="lesionSeed"]').click();
    await expect(page.locator('#app')).toHaveAttribute('data-tool', 'lesionSeed');
    const centre = await crosshairPagePoint(page);
    await page.mouse.click(centre.x, centre.y);
    await waitForEdits(page, 1);
    await expect(page.locator('#app')).toHaveAttribute('data-lesion-status', 'ok');
    const grown = new Set(await indicesOf(page, LESION));
    const d = dice(grown, truthIndices(truthLabels, LESION));
    console.log(`lesion Dice ${d.toFixed(3)} (${grown.size} voxels; truth ${truthIndices(truthLabels, LESION).size})`);
    expect(d).toBeGreaterThanOrEqual(0.9);
    const volumeMl = Number((await appData(page))['lesionVolumeMl']);
    expect(Math.abs(volumeMl - truth.lesion.volumeMl) / truth.lesion.volumeMl).toBeLessThan(0.15);
    await expect(page.locator('[data-testid="seg-lesion"]')).toContainText(' ml');

    // The overlay shows lesion-coloured pixels around the click in the axial view; hiding the group removes them.
    await expect.poll(() => lesionPixels(page, 'axial', centre, 25), { message: 'lesion colour in the axial view' }).toBeGreaterThan(30);
    await screenshot(page, 'segmentation-lesion');
    await page.screenshot({ path: `${ARTIFACTS}/segmentation-lesion-axial.png`, clip: { x: centre.x - 80, y: centre.y - 80, width: 160, height: 160 } });
    await page.locator('[data-label-group="lesion"]').uncheck();
    await expect.poll(() => lesionPixels(page, 'axial', centre, 25), { message: 'lesion hidden' }).toBe(0);
    await page.locator('[data-label-group="lesion"]').check();
    await expect.poll(() => lesionPixels(page, 'axial', centre, 25)).toBeGreaterThan(30);

    // Clicks outside bone are refused with a message; nothing is lost. Soft tissue in front of the
    // sacrum (30 mm anterior of the lesion centre), then air beyond the image's edge.
    await setCrosshair(page, [truth.lesion.centerLps[0] - 40, truth.lesion.centerLps[1] - 30, truth.lesion.centerLps[2]]);
    const soft = await crosshairPagePoint(page);
    await page.mouse.click(soft.x, soft.y);
    await waitForEdits(page, 2);
    const message = page.locator('[data-testid="seg-lesion-message"]');
    await expect(message).toHaveAttribute('data-kind', /^(error|warning)$/);
    await expect(message).toContainText('Nothing changed');
    expect(new Set(await indicesOf(page, LESION))).toEqual(grown);
    const box = (await page.locator('[data-view="axial"]').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.06, box.y + box.height * 0.5);
    await waitForEdits(page, 3);
    await expect(message).toContainText('outside the image');
    expect(new Set(await indicesOf(page, LESION))).toEqual(grown);
    await expect(page.locator('#app')).toHaveAttribute('data-lesion-status', 'ok');
    await screenshot(page, 'segmentation-air-click');

    // Structures: every foramen found is listed as found; confirm one, then all.
    const found = Number((await appData(page))['structuresFound']);
    expect(found).toBeGreaterThanOrEqual(8);
    for (const f of truth.foramina) await expect(page.locator(`[data-structure="${f.id}"]`)).toHaveAttribute('data-state', 'found');
    await page.locator('[data-structure="foramenS1Left"] [data-action="structure-confirm"]').click();
    await expect(page.locator('[data-structure="foramenS1Left"]')).toHaveAttribute('data-state', 'confirmed');
    await page.locator('[data-action="structures-confirm-all"]').click();
    const rows = page.locator('[data-structure]');
    const states = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));
    expect(states.filter((s) => s === 'confirmed')).toHaveLength(found);
    const review = await page.evaluate(() => (window as unknown as { __planner: { segmentation: { review(): Array<{ id: string; status: string }> } } }).__planner.segmentation.review());
    expect(review.filter((r) => r.status === 'confirmed')).toHaveLength(found);
    await expect(page.locator('#app')).toHaveAttribute('data-structures-reviewed', found === 17 ? '1' : '0');
    await screenshot(page, 'segmentation-review');
  });

  test('the bone brush: the eraser takes bone out, the brush gives it back to the nearest part (the sacrum); the fields are rebuilt; undo restores', async ({ page }) => {
    const SACRUM = 1;
    const { truth, labels: truthLabels } = truthOf('sacralAla-medium');
    // With the 3D view: its bone surface is made again after bone edits.
    await openApp(page, '?sample=sacralAla-medium');
    await waitForAnatomy(page, 'axial');
    await expect(page.locator('#app')).toHaveAttribute('data-session-phase', 'ready', { timeout: 120_000 });
    await expect(page.locator('#app')).toHaveAttribute('data-scene-ready', '1', { timeout: 120_000 });
    const triangles0 = (await appData(page))['sceneTriangles'];
    const before = new Set(await indicesOf(page, SACRUM));

    // A point deep in the truth sacrum (its whole 4 mm sphere is sacrum), the nearest such to the lesion.
    const at = deepInside(truthLabels, SACRUM, truth.lesion.centerLps, 4);
    const sphere = new Set(sphereVoxelIndices(truthLabels, at, 4));
    await page.locator('[data-testid="brush-radius"]').fill('4');
    await page.locator('[data-brush-target="bone"]').click();
    await expect(page.locator('[data-brush-target="bone"]')).toHaveAttribute('aria-pressed', 'true');
    await expect(page.locator('[data-panel="segmentation"]')).toHaveAttribute('data-brush-edits', 'bone');
    // Painting bone shows the bone labels.
    await expect(page.locator('input[data-label-group="bone"]')).toBeChecked();
    await setCrosshair(page, at);
    const p = await crosshairPagePoint(page);

    // Bone eraser: the sphere's sacrum voxels go to background.
    await page.locator('[data-tool="eraser"]').click();
    const fields0 = Number((await appData(page))['fieldsGeneration']);
    let edits = Number((await appData(page))['labelEdits']);
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.up();
    await waitForEdits(page, ++edits);
    const afterErase = new Set(await indicesOf(page, SACRUM));
    const erased = [...before].filter((t) => !afterErase.has(t));
    console.log(`bone eraser: ${erased.length} sacrum voxels out (the 4 mm sphere holds ${sphere.size})`);
    expect(erased.length / sphere.size).toBeGreaterThan(0.8);
    expect(erased.every((t) => sphere.has(t))).toBe(true);
    expect([...afterErase].every((t) => before.has(t))).toBe(true);
    await expect(page.locator('[data-testid="seg-lesion-message"]')).toContainText(/Bone eraser: \u2212\d+\.\d+ ml sacrum/);
    await expect.poll(async () => Number((await appData(page))['fieldsGeneration']), { timeout: 60_000 }).toBeGreaterThan(fields0);
    // The 3D bone surface is made again with the hole (a cavity surface inside the sacrum: other triangles).
    await expect(page.locator('#app')).toHaveAttribute('data-scene-bone-edits', '1', { timeout: 120_000 });
    expect((await appData(page))['sceneTriangles']).not.toBe(triangles0);
    await screenshot(page, 'segmentation-bone-erased');

    // Bone brush at the same point: the nearest part is the sacrum; every erased voxel comes back, nothing beyond the sphere.
    await page.locator('[data-tool="brush"]').click();
    const fields1 = Number((await appData(page))['fieldsGeneration']);
    await page.mouse.move(p.x, p.y);
    await page.mouse.down();
    await page.mouse.up();
    await waitForEdits(page, ++edits);
    const afterBrush = new Set(await indicesOf(page, SACRUM));
    expect(erased.every((t) => afterBrush.has(t))).toBe(true);
    expect([...afterBrush].filter((t) => !before.has(t)).every((t) => sphere.has(t))).toBe(true);
    // Against the phantom's truth: what the brush labelled sacrum in the sphere is truth bone.
    const truthBone = [...afterBrush].filter((t) => sphere.has(t) && truthLabels.voxels[t] !== 0).length / [...afterBrush].filter((t) => sphere.has(t)).length;
    expect(truthBone).toBeGreaterThan(0.95);
    await expect(page.locator('[data-testid="seg-lesion-message"]')).toContainText(/Bone brush: \+\d+\.\d+ ml sacrum/);
    await expect.poll(async () => Number((await appData(page))['fieldsGeneration']), { timeout: 60_000 }).toBeGreaterThan(fields1);
    await screenshot(page, 'segmentation-bone-brush');

    // Undo twice: the brush's voxels gone, then the eraser's back: the original sacrum, voxel for voxel.
    const undo = page.locator('[data-action="labels-undo"]');
    await undo.click();
    await expect.poll(async () => (await indicesOf(page, SACRUM)).length).toBe(afterErase.size);
    await undo.click();
    await expect.poll(async () => new Set(await indicesOf(page, SACRUM))).toEqual(before);
    // ...and the 3D surface is the one of the start again.
    await expect(page.locator('#app')).toHaveAttribute('data-scene-bone-edits', '4', { timeout: 120_000 });
    expect((await appData(page))['sceneTriangles']).toBe(triangles0);
    // The next strokes edit the lesion again once Lesion is chosen.
    await page.locator('[data-brush-target="lesion"]').click();
    await expect(page.locator('[data-panel="segmentation"]')).toHaveAttribute('data-brush-edits', 'lesion');
  });

  test('brush and eraser change the lesion by about a sphere; undo restores the counts exactly', async ({ page }) => {
    const { truth, labels: truthLabels } = truthOf('sacralAla-medium');
    await openSegmented(page, 'sacralAla-medium');
    const before = new Set(await indicesOf(page, LESION));
    expect(before.size).toBe(0);

    // Brush: one dab (radius 4 mm) in the sacrum 18 mm above the truth lesion centre.
    const dabLps: Vec3 = [truth.lesion.centerLps[0], truth.lesion.centerLps[1], truth.lesion.centerLps[2] + 18];
    await page.locator('[data-testid="brush-radius"]').fill('4');
    await page.locator('[data-tool="brush"]').click();
    // Pixels per mm of the axial view, through the crosshair: 10 mm to the patient's left.
    await setCrosshair(page, [dabLps[0] + 10, dabLps[1], dabLps[2]]);
    const tenMm = await crosshairPagePoint(page);
    await setCrosshair(page, dabLps);
    const dabPoint = await crosshairPagePoint(page);
    const pxPerMm = Math.hypot(tenMm.x - dabPoint.x, tenMm.y - dabPoint.y) / 10;
    await page.mouse.move(dabPoint.x, dabPoint.y);
    await page.mouse.move(dabPoint.x + 1, dabPoint.y);
    const cursor = page.locator('[data-view="axial"] [data-brush-cursor] circle').first();
    await expect(cursor).toHaveAttribute('data-radius-px', /\d/);
    // The cursor circle is the sphere's radius (4 mm) at the view's zoom.
    const radiusPx = Number(await cursor.getAttribute('data-radius-px'));
    expect(Math.abs(radiusPx - 4 * pxPerMm) / (4 * pxPerMm)).toBeLessThan(0.05);
    await page.screenshot({ path: `${ARTIFACTS}/segmentation-brush-cursor.png`, clip: { x: dabPoint.x - 60, y: dabPoint.y - 60, width: 120, height: 120 } });
    await page.mouse.down();
    await page.mouse.up();
    await waitForEdits(page, 1);
    const afterBrush = new Set(await indicesOf(page, LESION));
    const sphere = sphereVoxelIndices(truthLabels, dabLps, 4).length;
    console.log(`brush added ${afterBrush.size} voxels; a 4 mm sphere holds ${sphere}`);
    expect(afterBrush.size / sphere).toBeGreaterThan(0.8);
    expect(afterBrush.size / sphere).toBeLessThan(1.25);
    await expect(page.locator('#app')).toHaveAttribute('data-lesion-volume-ml', /^[0-9.]+$/);

    // A stroke (drag) adds more, in one undo step.
    await page.mouse.move(dabPoint.x, dabPoint.y + 20);
    await page.mouse.down();
    await page.mouse.move(dabPoint.x + 8, dabPoint.y + 20, { steps: 2 });
    await page.mouse.up();
    await expect(page.locator('#app')).toHaveAttribute('data-label-busy', '0');
    const afterStroke = await indicesOf(page, LESION);
    expect(afterStroke.length).toBeGreaterThan(afterBrush.size + sphere * 0.5);

    // Eraser over the first dab removes it again.
    await page.locator('[data-tool="eraser"]').click();
    const edits = Number((await appData(page))['labelEdits']);
    await page.mouse.move(dabPoint.x, dabPoint.y);
    await page.mouse.down();
    await page.mouse.up();
    await waitForEdits(page, edits + 1);
    const afterErase = await indicesOf(page, LESION);
    expect(afterErase.length).toBeLessThanOrEqual(afterStroke.length - afterBrush.size * 0.8);

    // Undo (panel button, a whole stroke per click) restores each count exactly; redo re-applies.
    const undo = page.locator('[data-action="labels-undo"]');
    await undo.click();
    await expect(page.locator('#app')).toHaveAttribute('data-label-busy', '0');
    await expect.poll(async () => (await indicesOf(page, LESION)).length).toBe(afterStroke.length);
    await undo.click();
    await expect.poll(async () => (await indicesOf(page, LESION)).length).toBe(afterBrush.size);
    await page.keyboard.press('Control+Alt+z');
    await expect.poll(async () => (await indicesOf(page, LESION)).length).toBe(0);
    await expect(undo).toBeDisabled();
    await page.locator('[data-action="labels-redo"]').click();
    await expect.poll(async () => new Set(await indicesOf(page, LESION))).toEqual(afterBrush);
    await expect(page.locator('#app')).toHaveAttribute('data-label-busy', '0');

    await screenshot(page, 'segmentation-panel');
  });

  test('a lesion through both cortices of the thin ilium (supra-acetabular) is bridged from one click: Dice >= 0.90, nothing in the soft tissue beyond the true outline', async ({ page }) => {
    // Until 23 Nov this click reported a leak (nothing written); core/segmentation/growLesionBridge.ts
    // now bridges the destroyed cortex with the hull of the cavity's bare walls (node figures in
    // growLesion.phantomMedium.test.ts: small 0.901, medium 0.908).
    const { truth, labels: truthLabels } = truthOf('supraAcetabular-medium');
    await openSegmented(page, 'supraAcetabular-medium');
    await setCrosshair(page, truth.lesion.centerLps);
    await page.locator('[data-tool="lesionSeed"]').click();
    const p = await crosshairPagePoint(page);
    await page.mouse.click(p.x, p.y);
    await waitForEdits(page, 1);
    // Said as bridged, not plain 'segmented': the outline across the gap is drawn, not seen in the image.
    await expect(page.locator('#app')).toHaveAttribute('data-lesion-status', 'bridged');
    await expect(page.locator('[data-testid="status-session"]')).toContainText('outline bridged across destroyed cortex: check it', { timeout: 120_000 });
    const message = page.locator('[data-testid="seg-lesion-message"]');
    await expect(message).toContainText('not seen in the image');
    await expect(message).toHaveAttribute('data-kind', 'warning');
    console.log(`supra-acetabular click: ${await message.getAttribute('data-kind')}: ${(await message.textContent()) ?? ''}`);
    const grown = new Set(await indicesOf(page, LESION));
    const truthSet = truthIndices(truthLabels, LESION);
    const d = dice(grown, truthSet);
    // Grown voxels where the truth has no bone, and of them those that do not touch (26 neighbours)
    // the true bone or lesion: soft tissue beyond the partial-volume layer of the true outline.
    const [ni, nj, nk] = truthLabels.geometry.dims;
    const tv = truthLabels.voxels;
    let outsideBone = 0, beyond = 0;
    for (const t of grown) {
      if (tv[t] !== 0) continue;
      outsideBone++;
      const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
      let touches = false;
      for (let dk = -1; dk <= 1 && !touches; dk++) for (let dj = -1; dj <= 1 && !touches; dj++) for (let di = -1; di <= 1 && !touches; di++) {
        const a = i + di, b = j + dj, c = k + dk;
        if (a < 0 || b < 0 || c < 0 || a >= ni || b >= nj || c >= nk) continue;
        const l = tv[a + ni * (b + nj * c)]!;
        if ((l >= 1 && l <= 6) || l === LESION) touches = true;
      }
      if (!touches) beyond++;
    }
    console.log(`supra-acetabular lesion: Dice ${d.toFixed(3)}, ${grown.size} voxels (truth ${truthSet.size}), ${outsideBone} in truth soft tissue, ${beyond} beyond the one-voxel layer of the true outline`);
    expect(d).toBeGreaterThanOrEqual(0.9);
    expect(beyond).toBe(0);
    // The lesion shows in the axial view around the click.
    await expect.poll(() => lesionPixels(page, 'axial', p, 25), { message: 'lesion colour in the axial view' }).toBeGreaterThan(30);
    await screenshot(page, 'segmentation-supraacetabular-bridged');
  });

  test('cone-beam CT: the bone note says the threshold is from the image; a click gives a lesion, conservative or not, and says which', async ({ page }) => {
    // Issue #4: Dice >= 0.90 from one click on the CBCT phantom too, nothing in the soft tissue
    // (core/segmentation/growLesion.phantom.test.ts has the same case in node).
    // The session answers a click after the fields are rebuilt, which on the CBCT phantom and this
    // machine can take minutes: a higher ceiling (not a pace) for this test.
    test.setTimeout(420_000);
    const { truth, labels: truthLabels } = truthOf('sacralAlaCbct-medium');
    await openSegmented(page, 'sacralAlaCbct-medium');
    await expect(page.locator('[data-testid="seg-bone-note"]')).toContainText('Cone-beam CT');
    await setCrosshair(page, truth.lesion.centerLps);
    await page.locator('[data-tool="lesionSeed"]').click();
    const p = await crosshairPagePoint(page);
    await page.mouse.click(p.x, p.y);
    // The labels (and the status) arrive before the fields: wait on them, not on the click's answer.
    await expect(page.locator('#app')).toHaveAttribute('data-lesion-status', /^(ok|conservative)$/, { timeout: 300_000 });
    const status = (await appData(page))['lesionStatus'];
    const grown = new Set(await indicesOf(page, LESION));
    const truthSet = truthIndices(truthLabels, LESION);
    const d = dice(grown, truthSet);
    let inside = 0;
    for (const t of grown) if (truthSet.has(t)) inside++;
    const precision = inside / grown.size;
    // Grown voxels where the truth has no bone at all (soft tissue, canal, joint space).
    let outsideBone = 0;
    for (const t of grown) if (truthLabels.voxels[t] === 0) outsideBone++;
    console.log(`CBCT lesion: status ${status}, Dice ${d.toFixed(3)}, inside the true lesion ${(100 * precision).toFixed(1)}% of ${grown.size} voxels (truth ${truthSet.size}), ${outsideBone} outside the bone`);
    expect(['ok', 'conservative']).toContain(status);
    expect(outsideBone).toBeLessThanOrEqual(0.01 * grown.size);
    if (status === 'conservative') {
      // The panel flags it; a conservative core under-segments but must not leak out of the lesion.
      await expect(page.locator('[data-testid="seg-lesion"]')).toContainText('conservative core: check it');
      expect(precision).toBeGreaterThanOrEqual(0.9);
    } else {
      expect(d).toBeGreaterThanOrEqual(0.9);
    }
    await screenshot(page, 'segmentation-cbct');
  });

  test('the dysmorphic sacrum: the panel lists what was found and says plainly what was not', async ({ page }) => {
    await openSegmented(page, 'dysmorphic-medium');
    const found = Number((await appData(page))['structuresFound']);
    const status = await page.evaluate(() => {
      const s = (window as unknown as { __planner: { session: { getStatus(): { structures: { foramina: Array<{ id: string }> } | null; missingStructures: string[] } } } }).__planner.session.getStatus();
      return { foramina: s.structures?.foramina.map((f) => f.id) ?? [], missing: s.missingStructures };
    });
    console.log(`dysmorphic: ${found} structures found; foramina ${status.foramina.join(' ')}; missing ${status.missing.join(' ') || 'none'}`);
    expect(found).toBe(17 - status.missing.length);
    for (const id of status.foramina) await expect(page.locator(`[data-structure="${id}"]`)).toHaveAttribute('data-state', 'found');
    for (const id of status.missing) {
      await expect(page.locator(`[data-structure="${id}"]`)).toHaveAttribute('data-state', 'notFound');
      await expect(page.locator(`[data-structure="${id}"]`)).toContainText('clearance to it cannot be checked');
    }
    await screenshot(page, 'segmentation-dysmorphic');

    // Marking a found structure absent removes its model (one fewer found, row says so); undo puts it back.
    const row = page.locator('[data-structure="foramenS4Right"]');
    await row.locator('[data-action="structure-absent"]').click();
    await expect(row).toHaveAttribute('data-state', 'absent');
    await expect(page.locator('#app')).toHaveAttribute('data-structures-found', String(found - 1));
    await row.locator('[data-action="structure-reset"]').click();
    await expect(page.locator('#app')).toHaveAttribute('data-structures-found', String(found));
    await expect(row).toHaveAttribute('data-state', 'found');
  });
});
