/**
 * PlanOverlayPort without a screen, for UI tests in node: keeps what it was
 * told (same model and trajectory maths as the Cornerstone viewer) and lets a
 * test play the user's clicks and drags.
 */
import type { PlanOverlayPort, ScrewDragEvent, ScrewOverlay } from './PlanOverlayPort';
import { createPlanOverlayModel } from './planOverlayModel';
import type { TrajectoryViewId, ViewCamera } from './PlanOverlayPort';

export type FakePlanOverlay = PlanOverlayPort & {
  /** What setScrews last drew. */
  drawnScrews(): readonly ScrewOverlay[];
  selectedId(): string | null;
  trajectoryId(): string | null;
  /** Plays a click on a screw (or away from all: null), as the user would. */
  simulateSelect(screwId: string | null): void;
  /** Plays one drag event, as the user would. */
  simulateDrag(event: ScrewDragEvent): void;
  dispose(): void;
};

export function createFakePlanOverlay(): FakePlanOverlay {
  const model = createPlanOverlayModel();
  return {
    setScrews: (screws, selectedId) => model.setScrews(screws, selectedId),
    onSelect: (l) => model.onSelect(l),
    onDrag: (l) => model.onDrag(l),
    setTrajectory: (id) => model.setTrajectory(id),
    setBullseyeDepthMm: (d) => model.setBullseyeDepthMm(d),
    getTrajectoryState: () => model.trajectoryState(),
    onTrajectoryChange: (l) => model.onTrajectoryChange(l),
    getTrajectoryCameras() {
      const g = model.trajectoryGeometry();
      if (!g) return null;
      const copy = (c: ViewCamera): ViewCamera => ({ ...c, viewPlaneNormalLps: [...c.viewPlaneNormalLps], viewUpLps: [...c.viewUpLps], focalPointLps: [...c.focalPointLps] });
      return { inlineA: copy(g.cameras.inlineA), inlineB: copy(g.cameras.inlineB), bullseye: copy(g.cameras.bullseye) } as Record<TrajectoryViewId, ViewCamera>;
    },
    lpsToClient: () => null,
    drawnScrews: () => model.screws(),
    selectedId: () => model.selectedId(),
    trajectoryId: () => model.trajectoryId(),
    simulateSelect: (id) => model.emitSelect(id),
    simulateDrag: (e) => model.emitDrag(e),
    dispose: () => model.clear(),
  };
}
