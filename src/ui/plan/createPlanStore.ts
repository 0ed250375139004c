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
import { findOverride } from '../../core/report/fromPlanner';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import { PlannerError } from '../../core/shared/errors';
import type { PlanEdit, PlanState, PlanStore, ScrewStatus } from './PlanStore';

type Step = { label: string; plan: PlanContent; coalesceKey: string | null };

/** Undo steps kept (a drag is one step); the oldest are dropped beyond this. */
export const MAX_UNDO_STEPS = 200;

export function createPlanStore(initial: PlanContent | null = null): PlanStore {
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

  /** Moves to `plan`, keeping only the evaluations and selection that still hold. */
  const setPlan = (plan: PlanContent | null): void => {
    const before = state.plan;
    const evaluations: Record<string, ScrewEvaluation> = {};
    if (plan && before && sameSettings(before, plan)) {
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
      setPlan(deepFreeze(next));
      emit();
    },
    undo() {
      const step = undoStack.pop();
      if (!step || !state.plan) return;
      redoStack.push({ label: step.label, plan: state.plan, coalesceKey: null });
      openKey = null;
      setPlan(step.plan);
      emit();
    },
    redo() {
      const step = redoStack.pop();
      if (!step || !state.plan) return;
      undoStack.push({ label: step.label, plan: state.plan, coalesceKey: null });
      openKey = null;
      setPlan(step.plan);
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
      const evaluations = { ...state.evaluations };
      if (evaluation) evaluations[screwId] = deepFreeze(structuredClone(evaluation));
      else delete evaluations[screwId];
      state = { ...state, evaluations: Object.freeze(evaluations) };
      emit();
    },
    statusOf(screwId) {
      return statusOfScrew(state, screwId);
    },
    screw(screwId) {
      return state.plan ? findScrew(state.plan, screwId) : null;
    },
    dispose() {
      disposed = true;
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
