/**
 * Editing one critical structure (part of the segmentation panel): its radius
 * (mm), the centre of a foramen or hip joint moved by a click in an MPR view,
 * a foramen detection missed added by a click, a root's centreline redrawn by
 * successive clicks (Done or Enter finishes, Escape cancels).
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
  moveStructureCentre,
  setRootCenterline,
  setStructureRadius,
  structureRadiusMm,
} from '../../core/anatomy/editStructures';
import type { CriticalStructures } from '../../core/anatomy/structures';
import type { Vec3 } from '../../core/geometry/vec3';
import type { ForamenId, RootId, StructureId } from '../../core/shared/ids';
import type { PrimaryTool, ViewerPort } from '../../viewer/ViewerPort';
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
  viewer: Pick<ViewerPort, 'subscribe'>;
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
  const actions = h('div', { class: 'seg-row' }, moveButton, addButton, redrawButton, doneButton, cancelButton, closeButton);
  const message = h('div', { class: 'seg-message', attrs: { 'data-testid': 'structure-edit-message', role: 'status' } });
  const element = h('div', { class: 'seg-structure-edit', attrs: { 'data-testid': 'structure-edit' } }, title, radiusRow, actions, message);
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

  const unsubscribe = deps.viewer.subscribe((change) => {
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

  function render(): void {
    element.hidden = current === null;
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
    },
    selected: () => current,
    refresh: render,
    dispose() {
      if (mode) deps.setTool('crosshair');
      window.removeEventListener('keydown', onKey);
      unsubscribe();
      element.remove();
    },
  };
  return editor;
}
