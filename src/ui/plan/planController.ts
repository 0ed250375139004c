/**
 * Live editing: the wiring between the plan store, the viewer's plan overlay
 * (viewer.plan) and the planning session's live checks.
 *
 * - store -> overlay: every state change redraws the screws (ScrewOverlay
 *   with the store's status) and points the trajectory views at the selection.
 * - overlay drags -> store: a drag is one undo step (coalesceKey `drag:<n>`).
 *   'entry' / 'tip' move that end; the other end stays; the length follows
 *   the pointer during the drag (the list shows it with the nearest catalog
 *   length), and when the drag ends the dragged end slides along the axis to
 *   that nearest catalog length, so the plan always holds a screw that
 *   exists. 'body' moves the screw as it was when the drag began by the
 *   drag's displacement (PlanOverlayPort: deltaLps is since pointer down).
 *   The skin entry is recomputed from the CT when the drag ends.
 * - checks: never awaited in the pointer path. One check is in flight at a
 *   time; each is tagged with a signature of what it checked (the screw, the
 *   other screws, the settings, the fields generation, the structures without
 *   a model and why: not found / marked absent) and its result is
 *   stored only if that signature is still current, else dropped and the
 *   current state is checked next. While a screw is dragged only that screw
 *   is checked; the others (screw spacing) are re-checked when it ends.
 * - keyboard: Ctrl/Cmd+Z undo; Ctrl/Cmd+Shift+Z and Ctrl+Y redo; Delete
 *   removes the selected screw; Alt+arrows move the selected screw 1 mm in
 *   the axial plane (Alt+PageUp/PageDown: 1 mm cranial/caudal), keeping its
 *   direction; Alt+Shift+Left/Right turn it 1 degree about the entry in the
 *   axial plane, Alt+Shift+Up/Down tilt it 1 degree craniocaudally. Plain
 *   arrows stay with slice scrolling (main.ts). Nothing fires while focus is
 *   in a text field.
 */
import type { Vec3 } from '../../core/geometry/vec3';
import type { Screw, StructuresWithoutModel } from '../../core/planning/types';
import { structuresWithoutModelOfPlan } from '../../core/report/fromPlanner';
import type { PlanContent, PlanScrew } from '../../core/report/planSchema';
import { errorCodeOf } from '../../core/shared/errors';
import type { PlanOverlayPort, ScrewDragEvent, ScrewOverlay } from '../../viewer/PlanOverlayPort';
import type { PlanningSession } from '../session/PlanningSession';
import type { PlanStore } from './PlanStore';
import { editLabel, moveScrewEnd, removeScrew, rotateScrewAboutEntry, setScrewAxis, setSkinEntry, snapLengthToCatalog, translateScrew } from './planEdits';
import { screwLabel } from './screwLabels';

export type CheckNote = { screwId: string; message: string } | null;

/**
 * One live check (performance.now() times): `appliedAt` is when its result was in the store, so
 * the list and the overlay showed it (both redraw synchronously on the store's change); null when
 * the result was dropped as stale (the screw had moved on).
 */
export type CheckRecord = { screwId: string; entryLps: Vec3; tipLps: Vec3; requestedAt: number; answeredAt: number; appliedAt: number | null };

export type PlanControllerDeps = {
  store: PlanStore;
  overlay: PlanOverlayPort;
  /** The session of the series on screen (null before one opens). */
  getSession(): PlanningSession | null;
  /** Skin entry of an axis from the CT on screen (null when no CT, or not found). */
  computeSkinEntry?(entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>): Vec3 | null;
  /** Shows or hides the trajectory strip (the layout changes size). */
  showTrajectoryStrip(visible: boolean): void;
  /** Receives keydown (window); null: no keyboard shortcuts. */
  keyTarget?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null;
};

export type PlanController = {
  /** A check could not run (session not ready, worker error): the list shows it. */
  getCheckNote(): CheckNote;
  onCheckNote(listener: (note: CheckNote) => void): () => void;
  /** The screw being dragged (null when none). */
  draggingScrewId(): string | null;
  /**
   * Told when a drag starts (the screw's id) and when it has ended (null), after the drag's last
   * edit is in the store: views that only follow at rest (3D) update then (see ui/plan/README).
   */
  onDragChange(listener: (screwId: string | null) => void): () => void;
  /** Re-checks every screw (after the fields changed). */
  recheckAll(): void;
  /**
   * Round trips of the last live checks (request to result, ms; at most 500 kept), for figures;
   * `recent`: the same checks one by one (what was checked, when it was requested, answered and
   * shown), for the live-check benchmark (bench/browser/liveCheck.bench.ts).
   */
  checkTimings(): { count: number; meanMs: number; maxMs: number; stale: number; recent: CheckRecord[] };
  dispose(): void;
};

export function toPlannerScrew(s: PlanScrew): Screw {
  return {
    id: s.id, corridorId: s.corridorId, side: s.side, entryLps: [...s.entryLps] as Vec3, tipLps: [...s.tipLps] as Vec3,
    diameterMm: s.diameterMm, lengthMm: s.lengthMm, catalogId: s.catalogId,
  };
}

export function toOverlays(store: PlanStore): ScrewOverlay[] {
  const plan = store.get().plan;
  if (!plan) return [];
  return plan.screws.map((s) => ({
    id: s.id,
    label: screwLabel(s, plan.screws),
    entryLps: [...s.entryLps] as Vec3,
    tipLps: [...s.tipLps] as Vec3,
    diameterMm: s.diameterMm,
    status: store.shownStatusOf?.(s.id) ?? store.statusOf(s.id),
    skinEntryLps: s.skinEntryLps ? ([...s.skinEntryLps] as Vec3) : null,
  }));
}

const geometryKey = (s: PlanScrew): string => `${s.id}:${s.entryLps.join(',')}:${s.tipLps.join(',')}:${s.diameterMm}:${s.lengthMm}`;

export function createPlanController(deps: PlanControllerDeps): PlanController {
  const { store, overlay } = deps;
  let dragCount = 0;
  let drag: { screwId: string; handle: ScrewDragEvent['handle']; key: string; start: PlanScrew } | null = null;
  let inFlight: { screwId: string; signature: string } | null = null;
  /** Signature of the evaluation the store holds, per screw. */
  const checkedSignature = new Map<string, string>();
  let note: CheckNote = null;
  const noteListeners = new Set<(n: CheckNote) => void>();
  const dragListeners = new Set<(screwId: string | null) => void>();
  const emitDrag = (id: string | null): void => {
    for (const l of [...dragListeners]) l(id);
  };
  let disposed = false;
  let fieldsGeneration = -1;
  let labelsGeneration = -1;
  const timings: number[] = [];
  const records: CheckRecord[] = [];
  let staleResults = 0;

  const setNote = (n: CheckNote): void => {
    if (n?.message === note?.message && n?.screwId === note?.screwId) return;
    note = n;
    for (const l of [...noteListeners]) l(n);
  };

  /** The plan's structures without a model (not found / marked absent), for the structuresModelled rule; cached per structures + review. */
  let withoutModelFor: { structures: unknown; review: unknown; value: StructuresWithoutModel; key: string } | null = null;
  const withoutModelOf = (plan: PlanContent): { value: StructuresWithoutModel; key: string } => {
    if (!withoutModelFor || withoutModelFor.structures !== plan.structures || withoutModelFor.review !== plan.structureReview) {
      const value = structuresWithoutModelOfPlan(plan);
      withoutModelFor = { structures: plan.structures, review: plan.structureReview, value, key: JSON.stringify(value) };
    }
    return withoutModelFor;
  };

  const signatureOf = (plan: PlanContent, s: PlanScrew): string =>
    [fieldsGeneration, geometryKey(s), ...plan.screws.filter((o) => o.id !== s.id).map(geometryKey), JSON.stringify(plan.settings), withoutModelOf(plan).key].join('|');

  // ---- live checks ------------------------------------------------------------------
  const pump = (): void => {
    if (disposed || inFlight) return;
    const session = deps.getSession();
    const plan = store.get().plan;
    if (!plan || plan.screws.length === 0) return;
    const status = session?.getStatus();
    if (!session || status?.phase !== 'ready') {
      const pending = plan.screws.find((s) => !store.get().evaluations[s.id]);
      setNote(pending ? { screwId: pending.id, message: status?.phase === 'error' ? `Checks cannot run: ${status.error?.message ?? 'segmentation failed'}` : 'Checks run once the segmentation and fields are ready.' } : null);
      return;
    }
    // The dragged screw first; then (not during a drag) the rest.
    const order = drag ? plan.screws.filter((s) => s.id === drag!.screwId) : plan.screws;
    for (const s of order) {
      const signature = signatureOf(plan, s);
      if (store.get().evaluations[s.id] && checkedSignature.get(s.id) === signature) continue;
      send(session, plan, s, signature);
      return;
    }
    setNote(null);
  };

  const send = (session: PlanningSession, plan: PlanContent, s: PlanScrew, signature: string): void => {
    inFlight = { screwId: s.id, signature };
    const t0 = performance.now();
    const request = {
      screw: toPlannerScrew(s), others: plan.screws.filter((o) => o.id !== s.id).map(toPlannerScrew), settings: { ...plan.settings },
      structuresWithoutModel: { ...withoutModelOf(plan).value },
    };
    session.checkScrew(request).then(
      (evaluation) => {
        inFlight = null;
        if (disposed) return;
        const answeredAt = performance.now();
        timings.push(answeredAt - t0);
        if (timings.length > 500) timings.shift();
        const record: CheckRecord = { screwId: s.id, entryLps: [...s.entryLps] as Vec3, tipLps: [...s.tipLps] as Vec3, requestedAt: t0, answeredAt, appliedAt: null };
        records.push(record);
        if (records.length > 500) records.shift();
        const now = store.get().plan;
        const current = now?.screws.find((x) => x.id === s.id);
        // Stale: the screw (or its neighbours, or the settings) changed since the request.
        if (current && now && signatureOf(now, current) === signature) {
          checkedSignature.set(s.id, signature);
          store.setEvaluation(s.id, evaluation);
          record.appliedAt = performance.now();
        } else staleResults++;
        pump();
      },
      (error: unknown) => {
        inFlight = null;
        if (disposed) return;
        if (errorCodeOf(error) === 'worker/stale' || errorCodeOf(error) === 'worker/cancelled') {
          pump();
          return;
        }
        // Leave it pending and say why; the next change tries again.
        setNote({ screwId: s.id, message: `Check of ${screwLabel(s, plan.screws)} did not run: ${error instanceof Error ? error.message : String(error)}` });
      },
    );
  };

  // ---- store -> overlay -------------------------------------------------------------------
  let drawnKey = '';
  let trajectoryId: string | null = null;
  const redraw = (): void => {
    const s = store.get();
    const overlays = toOverlays(store);
    const key = JSON.stringify([overlays, s.selectedScrewId]);
    if (key !== drawnKey) {
      drawnKey = key;
      overlay.setScrews(overlays, s.selectedScrewId);
    }
    if (s.selectedScrewId !== trajectoryId) {
      const wasShown = trajectoryId !== null;
      trajectoryId = s.selectedScrewId;
      if (trajectoryId !== null && !wasShown) deps.showTrajectoryStrip(true);
      overlay.setTrajectory(trajectoryId);
      if (trajectoryId === null) deps.showTrajectoryStrip(false);
    }
  };
  const unsubscribeStore = store.subscribe(() => {
    redraw();
    pump();
  });

  // ---- overlay -> store -------------------------------------------------------------------
  const unsubscribeSelect = overlay.onSelect((id) => store.select(id));
  const unsubscribeDrag = overlay.onDrag((e) => {
    if (!store.get().plan) return;
    if (!drag || drag.screwId !== e.screwId || drag.handle !== e.handle) {
      const start = store.screw(e.screwId);
      if (!start) return;
      const changed = drag?.screwId !== e.screwId;
      drag = { screwId: e.screwId, handle: e.handle, key: `drag:${++dragCount}`, start };
      store.select(e.screwId);
      if (changed) emitDrag(e.screwId);
    }
    const { key, start, handle } = drag;
    const what = handle === 'body' ? 'Move' : `Move ${handle === 'entry' ? 'entry of' : 'tip of'}`;
    const label = editLabel(store.get().plan, e.screwId, what);
    if (handle === 'body') {
      const d = e.deltaLps;
      store.apply(setScrewAxis(e.screwId, [start.entryLps[0] + d[0], start.entryLps[1] + d[1], start.entryLps[2] + d[2]], [start.tipLps[0] + d[0], start.tipLps[1] + d[1], start.tipLps[2] + d[2]], label), { coalesceKey: key });
    } else {
      store.apply(moveScrewEnd(e.screwId, handle, e.pointLps, label), { coalesceKey: key });
    }
    if (e.phase === 'end') {
      if (handle !== 'body') store.apply(snapLengthToCatalog(e.screwId, handle, label), { coalesceKey: key });
      updateSkinEntry(e.screwId, key);
      drag = null;
      emitDrag(null);
      pump();
    }
  });

  const updateSkinEntry = (screwId: string, coalesceKey: string): void => {
    const s = store.screw(screwId);
    if (!s || !deps.computeSkinEntry) return;
    const skin = deps.computeSkinEntry(s.entryLps, s.tipLps);
    store.apply(setSkinEntry(screwId, skin), { coalesceKey });
  };

  // ---- keyboard ---------------------------------------------------------------------------
  let nudgeCount = 0;
  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)) return;
    const ctrl = e.ctrlKey || e.metaKey;
    const k = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (ctrl && !e.altKey && k === 'z') {
      e.preventDefault();
      if (e.shiftKey) store.redo();
      else store.undo();
      return;
    }
    if (ctrl && !e.altKey && !e.shiftKey && k === 'y') {
      e.preventDefault();
      store.redo();
      return;
    }
    const id = store.get().selectedScrewId;
    if (!id || !store.get().plan) return;
    if (k === 'Delete' && !ctrl && !e.altKey) {
      e.preventDefault();
      store.apply(removeScrew(id, editLabel(store.get().plan, id, 'Delete')));
      return;
    }
    if (!e.altKey || ctrl) return;
    if (!e.repeat) nudgeCount++;
    const coalesceKey = `nudge:${nudgeCount}`;
    const s = store.screw(id)!;
    if (!e.shiftKey) {
      // LPS: patient left = +x (screen right in the axial view), posterior = +y (screen down), superior = +z.
      const delta: Record<string, Vec3> = { ArrowLeft: [-1, 0, 0], ArrowRight: [1, 0, 0], ArrowUp: [0, -1, 0], ArrowDown: [0, 1, 0], PageUp: [0, 0, 1], PageDown: [0, 0, -1] };
      const d = delta[k];
      if (!d) return;
      e.preventDefault();
      store.apply(translateScrew(id, d, editLabel(store.get().plan, id, 'Nudge')), { coalesceKey });
    } else {
      const dir: Vec3 = [s.tipLps[0] - s.entryLps[0], s.tipLps[1] - s.entryLps[1], s.tipLps[2] - s.entryLps[2]];
      let tiltAxis: Vec3 = [dir[1], -dir[0], 0]; // dir x +z: turning about it moves the tip towards +z
      if (Math.hypot(tiltAxis[0], tiltAxis[1]) < 1e-6) tiltAxis = [1, 0, 0];
      const turn: Record<string, [Vec3, number]> = { ArrowLeft: [[0, 0, 1], -1], ArrowRight: [[0, 0, 1], 1], ArrowUp: [tiltAxis, 1], ArrowDown: [tiltAxis, -1] };
      const r = turn[k];
      if (!r) return;
      e.preventDefault();
      store.apply(rotateScrewAboutEntry(id, r[0], r[1], editLabel(store.get().plan, id, 'Turn')), { coalesceKey });
    }
    updateSkinEntry(id, coalesceKey);
  };
  deps.keyTarget?.addEventListener('keydown', onKey as EventListener);

  // ---- session: fields rebuilt -> every evaluation is stale ---------------------------------
  let unsubscribeSession: (() => void) | null = null;
  let watchedSession: PlanningSession | null = null;
  const watchSession = (): void => {
    const session = deps.getSession();
    if (session === watchedSession) return;
    unsubscribeSession?.();
    watchedSession = session;
    labelsGeneration = session?.getStatus().labelsGeneration ?? -1;
    unsubscribeSession = session?.subscribe((st) => {
      // The lesion or the structures changed: the checks ran on fields that are going away.
      if (st.labelsGeneration !== labelsGeneration) {
        const first = labelsGeneration < 0;
        labelsGeneration = st.labelsGeneration;
        if (!first) for (const s of store.get().plan?.screws ?? []) store.setEvaluation(s.id, null);
      }
      if (st.phase === 'ready' && st.fieldsGeneration !== fieldsGeneration) {
        fieldsGeneration = st.fieldsGeneration;
        for (const s of store.get().plan?.screws ?? []) store.setEvaluation(s.id, null);
      }
      pump();
    }) ?? null;
  };
  watchSession();
  const sessionPoll = store.subscribe(() => watchSession());

  redraw();
  pump();

  return {
    getCheckNote: () => note,
    onCheckNote(listener) {
      noteListeners.add(listener);
      return () => noteListeners.delete(listener);
    },
    draggingScrewId: () => drag?.screwId ?? null,
    onDragChange(listener) {
      dragListeners.add(listener);
      return () => dragListeners.delete(listener);
    },
    checkTimings: () => ({
      count: timings.length,
      meanMs: timings.length ? timings.reduce((a, b) => a + b, 0) / timings.length : 0,
      maxMs: timings.length ? Math.max(...timings) : 0,
      stale: staleResults,
      recent: records.map((r) => ({ ...r, entryLps: [...r.entryLps] as Vec3, tipLps: [...r.tipLps] as Vec3 })),
    }),
    recheckAll() {
      watchSession();
      checkedSignature.clear();
      pump();
    },
    dispose() {
      disposed = true;
      unsubscribeStore();
      sessionPoll();
      unsubscribeSelect();
      unsubscribeDrag();
      unsubscribeSession?.();
      deps.keyTarget?.removeEventListener('keydown', onKey as EventListener);
      noteListeners.clear();
      dragListeners.clear();
    },
  };
}
