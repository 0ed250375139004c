/**
 * Pressing a screw's handle with the real mouse, where the handle IS drawn.
 *
 * The screw layer of a view is redrawn after each frame of the view (a camera move is
 * followed by one, some time later on a loaded machine). A box read before that redraw
 * is where the handle was under the previous camera: a press there lands on the screw's
 * body (which drags the whole screw) or on nothing (the crosshair takes it). So the press
 * waits until the handle is drawn where the view's current projection puts the handle's
 * point of the plan: a geometric condition, not a time.
 */
import { expect, type Page } from '@playwright/test';

export type Vec3 = [number, number, number];
export type ScrewHandleName = 'entry' | 'tip';

type PlannerHook = {
  __planner: {
    viewer: { lpsToPage(view: string, p: Vec3): { x: number; y: number } | null };
    plan: { state(): { plan: { screws: Array<{ id: string; entryLps: Vec3; tipLps: Vec3 }> } | null } };
  };
};

/** The handle's point in the plan (LPS) now. */
export async function handleLps(page: Page, screwId: string, handle: ScrewHandleName): Promise<Vec3> {
  return page.evaluate(([id, which]) => {
    const s = (window as unknown as PlannerHook).__planner.plan.state().plan?.screws.find((x) => x.id === id);
    if (!s) throw new Error(`no screw ${id} in the plan`);
    return (which === 'entry' ? s.entryLps : s.tipLps) as Vec3;
  }, [screwId, handle] as const);
}

/**
 * Waits until the handle of `screwId` in `view` is drawn within `tolerancePx` of where the
 * view's current camera projects the plan's handle point, with the view's canvas at its
 * element's size (after a layout change, e.g. the trajectory strip opening, the viewer resizes
 * its canvases a frame or more later, and everything drawn moves then); returns that page point.
 */
export async function drawnHandleCenter(page: Page, view: string, screwId: string, handle: ScrewHandleName, tolerancePx = 1): Promise<{ x: number; y: number }> {
  const h = page.locator(`[data-screw-layer="${view}"] [data-screw-id="${screwId}"] [data-handle="${handle}"]`);
  let center: { x: number; y: number } | null = null;
  // The poll's value says how far apart they are (what a failure prints); 'drawn there' once they agree.
  await expect
    .poll(async () => {
      const box = await h.boundingBox();
      const at = await page.evaluate(([v, id, which]) => {
        const hook = (window as unknown as PlannerHook).__planner;
        const s = hook.plan.state().plan?.screws.find((x) => x.id === id);
        return s ? hook.viewer.lpsToPage(v, (which === 'entry' ? s.entryLps : s.tipLps) as Vec3) : null;
      }, [view, screwId, handle] as const);
      if (!box || !at) return `handle box ${box ? 'read' : 'absent'}, projection ${at ? 'read' : 'absent'}`;
      const resized = await canvasAtElementSize(page, view);
      if (resized !== true) return resized;
      center = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
      const d = Math.hypot(center.x - at.x, center.y - at.y);
      return d <= tolerancePx ? 'drawn there' : `drawn at (${center.x.toFixed(1)}, ${center.y.toFixed(1)}), projected at (${at.x.toFixed(1)}, ${at.y.toFixed(1)}): ${d.toFixed(1)} px apart`;
    }, { message: `the ${handle} handle of ${screwId} drawn where the ${view} view projects it` })
    .toBe('drawn there');
  return center!;
}

/**
 * Waits until the handle of `screwId` in `view` is drawn within `tolerancePx` of `pagePoint`
 * (for screws set straight on the overlay, not through the plan): the layer has been redrawn
 * for the view's current camera.
 */
export async function waitHandleDrawnAt(page: Page, view: string, screwId: string, handle: ScrewHandleName, pagePoint: { x: number; y: number }, tolerancePx = 1): Promise<void> {
  const h = page.locator(`[data-screw-layer="${view}"] [data-screw-id="${screwId}"] [data-handle="${handle}"]`);
  await expect
    .poll(async () => {
      const box = await h.boundingBox();
      if (!box) return 'handle absent';
      const resized = await canvasAtElementSize(page, view);
      if (resized !== true) return resized;
      const d = Math.hypot(box.x + box.width / 2 - pagePoint.x, box.y + box.height / 2 - pagePoint.y);
      return d <= tolerancePx ? 'drawn there' : `drawn ${d.toFixed(1)} px from (${pagePoint.x.toFixed(1)}, ${pagePoint.y.toFixed(1)})`;
    }, { message: `the ${handle} handle of ${screwId} drawn where the ${view} view projects it` })
    .toBe('drawn there');
}

/** True when the view's canvas has its element's size (the viewer's own test for a finished resize), else what differs. */
async function canvasAtElementSize(page: Page, view: string): Promise<true | string> {
  return page.evaluate((v) => {
    const el = document.querySelector<HTMLElement>(`[data-view="${v}"]`);
    const canvas = el?.querySelector('canvas');
    if (!el || !canvas) return `no canvas in the ${v} view`;
    const want = Math.round(el.clientWidth * devicePixelRatio);
    return Math.abs(canvas.width - want) <= 1 ? true : `the ${v} canvas is ${canvas.width} px wide, its element ${want} px: a resize is pending`;
  }, view);
}

/** The screw a drag is moving now, as the plan controller sees it (null: no drag). */
export async function draggingScrewId(page: Page): Promise<string | null> {
  return page.evaluate(() => (window as unknown as { __planner: { plan: { draggingScrewId(): string | null } } }).__planner.plan.draggingScrewId());
}

/** What is under a page point (for the message when a press was not taken by a handle). */
export async function elementAt(page: Page, p: { x: number; y: number }): Promise<string> {
  return page.evaluate(({ x, y }) => {
    const e = document.elementFromPoint(x, y);
    if (!e) return 'nothing';
    const attrs = ['data-handle', 'data-screw-id', 'data-part', 'data-view', 'class'].map((a) => (e.getAttribute(a) ? `${a}="${e.getAttribute(a)}"` : '')).filter(Boolean).join(' ');
    return `<${e.tagName.toLowerCase()} ${attrs}>`;
  }, p);
}
