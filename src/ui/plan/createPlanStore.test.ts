import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { defaultCatalog } from '../../core/planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS, type CheckResult, type ScrewEvaluation } from '../../core/planning/types';
import { planContentSchema, type PlanContent, type PlanScrew } from '../../core/report/planSchema';
import type { Vec3 } from '../../core/geometry/vec3';
import { createPlanStore } from './createPlanStore';
import {
  addScrews, emptyPlanContent, moveScrewEnd, nearestCatalogLengthMm, removeScrew, rotateScrewAboutEntry, setOverride,
  setScrewSpec, setSettings, snapLengthToCatalog, translateScrew,
} from './planEdits';

const series: PlanContent['series'] = {
  studyInstanceUid: '1.2.3',
  seriesInstanceUid: '1.2.3.4',
  frameOfReferenceUid: null,
  description: 'phantom',
  geometry: { dims: [10, 10, 10], spacingMm: [1, 1, 1], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
};

function screw(id: string, entryLps: Vec3, tipLps: Vec3, catalogId = 'cannulated-7.3'): PlanScrew {
  return {
    id, corridorId: 'iliosacralS1', side: 'left', entryLps, tipLps, diameterMm: 7.3,
    lengthMm: Math.hypot(tipLps[0] - entryLps[0], tipLps[1] - entryLps[1], tipLps[2] - entryLps[2]), catalogId, skinEntryLps: null,
  };
}

function planWith(screws: PlanScrew[]): PlanContent {
  return { ...emptyPlanContent(series, defaultCatalog(), { ...DEFAULT_PLAN_SETTINGS }), screws };
}

function check(rule: CheckResult['rule'], ok: boolean, structureId?: CheckResult['structureId']): CheckResult {
  return { rule, ok, valueMm: ok ? 4 : 0.5, requiredMm: 2, toleranceMm: 0.3, marginMm: ok ? 1.7 : -1.8, detail: rule, ...(structureId ? { structureId } : {}) };
}

function evaluation(screwId: string, checks: CheckResult[]): ScrewEvaluation {
  return {
    screwId, ok: checks.every((c) => c.ok), checks, purchaseNearMm: 20, purchaseFarMm: 30, lesionSpanMm: 15,
    minClearanceMm: 3, minClearanceStructure: null, minBoneCoverMm: 2, pathExitLps: [0, 0, 0],
  };
}

const A = (): PlanScrew => screw('a', [80, 0, 0], [0, 0, 0]);
const B = (): PlanScrew => screw('b', [80, 0, 30], [0, 0, 30]);

describe('plan store', () => {
  it('starts empty, then holds a reset plan with no history', () => {
    const store = createPlanStore();
    expect(store.get().plan).toBeNull();
    store.reset(planWith([A()]));
    const s = store.get();
    expect(s.plan!.screws).toHaveLength(1);
    expect(s.revision).toBe(1);
    expect(s.canUndo).toBe(false);
    expect(store.screw('a')!.lengthMm).toBe(80);
    expect(planContentSchema.safeParse(s.plan).success).toBe(true);
  });

  it('refuses an edit with no plan open and an edit that mutates the stored document', () => {
    const store = createPlanStore();
    expect(() => store.apply({ label: 'x', update: (p) => p })).toThrow(/no plan open/);
    store.reset(planWith([A()]));
    expect(() => store.apply({ label: 'mutate', update: (p) => { (p.screws[0]!.entryLps as number[])[0] = 1; return p; } })).toThrow();
    expect(store.screw('a')!.entryLps[0]).toBe(80);
  });

  it('undo and redo restore the documents and bump the revision', () => {
    const store = createPlanStore();
    store.reset(planWith([A(), B()]));
    const r0 = store.get().revision;
    store.apply(moveScrewEnd('a', 'tip', [0, 5, 0], 'Move tip'));
    expect(store.screw('a')!.tipLps).toEqual([0, 5, 0]);
    expect(store.screw('a')!.lengthMm).toBeCloseTo(Math.hypot(80, 5), 9);
    store.undo();
    expect(store.screw('a')!.tipLps).toEqual([0, 0, 0]);
    expect(store.get().canRedo).toBe(true);
    store.redo();
    expect(store.screw('a')!.tipLps).toEqual([0, 5, 0]);
    expect(store.get().revision).toBe(r0 + 3);
  });

  it('an edit that changes nothing makes no undo step', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(setSettings({ safetyMarginMm: 2 }, 'Margin'));
    expect(store.get().canUndo).toBe(false);
    expect(store.get().revision).toBe(0);
  });

  it('one drag (same coalesce key) is one undo step; the next drag is another', () => {
    const store = createPlanStore(planWith([A()]));
    for (let i = 1; i <= 10; i++) store.apply(moveScrewEnd('a', 'tip', [0, i, 0], 'Drag tip'), { coalesceKey: 'drag:1' });
    for (let i = 1; i <= 5; i++) store.apply(moveScrewEnd('a', 'tip', [0, 10, i], 'Drag tip'), { coalesceKey: 'drag:2' });
    expect(store.screw('a')!.tipLps).toEqual([0, 10, 5]);
    store.undo();
    expect(store.screw('a')!.tipLps).toEqual([0, 10, 0]);
    store.undo();
    expect(store.screw('a')!.tipLps).toEqual([0, 0, 0]);
    expect(store.get().canUndo).toBe(false);
  });

  it('an undo closes the coalesced step: the same key after it starts a new step', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(moveScrewEnd('a', 'tip', [0, 1, 0], 'Drag'), { coalesceKey: 'k' });
    store.apply(moveScrewEnd('a', 'tip', [0, 2, 0], 'Drag'), { coalesceKey: 'k' });
    store.undo();
    store.apply(moveScrewEnd('a', 'tip', [0, 3, 0], 'Drag'), { coalesceKey: 'k' });
    store.undo();
    expect(store.screw('a')!.tipLps).toEqual([0, 0, 0]);
  });

  it('status: pending without evaluation, ok, failed, overridden only when every failed check has an override', () => {
    const store = createPlanStore(planWith([A()]));
    expect(store.statusOf('a')).toBe('pending');
    store.setEvaluation('a', evaluation('a', [check('purchase', true), check('clearance', true, 'foramenS1Left')]));
    expect(store.statusOf('a')).toBe('ok');
    store.setEvaluation('a', evaluation('a', [check('clearance', false, 'foramenS1Left'), check('corticalBreach', false)]));
    expect(store.statusOf('a')).toBe('failed');
    const ov = { screwId: 'a', rule: 'clearance', structureId: 'foramenS1Left' as const, by: 'Dr A', reason: 'root seen clear on MR', atIso: '2026-01-01T00:00:00Z' };
    store.apply(setOverride(ov, 'Override'));
    expect(store.statusOf('a')).toBe('failed');
    store.apply(setOverride({ ...ov, rule: 'corticalBreach', structureId: null }, 'Override'));
    expect(store.statusOf('a')).toBe('overridden');
    // An override of another structure does not cover this one.
    store.undo();
    store.undo();
    store.apply(setOverride({ ...ov, structureId: 'foramenS1Right' }, 'Override'));
    store.apply(setOverride({ ...ov, rule: 'corticalBreach', structureId: null }, 'Override'));
    expect(store.statusOf('a')).toBe('failed');
    expect(store.statusOf('nope')).toBe('pending');
  });

  it('a structure without a model (structuresModelled) fails the screw until overridden with a reason; marking it absent re-checks', () => {
    const store = createPlanStore(planWith([A()]));
    // As the planner returns it (checks/structuresModelled.ts): no figure, the structure named.
    const unmodelled: CheckResult = {
      rule: 'structuresModelled', ok: false, valueMm: Number.NaN, requiredMm: Number.NaN, toleranceMm: 0, marginMm: Number.NaN, structureId: 'foramenS1Left',
      detail: 'Clearance NOT checked to S1 foramen, left (not found on this CT). Find it on the images and add it in Segmentation, or override with a reason.',
    };
    store.setEvaluation('a', evaluation('a', [check('purchase', true), check('clearance', true, 'rootS1Left'), unmodelled]));
    expect(store.statusOf('a')).toBe('failed');
    // An override of another rule for the same structure does not cover it.
    const ov = { screwId: 'a', rule: 'clearance', structureId: 'foramenS1Left' as const, by: 'Dr A', reason: 'foramen seen clear on the sagittal images', atIso: '2026-11-25T02:00:00Z' };
    store.apply(setOverride(ov, 'Override'));
    expect(store.statusOf('a')).toBe('failed');
    store.apply(setOverride({ ...ov, rule: 'structuresModelled' }, 'Override'));
    expect(store.statusOf('a')).toBe('overridden');
    expect(store.get().plan!.overrides.find((o) => o.rule === 'structuresModelled')!.reason).toBe('foramen seen clear on the sagittal images');
    store.undo();
    expect(store.statusOf('a')).toBe('failed');
    // The user marks the foramen absent (structure review only, no model changes): the screw is checked again.
    store.apply({ label: 'Review', update: (p) => ({ ...p, structureReview: [{ id: 'foramenS1Left', status: 'absent', reviewedBy: 'Dr A', labelValue: 9, volumeMl: null }] }) });
    expect(store.statusOf('a')).toBe('pending');
    // A review change that leaves the same structures without a model, for the same reasons, keeps the evaluation.
    store.setEvaluation('a', evaluation('a', [check('purchase', true)]));
    store.apply({ label: 'Review', update: (p) => ({ ...p, structureReview: [...p.structureReview, { id: 'lesion', status: 'confirmed', reviewedBy: 'Dr A', labelValue: 7, volumeMl: 3 }] }) });
    expect(store.statusOf('a')).toBe('ok');
  });

  it('moving a screw drops its evaluation and its overrides, not the other screws\' evaluations', () => {
    const store = createPlanStore(planWith([A(), B()]));
    store.setEvaluation('a', evaluation('a', [check('clearance', false, 'foramenS1Left')]));
    store.setEvaluation('b', evaluation('b', [check('purchase', true)]));
    store.apply(setOverride({ screwId: 'a', rule: 'clearance', structureId: 'foramenS1Left', by: 'x', reason: 'y', atIso: 'z' }, 'Override'));
    expect(store.statusOf('a')).toBe('overridden');
    store.apply(translateScrew('a', [1, 0, 0], 'Nudge'));
    expect(store.statusOf('a')).toBe('pending');
    expect(store.get().plan!.overrides).toHaveLength(0);
    expect(store.statusOf('b')).toBe('ok');
    // Undo brings the override back; the evaluation is derived and stays pending until re-checked.
    store.undo();
    expect(store.get().plan!.overrides).toHaveLength(1);
    expect(store.statusOf('a')).toBe('pending');
    // A settings change makes every screw pending.
    store.setEvaluation('a', evaluation('a', [check('purchase', true)]));
    store.apply(setSettings({ safetyMarginMm: 3 }, 'Margin'));
    expect(store.statusOf('a')).toBe('pending');
    expect(store.statusOf('b')).toBe('pending');
  });

  it('selection follows the screw: cleared when it is removed (and by reset), restored screws can be selected again', () => {
    const store = createPlanStore(planWith([A(), B()]));
    store.select('b');
    expect(store.get().selectedScrewId).toBe('b');
    store.select('nope');
    expect(store.get().selectedScrewId).toBeNull();
    store.select('b');
    store.apply(removeScrew('b', 'Delete'));
    expect(store.get().selectedScrewId).toBeNull();
    store.undo();
    expect(store.screw('b')).not.toBeNull();
    store.select('b');
    store.reset(planWith([A()]));
    expect(store.get().selectedScrewId).toBeNull();
  });

  it('notifies subscribers on every change and not after unsubscribe', () => {
    const store = createPlanStore(planWith([A()]));
    const seen: number[] = [];
    const off = store.subscribe((s) => seen.push(s.revision));
    store.apply(translateScrew('a', [0, 1, 0], 'n'));
    store.select('a');
    off();
    store.undo();
    expect(seen).toEqual([1, 1]);
  });
});

describe('plan edits', () => {
  it('snaps a dragged tip to the nearest catalog length along the axis', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(moveScrewEnd('a', 'tip', [-3.4, 0, 0], 'Drag'), { coalesceKey: 'd' });
    expect(store.screw('a')!.lengthMm).toBeCloseTo(83.4, 9);
    store.apply(snapLengthToCatalog('a', 'tip', 'Drag'), { coalesceKey: 'd' });
    expect(store.screw('a')!.lengthMm).toBe(85);
    expect(store.screw('a')!.tipLps[0]).toBeCloseTo(-5, 9);
    expect(store.screw('a')!.entryLps).toEqual([80, 0, 0]);
    store.undo();
    expect(store.screw('a')!.lengthMm).toBe(80);
    expect(nearestCatalogLengthMm(defaultCatalog(), 'cannulated-7.3', 400)).toBe(180);
    expect(nearestCatalogLengthMm(defaultCatalog(), 'free', 40)).toBeNull();
  });

  it('another spec keeps the entry and moves the tip along the axis', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(setScrewSpec('a', 'cannulated-6.5', 60, 'Spec'));
    const s = store.screw('a')!;
    expect(s.diameterMm).toBe(6.5);
    expect(s.entryLps).toEqual([80, 0, 0]);
    expect(s.tipLps).toEqual([20, 0, 0]);
    expect(s.catalogId).toBe('cannulated-6.5');
  });

  it('rotation about the entry keeps the entry and the length', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(rotateScrewAboutEntry('a', [0, 0, 1], 90, 'Rotate'));
    const s = store.screw('a')!;
    expect(s.entryLps).toEqual([80, 0, 0]);
    expect(s.tipLps[0]).toBeCloseTo(80, 9);
    expect(Math.abs(s.tipLps[1])).toBeCloseTo(80, 9);
    expect(s.lengthMm).toBe(80);
  });

  it('adding screws makes ids unique and a replace drops the overrides of removed screws', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(setOverride({ screwId: 'a', rule: 'clearance', structureId: null, by: 'x', reason: 'y', atIso: 'z' }, 'o'));
    store.apply(addScrews([A(), A()], { replace: false, structures: null, label: 'Add' }));
    expect(store.get().plan!.screws.map((s) => s.id)).toEqual(['a', 'a-2', 'a-3']);
    store.apply(addScrews([B()], { replace: true, structures: null, label: 'Accept' }));
    expect(store.get().plan!.screws.map((s) => s.id)).toEqual(['b']);
    expect(store.get().plan!.overrides).toHaveLength(0);
    expect(planContentSchema.safeParse(store.get().plan).success).toBe(true);
  });

  it('refuses to collapse a screw below the minimum length', () => {
    const store = createPlanStore(planWith([A()]));
    store.apply(moveScrewEnd('a', 'tip', [79, 0, 0], 'Drag'));
    expect(store.screw('a')!.lengthMm).toBe(80);
    expect(store.get().canUndo).toBe(false);
  });
});

// ---- properties -----------------------------------------------------------------------

const vecArb = fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }));
const editArb = fc.oneof(
  fc.record({ kind: fc.constant('tip' as const), id: fc.constantFrom('a', 'b'), p: vecArb }),
  fc.record({ kind: fc.constant('move' as const), id: fc.constantFrom('a', 'b'), p: vecArb }),
  fc.record({ kind: fc.constant('margin' as const), v: fc.double({ min: 0, max: 5, noNaN: true }) }),
  fc.record({ kind: fc.constant('remove' as const), id: fc.constantFrom('a', 'b') }),
);
type EditSpec = typeof editArb extends fc.Arbitrary<infer T> ? T : never;
const toEdit = (e: EditSpec) => {
  switch (e.kind) {
    case 'tip': return moveScrewEnd(e.id, 'tip', [e.p[0] - 100, e.p[1], e.p[2]], 'tip');
    case 'move': return translateScrew(e.id, e.p, 'move');
    case 'margin': return setSettings({ safetyMarginMm: e.v }, 'margin');
    case 'remove': return removeScrew(e.id, 'remove');
  }
};

describe('plan store properties', () => {
  it('undo after n edits restores the start; redo re-applies them all', () => {
    fc.assert(fc.property(fc.array(editArb, { maxLength: 25 }), (edits) => {
      const store = createPlanStore(planWith([A(), B()]));
      const start = JSON.stringify(store.get().plan);
      for (const e of edits) store.apply(toEdit(e));
      const end = JSON.stringify(store.get().plan);
      while (store.get().canUndo) store.undo();
      expect(JSON.stringify(store.get().plan)).toBe(start);
      while (store.get().canRedo) store.redo();
      expect(JSON.stringify(store.get().plan)).toBe(end);
    }));
  });

  it('coalescing: any run of keyed edits undoes in one step per key run', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), vecArb), { minLength: 1, maxLength: 30 }), (steps) => {
      const store = createPlanStore(planWith([A()]));
      // Documents at the start of each run of equal keys (a run = one drag).
      const runStarts: string[] = [];
      let lastKey: number | null = null;
      for (const [key, p] of steps) {
        const before = JSON.stringify(store.get().plan);
        store.apply(moveScrewEnd('a', 'tip', [p[0] - 100, p[1], p[2]], 'drag'), { coalesceKey: `drag:${key}` });
        const changed = JSON.stringify(store.get().plan) !== before;
        if (changed && key !== lastKey) runStarts.push(before);
        if (changed) lastKey = key;
      }
      for (let i = runStarts.length - 1; i >= 0; i--) {
        store.undo();
        expect(JSON.stringify(store.get().plan)).toBe(runStarts[i]);
      }
      expect(store.get().canUndo).toBe(false);
    }));
  });

  it('a new edit after undo clears redo', () => {
    fc.assert(fc.property(fc.array(editArb, { minLength: 2, maxLength: 10 }), vecArb, (edits, p) => {
      const store = createPlanStore(planWith([A(), B()]));
      for (const e of edits) store.apply(toEdit(e));
      store.undo();
      const before = JSON.stringify(store.get().plan);
      store.apply(translateScrew('a', [p[0] + 0.5, p[1], p[2]], 'x'));
      if (JSON.stringify(store.get().plan) !== before) expect(store.get().canRedo).toBe(false);
    }));
  });
});

describe('shown status (issue #6: one repaint per drag move)', () => {
  it('keeps the last status for the grace after a move, then shows pending once (one emit); the true status is pending throughout', () => {
    vi.useFakeTimers();
    try {
      let t = 1000;
      const store = createPlanStore(planWith([A()]), { staleShownMs: 200, now: () => t });
      let emits = 0;
      store.subscribe(() => emits++);
      expect(store.shownStatusOf!('a')).toBe('pending'); // never checked: nothing to hold
      store.setEvaluation('a', evaluation('a', [check('clearance', false, 'foramenS1Left')]));
      expect(store.shownStatusOf!('a')).toBe('failed');
      store.apply(translateScrew('a', [0, 1, 0], 'Drag'), { coalesceKey: 'd' });
      expect(store.statusOf('a')).toBe('pending');
      expect(store.shownStatusOf!('a')).toBe('failed');
      t += 150;
      store.apply(translateScrew('a', [0, 1, 0], 'Drag'), { coalesceKey: 'd' });
      // The grace runs from the first move that lost the result, not from the latest move.
      t += 60;
      expect(store.shownStatusOf!('a')).toBe('pending');
      emits = 0;
      vi.advanceTimersByTime(250);
      expect(emits).toBe(1);
      expect(store.shownStatusOf!('a')).toBe('pending');
      // A new result ends it; the next move holds the new status.
      store.setEvaluation('a', evaluation('a', [check('clearance', true, 'foramenS1Left')]));
      expect(store.shownStatusOf!('a')).toBe('ok');
      store.apply(translateScrew('a', [0, 1, 0], 'Drag'), { coalesceKey: 'd' });
      expect(store.shownStatusOf!('a')).toBe('ok');
      expect(store.statusOf('a')).toBe('pending');
      // reset drops every held status
      store.reset(planWith([A()]));
      expect(store.shownStatusOf!('a')).toBe('pending');
      store.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
