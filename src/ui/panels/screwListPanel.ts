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
 * While a screw is pending, the figures of its last evaluation stay visible,
 * dimmed, marked "checking". Rows are rebuilt only when their content
 * changes, and never while focus is inside them (a drop-down or the
 * override form stays usable).
 *
 * Test hooks: each row `data-screw-id`, `data-status`, `aria-selected`; each
 * figure `data-figure`; each failed check `data-check`.
 */
import './planPanels.css';
import type { CheckResult, ScrewEvaluation } from '../../core/planning/types';
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

const RULE_TEXT: Record<string, string> = {
  purchase: 'Purchase',
  corticalBreach: 'Cortical breach',
  tipPosition: 'Tip position',
  clearance: 'Clearance',
  screwSpacing: 'Screw spacing',
  skinPath: 'Skin path',
};

/** "Clearance: too close to foramenS1Left: -3.6 mm (needs 2.0 mm ...)": the rule, then the planner's own sentence (it names the structure). */
function checkText(c: CheckResult): string {
  const rule = RULE_TEXT[c.rule] ?? c.rule;
  if (c.detail) return `${rule}: ${c.detail}`;
  const what = [c.structureId, c.otherScrewId ? `to ${c.otherScrewId}` : ''].filter(Boolean).join(' ');
  return `${rule}${what ? ` ${what}` : ''}: ${mm(c.valueMm)} (needs ${mm(c.requiredMm)})`;
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
  const rowKeys = new Map<string, string>();
  /** The failed check whose override form is open. */
  let overrideOpen: { screwId: string; checkId: string } | null = null;
  let lastSelected: string | null = null;

  const figures = (ev: ScrewEvaluation | undefined): HTMLElement => {
    const box = h('div', { class: 'screw-figures' });
    if (!ev) {
      box.append(h('span', { class: 'plan-hint', text: 'Not checked yet.' }));
      return box;
    }
    const spacing = ev.checks.filter((c) => c.rule === 'screwSpacing');
    const minSpacing = spacing.length > 0 ? spacing.reduce((a, b) => (b.valueMm < a.valueMm ? b : a)) : null;
    const item = (key: string, label: string, value: string): HTMLElement =>
      h('span', { class: 'screw-figure', attrs: { 'data-figure': key } }, h('span', { class: 'screw-figure-label', text: label }), h('span', { class: 'screw-figure-value', text: value }));
    box.append(
      item('purchase', 'Purchase near / far', ev.lesionSpanMm > 0 ? `${mm(ev.purchaseNearMm, 0)} / ${mm(ev.purchaseFarMm, 0)}` : 'no lesion on the axis'),
      item('clearance', 'Min clearance', `${mm(ev.minClearanceMm)}${ev.minClearanceStructure ? ` (${ev.minClearanceStructure})` : ''}`),
      item('cover', 'Bone cover', mm(ev.minBoneCoverMm)),
      item('spacing', 'Spacing', minSpacing ? `${mm(minSpacing.valueMm)}${minSpacing.otherScrewId ? ` to ${minSpacing.otherScrewId}` : ''}` : 'single screw'),
    );
    if (ev.uncheckedStructures && ev.uncheckedStructures.length > 0) {
      box.append(h('span', { class: 'screw-unchecked', text: `Not checked (no model): ${ev.uncheckedStructures.join(', ')}` }));
    }
    return box;
  };

  const failedChecks = (plan: PlanContent, s: PlanScrew, ev: ScrewEvaluation | undefined, current: boolean): HTMLElement | null => {
    if (!ev || !current) return null;
    const failed = ev.checks.filter((c) => !c.ok);
    if (failed.length === 0) return null;
    const box = h('ul', { class: 'screw-checks' });
    for (const c of failed) {
      const id = checkIdOf(c);
      const o = findOverride(plan.overrides, s.id, c);
      const li = h('li', { attrs: { 'data-check': id, 'data-overridden': o ? '1' : '0' } }, h('span', { class: 'screw-check-icon', text: o ? STATUS_ICON.overridden : STATUS_ICON.failed, attrs: { 'aria-hidden': 'true' } }), h('span', { text: checkText(c) }));
      if (o) {
        const undoOverride = h('button', { class: 'btn btn-ghost btn-small', text: 'Withdraw', attrs: { type: 'button', 'data-action': 'withdraw-override' } });
        undoOverride.addEventListener('click', (e) => {
          e.stopPropagation();
          store.apply(removeOverride(s.id, c.rule, c.structureId ?? null, editLabel(plan, s.id, 'Withdraw override of')));
        });
        li.append(h('div', { class: 'screw-override' }, h('span', { text: `Overridden by ${o.by}: ${o.reason}` }), undoOverride));
      } else if (overrideOpen && overrideOpen.screwId === s.id && overrideOpen.checkId === id) {
        const reason = h('input', { attrs: { type: 'text', placeholder: 'Reason (required)', 'aria-label': 'Reason for the override', 'data-field': 'override-reason' } });
        const ok = h('button', { class: 'btn btn-small', text: 'Confirm override', attrs: { type: 'button', 'data-action': 'confirm-override' } });
        const cancel = h('button', { class: 'btn btn-ghost btn-small', text: 'Cancel', attrs: { type: 'button' } });
        const err = h('span', { class: 'plan-error', attrs: { hidden: '' } });
        ok.addEventListener('click', (e) => {
          e.stopPropagation();
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
          store.apply(setOverride({ screwId: s.id, rule: c.rule, structureId: c.structureId ?? null, by, reason: why, atIso: now().toISOString() }, editLabel(plan, s.id, 'Override check of')));
        });
        cancel.addEventListener('click', (e) => {
          e.stopPropagation();
          overrideOpen = null;
          render(true);
        });
        li.append(h('div', { class: 'screw-override-form' }, reason, ok, cancel, err));
        queueMicrotask(() => reason.focus());
      } else {
        const btn = h('button', { class: 'btn btn-ghost btn-small', text: 'Override…', attrs: { type: 'button', 'data-action': 'override' } });
        btn.addEventListener('click', (e) => {
          e.stopPropagation();
          overrideOpen = { screwId: s.id, checkId: id };
          render(true);
        });
        li.append(btn);
      }
      box.append(li);
    }
    return box;
  };

  const specControls = (plan: PlanContent, s: PlanScrew): HTMLElement => {
    const diameter = h('select', { attrs: { 'aria-label': 'Screw (diameter)', 'data-field': 'spec' } });
    const known = plan.catalog.screws.some((c) => c.id === s.catalogId);
    if (!known) diameter.append(h('option', { text: `${s.diameterMm.toFixed(1)} mm (not in catalog)`, attrs: { value: '' } }));
    // Short option texts (the side panel is narrow); the spec's full label is the tooltip.
    for (const c of plan.catalog.screws) diameter.append(h('option', { text: `\u2300 ${c.diameterMm.toFixed(1)} mm`, title: c.label, attrs: { value: c.id } }));
    diameter.title = plan.catalog.screws.find((c) => c.id === s.catalogId)?.label ?? '';
    diameter.value = known ? s.catalogId : '';
    const length = h('select', { attrs: { 'aria-label': 'Length', 'data-field': 'length' } });
    const spec = plan.catalog.screws.find((c) => c.id === s.catalogId);
    const inCatalog = spec?.lengthsMm.some((l) => Math.abs(l - s.lengthMm) < 1e-6) ?? false;
    if (!inCatalog) length.append(h('option', { text: `${s.lengthMm.toFixed(1)} mm`, attrs: { value: '' } }));
    for (const l of spec?.lengthsMm ?? []) length.append(h('option', { text: `${l} mm`, attrs: { value: String(l) } }));
    length.value = inCatalog ? String(spec!.lengthsMm.find((l) => Math.abs(l - s.lengthMm) < 1e-6)) : '';
    for (const el of [diameter, length]) el.addEventListener('click', (e) => e.stopPropagation());
    diameter.addEventListener('change', () => {
      const next = plan.catalog.screws.find((c) => c.id === diameter.value);
      if (!next) return;
      const l = nearestCatalogLengthMm(plan.catalog, next.id, s.lengthMm) ?? s.lengthMm;
      (document.activeElement as HTMLElement | null)?.blur();
      store.apply(setScrewSpec(s.id, next.id, l, editLabel(plan, s.id, `${next.label} for`)));
    });
    length.addEventListener('change', () => {
      const l = Number(length.value);
      if (!spec || !(l > 0)) return;
      (document.activeElement as HTMLElement | null)?.blur();
      store.apply(setScrewSpec(s.id, spec.id, l, editLabel(plan, s.id, `${l} mm for`)));
    });
    const del = h('button', { class: 'btn btn-ghost btn-small', text: 'Delete', attrs: { type: 'button', 'data-action': 'delete-screw', title: 'Delete this screw (Delete key)' } });
    del.addEventListener('click', (e) => {
      e.stopPropagation();
      store.apply(removeScrew(s.id, editLabel(plan, s.id, 'Delete')));
    });
    return h('div', { class: 'screw-controls' }, diameter, length, del);
  };

  const row = (plan: PlanContent, s: PlanScrew, status: ScrewStatus, selected: boolean): HTMLElement => {
    const current = store.get().evaluations[s.id];
    if (current) lastShown.set(s.id, current);
    const ev = current ?? lastShown.get(s.id);
    const spec = plan.catalog.screws.find((c) => c.id === s.catalogId);
    const inCatalog = spec?.lengthsMm.some((l) => Math.abs(l - s.lengthMm) < 1e-6) ?? false;
    const nearest = inCatalog ? null : nearestCatalogLengthMm(plan.catalog, s.catalogId, s.lengthMm);
    const size = `${s.diameterMm.toFixed(1)} \u00D7 ${inCatalog ? s.lengthMm.toFixed(0) : s.lengthMm.toFixed(1)} mm${nearest !== null ? ` (catalog ${nearest})` : ''}`;
    const el = h(
      'div',
      {
        class: 'screw-row',
        attrs: { role: 'option', tabindex: '0', 'data-screw-id': s.id, 'data-status': status, 'aria-selected': selected ? 'true' : 'false' },
      },
      h(
        'div',
        { class: 'screw-row-head' },
        h('span', { class: 'screw-status', attrs: { 'data-status': status } }, h('span', { class: 'screw-status-icon', text: STATUS_ICON[status], attrs: { 'aria-hidden': 'true' } }), h('span', { text: STATUS_TEXT[status] })),
        h('strong', { class: 'screw-label', text: screwLabel(s, plan.screws) }),
        h('span', { class: 'screw-size', text: size }),
      ),
    );
    const figs = figures(ev);
    if (!current && ev) figs.classList.add('stale');
    el.append(figs);
    const checks = failedChecks(plan, s, ev, current !== undefined);
    if (checks) el.append(checks);
    if (selected) el.append(specControls(plan, s));
    el.addEventListener('click', () => store.select(s.id));
    el.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target === el) {
        e.preventDefault();
        store.select(s.id);
      }
    });
    return el;
  };

  const render = (force = false): void => {
    const state = store.get();
    const plan = state.plan;
    undoBtn.disabled = !state.canUndo;
    redoBtn.disabled = !state.canRedo;
    const screws = plan?.screws ?? [];
    title.textContent = `Screws (${screws.length})`;
    empty.hidden = screws.length > 0 || !plan;
    if (!plan) {
      list.replaceChildren();
      rowKeys.clear();
      return;
    }
    const ids = new Set(screws.map((s) => s.id));
    for (const id of [...lastShown.keys()]) if (!ids.has(id)) lastShown.delete(id);
    // A row is not rebuilt while the user types or picks in it (an input or a drop-down has focus).
    const focused = document.activeElement as HTMLElement | null;
    const editingIn = (row: HTMLElement): boolean =>
      focused !== null && focused !== row && row.contains(focused) && (focused.tagName === 'INPUT' || focused.tagName === 'SELECT' || focused.tagName === 'TEXTAREA');
    const existing = new Map<string, HTMLElement>();
    for (const child of Array.from(list.children) as HTMLElement[]) existing.set(child.dataset['screwId'] ?? '', child);
    const rows: HTMLElement[] = [];
    let refocus: HTMLElement | null = null;
    for (const s of screws) {
      const status = store.statusOf(s.id);
      const selected = state.selectedScrewId === s.id;
      const key = JSON.stringify([s, status, selected, state.evaluations[s.id] ?? null, plan.overrides.filter((o) => o.screwId === s.id), plan.catalog, screws.length, overrideOpen?.screwId === s.id ? overrideOpen.checkId : null]);
      const old = existing.get(s.id);
      if (old && !force && (rowKeys.get(s.id) === key || editingIn(old))) {
        rows.push(old);
        continue;
      }
      if (old && force && editingIn(old) && overrideOpen?.screwId !== s.id) {
        rows.push(old);
        continue;
      }
      rowKeys.set(s.id, key);
      const fresh = row(plan, s, status, selected);
      // Keyboard focus on a row (or a button in it) moves to its new version.
      if (old && focused && old.contains(focused)) refocus = fresh;
      rows.push(fresh);
    }
    // Keep the same nodes in place when nothing moved (no focus loss).
    if (rows.length !== list.children.length || rows.some((r, i) => list.children[i] !== r)) list.replaceChildren(...rows);
    if (refocus && !(refocus as HTMLElement).querySelector('[data-field="override-reason"]')) (refocus as HTMLElement).focus({ preventScroll: true });
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
