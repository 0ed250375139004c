import { describe, expect, it } from 'vitest';
import { defaultCatalog } from '../../core/planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS, type ScrewEvaluation } from '../../core/planning/types';
import type { LiveCheckRequest } from '../../core/planning/plannerEngine';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import { PlannerError } from '../../core/shared/errors';
import { createFakePlanOverlay } from '../../viewer/fakePlanOverlay';
import type { PlanningSession, SessionStatus } from '../session/PlanningSession';
import { createPlanStore } from './createPlanStore';
import { createPlanController } from './planController';
import { emptyPlanContent } from './planEdits';

const series: PlanContent['series'] = {
  studyInstanceUid: '1', seriesInstanceUid: '2', frameOfReferenceUid: null, description: null,
  geometry: { dims: [10, 10, 10], spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
};
const screw = (id: string, z: number): PlanScrew => ({
  id, corridorId: 'iliosacralS1', side: 'left', entryLps: [80, 0, z], tipLps: [0, 0, z], diameterMm: 7.3, lengthMm: 80, catalogId: 'cannulated-7.3', skinEntryLps: null,
});

/** A session whose checks answer when the test says so; a screw fails when its tip has y > 10 (a "foramen"). */
function fakeSession() {
  const pending: { request: LiveCheckRequest; resolve: (e: ScrewEvaluation) => void; reject: (e: unknown) => void }[] = [];
  let status: SessionStatus = {
    phase: 'ready', seriesUid: '2', message: '', labelsGeneration: 1, fieldsGeneration: 1, lesion: null, structures: null,
    missingStructures: [], plannerMode: null, error: null,
  };
  const listeners = new Set<(s: SessionStatus) => void>();
  const session = {
    getStatus: () => status,
    subscribe: (l: (s: SessionStatus) => void) => (listeners.add(l), () => listeners.delete(l)),
    checkScrew: (request: LiveCheckRequest) => new Promise<ScrewEvaluation>((resolve, reject) => pending.push({ request, resolve, reject })),
  } as unknown as PlanningSession;
  const evaluate = (r: LiveCheckRequest): ScrewEvaluation => {
    const ok = r.screw.tipLps[1] <= 10;
    return {
      screwId: r.screw.id, ok,
      checks: [{ rule: 'clearance', ok, valueMm: ok ? 5 : -1, requiredMm: 2, toleranceMm: 0.5, marginMm: ok ? 2.5 : -3.5, structureId: 'foramenS1Left', detail: '' }],
      purchaseNearMm: 20, purchaseFarMm: 20, lesionSpanMm: 10, minClearanceMm: ok ? 5 : -1, minClearanceStructure: 'foramenS1Left', minBoneCoverMm: 2, pathExitLps: [0, 0, 0],
    };
  };
  return {
    session,
    pending,
    /** Answers the oldest request. */
    answer() { const p = pending.shift()!; p.resolve(evaluate(p.request)); },
    rejectStale() { const p = pending.shift()!; p.reject(new PlannerError('worker/stale', 'superseded')); },
    setStatus(patch: Partial<SessionStatus>) { status = { ...status, ...patch }; for (const l of listeners) l(status); },
  };
}

const flush = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve(); };

/** A window-like key target the test can type into. */
function keyTarget() {
  let listener: ((e: KeyboardEvent) => void) | null = null;
  return {
    target: { addEventListener: (_t: string, l: (e: KeyboardEvent) => void) => (listener = l), removeEventListener: () => (listener = null) } as unknown as Window,
    press(key: string, mods: { ctrl?: boolean; shift?: boolean; alt?: boolean; repeat?: boolean; tagName?: string } = {}): boolean {
      let prevented = false;
      listener?.({
        key, ctrlKey: mods.ctrl ?? false, metaKey: false, shiftKey: mods.shift ?? false, altKey: mods.alt ?? false, repeat: mods.repeat ?? false,
        target: mods.tagName ? { tagName: mods.tagName, isContentEditable: false } : null,
        preventDefault: () => (prevented = true),
      } as unknown as KeyboardEvent);
      return prevented;
    },
  };
}

function setup() {
  const store = createPlanStore({ ...emptyPlanContent(series, defaultCatalog(), { ...DEFAULT_PLAN_SETTINGS }), screws: [screw('a', 0), screw('b', 30)] });
  const overlay = createFakePlanOverlay();
  const s = fakeSession();
  const strip: boolean[] = [];
  const keys = keyTarget();
  const controller = createPlanController({ store, overlay, getSession: () => s.session, showTrajectoryStrip: (v) => strip.push(v), computeSkinEntry: (e) => [e[0] + 40, e[1], e[2]], keyTarget: keys.target });
  return { store, overlay, s, strip, controller, keys };
}

describe('plan controller', () => {
  it('draws the store\'s screws with their status and checks them one at a time', async () => {
    const { store, overlay, s } = setup();
    expect(overlay.drawnScrews().map((o) => [o.id, o.status, o.label])).toEqual([['a', 'pending', 'IS S1 L 1'], ['b', 'pending', 'IS S1 L 2']]);
    expect(s.pending).toHaveLength(1);
    s.answer();
    await flush();
    expect(store.statusOf('a')).toBe('ok');
    expect(s.pending).toHaveLength(1);
    s.answer();
    await flush();
    expect(overlay.drawnScrews().map((o) => o.status)).toEqual(['ok', 'ok']);
    expect(s.pending).toHaveLength(0);
  });

  it('each check says which structures have no model and why (from the plan); marking one absent checks the screws again', async () => {
    const { store, s } = setup();
    // No models in this plan: every structure is not found.
    expect(s.pending[0]!.request.structuresWithoutModel?.foramenS1Left).toBe('notFound');
    expect(Object.keys(s.pending[0]!.request.structuresWithoutModel ?? {})).toHaveLength(17);
    s.answer(); await flush(); s.answer(); await flush();
    expect(s.pending).toHaveLength(0);
    store.apply({ label: 'Mark absent', update: (p) => ({ ...p, structureReview: [{ id: 'foramenS1Left', status: 'absent', reviewedBy: 'Dr A', labelValue: 9, volumeMl: null }] }) });
    await flush();
    expect(store.statusOf('a')).toBe('pending');
    expect(s.pending).toHaveLength(1);
    expect(s.pending[0]!.request.structuresWithoutModel?.foramenS1Left).toBe('absent');
    expect(s.pending[0]!.request.structuresWithoutModel?.foramenS1Right).toBe('notFound');
    s.answer(); await flush();
    expect(store.statusOf('a')).toBe('ok');
  });

  it('a drag is one undo step, stale results are dropped, the last result shows; the length snaps to the catalog at the end', async () => {
    const { store, overlay, s } = setup();
    s.answer(); await flush(); s.answer(); await flush();
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 5, 0], deltaLps: [0, 5, 0], phase: 'move' });
    expect(store.get().selectedScrewId).toBe('a');
    expect(store.statusOf('a')).toBe('pending');
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 12, 0], deltaLps: [0, 12, 0], phase: 'move' });
    // The first request (tip y = 5) answers after the screw moved on: dropped, the current state is checked next.
    expect(s.pending).toHaveLength(1);
    s.answer();
    await flush();
    expect(store.statusOf('a')).toBe('pending');
    expect(s.pending[0]!.request.screw.tipLps[1]).toBe(12);
    s.answer();
    await flush();
    expect(store.statusOf('a')).toBe('failed');
    // Only the dragged screw is checked during the drag.
    expect(s.pending).toHaveLength(0);
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [-2, 12, 0], deltaLps: [-2, 12, 0], phase: 'end' });
    const a = store.screw('a')!;
    expect(a.lengthMm).toBe(85);
    expect(a.skinEntryLps).toEqual([120, 0, 0]);
    // The dragged screw's final state is checked, then the other screw (spacing to the moved one).
    const checked: string[] = [];
    while (s.pending.length > 0) { checked.push(s.pending[0]!.request.screw.id); s.answer(); await flush(); }
    expect(checked.slice(-2)).toEqual(['a', 'b']);
    expect(store.statusOf('a')).toBe('failed');
    expect(store.statusOf('b')).toBe('ok');
    store.undo();
    expect(store.screw('a')!.tipLps).toEqual([0, 0, 0]);
    expect(store.statusOf('a')).toBe('pending');
    s.answer(); await flush();
    expect(store.statusOf('a')).toBe('ok');
    expect(store.get().canUndo).toBe(false);
  });

  it('tells when a drag starts and when it has ended, after the drag\'s last edit is in the store', () => {
    const { store, overlay, controller } = setup();
    const seen: [string | null, number[] | undefined][] = [];
    controller.onDragChange((id) => seen.push([id, store.screw('a')?.tipLps.slice()]));
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 5, 0], deltaLps: [0, 5, 0], phase: 'move' });
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 6, 0], deltaLps: [0, 6, 0], phase: 'move' });
    expect(controller.draggingScrewId()).toBe('a');
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 7, 0], deltaLps: [0, 7, 0], phase: 'end' });
    expect(controller.draggingScrewId()).toBeNull();
    // Start once (before the first move is applied), end once with the final (snapped) tip already stored.
    expect(seen.map((x) => x[0])).toEqual(['a', null]);
    expect(seen[1]![1]).toEqual(store.screw('a')!.tipLps);
    expect(seen[1]![1]![1]).toBeGreaterThan(6.9);
  });

  it('records every check: the tip it checked, and when it was applied (null when dropped as stale)', async () => {
    const { controller, overlay, s } = setup();
    s.answer(); await flush(); s.answer(); await flush();
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 5, 0], deltaLps: [0, 5, 0], phase: 'move' });
    overlay.simulateDrag({ screwId: 'a', handle: 'tip', pointLps: [0, 12, 0], deltaLps: [0, 12, 0], phase: 'move' });
    s.answer(); await flush();
    s.answer(); await flush();
    const recent = controller.checkTimings().recent;
    expect(recent.map((r) => [r.screwId, r.tipLps[1], r.appliedAt === null])).toEqual([['a', 0, false], ['b', 0, false], ['a', 5, true], ['a', 12, false]]);
    for (const r of recent) {
      expect(r.answeredAt).toBeGreaterThanOrEqual(r.requestedAt);
      if (r.appliedAt !== null) expect(r.appliedAt).toBeGreaterThanOrEqual(r.answeredAt);
    }
    expect(controller.checkTimings().stale).toBe(1);
  });

  it('a body drag moves the screw as it was at pointer down by the displacement since then', () => {
    const { store, overlay } = setup();
    overlay.simulateDrag({ screwId: 'b', handle: 'body', pointLps: [0, 0, 0], deltaLps: [1, 0, 0], phase: 'move' });
    overlay.simulateDrag({ screwId: 'b', handle: 'body', pointLps: [0, 0, 0], deltaLps: [3, 0, 0], phase: 'end' });
    expect(store.screw('b')!.entryLps).toEqual([83, 0, 30]);
    expect(store.screw('b')!.lengthMm).toBe(80);
  });

  it('selection points the trajectory views and opens the strip; a stale rejection is retried', async () => {
    const { store, overlay, s, strip } = setup();
    overlay.simulateSelect('b');
    expect(store.get().selectedScrewId).toBe('b');
    expect(overlay.trajectoryId()).toBe('b');
    overlay.simulateSelect(null);
    expect(overlay.trajectoryId()).toBeNull();
    expect(strip).toEqual([true, false]);
    s.rejectStale();
    await flush();
    expect(s.pending).toHaveLength(1);
  });

  it('without a ready session nothing is checked and the note says why; new fields make every screw pending again', async () => {
    const { store, s, controller } = setup();
    s.answer(); await flush(); s.answer(); await flush();
    s.setStatus({ phase: 'fields' });
    expect(store.statusOf('a')).toBe('ok');
    s.setStatus({ phase: 'ready', fieldsGeneration: 2 });
    expect(store.statusOf('a')).toBe('pending');
    expect(s.pending).toHaveLength(1);
    s.setStatus({ phase: 'fields' });
    s.answer(); await flush();
    expect(controller.getCheckNote()?.message).toMatch(/once the segmentation/);
    // A lesion edit (labels generation) makes the checks stale at once, before the new fields arrive.
    s.setStatus({ phase: 'ready', fieldsGeneration: 2 });
    while (s.pending.length > 0) { s.answer(); await flush(); }
    expect(store.statusOf('a')).toBe('ok');
    s.setStatus({ phase: 'fields', labelsGeneration: 2 });
    expect(store.statusOf('a')).toBe('pending');
    expect(store.statusOf('b')).toBe('pending');
  });

  it('keys: Alt+arrows nudge 1 mm, Alt+Shift+arrows turn 1 degree about the entry, held keys are one step, Ctrl+Z / Ctrl+Shift+Z / Ctrl+Y, Delete; nothing while typing', () => {
    const { store, keys } = setup();
    expect(keys.press('ArrowRight', { alt: true })).toBe(false); // no selection: not ours
    store.select('a');
    expect(keys.press('ArrowRight', { alt: true })).toBe(true);
    keys.press('ArrowRight', { alt: true, repeat: true });
    expect(store.screw('a')!.entryLps).toEqual([82, 0, 0]);
    keys.press('ArrowUp', { alt: true });
    expect(store.screw('a')!.entryLps).toEqual([82, -1, 0]);
    keys.press('PageUp', { alt: true });
    expect(store.screw('a')!.tipLps).toEqual([2, -1, 1]);
    // The held Alt+Right was one undo step.
    keys.press('z', { ctrl: true });
    keys.press('z', { ctrl: true });
    expect(store.screw('a')!.entryLps).toEqual([82, 0, 0]);
    keys.press('z', { ctrl: true });
    expect(store.screw('a')!.entryLps).toEqual([80, 0, 0]);
    keys.press('Z', { ctrl: true, shift: true });
    expect(store.screw('a')!.entryLps).toEqual([82, 0, 0]);
    keys.press('y', { ctrl: true });
    expect(store.screw('a')!.entryLps).toEqual([82, -1, 0]);
    // A turn of 1 degree about the entry: the tip moves 80 * sin(1 deg) sideways, the length stays.
    const before = store.screw('a')!;
    keys.press('ArrowRight', { alt: true, shift: true });
    const after = store.screw('a')!;
    expect(after.entryLps).toEqual(before.entryLps);
    expect(after.lengthMm).toBe(80);
    const moved = Math.hypot(after.tipLps[0] - before.tipLps[0], after.tipLps[1] - before.tipLps[1], after.tipLps[2] - before.tipLps[2]);
    expect(moved).toBeCloseTo(2 * 80 * Math.sin(Math.PI / 360), 6);
    keys.press('ArrowUp', { alt: true, shift: true });
    expect(store.screw('a')!.tipLps[2]).toBeGreaterThan(after.tipLps[2]);
    // Typing in a field: no undo, no delete.
    const rev = store.get().revision;
    expect(keys.press('z', { ctrl: true, tagName: 'INPUT' })).toBe(false);
    expect(keys.press('Delete', { tagName: 'SELECT' })).toBe(false);
    expect(store.get().revision).toBe(rev);
    // Plain arrows stay with slice scrolling.
    expect(keys.press('ArrowUp')).toBe(false);
    keys.press('Delete');
    expect(store.screw('a')).toBeNull();
    expect(store.get().selectedScrewId).toBeNull();
  });
});
