/**
 * Autosave of the plan, per series, so that a closed or crashed tab loses no
 * plan (issue #8):
 *
 * - Writes are throttled, not debounced: the first change after a save
 *   starts a timer (`throttleMs`), and the document current when it fires is
 *   written. A long drag is therefore saved every `throttleMs`, not only when
 *   it stops. One write is in flight at a time; changes during it are written
 *   right after it.
 * - Off the drag path: while `busy()` says a screw is being dragged, a due
 *   write waits until the drag ends, or until the plan has not changed for
 *   `idleMs` (a hand resting mid-drag is saved). Each write clones the whole
 *   plan (structure models included) on the main thread and IndexedDB's
 *   commit competes with the drag's frames (issue #6). A tab killed mid-drag
 *   restores the plan as it was before the drag (or at its last rest); a tab
 *   closed or hidden mid-drag still writes its current state at once.
 * - `pagehide` and `visibilitychange` (hidden) flush at once: a tab that is
 *   closed, reloaded, or hidden before being killed writes its last state.
 * - Nothing is written for a series until `attach(seriesUid)` (called after
 *   `restore` has decided): an empty plan never overwrites a saved one, and a
 *   record that could not be read (IndexedDB error) is never overwritten:
 *   the caller does not attach then, and autosave stays off for that series.
 * - `restore` validates the record (zod planContentSchema, same series, same
 *   grid). A record that fails is moved to the "aside" store with the reason
 *   (never dropped silently) and reported; it never replaces the open plan.
 */
import { planContentSchema, type PlanContent } from '../../core/report/planSchema';
import type { PlanStore } from './PlanStore';
import type { PlanRecordStore } from './planRecords';

export type RestoreOutcome =
  | { kind: 'none' }
  | { kind: 'restored'; plan: PlanContent; savedAtIso: string }
  /** The record could not be used; it was kept aside (or, if even that failed, left where it was). */
  | { kind: 'setAside'; reason: string; savedAtIso: string | null; keptAside: boolean }
  /** IndexedDB itself failed: nothing was read, nothing will be written. */
  | { kind: 'unavailable'; reason: string };

export type AutosaveState = 'off' | 'idle' | 'pending' | 'saving' | 'saved' | 'error';

export type AutosaveStatus = {
  state: AutosaveState;
  seriesUid: string | null;
  /** Store revision of the last completed write (null before the first). */
  savedRevision: number | null;
  savedAtIso: string | null;
  error: string | null;
};

export type PlanAutosave = {
  /** Reads and checks the record of a series. Call before `attach`. */
  restore(seriesUid: string, expectedGrid?: { dims: readonly number[]; spacingMm: readonly number[] }): Promise<RestoreOutcome>;
  /**
   * Starts saving the store's plan for this series (null: stop). Saves the current plan soon,
   * unless `restored` says the store holds exactly what the record has (then the record keeps
   * its save time: "restored the plan saved at" stays the time of the last change).
   */
  attach(seriesUid: string | null, restored?: { revision: number; savedAtIso: string }): void;
  /** Writes the current plan now if it changed since the last write. */
  flush(): Promise<void>;
  getStatus(): Readonly<AutosaveStatus>;
  subscribe(listener: (status: Readonly<AutosaveStatus>) => void): () => void;
  dispose(): void;
};

export type PlanAutosaveOptions = {
  store: PlanStore;
  records: PlanRecordStore;
  throttleMs?: number;
  /** True while an edit is under way that should not be interrupted by a write (a screw drag); see the header. */
  busy?: () => boolean;
  /** While busy, a change this old is written anyway (ms; default 1000). */
  idleMs?: number;
  /** Receives pagehide (window); omit in node tests. */
  windowTarget?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
  documentTarget?: Pick<Document, 'addEventListener' | 'removeEventListener' | 'visibilityState'> | null;
  now?: () => Date;
};

export function createPlanAutosave(options: PlanAutosaveOptions): PlanAutosave {
  const { store, records } = options;
  const throttleMs = options.throttleMs ?? 300;
  const idleMs = options.idleMs ?? 1000;
  const busy = options.busy ?? (() => false);
  /** When the store last changed (Date.now: fake timers in the tests move it). */
  let lastChangeAt = 0;
  const now = options.now ?? (() => new Date());
  let status: AutosaveStatus = { state: 'off', seriesUid: null, savedRevision: null, savedAtIso: null, error: null };
  const listeners = new Set<(s: Readonly<AutosaveStatus>) => void>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let inFlight: Promise<void> | null = null;
  /** Revision written last (or being written) for the attached series. */
  let writtenRevision: number | null = null;
  let disposed = false;

  const setStatus = (patch: Partial<AutosaveStatus>): void => {
    status = { ...status, ...patch };
    for (const l of [...listeners]) l(status);
  };

  const planToSave = (): { plan: PlanContent; revision: number } | null => {
    const s = store.get();
    if (!status.seriesUid || !s.plan || s.plan.series.seriesInstanceUid !== status.seriesUid) return null;
    if (s.revision === writtenRevision) return null;
    return { plan: s.plan, revision: s.revision };
  };

  const writeNow = (): Promise<void> => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (inFlight) return inFlight.then(() => writeNow());
    const next = planToSave();
    if (!next) return Promise.resolve();
    const seriesUid = status.seriesUid!;
    const savedAtIso = now().toISOString();
    writtenRevision = next.revision;
    setStatus({ state: 'saving' });
    inFlight = records
      .put({ seriesUid, savedAtIso, revision: next.revision, plan: next.plan })
      .then(
        () => {
          if (status.seriesUid === seriesUid) setStatus({ state: 'saved', savedRevision: next.revision, savedAtIso, error: null });
        },
        (error: unknown) => {
          // Try again on the next change (and tell the user now).
          writtenRevision = null;
          setStatus({ state: 'error', error: `Autosave failed: ${error instanceof Error ? error.message : String(error)}` });
        },
      )
      .finally(() => {
        inFlight = null;
        if (planToSave()) schedule();
      });
    return inFlight;
  };

  const schedule = (): void => {
    if (disposed || timer !== null || inFlight) return;
    if (!planToSave()) return;
    if (status.state !== 'error') setStatus({ state: 'pending' });
    timer = setTimeout(onTimer, throttleMs);
  };
  const onTimer = (): void => {
    timer = null;
    // A drag under way: wait for its end or for the hand to rest (checked again every throttleMs).
    const sinceChange = Date.now() - lastChangeAt;
    if (!disposed && busy() && sinceChange < idleMs) {
      timer = setTimeout(onTimer, Math.max(1, Math.min(throttleMs, idleMs - sinceChange)));
      return;
    }
    void writeNow();
  };

  const unsubscribe = store.subscribe(() => {
    lastChangeAt = Date.now();
    schedule();
  });
  const onPageHide = (): void => void writeNow();
  const onVisibility = (): void => {
    if (options.documentTarget?.visibilityState === 'hidden') void writeNow();
  };
  options.windowTarget?.addEventListener('pagehide', onPageHide);
  options.documentTarget?.addEventListener('visibilitychange', onVisibility);

  return {
    async restore(seriesUid, expectedGrid) {
      let raw: unknown;
      try {
        raw = await records.get(seriesUid);
      } catch (error) {
        return { kind: 'unavailable', reason: error instanceof Error ? error.message : String(error) };
      }
      if (raw === undefined) return { kind: 'none' };
      const problem = checkRecord(raw, seriesUid, expectedGrid);
      const savedAtIso = typeof (raw as { savedAtIso?: unknown })?.savedAtIso === 'string' ? (raw as { savedAtIso: string }).savedAtIso : null;
      if (problem === null) {
        const r = raw as { plan: unknown; savedAtIso: string };
        return { kind: 'restored', plan: planContentSchema.parse(r.plan), savedAtIso: r.savedAtIso };
      }
      try {
        await records.putAside({ seriesUid, reason: problem, setAsideAtIso: now().toISOString(), record: raw });
        return { kind: 'setAside', reason: problem, savedAtIso, keptAside: true };
      } catch (error) {
        return { kind: 'setAside', reason: `${problem} (could not be set aside: ${error instanceof Error ? error.message : String(error)})`, savedAtIso, keptAside: false };
      }
    },
    attach(seriesUid, restored) {
      if (timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
      writtenRevision = seriesUid && restored ? restored.revision : null;
      if (seriesUid && restored) setStatus({ state: 'saved', seriesUid, savedRevision: restored.revision, savedAtIso: restored.savedAtIso, error: null });
      else setStatus({ state: seriesUid ? 'idle' : 'off', seriesUid, savedRevision: null, savedAtIso: null, error: null });
      schedule();
    },
    flush: () => writeNow(),
    getStatus: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
      options.windowTarget?.removeEventListener('pagehide', onPageHide);
      options.documentTarget?.removeEventListener('visibilitychange', onVisibility);
      listeners.clear();
    },
  };
}

/** Why a stored record cannot be restored for this series, or null when it can. */
export function checkRecord(raw: unknown, seriesUid: string, expectedGrid?: { dims: readonly number[]; spacingMm: readonly number[] }): string | null {
  if (typeof raw !== 'object' || raw === null) return 'the record is not an object';
  const r = raw as Record<string, unknown>;
  if (r['seriesUid'] !== seriesUid) return `the record is for series ${String(r['seriesUid'])}`;
  if (typeof r['savedAtIso'] !== 'string' || Number.isNaN(Date.parse(r['savedAtIso']))) return 'the record has no valid save time';
  const parsed = planContentSchema.safeParse(r['plan']);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return `the plan does not match the plan format (${first ? `${first.path.join('.') || 'plan'}: ${first.message}` : 'invalid'})`;
  }
  const plan = parsed.data;
  if (plan.series.seriesInstanceUid !== seriesUid) return `the plan names series ${plan.series.seriesInstanceUid}`;
  if (expectedGrid) {
    const g = plan.series.geometry;
    const sameDims = g.dims.every((d, i) => d === expectedGrid.dims[i]);
    const sameSpacing = g.spacingMm.every((s, i) => Math.abs(s - (expectedGrid.spacingMm[i] ?? NaN)) < 1e-3);
    if (!sameDims || !sameSpacing) return `the plan was made on a ${g.dims.join(' x ')} grid, this series is ${expectedGrid.dims.join(' x ')}`;
  }
  return null;
}

/** "14:05" in the user's local time. */
export function formatSavedTime(iso: string): string {
  const d = new Date(iso);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}
