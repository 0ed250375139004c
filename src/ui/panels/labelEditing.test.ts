import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../../core/geometry/vec3';
import { PlannerError } from '../../core/shared/errors';
import type { ViewerChange } from '../../viewer/ViewerPort';
import type { PlanningSession } from '../session/PlanningSession';
import { createLabelEditing } from './labelEditing';

/** A session that records calls and keeps an engine-like edit history (one entry per non-empty edit). */
function fakeSession(opts: { changedPerDab?: (n: number) => number; badSeed?: boolean; noBoneBrush?: boolean; boneOutOfReachAt?: number } = {}) {
  const calls: string[] = [];
  let history = 0;
  let undone = 0;
  let dabs = 0;
  const session = {
    async growLesion(seedLps: Vec3) {
      calls.push(`grow ${seedLps.join(',')}`);
      if (opts.badSeed) throw new PlannerError('segmentation/bad-seed', 'seed at (1, 2, 3) is outside the bone envelope');
      history++;
      undone = 0;
      return { status: 'ok' as const, volumeMl: 10, changedVoxels: 5000, message: 'Lesion 10.0 ml segmented.' };
    },
    async paintLesion(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase') {
      await new Promise((r) => setTimeout(r, 1));
      const changed = opts.changedPerDab ? opts.changedPerDab(dabs++) : 100;
      calls.push(`paint ${mode} ${radiusMm} ${centerLps[0]}`);
      if (changed > 0) {
        history++;
        undone = 0;
      }
      return { changedVoxels: changed };
    },
    async paintBone(centerLps: Vec3, radiusMm: number, mode: 'add' | 'erase') {
      await new Promise((r) => setTimeout(r, 1));
      calls.push(`bone ${mode} ${radiusMm} ${centerLps[0]}`);
      if (centerLps[0] === opts.boneOutOfReachAt) throw new PlannerError('segmentation/bad-seed', 'no bone within 10 mm of the bone brush: it extends the nearest bone part; start painting next to the bone');
      history++;
      undone = 0;
      return { changedVoxels: 100, partLabel: mode === 'add' ? 1 : null, changedMlByPart: [[1, mode === 'add' ? 0.1 : -0.1]] as Array<[number, number]> };
    },
    async undoLabels() {
      calls.push('undo');
      if (history === 0) return false;
      history--;
      undone++;
      return true;
    },
    async redoLabels() {
      calls.push('redo');
      if (undone === 0) return false;
      undone--;
      history++;
      return true;
    },
  };
  if (opts.noBoneBrush) delete (session as { paintBone?: unknown }).paintBone;
  return { session: session as unknown as PlanningSession, calls, depth: () => history };
}

function fakeViewer() {
  const listeners = new Set<(c: ViewerChange) => void>();
  return {
    subscribe(l: (c: ViewerChange) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    emit(c: ViewerChange) {
      for (const l of listeners) l(c);
    },
  };
}

const dab = (phase: 'start' | 'dab' | 'end', x: number, mode: 'add' | 'erase' = 'add'): ViewerChange => ({ kind: 'labelStroke', view: 'axial', phase, mode, pointLps: [x, 0, 0], radiusMm: 4 });

describe('label editing', () => {
  it('with the bone target, a stroke goes to the bone brush (the target is taken at the stroke start), says what it changed per part, and undoes as one step', async () => {
    const s = fakeSession();
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    expect(editing.getState()).toMatchObject({ brushTarget: 'lesion', canPaintBone: true });
    editing.setBrushTarget('bone');
    v.emit(dab('start', 0));
    v.emit(dab('dab', 0));
    // Switching during a stroke does not split it: the stroke keeps its target.
    editing.setBrushTarget('lesion');
    v.emit(dab('dab', 1));
    v.emit(dab('end', 1));
    await editing.idle();
    expect(s.calls).toEqual(['bone add 4 0', 'bone add 4 1']);
    expect(editing.getState().message).toBe('Bone brush: +0.20 ml sacrum. The fields are rebuilt; structures are not detected again.');
    expect(await editing.undo()).toBe(true);
    expect(s.depth()).toBe(0);
    expect(editing.getState().message).toBe('Undo: bone brush stroke');
    // The next stroke is the lesion's again.
    v.emit(dab('start', 2));
    v.emit(dab('dab', 2));
    v.emit(dab('end', 2));
    await editing.idle();
    expect(s.calls.at(-1)).toBe('paint add 4 2');
  });

  it('a bone dab with no bone within reach is refused with the reason; a session without a bone brush keeps the lesion target', async () => {
    const s = fakeSession({ boneOutOfReachAt: 7 });
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    editing.setBrushTarget('bone');
    v.emit(dab('start', 7));
    v.emit(dab('dab', 7));
    v.emit(dab('end', 7));
    await editing.idle();
    expect(editing.getState().messageKind).toBe('error');
    expect(editing.getState().message).toBe('The bone brush could not be applied here: no bone within 10 mm of the bone brush: it extends the nearest bone part; start painting next to the bone');
    expect(editing.getState().canUndo).toBe(false);

    const plain = fakeSession({ noBoneBrush: true });
    const editing2 = createLabelEditing({ session: plain.session, viewer: fakeViewer() });
    expect(editing2.getState().canPaintBone).toBe(false);
    editing2.setBrushTarget('bone');
    expect(editing2.getState().brushTarget).toBe('lesion');
  });

  it('sends dabs in order and undoes a whole stroke as one step', async () => {
    const s = fakeSession({ changedPerDab: (n) => (n === 1 ? 0 : 50) });
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    v.emit(dab('start', 0));
    for (let x = 0; x < 4; x++) v.emit(dab('dab', x));
    v.emit(dab('end', 3));
    await editing.idle();
    expect(s.calls).toEqual(['paint add 4 0', 'paint add 4 1', 'paint add 4 2', 'paint add 4 3']);
    expect(s.depth()).toBe(3);
    expect(editing.getState().canUndo).toBe(true);
    expect(await editing.undo()).toBe(true);
    expect(s.depth()).toBe(0);
    expect(s.calls.filter((c) => c === 'undo')).toHaveLength(3);
    expect(editing.getState()).toMatchObject({ canUndo: false, canRedo: true, busy: false });
    expect(await editing.redo()).toBe(true);
    expect(s.depth()).toBe(3);
  });

  it('undoes a lesion click and a stroke separately, last first', async () => {
    const s = fakeSession();
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    v.emit({ kind: 'labelPick', view: 'axial', pointLps: [1, 2, 3] });
    v.emit(dab('start', 0, 'erase'));
    v.emit(dab('dab', 0, 'erase'));
    v.emit(dab('dab', 1, 'erase'));
    v.emit(dab('end', 1, 'erase'));
    await editing.idle();
    expect(editing.getState().lastClick).toMatchObject({ status: 'ok', volumeMl: 10, seedLps: [1, 2, 3] });
    await editing.undo();
    expect(s.depth()).toBe(1);
    await editing.undo();
    expect(s.depth()).toBe(0);
    expect(await editing.undo()).toBe(false);
  });

  it('reports a click outside bone as a refusal, with nothing to undo', async () => {
    const s = fakeSession({ badSeed: true });
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    v.emit({ kind: 'labelPick', view: 'coronal', pointLps: [0, -200, 0] });
    await editing.idle();
    const st = editing.getState();
    expect(st.messageKind).toBe('error');
    expect(st.message).toMatch(/not inside bone/);
    expect(st.message).not.toMatch(/\(1, 2, 3\)/);
    expect(st.message).toMatch(/Nothing changed/);
    expect(st.canUndo).toBe(false);
  });

  it('forgets its steps when a new series opens', async () => {
    const s = fakeSession();
    const v = fakeViewer();
    const editing = createLabelEditing({ session: s.session, viewer: v });
    v.emit({ kind: 'labelPick', view: 'axial', pointLps: [1, 2, 3] });
    await editing.idle();
    editing.reset();
    expect(editing.getState().canUndo).toBe(false);
    expect(await editing.undo()).toBe(false);
    expect(s.calls).not.toContain('undo');
  });
});
