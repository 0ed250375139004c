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
 * view's current camera projects the plan's handle point; returns that page point.
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
      const d = Math.hypot(box.x + box.width / 2 - pagePoint.x, box.y + box.height / 2 - pagePoint.y);
      return d <= tolerancePx ? 'drawn there' : `drawn ${d.toFixed(1)} px from (${pagePoint.x.toFixed(1)}, ${pagePoint.y.toFixed(1)})`;
    }, { message: `the ${handle} handle of ${screwId} drawn where the ${view} view projects it` })
    .toBe('drawn there');
}
