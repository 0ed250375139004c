/**
 * The trajectory reformats of the selected screw: three more ORTHOGRAPHIC
 * Cornerstone viewports (in-line A, in-line B, bull's-eye) on the volume the
 * MPR views show, in the same rendering engine (one WebGL context).
 *
 * They exist only while they can be seen: the viewports are enabled when a
 * trajectory is set, a volume is shown and their elements have a size (the
 * strip is visible), and disabled otherwise, so a hidden strip costs no
 * software-WebGL frames. Cameras come from trajectoryFrames.ts and follow
 * the screw on every update, except while a drag started in one of these
 * views is under way (the plane must not turn under the mouse).
 *
 * Drag-time policy (issue #6: the status must never wait for a render):
 * while a screw is dragged in another view (setDragging), the cameras stay
 * where they are while the pointer moves, follow when it rests, and follow
 * at once when the drag ends, so the views always end on the final position
 * (their SVG screw layers follow the same way during a drag in an MPR view:
 * screwOverlay.ts).
 * Three oblique volume renders cost 100+ ms of frame on a software
 * rasteriser, and Chromium's frame-aligned input makes every following
 * pointer event wait for that frame. "Rests" is measured against this drag's
 * own pace: no plan update for three times the usual gap between its updates
 * (75th percentile of the last 16), and at least 250 ms. A fixed 120 or 300 ms
 * fired between nearly every event on the loaded test machine, where the
 * events themselves came 0.4-0.6 s apart, so the drag stayed as slow as before.
 */
import { Enums, setVolumesForViewports, type RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Vec3 } from '../core/geometry/vec3';
import type { TrajectoryViewId, ViewCamera } from './PlanOverlayPort';
import type { PlanOverlayModel } from './planOverlayModel';
import type { ViewProjector } from './screwOverlay';
import type { TrajectoryGeometry } from './trajectoryFrames';
import { edgeLabels } from './viewOrientation';
import { createDragRest } from './dragRest';
import { prepareViewportCanvas, viewportCanvasModeFromUrl } from './viewportCanvas';

export const TRAJECTORY_VIEWS: readonly TrajectoryViewId[] = ['inlineA', 'inlineB', 'bullseye'];

const TITLES: Record<TrajectoryViewId, string> = {
  inlineA: 'In-line A \u00b7 axis + S\u2013I',
  inlineB: 'In-line B \u00b7 \u27c2 A',
  bullseye: "Bull's-eye",
};

export type TrajectoryViews = {
  /** The viewport of a view, or null while it is disabled. */
  viewport(view: TrajectoryViewId): Types.IVolumeViewport | null;
  projector(view: TrajectoryViewId): ViewProjector | null;
  /** Re-evaluates what to show (after setScrews, setTrajectory, a depth change, a new volume). */
  update(): void;
  setVoiRange(range: { lower: number; upper: number } | null): void;
  /** Cameras currently applied (null while disabled). */
  cameras(): Record<TrajectoryViewId, ViewCamera> | null;
  /** Holds the cameras still (a drag in a trajectory view) or lets them follow again. */
  setFrozen(frozen: boolean): void;
  /** A screw drag is under way somewhere: camera moves wait for its end (see the header); false: follow now. */
  setDragging(dragging: boolean): void;
  /** Cameras the viewports were last given (null while disabled or before the first): what the views show. */
  appliedCameras(): Record<TrajectoryViewId, ViewCamera> | null;
  dispose(): void;
};

export type TrajectoryViewsOptions = {
  engine: RenderingEngine;
  elements: Readonly<Record<TrajectoryViewId, HTMLDivElement>>;
  idSuffix: string | number;
  model: PlanOverlayModel;
  /** Volume shown by the viewer (null: none). */
  volumeId(): string | null;
  /** Called after a view's camera or content changed (redraw its overlay). */
  onViewChanged(view: TrajectoryViewId): void;
};

export function createTrajectoryViews(options: TrajectoryViewsOptions): TrajectoryViews {
  const { engine, elements, model } = options;
  const ids = {} as Record<TrajectoryViewId, string>;
  for (const view of TRAJECTORY_VIEWS) ids[view] = `${view}-${options.idSuffix}`;
  let enabled = false;
  /** Volume the enabled viewports show. */
  let shownVolumeId: string | null = null;
  let enabling: Promise<void> | null = null;
  let frozen = false;
  let disposed = false;
  let voiRange: { lower: number; upper: number } | null = null;
  let applied: Record<TrajectoryViewId, ViewCamera> | null = null;
  let dragging = false;
  // Follow-at-rest during a drag elsewhere (see the module comment; the rule is viewer/dragRest.ts).
  const rest = createDragRest(() => {
    if (disposed || !dragging || frozen) return;
    if (!cameraFrame) cameraFrame = requestAnimationFrame(applyLatest);
  });

  // Orientation letters, title and (bull's-eye) depth text over each view.
  const texts = {} as Record<TrajectoryViewId, { root: HTMLDivElement; edges: Record<'left' | 'right' | 'top' | 'bottom', HTMLDivElement>; depth: HTMLDivElement }>;
  for (const view of TRAJECTORY_VIEWS) {
    const root = document.createElement('div');
    root.className = 'view-overlay trajectory-overlay';
    root.setAttribute('data-overlay', view);
    const title = document.createElement('div');
    title.className = 'view-title';
    title.textContent = TITLES[view];
    root.appendChild(title);
    const edges = {} as Record<'left' | 'right' | 'top' | 'bottom', HTMLDivElement>;
    for (const side of ['left', 'right', 'top', 'bottom'] as const) {
      const d = document.createElement('div');
      d.className = `orient orient-${side}`;
      d.setAttribute('data-orient', side);
      root.appendChild(d);
      edges[side] = d;
    }
    const depth = document.createElement('div');
    depth.className = 'corner corner-bl';
    depth.setAttribute('data-role', view === 'bullseye' ? 'depth' : 'caption');
    root.appendChild(depth);
    root.hidden = true;
    elements[view].appendChild(root);
    texts[view] = { root, edges, depth };
  }

  const vp = (view: TrajectoryViewId): Types.IVolumeViewport | null =>
    enabled ? ((engine.getViewport(ids[view]) as Types.IVolumeViewport | undefined) ?? null) : null;

  // Element sizes as the ResizeObserver last reported them: reading clientWidth on every update
  // would force a layout right after the overlay's DOM changed (tens of ms per drag event).
  const sizes = {} as Record<TrajectoryViewId, { width: number; height: number }>;
  for (const v of TRAJECTORY_VIEWS) sizes[v] = { width: elements[v].clientWidth, height: elements[v].clientHeight };
  const visible = (): boolean => TRAJECTORY_VIEWS.every((v) => sizes[v].width > 2 && sizes[v].height > 2);

  function aspects(): Record<TrajectoryViewId, number> {
    const a = {} as Record<TrajectoryViewId, number>;
    for (const v of TRAJECTORY_VIEWS) a[v] = sizes[v].width / Math.max(1, sizes[v].height);
    return a;
  }

  function disable(): void {
    if (cameraFrame) cancelAnimationFrame(cameraFrame);
    cameraFrame = 0;
    if (enabled) {
      for (const view of TRAJECTORY_VIEWS) {
        const v = engine.getViewport(ids[view]) as Types.IVolumeViewport | undefined;
        v?.removeAllActors();
        engine.disableElement(ids[view]);
      }
    }
    enabled = false;
    shownVolumeId = null;
    applied = null;
    for (const view of TRAJECTORY_VIEWS) {
      texts[view].root.hidden = true;
      // Cornerstone leaves its canvas behind: clear it, so that no stale image stays on screen.
      const canvas = elements[view].querySelector('canvas');
      canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      options.onViewChanged(view);
    }
  }

  async function enable(volumeId: string): Promise<void> {
    for (const view of TRAJECTORY_VIEWS) {
      prepareViewportCanvas(elements[view], viewportCanvasModeFromUrl());
      engine.enableElement({
        viewportId: ids[view],
        type: Enums.ViewportType.ORTHOGRAPHIC,
        element: elements[view],
        defaultOptions: { background: [0, 0, 0] as Types.Point3 },
      });
    }
    enabled = true;
    shownVolumeId = volumeId;
    await setVolumesForViewports(engine, [{ volumeId }], TRAJECTORY_VIEWS.map((v) => ids[v]), false, true);
  }

  function applyCameras(g: TrajectoryGeometry): void {
    for (const view of TRAJECTORY_VIEWS) {
      const viewport = vp(view);
      if (!viewport) continue;
      const cam = g.cameras[view];
      const n = cam.viewPlaneNormalLps;
      const f = cam.focalPointLps;
      const before = viewport.getCamera();
      const distance = Math.max(100, Math.hypot(...(sub(before.position as unknown as Vec3, before.focalPoint as unknown as Vec3))));
      const position: Types.Point3 = [f[0] + n[0] * distance, f[1] + n[1] * distance, f[2] + n[2] * distance];
      // Two steps: Cornerstone re-clips the slab only when the focal point moves out of the new plane
      // or viewUp changes, and vtk cannot take a viewUp parallel to the old direction of projection
      // (the default axial camera and a superior "up"): the first step turns the camera and moves
      // it off the plane, the second puts it in place. Once per animation frame at most.
      viewport.setCamera({ focalPoint: [f[0] + n[0] * 0.05, f[1] + n[1] * 0.05, f[2] + n[2] * 0.05], position, viewUp: cam.viewUpLps as Types.Point3 });
      viewport.setCamera({ focalPoint: f as Types.Point3, position, viewUp: cam.viewUpLps as Types.Point3, parallelScale: cam.parallelScaleMm });
      const labels = edgeLabels(cam.viewUpLps, n);
      for (const side of ['left', 'right', 'top', 'bottom'] as const) texts[view].edges[side].textContent = labels[side];
      texts[view].root.hidden = false;
    }
    texts.bullseye.depth.textContent = `${g.bullseyeDepthMm.toFixed(0)} mm from ${g.fromSkin ? 'skin' : 'bone entry'}`;
    texts.inlineA.depth.textContent = `Path ${g.pathLengthMm.toFixed(0)} mm`;
    texts.inlineB.depth.textContent = '';
    applied = { inlineA: g.cameras.inlineA, inlineB: g.cameras.inlineB, bullseye: g.cameras.bullseye };
  }

  /** Frames on the next animation frame; the overlay redraws after each (IMAGE_RENDERED). */
  function render(): void {
    engine.renderViewports(TRAJECTORY_VIEWS.map((v) => ids[v]));
  }

  const sameCamera = (a: ViewCamera, b: ViewCamera): boolean =>
    a.parallelScaleMm === b.parallelScaleMm &&
    [0, 1, 2].every((k) => a.focalPointLps[k] === b.focalPointLps[k] && a.viewPlaneNormalLps[k] === b.viewPlaneNormalLps[k] && a.viewUpLps[k] === b.viewUpLps[k]);

  function update(): void {
    if (disposed) return;
    // A pending enable calls update() again when it settles.
    if (enabling) return;
    const volumeId = options.volumeId();
    const g = model.trajectoryGeometry(aspects());
    if (!g || !volumeId || !visible()) {
      disable();
      return;
    }
    if (!enabled || shownVolumeId !== volumeId) {
      disable();
      enabling = enable(volumeId)
        .catch(() => disable())
        .finally(() => {
          enabling = null;
          if (disposed) return;
          if (enabled && voiRange) for (const view of TRAJECTORY_VIEWS) vp(view)?.setProperties({ voiRange: voiRange }, shownVolumeId ?? undefined, true);
          update();
        });
      return;
    }
    // During a drag elsewhere the cameras follow when the pointer rests and when the drag ends
    // (setDragging(false) comes back here).
    if (dragging && !frozen) {
      rest.update();
      return;
    }
    // At most once per animation frame, with the latest screw.
    if (!cameraFrame) cameraFrame = requestAnimationFrame(applyLatest);
  }

  let cameraFrame = 0;
  function applyLatest(): void {
    cameraFrame = 0;
    if (disposed || !enabled || enabling) return;
    const g = model.trajectoryGeometry(aspects());
    if (!g) return;
    // Unchanged cameras (another screw moved, a redraw): no new frames, software WebGL is slow.
    if (applied && TRAJECTORY_VIEWS.every((v) => sameCamera(applied![v], g.cameras[v]))) return;
    if (frozen) {
      texts.bullseye.depth.textContent = `${g.bullseyeDepthMm.toFixed(0)} mm from ${g.fromSkin ? 'skin' : 'bone entry'}`;
      return;
    }
    applyCameras(g);
    render();
  }

  // The strip appears, disappears or changes size: enable, disable or refit.
  let resizeFrame = 0;
  const observer = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const view = TRAJECTORY_VIEWS.find((v) => elements[v] === entry.target);
      if (view) sizes[view] = { width: entry.contentRect.width, height: entry.contentRect.height };
    }
    if (resizeFrame) return;
    resizeFrame = requestAnimationFrame(() => {
      resizeFrame = 0;
      if (disposed) return;
      if (enabled && visible()) engine.resize(true, true);
      update();
    });
  });
  for (const view of TRAJECTORY_VIEWS) observer.observe(elements[view]);

  // The wheel over the bull's-eye moves it along the path (1 mm, 5 mm with Shift).
  const onWheel = (evt: WheelEvent): void => {
    const state = model.trajectoryState();
    if (!state || evt.deltaY === 0) return;
    evt.preventDefault();
    evt.stopPropagation();
    const step = (evt.deltaY > 0 ? 1 : -1) * (evt.shiftKey ? 5 : 1);
    model.setBullseyeDepthMm(state.bullseyeDepthMm + step);
    update();
  };
  elements.bullseye.addEventListener('wheel', onWheel, { passive: false, capture: true });

  return {
    viewport: vp,
    projector(view) {
      const viewport = vp(view);
      if (!viewport || !applied) return null;
      const cam = viewport.getCamera();
      return {
        worldToCanvas: (p) => viewport.worldToCanvas(p as Types.Point3) as [number, number],
        canvasToWorld: (c) => viewport.canvasToWorld([c[0], c[1]]) as unknown as Vec3,
        plane: { pointLps: cam.focalPoint as unknown as Vec3, normalLps: cam.viewPlaneNormal as unknown as Vec3 },
      };
    },
    update,
    setVoiRange(range) {
      voiRange = range;
      if (!enabled || !range || enabling) return;
      for (const view of TRAJECTORY_VIEWS) vp(view)?.setProperties({ voiRange: range }, shownVolumeId ?? undefined, true);
      engine.renderViewports(TRAJECTORY_VIEWS.map((v) => ids[v]));
    },
    cameras() {
      // What the views show, or are about to show on the next frame.
      if (!enabled && !enabling) return null;
      const source = frozen && applied ? applied : model.trajectoryGeometry(aspects())?.cameras;
      if (!source) return null;
      const copy = (c: ViewCamera): ViewCamera => ({ ...c, viewPlaneNormalLps: [...c.viewPlaneNormalLps], viewUpLps: [...c.viewUpLps], focalPointLps: [...c.focalPointLps] });
      return { inlineA: copy(source.inlineA), inlineB: copy(source.inlineB), bullseye: copy(source.bullseye) };
    },
    setFrozen(f) {
      frozen = f;
      if (!f) update();
    },
    setDragging(d) {
      if (d === dragging) return;
      dragging = d;
      rest.reset();
      if (!d) update();
    },
    appliedCameras() {
      if (!enabled || !applied) return null;
      const copy = (c: ViewCamera): ViewCamera => ({ ...c, viewPlaneNormalLps: [...c.viewPlaneNormalLps], viewUpLps: [...c.viewUpLps], focalPointLps: [...c.focalPointLps] });
      return { inlineA: copy(applied.inlineA), inlineB: copy(applied.inlineB), bullseye: copy(applied.bullseye) };
    },
    dispose() {
      disposed = true;
      rest.dispose();
      if (resizeFrame) cancelAnimationFrame(resizeFrame);
      if (cameraFrame) cancelAnimationFrame(cameraFrame);
      observer.disconnect();
      elements.bullseye.removeEventListener('wheel', onWheel, { capture: true });
      if (enabled) {
        for (const view of TRAJECTORY_VIEWS) {
          try {
            engine.disableElement(ids[view]);
          } catch {
            // The engine may already be destroyed with the viewer.
          }
        }
      }
      enabled = false;
      for (const view of TRAJECTORY_VIEWS) texts[view].root.remove();
    },
  };
}

function sub(a: Readonly<Vec3>, b: Readonly<Vec3>): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
