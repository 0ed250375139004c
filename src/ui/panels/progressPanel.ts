/** Load progress: files read, then slices indexed and assembled. */
import type { LoadProgress } from '../loading/DicomSource';
import { h } from '../dom';

const PHASES: Record<LoadProgress['phase'], string> = {
  reading: 'Reading files',
  indexing: 'Indexing DICOM',
  assembling: 'Loading slices',
  rendering: 'Rendering',
};

export type ProgressPanel = { element: HTMLElement; show(p: LoadProgress): void; hide(): void };

export function createProgressPanel(): ProgressPanel {
  const label = h('span', { class: 'progress-label' });
  const bar = h('progress', { attrs: { max: '1', value: '0', 'data-testid': 'load-progress' } });
  const element = h('div', { class: 'progress-panel', attrs: { hidden: '' } }, label, bar);
  return {
    element,
    show(p) {
      element.hidden = false;
      element.dataset['phase'] = p.phase;
      const unit = p.phase === 'assembling' ? 'slices' : p.phase === 'rendering' ? '' : 'files';
      label.textContent = p.total > 0 && unit ? `${PHASES[p.phase]}: ${p.done} / ${p.total} ${unit}` : `${PHASES[p.phase]}…`;
      if (p.total > 0) {
        bar.max = p.total;
        bar.value = p.done;
      } else {
        bar.removeAttribute('value');
      }
    },
    hide() {
      element.hidden = true;
    },
  };
}
