/**
 * Text over one view: orientation letters on the four edges, the view name,
 * patient and series in the top corners, slice and window at the bottom.
 * pointer-events: none, so the mouse reaches the viewer.
 */
import type { EdgeLabels, SeriesDisplayInfo, SliceState, ViewId, WindowLevel } from '../../viewer/ViewerPort';
import { h } from '../dom';

export type ViewOverlay = {
  element: HTMLElement;
  setLabels(labels: EdgeLabels | null): void;
  setSlice(slice: SliceState | null): void;
  setWindow(window: WindowLevel | null): void;
  setInfo(info: SeriesDisplayInfo | null): void;
};

const TITLES: Record<ViewId, string> = { axial: 'Axial', sagittal: 'Sagittal', coronal: 'Coronal', volume3d: '3D' };

export function createViewOverlay(view: ViewId): ViewOverlay {
  const edge = (side: keyof EdgeLabels) => h('div', { class: `orient orient-${side}`, attrs: { 'data-orient': side } });
  const edges = { left: edge('left'), right: edge('right'), top: edge('top'), bottom: edge('bottom') };
  const title = h('div', { class: 'view-title', text: TITLES[view] });
  const patient = h('div', { class: 'corner corner-tl' });
  const series = h('div', { class: 'corner corner-tr' });
  const slice = h('div', { class: 'corner corner-bl', attrs: { 'data-role': 'slice' } });
  const windowText = h('div', { class: 'corner corner-br', attrs: { 'data-role': 'window' } });
  const element = h('div', { class: 'view-overlay', attrs: { 'data-overlay': view } }, title, patient, series, slice, windowText, edges.left, edges.right, edges.top, edges.bottom);
  const showText = view === 'axial';
  return {
    element,
    setLabels(labels) {
      for (const side of ['left', 'right', 'top', 'bottom'] as const) edges[side].textContent = labels ? labels[side] : '';
    },
    setSlice(s) {
      slice.textContent = s ? `Slice ${s.index + 1} / ${s.count}` : '';
    },
    setWindow(w) {
      windowText.textContent = w ? `W ${Math.round(w.widthHu)}  L ${Math.round(w.centerHu)}` : '';
    },
    setInfo(info) {
      // Patient and series text once, in the axial view, to keep the others clean.
      if (!showText || !info) {
        patient.textContent = '';
        series.textContent = '';
        return;
      }
      patient.replaceChildren(h('div', { text: info.patientName || 'Anonymous' }), h('div', { text: `ID ${info.patientId || '—'}` }), h('div', { text: formatDate(info.studyDate) }));
      series.replaceChildren(h('div', { text: `${info.modality} ${info.seriesDescription}`.trim() }), h('div', { text: info.gridText }));
    },
  };
}

function formatDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d;
}
