/**
 * What the UI may ask of the viewer about the plan: screws drawn in the MPR
 * views, their handles, and the trajectory reformats. Plain data in LPS mm;
 * nothing here names Cornerstone. Implemented by the Cornerstone viewer and
 * the fake viewer (both expose it as `viewer.plan`).
 *
 * Shared by several modules: change it additively, and say so in the commit.
 */
import type { Vec3 } from '../core/geometry/vec3';

export type ScrewDrawStatus = 'pending' | 'ok' | 'overridden' | 'failed';

export type ScrewOverlay = {
  id: string;
  /** Short label drawn beside the screw, e.g. "S1 L". */
  label: string;
  entryLps: Vec3;
  tipLps: Vec3;
  diameterMm: number;
  status: ScrewDrawStatus;
  /** Skin entry (drawn as a marker), when known. */
  skinEntryLps: Vec3 | null;
};

export type ScrewHandle = 'entry' | 'tip' | 'body';

/** A drag of a screw handle in an MPR or trajectory view ('end' on pointer up). */
export type ScrewDragEvent = {
  screwId: string;
  handle: ScrewHandle;
  /** New position of the handle ('body': the whole screw moved by `deltaLps`). */
  pointLps: Vec3;
  /**
   * Displacement since the drag started (pointer down), not since the
   * previous event: apply it to the screw as it was when the drag began.
   * In the plane of the view the drag happens in.
   */
  deltaLps: Vec3;
  phase: 'move' | 'end';
};

export type TrajectoryViewId = 'inlineA' | 'inlineB' | 'bullseye';

/** What the trajectory views show, for the depth slider (depths along the path, mm). */
export type TrajectoryState = {
  screwId: string;
  /** Depth 0 is the skin entry (true) or the bone entry (no skin entry known). */
  fromSkin: boolean;
  /** From depth 0 to the tip. */
  pathLengthMm: number;
  boneEntryDepthMm: number;
  /** Where the bull's-eye view is (clamped to [0, pathLengthMm]). */
  bullseyeDepthMm: number;
};

/** A view's camera in LPS (viewPlaneNormal points towards the viewer; parallelScaleMm = half the height). */
export type ViewCamera = { viewPlaneNormalLps: Vec3; viewUpLps: Vec3; focalPointLps: Vec3; parallelScaleMm: number };

export interface PlanOverlayPort {
  /** Draws these screws (replaces the previous set); `selectedId` gets handles. */
  setScrews(screws: readonly ScrewOverlay[], selectedId: string | null): void;
  /** Screw picked by a click in a view (null: clicked away from every screw). */
  onSelect(listener: (screwId: string | null) => void): () => void;
  onDrag(listener: (event: ScrewDragEvent) => void): () => void;
  /**
   * Points the trajectory reformats at a screw (null: hides them). The in-line
   * views contain the axis; the bull's-eye view is perpendicular to it at
   * `bullseyeDepthMm` from the skin entry (or from the bone entry when no skin entry).
   */
  setTrajectory(screwId: string | null): void;
  setBullseyeDepthMm(depthMm: number): void;
  /** The trajectory views' state (null: no trajectory shown). */
  getTrajectoryState(): TrajectoryState | null;
  onTrajectoryChange(listener: (state: TrajectoryState | null) => void): () => void;
  /** Cameras of the trajectory views (null: no trajectory shown). */
  getTrajectoryCameras(): Record<TrajectoryViewId, ViewCamera> | null;
  /**
   * Page (client) coordinates of an LPS point projected into a view; null
   * when the view is not on screen (the fake viewer always returns null).
   */
  lpsToClient(view: 'axial' | 'sagittal' | 'coronal' | TrajectoryViewId, pointLps: Readonly<Vec3>): { x: number; y: number } | null;
}
