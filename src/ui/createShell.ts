/**
 * The workstation layout: top bar, banner, a 2 x 2 grid of views (axial,
 * sagittal / coronal, 3D) and a status bar. Returns the elements the
 * composition root wires up; owns no behaviour.
 */
import { MPR_VIEWS, type ViewId } from '../viewer/ViewerPort';
import { h } from './dom';
import { createIssueBanner, type IssueBanner } from './panels/issueBanner';
import { createProgressPanel, type ProgressPanel } from './panels/progressPanel';
import { createViewOverlay, type ViewOverlay } from './panels/viewOverlay';

export type Shell = {
  header: HTMLElement;
  banner: IssueBanner;
  progress: ProgressPanel;
  viewElements: Record<ViewId, HTMLDivElement>;
  overlays: Record<ViewId, ViewOverlay>;
  status: { crosshair: HTMLElement; measurement: HTMLElement; memory: HTMLElement };
  dialogHost: HTMLElement;
  dropHint: HTMLElement;
  dispose(): void;
};

const VIEWS: readonly ViewId[] = [...MPR_VIEWS, 'volume3d'];

export function createShell(root: HTMLElement): Shell {
  root.classList.add('planner-app');
  const banner = createIssueBanner();
  const progress = createProgressPanel();
  const header = h('header', { class: 'topbar' }, h('div', { class: 'brand', text: 'Pelvic screw planner' }));
  const viewElements = {} as Record<ViewId, HTMLDivElement>;
  const overlays = {} as Record<ViewId, ViewOverlay>;
  const cells = VIEWS.map((view) => {
    const el = h('div', { class: 'viewport-element', attrs: { 'data-view': view } });
    // Cornerstone listens for the context menu (right-drag = zoom).
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    viewElements[view] = el;
    overlays[view] = createViewOverlay(view);
    return h('section', { class: `view-cell view-${view}`, attrs: { 'data-cell': view, 'aria-label': `${view} view` } }, el, overlays[view].element);
  });
  const grid = h('main', { class: 'view-grid' }, ...cells);
  const crosshair = h('span', { class: 'status-item', attrs: { 'data-testid': 'status-crosshair' } });
  const measurement = h('span', { class: 'status-item', attrs: { 'data-testid': 'status-measurement' } });
  const memory = h('span', { class: 'status-item status-right', attrs: { 'data-testid': 'status-memory' } });
  const statusBar = h('footer', { class: 'statusbar' }, crosshair, measurement, progress.element, memory);
  const dialogHost = h('div', { class: 'dialog-host' });
  const dropHint = h('div', { class: 'drop-hint', text: 'Drop a DICOM folder or files to open them', attrs: { hidden: '' } });
  root.replaceChildren(header, banner.element, grid, statusBar, dialogHost, dropHint);
  return {
    header,
    banner,
    progress,
    viewElements,
    overlays,
    status: { crosshair, measurement, memory },
    dialogHost,
    dropHint,
    dispose() {
      root.replaceChildren();
      root.classList.remove('planner-app');
    },
  };
}
