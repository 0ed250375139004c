/**
 * The plan feature as the composition root mounts it: the plan store, its
 * autosave, the plan and screw-list panels, and the live-editing controller,
 * wired to the viewer's plan overlay and the planning session.
 *
 * When a series opens: the previous series' last change is flushed, then the
 * autosaved plan of the new series is read and validated; the store gets it
 * (notice "Restored the plan saved at hh:mm") or a new empty plan, and only
 * then does autosave start writing for that series.
 *
 * State mirrored onto the root element (tests wait on these):
 * - data-plan-revision: the store's revision ('' before a plan)
 * - data-screw-count, data-selected-screw
 * - data-autosave: off | idle | pending | saving | saved | error;
 *   data-autosave-revision: the revision of the last completed write
 * - data-plan-restore: none | restored | setAside | unavailable (of the last opened series)
 */
import { testHooks } from '../dev/testHooks';
import type { Vec3 } from '../../core/geometry/vec3';
import { computeSkinEntry, defaultAirThreshold } from '../../core/report/computeSkinEntry';
import { defaultCatalog } from '../../core/planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS } from '../../core/planning/types';
import type { PlanContent } from '../../core/report/planSchema';
import type { Volume } from '../../core/volume/Volume';
import type { VoxelArray } from '../../core/volume/voxelBuffer';
import type { ViewerPort } from '../../viewer/ViewerPort';
import type { AppEvents } from '../appEvents';
import type { Shell } from '../createShell';
import type { PlanningSession } from '../session/PlanningSession';
import { createPlanPanel } from '../panels/planPanel';
import { createScrewListPanel } from '../panels/screwListPanel';
import { createPlanStore } from './createPlanStore';
import { createPlanAutosave, formatSavedTime, type RestoreOutcome } from './planAutosave';
import { createPlanController, type PlanController } from './planController';
import { emptyPlanContent } from './planEdits';
import { createIndexedDbPlanRecords, createMemoryPlanRecords, type PlanRecordStore } from './planRecords';
import type { PlanStore } from './PlanStore';

export type PlanFeatureDeps = {
  root: HTMLElement;
  shell: Shell;
  viewer: ViewerPort;
  session: PlanningSession;
  events: AppEvents;
  /** Replaces IndexedDB (tests). */
  records?: PlanRecordStore;
};

export type PlanFeature = {
  store: PlanStore;
  /** Screw drags in progress (views that follow only at rest: the 3D scene). */
  drag: Pick<PlanController, 'draggingScrewId' | 'onDragChange'>;
  dispose(): void;
};

export function createPlanFeature(deps: PlanFeatureDeps): PlanFeature {
  const { root, shell, viewer, session, events } = deps;
  const store = createPlanStore();
  const records = deps.records ?? (typeof indexedDB !== 'undefined' ? createIndexedDbPlanRecords() : createMemoryPlanRecords());
  // Writes wait while a screw is dragged (issue #6; planAutosave.ts): the controller is made below.
  let controllerRef: PlanController | null = null;
  const autosave = createPlanAutosave({ store, records, windowTarget: window, documentTarget: document, busy: () => controllerRef?.draggingScrewId() != null });

  let volume: Volume<VoxelArray> | null = null;
  let airThreshold: number | null = null;
  const skinEntry = (entryLps: Readonly<Vec3>, tipLps: Readonly<Vec3>): Vec3 | null => {
    if (!volume) return null;
    airThreshold ??= defaultAirThreshold(volume);
    try {
      const r = computeSkinEntry(volume, entryLps, tipLps, { airThreshold });
      // Only a real skin crossing; the report says when the path leaves the image first.
      return r.found ? r.skinEntryLps : null;
    } catch {
      return null;
    }
  };

  const planPanel = createPlanPanel(shell.sidePanel, { store, getSession: () => session, computeSkinEntry: skinEntry });
  const controller = createPlanController({
    store,
    overlay: viewer.plan,
    getSession: () => session,
    computeSkinEntry: skinEntry,
    showTrajectoryStrip: (visible) => {
      shell.trajectoryStrip.hidden = !visible;
      viewer.resize();
    },
    keyTarget: window,
  });
  controllerRef = controller;
  const screwList = createScrewListPanel(shell.sidePanel, {
    store,
    storage: globalThis.sessionStorage ?? null,
    getCheckNote: () => controller.getCheckNote(),
    onCheckNote: (l) => controller.onCheckNote(l),
  });

  // ---- state -> root data-* ------------------------------------------------------------------
  const reflect = (): void => {
    const s = store.get();
    const a = autosave.getStatus();
    const d = root.dataset;
    d['planRevision'] = s.plan ? String(s.revision) : '';
    d['screwCount'] = String(s.plan?.screws.length ?? 0);
    d['selectedScrew'] = s.selectedScrewId ?? '';
    d['autosave'] = a.state;
    d['autosaveRevision'] = a.savedRevision === null ? '' : String(a.savedRevision);
  };
  const unsubscribeStore = store.subscribe(reflect);
  const unsubscribeAutosave = autosave.subscribe((a) => {
    reflect();
    if (a.state === 'error' && a.error) planPanel.setNotice({ tone: 'error', text: `${a.error}. The plan is still open; export it to keep it.` });
  });
  reflect();

  // ---- series opened -> restore or start a plan ------------------------------------------------
  let opening = 0;
  const unsubscribeVolume = events.on('volumeReady', ({ volume: v, seriesUid, series }) => {
    const mine = ++opening;
    void (async () => {
      // The previous series' last change first; then nothing more is written for it.
      await autosave.flush().catch(() => undefined);
      autosave.attach(null);
      if (mine !== opening) return;
      volume = v;
      airThreshold = null;
      const g = v.geometry;
      const planSeries: PlanContent['series'] = {
        // The synthetic development source has no DICOM identity: the series UID stands in.
        studyInstanceUid: series?.studyInstanceUid || `unknown-study-of-${seriesUid}`,
        seriesInstanceUid: seriesUid,
        frameOfReferenceUid: series?.frameOfReferenceUid ?? null,
        description: series?.description ?? null,
        geometry: {
          dims: [g.dims[0], g.dims[1], g.dims[2]],
          spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
          originLps: [g.originLps[0], g.originLps[1], g.originLps[2]],
          direction: Array.from(g.direction),
        },
      };
      const outcome: RestoreOutcome = await autosave.restore(seriesUid, { dims: planSeries.geometry.dims, spacingMm: planSeries.geometry.spacingMm });
      if (mine !== opening) return;
      root.dataset['planRestore'] = outcome.kind;
      const fresh = emptyPlanContent(planSeries, defaultCatalog(), { ...DEFAULT_PLAN_SETTINGS });
      switch (outcome.kind) {
        case 'restored': {
          store.reset(outcome.plan);
          const n = outcome.plan.screws.length;
          planPanel.setNotice({ tone: 'info', text: `Restored the plan saved at ${formatSavedTime(outcome.savedAtIso)} (${n} screw${n === 1 ? '' : 's'}).` });
          autosave.attach(seriesUid, { revision: store.get().revision, savedAtIso: outcome.savedAtIso });
          break;
        }
        case 'none':
          store.reset(fresh);
          planPanel.setNotice(null);
          autosave.attach(seriesUid);
          break;
        case 'setAside':
          store.reset(fresh);
          planPanel.setNotice({
            tone: outcome.keptAside ? 'warning' : 'error',
            text: `The plan saved for this series${outcome.savedAtIso ? ` at ${formatSavedTime(outcome.savedAtIso)}` : ''} could not be restored: ${outcome.reason}. ${outcome.keptAside ? 'It was kept aside (not deleted); a new plan was started.' : 'It was left in place and autosave is off for this series.'}`,
          });
          if (outcome.keptAside) autosave.attach(seriesUid);
          break;
        case 'unavailable':
          store.reset(fresh);
          planPanel.setNotice({ tone: 'error', text: `Autosave is off: the browser storage could not be read (${outcome.reason}). Export the plan to keep it.` });
          break;
      }
      planPanel.sessionChanged();
      controller.recheckAll();
    })();
  });

  const hook = testHooks();
  if (hook) {
    hook['plan'] = {
      /** The plan document and evaluations (read-only: the store is deep-frozen). */
      state: () => store.get(),
      statusOf: (id: string) => store.statusOf(id),
      /** Records kept aside for a series (corrupt autosaves). */
      listAside: (seriesUid: string) => records.listAside(seriesUid),
      /** Live-check round trips so far (figures for the README). */
      checkTimings: () => controller.checkTimings(),
      /** The screw a drag is moving now (null between drags): tests check that a press was taken. */
      draggingScrewId: () => controller.draggingScrewId(),
      /** Test and bench set-up when the planner proposes nothing: replaces the plan's screws (one undo step). */
      setScrews: (screws: PlanContent['screws']) => store.apply({ label: 'Test screws', update: (plan) => ({ ...plan, screws }) }),
      /** Test setup: puts the MPR views through a point (the UI does it by scrolling). */
      setCrosshair: (pointLps: Vec3) => viewer.setCrosshairLps(pointLps),
    };
  }

  return {
    store,
    drag: { draggingScrewId: () => controller.draggingScrewId(), onDragChange: (l) => controller.onDragChange(l) },
    dispose() {
      void autosave.flush().catch(() => undefined);
      unsubscribeVolume();
      unsubscribeStore();
      unsubscribeAutosave();
      autosave.dispose();
      controller.dispose();
      screwList.dispose();
      planPanel.dispose();
      store.dispose();
      records.close();
    },
  };
}
