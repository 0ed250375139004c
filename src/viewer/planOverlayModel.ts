/**
 * The state behind PlanOverlayPort, shared by the Cornerstone viewer and the
 * fake: the screws drawn, the selection, the trajectory screw and the
 * bull's-eye depth, and the listeners. No DOM, no Cornerstone: the drawing
 * sides read it and call `changed` hooks.
 */
import type { ScrewDragEvent, ScrewOverlay, TrajectoryState, TrajectoryViewId } from './PlanOverlayPort';
import { computeTrajectoryGeometry, type TrajectoryGeometry } from './trajectoryFrames';

export type PlanOverlayModel = {
  screws(): readonly ScrewOverlay[];
  selectedId(): string | null;
  screw(id: string | null): ScrewOverlay | null;
  setScrews(screws: readonly ScrewOverlay[], selectedId: string | null): void;
  /** The screw the trajectory views follow (null: none), and its geometry for element aspects. */
  trajectoryId(): string | null;
  setTrajectory(screwId: string | null): void;
  setBullseyeDepthMm(depthMm: number): void;
  trajectoryGeometry(aspect?: Readonly<Record<TrajectoryViewId, number>>): TrajectoryGeometry | null;
  trajectoryState(): TrajectoryState | null;
  onSelect(listener: (screwId: string | null) => void): () => void;
  onDrag(listener: (event: ScrewDragEvent) => void): () => void;
  onTrajectoryChange(listener: (state: TrajectoryState | null) => void): () => void;
  emitSelect(screwId: string | null): void;
  emitDrag(event: ScrewDragEvent): void;
  clear(): void;
};

export function createPlanOverlayModel(): PlanOverlayModel {
  let screws: ScrewOverlay[] = [];
  let selected: string | null = null;
  let trajectory: string | null = null;
  /** null: the bone entry (the default for each newly shown screw). */
  let depthMm: number | null = null;
  const selectListeners = new Set<(id: string | null) => void>();
  const dragListeners = new Set<(e: ScrewDragEvent) => void>();
  const trajectoryListeners = new Set<(s: TrajectoryState | null) => void>();
  let lastStateKey = '';

  const screw = (id: string | null): ScrewOverlay | null => (id === null ? null : screws.find((s) => s.id === id) ?? null);
  const geometry = (aspect?: Readonly<Record<TrajectoryViewId, number>>): TrajectoryGeometry | null => {
    const s = screw(trajectory);
    return s ? computeTrajectoryGeometry(s, depthMm, aspect) : null;
  };
  const state = (): TrajectoryState | null => {
    const g = geometry();
    if (!g || trajectory === null) return null;
    return { screwId: trajectory, fromSkin: g.fromSkin, pathLengthMm: g.pathLengthMm, boneEntryDepthMm: g.boneEntryDepthMm, bullseyeDepthMm: g.bullseyeDepthMm };
  };
  /** Tells the listeners when what they show changed (not on every identical update while dragging another screw). */
  const notifyTrajectory = (): void => {
    const s = state();
    const key = s ? JSON.stringify(s) : 'null';
    if (key === lastStateKey) return;
    lastStateKey = key;
    for (const l of trajectoryListeners) l(s);
  };

  return {
    screws: () => screws,
    selectedId: () => selected,
    screw,
    setScrews(next, selectedId) {
      screws = next.map((s) => ({ ...s, entryLps: [...s.entryLps], tipLps: [...s.tipLps], skinEntryLps: s.skinEntryLps ? [...s.skinEntryLps] : null }));
      selected = selectedId;
      notifyTrajectory();
    },
    trajectoryId: () => trajectory,
    setTrajectory(id) {
      if (id !== trajectory) depthMm = null;
      trajectory = id;
      notifyTrajectory();
    },
    setBullseyeDepthMm(d) {
      if (!Number.isFinite(d)) return;
      depthMm = d;
      const g = geometry();
      // Kept clamped, so that a slider at the end does not store a depth beyond the tip.
      if (g) depthMm = g.bullseyeDepthMm;
      notifyTrajectory();
    },
    trajectoryGeometry: geometry,
    trajectoryState: state,
    onSelect(l) {
      selectListeners.add(l);
      return () => selectListeners.delete(l);
    },
    onDrag(l) {
      dragListeners.add(l);
      return () => dragListeners.delete(l);
    },
    onTrajectoryChange(l) {
      trajectoryListeners.add(l);
      return () => trajectoryListeners.delete(l);
    },
    emitSelect(id) {
      for (const l of [...selectListeners]) l(id);
    },
    emitDrag(e) {
      for (const l of [...dragListeners]) l(e);
    },
    clear() {
      selectListeners.clear();
      dragListeners.clear();
      trajectoryListeners.clear();
    },
  };
}
