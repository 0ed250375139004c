/**
 * Composition root: creates the shell, the viewer, the DICOM source and the
 * loading flow, wires them with typed events, and returns `dispose()` that
 * tears everything down (WebGL, workers, listeners, DOM).
 *
 * URL parameters (for development and e2e):
 * - `sample=<name>`: the bundled sample to open at start (default
 *   `sacralAla-medium`; `sample=none` opens nothing).
 * - `source=synthetic`: a synthetic CT instead of the DICOM worker.
 * - `no3d=1`: no 3D view (faster in software WebGL).
 * - `planner=inprocess`: the planner on the main thread instead of the worker pool.
 * - `plannerWorkers=N` (1-16): the planner pool's size when cross-origin isolated
 *   (default: cores - 1); without shared memory the pool is always one worker.
 */
import { sacrumCoverageCaution } from './core/segmentation/sacrumCoverage';
import './ui/styles.css';
import { createCornerstoneViewer } from './viewer/createCornerstoneViewer';
import { MPR_VIEWS, type ViewerPort, type ViewId } from './viewer/ViewerPort';
import { createAppEvents } from './ui/appEvents';
import { createAppStateStore, initialAppState, reflectState } from './ui/appState';
import { createShell } from './ui/createShell';
import { chooseSeries, confirmWarnings } from './ui/panels/dialogs';
import { createToolbar } from './ui/panels/toolbar';
import { createPacsPanel } from './ui/panels/pacsPanel';
import type { DicomSource, NamedFile } from './ui/loading/DicomSource';
import { createDefaultDicomSource } from './ui/loading/defaultSource';
import { fetchManifestFiles, filesFromDataTransfer, readFiles } from './ui/loading/fileIntake';
import { createLoadController } from './ui/loading/loadController';
import { testHooks } from './ui/dev/testHooks';
import { createTrajectoryControls } from './ui/panels/trajectoryControls';
import { createBrowserPlanningSession } from './ui/session/browserSession';
import { createPlanFeature } from './ui/plan/planFeature';
import { createSceneController } from './ui/scene/sceneController';
import type { PlanContent } from './core/report/planSchema';
import { createLabelEditing } from './ui/panels/labelEditing';
import { createSegmentationPanel } from './ui/panels/segmentationPanel';
import type { VolumeKind } from './core/volume/Volume';
import { errorCodeOf } from './core/shared/errors';
import { createReportPanel, type ReportSeries } from './ui/panels/reportPanel';

export type AppOptions = {
  /** Replaces the DICOM worker source (tests). */
  source?: DicomSource;
  /** Replaces the Cornerstone viewer (tests). */
  viewer?: ViewerPort;
  sampleName?: string | null;
  volume3d?: boolean;
};

export type App = {
  /** Resolves when the start-up load (the bundled sample) has settled. */
  started: Promise<void>;
  dispose(): void;
};

export function createApp(root: HTMLElement, options: AppOptions = {}): App {
  const params = new URLSearchParams(globalThis.location?.search ?? '');
  const shared = globalThis.crossOriginIsolated === true;
  const sampleParam = params.get('sample');
  const sampleName = options.sampleName !== undefined ? options.sampleName : sampleParam === 'none' ? null : sampleParam ?? 'sacralAla-medium';
  const with3d = options.volume3d ?? params.get('no3d') !== '1';

  const store = createAppStateStore(initialAppState(shared));
  const hooks = testHooks();
  const unreflect = store.subscribe((s) => reflectState(root, s));
  reflectState(root, store.get());

  const shell = createShell(root);
  const events = createAppEvents();
  const viewer = options.viewer ?? createCornerstoneViewer(shell.viewElements, { volume3d: with3d, trajectoryElements: shell.trajectoryElements });
  const source = options.source ?? createDefaultDicomSource({ shared, synthetic: params.get('source') === 'synthetic' });
  if (!with3d) {
    shell.viewElements.volume3d.parentElement?.classList.add('view-disabled');
    shell.viewElements.volume3d.parentElement?.setAttribute('data-note', '3D view off');
  }

  const toolbar = createToolbar({
    openFiles: (files) => void openFiles(files, `${files.length} file(s)`),
    setTool: (tool) => {
      viewer.setPrimaryTool(tool);
      toolbar.setActiveTool(tool);
      store.set({ tool });
    },
    applyPreset: (preset) => viewer.applyWindowPreset(preset),
    resetViews: () => viewer.resetViews(),
  });
  shell.header.append(toolbar.element);
  toolbar.setActiveTool(store.get().tool);
  viewer.setPrimaryTool(store.get().tool);

  const loader = createLoadController({
    viewer,
    source,
    events,
    chooseSeries: (choices) => {
      shell.progress.hide();
      return chooseSeries(shell.dialogHost, choices);
    },
    confirmWarnings: (issues) => {
      shell.progress.hide();
      return confirmWarnings(shell.dialogHost, issues);
    },
  });

  // --- viewer -> state and overlays ----------------------------------------
  const refreshView = (view: ViewId): void => {
    if (view === 'volume3d') return;
    const vs = viewer.getViewState(view);
    shell.overlays[view].setLabels(vs?.labels ?? null);
    shell.overlays[view].setSlice(vs?.slice ?? null);
  };
  const unsubscribeViewer = viewer.subscribe((change) => {
    switch (change.kind) {
      case 'slice':
        refreshView(change.view);
        store.set({ slices: { ...store.get().slices, [change.view]: change.slice } });
        events.emit('sliceChanged', { view: change.view, slice: change.slice });
        break;
      case 'crosshair':
        shell.status.crosshair.textContent = `Crosshair LPS ${change.pointLps.map((v) => v.toFixed(1)).join(', ')} mm`;
        store.set({ crosshairLps: change.pointLps });
        events.emit('crosshairMoved', { pointLps: change.pointLps });
        break;
      case 'window':
        for (const view of MPR_VIEWS) shell.overlays[view].setWindow(change.window);
        store.set({ window: change.window });
        events.emit('windowChanged', { window: change.window });
        break;
      case 'measurement':
        shell.status.measurement.textContent = `${change.tool === 'length' ? 'Length' : 'Angle'}: ${change.text}`;
        break;
      case 'rendered':
        if (change.view === 'volume3d' && !store.get().rendered3d && store.get().volumeId) store.set({ rendered3d: true });
        break;
    }
  });

  // --- loading ---------------------------------------------------------------
  events.on('loadStarted', ({ attempt }) => {
    store.set({ phase: 'loading', loadAttempt: attempt });
  });
  events.on('loadProgress', (p) => {
    // Progress callbacks from the worker may arrive after the load settled.
    if (store.get().phase === 'loading') shell.progress.show(p);
  });
  events.on('volumeReady', ({ volumeId, seriesUid, info, issues }) => {
    shell.progress.hide();
    const slices = { axial: null, sagittal: null, coronal: null } as ReturnType<typeof store.get>['slices'];
    for (const view of MPR_VIEWS) {
      refreshView(view);
      slices[view] = viewer.getViewState(view)?.slice ?? null;
    }
    for (const view of [...MPR_VIEWS, 'volume3d'] as const) shell.overlays[view].setInfo(info);
    toolbar.setVolumeOpen(true);
    if (issues.length > 0) shell.banner.show(issues.some((i) => i.severity === 'warning') ? 'warning' : 'info', 'Opened with findings:', issues);
    else shell.banner.clear();
    store.set({
      phase: 'ready',
      volumeId,
      seriesUid,
      slices,
      issueCodes: issues.map((i) => i.code),
      rendered3d: false,
      loadOutcome: 'shown',
      loadSettled: loader.getAttempt(),
    });
  });
  events.on('loadRejected', ({ reason, issues }) => {
    shell.progress.hide();
    const open = loader.getCurrent() !== null;
    // When the reason is the single finding's own message, do not say it twice.
    const lead = issues.length === 1 && issues[0]!.message === reason ? 'This drop was not opened.' : reason;
    const headline = open ? `${lead} The series already open is kept.` : lead;
    shell.banner.show('error', headline, issues);
    store.set({
      phase: open ? 'ready' : 'error',
      issueCodes: issues.map((i) => i.code),
      loadOutcome: 'rejected',
      loadSettled: loader.getAttempt(),
    });
  });

  async function openFiles(files: File[], label: string): Promise<void> {
    await loader.loadFiles((onProgress) => readFiles(files, onProgress), label);
  }
  async function openNamed(read: (onProgress: Parameters<typeof readFiles>[1]) => Promise<NamedFile[]>, label: string): Promise<void> {
    await loader.loadFiles(read, label);
  }

  // --- planning session ---
  // Segmentation, fields and planner off the main thread for the volume on screen (ui/session/README.md).
  const plannerWorkers = Number(params.get('plannerWorkers'));
  const session = createBrowserPlanningSession({
    planner: params.get('planner') === 'inprocess' ? 'inprocess' : 'pool',
    ...(Number.isInteger(plannerWorkers) && plannerWorkers >= 1 && plannerWorkers <= 16 ? { poolSize: plannerWorkers } : {}),
  });
  const unsubscribeSession = session.subscribe((s) => {
    shell.status.session.textContent = s.message;
    shell.status.session.dataset['phase'] = s.phase;
    shell.status.session.title = s.error ? s.error.message : s.message;
    store.set({ session: { phase: s.phase, labelsGeneration: s.labelsGeneration, fieldsGeneration: s.fieldsGeneration, lesionStatus: s.lesion?.status ?? 'none', plannerMode: s.plannerMode ?? '' } });
  });
  events.on('volumeReady', ({ volume, seriesUid, series }) => {
    // A failure is shown through the session status; a superseded open (newer volume) is expected.
    session.open(volume, seriesUid, series ?? undefined).catch((error: unknown) => {
      if (errorCodeOf(error) !== 'worker/stale') console.warn('planning session:', error);
    });
  });
  if (hooks) {
    hooks['session'] = session;
  }

  // --- segmentation panel and label editing ---
  // Lesion click / brush / eraser in the views -> session (labelEditing); the panel keeps the
  // viewer's label overlay in step with the session and holds the structure review.
  let shownVolumeKind: VolumeKind | null = null;
  events.on('volumeReady', ({ volume }) => {
    shownVolumeKind = volume.kind;
  });
  const labelEditing = createLabelEditing({ session, viewer });
  const selectTool = (tool: Parameters<typeof viewer.setPrimaryTool>[0]): void => {
    viewer.setPrimaryTool(tool);
    toolbar.setActiveTool(tool);
    store.set({ tool });
  };
  const segmentationState = (): void => {
    const e = labelEditing.getState();
    store.set({ segmentation: { ...store.get().segmentation, labelEdits: e.editsApplied, labelBusy: e.busy } });
  };
  const unsubscribeLabelEditing = labelEditing.subscribe(segmentationState);
  const segmentationPanel = createSegmentationPanel(shell.sidePanel, {
    session,
    viewer,
    editing: labelEditing,
    volumeKind: () => shownVolumeKind,
    setTool: selectTool,
    onState: (p) => store.set({ segmentation: { ...store.get().segmentation, lesionVolumeMl: p.lesionVolumeMl, structuresFound: p.structuresFound, reviewComplete: p.reviewComplete } }),
  });
  if (hooks) {
    hooks['segmentation'] = {
      /** Flat voxel indices holding `label` in the session's label volume (ground-truth comparisons). */
      indicesOf(label: number): number[] {
        const v = session.getLabels()?.voxels;
        const out: number[] = [];
        if (v) for (let t = 0; t < v.length; t++) if (v[t] === label) out.push(t);
        return out;
      },
      review: () => segmentationPanel.getReview(),
      /** Puts the crosshair (and every view's slice) on a point, as a click there would. */
      setCrosshair: (pointLps: [number, number, number]) => viewer.setCrosshairLps(pointLps),
      labelStyle: () => viewer.getLabelStyle(),
    };
  }

  // --- plan: store, autosave, plan and screw-list panels, live editing ---
  const planFeature = createPlanFeature({ root, shell, viewer, session, events });

  // --- plan scene ---
  // three.js scene in the 3D cell (Volume | Plan switch): bone and lesion surfaces from the
  // surface worker, structures, screws from the plan store; a click selects (ui/scene).
  const sceneController = with3d
    ? createSceneController({ root, sceneElement: shell.sceneElement, volumeElement: shell.viewElements.volume3d, session, readablePixels: Boolean(import.meta.env['VITE_E2E']) })
    : null;
  sceneController?.attachStore(planFeature.store, planFeature.drag);
  segmentationPanel.attachPlanStore(planFeature.store);
  if (hooks && sceneController) {
    hooks['scene'] = {
      /** Page coordinates (CSS px) of an LPS point in the plan scene; null behind the camera. */
      projectToPage: (pointLps: [number, number, number]) => sceneController.projectToPage(pointLps),
      /** Replaces the plan's screws through the store (test set-up; selection is tested through the UI). */
      setScrews: (screws: PlanContent['screws']) => planFeature.store.apply({ label: 'Test screws', update: (plan) => ({ ...plan, screws }) }),
      selected: () => planFeature.store.get().selectedScrewId,
      orbitStep: (degrees: number) => sceneController.scene.debug.orbitStep(degrees),
      emptyFrame: () => sceneController.scene.debug.emptyFrame(),
      renderCount: () => sceneController.scene.debug.renderCount(),
      /** The screws as the last drawn 3D frame showed them (where, which status). */
      drawnScrews: () => sceneController.scene.debug.drawnScrews(),
    };
  }

  // --- PACS (DICOMweb) study browser: complete series go through the same loading flow.
  const pacsHost = document.createElement('div');
  shell.header.append(pacsHost);
  const pacsPanel = createPacsPanel(pacsHost, {
    openSeries: (files, label) => openNamed(async () => files, label),
    defaultUrl: params.get('pacs') ?? '/dicom-web',
    storage: globalThis.sessionStorage ?? null,
  });

  // --- report: PDF, plan JSON export/import, send to PACS ---
  let reportSeries: ReportSeries | null = null;
  const unsubscribeReportVolume = events.on('volumeReady', ({ seriesUid, volume, series }) => {
    reportSeries = { seriesUid, volume, reference: series?.reference ?? null };
    reportPanel.refresh();
  });
  const reportPanel = createReportPanel(shell.sidePanel, {
    store: planFeature.store,
    getSeries: () => reportSeries,
    pacs: pacsPanel,
    storage: globalThis.localStorage ?? null,
    getLesion: () => {
      const lesion = session.getStatus().lesion;
      return lesion ? { volumeMl: lesion.volumeMl, diametersMm: lesion.diametersMm ?? null, status: lesion.status } : null;
    },
    getSegmentationCautions: () => {
      const caution = sacrumCoverageCaution(session.getStatus().sacrumCoverage);
      return caution ? [caution] : [];
    },
  });

  // --- drag and drop -----------------------------------------------------------
  let dragDepth = 0;
  const onDragEnter = (e: DragEvent): void => {
    if (!e.dataTransfer?.types.includes('Files')) return;
    dragDepth++;
    shell.dropHint.hidden = false;
  };
  const onDragLeave = (): void => {
    dragDepth = Math.max(0, dragDepth - 1);
    if (dragDepth === 0) shell.dropHint.hidden = true;
  };
  const onDragOver = (e: DragEvent): void => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent): void => {
    e.preventDefault();
    dragDepth = 0;
    shell.dropHint.hidden = true;
    const transfer = e.dataTransfer;
    if (!transfer) return;
    // Entries must be read synchronously inside the drop handler's task.
    const filesPromise = filesFromDataTransfer(transfer);
    void openNamed(async (onProgress) => readFiles(await filesPromise, onProgress), 'drop');
  };
  root.addEventListener('dragenter', onDragEnter);
  root.addEventListener('dragleave', onDragLeave);
  root.addEventListener('dragover', onDragOver);
  root.addEventListener('drop', onDrop);

  // Arrow keys / Page keys scroll the MPR view under the mouse (the axial view when none).
  let hoveredView: (typeof MPR_VIEWS)[number] = 'axial';
  const hoverCleanups = MPR_VIEWS.map((view) => {
    const el = shell.viewElements[view];
    const onEnter = (): void => {
      hoveredView = view;
    };
    el.addEventListener('pointerenter', onEnter);
    return () => el.removeEventListener('pointerenter', onEnter);
  });
  const onKeyScroll = (e: KeyboardEvent): void => {
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.isContentEditable)) return;
    // Alt / Ctrl + arrows belong to the plan (nudges, undo): plain arrows scroll.
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const step = { ArrowUp: 1, ArrowDown: -1, PageUp: 10, PageDown: -10 }[e.key];
    if (step === undefined || !store.get().volumeId) return;
    e.preventDefault();
    viewer.scrollSlices(hoveredView, step);
  };
  window.addEventListener('keydown', onKeyScroll);

  const onResize = (): void => viewer.resize();
  const resizeObserver = new ResizeObserver(onResize);
  for (const el of Object.values(shell.viewElements)) resizeObserver.observe(el);

  // --- trajectory views: bull's-eye depth slider (viewer.plan; the plan UI selects the screw) ---
  const trajectoryControls = createTrajectoryControls(shell.trajectoryControls, viewer.plan, planFeature.drag);
  if (hooks) {
    hooks['viewer'] = {
      plan: viewer.plan,
      /** Page coordinates of an LPS point in a view (for Playwright's mouse). */
      lpsToPage: (view: Parameters<typeof viewer.plan.lpsToClient>[0], pointLps: [number, number, number]) => viewer.plan.lpsToClient(view, pointLps),
      trajectoryCameras: () => viewer.plan.getTrajectoryCameras(),
      resize: () => viewer.resize(),
    };
  }

  // --- memory readout (Chromium's performance.memory) ------------------------------
  const memoryTimer = setInterval(() => {
    const mem = (performance as Performance & { memory?: { usedJSHeapSize: number } }).memory;
    shell.status.memory.textContent = `${shared ? 'shared buffers' : 'transfer mode'} · JS heap ${mem ? (mem.usedJSHeapSize / 1048576).toFixed(0) + ' MB' : 'n/a'}`;
  }, 2000);

  store.set({ phase: 'idle' });
  const synthetic = options.source === undefined && params.get('source') === 'synthetic';
  const started = synthetic
    ? openNamed(async () => [{ name: 'synthetic', bytes: new ArrayBuffer(0) }], 'synthetic')
    : sampleName
      ? openNamed((onProgress) => fetchManifestFiles(`/sample/${encodeURIComponent(sampleName)}/manifest.json`, onProgress), `sample ${sampleName}`)
      : Promise.resolve();

  return {
    started,
    dispose() {
      clearInterval(memoryTimer);
      trajectoryControls.dispose();
      unsubscribeLabelEditing(); segmentationPanel.dispose(); labelEditing.dispose();
      unsubscribeSession(); session.dispose();
      sceneController?.dispose();
      planFeature.dispose();
      unsubscribeReportVolume(); reportPanel.dispose();
      pacsPanel.dispose();
      resizeObserver.disconnect();
      window.removeEventListener('keydown', onKeyScroll);
      for (const c of hoverCleanups) c();
      root.removeEventListener('dragenter', onDragEnter);
      root.removeEventListener('dragleave', onDragLeave);
      root.removeEventListener('dragover', onDragOver);
      root.removeEventListener('drop', onDrop);
      loader.dispose();
      unsubscribeViewer();
      events.clear();
      toolbar.dispose();
      viewer.dispose();
      source.dispose();
      shell.dispose();
      unreflect();
      root.dataset['state'] = 'disposed';
    },
  };
}
