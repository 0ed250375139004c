/**
 * The segmentation panel (its own section of the side panel): bone, the
 * lesion (volume, three largest diameters, status with what to do), the
 * brush size and label undo/redo, the overlay (opacity, groups shown), and
 * the review of the critical structures (confirm, mark absent, confirm all).
 *
 * It also keeps the viewer's label overlay in step with the session: labels
 * on every labels generation (a refresh of the same shared buffer, or a new
 * copy in transfer mode), structures when the models change.
 *
 * Review decisions go into the plan store's structureReview when a plan is
 * open (one coalesced undo step per change); until then they are kept here
 * and written when the plan appears. `getReview()` gives them to the planner UI.
 *
 * Label undo is on the panel's buttons and Ctrl+Alt+Z / Ctrl+Alt+Shift+Z
 * (Ctrl+Z alone belongs to the plan).
 */
import './segmentationPanel.css';
import type { CriticalStructures } from '../../core/anatomy/structures';
import { sacrumCoverageWarning } from '../../core/segmentation/sacrumCoverage';
import { LABELS, type StructureId } from '../../core/shared/ids';
import type { Volume, VolumeKind } from '../../core/volume/Volume';
import type { PlanContent, StructureState } from '../../core/report/planSchema';
import { groupCss, LABEL_GROUPS } from '../../viewer/labelColors';
import type { LabelGroup, PrimaryTool, ViewerPort } from '../../viewer/ViewerPort';
import { h } from '../dom';
import type { PlanStore } from '../plan/PlanStore';
import type { PlanningSession, SessionStatus } from '../session/PlanningSession';
import type { LabelEditing } from './labelEditing';
import { createStructureEditor } from './structureEditor';
import { createLabelFileControls } from './labelFileControls';
import {
  decisionsFromStates,
  reviewComplete,
  structureRows,
  toStructureStates,
  withoutStructure,
  withStructureFrom,
  type ReviewDecision,
  type StructureGroup,
  type StructureRow,
} from './structureReview';

/** What the panel reports for the root element's data-* attributes. */
export type SegmentationPanelState = {
  lesionVolumeMl: number | null;
  lesionStatus: string | null;
  structuresFound: number | null;
  reviewComplete: boolean;
};

export type SegmentationPanel = {
  element: HTMLElement;
  getReview(): StructureState[];
  isReviewComplete(): boolean;
  /** Connects the plan store (created after the panel in main.ts): decisions go into its structureReview. */
  attachPlanStore(store: PlanStore): void;
  dispose(): void;
};

export type SegmentationPanelDeps = {
  session: PlanningSession;
  viewer: ViewerPort;
  editing: LabelEditing;
  /** The plan store when it exists before the panel (else `attachPlanStore`). */
  planStore?: PlanStore | null;
  /** Kind of the volume shown (CBCT changes the bone note). */
  volumeKind(): VolumeKind | null;
  setTool(tool: PrimaryTool): void;
  onState(state: SegmentationPanelState): void;
};

const BONE_NAMES: Record<number, string> = {
  [LABELS.sacrum]: 'sacrum', [LABELS.hipLeft]: 'hip L', [LABELS.hipRight]: 'hip R',
  [LABELS.femurLeft]: 'femur L', [LABELS.femurRight]: 'femur R', [LABELS.l5]: 'L5',
};

const GROUP_TITLES: Record<LabelGroup, string> = { lesion: 'Lesion', bone: 'Bone', canal: 'Canal', foramina: 'Foramina', roots: 'Roots', joints: 'Joints' };
const REVIEW_GROUPS: ReadonlyArray<{ group: StructureGroup; title: string }> = [
  { group: 'foramina', title: 'Anterior sacral foramina' },
  { group: 'canal', title: 'Sacral canal' },
  { group: 'roots', title: 'Nerve roots: proposed tubes (CT does not show roots): check each' },
  { group: 'joints', title: 'Hip joint surfaces' },
];

function sameDecisions(a: ReadonlyMap<StructureId, ReviewDecision>, b: ReadonlyMap<StructureId, ReviewDecision>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, d] of a) if (b.get(id) !== d) return false;
  return true;
}

const hasModels = (s: CriticalStructures): boolean => s.foramina.length > 0 || s.sacralCanal !== null || s.roots.length > 0 || s.joints.length > 0;

const ml = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toFixed(1));


export function createSegmentationPanel(host: HTMLElement, deps: SegmentationPanelDeps): SegmentationPanel {
  const { session, viewer, editing } = deps;

  // --- static structure ---------------------------------------------------------
  const phaseLine = h('div', { class: 'seg-phase', attrs: { 'data-testid': 'seg-phase' } });
  const boneLine = h('div', { class: 'seg-line', attrs: { 'data-testid': 'seg-bone' } });
  const boneNote = h('div', { class: 'seg-note', attrs: { 'data-testid': 'seg-bone-note' } });
  // The bone notes (threshold, what the clean-up did) fold under one line: the side panel keeps room for the plan and screws.
  const boneNoteSummary = h('summary', { class: 'seg-note' });
  const boneBox = h('details', { class: 'seg-fold seg-bone-box', attrs: { 'data-testid': 'seg-bone-details' } }, boneNoteSummary, boneNote);
  let boneBoxKind: VolumeKind | null | undefined;
  // The sacrum coverage check (core/segmentation/sacrumCoverage.ts): shown, not folded, when the sacrum's labels look incomplete.
  const sacrumWarningText = h('span');
  // One click to act on it: the bone labels shown, the brush on bone.
  const paintBoneButton = h('button', { class: 'btn btn-small', text: 'Paint bone', title: 'Show the bone labels and take the brush on bone (Brush edits: Bone)', attrs: { type: 'button', 'data-action': 'paint-missing-bone' } });
  const sacrumWarning = h('div', { class: 'seg-message seg-sacrum-warning', attrs: { 'data-testid': 'seg-sacrum-warning', 'data-kind': 'warning', role: 'status' } }, sacrumWarningText, ' ', paintBoneButton);
  sacrumWarning.hidden = true;

  const lesionLine = h('div', { class: 'seg-line seg-lesion', attrs: { 'data-testid': 'seg-lesion' } });
  const lesionMessage = h('div', { class: 'seg-message', attrs: { 'data-testid': 'seg-lesion-message', role: 'status' } });
  const clickButton = h('button', { class: 'btn', text: 'Click the lesion', title: 'Lesion tool: click inside the lytic lesion to grow it (G)', attrs: { 'data-action': 'tool-lesion' } });
  clickButton.addEventListener('click', () => deps.setTool('lesionSeed'));
  const brushButton = h('button', { class: 'btn', text: 'Brush', title: 'Add to the lesion (B)', attrs: { 'data-action': 'tool-brush' } });
  brushButton.addEventListener('click', () => deps.setTool('brush'));
  const eraserButton = h('button', { class: 'btn', text: 'Eraser', title: 'Remove from the lesion (E)', attrs: { 'data-action': 'tool-eraser' } });
  eraserButton.addEventListener('click', () => deps.setTool('eraser'));

  // What the brush and eraser edit: the lesion, or the bone labels (where the threshold missed
  // bone: fatty marrow, a thin cortex on coarse slices; or took something that is not bone).
  const targetLesion = h('button', { class: 'btn btn-small', text: 'Lesion', title: 'The brush adds to the lesion, the eraser removes it', attrs: { type: 'button', 'data-brush-target': 'lesion', 'aria-pressed': 'true' } });
  const targetBone = h('button', { class: 'btn btn-small', text: 'Bone', title: 'The brush extends the nearest bone part over what is not labelled; the eraser removes bone. For bone the threshold missed (fatty marrow) or took wrongly.', attrs: { type: 'button', 'data-brush-target': 'bone', 'aria-pressed': 'false' } });
  targetLesion.addEventListener('click', () => editing.setBrushTarget('lesion'));
  targetBone.addEventListener('click', () => {
    editing.setBrushTarget('bone');
    // Painting bone: the bone labels are shown (what the brush changes must be seen).
    const style = viewer.getLabelStyle();
    if (!style.visible.bone) {
      viewer.setLabelStyle({ visible: { ...style.visible, bone: true } });
      const box = element.querySelector<HTMLInputElement>('input[data-label-group="bone"]');
      if (box) box.checked = true;
    }
  });
  paintBoneButton.addEventListener('click', () => {
    targetBone.click();
    deps.setTool('brush');
  });
  // On the undo row (no extra line: at 1280x800 the screw list must stay on screen).
  const targetGroup = h('span', { class: 'seg-brush-target', attrs: { role: 'group', 'aria-label': 'What the brush and eraser edit' } }, h('span', { class: 'seg-label', text: 'Brush edits' }), targetLesion, targetBone);

  const radiusInput = h('input', { attrs: { type: 'range', min: '1', max: '20', step: '0.5', value: '5', 'data-testid': 'brush-radius', 'aria-label': 'Brush radius in mm' } });
  const radiusText = h('span', { class: 'seg-value', text: '5.0 mm' });
  const setRadius = (r: number): void => {
    radiusText.textContent = `${r.toFixed(1)} mm`;
    viewer.setBrushRadiusMm(r);
  };
  radiusInput.addEventListener('input', () => setRadius(Number(radiusInput.value)));
  setRadius(Number(radiusInput.value));

  const undoButton = h('button', { class: 'btn', text: 'Undo', title: 'Undo the last label edit: a lesion click or a whole brush or eraser stroke, lesion or bone (Ctrl+Alt+Z)', attrs: { 'data-action': 'labels-undo' } });
  const redoButton = h('button', { class: 'btn', text: 'Redo', title: 'Redo the label edit (Ctrl+Alt+Shift+Z)', attrs: { 'data-action': 'labels-redo' } });
  undoButton.addEventListener('click', () => void editing.undo());
  redoButton.addEventListener('click', () => void editing.redo());

  const opacityInput = h('input', { attrs: { type: 'range', min: '0', max: '1', step: '0.05', value: String(viewer.getLabelStyle().opacity), 'data-testid': 'label-opacity', 'aria-label': 'Label opacity' } });
  opacityInput.addEventListener('input', () => viewer.setLabelStyle({ opacity: Number(opacityInput.value) }));
  const groupToggles = LABEL_GROUPS.map((group) => {
    const box = h('input', { attrs: { type: 'checkbox', 'data-label-group': group } });
    box.checked = viewer.getLabelStyle().visible[group];
    box.addEventListener('change', () => viewer.setLabelStyle({ visible: { ...viewer.getLabelStyle().visible, [group]: box.checked } }));
    const swatch = h('span', { class: 'seg-swatch' });
    swatch.style.background = groupCss(group);
    return h('label', { class: 'seg-toggle' }, box, swatch, GROUP_TITLES[group]);
  });

  const structureSummary = h('div', { class: 'seg-line', attrs: { 'data-testid': 'seg-structures-summary' } });
  const structureList = h('div', { class: 'seg-structures', attrs: { 'data-testid': 'seg-structures' } });
  const confirmAll = h('button', { class: 'btn btn-primary', text: 'Confirm all found', title: 'Confirm every structure that was found after checking it on the images', attrs: { 'data-action': 'structures-confirm-all' } });
  confirmAll.addEventListener('click', () => {
    // Not the rows that must be checked one by one (a hip joint on a femur carved out by a sphere).
    for (const r of rows) if (r.state === 'found' && !r.checkEach) decisions.set(r.id, 'confirmed');
    reviewChanged('Confirm all structures');
  });
  // The review folds to one line once complete (the screw list below stays on screen at 1280x800); Edit opens it again.
  const reviewToggle = h('button', { class: 'btn btn-small btn-ghost seg-review-toggle', attrs: { 'data-action': 'structures-review-toggle', 'aria-expanded': 'true' } });
  const reviewHead = h('div', { class: 'seg-review-head' }, structureSummary, reviewToggle);
  const reviewBody = h('div', { class: 'seg-review-body', attrs: { 'data-testid': 'seg-structures-review' } }, structureList, h('div', { class: 'seg-row' }, confirmAll));
  /** Folded: set when the review becomes complete, changed by the toggle. */
  let reviewFolded = false;
  let wasComplete = false;
  reviewToggle.addEventListener('click', () => {
    reviewFolded = !reviewFolded;
    if (reviewFolded) structureEditor.select(null);
    render();
  });

  const element = h(
    'section',
    { class: 'seg-panel', attrs: { 'aria-label': 'Segmentation', 'data-panel': 'segmentation' } },
    h('h2', { class: 'seg-title', text: 'Segmentation' }),
    phaseLine,
    h('h3', { text: 'Bone' }),
    boneLine,
    sacrumWarning,
    boneBox,
    h('h3', { text: 'Lesion' }),
    lesionLine,
    lesionMessage,
    h('div', { class: 'seg-row' }, clickButton, brushButton, eraserButton),
    h('div', { class: 'seg-row' }, h('label', { class: 'seg-label', text: 'Brush / eraser radius' }), radiusInput, radiusText),
    h('div', { class: 'seg-row' }, undoButton, redoButton, targetGroup),
    h('h3', { text: 'Overlay' }),
    h('div', { class: 'seg-row' }, h('label', { class: 'seg-label', text: 'Opacity' }), opacityInput),
    h('div', { class: 'seg-toggles' }, ...groupToggles),
    h('h3', { text: 'Critical structures' }),
    reviewHead,
    reviewBody,
  );
  host.append(element);

  // --- structure editing (radius, move centre, add by click, redraw a root) ---
  let modelsBeforeEdit: CriticalStructures | null = null;
  const modelsBefore = new WeakMap<CriticalStructures, CriticalStructures>();
  const structureEditor = createStructureEditor({
    session,
    viewer,
    setTool: deps.setTool,
    onEditing(id) {
      modelsBeforeEdit = status.structures;
      decisions.set(id, 'edited');
      removedFrom.delete(id);
    },
    onEdited(id, label, structures) {
      decisions.set(id, 'edited');
      rows = structureRows(status.structures, decisions, status.bone?.notes);
      const store = planStore;
      const plan = store?.get().plan;
      // The plan file keeps the models it was checked against: the edited ones.
      if (store && plan) {
        // Undo of the first edit finds no models in the plan (none before planning): remember what the session had.
        if (modelsBeforeEdit) modelsBefore.set(structures, modelsBeforeEdit);
        store.apply({ label, update: (p) => ({ ...p, structures, structureReview: toStructureStates(rows, null) }) });
      }
      render();
    },
  });
  structureList.after(structureEditor.element);

  // --- label files: export SEG / NRRD, import (replaces bone and lesion) ---
  const labelFiles = createLabelFileControls({ session, onImported: () => editing.reset() });
  // Folded: used once per case; the summary is the section title.
  const filesBox = h('details', { class: 'seg-fold seg-files-box', attrs: { 'data-testid': 'seg-files-details' } }, h('summary', { class: 'seg-fold-title', text: 'Files: export, import (SEG, NRRD)' }), labelFiles.element);
  element.append(filesBox);

  // --- state ----------------------------------------------------------------------
  let status: Readonly<SessionStatus> = session.getStatus();
  let lastLabels: Volume<Uint8Array> | null = null;
  let lastGeneration = -1;
  let lastStructures: CriticalStructures | null = null;
  let seriesUid: string | null = null;
  const decisions = new Map<StructureId, ReviewDecision>();
  /** Models as detected, before the user marked some absent (to put one back). */
  const removedFrom = new Map<StructureId, CriticalStructures>();
  let rows: StructureRow[] = structureRows(null, decisions);

  function syncOverlay(): void {
    const labels = session.getLabels();
    try {
      if (labels !== lastLabels || status.labelsGeneration !== lastGeneration) {
        if (labels === null) viewer.showLabels(null);
        else if (labels === lastLabels) viewer.refreshLabels();
        else viewer.showLabels(labels);
      }
      if (status.structures !== lastStructures) viewer.showStructures(status.structures);
    } catch (error) {
      // The labels belong to a series that is no longer on screen; the next status brings the current ones.
      phaseLine.textContent = `Overlay not shown: ${error instanceof Error ? error.message : String(error)}`;
    }
    lastLabels = labels;
    lastGeneration = status.labelsGeneration;
    lastStructures = status.structures;
  }


  let planStore: PlanStore | null = null;

  function reviewChanged(label: string): void {
    rows = structureRows(status.structures, decisions, status.bone?.notes);
    const store = planStore;
    const plan = store?.get().plan;
    if (store && plan) {
      const states = toStructureStates(rows, null);
      store.apply({ label, update: (p) => ({ ...p, structureReview: states }) }, { coalesceKey: 'structure-review' });
    }
    render();
  }

  function renderStructures(): void {
    structureList.replaceChildren();
    // Before detection nothing is "not found" yet: no rows (they would say clearance cannot be checked).
    if (!status.structures) return;
    for (const { group, title } of REVIEW_GROUPS) {
      const list = h('ul', { class: 'seg-structure-group', attrs: { 'data-structure-group': group } });
      for (const r of rows.filter((x) => x.group === group)) {
        const icon = r.checkEach ? '!' : { found: '○', notFound: '✕', confirmed: '✓', edited: '✎', absent: '–' }[r.state];
        const short = r.checkEach ? 'check it' : { found: r.group === 'roots' ? 'proposed' : 'found', notFound: 'not found', confirmed: 'confirmed', edited: 'edited', absent: 'absent' }[r.state];
        const li = h(
          'li',
          { class: `seg-structure state-${r.state}`, title: `${r.name}: ${r.detail}`, attrs: { 'data-structure': r.id, 'data-state': r.state, ...(r.checkEach ? { 'data-check-each': '1' } : {}) } },
          h('span', { class: 'seg-icon', text: icon, attrs: { 'aria-hidden': 'true' } }),
          h('span', { class: 'seg-name', text: r.name }),
          h('span', { class: 'seg-detail', text: short }),
        );
        if (r.state === 'found') {
          const b = h('button', { class: 'btn btn-small', text: 'Confirm', attrs: { 'data-action': 'structure-confirm' } });
          b.addEventListener('click', () => {
            decisions.set(r.id, 'confirmed');
            reviewChanged(`Confirm ${r.name}`);
          });
          li.append(b);
        }
        if (r.state === 'found' || r.state === 'notFound' || r.state === 'confirmed' || r.state === 'edited') {
          const b = h('button', { class: 'btn btn-small btn-ghost', text: 'Absent', title: r.found ? 'Not there: removes the detected model (its clearance is no longer checked)' : 'The structure is not there in this patient (e.g. a transitional sacrum)', attrs: { 'data-action': 'structure-absent' } });
          b.addEventListener('click', () => {
            decisions.set(r.id, 'absent');
            if (r.found && status.structures) {
              removedFrom.set(r.id, status.structures);
              void session.setStructures(withoutStructure(status.structures, r.id)).catch(() => undefined);
            }
            reviewChanged(`Mark ${r.name} absent`);
          });
          li.append(b);
        } else if (r.state === 'absent') {
          const b = h('button', { class: 'btn btn-small btn-ghost', text: 'Undo', title: 'Back to unreviewed', attrs: { 'data-action': 'structure-reset' } });
          b.addEventListener('click', () => {
            decisions.delete(r.id);
            const source = removedFrom.get(r.id);
            removedFrom.delete(r.id);
            if (source && status.structures) void session.setStructures(withStructureFrom(status.structures, source, r.id)).catch(() => undefined);
            reviewChanged(`Unmark ${r.name}`);
          });
          li.append(b);
        }
        const edit = h('button', { class: 'btn btn-small btn-ghost seg-edit-button', text: '✎', title: `Edit ${r.name}: radius, centre, add or redraw`, attrs: { 'data-action': 'structure-edit', 'aria-label': `Edit ${r.name}` } });
        edit.addEventListener('click', () => {
          structureEditor.select(structureEditor.selected() === r.id ? null : r.id);
          render();
        });
        li.append(edit);
        if (structureEditor.selected() === r.id) li.classList.add('selected');
        // Said in full where it matters: the planner cannot check clearance to a structure it has no model of.
        // And where "Confirm all found" leaves a row out: why this one must be checked on its own.
        if (r.state === 'notFound' || r.checkEach) li.append(h('span', { class: 'seg-detail-line', text: r.detail }));
        list.append(li);
      }
      structureList.append(h('div', { class: 'seg-group-title', text: title }), list);
    }
  }

  function render(): void {
    const e = editing.getState();
    phaseLine.textContent = status.message;
    phaseLine.dataset['phase'] = status.phase;
    // Bone
    // Measured in the segmentation worker (a pass over the label volume here would block the page).
    const bone = status.bone ?? null;
    if (bone && bone.totalMl > 0) {
      boneLine.textContent = `${ml(bone.totalMl)} ml: ${bone.parts.filter((p) => BONE_NAMES[p.label] !== undefined).map((p) => `${BONE_NAMES[p.label]!} ${ml(p.volumeMl)}`).join(', ')}`;
    } else {
      boneLine.textContent = status.phase === 'segmenting' ? 'Segmenting…' : status.phase === 'error' ? 'Not segmented' : '—';
    }
    const notes: string[] = [];
    if (deps.volumeKind() === 'cbct') notes.push('Cone-beam CT: no Hounsfield calibration; the bone threshold comes from this image\'s own histogram. Check the bone outline, especially at the edge of the field of view.');
    else if (bone) notes.push('Threshold from this image\'s own histogram.');
    if (bone) notes.push(`Bone threshold ${Math.round(bone.boneThresholdGrey)}.`, ...bone.notes);
    boneNote.textContent = notes.join(' ');
    boneNoteSummary.textContent = bone ? `Threshold ${Math.round(bone.boneThresholdGrey)} (this image's histogram)` : 'Notes';
    boneBox.hidden = notes.length === 0;
    const coverage = sacrumCoverageWarning(status.sacrumCoverage);
    sacrumWarning.hidden = coverage === null;
    sacrumWarningText.textContent = coverage ?? '';
    sacrumWarning.dataset['unlabelledMl'] = status.sacrumCoverage ? status.sacrumCoverage.unlabelledMl.toFixed(1) : '';
    // Cone-beam CT: its warning is open by default (once per series kind; the user may fold it).
    const kind = deps.volumeKind();
    if (kind !== boneBoxKind) {
      boneBoxKind = kind;
      boneBox.open = kind === 'cbct';
    }

    // Lesion
    const lesion = status.lesion;
    if (lesion && lesion.volumeMl > 0) {
      const d = lesion.diametersMm;
      const statusText = { ok: 'segmented', conservative: 'conservative core: check it', bridged: 'outline bridged across destroyed cortex: check it', leak: 'leaked' }[lesion.status];
      lesionLine.textContent = `${ml(lesion.volumeMl)} ml${d ? `, ${d.map((x) => x.toFixed(0)).join(' × ')} mm` : ''} · ${statusText}`;
      lesionLine.dataset['status'] = lesion.status;
    } else {
      lesionLine.textContent = 'No lesion yet: pick “Click the lesion” and click inside it.';
      delete lesionLine.dataset['status'];
    }
    lesionMessage.textContent = e.message ?? '';
    lesionMessage.dataset['kind'] = e.messageKind;
    undoButton.disabled = !e.canUndo;
    redoButton.disabled = !e.canRedo;
    element.dataset['busy'] = e.busy ? '1' : '0';
    const ready = status.phase === 'fields' || status.phase === 'ready';
    for (const b of [clickButton, brushButton, eraserButton]) b.disabled = !ready;
    const boneBrush = e.brushTarget === 'bone';
    targetGroup.hidden = !e.canPaintBone;
    targetLesion.setAttribute('aria-pressed', String(!boneBrush));
    targetBone.setAttribute('aria-pressed', String(boneBrush));
    brushButton.title = boneBrush ? 'Add bone: extends the nearest bone part over what is not labelled (B)' : 'Add to the lesion (B)';
    eraserButton.title = boneBrush ? 'Remove bone (E)' : 'Remove from the lesion (E)';
    element.dataset['brushEdits'] = e.brushTarget;

    // Structures
    const found = rows.filter((r) => r.found).length;
    const missing = rows.filter((r) => r.state === 'notFound').length;
    structureSummary.textContent = status.structures
      ? `${found} of ${rows.length} found${missing ? `; ${missing} not found: clearance to ${missing === 1 ? 'it' : 'them'} cannot be checked` : ''}${reviewComplete(rows) ? ' · review complete' : ''}`
      : status.phase === 'segmenting' ? 'Detecting…' : status.phase === 'error' ? 'Not detected: the segmentation failed (see above). No clearance can be checked.' : '—';
    confirmAll.disabled = !rows.some((r) => r.state === 'found' && !r.checkEach);
    confirmAll.hidden = !status.structures;
    const complete = status.structures !== null && reviewComplete(rows);
    if (complete && !wasComplete && structureEditor.selected() === null) reviewFolded = true;
    if (!complete) reviewFolded = false;
    wasComplete = complete;
    if (reviewFolded) {
      const reviewed = rows.filter((r) => r.state === 'confirmed' || r.state === 'edited').length;
      const absent = rows.filter((r) => r.state === 'absent').length;
      structureSummary.textContent = `${reviewed} structure${reviewed === 1 ? '' : 's'} confirmed${absent ? `, ${absent} marked absent` : ''}`;
    }
    reviewBody.hidden = reviewFolded;
    reviewToggle.hidden = !complete;
    reviewToggle.textContent = reviewFolded ? 'Edit' : 'Fold';
    reviewToggle.title = reviewFolded ? 'Show the structures: check, edit or mark absent' : 'Fold the review to one line';
    reviewToggle.setAttribute('aria-expanded', String(!reviewFolded));
    reviewBody.dataset['folded'] = reviewFolded ? '1' : '0';
    renderStructures();
    structureEditor.refresh();
    labelFiles.render();

    deps.onState({
      lesionVolumeMl: lesion ? lesion.volumeMl : null,
      lesionStatus: lesion ? lesion.status : null,
      structuresFound: status.structures ? found : null,
      reviewComplete: reviewComplete(rows),
    });
  }

  const unsubscribeSession = session.subscribe((s) => {
    status = s;
    if (s.seriesUid !== seriesUid) {
      seriesUid = s.seriesUid;
      decisions.clear();
      removedFrom.clear();
      editing.reset();
      structureEditor.select(null);
      const restored = planStore?.get().plan?.structureReview;
      if (restored) for (const [id, d] of decisionsFromStates(restored)) decisions.set(id, d);
    }
    syncOverlay();
    rows = structureRows(s.structures, decisions, s.bone?.notes);
    render();
  });
  const unsubscribeEditing = editing.subscribe(() => render());
  // A plan that appears (new series, restored autosave, imported file) gives its review decisions,
  // or takes the ones made before it existed. Undo/redo of the plan brings its review back too.
  let lastPlanSeen: unknown = null;
  let unsubscribePlan: (() => void) | undefined;
  function onPlan(plan: PlanContent | null): void {
    if (plan === lastPlanSeen) return;
    const appeared = lastPlanSeen === null && plan !== null;
    const previousStructures = (lastPlanSeen as PlanContent | null)?.structures;
    lastPlanSeen = plan;
    if (!plan) return;
    // Plan undo/redo of a structure edit: the plan's models go back into the session (fields rebuilt).
    if (!appeared && previousStructures && plan.structures !== previousStructures && status.structures) {
      const target = hasModels(plan.structures) ? plan.structures : modelsBefore.get(previousStructures);
      if (target && JSON.stringify(target) !== JSON.stringify(status.structures)) void session.setStructures(target).catch(() => undefined);
    }
    const fromPlan = decisionsFromStates(plan.structureReview);
    if (appeared && plan.structureReview.length === 0 && decisions.size > 0) return reviewChanged('Structure review');
    if (sameDecisions(fromPlan, decisions)) return;
    decisions.clear();
    for (const [id, d] of fromPlan) decisions.set(id, d);
    rows = structureRows(status.structures, decisions, status.bone?.notes);
    render();
  }

  const onKey = (evt: KeyboardEvent): void => {
    if (!(evt.ctrlKey || evt.metaKey) || !evt.altKey || (evt.code !== 'KeyZ' && evt.key.toLowerCase() !== 'z')) return;
    const target = evt.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.isContentEditable)) return;
    evt.preventDefault();
    void (evt.shiftKey ? editing.redo() : editing.undo());
  };
  window.addEventListener('keydown', onKey);

  syncOverlay();
  render();

  const panel: SegmentationPanel = {
    element,
    getReview: () => toStructureStates(rows, null),
    isReviewComplete: () => reviewComplete(rows),
    attachPlanStore(store) {
      unsubscribePlan?.();
      planStore = store;
      lastPlanSeen = null;
      unsubscribePlan = store.subscribe((ps) => onPlan(ps.plan));
      onPlan(store.get().plan);
    },
    dispose() {
      window.removeEventListener('keydown', onKey);
      unsubscribeSession();
      unsubscribeEditing();
      unsubscribePlan?.();
      structureEditor.dispose();
      element.remove();
    },
  };
  if (deps.planStore) panel.attachPlanStore(deps.planStore);
  return panel;
}
