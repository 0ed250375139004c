/**
 * The banner under the toolbar: loader findings and what each means for
 * planning, and load failures ("kept the open series"). Dismissable.
 */
import type { LoadIssueView } from '../loading/DicomSource';
import { planningImpactFor } from '../loading/issueMessages';
import { h } from '../dom';

export type IssueBanner = {
  element: HTMLElement;
  /** `tone`: 'error' (load refused), 'warning' (opened with findings), 'info'. */
  show(tone: 'error' | 'warning' | 'info', headline: string, issues: readonly LoadIssueView[]): void;
  clear(): void;
};

export function createIssueBanner(): IssueBanner {
  const element = h('div', { class: 'banner', attrs: { role: 'status', 'aria-live': 'polite', 'data-testid': 'issue-banner', hidden: '' } });
  const clear = (): void => {
    element.hidden = true;
    element.replaceChildren();
    element.removeAttribute('data-tone');
    element.removeAttribute('data-codes');
  };
  return {
    element,
    show(tone, headline, issues) {
      element.hidden = false;
      element.dataset['tone'] = tone;
      element.dataset['codes'] = issues.map((i) => i.code).join(' ');
      const close = h('button', { class: 'btn btn-ghost banner-close', text: '×', title: 'Dismiss', attrs: { 'aria-label': 'Dismiss' } });
      close.addEventListener('click', clear);
      // One line per distinct finding; repeated codes (e.g. 3 non-DICOM files) are merged.
      const byCode = new Map<string, LoadIssueView[]>();
      for (const i of issues) byCode.set(i.code, [...(byCode.get(i.code) ?? []), i]);
      const items = [...byCode.entries()].map(([code, list]) => {
        const first = list[0]!;
        const { title } = planningImpactFor(code);
        const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
        return h(
          'li',
          { class: `issue issue-${first.severity}`, attrs: { 'data-code': code } },
          h('strong', { text: `${title}: ` }),
          h('span', { class: 'issue-message', text: `${first.message}${more}` }),
          h('div', { class: 'issue-impact', text: first.planningImpact }),
        );
      });
      element.replaceChildren(h('div', { class: 'banner-head' }, h('span', { class: 'banner-headline', text: headline }), close), h('ul', { class: 'issue-list' }, ...items));
    },
    clear,
  };
}
