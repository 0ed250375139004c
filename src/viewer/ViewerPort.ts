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
import type { CriticalStructures } from '../core/anatomy/structures';

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
export type PrimaryTool = 'crosshair' | 'windowLevel' | 'length' | 'angle' | LabelTool | 'structurePoint';

/**
 * Label-editing tools: 'lesionSeed' reports a click inside the lesion,
 * 'brush' and 'eraser' report sphere dabs along a drag (labelPick /
 * labelStroke changes). The viewer never writes labels itself: the caller
 * sends the points to the segmentation engine (the single writer).
 */
export type LabelTool = 'lesionSeed' | 'brush' | 'eraser';

/** Groups of label values drawn by the label overlay (core/shared/ids.ts LABELS). */
export type LabelGroup = 'bone' | 'lesion' | 'canal' | 'foramina' | 'roots' | 'joints';

export type LabelOverlayStyle = {
  /** Fill opacity of the label colours, 0..1 (bone is drawn at a fraction of it). */
  opacity: number;
  /** Which groups are drawn. */
  visible: Readonly<Record<LabelGroup, boolean>>;
};

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
  | { kind: 'rendered'; view: ViewId }
  /** 'lesionSeed' tool: the user clicked this point. */
  | { kind: 'labelPick'; view: MprViewId; pointLps: Vec3 }
  /** 'structurePoint' tool: the user clicked this point to place or move a critical structure (centre, root point). */
  | { kind: 'structurePick'; view: MprViewId; pointLps: Vec3 }
  /**
   * 'brush'/'eraser' tool: one sphere dab of a stroke. Dabs are spaced at most
   * half a radius apart along the drag; 'start' and 'end' bracket one stroke
   * ('end' carries the last pointer position, already sent as a dab).
   */
  | { kind: 'labelStroke'; view: MprViewId; phase: 'start' | 'dab' | 'end'; mode: 'add' | 'erase'; pointLps: Vec3; radiusMm: number }
  /**
   * A structure handle (showStructureHandles) grabbed and dragged in an MPR
   * view: 'start' on the press, 'move' along the drag, 'end' on release (or
   * 'cancel' on Escape / tool change). `pointLps` is the handle's new position:
   * where it was plus the pointer's movement in the view plane.
   */
  | { kind: 'structureDrag'; view: MprViewId; handleId: string; phase: 'start' | 'move' | 'end' | 'cancel'; pointLps: Vec3 };

/**
 * A draggable point of a critical-structure model drawn over the MPR views: a
 * foramen or joint centre, or one point of a root's or the canal's centreline.
 * Drawn where the view plane passes within `radiusMm` of it (a ring of the
 * model's cross-section there, and a grab dot).
 */
export type StructureHandle = { handleId: string; label: string; pointLps: Vec3; radiusMm: number };

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

  /**
   * Shows a label volume (on the grid of the shown volume) over the MPR views;
   * null removes it. Calling it again with the same volume only refreshes.
   * Shared memory (SharedArrayBuffer) is registered without a copy; an
   * ordinary buffer is copied into the viewer's own (a copy per refresh).
   */
  showLabels(labels: Volume<Uint8Array> | null, style?: Partial<LabelOverlayStyle>): void;
  /** The label voxels changed in place: redraw them (copies them again when not shared). */
  refreshLabels(): void;
  setLabelStyle(style: Partial<LabelOverlayStyle>): void;
  getLabelStyle(): LabelOverlayStyle;
  /** Draws the critical-structure models (rasterised on the shown grid) with the labels; null removes them. */
  showStructures(structures: CriticalStructures | null): void;
  /** Radius of the brush and eraser sphere, mm (the cursor circle follows it). */
  setBrushRadiusMm(radiusMm: number): void;
  /** Draggable handles of the structure being edited (structureDrag changes); null or [] removes them. */
  showStructureHandles(handles: readonly StructureHandle[] | null): void;

  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (change: ViewerChange) => void): () => void;

  dispose(): void;
}
