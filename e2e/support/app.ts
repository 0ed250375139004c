/**
 * Helpers for driving the app: wait on its data-* state (never on time),
 * read pixel statistics off the view canvases, open files through the file
 * chooser or a synthetic drop, and save screenshots for a human to look at.
 */
import { readFileSync, statSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';

export type ViewName = 'axial' | 'sagittal' | 'coronal' | 'volume3d';
export const ARTIFACTS = resolve(import.meta.dirname ?? '.', '../artifacts');

export type AppData = Record<string, string>;

export async function appData(page: Page): Promise<AppData> {
  return page.evaluate(() => ({ ...(document.getElementById('app')!.dataset as Record<string, string>) }));
}

/** Opens the app and waits until its start-up load has settled (shown or rejected). */
export async function openApp(page: Page, query = ''): Promise<AppData> {
  await page.goto(`/${query}`);
  await expect(page.locator('#app')).toHaveAttribute('data-load-settled', /^[1-9]/);
  return appData(page);
}

/** Waits until load number `attempt` has settled, returns the state. */
export async function waitForLoad(page: Page, attempt: number): Promise<AppData> {
  await expect(page.locator('#app')).toHaveAttribute('data-load-settled', String(attempt));
  return appData(page);
}

export type CanvasStats = { width: number; height: number; nonBlack: number; mean: number; std: number; levels: number; checksum: number };

/** Luminance statistics of a view's canvas (Cornerstone draws into a 2D canvas per viewport). */
export async function canvasStats(page: Page, view: ViewName): Promise<CanvasStats> {
  return page.evaluate((v) => {
    const canvas = document.querySelector<HTMLCanvasElement>(`[data-view="${v}"] canvas`);
    if (!canvas || canvas.width === 0) return { width: 0, height: 0, nonBlack: 0, mean: 0, std: 0, levels: 0, checksum: 0 };
    const ctx = canvas.getContext('2d');
    if (!ctx) return { width: canvas.width, height: canvas.height, nonBlack: -1, mean: 0, std: 0, levels: 0, checksum: 0 };
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const seen = new Uint8Array(256);
    let sum = 0, sum2 = 0, nonBlack = 0, checksum = 0;
    const n = data.length / 4;
    for (let p = 0; p < n; p++) {
      const l = Math.round(0.299 * data[p * 4]! + 0.587 * data[p * 4 + 1]! + 0.114 * data[p * 4 + 2]!);
      sum += l;
      sum2 += l * l;
      if (l > 30) nonBlack++;
      seen[l] = 1;
      checksum = (checksum * 31 + l) >>> 0;
    }
    const mean = sum / n;
    let levels = 0;
    for (let i = 0; i < 256; i++) levels += seen[i]!;
    return { width: canvas.width, height: canvas.height, nonBlack: nonBlack / n, mean, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)), levels, checksum };
  }, view);
}

/** True when a canvas shows structured content rather than a flat or empty image. */
export function looksLikeAnatomy(s: CanvasStats): boolean {
  return s.width > 0 && s.nonBlack > 0.05 && s.std > 15 && s.levels > 24;
}

export async function waitForAnatomy(page: Page, view: ViewName): Promise<CanvasStats> {
  let last: CanvasStats | undefined;
  await expect
    .poll(async () => {
      last = await canvasStats(page, view);
      return looksLikeAnatomy(last);
    }, { message: `the ${view} view should show anatomy`, intervals: [100, 250, 500, 1000] })
    .toBe(true);
  return last!;
}

/** Opens files with the "Open files" chooser (hidden input). */
export async function openFilesWithChooser(page: Page, paths: string[]): Promise<void> {
  await page.locator('[data-testid="open-files-input"]').setInputFiles(paths);
}

/** Opens a folder with the "Open folder" chooser (webkitdirectory input). */
export async function openFolderWithChooser(page: Page, dir: string): Promise<void> {
  await page.locator('[data-testid="open-folder-input"]').setInputFiles(dir);
}

/** Drops files on the page as a user would (a DataTransfer with File objects). */
export async function dropFiles(page: Page, paths: string[]): Promise<void> {
  const files = paths.map((p) => ({ name: basename(p), base64: readFileSync(p).toString('base64') }));
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: 'application/dicom' }));
    }
    return dt;
  }, files);
  await page.dispatchEvent('#app', 'dragenter', { dataTransfer: transfer });
  await page.dispatchEvent('#app', 'dragover', { dataTransfer: transfer });
  await page.dispatchEvent('#app', 'drop', { dataTransfer: transfer });
}

export function filesIn(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesIn(p));
    else out.push(p);
  }
  return out;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** The centre of a view's element in page coordinates, offset by (dx, dy) px. */
export async function viewPoint(page: Page, view: ViewName, dx = 0, dy = 0): Promise<{ x: number; y: number }> {
  const box = await page.locator(`[data-view="${view}"]`).boundingBox();
  if (!box) throw new Error(`no ${view} view`);
  return { x: box.x + box.width / 2 + dx, y: box.y + box.height / 2 + dy };
}

/** Puts the crosshair (and every view's slice) on an LPS point through the segmentation test hook. */
export async function setCrosshair(page: Page, pointLps: [number, number, number]): Promise<void> {
  await page.evaluate((q) => (window as unknown as { __planner: { segmentation: { setCrosshair(p: [number, number, number]): void } } }).__planner.segmentation.setCrosshair(q), pointLps);
}

/** Page point where the sagittal and coronal crosshair lines cross in the axial view. */
export async function crosshairPagePoint(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('[data-view="axial"]')!;
    const line = (plane: string) => {
      const l = el.querySelector<SVGLineElement>(`.crosshair-layer line[data-plane="${plane}"]`)!;
      return ['x1', 'y1', 'x2', 'y2'].map((a) => Number(l.getAttribute(a))) as [number, number, number, number];
    };
    const [ax, ay, bx, by] = line('sagittal');
    const [cx, cy, dx, dy] = line('coronal');
    const den = (ax - bx) * (cy - dy) - (ay - by) * (cx - dx);
    const t = ((ax - cx) * (cy - dy) - (ay - cy) * (cx - dx)) / den;
    const r = el.getBoundingClientRect();
    return { x: r.left + ax + t * (bx - ax), y: r.top + ay + t * (by - ay) };
  });
}
