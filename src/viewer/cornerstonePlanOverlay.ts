/**
 * PlanOverlayPort on Cornerstone viewports: the plan model, the SVG screw
 * layer over the three MPR views and the three trajectory views, and the
 * trajectory viewports. createCornerstoneViewer creates one and hands it its
 * engine and MPR viewports; this file owns everything about screws.
 *
 * Redraws: on every IMAGE_RENDERED of a view (after a camera change, a slice
 * change, a resize) and on every setScrews, so the drawing always matches
 * the pixels under it.
 */
import { Enums, type RenderingEngine, type Types } from '@cornerstonejs/core';
import type { Vec3 } from '../core/geometry/vec3';
import type { PlanOverlayPort, TrajectoryViewId } from './PlanOverlayPort';
import { createPlanOverlayModel } from './planOverlayModel';
import { createScrewOverlayLayer, type OverlayView, type OverlayViewId, type ViewProjector } from './screwOverlay';
import { createTrajectoryViews, TRAJECTORY_VIEWS, type TrajectoryViews } from './trajectoryViews';
import { MPR_VIEWS, type MprViewId } from './ViewerPort';

export type CornerstonePlanOverlay = {
  port: PlanOverlayPort;
  /** The shown volume changed (or was released); `voiRange` is its window. */
  volumeChanged(voiRange: { lower: number; upper: number } | null): void;
  setVoiRange(range: { lower: number; upper: number }): void;
  dispose(): void;
};

export type CornerstonePlanOverlayOptions = {
  engine: RenderingEngine;
  mprElements: Readonly<Record<MprViewId, HTMLDivElement>>;
  mprViewport(view: MprViewId): Types.IVolumeViewport;
  /** Elements of the trajectory views; without them, setTrajectory only keeps state. */
  trajectoryElements: Readonly<Record<TrajectoryViewId, HTMLDivElement>> | null;
  idSuffix: string | number;
  volumeId(): string | null;
};

function projectorOf(viewport: Types.IVolumeViewport): ViewProjector {
  const cam = viewport.getCamera();
  return {
    worldToCanvas: (p) => viewport.worldToCanvas(p as Types.Point3) as [number, number],
    canvasToWorld: (c) => viewport.canvasToWorld([c[0], c[1]]) as unknown as Vec3,
    plane: { pointLps: cam.focalPoint as unknown as Vec3, normalLps: cam.viewPlaneNormal as unknown as Vec3 },
  };
}

export function createCornerstonePlanOverlay(options: CornerstonePlanOverlayOptions): CornerstonePlanOverlay {
  const model = createPlanOverlayModel();
  const cleanups: Array<() => void> = [];
  let trajectory: TrajectoryViews | null = null;
  let layerRef: ReturnType<typeof createScrewOverlayLayer> | null = null;

  if (options.trajectoryElements) {
    trajectory = createTrajectoryViews({
      engine: options.engine,
      elements: options.trajectoryElements,
      idSuffix: options.idSuffix,
      model,
      volumeId: options.volumeId,
      onViewChanged: (view) => layerRef?.redraw(view),
    });
  }

  const views: OverlayView[] = MPR_VIEWS.map((view) => ({
    id: view,
    element: options.mprElements[view] as HTMLDivElement,
    projector: () => (options.volumeId() ? projectorOf(options.mprViewport(view)) : null),
  }));
  if (options.trajectoryElements && trajectory) {
    const t = trajectory;
    for (const view of TRAJECTORY_VIEWS) views.push({ id: view, element: options.trajectoryElements[view], projector: () => t.projector(view) });
  }
  const layer = createScrewOverlayLayer(views, model);
  layerRef = layer;
  // A drag inside a trajectory view holds its cameras still until the button is released.
  cleanups.push(
    layer.onDragActive((view, active) => {
      if ((TRAJECTORY_VIEWS as readonly OverlayViewId[]).includes(view)) trajectory?.setFrozen(active);
      // Any drag: the trajectory cameras follow when the drag ends (trajectoryViews.ts).
      trajectory?.setDragging(active);
    }),
  );

  // After each frame of a view (a camera move is always followed by one): the drawing moves with the image, not a frame ahead.
  for (const view of views) {
    const onRendered = (): void => layer.redraw(view.id);
    view.element.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
    cleanups.push(() => view.element.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered));
  }

  const port: PlanOverlayPort = {
    setScrews(screws, selectedId) {
      model.setScrews(screws, selectedId);
      layer.redraw();
      trajectory?.update();
    },
    onSelect: (l) => model.onSelect(l),
    onDrag: (l) => model.onDrag(l),
    setTrajectory(screwId) {
      model.setTrajectory(screwId);
      trajectory?.update();
    },
    setBullseyeDepthMm(depthMm) {
      model.setBullseyeDepthMm(depthMm);
      trajectory?.update();
    },
    getTrajectoryState: () => model.trajectoryState(),
    onTrajectoryChange: (l) => model.onTrajectoryChange(l),
    getTrajectoryCameras: () => trajectory?.cameras() ?? null,
    lpsToClient(view, pointLps) {
      const v = views.find((x) => x.id === view);
      const projector = v?.projector();
      if (!v || !projector) return null;
      const c = projector.worldToCanvas(pointLps);
      const rect = v.element.getBoundingClientRect();
      return { x: rect.left + c[0], y: rect.top + c[1] };
    },
  };

  return {
    port,
    volumeChanged(voiRange) {
      if (voiRange) trajectory?.setVoiRange(voiRange);
      trajectory?.update();
      layer.redraw();
    },
    setVoiRange(range) {
      trajectory?.setVoiRange(range);
    },
    dispose() {
      for (const c of cleanups) c();
      layer.dispose();
      trajectory?.dispose();
      model.clear();
    },
  };
}
