/**
 * Label editing between the viewer's label tools and the planning session:
 * a lesion click goes to `session.growLesion`, each brush/eraser dab to
 * `session.paintLesion`, in order, one at a time (a serial queue: a dab never
 * overtakes the previous one, undo waits for the stroke to finish).
 *
 * Undo granularity: the engine keeps one history entry per non-empty edit
 * (a click, or one dab). The user thinks in strokes, so the steps here are a
 * click or a whole stroke, each remembering how many engine edits it made;
 * undo of a step calls `undoLabels` that many times. Steps are forgotten
 * when a new series opens (the engine's history is new too).
 *
 * No DOM: the segmentation panel renders `getState()`.
 */
import type { Vec3 } from '../../core/geometry/vec3';
import { PlannerError } from '../../core/shared/errors';
import { LABELS } from '../../core/shared/ids';
import type { LesionClickResult, LesionStatus, PlanningSession } from '../session/PlanningSession';
import type { ViewerChange, ViewerPort } from '../../viewer/ViewerPort';

export type LabelEditingState = {
  /** An edit is queued or running. */
  busy: boolean;
  canUndo: boolean;
  canRedo: boolean;
  /** Outcome of the last action for the panel ("Lesion 12.3 ml segmented", or why nothing changed). */
  message: string | null;
  /** 'error' when the last action was refused (bad seed, no series); 'warning' for a leak or an outline the user must check (conservative core, bridged cortex); else 'info'. */
  messageKind: 'info' | 'warning' | 'error';
  lastClick: (LesionClickResult & { seedLps: Vec3 }) | null;
  /** Lesion clicks and dabs finished since the series opened, applied or refused (tests wait on it). */
  editsApplied: number;
  /** What the brush and eraser edit: the lesion, or the bone labels (where the threshold missed or took too much). */
  brushTarget: BrushTarget;
  /** The session has a bone brush (fakes may not). */
  canPaintBone: boolean;
};

export type BrushTarget = 'lesion' | 'bone';

export type LabelEditing = {
  getState(): Readonly<LabelEditingState>;
  subscribe(listener: (state: Readonly<LabelEditingState>) => void): () => void;
  undo(): Promise<boolean>;
  redo(): Promise<boolean>;
  /** Resolves when every queued edit has finished. */
  idle(): Promise<void>;
  /** Forget the steps (a new series opened). */
  reset(): void;
  /** Sets what the next brush or eraser stroke edits (a stroke under way keeps its own). */
  setBrushTarget(target: BrushTarget): void;
  dispose(): void;
};

type Step = { edits: number; label: string };

const PART_NAMES: Readonly<Record<number, string>> = {
  [LABELS.sacrum]: 'sacrum',
  [LABELS.hipLeft]: 'left hip bone',
  [LABELS.hipRight]: 'right hip bone',
  [LABELS.femurLeft]: 'left femur',
  [LABELS.femurRight]: 'right femur',
  [LABELS.l5]: 'L5',
};

/** "+1.2 ml sacrum, -0.3 ml left hip bone" for a bone stroke's tally per part label. */
export function boneStrokeText(mlByPart: ReadonlyMap<number, number>): string {
  const parts = [...mlByPart].filter(([, ml]) => Math.abs(ml) >= 0.005).map(([label, ml]) => `${ml > 0 ? '+' : '\u2212'}${Math.abs(ml).toFixed(Math.abs(ml) < 10 ? 2 : 1)} ml ${PART_NAMES[label] ?? `label ${label}`}`);
  return parts.length > 0 ? parts.join(', ') : 'no voxel changed';
}

/** Message for a refused lesion click (PlannerError from the session). */
export function lesionClickErrorMessage(error: unknown): string {
  const code = error instanceof PlannerError ? error.code : null;
  const detail = (error instanceof Error ? error.message : String(error)).replace(/^\[[^\]]+\]\s*/, '');
  if (code === 'segmentation/bad-seed') {
    // The engine names the seed in voxel indices: say it in words instead.
    const where = /outside the .*grid/.test(detail) ? 'that point is outside the image' : 'that point is not inside bone';
    return `Nothing changed: ${where}. Click inside the dark lytic area of the lesion, within the bone.`;
  }
  if (code === 'worker/stale') return 'Nothing changed: the series changed while the lesion was growing.';
  return `Nothing changed: ${detail}`;
}

export function createLabelEditing(deps: { session: PlanningSession; viewer: Pick<ViewerPort, 'subscribe'> }): LabelEditing {
  const { session } = deps;
  const canPaintBone = typeof session.paintBone === 'function';
  let state: LabelEditingState = { busy: false, canUndo: false, canRedo: false, message: null, messageKind: 'info', lastClick: null, editsApplied: 0, brushTarget: 'lesion', canPaintBone };
  const listeners = new Set<(s: Readonly<LabelEditingState>) => void>();
  const done: Step[] = [];
  const undone: Step[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  let pending = 0;
  let epoch = 0;
  let stroke: { edits: number; mode: 'add' | 'erase'; epoch: number; target: BrushTarget; mlByPart: Map<number, number> } | null = null;
  let disposed = false;

  const set = (patch: Partial<LabelEditingState>): void => {
    state = { ...state, ...patch, canUndo: done.length > 0, canRedo: undone.length > 0, busy: pending > 0 };
    for (const l of listeners) l(state);
  };

  /** Runs `task` after every earlier one; errors are reported, never thrown out of the queue. */
  function enqueue<T>(task: () => Promise<T>): Promise<T> {
    pending++;
    set({});
    const run = queue.then(task);
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      pending--;
      set({});
    });
  }

  const pushStep = (step: Step): void => {
    if (step.edits <= 0) return;
    done.push(step);
    undone.length = 0;
  };

  function onPick(pointLps: Vec3): void {
    const myEpoch = epoch;
    void enqueue(async () => {
      try {
        const res = await session.growLesion(pointLps);
        if (myEpoch !== epoch) return;
        if (res.changedVoxels > 0) pushStep({ edits: 1, label: 'lesion click' });
        const kind: LesionStatus = res.status;
        set({ message: res.message, messageKind: kind === 'ok' ? 'info' : 'warning', lastClick: { ...res, seedLps: pointLps }, editsApplied: state.editsApplied + 1 });
      } catch (error) {
        if (myEpoch !== epoch) return;
        set({ message: lesionClickErrorMessage(error), messageKind: 'error', editsApplied: state.editsApplied + 1 });
      }
    });
  }

  function onStroke(change: Extract<ViewerChange, { kind: 'labelStroke' }>): void {
    if (change.phase === 'start') {
      stroke = { edits: 0, mode: change.mode, epoch, target: state.brushTarget === 'bone' && canPaintBone ? 'bone' : 'lesion', mlByPart: new Map() };
      return;
    }
    const current = stroke;
    if (change.phase === 'end') {
      stroke = null;
      if (!current) return;
      void enqueue(async () => {
        if (current.epoch !== epoch) return;
        const what = current.target === 'bone' ? 'bone ' : '';
        pushStep({ edits: current.edits, label: `${what}${current.mode === 'add' ? 'brush' : 'eraser'} stroke` });
        if (current.target === 'bone' && current.edits > 0) set({ message: `Bone ${current.mode === 'add' ? 'brush' : 'eraser'}: ${boneStrokeText(current.mlByPart)}. The fields are rebuilt; structures are not detected again.`, messageKind: 'info' });
        else set({});
      });
      return;
    }
    if (!current) return;
    const { pointLps, radiusMm, mode } = change;
    void enqueue(async () => {
      if (current.epoch !== epoch) return;
      try {
        if (current.target === 'bone' && session.paintBone) {
          const res = await session.paintBone(pointLps, radiusMm, mode);
          if (current.epoch !== epoch) return;
          if (res.changedVoxels > 0) current.edits++;
          for (const [label, ml] of res.changedMlByPart) current.mlByPart.set(label, (current.mlByPart.get(label) ?? 0) + ml);
        } else {
          const res = await session.paintLesion(pointLps, radiusMm, mode);
          if (current.epoch !== epoch) return;
          if (res.changedVoxels > 0) current.edits++;
        }
        set({ editsApplied: state.editsApplied + 1 });
      } catch (error) {
        if (current.epoch !== epoch) return;
        const tool = `${current.target === 'bone' ? 'bone ' : ''}${mode === 'add' ? 'brush' : 'eraser'}`;
        const detail = (error instanceof Error ? error.message : String(error)).replace(/^\[[^\]]+\]\s*/, '');
        set({ message: `The ${tool} could not be applied here: ${detail}`, messageKind: 'error', editsApplied: state.editsApplied + 1 });
      }
    });
  }

  const unsubscribe = deps.viewer.subscribe((change) => {
    if (disposed) return;
    if (change.kind === 'labelPick') onPick(change.pointLps);
    else if (change.kind === 'labelStroke') onStroke(change);
  });

  async function replay(from: Step[], to: Step[], op: () => Promise<boolean>, verb: string): Promise<boolean> {
    return enqueue(async () => {
      const step = from.pop();
      if (!step) return false;
      let n = 0;
      try {
        while (n < step.edits && (await op())) n++;
      } catch (error) {
        set({ message: `${verb} failed: ${error instanceof Error ? error.message : String(error)}`, messageKind: 'error' });
      }
      if (n > 0) to.push({ edits: n, label: step.label });
      if (n === 0) set({ message: `Nothing to ${verb.toLowerCase()}.`, messageKind: 'info' });
      else set({ message: `${verb}: ${step.label}`, messageKind: 'info' });
      return n > 0;
    });
  }

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    undo: () => replay(done, undone, () => session.undoLabels(), 'Undo'),
    redo: () => replay(undone, done, () => session.redoLabels(), 'Redo'),
    idle: () => queue.then(() => undefined),
    setBrushTarget(target) {
      if (target === 'bone' && !canPaintBone) return;
      if (target !== state.brushTarget) set({ brushTarget: target });
    },
    reset() {
      epoch++;
      stroke = null;
      done.length = 0;
      undone.length = 0;
      set({ message: null, messageKind: 'info', lastClick: null, editsApplied: 0 });
    },
    dispose() {
      disposed = true;
      unsubscribe();
      listeners.clear();
    },
  };
}
