/**
 * The plan store (contract: PlanStore.ts; this file is not planStore.ts because
 * that name differs from the contract's only in case): the plan document as plain,
 * deep-frozen data, its undo/redo history, the selection and the latest
 * evaluation of each screw.
 *
 * - Every document change goes through `apply`; an edit's `update` returns a
 *   new document (the stored one is frozen, so an update that mutates throws
 *   instead of corrupting the history).
 * - History: each step keeps the document before the edit. Consecutive edits
 *   with the same `coalesceKey` (one drag: `drag:<n>`) make one step; any
 *   undo, redo, reset or differently keyed edit closes the step.
 * - Evaluations are derived: a screw whose geometry (ends, diameter, length)
 *   changes, or any screw when the settings change, loses its evaluation and
 *   is 'pending' until the controller sets a new one. Evaluations are not
 *   saved and not undone.
 * - `revision` increments on every change of `plan` (apply, undo, redo, reset).
 */
import type { ScrewEvaluation } from '../../core/planning/types';
import { findOverride, structuresWithoutModelOfPlan } from '../../core/report/fromPlanner';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import { PlannerError } from '../../core/shared/errors';
import type { PlanEdit, PlanState, PlanStore, ScrewStatus } from './PlanStore';

type Step = { label: string; plan: PlanContent; coalesceKey: string | null };

/** Undo steps kept (a drag is one step); the oldest are dropped beyond this. */
export const MAX_UNDO_STEPS = 200;

/**
 * How long (ms) a screw whose geometry changed keeps showing its last status (list row, overlay
 * colour, figures) before it shows "checking". 200 ms: a live check of the full-size phantom answers
 * in ~20-60 ms, so during a drag the last result stays up until the new one replaces it (one
 * repaint per move instead of "checking" then the result); a check that takes longer than about a
 * human reaction time is said to be running, so a stale pass is never shown as current for long.
 */
export const STALE_SHOWN_MS = 200;

export type PlanStoreOptions = { staleShownMs?: number; now?: () => number };

export function createPlanStore(initial: PlanContent | null = null, options: PlanStoreOptions = {}): PlanStore {
  const staleShownMs = options.staleShownMs ?? STALE_SHOWN_MS;
  const now = options.now ?? (() => performance.now());
  let state: PlanState = {
    plan: initial ? deepFreeze(structuredClone(initial)) : null,
    evaluations: Object.freeze({}),
    selectedScrewId: null,
    revision: 0,
    canUndo: false,
    canRedo: false,
  };
  let undoStack: Step[] = [];
  let redoStack: Step[] = [];
  /** Key of the step the next edit may join (null: it starts a new one). */
  let openKey: string | null = null;
  const listeners = new Set<(s: Readonly<PlanState>) => void>();
  let disposed = false;

  const emit = (): void => {
    for (const l of [...listeners]) l(state);
  };

  // ---- shown status: the last settled status, kept for a grace after the screw went pending ----------
  /** Per screw that is pending within its grace: the status it showed before, and since when. */
  const grace = new Map<string, { status: ScrewStatus; sinceMs: number }>();
  let graceTimer: ReturnType<typeof setTimeout> | null = null;
  const armGraceTimer = (): void => {
    if (graceTimer !== null || grace.size === 0 || disposed) return;
    let first = Infinity;
    for (const g of grace.values()) first = Math.min(first, g.sinceMs);
    graceTimer = setTimeout(onGraceTimer, Math.max(1, first + staleShownMs - now()));
  };
  const onGraceTimer = (): void => {
    graceTimer = null;
    if (disposed) return;
    const t = now();
    let expired = false;
    for (const [id, g] of [...grace]) {
      if (t - g.sinceMs < staleShownMs) continue;
      grace.delete(id);
      expired = true;
    }
    armGraceTimer();
    // Same content, new object: the painters re-read the shown status (now 'pending').
    if (expired) {
      state = { ...state };
      emit();
    }
  };
  /** Before a change: the screws that show a settled status now; after it: those that lost it start a grace. */
  const shownBefore = (): Map<string, ScrewStatus> => {
    const m = new Map<string, ScrewStatus>();
    for (const s of state.plan?.screws ?? []) {
      const shown = shownStatusOf(s.id);
      if (shown !== 'pending') m.set(s.id, shown);
    }
    return m;
  };
  const startGraces = (before: Map<string, ScrewStatus>): void => {
    const t = now();
    for (const id of [...grace.keys()]) if (!state.plan || !findScrew(state.plan, id) || statusOfScrew(state, id) !== 'pending') grace.delete(id);
    for (const [id, status] of before) {
      if (grace.has(id) || !state.plan || !findScrew(state.plan, id) || statusOfScrew(state, id) !== 'pending') continue;
      grace.set(id, { status, sinceMs: t });
    }
    armGraceTimer();
  };
  const shownStatusOf = (screwId: string): ScrewStatus => {
    const status = statusOfScrew(state, screwId);
    if (status !== 'pending') return status;
    const g = grace.get(screwId);
    return g && now() - g.sinceMs < staleShownMs ? g.status : 'pending';
  };

  /** Moves to `plan`, keeping only the evaluations and selection that still hold. */
  const setPlan = (plan: PlanContent | null): void => {
    const before = state.plan;
    const evaluations: Record<string, ScrewEvaluation> = {};
    if (plan && before && sameSettings(before, plan) && sameWithoutModel(before, plan)) {
      for (const [id, ev] of Object.entries(state.evaluations)) {
        const a = findScrew(before, id);
        const b = findScrew(plan, id);
        if (a && b && sameGeometry(a, b)) evaluations[id] = ev;
      }
    }
    const selected = state.selectedScrewId && plan && findScrew(plan, state.selectedScrewId) ? state.selectedScrewId : null;
    state = {
      plan,
      evaluations: Object.freeze(evaluations),
      selectedScrewId: selected,
      revision: state.revision + 1,
      canUndo: undoStack.length > 0,
      canRedo: redoStack.length > 0,
    };
  };

  const store: PlanStore = {
    get: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reset(plan) {
      undoStack = [];
      redoStack = [];
      openKey = null;
      grace.clear();
      state = { ...state, evaluations: Object.freeze({}), selectedScrewId: null };
      setPlan(plan ? deepFreeze(structuredClone(plan)) : null);
      emit();
    },
    apply(edit: PlanEdit, options = {}) {
      if (disposed) return;
      const current = state.plan;
      if (!current) throw new PlannerError('assert', `plan edit "${edit.label}" with no plan open`);
      const next = edit.update(current);
      if (next === current) return;
      const key = options.coalesceKey ?? null;
      if (!(key !== null && key === openKey && undoStack.length > 0)) {
        undoStack.push({ label: edit.label, plan: current, coalesceKey: key });
        if (undoStack.length > MAX_UNDO_STEPS) undoStack.shift();
      }
      openKey = key;
      redoStack = [];
      const before = shownBefore();
      setPlan(deepFreeze(next));
      startGraces(before);
      emit();
    },
    undo() {
      const step = undoStack.pop();
      if (!step || !state.plan) return;
      redoStack.push({ label: step.label, plan: state.plan, coalesceKey: null });
      openKey = null;
      const before = shownBefore();
      setPlan(step.plan);
      startGraces(before);
      emit();
    },
    redo() {
      const step = redoStack.pop();
      if (!step || !state.plan) return;
      undoStack.push({ label: step.label, plan: state.plan, coalesceKey: null });
      openKey = null;
      const before = shownBefore();
      setPlan(step.plan);
      startGraces(before);
      emit();
    },
    select(screwId) {
      const id = screwId !== null && state.plan && findScrew(state.plan, screwId) ? screwId : null;
      if (id === state.selectedScrewId) return;
      state = { ...state, selectedScrewId: id };
      emit();
    },
    setEvaluation(screwId, evaluation) {
      if (!state.plan || !findScrew(state.plan, screwId)) return;
      if (evaluation === null && !(screwId in state.evaluations)) return;
      const before = shownBefore();
      const evaluations = { ...state.evaluations };
      if (evaluation) evaluations[screwId] = deepFreeze(structuredClone(evaluation));
      else delete evaluations[screwId];
      state = { ...state, evaluations: Object.freeze(evaluations) };
      startGraces(before);
      emit();
    },
    statusOf(screwId) {
      return statusOfScrew(state, screwId);
    },
    shownStatusOf,
    screw(screwId) {
      return state.plan ? findScrew(state.plan, screwId) : null;
    },
    dispose() {
      disposed = true;
      if (graceTimer !== null) clearTimeout(graceTimer);
      graceTimer = null;
      grace.clear();
      listeners.clear();
      undoStack = [];
      redoStack = [];
    },
  };
  return store;
}

export function findScrew(plan: PlanContent, screwId: string): PlanScrew | null {
  return plan.screws.find((s) => s.id === screwId) ?? null;
}

/**
 * pending: no evaluation for the current geometry; ok: every check passes;
 * overridden: every failed check has an override in the plan; failed otherwise.
 */
export function statusOfScrew(state: Readonly<PlanState>, screwId: string): ScrewStatus {
  const ev = state.evaluations[screwId];
  if (!ev || !state.plan) return 'pending';
  const failed = ev.checks.filter((c) => !c.ok);
  if (failed.length === 0) return ev.ok ? 'ok' : 'failed';
  const overrides = state.plan.overrides;
  return failed.every((c) => findOverride(overrides, screwId, c) !== null) ? 'overridden' : 'failed';
}

export function sameGeometry(a: PlanScrew, b: PlanScrew): boolean {
  return (
    a.entryLps[0] === b.entryLps[0] && a.entryLps[1] === b.entryLps[1] && a.entryLps[2] === b.entryLps[2] &&
    a.tipLps[0] === b.tipLps[0] && a.tipLps[1] === b.tipLps[1] && a.tipLps[2] === b.tipLps[2] &&
    a.diameterMm === b.diameterMm && a.lengthMm === b.lengthMm
  );
}

/**
 * Same structures without a model, for the same reasons (not found / marked absent): the
 * structuresModelled rule reads them, so a change (a structure marked absent, or added) makes every
 * screw pending until checked again.
 */
function sameWithoutModel(a: PlanContent, b: PlanContent): boolean {
  if (a.structures === b.structures && a.structureReview === b.structureReview) return true;
  return JSON.stringify(structuresWithoutModelOfPlan(a)) === JSON.stringify(structuresWithoutModelOfPlan(b));
}

function sameSettings(a: PlanContent, b: PlanContent): boolean {
  if (a.settings === b.settings) return true;
  const ka = Object.keys(a.settings);
  if (ka.length !== Object.keys(b.settings).length) return false;
  return ka.every((k) => a.settings[k] === b.settings[k]);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}
