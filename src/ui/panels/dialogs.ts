/**
 * Modal choices of the loading flow: which series to open, and whether to
 * replace the open series by one with warnings. Each resolves once.
 */
import type { LoadIssueView, SeriesChoice } from '../loading/DicomSource';
import { h } from '../dom';

function modal(host: HTMLElement, testId: string, title: string, body: HTMLElement, buttons: HTMLButtonElement[]): { close(): void } {
  const dialog = h('div', { class: 'dialog', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': title, 'data-testid': testId } }, h('h2', { text: title }), body, h('div', { class: 'dialog-buttons' }, ...buttons));
  const backdrop = h('div', { class: 'backdrop' }, dialog);
  host.append(backdrop);
  buttons[0]?.focus();
  return { close: () => backdrop.remove() };
}

/** Lists the series of a drop; resolves with the chosen series UID, or null on cancel. */
export function chooseSeries(host: HTMLElement, choices: readonly SeriesChoice[]): Promise<string | null> {
  return new Promise((resolve) => {
    const cancel = h('button', { class: 'btn', text: 'Cancel', attrs: { 'data-action': 'cancel' } });
    const rows = choices.map((c) =>
      h(
        'li',
        {},
        h(
          'button',
          { class: 'series-row', attrs: { 'data-series-uid': c.seriesUid } },
          h('span', { class: 'series-desc', text: c.description || '(no description)' }),
          h('span', { class: 'series-meta', text: `${c.modality} · ${c.sliceCount} slices · ${c.sizeText}` }),
        ),
      ),
    );
    const m = modal(host, 'series-chooser', 'This drop holds several series: choose one', h('ul', { class: 'series-list' }, ...rows), [cancel]);
    for (const row of rows) {
      row.firstElementChild!.addEventListener('click', () => {
        m.close();
        resolve((row.firstElementChild as HTMLElement).dataset['seriesUid']!);
      });
    }
    cancel.addEventListener('click', () => {
      m.close();
      resolve(null);
    });
  });
}

/** Asks before replacing the open series by one with warnings. */
export function confirmWarnings(host: HTMLElement, issues: readonly LoadIssueView[]): Promise<boolean> {
  return new Promise((resolve) => {
    const keep = h('button', { class: 'btn', text: 'Keep the open series', attrs: { 'data-action': 'keep' } });
    const open = h('button', { class: 'btn btn-primary', text: 'Open anyway', attrs: { 'data-action': 'open-anyway' } });
    const list = h('ul', { class: 'issue-list' }, ...issues.map((i) => h('li', { class: `issue issue-${i.severity}`, attrs: { 'data-code': i.code } }, h('span', { text: i.message }), h('div', { class: 'issue-impact', text: i.planningImpact }))));
    const m = modal(host, 'confirm-warnings', 'The new series has findings that affect planning', list, [keep, open]);
    keep.addEventListener('click', () => {
      m.close();
      resolve(false);
    });
    open.addEventListener('click', () => {
      m.close();
      resolve(true);
    });
  });
}
