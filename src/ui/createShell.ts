/**
 * The workstation layout: top bar, banner, the workspace and a status bar.
 * The workspace holds a 2 x 2 grid of views (axial, sagittal / coronal, 3D),
 * the trajectory strip (two in-line reformats and the bull's-eye of the
 * selected screw; hidden while no screw is selected) and the side panel
 * (segmentation, plan, screw list, report: each panel appends its own
 * section). The 3D cell holds two layers: Cornerstone's volume rendering and
 * the three.js plan scene. Returns the elements the composition root wires
 * up; owns no behaviour.
 */
import { MPR_VIEWS, type ViewId } from '../viewer/ViewerPort';
import type { TrajectoryViewId } from '../viewer/PlanOverlayPort';
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
  /** The three.js plan scene's element, layered over the 3D cell's volume rendering (hidden until used). */
  sceneElement: HTMLDivElement;
  /** Trajectory reformats of the selected screw; the strip is hidden while none is selected. */
  trajectoryStrip: HTMLElement;
  trajectoryElements: Record<TrajectoryViewId, HTMLDivElement>;
  /** Under the trajectory views: the bull's-eye depth slider and screw nudges. */
  trajectoryControls: HTMLElement;
  /** Right column: panels append their own <section>. */
  sidePanel: HTMLElement;
  status: { crosshair: HTMLElement; measurement: HTMLElement; memory: HTMLElement; session: HTMLElement };
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
  const sceneElement = h('div', { class: 'scene-element', attrs: { 'data-scene': 'plan', hidden: '' } });
  cells[cells.length - 1]!.insertBefore(sceneElement, overlays['volume3d'].element);
  const grid = h('div', { class: 'view-grid' }, ...cells);
  const trajectoryElements = {} as Record<TrajectoryViewId, HTMLDivElement>;
  const trajectoryTitles: Record<TrajectoryViewId, string> = { inlineA: 'In-line A', inlineB: 'In-line B', bullseye: "Bull's-eye" };
  const trajectoryCells = (['inlineA', 'inlineB', 'bullseye'] as const).map((view) => {
    const el = h('div', { class: 'viewport-element', attrs: { 'data-view': view } });
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    trajectoryElements[view] = el;
    return h('section', { class: `view-cell trajectory-cell view-${view}`, attrs: { 'data-cell': view, 'aria-label': `${trajectoryTitles[view]} view` } }, el);
  });
  const trajectoryControls = h('div', { class: 'trajectory-controls' });
  const trajectoryStrip = h('section', { class: 'trajectory-strip', attrs: { 'aria-label': 'Trajectory views', hidden: '' } }, ...trajectoryCells, trajectoryControls);
  const sidePanel = h('aside', { class: 'side-panel', attrs: { 'aria-label': 'Planning panels' } });
  const workspace = h('main', { class: 'workspace' }, grid, trajectoryStrip, sidePanel);
  const crosshair = h('span', { class: 'status-item', attrs: { 'data-testid': 'status-crosshair' } });
  const measurement = h('span', { class: 'status-item', attrs: { 'data-testid': 'status-measurement' } });
  const memory = h('span', { class: 'status-item status-right', attrs: { 'data-testid': 'status-memory' } });
  const session = h('span', { class: 'status-item status-session', attrs: { 'data-testid': 'status-session', role: 'status', 'aria-live': 'polite' } });
  const statusBar = h('footer', { class: 'statusbar' }, crosshair, measurement, session, progress.element, memory);
  const dialogHost = h('div', { class: 'dialog-host' });
  const dropHint = h('div', { class: 'drop-hint', text: 'Drop a DICOM folder or files to open them', attrs: { hidden: '' } });
  root.replaceChildren(header, banner.element, workspace, statusBar, dialogHost, dropHint);
  return {
    header,
    banner,
    progress,
    viewElements,
    overlays,
    sceneElement,
    trajectoryStrip,
    trajectoryElements,
    trajectoryControls,
    sidePanel,
    status: { crosshair, measurement, memory, session },
    dialogHost,
    dropHint,
    dispose() {
      root.replaceChildren();
      root.classList.remove('planner-app');
    },
  };
}
