/**
 * Editing one critical structure (part of the segmentation panel): its radius
 * (mm), the centre of a foramen or hip joint or a point of a root's or the
 * canal's centreline dragged by its handle in any MPR view (or the centre
 * moved by a click, or typed in L/P/S mm from the keyboard), a foramen
 * detection missed added by a click, a root's centreline redrawn by
 * successive clicks (Done or Enter finishes, Escape cancels).
 *
 * Handles: the viewer draws those of the selected structure
 * (showStructureHandles) and reports drags (structureDrag changes). While a
 * handle is dragged the structure is redrawn at the pointer (the models with
 * the edit applied go to viewer.showStructures, at most once per frame); on
 * release the edit is applied once (one undo step), Escape puts it back.
 *
 * Clicks come from the viewer's 'structurePoint' tool (structurePick changes).
 * Every edit is a pure function of core/anatomy/editStructures.ts applied to the
 * session's current models, then session.setStructures (fields rebuilt, checks
 * re-run); `onEdited` tells the panel (review state 'edited', plan file).
 */
import {
  addForamen,
  EDIT_RADIUS_MAX_MM,
  EDIT_RADIUS_MIN_MM,
  moveCenterlinePoint,
  moveStructureCentre,
  setRootCenterline,
  setStructureRadius,
  structureRadiusMm,
} from '../../core/anatomy/editStructures';
import type { CriticalStructures } from '../../core/anatomy/structures';
import type { Vec3 } from '../../core/geometry/vec3';
import type { ForamenId, RootId, StructureId } from '../../core/shared/ids';
import type { PrimaryTool, StructureHandle, ViewerPort } from '../../viewer/ViewerPort';
import { h } from '../dom';
import type { PlanningSession } from '../session/PlanningSession';
import { structureName } from './structureReview';

export type StructureEditor = {
  element: HTMLElement;
  /** Opens the editor on `id` (null closes it). */
  select(id: StructureId | null): void;
  selected(): StructureId | null;
  /** The models changed (session status): refresh the form. */
  refresh(): void;
  dispose(): void;
};

export type StructureEditorDeps = {
  session: PlanningSession;
  viewer: Pick<ViewerPort, 'subscribe' | 'showStructureHandles' | 'showStructures'>;
  setTool(tool: PrimaryTool): void;
  /** Before the edit is sent: the panel marks the review 'edited'. */
  onEditing(id: StructureId): void;
  /** After the session took it: the panel writes the review and models into the plan. */
  onEdited(id: StructureId, label: string, structures: CriticalStructures): void;
};

type Mode = { kind: 'move' | 'add' } | { kind: 'redraw'; points: Vec3[] } | null;

const isForamen = (id: StructureId): id is ForamenId => id.startsWith('foramen');
const isRoot = (id: StructureId): id is RootId => id.startsWith('root');
const hasCentre = (id: StructureId): boolean => isForamen(id) || id === 'jointLeft' || id === 'jointRight';

/** The draggable points of `id`'s model: its centre (foramen, joint) or each centreline point (root, canal, handle id `id#index`). */
export function structureHandles(s: CriticalStructures, id: StructureId): StructureHandle[] {
  const name = structureName(id);
  const f = s.foramina.find((x) => x.id === id);
  const j = s.joints.find((x) => x.id === id);
  const centre = f ?? j;
  if (centre) return [{ handleId: id, label: `${name} centre`, pointLps: [...centre.centerLps] as Vec3, radiusMm: centre.radiusMm }];
  const tube = id === 'sacralCanal' ? s.sacralCanal : s.roots.find((x) => x.id === id);
  if (!tube) return [];
  return tube.centerlineLps.map((p, i) => ({ handleId: `${id}#${i}`, label: `${name} point ${i + 1}`, pointLps: [p[0], p[1], p[2]] as Vec3, radiusMm: tube.radiusMm }));
}

/** The models with handle `handleId` of `id` at `pointLps`. */
function moveHandle(s: CriticalStructures, id: StructureId, handleId: string, pointLps: Vec3): CriticalStructures {
  const hash = handleId.indexOf('#');
  if (hash < 0) return moveStructureCentre(s, id, pointLps);
  if (!isRoot(id) && id !== 'sacralCanal') throw new Error(`${id} has no centreline`);
  return moveCenterlinePoint(s, id, Number(handleId.slice(hash + 1)), pointLps);
}

export function createStructureEditor(deps: StructureEditorDeps): StructureEditor {
  const { session } = deps;
  let current: StructureId | null = null;
  let mode: Mode = null;
  let busy = false;

  const title = h('div', { class: 'seg-edit-title', attrs: { 'data-testid': 'structure-edit-title' } });
  const radiusInput = h('input', {
    attrs: { type: 'number', min: String(EDIT_RADIUS_MIN_MM), max: String(EDIT_RADIUS_MAX_MM), step: '0.1', 'data-testid': 'structure-radius', 'aria-label': 'Radius in mm' },
  });
  const radiusApply = h('button', { class: 'btn btn-small', text: 'Set radius', attrs: { 'data-action': 'structure-radius-apply' } });
  const radiusRow = h('div', { class: 'seg-row' }, h('label', { class: 'seg-label', text: 'Radius (mm)' }), radiusInput, radiusApply);
  const moveButton = h('button', { class: 'btn btn-small', text: 'Move centre', title: 'Then click the new centre in an image', attrs: { 'data-action': 'structure-move' } });
  const addButton = h('button', { class: 'btn btn-small', text: 'Add by click', title: 'Then click the centre of its anterior opening in an image', attrs: { 'data-action': 'structure-add' } });
  const redrawButton = h('button', { class: 'btn btn-small', text: 'Redraw', title: 'Then click along its course, from the canal outwards; Done (or Enter) finishes', attrs: { 'data-action': 'structure-redraw' } });
  const doneButton = h('button', { class: 'btn btn-small btn-primary', text: 'Done', attrs: { 'data-action': 'structure-redraw-done' } });
  const cancelButton = h('button', { class: 'btn btn-small btn-ghost', text: 'Cancel', attrs: { 'data-action': 'structure-edit-cancel' } });
  const closeButton = h('button', { class: 'btn btn-small btn-ghost', text: 'Close', attrs: { 'data-action': 'structure-edit-close' } });
  const centreInputs = (['L', 'P', 'S'] as const).map((axis) =>
    h('input', { class: 'seg-coord', attrs: { type: 'number', step: '0.5', 'data-testid': `structure-centre-${axis}`, 'aria-label': `Centre ${axis} in mm` } }),
  );
  const centreApply = h('button', { class: 'btn btn-small', text: 'Set centre', attrs: { 'data-action': 'structure-centre-apply' } });
  const centreRow = h('div', { class: 'seg-row' }, h('label', { class: 'seg-label', text: 'Centre L, P, S (mm)' }), ...centreInputs, centreApply);
  const dragHint = h('div', { class: 'seg-hint', attrs: { 'data-testid': 'structure-drag-hint' } });
  const actions = h('div', { class: 'seg-row' }, moveButton, addButton, redrawButton, doneButton, cancelButton, closeButton);
  const message = h('div', { class: 'seg-message', attrs: { 'data-testid': 'structure-edit-message', role: 'status' } });
  const element = h('div', { class: 'seg-structure-edit', attrs: { 'data-testid': 'structure-edit' } }, title, radiusRow, centreRow, dragHint, actions, message);
  element.hidden = true;

  const structures = (): CriticalStructures | null => session.getStatus().structures;

  function say(text: string, kind: 'info' | 'error' = 'info'): void {
    message.textContent = text;
    message.dataset['kind'] = kind;
  }

  function setMode(next: Mode): void {
    mode = next;
    deps.setTool(next ? 'structurePoint' : 'crosshair');
    render();
  }

  async function apply(id: StructureId, label: string, edit: (s: CriticalStructures) => CriticalStructures): Promise<void> {
    const s = structures();
    if (!s) return say('No structures yet: wait for the detection to finish.', 'error');
    let next: CriticalStructures;
    try {
      next = edit(s);
    } catch (error) {
      // A refused drag leaves the preview on screen: back to the models.
      deps.viewer.showStructures(s);
      shownHandlesKey = '';
      render();
      return say(error instanceof Error ? error.message.replace(/^\[[^\]]+\]\s*/, '') : String(error), 'error');
    }
    busy = true;
    render();
    deps.onEditing(id);
    say(`${label}: rebuilding the safety checks…`);
    try {
      await session.setStructures(next);
      deps.onEdited(id, label, next);
      say(`${label}: done; the safety checks are re-run.`);
    } catch (error) {
      say(`${label} failed: ${error instanceof Error ? error.message : String(error)}`, 'error');
      const now = structures();
      if (now) deps.viewer.showStructures(now);
      shownHandlesKey = '';
    } finally {
      busy = false;
      render();
    }
  }

  function applyRadius(): void {
    if (!current) return;
    const id = current;
    const r = Number(radiusInput.value);
    void apply(id, `${structureName(id)} radius ${r} mm`, (s) => setStructureRadius(s, id, r));
  }
  radiusApply.addEventListener('click', applyRadius);
  radiusInput.addEventListener('keydown', (evt) => {
    if (evt.key === 'Enter') applyRadius();
  });
  function applyCentre(): void {
    if (!current || busy) return;
    const id = current;
    const p = centreInputs.map((x) => (x.value.trim() === '' ? Number.NaN : Number(x.value))) as Vec3;
    void apply(id, `Move ${structureName(id)}`, (s) => moveStructureCentre(s, id, p));
  }
  centreApply.addEventListener('click', applyCentre);
  for (const input of centreInputs) {
    input.addEventListener('keydown', (evt) => {
      if (evt.key === 'Enter') applyCentre();
    });
  }
  moveButton.addEventListener('click', () => {
    setMode({ kind: 'move' });
    say('Click the new centre in an image (Escape cancels).');
  });
  addButton.addEventListener('click', () => {
    setMode({ kind: 'add' });
    say('Click the centre of its anterior opening in an image (Escape cancels).');
  });
  redrawButton.addEventListener('click', () => {
    setMode({ kind: 'redraw', points: [] });
    say('Click along the root, from the canal outwards; Done or Enter finishes (Escape cancels).');
  });
  const finishRedraw = (): void => {
    if (!current || mode?.kind !== 'redraw' || !isRoot(current)) return;
    const id = current;
    const points = mode.points;
    setMode(null);
    void apply(id, `Redraw ${structureName(id)}`, (s) => setRootCenterline(s, id, points));
  };
  doneButton.addEventListener('click', finishRedraw);
  const cancel = (): void => {
    setMode(null);
    say('');
  };
  cancelButton.addEventListener('click', cancel);
  closeButton.addEventListener('click', () => editor.select(null));

  const onKey = (evt: KeyboardEvent): void => {
    if (!mode) return;
    const target = evt.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    if (evt.key === 'Enter' && mode.kind === 'redraw') {
      evt.preventDefault();
      finishRedraw();
    } else if (evt.key === 'Escape') cancel();
  };
  window.addEventListener('keydown', onKey);

  // --- handle drags ---------------------------------------------------------------
  let drag: { id: StructureId; handleId: string; base: CriticalStructures; pointLps: Vec3 } | null = null;
  let previewFrame = 0;
  const showPreview = (): void => {
    previewFrame = 0;
    if (!drag) return;
    try {
      deps.viewer.showStructures(moveHandle(drag.base, drag.id, drag.handleId, drag.pointLps));
    } catch {
      // A point that cannot be applied (on top of its neighbour) is refused on release, with the reason.
    }
  };
  function onDrag(change: Extract<Parameters<Parameters<ViewerPort['subscribe']>[0]>[0], { kind: 'structureDrag' }>): void {
    const s = structures();
    if (change.phase === 'start') {
      if (!current || !s || busy || mode) {
        drag = null;
        if (busy) say('Wait: the previous edit is still being checked.', 'error');
        return;
      }
      drag = { id: current, handleId: change.handleId, base: s, pointLps: change.pointLps };
      element.dataset['dragging'] = change.handleId;
      return;
    }
    if (!drag || change.handleId !== drag.handleId) return;
    drag.pointLps = change.pointLps;
    const from = structureHandles(drag.base, drag.id).find((x) => x.handleId === drag!.handleId)?.pointLps ?? change.pointLps;
    const movedMm = Math.hypot(change.pointLps[0] - from[0], change.pointLps[1] - from[1], change.pointLps[2] - from[2]);
    if (change.phase === 'move') {
      say(`Moving ${structureName(drag.id)}: ${movedMm.toFixed(1)} mm (Escape puts it back).`);
      if (!previewFrame) previewFrame = requestAnimationFrame(showPreview);
      return;
    }
    const d = drag;
    drag = null;
    delete element.dataset['dragging'];
    if (previewFrame) cancelAnimationFrame(previewFrame);
    previewFrame = 0;
    if (change.phase === 'cancel' || movedMm < 0.05) {
      deps.viewer.showStructures(d.base);
      shownHandlesKey = '';
      render();
      if (change.phase === 'cancel') say('Move cancelled.');
      return;
    }
    const label = d.handleId.includes('#') ? `Move ${structureName(d.id)} point ${Number(d.handleId.split('#')[1]) + 1}` : `Move ${structureName(d.id)}`;
    void apply(d.id, label, (now) => moveHandle(now, d.id, d.handleId, change.pointLps));
  }

  const unsubscribe = deps.viewer.subscribe((change) => {
    if (change.kind === 'structureDrag') return onDrag(change);
    if (change.kind !== 'structurePick' || !mode || !current || busy) return;
    const id = current;
    const p = change.pointLps;
    if (mode.kind === 'redraw') {
      mode.points.push([p[0], p[1], p[2]]);
      say(`${mode.points.length} point${mode.points.length === 1 ? '' : 's'}: click the next, or Done.`);
      render();
      return;
    }
    const kind = mode.kind;
    setMode(null);
    if (kind === 'add' && isForamen(id)) {
      void apply(id, `Add ${structureName(id)}`, (s) => addForamen(s, id, p));
    } else {
      void apply(id, `Move ${structureName(id)}`, (s) => moveStructureCentre(s, id, p));
    }
  });

  /** Handles shown (a key of their ids and places): re-sent only when they change, never during a drag. */
  let shownHandlesKey = '';
  function syncHandles(): void {
    if (drag) return;
    const s = structures();
    const list = current && s && !mode ? structureHandles(s, current) : [];
    const key = JSON.stringify(list);
    if (key === shownHandlesKey) return;
    shownHandlesKey = key;
    deps.viewer.showStructureHandles(list.length ? list : null);
  }

  function render(): void {
    element.hidden = current === null;
    syncHandles();
    if (!current) return;
    const s = structures();
    const radius = s ? structureRadiusMm(s, current) : null;
    title.textContent = `Edit: ${structureName(current)}${radius === null ? ' (no model)' : ''}`;
    element.dataset['editStructure'] = current;
    element.dataset['mode'] = mode?.kind ?? 'none';
    radiusRow.hidden = radius === null;
    if (radius !== null && document.activeElement !== radiusInput) radiusInput.value = String(Math.round(radius * 10) / 10);
    const idle = mode === null && !busy;
    moveButton.hidden = radius === null || !hasCentre(current);
    addButton.hidden = radius !== null || !isForamen(current);
    redrawButton.hidden = !isRoot(current);
    const handles = s ? structureHandles(s, current) : [];
    dragHint.hidden = handles.length === 0;
    dragHint.textContent = handles.length === 1 ? 'Drag the yellow handle in any image to move the centre.' : `Drag any of its ${handles.length} yellow points in an image to reshape it.`;
    const centre = hasCentre(current) && radius !== null && s ? (s.foramina.find((x) => x.id === current) ?? s.joints.find((x) => x.id === current))?.centerLps : undefined;
    centreRow.hidden = !centre;
    if (centre && !centreInputs.includes(document.activeElement as HTMLInputElement)) centreInputs.forEach((x, a) => (x.value = String(Math.round(centre[a]! * 10) / 10)));
    centreApply.disabled = !idle;
    doneButton.hidden = mode?.kind !== 'redraw';
    doneButton.disabled = mode?.kind === 'redraw' && mode.points.length < 2;
    cancelButton.hidden = mode === null;
    for (const b of [moveButton, addButton, redrawButton, radiusApply]) b.disabled = !idle;
    if (radius === null && !isForamen(current) && !isRoot(current) && !mode) say('No model to edit: it can only be marked absent.');
  }

  const editor: StructureEditor = {
    element,
    select(id) {
      if (mode) setMode(null);
      current = id;
      say('');
      render();
      // The editor sits under the structure list: bring it into the side panel's view.
      if (id && typeof element.scrollIntoView === 'function') element.scrollIntoView({ block: 'nearest' });
    },
    selected: () => current,
    refresh: render,
    dispose() {
      if (mode) deps.setTool('crosshair');
      if (previewFrame) cancelAnimationFrame(previewFrame);
      deps.viewer.showStructureHandles(null);
      window.removeEventListener('keydown', onKey);
      unsubscribe();
      element.remove();
    },
  };
  return editor;
}
