/**
 * What the UI may ask of a viewer. The Cornerstone3D adapter
 * (createCornerstoneViewer) implements it; a fake (createFakeViewer) stands in
 * for UI tests. Nothing here names Cornerstone: when its viewports change,
 * only src/viewer changes.
 *
 * Frames: points are LPS millimetres; slice indices are 0-based along the
 * view's normal in the volume's own grid (see sliceIndex.ts).
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { Volume } from '../core/volume/Volume';
import type { PlanOverlayPort } from './PlanOverlayPort';

export type MprViewId = 'axial' | 'sagittal' | 'coronal';
export type ViewId = MprViewId | 'volume3d';
export const MPR_VIEWS: readonly MprViewId[] = ['axial', 'sagittal', 'coronal'];

/** Window width and centre in the volume's units (HU for CT, grey values for CBCT). */
export type WindowLevel = { widthHu: number; centerHu: number };

export type WindowPresetId = 'bone' | 'softTissue' | 'cbctAuto';

/**
 * What the primary (left) mouse button does in the MPR views. The middle
 * button always pans, the right button zooms and the wheel scrolls slices.
 */
export type PrimaryTool = 'crosshair' | 'windowLevel' | 'length' | 'angle';

/** Texts drawn over the views (patient / series overlay). Plain data. */
export type SeriesDisplayInfo = {
  seriesUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  seriesDescription: string;
  modality: string;
  /** e.g. "512 x 512 x 200, 0.70 x 0.70 x 1.00 mm". */
  gridText: string;
};

export type SliceState = { index: number; count: number };

/** Orientation letters on the four edges of a view, e.g. { left: 'R', right: 'L', top: 'A', bottom: 'P' }. */
export type EdgeLabels = { left: string; right: string; top: string; bottom: string };

export type ViewState = {
  slice: SliceState;
  labels: EdgeLabels;
};

/** A change the viewer reports (user interaction or programmatic). */
export type ViewerChange =
  | { kind: 'slice'; view: MprViewId; slice: SliceState }
  | { kind: 'crosshair'; pointLps: Vec3 }
  | { kind: 'window'; window: WindowLevel }
  | { kind: 'measurement'; tool: 'length' | 'angle'; text: string }
  | { kind: 'rendered'; view: ViewId };

export type ViewerElements = Readonly<Record<ViewId, HTMLDivElement>>;

export interface ViewerPort {
  /**
   * Shows a volume in all views and releases the previous one (GPU textures,
   * cache entries, annotations). The voxels are registered without a copy:
   * the caller must not replace `volume.voxels` while it is shown.
   * Resolves when the MPR views have been rendered once.
   */
  showVolume(volume: Volume, info: SeriesDisplayInfo): Promise<void>;
  /** Releases the shown volume (no-op when none). */
  clearVolume(): void;
  /** Id of the volume shown, or null. */
  getVolumeId(): string | null;

  setWindow(window: WindowLevel): void;
  getWindow(): WindowLevel | null;
  /** Applies a preset; `cbctAuto` is computed from the shown volume's histogram. */
  applyWindowPreset(preset: WindowPresetId): WindowLevel;

  setPrimaryTool(tool: PrimaryTool): void;

  getViewState(view: MprViewId): ViewState | null;
  /** Moves the view to a slice (clamped to the grid). */
  setSliceIndex(view: MprViewId, index: number): void;
  scrollSlices(view: MprViewId, delta: number): void;

  /** Moves the crosshair to a point; every other view goes to the slice that contains it. */
  setCrosshairLps(pointLps: Readonly<Vec3>): void;
  getCrosshairLps(): Vec3 | null;

  /** Screws over the MPR views, their handles, and the trajectory reformats (PlanOverlayPort.ts). */
  readonly plan: PlanOverlayPort;

  /** Back to the whole volume, centred, at the initial zoom. */
  resetViews(): void;
  /** Call after the layout changed size. */
  resize(): void;

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (change: ViewerChange) => void): () => void;

  dispose(): void;
}
