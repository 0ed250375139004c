/**
 * The app's observable state, mirrored onto the root element's data-*
 * attributes so that e2e tests wait for state, never for time:
 *
 * - data-state: booting | idle | loading | ready | error
 *   ("ready" = a volume is shown and no load is running; "error" = nothing is
 *   shown and the last load failed)
 * - data-series-uid, data-volume-id: the series shown
 * - data-load-attempt: number of loads started; data-load-settled: number finished
 *   (a test starts a load, then waits for load-settled to reach the attempt number)
 * - data-load-outcome: shown | rejected (of the last settled load)
 * - data-slice-axial|sagittal|coronal, data-slice-count-…: 0-based slice per view
 * - data-crosshair-lps: "x,y,z" mm
 * - data-window: "width,center"
 * - data-issues: codes shown in the banner
 * - data-rendered-3d: "1" once the 3D view has rendered the current volume
 * - data-tool: the primary mouse tool
 * - data-session-phase: idle | segmenting | fields | ready | error (planning session, ui/session)
 * - data-labels-generation, data-fields-generation: the session's label and loaded-field generations
 *   (fields are current when both are equal and the phase is ready)
 * - data-lesion-status: none | ok | conservative | bridged | leak
 * - data-planner-mode: worker-shared | worker-transfer | in-process ('' before a volume)
 * - data-lesion-volume-ml: lesion volume ('' when none); data-structures-found: critical
 *   structures found ('' before detection); data-structures-reviewed: "1" when every one is
 *   confirmed or marked absent (segmentation panel)
 * - data-label-edits: label actions (lesion clicks, dabs; applied or refused) finished since the series opened;
 *   data-label-busy: "1" while an edit is queued or running (a test waits for "0")
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { MprViewId, PrimaryTool, SliceState, WindowLevel } from '../viewer/ViewerPort';

export type AppPhase = 'booting' | 'idle' | 'loading' | 'ready' | 'error';

export type AppState = {
  phase: AppPhase;
  seriesUid: string | null;
  volumeId: string | null;
  loadAttempt: number;
  loadSettled: number;
  loadOutcome: 'shown' | 'rejected' | null;
  slices: Record<MprViewId, SliceState | null>;
  crosshairLps: Vec3 | null;
  window: WindowLevel | null;
  issueCodes: string[];
  rendered3d: boolean;
  tool: PrimaryTool;
  /** crossOriginIsolated: buffers are shared with workers. */
  sharedMemory: boolean;
  /** Planning session (ui/session): phase, generations, lesion status, planner mode. */
  session: { phase: string; labelsGeneration: number; fieldsGeneration: number; lesionStatus: string; plannerMode: string };
  /** Segmentation panel and label editing (ui/panels/segmentationPanel.ts, labelEditing.ts). */
  segmentation: { lesionVolumeMl: number | null; structuresFound: number | null; reviewComplete: boolean; labelEdits: number; labelBusy: boolean };
};

export type AppStateStore = {
  get(): Readonly<AppState>;
  set(patch: Partial<AppState>): void;
  subscribe(listener: (state: Readonly<AppState>) => void): () => void;
};

export function initialAppState(sharedMemory: boolean): AppState {
  return {
    phase: 'booting',
    seriesUid: null,
    volumeId: null,
    loadAttempt: 0,
    loadSettled: 0,
    loadOutcome: null,
    slices: { axial: null, sagittal: null, coronal: null },
    crosshairLps: null,
    window: null,
    issueCodes: [],
    rendered3d: false,
    tool: 'crosshair',
    sharedMemory,
    session: { phase: 'idle', labelsGeneration: 0, fieldsGeneration: -1, lesionStatus: 'none', plannerMode: '' },
    segmentation: { lesionVolumeMl: null, structuresFound: null, reviewComplete: false, labelEdits: 0, labelBusy: false },
  };
}

/** Writes the state onto `root` as data-* attributes (see the module comment). */
export function reflectState(root: HTMLElement, s: Readonly<AppState>): void {
  const d = root.dataset;
  d['state'] = s.phase;
  d['seriesUid'] = s.seriesUid ?? '';
  d['volumeId'] = s.volumeId ?? '';
  d['loadAttempt'] = String(s.loadAttempt);
  d['loadSettled'] = String(s.loadSettled);
  d['loadOutcome'] = s.loadOutcome ?? '';
  for (const view of ['axial', 'sagittal', 'coronal'] as const) {
    const slice = s.slices[view];
    d[`slice${view[0]!.toUpperCase()}${view.slice(1)}`] = slice ? String(slice.index) : '';
    d[`sliceCount${view[0]!.toUpperCase()}${view.slice(1)}`] = slice ? String(slice.count) : '';
  }
  d['crosshairLps'] = s.crosshairLps ? s.crosshairLps.map((v) => v.toFixed(2)).join(',') : '';
  d['window'] = s.window ? `${Math.round(s.window.widthHu)},${Math.round(s.window.centerHu)}` : '';
  d['issues'] = s.issueCodes.join(' ');
  d['rendered3d'] = s.rendered3d ? '1' : '0';
  d['tool'] = s.tool;
  d['sharedMemory'] = s.sharedMemory ? '1' : '0';
  d['sessionPhase'] = s.session.phase;
  d['labelsGeneration'] = String(s.session.labelsGeneration);
  d['fieldsGeneration'] = String(s.session.fieldsGeneration);
  d['lesionStatus'] = s.session.lesionStatus;
  d['plannerMode'] = s.session.plannerMode;
  d['lesionVolumeMl'] = s.segmentation.lesionVolumeMl === null ? '' : s.segmentation.lesionVolumeMl.toFixed(3);
  d['structuresFound'] = s.segmentation.structuresFound === null ? '' : String(s.segmentation.structuresFound);
  d['structuresReviewed'] = s.segmentation.reviewComplete ? '1' : '0';
  d['labelEdits'] = String(s.segmentation.labelEdits);
  d['labelBusy'] = s.segmentation.labelBusy ? '1' : '0';
}

export function createAppStateStore(initial: AppState): AppStateStore {
  let state = initial;
  const listeners = new Set<(s: Readonly<AppState>) => void>();
  return {
    get: () => state,
    set(patch) {
      state = { ...state, ...patch };
      for (const l of listeners) l(state);
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}
