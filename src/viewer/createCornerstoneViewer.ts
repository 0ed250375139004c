/**
 * The Cornerstone3D implementation of ViewerPort: three orthogonal MPR
 * viewports and a VOLUME_3D view of one volume, with our own linked
 * crosshair, wheel scrolling and slice bookkeeping, and Cornerstone's
 * window/level, pan, zoom, length and angle tools.
 *
 * Why our own crosshair: its position is app state (the plan store and e2e
 * read it) and it must stay in LPS; Cornerstone's CrosshairsTool keeps its
 * centre inside the tool instance. Lines are drawn in an SVG layer of ours.
 */
import {
  Enums,
  eventTarget,
  getRenderingCapabilities,
  RenderingEngine,
  setVolumesForViewports,
  type Types,
} from '@cornerstonejs/core';
import {
  annotation as csAnnotation,
  AngleTool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  ToolGroupManager,
  TrackballRotateTool,
  WindowLevelTool,
  ZoomTool,
} from '@cornerstonejs/tools';
import { angleRad, distance, dot, sub, cross, normalize, type Vec3 } from '../core/geometry/vec3';
import type { Volume } from '../core/volume/Volume';
import { initCornerstone } from './initCornerstone';
import { createCornerstonePlanOverlay } from './cornerstonePlanOverlay';
import type { TrajectoryViewId } from './PlanOverlayPort';
import { createBrushInteraction } from './brushInteraction';
import { createLabelmapOverlay } from './labelmapOverlay';
import { createStructureHandles } from './structureHandles';
import { registerVolume, type RegisteredVolume } from './registerVolume';
import { prepareViewportCanvas, viewportCanvasModeFromUrl } from './viewportCanvas';
import { offsetToSliceMm, sliceAt, sliceAxisFor, volumeCenterLps } from './sliceIndex';
import { edgeLabels, VIEW_ORIENTATIONS } from './viewOrientation';
import { createBonePreset, CT_WINDOWS, rangeToWindow, volumeRenderingThresholds, windowForPreset, windowToRange } from './windowPresets';
import {
  MPR_VIEWS,
  type MprViewId,
  type PrimaryTool,
  type SeriesDisplayInfo,
  type ViewerChange,
  type ViewerElements,
  type ViewerPort,
  type ViewState,
  type WindowLevel,
  type WindowPresetId,
} from './ViewerPort';

export type CornerstoneViewerOptions = {
  /** Render the 3D view (volume rendering, bone preset). Default true. */
  volume3d?: boolean;
  /**
   * Ray-casting step multiplier of the 3D view. Software WebGL renders a
   * 256^2 x 200 volume in 8-10 s at 1 and about 4.5 s at 2. Default: 1 on a
   * GPU, SOFTWARE_SAMPLE_DISTANCE on a software rasterizer.
   */
  sampleDistanceMultiplier?: number;
  /** Elements of the trajectory reformats (in-line A, in-line B, bull's-eye); none: the trajectory is state only. */
  trajectoryElements?: Readonly<Record<TrajectoryViewId, HTMLDivElement>>;
};

/** Colour of each MPR view: its border and the line its plane draws in the other views. */
export const VIEW_COLORS: Readonly<Record<MprViewId, string>> = {
  axial: '#e0605a',
  sagittal: '#e8c25a',
  coronal: '#5ab87a',
};

let engineCounter = 0;

/** Ray-casting step multiplier of the 3D view on a software rasterizer. */
const SOFTWARE_SAMPLE_DISTANCE = 6;

/**
 * Creates the viewer on four elements (which must be in the DOM with a size).
 * Initialises Cornerstone once per page.
 */
export function createCornerstoneViewer(elements: ViewerElements, options: CornerstoneViewerOptions = {}): ViewerPort {
  initCornerstone();
  const with3d = options.volume3d ?? true;
  // On a software rasterizer (SwiftShader, no GPU) every 3D frame blocks the
  // page for seconds: trade ray-casting steps for responsiveness there.
  const softwareRendering = getRenderingCapabilities().softwareRasterizer;
  const sampleDistanceMultiplier = options.sampleDistanceMultiplier ?? (softwareRendering ? SOFTWARE_SAMPLE_DISTANCE : 1);
  const suffix = ++engineCounter;
  const engineId = `planner-engine-${suffix}`;
  const mprToolGroupId = `planner-mpr-${suffix}`;
  const tool3dGroupId = `planner-3d-${suffix}`;
  const viewportIds: Record<MprViewId | 'volume3d', string> = {
    axial: `axial-${suffix}`,
    sagittal: `sagittal-${suffix}`,
    coronal: `coronal-${suffix}`,
    volume3d: `volume3d-${suffix}`,
  };

  const engine = new RenderingEngine(engineId);
  const inputs: Types.PublicViewportInput[] = MPR_VIEWS.map((view) => ({
    viewportId: viewportIds[view],
    type: Enums.ViewportType.ORTHOGRAPHIC,
    element: elements[view],
    defaultOptions: { orientation: VIEW_ORIENTATIONS[view] as unknown as Types.OrientationVectors, background: [0, 0, 0] as Types.Point3 },
  }));
  if (with3d) {
    inputs.push({
      viewportId: viewportIds.volume3d,
      type: Enums.ViewportType.VOLUME_3D,
      element: elements.volume3d,
      defaultOptions: { orientation: VIEW_ORIENTATIONS.volume3d as unknown as Types.OrientationVectors, background: [0, 0, 0] as Types.Point3 },
    });
  }
  // Our own 2D canvases, kept in memory (viewportCanvas.ts): the browser re-submits accelerated ones every frame.
  const canvasMode = viewportCanvasModeFromUrl();
  for (const input of inputs) prepareViewportCanvas(input.element, canvasMode);
  engine.setViewports(inputs);

  const mprGroup = ToolGroupManager.createToolGroup(mprToolGroupId)!;
  for (const tool of [WindowLevelTool, PanTool, ZoomTool, LengthTool, AngleTool]) mprGroup.addTool(tool.toolName);
  mprGroup.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
  mprGroup.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
  mprGroup.setToolPassive(LengthTool.toolName);
  mprGroup.setToolPassive(AngleTool.toolName);
  for (const view of MPR_VIEWS) mprGroup.addViewport(viewportIds[view], engineId);
  let group3d: ReturnType<typeof ToolGroupManager.createToolGroup> | undefined;
  if (with3d) {
    group3d = ToolGroupManager.createToolGroup(tool3dGroupId)!;
    group3d.addTool(TrackballRotateTool.toolName);
    group3d.addTool(ZoomTool.toolName);
    group3d.addTool(PanTool.toolName);
    group3d.setToolActive(TrackballRotateTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Primary }] });
    group3d.setToolActive(ZoomTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Secondary }] });
    group3d.setToolActive(PanTool.toolName, { bindings: [{ mouseButton: ToolEnums.MouseBindings.Auxiliary }] });
    group3d.addViewport(viewportIds.volume3d, engineId);
  }

  const listeners = new Set<(change: ViewerChange) => void>();
  const emit = (change: ViewerChange): void => {
    for (const l of listeners) l(change);
  };

  let shown: { volume: Volume; reg: RegisteredVolume; info: SeriesDisplayInfo } | null = null;
  let crosshairLps: Vec3 | null = null;
  let windowLevel: WindowLevel | null = null;
  let primaryTool: PrimaryTool = 'crosshair';
  let syncingWindow = false;
  let disposed = false;
  let showSequence = 0;
  const lastSlice: Partial<Record<MprViewId, number>> = {};

  const mprViewport = (view: MprViewId): Types.IVolumeViewport =>
    engine.getViewport(viewportIds[view]) as Types.IVolumeViewport;

  // --- crosshair overlay -------------------------------------------------
  const svgNs = 'http://www.w3.org/2000/svg';
  const overlays = {} as Record<MprViewId, SVGSVGElement>;
  for (const view of MPR_VIEWS) {
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'crosshair-layer');
    svg.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none;z-index:2';
    elements[view].appendChild(svg);
    overlays[view] = svg;
  }

  function drawCrosshair(view: MprViewId): void {
    const svg = overlays[view];
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    if (!shown || !crosshairLps) return;
    const vp = mprViewport(view);
    const camera = vp.getCamera();
    const n = camera.viewPlaneNormal as unknown as Vec3;
    for (const other of MPR_VIEWS) {
      if (other === view) continue;
      const otherN = mprViewport(other).getCamera().viewPlaneNormal as unknown as Vec3;
      const dir = normalize([0, 0, 0], cross([0, 0, 0], n, otherN));
      if (dir[0] === 0 && dir[1] === 0 && dir[2] === 0) continue;
      const far = 5000;
      const a = vp.worldToCanvas([crosshairLps[0] - dir[0] * far, crosshairLps[1] - dir[1] * far, crosshairLps[2] - dir[2] * far]);
      const b = vp.worldToCanvas([crosshairLps[0] + dir[0] * far, crosshairLps[1] + dir[1] * far, crosshairLps[2] + dir[2] * far]);
      const line = document.createElementNS(svgNs, 'line');
      line.setAttribute('x1', String(a[0]));
      line.setAttribute('y1', String(a[1]));
      line.setAttribute('x2', String(b[0]));
      line.setAttribute('y2', String(b[1]));
      line.setAttribute('stroke', VIEW_COLORS[other]);
      line.setAttribute('stroke-width', '1');
      line.setAttribute('stroke-opacity', '0.85');
      line.setAttribute('data-plane', other);
      svg.appendChild(line);
    }
  }

  const drawAllCrosshairs = (): void => {
    for (const view of MPR_VIEWS) drawCrosshair(view);
  };

  // --- labels: overlay (Cornerstone labelmap segmentations) and label tools ---
  const mprCanvasToWorld = (view: MprViewId, p: readonly [number, number]): Vec3 => mprViewport(view).canvasToWorld([p[0], p[1]]) as unknown as Vec3;
  const mprWorldToCanvas = (view: MprViewId, p: Readonly<Vec3>): [number, number] => {
    const c = mprViewport(view).worldToCanvas([p[0], p[1], p[2]]);
    return [c[0], c[1]];
  };
  const labelOverlay = createLabelmapOverlay({
    viewportIds: MPR_VIEWS.map((v) => viewportIds[v]),
    render: () => engine.renderViewports(MPR_VIEWS.map((v) => viewportIds[v])),
  });
  const brush = createBrushInteraction({
    elements,
    enabled: () => shown !== null,
    canvasToWorld: mprCanvasToWorld,
    worldToCanvas: mprWorldToCanvas,
    viewRightLps: (view) => {
      const camera = mprViewport(view).getCamera();
      return normalize([0, 0, 0], cross([0, 0, 0], camera.viewUp as unknown as Vec3, camera.viewPlaneNormal as unknown as Vec3));
    },
    emit: (change) => emit(change),
  });
  // Draggable handles of the structure being edited (structureHandles.ts).
  const structureHandles = createStructureHandles({
    elements,
    enabled: () => shown !== null,
    canvasToWorld: mprCanvasToWorld,
    worldToCanvas: mprWorldToCanvas,
    plane: (view) => {
      const camera = mprViewport(view).getCamera();
      const n = camera.viewPlaneNormal as unknown as Vec3;
      const spacing = shown ? shown.volume.geometry.spacingMm[sliceAxisFor(shown.volume.geometry, n)] : 1;
      return {
        normalLps: n,
        pointLps: camera.focalPoint as unknown as Vec3,
        rightLps: normalize([0, 0, 0], cross([0, 0, 0], camera.viewUp as unknown as Vec3, n)),
        halfSliceMm: spacing / 2,
      };
    },
    emit: (change) => emit(change),
  });

  // --- screws and trajectory views (cornerstonePlanOverlay.ts) ---------------
  const planOverlay = createCornerstonePlanOverlay({
    engine,
    mprElements: elements,
    mprViewport,
    trajectoryElements: options.trajectoryElements ?? null,
    idSuffix: suffix,
    volumeId: () => shown?.reg.volumeId ?? null,
  });

  // --- slice bookkeeping --------------------------------------------------
  function viewState(view: MprViewId): ViewState | null {
    if (!shown) return null;
    const camera = mprViewport(view).getCamera();
    const n = camera.viewPlaneNormal as unknown as Vec3;
    return {
      slice: sliceAt(shown.volume.geometry, n, camera.focalPoint as unknown as Vec3),
      labels: edgeLabels(camera.viewUp as unknown as Vec3, n),
    };
  }

  /** Moves a view's camera along its normal by `offsetMm` (no pan, no zoom change). */
  function moveAlongNormal(view: MprViewId, offsetMm: number): void {
    if (Math.abs(offsetMm) < 1e-9) return;
    const vp = mprViewport(view);
    const camera = vp.getCamera();
    const n = camera.viewPlaneNormal!;
    const f = camera.focalPoint!;
    const p = camera.position!;
    vp.setCamera({
      focalPoint: [f[0] + n[0] * offsetMm, f[1] + n[1] * offsetMm, f[2] + n[2] * offsetMm],
      position: [p[0] + n[0] * offsetMm, p[1] + n[1] * offsetMm, p[2] + n[2] * offsetMm],
    });
  }

  function onCameraModified(view: MprViewId): void {
    if (!shown) return;
    const state = viewState(view);
    if (!state) return;
    const camera = mprViewport(view).getCamera();
    // Scrolling a view moves the crosshair through its plane with it.
    if (crosshairLps) {
      const n = camera.viewPlaneNormal as unknown as Vec3;
      const off = dot(sub([0, 0, 0], camera.focalPoint as unknown as Vec3, crosshairLps), n);
      if (Math.abs(off) > 1e-6) {
        crosshairLps = [crosshairLps[0] + n[0] * off, crosshairLps[1] + n[1] * off, crosshairLps[2] + n[2] * off];
        emit({ kind: 'crosshair', pointLps: [...crosshairLps] as Vec3 });
      }
    }
    drawAllCrosshairs();
    brush.redraw();
    structureHandles.redraw();
    if (lastSlice[view] !== state.slice.index) {
      lastSlice[view] = state.slice.index;
      emit({ kind: 'slice', view, slice: state.slice });
    }
  }

  function setSliceIndex(view: MprViewId, index: number): void {
    if (!shown) return;
    const camera = mprViewport(view).getCamera();
    const n = camera.viewPlaneNormal as unknown as Vec3;
    moveAlongNormal(view, offsetToSliceMm(shown.volume.geometry, n, camera.focalPoint as unknown as Vec3, index));
    mprViewport(view).render();
  }

  function setCrosshairLps(pointLps: Readonly<Vec3>): void {
    if (!shown) return;
    crosshairLps = [pointLps[0], pointLps[1], pointLps[2]];
    for (const view of MPR_VIEWS) {
      const vp = mprViewport(view);
      const camera = vp.getCamera();
      const n = camera.viewPlaneNormal as unknown as Vec3;
      const target = sliceAt(shown.volume.geometry, n, crosshairLps).index;
      moveAlongNormal(view, offsetToSliceMm(shown.volume.geometry, n, camera.focalPoint as unknown as Vec3, target));
    }
    emit({ kind: 'crosshair', pointLps: [...crosshairLps] as Vec3 });
    drawAllCrosshairs();
    engine.renderViewports(MPR_VIEWS.map((v) => viewportIds[v]));
  }

  // --- DOM listeners --------------------------------------------------------
  const cleanups: Array<() => void> = [];
  for (const view of MPR_VIEWS) {
    const el = elements[view];
    const onCamera = (): void => onCameraModified(view);
    el.addEventListener(Enums.Events.CAMERA_MODIFIED, onCamera);
    cleanups.push(() => el.removeEventListener(Enums.Events.CAMERA_MODIFIED, onCamera));

    const onVoi = (evt: Event): void => {
      if (syncingWindow || !shown) return;
      const detail = (evt as CustomEvent<{ range?: { lower: number; upper: number }; viewportId?: string }>).detail;
      if (!detail?.range) return;
      windowLevel = rangeToWindow(detail.range.lower, detail.range.upper);
      applyWindowToViews(windowLevel, view);
      emit({ kind: 'window', window: windowLevel });
    };
    el.addEventListener(Enums.Events.VOI_MODIFIED, onVoi);
    cleanups.push(() => el.removeEventListener(Enums.Events.VOI_MODIFIED, onVoi));

    const onRendered = (): void => emit({ kind: 'rendered', view });
    el.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    cleanups.push(() => el.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered));

    const onWheel = (evt: WheelEvent): void => {
      if (!shown || evt.ctrlKey) return;
      evt.preventDefault();
      evt.stopPropagation();
      const step = evt.deltaY === 0 ? 0 : evt.deltaY > 0 ? 1 : -1;
      if (step !== 0) scrollSlices(view, evt.shiftKey ? step * 10 : step);
    };
    el.addEventListener('wheel', onWheel, { passive: false, capture: true });
    cleanups.push(() => el.removeEventListener('wheel', onWheel, { capture: true }));

    let dragging = false;
    const pickAt = (evt: PointerEvent): void => {
      const rect = el.getBoundingClientRect();
      const world = mprViewport(view).canvasToWorld([evt.clientX - rect.left, evt.clientY - rect.top]);
      setCrosshairLps(world as unknown as Vec3);
    };
    const onDown = (evt: PointerEvent): void => {
      if (!shown || primaryTool !== 'crosshair' || evt.button !== 0) return;
      dragging = true;
      pickAt(evt);
    };
    const onMove = (evt: PointerEvent): void => {
      if (dragging && (evt.buttons & 1) === 1) pickAt(evt);
    };
    const onUp = (): void => {
      dragging = false;
    };
    el.addEventListener('pointerdown', onDown);
    window.addEventListener('pointermove', onMove);
    window.addEventListener('pointerup', onUp);
    cleanups.push(() => {
      el.removeEventListener('pointerdown', onDown);
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    });
  }
  // --- the 3D view while it is not laid out ----------------------------------
  // In plan mode the three.js scene covers the 3D cell and the scene
  // controller takes the 3D element's canvas out of the layout (display:
  // none, sceneController.css). A canvas without a size is skipped by
  // Cornerstone 5.14 both
  // in resize() (`_resizeVTKViewports`: displayed size 0) and in its render
  // frame (`_renderViewportWithContext`: canvas clientWidth 0, no
  // IMAGE_RENDERED): an engine-wide resize or render (a window resize, the
  // trajectory strip opening, trajectoryViews' engine.resize) no longer ray
  // casts the hidden volume, seconds of readPixels on a software rasteriser.
  // Its canvas keeps the last image, its camera and properties stay on the
  // viewport. What it should show changes only in showVolume: that bumps
  // `volume3dContent`; each real 3D render records what it drew; when the
  // canvas is laid out again (its ResizeObserver) a stale canvas is
  // rendered once, and a size change goes through the usual resize. The
  // element keeps its size: Cornerstone's TrackballRotateTool resets the
  // camera (keeping zoom and pan, not the orbit) when its element resizes.
  // Both also on the element (data-volume3d-content, data-volume3d-drawn) for tests.
  let volume3dContent = 0;
  let volume3dDrawn = 0;
  const markVolume3d = (): void => {
    if (!with3d) return;
    elements.volume3d.dataset['volume3dContent'] = String(volume3dContent);
    elements.volume3d.dataset['volume3dDrawn'] = String(volume3dDrawn);
  };
  markVolume3d();
  const volume3dCanvas = (): HTMLCanvasElement | null => elements.volume3d.querySelector('canvas');
  const volume3dLaidOut = (): boolean => {
    const canvas = volume3dCanvas();
    return canvas !== null && canvas.clientWidth > 0 && canvas.clientHeight > 0;
  };
  const catchUpVolume3d = (): void => {
    if (!with3d || disposed || !volume3dLaidOut()) return;
    scheduleResize(0);
    if (volume3dDrawn !== volume3dContent) engine.renderViewports([viewportIds.volume3d]);
  };
  let volume3dObserver: ResizeObserver | null = null;
  if (with3d) {
    const el = elements.volume3d;
    const onRendered = (): void => {
      volume3dDrawn = volume3dContent;
      markVolume3d();
      // Only renders that contain the volume count (an empty viewport renders too).
      const vp3d = engine.getViewport(viewportIds.volume3d) as Types.IVolumeViewport | undefined;
      if (shown && vp3d && vp3d.getActors().length > 0) emit({ kind: 'rendered', view: 'volume3d' });
    };
    el.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    cleanups.push(() => el.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered));
    if (typeof ResizeObserver !== 'undefined') {
      volume3dObserver = new ResizeObserver(catchUpVolume3d);
      const canvas = volume3dCanvas();
      if (canvas) volume3dObserver.observe(canvas);
      cleanups.push(() => volume3dObserver?.disconnect());
    }
  }

  const onAnnotation = (evt: Event): void => {
    const ann = (evt as CustomEvent<{ annotation?: { metadata?: { toolName?: string }; data?: { handles?: { points?: number[][] } } } }>).detail?.annotation;
    const points = ann?.data?.handles?.points as Vec3[] | undefined;
    const toolName = ann?.metadata?.toolName;
    if (!points) return;
    if (toolName === LengthTool.toolName && points.length >= 2) {
      emit({ kind: 'measurement', tool: 'length', text: `${distance(points[0]!, points[1]!).toFixed(1)} mm` });
    } else if (toolName === AngleTool.toolName && points.length >= 3) {
      const a = sub([0, 0, 0], points[0]!, points[1]!);
      const b = sub([0, 0, 0], points[2]!, points[1]!);
      emit({ kind: 'measurement', tool: 'angle', text: `${((angleRad(a, b) * 180) / Math.PI).toFixed(1)}°` });
    }
  };
  eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onAnnotation);
  cleanups.push(() => eventTarget.removeEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, onAnnotation));

  // --- window ----------------------------------------------------------------
  function applyWindowToViews(window: WindowLevel, except?: MprViewId): void {
    if (!shown) return;
    const range = windowToRange(window);
    planOverlay.setVoiRange(range);
    syncingWindow = true;
    try {
      for (const view of MPR_VIEWS) {
        if (view === except) continue;
        mprViewport(view).setProperties({ voiRange: range }, shown.reg.volumeId, true);
      }
    } finally {
      syncingWindow = false;
    }
    engine.renderViewports(MPR_VIEWS.filter((v) => v !== except).map((v) => viewportIds[v]));
  }

  // Cornerstone skips a resize while a render frame is pending (and only
  // records the new size), so resize on the next frame and retry until the
  // canvases match their elements.
  let resizeFrame = 0;
  function scheduleResize(attempt: number): void {
    if (disposed || resizeFrame) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (disposed) return;
      engine.resize(true, true);
      drawAllCrosshairs();
      // Cornerstone sizes a canvas to its own layout size (a canvas out of the layout is skipped).
      const stale = Object.values(elements).some((el) => {
        const canvas = el.querySelector('canvas');
        return canvas !== null && canvas.clientWidth > 0 && Math.abs(canvas.width - Math.round(canvas.clientWidth * devicePixelRatio)) > 1;
      });
      if (stale && attempt < 100) resizeRetry = setTimeout(() => scheduleResize(attempt + 1), 100);
    });
  }
  let resizeRetry: ReturnType<typeof setTimeout> | undefined;

  function scrollSlices(view: MprViewId, delta: number): void {
    const state = viewState(view);
    if (!state) return;
    setSliceIndex(view, state.slice.index + delta);
  }

  function release(): void {
    if (!shown) return;
    csAnnotation.state.removeAllAnnotations();
    labelOverlay.clear();
    structureHandles.show(null);
    const old = shown;
    shown = null;
    crosshairLps = null;
    for (const view of MPR_VIEWS) {
      mprViewport(view).removeAllActors();
      delete lastSlice[view];
      drawCrosshair(view);
    }
    if (with3d) (engine.getViewport(viewportIds.volume3d) as Types.IVolumeViewport).removeAllActors();
    planOverlay.volumeChanged(null);
    old.reg.release();
  }

  const port: ViewerPort = {
    async showVolume(volume, info) {
      if (disposed) throw new Error('viewer disposed');
      const mySequence = ++showSequence;
      release();
      const reg = registerVolume(volume, info.modality || (volume.kind === 'cbct' ? 'CT' : 'CT'));
      shown = { volume, reg, info };
      const mprIds = MPR_VIEWS.map((v) => viewportIds[v]);
      await setVolumesForViewports(engine, [{ volumeId: reg.volumeId }], mprIds, false, true);
      if (mySequence !== showSequence || disposed) return;
      windowLevel = volume.kind === 'cbct' ? windowForPreset('cbctAuto', volume.voxels) : CT_WINDOWS.bone;
      for (const view of MPR_VIEWS) {
        const vp = mprViewport(view);
        vp.setProperties({ voiRange: windowToRange(windowLevel) }, reg.volumeId, true);
        vp.resetCamera();
      }
      crosshairLps = null;
      setCrosshairLps(volumeCenterLps(volume.geometry));
      for (const view of MPR_VIEWS) onCameraModified(view);
      emit({ kind: 'window', window: windowLevel });
      planOverlay.volumeChanged(windowToRange(windowLevel));
      if (with3d) {
        // After the MPR views: software ray casting is the slow part.
        const vp3d = engine.getViewport(viewportIds.volume3d) as Types.IVolumeViewport;
        // Two frames and a task later: the MPR views are on screen before the
        // (blocking, in software) first 3D frame starts.
        const after2Frames = (fn: () => void): void => {
          requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(fn, 0)));
        };
        after2Frames(() => {
          if (mySequence !== showSequence || disposed) return;
          void setVolumesForViewports(engine, [{ volumeId: reg.volumeId }], [viewportIds.volume3d], false, true).then(() => {
            if (mySequence !== showSequence || disposed) return;
            const t = volumeRenderingThresholds(volume.kind === 'cbct' ? 'cbct' : 'ct', windowLevel);
            // setProperties hands `preset` to setPreset, which takes a name or a preset object.
            // Shading stays on even in software: unshaded bone reads as a flat silhouette (looked at, rejected).
            const preset = createBonePreset(t.lowValue, t.highValue) as unknown as string;
            vp3d.setProperties({ preset, sampleDistanceMultiplier }, reg.volumeId, true);
            // A new series starts in the AP view like the first: resetCamera keeps the direction
            // the user had orbited the previous series to.
            const orientation = VIEW_ORIENTATIONS.volume3d;
            vp3d.setCamera({ viewPlaneNormal: [...orientation.viewPlaneNormal] as Types.Point3, viewUp: [...orientation.viewUp] as Types.Point3 });
            vp3d.resetCamera();
            // Skipped by Cornerstone while the element is not laid out; catchUpVolume3d renders it when it is.
            volume3dContent++;
            markVolume3d();
            vp3d.render();
          });
        });
      }
    },
    clearVolume() {
      showSequence++;
      release();
    },
    getVolumeId: () => shown?.reg.volumeId ?? null,
    plan: planOverlay.port,
    setWindow(window) {
      windowLevel = { ...window };
      applyWindowToViews(windowLevel);
      emit({ kind: 'window', window: windowLevel });
    },
    getWindow: () => (windowLevel ? { ...windowLevel } : null),
    applyWindowPreset(preset: WindowPresetId) {
      const w = windowForPreset(preset, shown?.volume.voxels ?? null);
      port.setWindow(w);
      return w;
    },
    setPrimaryTool(tool) {
      primaryTool = tool;
      const primary = [{ mouseButton: ToolEnums.MouseBindings.Primary }];
      for (const name of [WindowLevelTool.toolName, LengthTool.toolName, AngleTool.toolName]) mprGroup.setToolPassive(name);
      if (tool === 'windowLevel') mprGroup.setToolActive(WindowLevelTool.toolName, { bindings: primary });
      if (tool === 'length') mprGroup.setToolActive(LengthTool.toolName, { bindings: primary });
      if (tool === 'angle') mprGroup.setToolActive(AngleTool.toolName, { bindings: primary });
      brush.setTool(tool);
    },
    getViewState: viewState,
    setSliceIndex,
    scrollSlices,
    setCrosshairLps,
    getCrosshairLps: () => (crosshairLps ? ([...crosshairLps] as Vec3) : null),
    resetViews() {
      if (!shown) return;
      for (const view of MPR_VIEWS) mprViewport(view).resetCamera();
      if (crosshairLps) setCrosshairLps(crosshairLps);
    },
    resize() {
      scheduleResize(0);
    },
    showLabels(labels, style) {
      if (style) labelOverlay.setStyle(style);
      labelOverlay.show(labels, shown?.volume ?? null);
    },
    refreshLabels: () => labelOverlay.refresh(),
    setLabelStyle: (style) => labelOverlay.setStyle(style),
    getLabelStyle: () => labelOverlay.getStyle(),
    showStructures: (structures) => labelOverlay.showStructures(structures, shown?.volume ?? null),
    setBrushRadiusMm: (radiusMm) => brush.setRadiusMm(radiusMm),
    showStructureHandles: (handles) => structureHandles.show(handles),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      if (resizeFrame) cancelAnimationFrame(resizeFrame);
      clearTimeout(resizeRetry);
      release();
      brush.dispose();
      structureHandles.dispose();
      labelOverlay.dispose();
      for (const c of cleanups) c();
      listeners.clear();
      planOverlay.dispose();
      ToolGroupManager.destroyToolGroup(mprToolGroupId);
      if (group3d) ToolGroupManager.destroyToolGroup(tool3dGroupId);
      engine.destroy();
      for (const view of MPR_VIEWS) overlays[view].remove();
    },
  };
  return port;
}
