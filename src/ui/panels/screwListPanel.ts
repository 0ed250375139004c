/**
 * Screw list (side panel): one row per screw of the plan with its label
 * (corridor + side), diameter x length, status as colour + icon + text, the
 * figures of every check (purchase near / far, smallest clearance and to
 * what, bone cover, spacing to the nearest screw), and per failed check its
 * detail with "Override" (a reason and the user's name, kept in
 * sessionStorage) or the override already given. Click a row to select the
 * screw; change the diameter (catalog spec) or the length (that spec's
 * lengths) from drop-downs; Delete removes it. Undo / Redo buttons mirror
 * Ctrl+Z / Ctrl+Shift+Z.
 *
 * While a screw is pending, the figures of its last evaluation stay visible.
 * For a short grace after it went pending (store.shownStatusOf, issue #6) the
 * row shows its last status and figures unchanged, so that a drag repaints
 * the row once per move (the new result), not twice ("checking", then the
 * result); past the grace they are dimmed and marked "checking". The row's
 * data-status is always the store's own status (test hook); the colours read
 * data-shown-status. Rows are made once per screw id and patched in
 * place: only the texts and attributes that changed are written (a drag
 * changes the dragged row's size and status, a check result its status and
 * figures), nothing takes the keyboard focus, and a drop-down or the
 * override form with the focus is left alone while the user works in it.
 *
 * Test hooks: each row `data-screw-id`, `data-status`, `aria-selected`; each
 * figure `data-figure`; each failed check `data-check`.
 */
import './planPanels.css';
import type { CheckResult, ScrewEvaluation } from '../../core/planning/types';
import { formatClearanceMm } from '../../core/report/format';
import { checkIdOf, findOverride } from '../../core/report/fromPlanner';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import type { PlanStore, ScrewStatus } from '../plan/PlanStore';
import { editLabel, nearestCatalogLengthMm, removeOverride, removeScrew, setOverride, setScrewSpec } from '../plan/planEdits';
import { screwLabel, STATUS_ICON, STATUS_TEXT } from '../plan/screwLabels';
import type { CheckNote } from '../plan/planController';
import { h } from '../dom';

export type ScrewListPanelDeps = {
  store: PlanStore;
  /** sessionStorage (the overriding user's name); null: not kept. */
  storage?: Storage | null;
  /** Why checks are not running (from the controller). */
  getCheckNote?(): CheckNote;
  onCheckNote?(listener: (note: CheckNote) => void): () => void;
  now?: () => Date;
};

export type ScrewListPanel = { element: HTMLElement; dispose(): void };

const NAME_KEY = 'planner.overrideName';
const SENTINEL_MM = 1000;
const mm = (v: number, digits = 1): string => (Number.isFinite(v) && Math.abs(v) < SENTINEL_MM ? `${v.toFixed(digits)} mm` : '—');
/** A clearance read at the edge of a structure's field box is a lower bound: "> 21 mm", not "21.4 mm". */
const clearanceMm = (v: number, isLowerBound: boolean | undefined): string => (Number.isFinite(v) && Math.abs(v) < SENTINEL_MM ? formatClearanceMm(v, isLowerBound) : '—');

const RULE_TEXT: Record<string, string> = {
  purchase: 'Purchase',
  corticalBreach: 'Cortical breach',
  tipPosition: 'Tip position',
  clearance: 'Clearance',
  lesionSpan: 'Lesion span',
  screwSpacing: 'Screw spacing',
  skinPath: 'Skin path',
  structuresModelled: 'Structure without a model',
};

/** "Clearance: too close to foramenS1Left: -3.6 mm (needs 2.0 mm ...)": the rule, then the planner's own sentence (it names the structure). */
function checkText(c: CheckResult): string {
  const rule = RULE_TEXT[c.rule] ?? c.rule;
  if (c.detail) return `${rule}: ${c.detail}`;
  const what = [c.structureId, c.otherScrewId ? `to ${c.otherScrewId}` : ''].filter(Boolean).join(' ');
  const value = c.rule === 'clearance' ? clearanceMm(c.valueMm, c.isLowerBound) : mm(c.valueMm);
  return `${rule}${what ? ` ${what}` : ''}: ${value} (needs ${mm(c.requiredMm)})`;
}

export function createScrewListPanel(container: HTMLElement, deps: ScrewListPanelDeps): ScrewListPanel {
  const { store } = deps;
  const storage = deps.storage ?? null;
  const now = deps.now ?? (() => new Date());
  const undoBtn = h('button', { class: 'btn btn-small', text: 'Undo', attrs: { type: 'button', 'data-action': 'undo', title: 'Undo (Ctrl+Z)' } });
  const redoBtn = h('button', { class: 'btn btn-small', text: 'Redo', attrs: { type: 'button', 'data-action': 'redo', title: 'Redo (Ctrl+Shift+Z)' } });
  undoBtn.addEventListener('click', () => store.undo());
  redoBtn.addEventListener('click', () => store.redo());
  const title = h('h2', { class: 'panel-title', text: 'Screws' });
  const note = h('div', { class: 'plan-hint', attrs: { 'data-testid': 'check-note', hidden: '' } });
  const empty = h('div', { class: 'plan-hint', text: 'No screws yet: plan screws and accept the proposal.' });
  const list = h('div', { class: 'screw-list', attrs: { role: 'listbox', 'aria-label': 'Screws of the plan' } });
  const nameInput = h('input', { attrs: { type: 'text', placeholder: 'Your name', 'aria-label': 'Your name (recorded with overrides)', 'data-field': 'override-name', autocomplete: 'name' } });
  nameInput.value = storage?.getItem(NAME_KEY) ?? '';
  nameInput.addEventListener('change', () => storage?.setItem(NAME_KEY, nameInput.value.trim()));
  const element = h(
    'section',
    { class: 'screw-list-panel', attrs: { 'aria-label': 'Screws' } },
    h('div', { class: 'panel-head' }, title, h('span', { class: 'panel-head-actions' }, undoBtn, redoBtn)),
    note,
    empty,
    list,
    h('label', { class: 'plan-field plan-name', title: 'Recorded with every override you make' }, h('span', { text: 'Overrides by' }), nameInput),
  );
  container.append(element);

  /** Last evaluation shown per screw (kept while the screw is pending again). */
  const lastShown = new Map<string, ScrewEvaluation>();
  /** The failed check whose override form is open. */
  let overrideOpen: { screwId: string; checkId: string } | null = null;
  let lastSelected: string | null = null;

  /** An input, drop-down or text area inside `box` has the focus: the user is typing or picking there. */
  const editingIn = (box: Element): boolean => {
    const focused = document.activeElement as HTMLElement | null;
    return focused !== null && box.contains(focused) && (focused.tagName === 'INPUT' || focused.tagName === 'SELECT' || focused.tagName === 'TEXTAREA');
  };
  const setText = (node: Node, text: string): void => {
    if (node.textContent !== text) node.textContent = text;
  };
  const setAttr = (node: Element, name: string, value: string): void => {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  };

  // ---- one row, made once per screw id and patched in place ------------------------------------
  type FigureKey = 'purchase' | 'clearance' | 'cover' | 'spacing';
  type CheckItem = { li: HTMLElement; icon: HTMLElement; text: HTMLElement; action: HTMLElement; actionKey: string };
  type Controls = { box: HTMLElement; diameter: HTMLSelectElement; length: HTMLSelectElement; optionsKey: string };
  type RowView = {
    id: string;
    el: HTMLElement;
    status: HTMLElement;
    statusIcon: HTMLElement;
    statusText: HTMLElement;
    label: HTMLElement;
    size: HTMLElement;
    figs: HTMLElement;
    notChecked: HTMLElement;
    values: Record<FigureKey, HTMLElement>;
    unchecked: HTMLElement;
    checks: HTMLElement;
    checkItems: Map<string, CheckItem>;
    controls: Controls | null;
  };
  const rows = new Map<string, RowView>();

  const makeRow = (id: string): RowView => {
    const statusIcon = h('span', { class: 'screw-status-icon', attrs: { 'aria-hidden': 'true' } });
    const statusText = h('span');
    const status = h('span', { class: 'screw-status' }, statusIcon, statusText);
    const label = h('strong', { class: 'screw-label' });
    const size = h('span', { class: 'screw-size' });
    const notChecked = h('span', { class: 'plan-hint', text: 'Not checked yet.' });
    const values = {} as Record<FigureKey, HTMLElement>;
    const items: HTMLElement[] = [];
    for (const [key, text] of [['purchase', 'Purchase near / far'], ['clearance', 'Min clearance'], ['cover', 'Bone cover'], ['spacing', 'Spacing']] as const) {
      values[key] = h('span', { class: 'screw-figure-value' });
      items.push(h('span', { class: 'screw-figure', attrs: { 'data-figure': key } }, h('span', { class: 'screw-figure-label', text }), values[key]));
    }
    const unchecked = h('span', { class: 'screw-unchecked', attrs: { hidden: '' } });
    const figs = h('div', { class: 'screw-figures' }, notChecked, ...items, unchecked);
    const checks = h('ul', { class: 'screw-checks', attrs: { hidden: '' } });
    const el = h(
      'div',
      { class: 'screw-row', attrs: { role: 'option', tabindex: '0', 'data-screw-id': id } },
      h('div', { class: 'screw-row-head' }, status, label, size),
      figs,
      checks,
    );
    el.addEventListener('click', () => store.select(id));
    el.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target === el) {
        e.preventDefault();
        store.select(id);
      }
    });
    return { id, el, status, statusIcon, statusText, label, size, figs, notChecked, values, unchecked, checks, checkItems: new Map(), controls: null };
  };

  const updateFigures = (r: RowView, ev: ScrewEvaluation | undefined, stale: boolean): void => {
    r.figs.classList.toggle('stale', stale);
    r.notChecked.hidden = ev !== undefined;
    for (const key of Object.keys(r.values) as FigureKey[]) (r.values[key].parentElement as HTMLElement).hidden = ev === undefined;
    if (!ev) {
      r.unchecked.hidden = true;
      return;
    }
    const spacing = ev.checks.filter((c) => c.rule === 'screwSpacing');
    const minSpacing = spacing.length > 0 ? spacing.reduce((a, b) => (b.valueMm < a.valueMm ? b : a)) : null;
    setText(r.values.purchase, ev.lesionSpanMm > 0 ? `${mm(ev.purchaseNearMm, 0)} / ${mm(ev.purchaseFarMm, 0)}` : 'no lesion on the axis');
    setText(r.values.clearance, `${clearanceMm(ev.minClearanceMm, ev.minClearanceIsLowerBound)}${ev.minClearanceStructure ? ` (${ev.minClearanceStructure})` : ''}`);
    setText(r.values.cover, mm(ev.minBoneCoverMm));
    setText(r.values.spacing, minSpacing ? `${mm(minSpacing.valueMm)}${minSpacing.otherScrewId ? ` to ${minSpacing.otherScrewId}` : ''}` : 'single screw');
    // Limiting structures without a model: one not found FAILS its structuresModelled check (listed with the failed
    // checks, to clear or override); one the user marked absent passes, and this line says so.
    const absent = ev.checks.filter((c) => c.rule === 'structuresModelled' && c.ok);
    r.unchecked.hidden = absent.length === 0;
    setText(r.unchecked, absent.map((c) => c.detail).join(' '));
  };

  /** After the user's own action replaced the button they pressed: the keyboard focus goes back to its row, not to the page. */
  const refocusRow = (screwId: string): void => {
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    rows.get(screwId)?.el.focus({ preventScroll: true });
  };

  /** What a failed check offers: Withdraw (overridden), the open override form, or Override…; built when that changes. */
  const buildAction = (s: PlanScrew, c: CheckResult, id: string, o: ReturnType<typeof findOverride>): HTMLElement => {
    const screwId = s.id;
    const box = h('span', { class: 'screw-check-action' });
    if (o) {
      const undoOverride = h('button', { class: 'btn btn-ghost btn-small', text: 'Withdraw', attrs: { type: 'button', 'data-action': 'withdraw-override' } });
      undoOverride.addEventListener('click', (e) => {
        e.stopPropagation();
        store.apply(removeOverride(screwId, c.rule, c.structureId ?? null, editLabel(store.get().plan, screwId, 'Withdraw override of')));
        refocusRow(screwId);
      });
      box.append(h('div', { class: 'screw-override' }, h('span', { text: `Overridden by ${o.by}: ${o.reason}` }), undoOverride));
    } else if (overrideOpen && overrideOpen.screwId === screwId && overrideOpen.checkId === id) {
      const reason = h('input', { attrs: { type: 'text', placeholder: 'Reason (required)', 'aria-label': 'Reason for the override', 'data-field': 'override-reason' } });
      const ok = h('button', { class: 'btn btn-small', text: 'Confirm override', attrs: { type: 'button', 'data-action': 'confirm-override' } });
      const cancel = h('button', { class: 'btn btn-ghost btn-small', text: 'Cancel', attrs: { type: 'button' } });
      const err = h('span', { class: 'plan-error', attrs: { hidden: '' } });
      for (const node of [reason, ok, cancel]) node.addEventListener('click', (e) => e.stopPropagation());
      ok.addEventListener('click', () => {
        const by = nameInput.value.trim();
        const why = reason.value.trim();
        if (!by || !why) {
          err.textContent = !by ? 'Enter your name below (Overrides by).' : 'Give a reason.';
          err.hidden = false;
          (!by ? nameInput : reason).focus();
          return;
        }
        storage?.setItem(NAME_KEY, by);
        overrideOpen = null;
        store.apply(setOverride({ screwId, rule: c.rule, structureId: c.structureId ?? null, by, reason: why, atIso: now().toISOString() }, editLabel(store.get().plan, screwId, 'Override check of')));
        refocusRow(screwId);
      });
      cancel.addEventListener('click', () => {
        overrideOpen = null;
        render();
        refocusRow(screwId);
      });
      box.append(h('div', { class: 'screw-override-form' }, reason, ok, cancel, err));
      // The user just asked for this form: its field takes the focus (once, when it opens).
      queueMicrotask(() => reason.focus());
    } else {
      const btn = h('button', { class: 'btn btn-ghost btn-small', text: 'Override…', attrs: { type: 'button', 'data-action': 'override' } });
      btn.addEventListener('click', (e) => {
        e.stopPropagation();
        overrideOpen = { screwId, checkId: id };
        render();
      });
      box.append(btn);
    }
    return box;
  };

  const updateChecks = (r: RowView, plan: PlanContent, s: PlanScrew, ev: ScrewEvaluation | undefined, current: boolean): void => {
    // Pending (being moved, being checked): the failed checks of a position that is gone are hidden, and kept
    // for the next result, which mostly fails the same checks with other figures (patched, not rebuilt).
    if (!ev || !current) {
      r.checks.hidden = true;
      return;
    }
    const failed = ev.checks.filter((c) => !c.ok);
    r.checks.hidden = failed.length === 0;
    const seen = new Set<string>();
    let before: Element | null = r.checks.firstElementChild;
    for (const c of failed) {
      const id = checkIdOf(c);
      seen.add(id);
      const o = findOverride(plan.overrides, s.id, c);
      let item = r.checkItems.get(id);
      if (!item) {
        const icon = h('span', { class: 'screw-check-icon', attrs: { 'aria-hidden': 'true' } });
        const text = h('span');
        const action = h('span');
        item = { li: h('li', { attrs: { 'data-check': id } }, icon, text, action), icon, text, action, actionKey: '' };
        r.checkItems.set(id, item);
      }
      setAttr(item.li, 'data-overridden', o ? '1' : '0');
      setText(item.icon, o ? STATUS_ICON.overridden : STATUS_ICON.failed);
      setText(item.text, checkText(c));
      const open = overrideOpen?.screwId === s.id && overrideOpen.checkId === id;
      const actionKey = JSON.stringify([o ? [o.by, o.reason] : null, open]);
      // Rebuilt only when what it offers changes, and never under the user's typing.
      if (actionKey !== item.actionKey && !editingIn(item.action)) {
        item.actionKey = actionKey;
        const next = buildAction(s, c, id, o);
        item.li.replaceChild(next, item.action);
        item.action = next;
      }
      if (item.li !== before) r.checks.insertBefore(item.li, before);
      before = item.li.nextElementSibling;
    }
    for (const [id, item] of [...r.checkItems]) {
      if (seen.has(id) || editingIn(item.li)) continue;
      item.li.remove();
      r.checkItems.delete(id);
    }
  };

  const makeControls = (id: string): Controls => {
    const diameter = h('select', { attrs: { 'aria-label': 'Screw (diameter)', 'data-field': 'spec' } }) as HTMLSelectElement;
    const length = h('select', { attrs: { 'aria-label': 'Length', 'data-field': 'length' } }) as HTMLSelectElement;
    for (const el of [diameter, length]) el.addEventListener('click', (e) => e.stopPropagation());
    // The handlers read the plan as it is now (the controls outlive many edits).
    diameter.addEventListener('change', () => {
      const plan = store.get().plan;
      const s = store.screw(id);
      const next = plan?.catalog.screws.find((c) => c.id === diameter.value);
      if (!plan || !s || !next) return;
      const l = nearestCatalogLengthMm(plan.catalog, next.id, s.lengthMm) ?? s.lengthMm;
      diameter.blur();
      store.apply(setScrewSpec(id, next.id, l, editLabel(plan, id, `${next.label} for`)));
    });
    length.addEventListener('change', () => {
      const plan = store.get().plan;
      const s = store.screw(id);
      const spec = plan && s ? plan.catalog.screws.find((c) => c.id === s.catalogId) : undefined;
      const l = Number(length.value);
      if (!plan || !spec || !(l > 0)) return;
      length.blur();
      store.apply(setScrewSpec(id, spec.id, l, editLabel(plan, id, `${l} mm for`)));
    });
    const del = h('button', { class: 'btn btn-ghost btn-small', text: 'Delete', attrs: { type: 'button', 'data-action': 'delete-screw', title: 'Delete this screw (Delete key)' } });
    del.addEventListener('click', (e) => {
      e.stopPropagation();
      store.apply(removeScrew(id, editLabel(store.get().plan, id, 'Delete')));
    });
    return { box: h('div', { class: 'screw-controls' }, diameter, length, del), diameter, length, optionsKey: '' };
  };

  const updateControls = (ctl: Controls, plan: PlanContent, s: PlanScrew): void => {
    if (editingIn(ctl.box)) return;
    const known = plan.catalog.screws.some((c) => c.id === s.catalogId);
    const spec = plan.catalog.screws.find((c) => c.id === s.catalogId);
    const inCatalog = spec?.lengthsMm.some((l) => Math.abs(l - s.lengthMm) < 1e-6) ?? false;
    // Options are rebuilt when the catalog or the spec changes; the off-catalog length option is patched.
    const optionsKey = JSON.stringify([plan.catalog.screws, s.catalogId, known, inCatalog]);
    if (optionsKey !== ctl.optionsKey) {
      ctl.optionsKey = optionsKey;
      const d: HTMLElement[] = [];
      if (!known) d.push(h('option', { text: `${s.diameterMm.toFixed(1)} mm (not in catalog)`, attrs: { value: '' } }));
      // Short option texts (the side panel is narrow); the spec's full label is the tooltip.
      for (const c of plan.catalog.screws) d.push(h('option', { text: `\u2300 ${c.diameterMm.toFixed(1)} mm`, title: c.label, attrs: { value: c.id } }));
      ctl.diameter.replaceChildren(...d);
      const l: HTMLElement[] = [];
      if (!inCatalog) l.push(h('option', { text: '', attrs: { value: '' } }));
      for (const len of spec?.lengthsMm ?? []) l.push(h('option', { text: `${len} mm`, attrs: { value: String(len) } }));
      ctl.length.replaceChildren(...l);
    }
    ctl.diameter.title = spec?.label ?? '';
    const dValue = known ? s.catalogId : '';
    if (ctl.diameter.value !== dValue) ctl.diameter.value = dValue;
    if (!inCatalog) setText(ctl.length.options[0]!, `${s.lengthMm.toFixed(1)} mm`);
    const lValue = inCatalog ? String(spec!.lengthsMm.find((l) => Math.abs(l - s.lengthMm) < 1e-6)) : '';
    if (ctl.length.value !== lValue) ctl.length.value = lValue;
  };

  const updateRow = (r: RowView, plan: PlanContent, s: PlanScrew, status: ScrewStatus, selected: boolean): void => {
    const current = store.get().evaluations[s.id];
    if (current) lastShown.set(s.id, current);
    const ev = current ?? lastShown.get(s.id);
    const shown = store.shownStatusOf?.(s.id) ?? status;
    /** Pending but within the grace: the last result stays up as it was. */
    const held = !current && shown !== 'pending' && ev !== undefined;
    // The status first: it is what the user waits for.
    setAttr(r.el, 'data-status', status);
    setAttr(r.el, 'data-shown-status', shown);
    setAttr(r.status, 'data-status', shown);
    setText(r.statusIcon, STATUS_ICON[shown]);
    setText(r.statusText, STATUS_TEXT[shown]);
    setAttr(r.el, 'aria-selected', selected ? 'true' : 'false');
    setText(r.label, screwLabel(s, plan.screws));
    const spec = plan.catalog.screws.find((c) => c.id === s.catalogId);
    const inCatalog = spec?.lengthsMm.some((l) => Math.abs(l - s.lengthMm) < 1e-6) ?? false;
    const nearest = inCatalog ? null : nearestCatalogLengthMm(plan.catalog, s.catalogId, s.lengthMm);
    setText(r.size, `${s.diameterMm.toFixed(1)} \u00D7 ${inCatalog ? s.lengthMm.toFixed(0) : s.lengthMm.toFixed(1)} mm${nearest !== null ? ` (catalog ${nearest})` : ''}`);
    updateFigures(r, ev, !current && !held && ev !== undefined);
    updateChecks(r, plan, s, ev, current !== undefined || held);
    if (selected) {
      r.controls ??= makeControls(s.id);
      if (r.controls.box.parentElement !== r.el) r.el.append(r.controls.box);
      updateControls(r.controls, plan, s);
    } else if (r.controls?.box.parentElement) r.controls.box.remove();
  };

  const render = (): void => {
    const state = store.get();
    const plan = state.plan;
    undoBtn.disabled = !state.canUndo;
    redoBtn.disabled = !state.canRedo;
    const screws = plan?.screws ?? [];
    setText(title, `Screws (${screws.length})`);
    empty.hidden = screws.length > 0 || !plan;
    const ids = new Set(screws.map((s) => s.id));
    for (const id of [...lastShown.keys()]) if (!ids.has(id)) lastShown.delete(id);
    for (const [id, r] of [...rows]) {
      if (ids.has(id) && plan) continue;
      r.el.remove();
      rows.delete(id);
    }
    if (!plan) return;
    // Rows are patched in place (keyed by screw id) and moved only when the order changed: keyboard focus stays where it is.
    let before: Element | null = list.firstElementChild;
    for (const s of screws) {
      let r = rows.get(s.id);
      if (!r) {
        r = makeRow(s.id);
        rows.set(s.id, r);
      }
      updateRow(r, plan, s, store.statusOf(s.id), state.selectedScrewId === s.id);
      if (r.el !== before) list.insertBefore(r.el, before);
      before = r.el.nextElementSibling;
    }
    if (state.selectedScrewId !== lastSelected) {
      lastSelected = state.selectedScrewId;
      list.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: 'nearest' });
    }
  };

  const renderNote = (n: CheckNote): void => {
    note.hidden = n === null;
    note.textContent = n?.message ?? '';
  };
  const unsubscribe = store.subscribe(() => render());
  const unsubscribeNote = deps.onCheckNote?.(renderNote) ?? null;
  renderNote(deps.getCheckNote?.() ?? null);
  render();

  return {
    element,
    dispose() {
      unsubscribe();
      unsubscribeNote?.();
      element.remove();
    },
  };
}
