/**
 * An in-memory ViewerPort with no rendering, for UI tests in node. It keeps
 * the same slice and crosshair bookkeeping as the Cornerstone adapter
 * (sliceIndex.ts, viewOrientation.ts), so tests of the UI flow exercise the
 * same numbers the real viewer reports.
 */
import type { Vec3 } from '../core/geometry/vec3';
import { ijkToLps, lpsToIjk } from '../core/volume/VolumeGeometry';
import type { Volume } from '../core/volume/Volume';
import { sliceAt, sliceAxisFor, volumeCenterLps } from './sliceIndex';
import { edgeLabels, VIEW_ORIENTATIONS } from './viewOrientation';
import { CT_WINDOWS, windowForPreset } from './windowPresets';
import { DEFAULT_LABEL_STYLE, mergeLabelStyle } from './labelColors';
import type { CriticalStructures } from '../core/anatomy/structures';
import { isSameGrid } from '../core/volume/VolumeGeometry';
import { createFakePlanOverlay, type FakePlanOverlay } from './fakePlanOverlay';
import { MPR_VIEWS, type MprViewId, type PrimaryTool, type SeriesDisplayInfo, type StructureHandle, type ViewerChange, type ViewerPort, type WindowLevel } from './ViewerPort';

export type FakeViewer = ViewerPort & {
  /** Volumes shown so far, in order (ids), and how many are currently held. */
  readonly shownIds: string[];
  heldCount(): number;
  primaryTool(): PrimaryTool;
  info(): SeriesDisplayInfo | null;
  /** Label overlay bookkeeping: the volume shown, how often it was refreshed, the structures, the brush radius. */
  labels(): { volume: Volume<Uint8Array> | null; refreshes: number; structures: CriticalStructures | null; brushRadiusMm: number };
  /** Structure handles shown (showStructureHandles). */
  structureHandles(): StructureHandle[];
  /** Emits a change as the real viewer would on user input (label tool clicks and strokes in UI tests). */
  emitInput(change: ViewerChange): void;
  readonly plan: FakePlanOverlay;
};

export function createFakeViewer(): FakeViewer {
  const listeners = new Set<(c: ViewerChange) => void>();
  const emit = (c: ViewerChange): void => listeners.forEach((l) => l(c));
  let volume: Volume | null = null;
  let info: SeriesDisplayInfo | null = null;
  let crosshair: Vec3 | null = null;
  let window: WindowLevel | null = null;
  let tool: PrimaryTool = 'crosshair';
  let seq = 0;
  let disposed = false;
  const shownIds: string[] = [];
  let labelVolume: Volume<Uint8Array> | null = null;
  let labelRefreshes = 0;
  let labelStyle = DEFAULT_LABEL_STYLE;
  let structuresShown: CriticalStructures | null = null;
  let brushRadiusMm = 5;
  let structureHandles: StructureHandle[] = [];
  const plan = createFakePlanOverlay();

  const slice = (view: MprViewId) => (volume && crosshair ? sliceAt(volume.geometry, VIEW_ORIENTATIONS[view].viewPlaneNormal, crosshair) : null);

  const fake: FakeViewer = {
    shownIds,
    heldCount: () => (volume ? 1 : 0),
    primaryTool: () => tool,
    info: () => info,
    labels: () => ({ volume: labelVolume, refreshes: labelRefreshes, structures: structuresShown, brushRadiusMm }),
    emitInput: (change) => emit(change),
    showLabels(l, style) {
      labelStyle = mergeLabelStyle(labelStyle, style);
      if (l && (!volume || !isSameGrid(volume.geometry, l.geometry))) throw new Error('labels are not on the grid of the volume shown');
      if (l && l === labelVolume) labelRefreshes++;
      labelVolume = l;
    },
    refreshLabels() {
      if (labelVolume) labelRefreshes++;
    },
    setLabelStyle(style) {
      labelStyle = mergeLabelStyle(labelStyle, style);
    },
    getLabelStyle: () => ({ opacity: labelStyle.opacity, visible: { ...labelStyle.visible } }),
    showStructures(st) {
      structuresShown = volume ? st : null;
    },
    setBrushRadiusMm(r) {
      brushRadiusMm = r;
    },
    showStructureHandles(h) {
      structureHandles = volume && h ? h.map((x) => ({ ...x, pointLps: [...x.pointLps] as Vec3 })) : [];
    },
    structureHandles: () => structureHandles,
    plan,
    async showVolume(v, i) {
      if (disposed) throw new Error('viewer disposed');
      volume = v;
      info = i;
      shownIds.push(`fake-${v.id}-${++seq}`);
      window = v.kind === 'cbct' ? windowForPreset('cbctAuto', v.voxels) : CT_WINDOWS.bone;
      fake.setCrosshairLps(volumeCenterLps(v.geometry));
      emit({ kind: 'window', window });
    },
    clearVolume() {
      labelVolume = null;
      structuresShown = null;
      structureHandles = [];
      volume = null;
      info = null;
      crosshair = null;
    },
    getVolumeId: () => (volume ? shownIds[shownIds.length - 1]! : null),
    setWindow(w) {
      window = { ...w };
      emit({ kind: 'window', window });
    },
    getWindow: () => (window ? { ...window } : null),
    applyWindowPreset(p) {
      const w = windowForPreset(p, volume?.voxels ?? null);
      fake.setWindow(w);
      return w;
    },
    setPrimaryTool(t) {
      tool = t;
    },
    getViewState(view) {
      const s = slice(view);
      if (!s) return null;
      const o = VIEW_ORIENTATIONS[view];
      return { slice: s, labels: edgeLabels(o.viewUp, o.viewPlaneNormal) };
    },
    setSliceIndex(view, index) {
      if (!volume || !crosshair) return;
      const axis = sliceAxisFor(volume.geometry, VIEW_ORIENTATIONS[view].viewPlaneNormal);
      const ijk = lpsToIjk([0, 0, 0], volume.geometry, crosshair);
      ijk[axis] = Math.min(volume.geometry.dims[axis] - 1, Math.max(0, Math.round(index)));
      fake.setCrosshairLps(ijkToLps([0, 0, 0], volume.geometry, ijk));
    },
    scrollSlices(view, delta) {
      const s = slice(view);
      if (s) fake.setSliceIndex(view, s.index + delta);
    },
    setCrosshairLps(p) {
      if (!volume) return;
      const before = MPR_VIEWS.map((v) => slice(v)?.index);
      crosshair = [p[0], p[1], p[2]];
      emit({ kind: 'crosshair', pointLps: [...crosshair] as Vec3 });
      MPR_VIEWS.forEach((v, n) => {
        const s = slice(v)!;
        if (s.index !== before[n]) emit({ kind: 'slice', view: v, slice: s });
      });
    },
    getCrosshairLps: () => (crosshair ? ([...crosshair] as Vec3) : null),
    resetViews() {},
    resize() {},
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    dispose() {
      disposed = true;
      volume = null;
      plan.dispose();
      listeners.clear();
    },
  };
  return fake;
}
