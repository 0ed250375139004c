import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultCatalog } from '../../core/planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS } from '../../core/planning/types';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import { createPlanStore } from './createPlanStore';
import { createPlanAutosave, checkRecord } from './planAutosave';
import { createMemoryPlanRecords, type PlanRecordStore } from './planRecords';
import { addScrews, emptyPlanContent, translateScrew } from './planEdits';

const UID = '1.2.840.1';
const series: PlanContent['series'] = {
  studyInstanceUid: '1.2', seriesInstanceUid: UID, frameOfReferenceUid: null, description: null,
  geometry: { dims: [20, 20, 10], spacingMm: [0.8, 0.8, 1.5], originLps: [0, 0, 0], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
};
const grid = { dims: [20, 20, 10], spacingMm: [0.8, 0.8, 1.5] };
const screw: PlanScrew = {
  id: 's1', corridorId: 'iliosacralS1', side: 'left', entryLps: [80, 0, 0], tipLps: [0, 0, 0], diameterMm: 7.3, lengthMm: 80,
  catalogId: 'cannulated-7.3', skinEntryLps: null,
};
const fresh = (): PlanContent => emptyPlanContent(series, defaultCatalog(), { ...DEFAULT_PLAN_SETTINGS });

class FakeTarget {
  visibilityState: DocumentVisibilityState = 'visible';
  private l = new Map<string, Set<() => void>>();
  addEventListener(type: string, fn: () => void): void { (this.l.get(type) ?? this.l.set(type, new Set()).get(type)!).add(fn); }
  removeEventListener(type: string, fn: () => void): void { this.l.get(type)?.delete(fn); }
  fire(type: string): void { for (const fn of this.l.get(type) ?? []) fn(); }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe('plan autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('saves nothing until attached, then the plan of the attached series, throttled', async () => {
    const records = createMemoryPlanRecords();
    const store = createPlanStore();
    const autosave = createPlanAutosave({ store, records, throttleMs: 300 });
    store.reset(fresh());
    await vi.advanceTimersByTimeAsync(1000);
    expect(records.raw.size).toBe(0);
    autosave.attach(UID);
    await vi.advanceTimersByTimeAsync(300);
    expect(autosave.getStatus()).toMatchObject({ state: 'saved', savedRevision: store.get().revision });
    // A long drag: saved while it goes on, not only when it stops.
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    for (let i = 0; i < 20; i++) {
      store.apply(translateScrew('s1', [0.1, 0, 0], 'Drag'), { coalesceKey: 'drag:1' });
      await vi.advanceTimersByTimeAsync(100);
    }
    const saved = records.raw.get(UID) as { revision: number; plan: PlanContent };
    expect(saved.revision).toBeGreaterThan(store.get().revision - 5);
    await vi.advanceTimersByTimeAsync(300);
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(store.get().revision);
    expect((records.raw.get(UID) as { plan: PlanContent }).plan.screws[0]!.entryLps[0]).toBeCloseTo(82, 9);
    autosave.dispose();
  });

  it('pagehide and visibilitychange to hidden write the last change at once', async () => {
    const records = createMemoryPlanRecords();
    const store = createPlanStore(fresh());
    const win = new FakeTarget();
    const doc = new FakeTarget();
    const autosave = createPlanAutosave({ store, records, throttleMs: 10_000, windowTarget: win as unknown as Window, documentTarget: doc as unknown as Document });
    autosave.attach(UID);
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    win.fire('pagehide');
    await settle();
    expect((records.raw.get(UID) as { plan: PlanContent }).plan.screws).toHaveLength(1);
    store.apply(translateScrew('s1', [1, 0, 0], 'Nudge'));
    doc.visibilityState = 'hidden';
    doc.fire('visibilitychange');
    await settle();
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(store.get().revision);
    autosave.dispose();
  });

  it('waits while a screw is dragged: written when the drag ends or the hand rests; pagehide still writes at once', async () => {
    const records = createMemoryPlanRecords();
    const store = createPlanStore(fresh());
    const win = new FakeTarget();
    let dragging = false;
    const autosave = createPlanAutosave({ store, records, throttleMs: 300, idleMs: 1000, busy: () => dragging, windowTarget: win as unknown as Window });
    autosave.attach(UID);
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    await vi.advanceTimersByTimeAsync(300);
    const before = store.get().revision;
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(before);
    const put = vi.spyOn(records, 'put');
    // A 3 s drag, one move every 100 ms: nothing written while it goes on.
    dragging = true;
    for (let i = 0; i < 30; i++) {
      store.apply(translateScrew('s1', [0.1, 0, 0], 'Drag'), { coalesceKey: 'drag:1' });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(put).not.toHaveBeenCalled();
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(before);
    expect(autosave.getStatus().state).toBe('pending');
    // The hand rests mid-drag (button still down): written after idleMs.
    await vi.advanceTimersByTimeAsync(1000);
    expect(put).toHaveBeenCalledTimes(1);
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(store.get().revision);
    // More moves, then the drag ends: the final state is written within one throttle period.
    for (let i = 0; i < 5; i++) {
      store.apply(translateScrew('s1', [0.1, 0, 0], 'Drag'), { coalesceKey: 'drag:1' });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(put).toHaveBeenCalledTimes(1);
    dragging = false;
    await vi.advanceTimersByTimeAsync(300);
    expect(put).toHaveBeenCalledTimes(2);
    const saved = records.raw.get(UID) as { revision: number; plan: PlanContent };
    expect(saved.revision).toBe(store.get().revision);
    expect(saved.plan.screws[0]!.entryLps[0]).toBeCloseTo(83.5, 9);
    // A tab closed mid-drag: pagehide writes the state of the moment, busy or not.
    dragging = true;
    store.apply(translateScrew('s1', [0.1, 0, 0], 'Drag'), { coalesceKey: 'drag:2' });
    win.fire('pagehide');
    await settle();
    expect(put).toHaveBeenCalledTimes(3);
    expect((records.raw.get(UID) as { revision: number }).revision).toBe(store.get().revision);
    autosave.dispose();
  });

  it('restores a saved plan for the same series and grid', async () => {
    const records = createMemoryPlanRecords();
    const store = createPlanStore(fresh());
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    const a = createPlanAutosave({ store, records, now: () => new Date('2026-03-01T10:15:00Z') });
    a.attach(UID);
    await a.flush();
    a.dispose();
    const b = createPlanAutosave({ store: createPlanStore(), records });
    const outcome = await b.restore(UID, grid);
    expect(outcome).toMatchObject({ kind: 'restored', savedAtIso: '2026-03-01T10:15:00.000Z' });
    expect(outcome.kind === 'restored' && outcome.plan.screws[0]!.id).toBe('s1');
    expect(await b.restore('other-series', grid)).toEqual({ kind: 'none' });
  });

  it('a corrupt record is set aside with the reason and never restored; the next save does not lose it', async () => {
    const records = createMemoryPlanRecords();
    records.raw.set(UID, { seriesUid: UID, savedAtIso: '2026-03-01T10:15:00Z', revision: 3, plan: { ...fresh(), screws: [{ ...screw, diameterMm: -1 }] } });
    const store = createPlanStore();
    const a = createPlanAutosave({ store, records });
    const outcome = await a.restore(UID, grid);
    expect(outcome.kind).toBe('setAside');
    expect(outcome.kind === 'setAside' && outcome.reason).toMatch(/screws\.0\.diameterMm/);
    expect(records.aside).toHaveLength(1);
    expect(await records.listAside(UID)).toHaveLength(1);
    store.reset(fresh());
    a.attach(UID);
    await a.flush();
    expect((records.aside[0]!.record as { revision: number }).revision).toBe(3);
  });

  it('attaching after a restore does not rewrite the record (its save time stays the last change)', async () => {
    const records = createMemoryPlanRecords();
    records.raw.set(UID, { seriesUid: UID, savedAtIso: '2026-03-01T10:15:00.000Z', revision: 7, plan: fresh() });
    const store = createPlanStore();
    const a = createPlanAutosave({ store, records, throttleMs: 10 });
    const outcome = await a.restore(UID, grid);
    expect(outcome.kind).toBe('restored');
    if (outcome.kind !== 'restored') return;
    store.reset(outcome.plan);
    a.attach(UID, { revision: store.get().revision, savedAtIso: outcome.savedAtIso });
    await vi.advanceTimersByTimeAsync(100);
    expect((records.raw.get(UID) as { savedAtIso: string }).savedAtIso).toBe('2026-03-01T10:15:00.000Z');
    expect(a.getStatus()).toMatchObject({ state: 'saved', savedRevision: store.get().revision });
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    await vi.advanceTimersByTimeAsync(100);
    expect((records.raw.get(UID) as { plan: PlanContent }).plan.screws).toHaveLength(1);
  });

  it('a plan made on another grid is not restored', () => {
    const rec = { seriesUid: UID, savedAtIso: '2026-03-01T10:15:00Z', revision: 1, plan: fresh() };
    expect(checkRecord(rec, UID, grid)).toBeNull();
    expect(checkRecord(rec, UID, { dims: [20, 20, 11], spacingMm: grid.spacingMm })).toMatch(/grid/);
    expect(checkRecord('garbage', UID)).toMatch(/not an object/);
    expect(checkRecord({ ...rec, seriesUid: 'x' }, UID)).toMatch(/series x/);
  });

  it('an IndexedDB failure on read reports unavailable; a failed write is reported and retried', async () => {
    const failing: PlanRecordStore = {
      get: () => Promise.reject(new Error('QuotaExceededError')),
      put: vi.fn().mockRejectedValueOnce(new Error('disk full')).mockResolvedValue(undefined),
      putAside: () => Promise.resolve(),
      listAside: () => Promise.resolve([]),
      close() {},
    };
    const store = createPlanStore(fresh());
    const a = createPlanAutosave({ store, records: failing, throttleMs: 50 });
    expect(await a.restore(UID)).toMatchObject({ kind: 'unavailable' });
    a.attach(UID);
    await a.flush();
    expect(a.getStatus()).toMatchObject({ state: 'error', error: expect.stringMatching(/disk full/) });
    store.apply(addScrews([screw], { replace: false, structures: null, label: 'Add' }));
    await vi.advanceTimersByTimeAsync(60);
    expect(a.getStatus()).toMatchObject({ state: 'saved', savedRevision: store.get().revision });
  });

  it('does not write the plan of another series than the attached one', async () => {
    const records = createMemoryPlanRecords();
    const store = createPlanStore(fresh());
    const a = createPlanAutosave({ store, records });
    a.attach('another');
    await a.flush();
    expect(records.raw.size).toBe(0);
  });
});
