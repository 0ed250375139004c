/**
 * Helpers for the planning-session e2e specs: record the session's phase
 * changes (from the root's data-session-phase, with timestamps), drive the
 * session through the `window.__planner.session` test hook (lesion seed,
 * plan: the panels that will do it through the UI are built separately), and
 * collect the main thread's long tasks.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, type Page } from '@playwright/test';

export type PhaseEvent = { phase: string; t: number };

/** Call before page.goto: records every data-session-phase change (and data-load-settled, as "load-settled:N") with performance.now(), and every long task. */
export async function recordSessionTimeline(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __phases: { phase: string; t: number }[]; __longTasks: { start: number; duration: number }[] };
    w.__phases = [];
    w.__longTasks = [];
    new MutationObserver((records) => {
      for (const r of records) {
        const el = r.target as HTMLElement;
        if (el.id !== 'app') continue;
        if (r.attributeName === 'data-load-settled') {
          const phase = `load-settled:${el.dataset['loadSettled'] ?? ''}`;
          if (!w.__phases.some((e) => e.phase === phase)) w.__phases.push({ phase, t: performance.now() });
          continue;
        }
        const phase = el.dataset['sessionPhase'] ?? '';
        const last = w.__phases.filter((e) => !e.phase.startsWith('load-settled:')).pop();
        if (!last || last.phase !== phase) w.__phases.push({ phase, t: performance.now() });
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-session-phase', 'data-load-settled'] });
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
    } catch {
      // longtask entries unsupported: the spec checks that some were observable.
    }
  });
}

export async function phaseTimeline(page: Page): Promise<PhaseEvent[]> {
  return page.evaluate(() => (window as unknown as { __phases: PhaseEvent[] }).__phases);
}

export async function longTasks(page: Page): Promise<{ start: number; duration: number }[]> {
  return page.evaluate(() => (window as unknown as { __longTasks: { start: number; duration: number }[] }).__longTasks);
}

/** Waits until the session holds fields of the current labels. */
export async function waitSessionReady(page: Page): Promise<void> {
  const app = page.locator('#app');
  await expect(app).toHaveAttribute('data-session-phase', /^(ready|error)$/, { timeout: 170_000 });
  const error = await page.evaluate(() => (window as unknown as { __planner: { session: { getStatus(): { error: { message: string } | null } } } }).__planner.session.getStatus().error);
  expect(error, error?.message).toBeNull();
  const gens = await page.evaluate(() => [document.getElementById('app')!.dataset['labelsGeneration'], document.getElementById('app')!.dataset['fieldsGeneration']]);
  expect(gens[0]).toBe(gens[1]);
}

export function truthLesionCenter(sample: string): [number, number, number] {
  const truth = JSON.parse(readFileSync(resolve(import.meta.dirname ?? '.', '../../sample-dicom/out', sample, 'truth.json'), 'utf8')) as { lesion: { centerLps: [number, number, number] } };
  return truth.lesion.centerLps;
}

export type PlanSummary = {
  screws: { corridorId: string; side: string | null; entryLps: number[]; tipLps: number[]; diameterMm: number; lengthMm: number }[];
  corridors: { corridorId: string; side: string | null; available: boolean; reason: string; candidatesScored: number; screws: { entryLps: number[]; tipLps: number[] }[] }[];
  fieldsGeneration: number;
  /** performance.now() around the plan call, and its round trip, ms. */
  t0: number;
  t1: number;
  ms: number;
};

/** One click at `seedLps` (through the session hook), then the full plan with default settings and catalog. */
export async function growAndPlan(page: Page, seedLps: [number, number, number]): Promise<{ click: { status: string; volumeMl: number; message: string }; plan: PlanSummary }> {
  const click = await page.evaluate(async (seed) => {
    const s = (window as unknown as { __planner: { session: { growLesion(p: number[]): Promise<{ status: string; volumeMl: number; message: string }> } } }).__planner.session;
    return s.growLesion(seed);
  }, seedLps);
  await waitSessionReady(page);
  const plan = await page.evaluate(async () => {
    type Screw = { corridorId: string; side: string | null; entryLps: number[]; tipLps: number[]; diameterMm: number; lengthMm: number };
    type Result = {
      fieldsGeneration: number;
      screws: { screw: Screw }[];
      corridors: { corridorId: string; side: string | null; available: boolean; reason: string; candidatesScored: number; screws: { screw: Screw }[] }[];
    };
    const s = (window as unknown as { __planner: { session: { plan(r: unknown): Promise<Result> } } }).__planner.session;
    const { defaultCatalog } = await import('/src/core/planning/screwCatalog.ts' as string) as { defaultCatalog(): unknown };
    const { DEFAULT_PLAN_SETTINGS } = await import('/src/core/planning/types.ts' as string) as { DEFAULT_PLAN_SETTINGS: unknown };
    const t0 = performance.now();
    const r = await s.plan({ settings: DEFAULT_PLAN_SETTINGS, catalog: defaultCatalog() });
    const t1 = performance.now();
    return {
      screws: r.screws.map((x) => ({ corridorId: x.screw.corridorId, side: x.screw.side, entryLps: x.screw.entryLps, tipLps: x.screw.tipLps, diameterMm: x.screw.diameterMm, lengthMm: x.screw.lengthMm })),
      corridors: r.corridors.map((c) => ({ corridorId: c.corridorId, side: c.side, available: c.available, reason: c.reason, candidatesScored: c.candidatesScored, screws: c.screws.map((x) => ({ entryLps: x.screw.entryLps, tipLps: x.screw.tipLps })) })),
      fieldsGeneration: r.fieldsGeneration,
      t0, t1, ms: t1 - t0,
    };
  });
  return { click, plan };
}

/** Mean round trip of `n` live checks of `screwIndex` of the last plan (through the session and the worker), ms. */
export async function liveCheckRoundTripMs(page: Page, n = 20): Promise<number> {
  return page.evaluate(async (count) => {
    type Session = { plan(r: unknown): Promise<{ screws: { screw: unknown }[] }>; checkScrew(r: { screw: unknown }): Promise<{ ok: boolean }> };
    const s = (window as unknown as { __planner: { session: Session } }).__planner.session;
    const { defaultCatalog } = await import('/src/core/planning/screwCatalog.ts' as string) as { defaultCatalog(): unknown };
    const { DEFAULT_PLAN_SETTINGS } = await import('/src/core/planning/types.ts' as string) as { DEFAULT_PLAN_SETTINGS: unknown };
    const plan = await s.plan({ settings: DEFAULT_PLAN_SETTINGS, catalog: defaultCatalog() });
    const screw = plan.screws[0]!.screw;
    await s.checkScrew({ screw });
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await s.checkScrew({ screw });
    return (performance.now() - t0) / count;
  }, n);
}

/**
 * Through the plan panel: "Plan screws", then its Cancel pressed at the first
 * progress report (an observer in the page clicks the button as the report
 * lands, so the search is surely under way whatever the machine's speed), then
 * "Plan screws" again right after. Returns the panel's states and texts; the
 * second plan completing means the workers were free again.
 */
export async function cancelThenReplan(page: Page, shot?: (name: string) => Promise<unknown>): Promise<{ cancelledAt: string; afterCancel: { state: string; text: string; cancelHidden: boolean; planLabel: string }; replan: { state: string; text: string; rows: number } }> {
  const panel = page.locator('.plan-panel');
  await page.evaluate(() => {
    const w = window as unknown as { __cancelAt?: string };
    const panelEl = document.querySelector('.plan-panel') as HTMLElement;
    const text = panelEl.querySelector('.plan-progress-text') as HTMLElement;
    const cancel = panelEl.querySelector('[data-action="cancel-plan"]') as HTMLButtonElement;
    const observer = new MutationObserver(() => {
      if (w.__cancelAt !== undefined || panelEl.dataset['planState'] !== 'running' || !/trajectories/.test(text.textContent ?? '')) return;
      w.__cancelAt = text.textContent ?? '';
      observer.disconnect();
      cancel.click();
    });
    observer.observe(text, { childList: true, characterData: true, subtree: true });
  });
  const planBtn = page.locator('[data-action="plan"]');
  await expect(planBtn).toBeEnabled();
  await planBtn.click();
  await expect(panel).toHaveAttribute('data-plan-state', 'cancelled', { timeout: 120_000 });
  const cancelledAt = await page.evaluate(() => (window as unknown as { __cancelAt?: string }).__cancelAt ?? '');
  if (shot) await shot('plan-cancelled');
  const afterCancel = {
    state: (await panel.getAttribute('data-plan-state')) ?? '',
    text: (await panel.locator('.plan-progress-text').textContent()) ?? '',
    cancelHidden: await page.locator('[data-action="cancel-plan"]').isHidden(),
    planLabel: (await planBtn.textContent()) ?? '',
  };
  await planBtn.click();
  await expect(panel).toHaveAttribute('data-plan-state', 'done', { timeout: 240_000 });
  if (shot) await shot('plan-after-cancel-replanned');
  const replan = {
    state: (await panel.getAttribute('data-plan-state')) ?? '',
    text: (await panel.locator('.plan-progress-text').textContent()) ?? '',
    rows: await page.locator('.plan-corridor').count(),
  };
  return { cancelledAt, afterCancel, replan };
}

/**
 * The Cancel e2e of both isolation modes: open the sample, click the lesion (truth centre), plan,
 * Cancel, re-plan; the panel returns to rest and the next plan answers every corridor-side.
 */
export async function expectCancelThenReplan(page: Page, mode: 'worker-shared' | 'worker-transfer', shot: (name: string) => Promise<unknown>): Promise<void> {
  await page.goto('/?no3d=1');
  await waitSessionReady(page);
  expect(await page.locator('#app').getAttribute('data-planner-mode')).toBe(mode);
  await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: number[]): Promise<unknown> } } }).__planner.session.growLesion(q), truthLesionCenter('sacralAla-medium'));
  await waitSessionReady(page);
  const r = await cancelThenReplan(page, shot);
  console.log(`[figures] ${mode}: cancelled at "${r.cancelledAt}"; after cancel "${r.afterCancel.text}"; re-plan "${r.replan.text}"`);
  expect(r.cancelledAt).toMatch(/trajectories/);
  expect(r.afterCancel).toEqual({ state: 'cancelled', text: 'Cancelled.', cancelHidden: true, planLabel: 'Plan screws' });
  expect(r.replan.state).toBe('done');
  expect(r.replan.rows).toBe(18); // every corridor-side answered: the whole search ran after the cancel
  expect(r.replan.text).toMatch(/trajectories in/);
}
