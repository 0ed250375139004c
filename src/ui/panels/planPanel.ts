/**
 * Plan panel (side panel): the plan's settings (safety margin, purchase,
 * minimum lesion span, screw spacing, femoral-neck tip depths), the screw catalog (add / remove a
 * spec; saved with the plan), "Plan screws" with progress and Cancel, and
 * the result per corridor: the best screw's figures, or why none exists.
 * "Accept" puts the proposed set into the plan as one undo step; "Add"
 * adds one corridor's best screw.
 *
 * Cancel stops waiting for the search and discards its result (the session
 * has no cancel of its own; a new "Plan screws" supersedes the older search,
 * which then rejects as stale). Settings and catalog edits go through the
 * store, so they are undoable and autosaved with the plan.
 *
 * Test hooks: root `data-plan-state` = idle | running | done | error |
 * cancelled; each corridor row `data-corridor`, `data-side`, `data-available`.
 */
import './planPanels.css';
import type { Vec3 } from '../../core/geometry/vec3';
import type { PlanProgress } from '../../core/planning/plannerEngine';
import { standardLengthsMm, validateCatalog } from '../../core/planning/screwCatalog';
import type { CorridorOutcome, PlanResult, PlanSettings, RankedScrew, ScrewCatalog } from '../../core/planning/types';
import type { PlanScrew } from '../../core/report/planSchema';
import { checkIdOf, structuresWithoutModelOfPlan } from '../../core/report/fromPlanner';
import { formatClearanceMm, structureLabel } from '../../core/report/format';
import { errorCodeOf } from '../../core/shared/errors';
import type { PlanningSession, SessionStatus } from '../session/PlanningSession';
import type { PlanStore } from '../plan/PlanStore';
import { addScrews, setCatalog, setSettings } from '../plan/planEdits';
import { CORRIDOR_LONG, sideLetter } from '../plan/screwLabels';
import { h } from '../dom';

export type PlanPanelDeps = {
  store: PlanStore;
  getSession(): PlanningSession | null;
  /** Skin entry of an axis from the CT on screen (null when unknown). */
  computeSkinEntry?(entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>): Vec3 | null;
};

export type PlanPanel = {
  element: HTMLElement;
  /** A one-line notice at the top of the panel (restored plan, record set aside, autosave error); null clears. */
  setNotice(notice: { tone: 'info' | 'warning' | 'error'; text: string } | null): void;
  /** The session changed (new series): drops the last result. */
  sessionChanged(): void;
  dispose(): void;
};

type SettingField = { key: keyof PlanSettings; label: string; min: number; max: number; step: number; title: string };
const SETTINGS: SettingField[] = [
  { key: 'safetyMarginMm', label: 'Safety margin', min: 0, max: 10, step: 0.5, title: 'Added to the screw radius against every critical structure' },
  { key: 'purchaseMm', label: 'Purchase each side', min: 0, max: 60, step: 1, title: 'Healthy bone the screw must hold on each side of the lesion' },
  { key: 'minLesionSpanMm', label: 'Lesion span, min', min: 0, max: 60, step: 1, title: 'Length of the screw axis that must run through the lesion (a screw along its edge does not fix it); for a lesion smaller than twice this, half the lesion\u2019s size' },
  { key: 'screwSpacingMm', label: 'Screw spacing', min: 0, max: 20, step: 0.5, title: 'Smallest surface gap between two screws of the plan' },
  { key: 'femoralNeckTipMinMm', label: 'Neck tip, min depth', min: 0, max: 30, step: 0.5, title: 'Femoral neck: tip at least this far below the subchondral bone' },
  { key: 'femoralNeckTipMaxMm', label: 'Neck tip, max depth', min: 0, max: 40, step: 0.5, title: 'Femoral neck: tip at most this far below the subchondral bone' },
];

const fmt = (v: number, digits = 1): string => (Number.isFinite(v) && Math.abs(v) < 1000 ? v.toFixed(digits) : '—');

export function createPlanPanel(container: HTMLElement, deps: PlanPanelDeps): PlanPanel {
  const { store } = deps;
  const notice = h('div', { class: 'plan-notice', attrs: { 'data-testid': 'plan-notice', role: 'status', hidden: '' } });
  const noticeText = h('span');
  const noticeClose = h('button', { class: 'btn btn-ghost plan-notice-close', text: '\u00D7', attrs: { type: 'button', 'aria-label': 'Dismiss' } });
  noticeClose.addEventListener('click', () => (notice.hidden = true));
  notice.append(noticeText, noticeClose);

  // ---- settings -------------------------------------------------------------------------
  const settingInputs = new Map<keyof PlanSettings, HTMLInputElement>();
  const settingsGrid = h('div', { class: 'plan-settings' });
  for (const f of SETTINGS) {
    const input = h('input', { attrs: { type: 'number', min: String(f.min), max: String(f.max), step: String(f.step), 'data-setting': f.key } });
    input.addEventListener('change', () => {
      const v = Number(input.value);
      const plan = store.get().plan;
      if (!plan) return;
      if (!Number.isFinite(v) || v < f.min || v > f.max) {
        input.setCustomValidity(`${f.min} to ${f.max} mm`);
        input.reportValidity();
        input.value = String(plan.settings[f.key]);
        return;
      }
      input.setCustomValidity('');
      store.apply(setSettings({ [f.key]: v }, `${f.label} ${v} mm`));
    });
    settingInputs.set(f.key, input);
    settingsGrid.append(h('label', { class: 'plan-field', title: f.title }, h('span', { text: f.label }), h('span', { class: 'plan-input-unit' }, input, h('span', { text: 'mm' }))));
  }
  // Folded by default: the summary line carries the values that matter most.
  const settingsSummary = h('summary', { text: 'Settings' });
  const settingsBox = h('details', { class: 'plan-box plan-settings-box' }, settingsSummary, settingsGrid);

  // ---- catalog --------------------------------------------------------------------------
  const catalogBody = h('tbody');
  const addDiameter = h('input', { attrs: { type: 'number', min: '1', max: '16', step: '0.1', placeholder: '6.5', 'aria-label': 'New screw diameter (mm)' } });
  const addFrom = h('input', { attrs: { type: 'number', min: '5', max: '300', step: '5', value: '30', 'aria-label': 'Shortest length (mm)' } });
  const addTo = h('input', { attrs: { type: 'number', min: '5', max: '300', step: '5', value: '180', 'aria-label': 'Longest length (mm)' } });
  const addStep = h('input', { attrs: { type: 'number', min: '1', max: '50', step: '1', value: '5', 'aria-label': 'Length step (mm)' } });
  const addBtn = h('button', { class: 'btn', text: 'Add', attrs: { type: 'button', 'data-action': 'catalog-add' } });
  const catalogError = h('div', { class: 'plan-error', attrs: { role: 'alert', hidden: '' } });
  addBtn.addEventListener('click', () => {
    const plan = store.get().plan;
    if (!plan) return;
    const d = Number(addDiameter.value), from = Number(addFrom.value), to = Number(addTo.value), step = Number(addStep.value);
    try {
      if (!(from <= to) || !(step > 0)) throw new Error('shortest length must not exceed the longest, step > 0');
      const id = `custom-${d.toFixed(1)}`;
      const catalog: ScrewCatalog = validateCatalog({
        version: 1,
        screws: [...plan.catalog.screws, { id, label: `${d.toFixed(1)} mm`, diameterMm: d, lengthsMm: standardLengthsMm(from, to, step), threadLengthMm: 16, headDiameterMm: Math.max(d * 1.5, d), cannulated: true }],
      });
      store.apply(setCatalog(catalog, `Add ${d.toFixed(1)} mm screws to the catalog`));
      catalogError.hidden = true;
      addDiameter.value = '';
    } catch (error) {
      catalogError.textContent = error instanceof Error ? error.message.replace(/^\[[^\]]+\]\s*/, '') : String(error);
      catalogError.hidden = false;
    }
  });
  const catalogTable = h(
    'table',
    { class: 'plan-table' },
    h('thead', {}, h('tr', {}, h('th', { text: 'Screw' }), h('th', { text: '\u2300 mm' }), h('th', { text: 'Lengths mm' }), h('th'))),
    catalogBody,
  );
  const addRow = h('div', { class: 'plan-catalog-add' }, h('span', { text: '\u2300' }), addDiameter, h('span', { text: 'mm,' }), addFrom, h('span', { text: 'to' }), addTo, h('span', { text: 'by' }), addStep, addBtn);
  const catalogBox = h('details', { class: 'plan-box' }, h('summary', { text: 'Screw catalog' }), catalogTable, addRow, catalogError);

  // ---- planning -------------------------------------------------------------------------
  const planBtn = h('button', { class: 'btn btn-primary', text: 'Plan screws', attrs: { type: 'button', 'data-action': 'plan' } });
  const cancelBtn = h('button', { class: 'btn', text: 'Cancel', attrs: { type: 'button', 'data-action': 'cancel-plan', hidden: '' } });
  const planHint = h('div', { class: 'plan-hint' });
  const progress = h('progress', { attrs: { max: '1', value: '0', hidden: '' } });
  const progressText = h('span', { class: 'plan-progress-text' });
  const results = h('div', { class: 'plan-results', attrs: { 'data-testid': 'plan-results' } });
  // Folded once the proposal is in the plan, so the screw list below stays in reach.
  const resultsSummary = h('summary', { text: 'Planner results' });
  const resultsBox = h('details', { class: 'plan-box plan-results-box', attrs: { hidden: '' } }, resultsSummary, results);
  const acceptBtn = h('button', { class: 'btn btn-primary', attrs: { type: 'button', 'data-action': 'accept-plan', hidden: '' } });
  const acceptNote = h('div', { class: 'plan-hint' });

  const element = h(
    'section',
    { class: 'plan-panel', attrs: { 'aria-label': 'Plan', 'data-plan-state': 'idle' } },
    h('h2', { class: 'panel-title', text: 'Plan' }),
    notice,
    settingsBox,
    catalogBox,
    h('div', { class: 'plan-actions' }, planBtn, cancelBtn, progress, progressText),
    planHint,
    h('div', { class: 'plan-actions' }, acceptBtn),
    acceptNote,
    resultsBox,
  );
  container.append(element);

  let request = 0;
  let lastResult: PlanResult | null = null;

  const setState = (s: 'idle' | 'running' | 'done' | 'error' | 'cancelled'): void => {
    element.dataset['planState'] = s;
    const running = s === 'running';
    cancelBtn.hidden = !running;
    progress.hidden = !running;
    planBtn.textContent = running ? 'Plan again' : 'Plan screws';
  };

  const toPlanScrew = (r: RankedScrew): PlanScrew => ({
    ...r.screw,
    entryLps: [...r.screw.entryLps] as Vec3,
    tipLps: [...r.screw.tipLps] as Vec3,
    skinEntryLps: deps.computeSkinEntry?.(r.screw.entryLps, r.screw.tipLps) ?? null,
  });

  const putInPlan = (screws: RankedScrew[], replace: boolean, label: string): void => {
    if (!store.get().plan) return;
    const structures = deps.getSession()?.getStatus().structures ?? null;
    store.apply(addScrews(screws.map(toPlanScrew), { replace, structures, label }));
  };

  planBtn.addEventListener('click', () => void runPlan());
  cancelBtn.addEventListener('click', () => {
    request++;
    deps.getSession()?.cancelPlan?.(); // the workers stop searching too (not only this panel waiting)
    setState('cancelled');
    progressText.textContent = 'Cancelled.';
  });
  acceptBtn.addEventListener('click', () => {
    if (!lastResult) return;
    putInPlan(lastResult.screws, true, `Accept proposal (${lastResult.screws.length} screw${lastResult.screws.length === 1 ? '' : 's'})`);
    acceptBtn.disabled = true;
    acceptBtn.textContent = 'Proposal accepted';
    acceptNote.textContent = 'Edit the screws below; Ctrl+Z takes the acceptance back.';
    resultsBox.open = false;
  });

  async function runPlan(): Promise<void> {
    const session = deps.getSession();
    const plan = store.get().plan;
    if (!session || !plan) return;
    const mine = ++request;
    setState('running');
    progress.value = 0;
    progressText.textContent = 'Searching…';
    const onProgress = (p: PlanProgress): void => {
      if (mine !== request) return;
      progress.value = p.corridorsTotal > 0 ? p.corridorsDone / p.corridorsTotal : 0;
      progressText.textContent = `${p.corridorsDone} / ${p.corridorsTotal} corridors · ${p.candidatesScored.toLocaleString('en-US')} trajectories`;
    };
    try {
      const result = await session.plan({
        settings: { ...plan.settings } as PlanSettings, catalog: JSON.parse(JSON.stringify(plan.catalog)) as ScrewCatalog,
        // Which structures have no model, and why (the plan's review): the structuresModelled rule of every screw.
        structuresWithoutModel: structuresWithoutModelOfPlan(plan),
      }, onProgress);
      if (mine !== request) return;
      lastResult = result;
      setState('done');
      progressText.textContent = `${result.candidatesScored.toLocaleString('en-US')} trajectories in ${(result.elapsedMs / 1000).toFixed(1)} s`;
      renderResults();
    } catch (error) {
      if (mine !== request) return;
      if (errorCodeOf(error) === 'worker/stale') {
        // Superseded by a newer search (that one reports), or the series changed.
        return;
      }
      setState('error');
      progressText.textContent = '';
      results.replaceChildren(h('div', { class: 'plan-error', attrs: { role: 'alert' }, text: `Planning failed: ${error instanceof Error ? error.message.replace(/^\[[^\]]+\]\s*/, '') : String(error)}` }));
      resultsBox.hidden = false;
      resultsBox.open = true;
      resultsSummary.textContent = 'Planner results';
      acceptBtn.hidden = true;
    }
  }

  const corridorRow = (o: CorridorOutcome): HTMLElement => {
    const title = `${CORRIDOR_LONG[o.corridorId]}${o.side ? ` ${sideLetter(o.side)}` : ''}`;
    const best = o.screws[0];
    const row = h('div', {
      class: 'plan-corridor',
      attrs: { 'data-corridor': o.corridorId, 'data-side': o.side ?? '', 'data-available': o.available ? '1' : '0' },
    });
    // A screw offered with a failed check (the search proposes a screw whose only failures are limiting structures
    // without a model: the corridor may be there, but its clearance to them was never checked).
    const failed = o.available && best ? best.evaluation.checks.filter((c) => !c.ok) : [];
    if (failed.length > 0) row.dataset['failed'] = '1';
    const head = h('div', { class: 'plan-corridor-head' }, h('span', { class: 'plan-corridor-icon', text: o.available && failed.length === 0 ? '\u2714' : '\u2716', attrs: { 'aria-hidden': 'true' } }), h('strong', { text: title }), h('span', { class: 'plan-corridor-verdict', text: o.available ? (failed.length > 0 ? 'available, check FAILED' : 'available') : 'no corridor' }));
    row.append(head);
    if (o.available && best) {
      const ev = best.evaluation;
      row.append(h('div', {
        class: 'plan-figures',
        text: `${best.screw.diameterMm.toFixed(1)} \u00D7 ${best.screw.lengthMm.toFixed(0)} mm · purchase ${fmt(ev.purchaseNearMm, 0)} / ${fmt(ev.purchaseFarMm, 0)} mm · through lesion ${fmt(ev.lesionSpanMm, 0)} mm · clearance ${Number.isFinite(ev.minClearanceMm) ? formatClearanceMm(ev.minClearanceMm, ev.minClearanceIsLowerBound) : '\u2014'}${ev.minClearanceStructure ? ` (${ev.minClearanceStructure})` : ''} · cover ${fmt(ev.minBoneCoverMm)} mm`,
      }));
      const add = h('button', { class: 'btn btn-small', text: 'Add', attrs: { type: 'button', 'data-action': 'add-corridor', title: 'Add this corridor\u2019s best screw to the plan' } });
      add.addEventListener('click', () => putInPlan(o.parallelSet.length > 0 ? o.parallelSet : [best], false, `Add ${title}`));
      head.append(add);
    }
    // An available corridor's reason restates the figures above; an unavailable one's says why.
    if (o.reason && !o.available) row.append(h('div', { class: 'plan-reason', text: o.reason }));
    // A sacral corridor not found while the sacrum's labels look incomplete (core/segmentation/sacrumCoverage.ts):
    // the missing bone may be why; say so where the verdict is read.
    const coverage = deps.getSession()?.getStatus().sacrumCoverage;
    if (!o.available && coverage?.suspect && /^(ilio|trans)sacral/.test(o.corridorId)) {
      row.append(h('div', {
        class: 'plan-reason plan-reason-warning',
        text: `The sacrum's bone labels look incomplete (${coverage.unlabelledMl.toFixed(0)} ml inside its outline unlabelled): this may be why. Paint missing bone (Segmentation: Paint bone), then plan again.`,
        attrs: { 'data-testid': 'plan-sacrum-coverage' },
      }));
    }
    // The best screw's failed checks, in red where the screw is offered (one line each, the planner's own sentence:
    // "Clearance NOT checked to S1 foramen, left (not found on this CT). Find it ... or override with a reason.").
    // Structures without a model come first, in their own block (test hook plan-unchecked-structures).
    // Several structures of one corridor make one sentence (the screw list gives each its own line and override);
    // the planner's full sentences are the block's tooltip.
    const unmodelled = failed.filter((c) => c.rule === 'structuresModelled');
    if (unmodelled.length > 0) {
      const one = unmodelled.length === 1;
      const why = unmodelled.every((c) => c.detail.includes('(not found on this CT)')) ? 'not found on this CT' : 'no model on this CT';
      const names: HTMLElement[] = [];
      unmodelled.forEach((c, i) => {
        if (i > 0) names.push(h('span', { text: '; ' }));
        names.push(h('span', { text: c.structureId ? structureLabel(c.structureId) : c.detail, attrs: { 'data-check': checkIdOf(c) } }));
      });
      row.append(h('div', {
        class: 'plan-reason plan-reason-danger',
        attrs: { 'data-testid': 'plan-unchecked-structures', role: 'alert', title: unmodelled.map((c) => c.detail).join('\n') },
      },
      h('span', { text: '\u2716 FAILED: Clearance NOT checked to ' }), ...names,
      h('span', { text: ` (${why}). Find ${one ? 'it' : 'them'} on the images and add ${one ? 'it' : 'them'} in Segmentation, or override ${one ? 'the check' : 'each'} with a reason.` })));
    }
    const others = failed.filter((c) => c.rule !== 'structuresModelled');
    if (others.length > 0) {
      row.append(h('div', { class: 'plan-reason plan-reason-danger' }, ...others.map((c) => h('div', { text: `\u2716 FAILED: ${c.detail}`, attrs: { 'data-check': checkIdOf(c) } }))));
    }
    // Structures the user marked absent: the check passes, and says so.
    const absent = o.available && best ? best.evaluation.checks.filter((c) => c.ok && c.rule === 'structuresModelled') : [];
    if (absent.length > 0) row.append(h('div', { class: 'plan-reason', text: absent.map((c) => c.detail).join(' '), attrs: { 'data-testid': 'plan-absent-structures' } }));
    return row;
  };

  function renderResults(): void {
    if (!lastResult) {
      results.replaceChildren();
      resultsBox.hidden = true;
      acceptBtn.hidden = true;
      acceptNote.textContent = '';
      return;
    }
    const r = lastResult;
    // Available corridors first; then those searched for this lesion that have no screw (the
    // clinically telling answer, e.g. "no S1 corridor: widest 6.8 mm ..."), shown open; corridors
    // that do not reach this lesion at all (nothing to score) are folded away.
    const available = r.corridors.filter((c) => c.available);
    const searched = r.corridors.filter((c) => !c.available && (c.candidatesScored > 0 || c.widestInBoneMm > 0));
    const elsewhere = r.corridors.filter((c) => !c.available && !(c.candidatesScored > 0 || c.widestInBoneMm > 0));
    const summary = h('div', { class: 'plan-summary', text: r.screws.length > 0 ? `Proposed: ${r.screws.length} screw${r.screws.length === 1 ? '' : 's'} that work together.` : 'No screw set could be proposed for this lesion.' });
    const parts: HTMLElement[] = [summary, ...available.map(corridorRow), ...searched.map(corridorRow)];
    if (elsewhere.length > 0) {
      parts.push(h('details', { class: 'plan-elsewhere' }, h('summary', { text: `${elsewhere.length} corridor${elsewhere.length === 1 ? '' : 's'} that do not reach this lesion` }), ...elsewhere.map(corridorRow)));
    }
    results.replaceChildren(...parts);
    resultsBox.hidden = false;
    resultsBox.open = true;
    resultsSummary.textContent = `Planner results: ${available.length} corridor${available.length === 1 ? '' : 's'} available, ${searched.length} without a screw`;
    acceptBtn.disabled = false;
    acceptBtn.hidden = r.screws.length === 0;
    acceptBtn.textContent = `Accept proposal (${r.screws.length} screw${r.screws.length === 1 ? '' : 's'})`;
    const n = store.get().plan?.screws.length ?? 0;
    acceptNote.textContent = r.screws.length > 0 && n > 0 ? `Replaces the ${n} screw${n === 1 ? '' : 's'} now in the plan (Ctrl+Z brings them back).` : '';
  }

  // ---- state -> inputs ----------------------------------------------------------------------
  const renderCatalog = (catalog: ScrewCatalog): void => {
    const rows = catalog.screws.map((spec) => {
      const remove = h('button', { class: 'btn btn-ghost btn-small', text: 'Remove', attrs: { type: 'button', 'data-action': 'catalog-remove', 'aria-label': `Remove ${spec.label}` } });
      remove.disabled = catalog.screws.length <= 1 || (store.get().plan?.screws.some((s) => s.catalogId === spec.id) ?? false);
      if (remove.disabled && catalog.screws.length > 1) remove.title = 'Used by a screw of the plan';
      remove.addEventListener('click', () => {
        const plan = store.get().plan;
        if (!plan) return;
        store.apply(setCatalog({ version: 1, screws: plan.catalog.screws.filter((s) => s.id !== spec.id) }, `Remove ${spec.label} from the catalog`));
      });
      const l = spec.lengthsMm;
      const steps = new Set(l.slice(1).map((v, i) => v - l[i]!));
      const lengths = steps.size === 1 && l.length > 2 ? `${l[0]}–${l[l.length - 1]} by ${[...steps][0]}` : l.join(', ');
      return h('tr', { attrs: { 'data-spec': spec.id } }, h('td', { text: spec.label }), h('td', { text: spec.diameterMm.toFixed(1) }), h('td', { text: lengths }), h('td', {}, remove));
    });
    catalogBody.replaceChildren(...rows);
  };

  let lastCatalog: ScrewCatalog | null = null;
  let lastScrewCount = -1;
  const render = (): void => {
    const plan = store.get().plan;
    // Written only when they differ: this runs on every store change, i.e. twice per pointer move of a screw
    // drag, and an unchanged text or attribute written again still costs a style recalc and a relayout.
    for (const [key, input] of settingInputs) {
      if (input.disabled !== !plan) input.disabled = !plan;
      const v = plan ? String(plan.settings[key]) : '';
      if (document.activeElement !== input && input.value !== v) input.value = v;
    }
    if (addBtn.disabled !== !plan) addBtn.disabled = !plan;
    const summary = plan
      ? `Settings: margin ${plan.settings.safetyMarginMm} · purchase ${plan.settings.purchaseMm} · lesion span ${plan.settings.minLesionSpanMm ?? '\u2014'} · spacing ${plan.settings.screwSpacingMm} mm`
      : 'Settings';
    if (settingsSummary.textContent !== summary) settingsSummary.textContent = summary;
    if (plan && (plan.catalog !== lastCatalog || plan.screws.length !== lastScrewCount)) {
      lastCatalog = plan.catalog;
      lastScrewCount = plan.screws.length;
      renderCatalog(plan.catalog);
    }
    if (!plan) catalogBody.replaceChildren();
    renderHint();
  };

  const renderHint = (): void => {
    const session = deps.getSession();
    const st: Readonly<SessionStatus> | undefined = session?.getStatus();
    const plan = store.get().plan;
    let hint = '';
    if (!plan || !session || !st) hint = 'Open a series to plan.';
    else if (st.phase === 'error') hint = st.error?.message ?? 'Segmentation failed.';
    else if (st.phase !== 'ready') hint = st.message || 'Segmenting…';
    else if (!st.lesion) hint = 'Mark the lesion first: one click inside it (segmentation).';
    if (planBtn.disabled !== (hint !== '')) planBtn.disabled = hint !== '';
    if (planHint.textContent !== hint) planHint.textContent = hint;
    if (planHint.hidden !== (hint === '')) planHint.hidden = hint === '';
  };

  const unsubscribe = store.subscribe(() => render());
  let unsubscribeSession: (() => void) | null = null;
  const watch = (): void => {
    unsubscribeSession?.();
    unsubscribeSession = deps.getSession()?.subscribe(() => renderHint()) ?? null;
  };
  watch();
  render();

  return {
    element,
    setNotice(n) {
      notice.hidden = n === null;
      if (n) {
        notice.dataset['tone'] = n.tone;
        noticeText.textContent = n.text;
      }
    },
    sessionChanged() {
      request++;
      lastResult = null;
      setState('idle');
      progressText.textContent = '';
      renderResults();
      watch();
      render();
    },
    dispose() {
      request++;
      unsubscribe();
      unsubscribeSession?.();
      element.remove();
    },
  };
}
