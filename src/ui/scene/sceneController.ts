/**
 * Puts the three.js plan scene in the 3D cell and keeps it in step with the
 * planning session and the plan store:
 *
 * - A "Volume | Plan" switch in the 3D cell chooses between Cornerstone's
 *   volume rendering and the plan scene (the hidden one is not drawn: the
 *   scene stops rendering, the volume layer is made invisible and its
 *   canvas taken out of the layout, which keeps Cornerstone from rendering
 *   it). The plan
 *   scene becomes the default once bone labels exist, unless the user chose.
 *   "Clip" cuts the bone along the selected screw's axis; "Reset" returns to
 *   the AP view.
 * - Session: on a new label generation the surfaces are recomputed in the
 *   surface worker: the bone once per volume, the lesion on every change
 *   (debounced, latest wins). The critical structures are drawn as tubes.
 * - Plan store: screws, their status and the selection; a click on a screw
 *   in the scene selects it in the store. While a screw is dragged (the
 *   drag activity given to attachStore) the scene keeps its last frame
 *   while the pointer moves, draws the screw where it is when the pointer
 *   rests (no plan update for 3x the drag's usual gap, at least 250 ms:
 *   viewer/dragRest.ts, the trajectory reformats' rule) and the final
 *   position when the drag ends (issue #6: the status in the list must never
 *   wait for a 3D frame, tens of ms on a software rasteriser).
 *
 * Root data-* (written here, next to the app state's own):
 * - data-scene-mode: volume | plan (which layer the 3D cell shows)
 * - data-scene-ready: "1" when the bone mesh is in the plan scene
 * - data-scene-triangles: triangles of the bone mesh
 * - data-scene-lesion-generation: label generation of the lesion mesh shown (-1 none yet)
 * - data-scene-bone-edits: the session's bone-brush edit count the bone surface shown contains
 * - data-scene-screws: screws drawn; data-scene-selected: the selected screw id
 * - data-scene-clip: "1" while the clip plane is on
 */
import { BONE_LABELS, LABELS } from '../../core/shared/ids';
import { errorCodeOf } from '../../core/shared/errors';
import type { SurfaceMeshResult } from '../../core/mesh/computeSurfaceMesh';
import type { Volume } from '../../core/volume/Volume';
import type { Vec3 } from '../../core/geometry/vec3';
import type { CriticalStructures } from '../../core/anatomy/structures';
import { spawnSurfaceWorker, type SurfaceClient } from '../../compute/surfaceClient';
import { createPlanScene, type PlanSceneHandle } from '../../scene/createPlanScene';
import type { SceneScrew } from '../../scene/ScenePort';
import type { PlanningSession, SessionStatus } from '../session/PlanningSession';
import type { PlanState, PlanStore } from '../plan/PlanStore';
import { screwLabel } from '../plan/screwLabels';
import { h } from '../dom';
import { structureTubes } from './structureTubes';
import { createDragRest } from '../../viewer/dragRest';
import './sceneController.css';

export type SceneMode = 'volume' | 'plan';

/** Drags in progress (the plan controller's). */
export type DragActivity = { draggingScrewId(): string | null; onDragChange(listener: (screwId: string | null) => void): () => void };

export type SceneControllerDeps = {
  root: HTMLElement;
  /** The plan scene's layer (shell.sceneElement) and the volume rendering's element under it. */
  sceneElement: HTMLElement;
  volumeElement: HTMLElement;
  session: Pick<PlanningSession, 'getStatus' | 'subscribe' | 'getLabels'>;
  /** Defaults to the surface worker. */
  surfaces?: SurfaceClient;
  /** Defaults to createPlanScene. */
  createScene?: (container: HTMLElement) => PlanSceneHandle;
  /** Keeps the WebGL drawing buffer so e2e tests can read pixels. */
  readablePixels?: boolean;
  lesionDebounceMs?: number;
  /** Pause after a bone-brush edit before the bone surface is made again. */
  boneDebounceMs?: number;
};

export type SceneController = {
  readonly scene: PlanSceneHandle;
  getMode(): SceneMode;
  setMode(mode: SceneMode): void;
  /** Follows this plan store (screws, status, selection); a click in the scene selects in it. `drag`: follow drags at rest only. */
  attachStore(store: PlanStore, drag?: DragActivity | null): void;
  /** LPS of a screw's axis midpoint projected to page coordinates (CSS px), for tests. */
  projectToPage(pointLps: Vec3): { x: number; y: number } | null;
  dispose(): void;
};

/** `?scene3d=webgl` or `?scene3d=cpu` force how the 3D scene reaches the page (an A/B for the benches); else 'auto' (scene/createPlanScene.ts). */
function sceneDisplayFromUrl(): 'auto' | 'webgl' | 'cpu' {
  const asked = new URLSearchParams(globalThis.location?.search ?? '').get('scene3d');
  return asked === 'webgl' || asked === 'cpu' ? asked : 'auto';
}

export function createSceneController(deps: SceneControllerDeps): SceneController {
  const { root, sceneElement, volumeElement, session } = deps;
  const surfaces = deps.surfaces ?? spawnSurfaceWorker();
  const scene = deps.createScene ? deps.createScene(sceneElement) : createPlanScene(sceneElement, { preserveDrawingBuffer: deps.readablePixels ?? false, display: sceneDisplayFromUrl() });
  const data = root.dataset;
  const cell = sceneElement.parentElement ?? sceneElement;

  // --- the switch and scene tools in the 3D cell ------------------------------------
  const modeButton = (mode: SceneMode, text: string, title: string): HTMLButtonElement =>
    h('button', { class: 'scene-tool', text, attrs: { type: 'button', 'data-testid': `scene-mode-${mode}`, title, 'aria-pressed': 'false' } }) as HTMLButtonElement;
  const volumeButton = modeButton('volume', 'Volume', 'Volume rendering of the CT');
  const planButton = modeButton('plan', 'Plan', 'Plan scene: bone surface, lesion, nerve structures and screws');
  const clipButton = h('button', {
    class: 'scene-tool',
    text: 'Clip',
    attrs: { type: 'button', 'data-testid': 'scene-clip', 'aria-pressed': 'false', title: 'Cut the bone along the selected screw to see it inside' },
  }) as HTMLButtonElement;
  const resetButton = h('button', { class: 'scene-tool', text: 'AP view', attrs: { type: 'button', 'data-testid': 'scene-reset', title: 'Back to the anterior view (patient left on screen right)' } }) as HTMLButtonElement;
  const planTools = h('span', { class: 'scene-plan-tools' }, clipButton, resetButton);
  const toolbar = h('div', { class: 'scene-toolbar', attrs: { role: 'group', 'aria-label': '3D view content' } }, volumeButton, planButton, planTools);
  cell.append(toolbar);

  let mode: SceneMode = 'volume';
  let userChoseMode = false;
  let clipping = false;
  const applyMode = (): void => {
    const plan = mode === 'plan';
    sceneElement.hidden = !plan;
    volumeElement.style.visibility = plan ? 'hidden' : '';
    // data-covered takes the volume's canvas out of the layout
    // (sceneController.css): Cornerstone then skips the 3D viewport in its
    // resizes and renders (a hidden ray cast took seconds on a software
    // rasteriser at every resize of the view cells); the viewer renders it
    // again when it is laid out, if what it shows changed
    // (createCornerstoneViewer.ts). The element itself keeps its size, so
    // Cornerstone's trackball tool (which resets the camera when its element
    // resizes) keeps the user's orbit across the switch.
    volumeElement.toggleAttribute('data-covered', plan);
    planTools.hidden = !plan;
    volumeButton.setAttribute('aria-pressed', String(!plan));
    planButton.setAttribute('aria-pressed', String(plan));
    scene.setActive(plan);
    data['sceneMode'] = mode;
  };
  const onVolume = (): void => {
    userChoseMode = true;
    setMode('volume');
  };
  const onPlan = (): void => {
    userChoseMode = true;
    setMode('plan');
  };
  const onClip = (): void => {
    clipping = !clipping;
    clipButton.setAttribute('aria-pressed', String(clipping));
    scene.setClipping(clipping);
    data['sceneClip'] = clipping ? '1' : '0';
  };
  const onReset = (): void => scene.resetView();
  volumeButton.addEventListener('click', onVolume);
  planButton.addEventListener('click', onPlan);
  clipButton.addEventListener('click', onClip);
  resetButton.addEventListener('click', onReset);
  function setMode(next: SceneMode): void {
    mode = next;
    applyMode();
  }
  data['sceneClip'] = '0';
  data['sceneReady'] = '0';
  data['sceneTriangles'] = '0';
  data['sceneLesionGeneration'] = '-1';
  data['sceneBoneEdits'] = '0';
  data['sceneScrews'] = '0';
  data['sceneSelected'] = '';
  applyMode();

  // --- surfaces from the session -------------------------------------------------------
  let disposed = false;
  let seriesUid: string | null = null;
  /** Bumped when the series changes: results for an older one are dropped. */
  let epoch = 0;
  let lastGeneration = -1;
  let boneRequested = false;
  let lastStructures: CriticalStructures | null = null;
  let lesionTimer: ReturnType<typeof setTimeout> | null = null;
  let lesionRunning = false;
  let lesionDirty = false;
  /** Bone-brush edits the bone surface shows (the session's boneEdits); a newer count redraws it after a pause. */
  let boneEditsShown = 0;
  let boneTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped per bone surface request: an older answer that arrives late is dropped. */
  let boneRequest = 0;

  const compute = (labels: Volume<Uint8Array>, labelValues: readonly number[]): Promise<SurfaceMeshResult> =>
    surfaces.engine.computeSurfaceMesh(labels, { labelValues: [...labelValues] }) as Promise<SurfaceMeshResult>;

  const report = (what: string, error: unknown): void => {
    if (errorCodeOf(error) === 'worker/stale') return;
    // The plan scene is a view: a failure leaves the volume rendering usable.
    console.warn(`plan scene: ${what} surface failed:`, error);
  };

  const computeBone = (labels: Volume<Uint8Array>): void => {
    const myEpoch = epoch;
    const myRequest = ++boneRequest;
    const editsAtRequest = boneEditsShown;
    boneRequested = true;
    compute(labels, BONE_LABELS).then(
      (result) => {
        if (disposed || myEpoch !== epoch || myRequest !== boneRequest) return;
        scene.setBone(result.mesh);
        // For tests: the bone-brush edits this surface contains.
        data['sceneBoneEdits'] = String(editsAtRequest);
        data['sceneReady'] = result.mesh ? '1' : '0';
        data['sceneTriangles'] = String(result.stats.triangles);
        if (result.mesh && !userChoseMode) setMode('plan');
      },
      (error: unknown) => report('bone', error),
    );
  };

  const runLesion = (): void => {
    lesionTimer = null;
    const labels = session.getLabels();
    if (!labels || disposed) return;
    if (lesionRunning) {
      lesionDirty = true;
      return;
    }
    lesionRunning = true;
    lesionDirty = false;
    const myEpoch = epoch;
    const generation = session.getStatus().labelsGeneration;
    compute(labels, [LABELS.lesion])
      .then(
        (result) => {
          if (disposed || myEpoch !== epoch) return;
          scene.setLesion(result.mesh);
          data['sceneLesionGeneration'] = String(generation);
        },
        (error: unknown) => report('lesion', error),
      )
      .finally(() => {
        lesionRunning = false;
        if (lesionDirty && !disposed) runLesion();
      });
  };
  const scheduleLesion = (): void => {
    if (lesionTimer) clearTimeout(lesionTimer);
    lesionTimer = setTimeout(runLesion, deps.lesionDebounceMs ?? 250);
  };

  const onStatus = (s: Readonly<SessionStatus>): void => {
    if (s.seriesUid !== seriesUid) {
      seriesUid = s.seriesUid;
      epoch++;
      lastGeneration = -1;
      boneRequested = false;
      lastStructures = null;
      if (lesionTimer) clearTimeout(lesionTimer);
      lesionTimer = null;
      if (boneTimer) clearTimeout(boneTimer);
      boneTimer = null;
      boneEditsShown = s.boneEdits ?? 0;
      scene.setBone(null);
      scene.setLesion(null);
      scene.setStructures([]);
      data['sceneReady'] = '0';
      data['sceneTriangles'] = '0';
      data['sceneLesionGeneration'] = '-1';
      data['sceneBoneEdits'] = String(boneEditsShown);
    }
    if (s.structures !== lastStructures) {
      lastStructures = s.structures;
      scene.setStructures(structureTubes(s.structures));
    }
    if (s.labelsGeneration !== lastGeneration) {
      const labels = session.getLabels();
      if (!labels) return;
      lastGeneration = s.labelsGeneration;
      if (!boneRequested) computeBone(labels);
      scheduleLesion();
    }
    // The bone brush changed the bone: its surface is made again once the brush pauses.
    if (boneRequested && (s.boneEdits ?? 0) !== boneEditsShown) {
      boneEditsShown = s.boneEdits ?? 0;
      if (boneTimer) clearTimeout(boneTimer);
      boneTimer = setTimeout(() => {
        boneTimer = null;
        const labels = session.getLabels();
        if (labels && !disposed) computeBone(labels);
      }, deps.boneDebounceMs ?? 800);
    }
  };
  const unsubscribeSession = session.subscribe(onStatus);
  onStatus(session.getStatus());

  // --- screws from the plan store --------------------------------------------------------
  let store: PlanStore | null = null;
  let unsubscribeStore: () => void = () => undefined;
  let screwKey = '';
  let dragActivity: DragActivity | null = null;
  let unsubscribeDrag: () => void = () => undefined;
  // During a drag the scene draws when the pointer rests (the trajectory reformats' rule, viewer/dragRest.ts)
  // and at its end (onDragChange below), never on every pointer event.
  const rest = createDragRest(() => {
    if (store && !disposed && dragActivity?.draggingScrewId()) onPlanState(store.get());
  });
  const onStoreChange = (state: Readonly<PlanState>): void => {
    if (dragActivity?.draggingScrewId()) {
      rest.update();
      return;
    }
    onPlanState(state);
  };
  const onPlanState = (state: Readonly<PlanState>): void => {
    if (!store) return;
    const plan = state.plan;
    const screws: SceneScrew[] = plan
      ? plan.screws.map((s) => {
          const spec = plan.catalog.screws.find((c) => c.id === s.catalogId);
          return {
            id: s.id,
            label: screwLabel(s, plan.screws),
            entryLps: [...s.entryLps] as Vec3,
            tipLps: [...s.tipLps] as Vec3,
            diameterMm: s.diameterMm,
            status: store!.shownStatusOf?.(s.id) ?? store!.statusOf(s.id),
            skinEntryLps: s.skinEntryLps ? ([...s.skinEntryLps] as Vec3) : null,
            ...(spec && spec.threadLengthMm > 0 ? { threadLengthMm: spec.threadLengthMm } : {}),
            ...(spec ? { headDiameterMm: spec.headDiameterMm } : {}),
          };
        })
      : [];
    const key = JSON.stringify([screws, state.selectedScrewId]);
    if (key === screwKey) return;
    screwKey = key;
    scene.setScrews(screws, state.selectedScrewId);
    data['sceneScrews'] = String(screws.length);
    data['sceneSelected'] = state.selectedScrewId ?? '';
  };
  const unsubscribeSelect = scene.onSelect((id) => {
    if (store && store.get().selectedScrewId !== id) store.select(id);
  });

  const onResize = (): void => scene.resize();
  const resizeObserver = new ResizeObserver(onResize);
  resizeObserver.observe(sceneElement);

  return {
    scene,
    getMode: () => mode,
    setMode(next) {
      userChoseMode = true;
      setMode(next);
    },
    attachStore(next, drag) {
      unsubscribeStore();
      unsubscribeDrag();
      store = next;
      dragActivity = drag ?? null;
      screwKey = '';
      unsubscribeStore = next.subscribe(onStoreChange);
      // The drag ended (its last edit is in the store): draw the final position now.
      rest.reset();
      unsubscribeDrag = dragActivity?.onDragChange((id) => {
        rest.reset();
        if (id === null && store && !disposed) onPlanState(store.get());
      }) ?? (() => undefined);
      onPlanState(next.get());
    },
    projectToPage(pointLps) {
      const p = scene.projectLps(pointLps);
      if (!p) return null;
      const rect = sceneElement.getBoundingClientRect();
      return { x: rect.left + p.xPx, y: rect.top + p.yPx };
    },
    dispose() {
      disposed = true;
      if (lesionTimer) clearTimeout(lesionTimer);
      if (boneTimer) clearTimeout(boneTimer);
      rest.dispose();
      resizeObserver.disconnect();
      unsubscribeSession();
      unsubscribeStore();
      unsubscribeDrag();
      unsubscribeSelect();
      volumeButton.removeEventListener('click', onVolume);
      planButton.removeEventListener('click', onPlan);
      clipButton.removeEventListener('click', onClip);
      resetButton.removeEventListener('click', onReset);
      toolbar.remove();
      volumeElement.style.visibility = '';
      volumeElement.removeAttribute('data-covered');
      scene.dispose();
      surfaces.dispose();
      for (const key of ['sceneMode', 'sceneReady', 'sceneTriangles', 'sceneLesionGeneration', 'sceneBoneEdits', 'sceneScrews', 'sceneSelected', 'sceneClip']) delete data[key];
    },
  };
}
