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
  deltaLps: Vec3;
  phase: 'move' | 'end';
};

export type TrajectoryViewId = 'inlineA' | 'inlineB' | 'bullseye';

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
}
