/**
 * Contract of the plan store: the one place that holds the plan as plain
 * data (the plan file's content, core/report/planSchema.ts PlanContent) plus
 * the latest evaluation of each screw. Everything on screen (screw list, MPR
 * overlays, trajectory views, 3D scene, report) is drawn from it; every change
 * goes through `apply` so that undo/redo and autosave see it.
 *
 * `createPlanStore` (planStore.ts) implements it. Shared by several modules:
 * change it additively, and say so in the commit.
 */
import type { ScrewEvaluation } from '../../core/planning/types';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';

/** How a screw stands, readable without colour (icon and text go with the colour). */
export type ScrewStatus = 'pending' | 'ok' | 'overridden' | 'failed';

export type PlanState = {
  /** null until a series is open. */
  plan: PlanContent | null;
  /** Latest evaluation per screw id (absent while pending). Derived: not saved, not undone. */
  evaluations: Readonly<Record<string, ScrewEvaluation>>;
  selectedScrewId: string | null;
  /** Monotonic; increments on every change of `plan`. */
  revision: number;
  canUndo: boolean;
  canRedo: boolean;
};

/** A change of the plan document, with a label for the undo menu ("Move S1 left tip"). */
export type PlanEdit = { label: string; update: (plan: PlanContent) => PlanContent };

export interface PlanStore {
  get(): Readonly<PlanState>;
  subscribe(listener: (state: Readonly<PlanState>) => void): () => void;
  /** Replaces the document (new series, restored autosave, imported file): clears the history. */
  reset(plan: PlanContent | null): void;
  /**
   * Applies an edit. `coalesceKey`: consecutive edits with the same key (one drag)
   * make a single undo step.
   */
  apply(edit: PlanEdit, options?: { coalesceKey?: string }): void;
  undo(): void;
  redo(): void;
  select(screwId: string | null): void;
  setEvaluation(screwId: string, evaluation: ScrewEvaluation | null): void;
  statusOf(screwId: string): ScrewStatus;
  /**
   * The status to paint (added for issue #6, additive): equal to `statusOf`, except that a screw
   * that just lost its evaluation (a drag move, an edit) keeps showing its last status for a short
   * grace (STALE_SHOWN_MS in createPlanStore.ts) so that a drag repaints once per move, not twice;
   * past the grace it shows 'pending'. The store emits once when a grace runs out. Optional:
   * callers fall back to `statusOf`.
   */
  shownStatusOf?(screwId: string): ScrewStatus;
  screw(screwId: string): PlanScrew | null;
  dispose(): void;
}
