/**
 * The three.js plan scene: bone and lesion surfaces, critical structures as
 * tubes, screws as threaded cylinders coloured (and labelled in text) by
 * status, skin-entry markers, orbit controls, a clip plane through the
 * selected screw, and click-to-select.
 *
 * Frames and conventions:
 * - World coordinates ARE patient LPS millimetres (x = patient left,
 *   y = posterior, z = superior; right-handed, so nothing is mirrored).
 * - The initial camera is the radiologist's AP view: the camera stands in
 *   front of the patient (anterior, -y) looking posteriorly, superior up, so
 *   the patient's LEFT is on the screen's RIGHT, as on a frontal radiograph
 *   or a coronal slice. Letters at the edges of the view name the patient
 *   directions as the camera turns.
 * - Structures that lie inside bone (screws, roots, canal, foramina, lesion)
 *   are also drawn as a faint "x-ray" pass that ignores depth, so they stay
 *   visible through the bone; the solid pass shows where they are in front.
 *
 * Rendering is on demand: a frame is drawn only after a change or while the
 * user orbits (no animation loop). dispose() frees every geometry, material
 * and texture, the controls, and the WebGL context (forceContextLoss).
 */
import {
  AmbientLight,
  BufferAttribute,
  BufferGeometry,
  CanvasTexture,
  CatmullRomCurve3,
  Color,
  CylinderGeometry,
  DirectionalLight,
  BackSide,
  DoubleSide,
  FrontSide,
  Group,
  type Material,
  Mesh,
  MeshBasicMaterial,
  MeshPhongMaterial,
  type Object3D,
  PerspectiveCamera,
  Plane,
  Quaternion,
  Raycaster,
  Scene,
  SphereGeometry,
  Sprite,
  SpriteMaterial,
  SRGBColorSpace,
  TubeGeometry,
  Vector2,
  Vector3,
  WebGLRenderer,
  Line,
  LineDashedMaterial,
  Box3,
  Sphere,
} from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import type { Vec3 } from '../core/geometry/vec3';
import type { ScrewDrawStatus } from '../viewer/PlanOverlayPort';
import type { PlanScene, SceneScrew, StructureTube, SurfaceMesh } from './ScenePort';
import { createScrewGeometry, HEAD_HEIGHT_MM } from './screwGeometry';

export type PlanSceneOptions = {
  /** Keep the drawing buffer after compositing so tests can read pixels back (e2e only: it costs a copy). */
  preserveDrawingBuffer?: boolean;
  /**
   * What the page shows: 'webgl' the renderer's own canvas; 'cpu' a 2D canvas (a CPU bitmap) the renderer's
   * off-page canvas is copied into after each render (readPixels + putImageData); 'auto' (default): 'cpu' on a
   * software rasteriser, 'webgl' on a GPU. Why: a WebGL canvas on the page is a composited layer of its own,
   * and every layer painted over it (the orientation letters) becomes one too, blended again in EVERY frame
   * of the page, whatever changed; on a software rasteriser that composite is a large part of each frame
   * (a screw drag's, the live check's: bench/README "Live check"). A CPU canvas is painted into the page's
   * tiles once per 3D render and costs nothing in the other frames.
   */
  display?: 'auto' | 'webgl' | 'cpu';
};

/** Test and bench hooks: not part of the PlanScene contract. */
export type PlanSceneDebug = {
  /** Frames drawn since creation. */
  renderCount(): number;
  /** Turns the camera about the target by `degrees` around the patient's S axis and renders synchronously; returns ms until the GPU finished. */
  orbitStep(degrees: number): number;
  /** Triangles in the bone mesh (0 when none). */
  boneTriangles(): number;
  /** An empty frame (clear only) with the same read-back: the fixed cost of a frame, as a reference for orbitStep. */
  emptyFrame(): number;
  /** The screws as the last drawn frame showed them (where and in which status). */
  drawnScrews(): { id: string; entryLps: Vec3; tipLps: Vec3; status: ScrewDrawStatus }[];
};

export type PlanSceneHandle = PlanScene & { readonly canvas: HTMLCanvasElement; readonly debug: PlanSceneDebug };

export const STATUS_COLOURS: Record<ScrewDrawStatus, number> = {
  ok: 0x2fbf5b,
  failed: 0xe0352b,
  overridden: 0xf0a020,
  pending: 0x9aa3ad,
};
const STATUS_WORDS: Record<ScrewDrawStatus, string> = { ok: 'OK', failed: 'FAILED', overridden: 'OVERRIDDEN', pending: 'PENDING' };
const STATUS_MARKS: Record<ScrewDrawStatus, string> = { ok: '\u2713', failed: '\u2717', overridden: '!', pending: '\u2026' };

const BONE_COLOUR = 0xe8dcc0;
const LESION_COLOUR = 0xff5a1f;
const STRUCTURE_COLOURS: Record<StructureTube['kind'], number> = {
  root: 0xffd21f,
  canal: 0xf2e394,
  foramen: 0x3cc8e6,
  joint: 0x6f9cff,
};

/** One screw's objects, made once per screw id and updated in place (see updateEntry). */
type ScrewEntry = {
  id: string;
  group: Group;
  body: Mesh;
  ghost: Mesh;
  halo: Mesh;
  label: Sprite;
  marker: Mesh;
  markerGhost: Mesh;
  path: Line;
  pickables: Object3D[];
  entryLps: Vec3;
  tipLps: Vec3;
  status: ScrewDrawStatus;
  /** What the current body / halo geometry and label texture were made for. */
  shapeKey: string;
  haloKey: string;
  labelKey: string;
};

export function createPlanScene(container: HTMLElement, options: PlanSceneOptions = {}): PlanSceneHandle {
  const renderer = createRenderer(options.preserveDrawingBuffer ?? false);
  const software = isSoftwareRenderer(renderer);
  // A software rasteriser (no GPU: SwiftShader, llvmpipe; remote desktops) draws every pixel on the CPU: no retina scale.
  renderer.setPixelRatio(software ? 1 : Math.min(2, globalThis.devicePixelRatio || 1));
  renderer.localClippingEnabled = true;
  renderer.setClearColor(0x000000, 1);
  const cpuDisplay = options.display === 'cpu' || (options.display !== 'webgl' && software);
  // The canvas on the page (events, picking, tests' pixel reads): the renderer's own, or a 2D copy of it.
  const canvas = cpuDisplay ? document.createElement('canvas') : renderer.domElement;
  const display2d = cpuDisplay ? canvas.getContext('2d', { willReadFrequently: true, alpha: false }) : null;
  let copyBuffer: Uint8Array | null = null;
  let copyImage: ImageData | null = null;
  canvas.className = 'plan-scene-canvas';
  canvas.dataset['display'] = cpuDisplay ? 'cpu' : 'webgl';
  canvas.style.display = 'block';
  canvas.style.width = '100%';
  canvas.style.height = '100%';
  canvas.setAttribute('aria-label', '3D plan scene: bone, lesion, critical structures and screws');
  container.append(canvas);

  // Orientation letters at the four edges (patient directions).
  const letters = (['left', 'right', 'top', 'bottom'] as const).map((edge) => {
    const el = document.createElement('div');
    el.className = `scene-orient scene-orient-${edge}`;
    el.dataset['orient'] = edge;
    container.append(el);
    return el;
  });

  const scene = new Scene();
  const emptyScene = new Scene();
  const camera = new PerspectiveCamera(30, 1, 1, 5000);
  camera.up.set(0, 0, 1);
  scene.add(camera);
  scene.add(new AmbientLight(0xffffff, 0.55));
  const headlight = new DirectionalLight(0xffffff, 2.2);
  headlight.position.set(0.35, 0.6, 1);
  camera.add(headlight);
  camera.add(headlight.target);
  headlight.target.position.set(0, 0, -1);

  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;
  controls.rotateSpeed = 0.8;
  controls.zoomSpeed = 1.2;

  const clipPlane = new Plane(new Vector3(1, 0, 0), 0);
  let clipping = false;

  const boneGroup = new Group();
  const lesionGroup = new Group();
  const structureGroup = new Group();
  const screwGroup = new Group();
  scene.add(boneGroup, lesionGroup, structureGroup, screwGroup);

  const boneMaterial = new MeshPhongMaterial({ color: BONE_COLOUR, specular: 0x222222, shininess: 18, side: FrontSide });
  // The inside of the bone, seen where the clip plane cuts it: darker, so the cut reads as a cut.
  const boneInsideMaterial = new MeshPhongMaterial({ color: 0x8c7a5c, specular: 0x000000, shininess: 4, side: BackSide });
  let boneTriangles = 0;
  let fitted = false;
  let active = true;
  let renders = 0;
  let screws: ScrewEntry[] = [];
  let drawn: { id: string; entryLps: Vec3; tipLps: Vec3; status: ScrewDrawStatus }[] = [];
  let selectedId: string | null = null;
  const selectListeners = new Set<(id: string | null) => void>();

  // --- rendering on demand ----------------------------------------------------
  let frameRequested = 0;
  const invalidate = (): void => {
    if (!active || frameRequested) return;
    frameRequested = requestAnimationFrame(() => {
      frameRequested = 0;
      renderNow();
    });
  };
  const sizeToContainer = (): boolean => {
    const w = container.clientWidth, h = container.clientHeight;
    if (w === 0 || h === 0) return false;
    const size = renderer.getSize(new Vector2());
    if (size.x !== w || size.y !== h) {
      renderer.setSize(w, h, false);
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
    }
    return true;
  };
  const headNdc = new Vector3();
  const tipNdc = new Vector3();
  /**
   * Each label starts at its screw's head and grows away from the screw (in
   * the screen direction tip -> head), flipped when it would leave the view:
   * it never covers the screw it names.
   */
  const anchorLabels = (): void => {
    const sx = camera.projectionMatrix.elements[0]!, sy = camera.projectionMatrix.elements[5]!;
    for (const s of screws) {
      headNdc.copy(s.label.position).project(camera);
      tipNdc.set(s.tipLps[0], s.tipLps[1], s.tipLps[2]).project(camera);
      const w = s.label.scale.x * sx, h = s.label.scale.y * sy;
      let right = headNdc.x >= tipNdc.x, up = headNdc.y >= tipNdc.y;
      if (right && headNdc.x + w > 1) right = false;
      else if (!right && headNdc.x - w < -1) right = true;
      if (up && headNdc.y + h > 1) up = false;
      else if (!up && headNdc.y - h < -1) up = true;
      s.label.center.set(right ? 0 : 1, up ? 0 : 1);
    }
  };
  function renderNow(): void {
    if (!active || !sizeToContainer()) return;
    updateClipPlane();
    camera.updateMatrixWorld();
    anchorLabels();
    renderer.render(scene, camera);
    copyToDisplay();
    renders++;
    drawn = screws.map((e) => ({ id: e.id, entryLps: [...e.entryLps] as Vec3, tipLps: [...e.tipLps] as Vec3, status: e.status }));
    updateOrientationLetters();
  }
  controls.addEventListener('change', invalidate);
  /** CPU display: the frame just drawn (still in the drawing buffer in this task) into the page's 2D canvas, rows flipped. */
  function copyToDisplay(): void {
    if (!display2d) return;
    const gl = renderer.getContext();
    const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
    if (w === 0 || h === 0) return;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    if (!copyImage || copyImage.width !== w || copyImage.height !== h) {
      copyBuffer = new Uint8Array(w * h * 4);
      copyImage = new ImageData(w, h);
    }
    gl.readPixels(0, 0, w, h, gl.RGBA, gl.UNSIGNED_BYTE, copyBuffer);
    const row = w * 4;
    const out = copyImage.data;
    for (let y = 0; y < h; y++) out.set(copyBuffer!.subarray((h - 1 - y) * row, (h - y) * row), y * row);
    display2d.putImageData(copyImage, 0, 0);
  }

  const updateOrientationLetters = (): void => {
    camera.updateMatrixWorld();
    const e = camera.matrixWorld.elements;
    const name = (x: number, y: number, z: number): string => {
      const ax = Math.abs(x), ay = Math.abs(y), az = Math.abs(z);
      if (ax >= ay && ax >= az) return x > 0 ? 'L' : 'R';
      if (ay >= az) return y > 0 ? 'P' : 'A';
      return z > 0 ? 'S' : 'I';
    };
    const right = name(e[0]!, e[1]!, e[2]!), left = name(-e[0]!, -e[1]!, -e[2]!);
    const up = name(e[4]!, e[5]!, e[6]!), down = name(-e[4]!, -e[5]!, -e[6]!);
    letters[0]!.textContent = left;
    letters[1]!.textContent = right;
    letters[2]!.textContent = up;
    letters[3]!.textContent = down;
  };

  // --- helpers ----------------------------------------------------------------
  const disposeTree = (root: Object3D): void => {
    root.traverse((o) => {
      const m = o as Mesh;
      if (m.geometry) m.geometry.dispose();
      const mats = (Array.isArray(m.material) ? m.material : m.material ? [m.material] : []) as Material[];
      for (const mat of mats) {
        if (mat === boneMaterial || mat === boneInsideMaterial) continue;
        const map = (mat as SpriteMaterial).map;
        if (map) map.dispose();
        mat.dispose();
      }
    });
  };
  const clearGroup = (g: Group): void => {
    for (const child of [...g.children]) {
      disposeTree(child);
      g.remove(child);
    }
  };
  const surfaceGeometry = (mesh: SurfaceMesh): BufferGeometry => {
    const g = new BufferGeometry();
    g.setAttribute('position', new BufferAttribute(mesh.positionsLps, 3));
    g.setAttribute('normal', new BufferAttribute(mesh.normals, 3));
    g.setIndex(new BufferAttribute(mesh.indices, 1));
    g.computeBoundingSphere();
    g.computeBoundingBox();
    return g;
  };
  /** A faint copy drawn over everything (through the bone). */
  const ghostOf = (geometry: BufferGeometry, colour: number, opacity: number): Mesh => {
    const ghost = new Mesh(geometry, new MeshBasicMaterial({ color: colour, transparent: true, opacity, depthTest: false, depthWrite: false }));
    ghost.renderOrder = 10;
    ghost.userData['ghost'] = true;
    return ghost;
  };
  const clippable = (mat: Material): void => {
    mat.clippingPlanes = clipping ? [clipPlane] : null;
    mat.needsUpdate = true;
  };
  const applyClippingToMaterials = (): void => {
    for (const g of [boneGroup, lesionGroup, structureGroup]) {
      g.traverse((o) => {
        const m = o as Mesh;
        if (!m.isMesh || m.userData['ghost']) return;
        clippable(m.material as Material);
      });
    }
  };

  const fitCamera = (): void => {
    const box = new Box3();
    for (const g of [boneGroup, lesionGroup, screwGroup]) box.expandByObject(g);
    if (box.isEmpty()) return;
    const sphere = box.getBoundingSphere(new Sphere());
    const fovRad = (camera.fov * Math.PI) / 180;
    const aspect = Math.max(0.2, camera.aspect);
    const fitHeight = sphere.radius / Math.sin(fovRad / 2);
    const fitWidth = sphere.radius / Math.sin(Math.atan(Math.tan(fovRad / 2) * aspect));
    const distance = Math.max(fitHeight, fitWidth) * 1.02;
    controls.target.copy(sphere.center);
    // Anterior view: camera at -y (anterior), looking posteriorly, superior up.
    camera.position.set(sphere.center.x, sphere.center.y - distance, sphere.center.z);
    camera.up.set(0, 0, 1);
    camera.near = Math.max(0.5, distance - sphere.radius * 3);
    camera.far = distance + sphere.radius * 3;
    camera.lookAt(sphere.center);
    camera.updateProjectionMatrix();
    controls.update();
    fitted = true;
  };

  // --- clip plane through the selected screw's axis ------------------------------
  function updateClipPlane(): void {
    if (!clipping) return;
    const screw = screws.find((s) => s.id === selectedId);
    if (!screw) {
      // Nothing to cut through: a plane behind the camera keeps everything.
      clipPlane.set(new Vector3(0, 0, 1), 1e9);
      return;
    }
    const tip = new Vector3(...screw.tipLps), entry = new Vector3(...screw.entryLps);
    const axis = entry.clone().sub(tip).normalize();
    const mid = tip.clone().add(entry).multiplyScalar(0.5);
    // Normal: the camera-to-screw direction without its component along the axis,
    // so the half of the bone between the eye and the screw is cut away.
    const view = mid.clone().sub(camera.position);
    const normal = view.sub(axis.clone().multiplyScalar(view.dot(axis)));
    if (normal.lengthSq() < 1e-9) normal.set(axis.y, -axis.x, 0);
    if (normal.lengthSq() < 1e-9) normal.set(1, 0, 0);
    normal.normalize();
    // three keeps the side where normal . p + constant >= 0.
    clipPlane.setFromNormalAndCoplanarPoint(normal, mid);
  }

  // --- screws -------------------------------------------------------------------------
  // Materials are shared and kept for the scene's life: a screw that moves or changes status gets
  // another of these, never a new one (disposing a material releases its shader program, and a
  // new one compiles again: seconds on a software rasteriser, on every drag event before).
  const bodyMaterials = new Map<string, MeshPhongMaterial>();
  const ghostMaterials = new Map<string, MeshBasicMaterial>();
  const bodyMaterial = (status: ScrewDrawStatus, selected: boolean): MeshPhongMaterial => {
    const key = `${status}:${selected ? 1 : 0}`;
    let m = bodyMaterials.get(key);
    if (!m) {
      m = new MeshPhongMaterial({ color: STATUS_COLOURS[status], specular: 0x555555, shininess: 60, emissive: selected ? 0x404040 : 0x000000 });
      bodyMaterials.set(key, m);
    }
    return m;
  };
  const ghostMaterial = (colour: number, opacity: number): MeshBasicMaterial => {
    const key = `${colour}:${opacity}`;
    let m = ghostMaterials.get(key);
    if (!m) {
      m = new MeshBasicMaterial({ color: colour, transparent: true, opacity, depthTest: false, depthWrite: false });
      ghostMaterials.set(key, m);
    }
    return m;
  };
  const haloMaterial = new MeshBasicMaterial({ color: 0xffffff, transparent: true, opacity: 0.35, depthTest: false, depthWrite: false, side: BackSide });
  const markerGeometry = new SphereGeometry(2.2, 16, 12);
  const markerMaterial = new MeshPhongMaterial({ color: 0x40d0ff, emissive: 0x103040 });
  const pathMaterial = new LineDashedMaterial({ color: 0x40d0ff, dashSize: 3, gapSize: 2, depthTest: false, transparent: true, opacity: 0.8 });
  const sharedMaterials = (): Material[] => [...bodyMaterials.values(), ...ghostMaterials.values(), haloMaterial, markerMaterial, pathMaterial];

  /** Draws a label into its canvas; returns false when the canvas had to change size (a new texture is needed). */
  const paintLabel = (c: HTMLCanvasElement, text: string, status: ScrewDrawStatus, selected: boolean): boolean => {
    const ctx = c.getContext('2d')!;
    const fontPx = 30;
    const font = `${selected ? 700 : 600} ${fontPx}px system-ui, sans-serif`;
    ctx.font = font;
    const width = Math.ceil(ctx.measureText(text).width) + 28;
    const height = fontPx + 18;
    const sameSize = c.width === width && c.height === height;
    if (!sameSize) {
      c.width = width;
      c.height = height;
    }
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.font = font;
    ctx.fillStyle = 'rgba(10, 12, 16, 0.82)';
    ctx.fillRect(0, 0, c.width, c.height);
    ctx.lineWidth = selected ? 6 : 4;
    ctx.strokeStyle = `#${new Color(STATUS_COLOURS[status]).getHexString()}`;
    ctx.strokeRect(ctx.lineWidth / 2, ctx.lineWidth / 2, c.width - ctx.lineWidth, c.height - ctx.lineWidth);
    ctx.fillStyle = '#ffffff';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, 14, c.height / 2 + 1);
    return sameSize;
  };
  const labelTexture = (c: HTMLCanvasElement): CanvasTexture => {
    const texture = new CanvasTexture(c);
    texture.colorSpace = SRGBColorSpace;
    return texture;
  };
  const setLabel = (entry: ScrewEntry, text: string, status: ScrewDrawStatus, selected: boolean): void => {
    const key = `${text}|${status}|${selected}`;
    if (key === entry.labelKey) return;
    entry.labelKey = key;
    const material = entry.label.material;
    const canvas = (material.map?.image as HTMLCanvasElement | undefined) ?? document.createElement('canvas');
    const sameSize = paintLabel(canvas, text, status, selected) && material.map !== null;
    if (sameSize) material.map!.needsUpdate = true;
    else {
      // Another size: a new texture of the same kind (the material keeps its map, so its program).
      material.map?.dispose();
      material.map = labelTexture(canvas);
    }
    // Size in view-height units (sizeAttenuation off): constant on screen whatever the zoom.
    const h = 0.024;
    entry.label.scale.set((h * canvas.width) / canvas.height, h, 1);
  };

  const createEntry = (id: string): ScrewEntry => {
    const group = new Group();
    group.name = `screw:${id}`;
    const body = new Mesh(new BufferGeometry(), bodyMaterial('pending', false));
    body.userData['screwId'] = id;
    const ghost = new Mesh(body.geometry, ghostMaterial(STATUS_COLOURS.pending, 0.6));
    ghost.renderOrder = 10;
    ghost.userData['ghost'] = true;
    // Rim: the far wall of a wider sleeve, drawn through everything, outlines the selected screw.
    const halo = new Mesh(new BufferGeometry(), haloMaterial);
    halo.renderOrder = 11;
    const canvas = document.createElement('canvas');
    const label = new Sprite(new SpriteMaterial({ map: labelTexture(canvas), depthTest: false, depthWrite: false, sizeAttenuation: false }));
    label.center.set(0, 0);
    label.renderOrder = 20;
    label.userData['screwId'] = id;
    const marker = new Mesh(markerGeometry, markerMaterial);
    const markerGhost = new Mesh(markerGeometry, ghostMaterial(0x40d0ff, 0.4));
    markerGhost.renderOrder = 10;
    markerGhost.userData['ghost'] = true;
    const pathGeometry = new BufferGeometry();
    pathGeometry.setAttribute('position', new BufferAttribute(new Float32Array(6), 3));
    // The needle path through soft tissue, skin entry to bone entry (dashed).
    const path = new Line(pathGeometry, pathMaterial);
    path.renderOrder = 9;
    path.frustumCulled = false;
    group.add(body, ghost, halo, label, marker, markerGhost, path);
    return { id, group, body, ghost, halo, label, marker, markerGhost, path, pickables: [body, label], entryLps: [0, 0, 0], tipLps: [0, 0, 0], status: 'pending', shapeKey: '', haloKey: '', labelKey: '' };
  };

  const tipV = new Vector3();
  const entryV = new Vector3();
  const axisV = new Vector3();
  const upY = new Vector3(0, 1, 0);
  const orientQ = new Quaternion();
  /** Puts a screw where the data says: transforms, shared materials, geometry only when its shape changed. */
  const updateEntry = (entry: ScrewEntry, s: SceneScrew, selected: boolean): void => {
    tipV.set(s.tipLps[0], s.tipLps[1], s.tipLps[2]);
    entryV.set(s.entryLps[0], s.entryLps[1], s.entryLps[2]);
    axisV.copy(entryV).sub(tipV);
    const length = axisV.length();
    if (length > 0) axisV.divideScalar(length);
    else axisV.copy(upY);
    orientQ.setFromUnitVectors(upY, axisV);
    const shape = { lengthMm: length, diameterMm: s.diameterMm, ...(s.threadLengthMm !== undefined ? { threadLengthMm: s.threadLengthMm } : {}), ...(s.headDiameterMm !== undefined ? { headDiameterMm: s.headDiameterMm } : {}) };
    const shapeKey = JSON.stringify(shape);
    if (shapeKey !== entry.shapeKey) {
      entry.shapeKey = shapeKey;
      entry.body.geometry.dispose();
      const geometry = createScrewGeometry(shape);
      entry.body.geometry = geometry;
      entry.ghost.geometry = geometry;
    }
    const colour = STATUS_COLOURS[s.status];
    entry.body.material = bodyMaterial(s.status, selected);
    entry.ghost.material = ghostMaterial(colour, selected ? 0.85 : 0.6);
    for (const m of [entry.body, entry.ghost]) {
      m.position.copy(tipV);
      m.quaternion.copy(orientQ);
    }
    entry.halo.visible = selected;
    if (selected) {
      const haloKey = `${s.diameterMm}:${length}`;
      if (haloKey !== entry.haloKey) {
        entry.haloKey = haloKey;
        entry.halo.geometry.dispose();
        entry.halo.geometry = new CylinderGeometry(s.diameterMm * 0.95, s.diameterMm * 0.95, length + HEAD_HEIGHT_MM, 24, 1, true);
      }
      entry.halo.position.copy(tipV).addScaledVector(axisV, (length + HEAD_HEIGHT_MM) / 2);
      entry.halo.quaternion.copy(orientQ);
    }
    setLabel(entry, `${STATUS_MARKS[s.status]} ${s.label || s.id} \u00b7 ${STATUS_WORDS[s.status]}`, s.status, selected);
    entry.label.position.copy(entryV).addScaledVector(axisV, HEAD_HEIGHT_MM + 2);
    // Without a skin entry the marker and path are hidden and parked on the screw's head (fitCamera's box counts hidden objects too).
    const head = entryV.clone().addScaledVector(axisV, HEAD_HEIGHT_MM);
    const skin = s.skinEntryLps ?? ([head.x, head.y, head.z] as const);
    entry.marker.visible = entry.markerGhost.visible = entry.path.visible = s.skinEntryLps !== null;
    entry.marker.position.set(skin[0], skin[1], skin[2]);
    entry.markerGhost.position.copy(entry.marker.position);
    const pos = entry.path.geometry.getAttribute('position') as BufferAttribute;
    pos.setXYZ(0, skin[0], skin[1], skin[2]);
    pos.setXYZ(1, head.x, head.y, head.z);
    pos.needsUpdate = true;
    entry.path.geometry.computeBoundingSphere();
    entry.path.geometry.computeBoundingBox();
    entry.path.computeLineDistances();
    entry.entryLps = [...s.entryLps];
    entry.tipLps = [...s.tipLps];
    entry.status = s.status;
  };
  const disposeEntry = (entry: ScrewEntry): void => {
    screwGroup.remove(entry.group);
    entry.body.geometry.dispose();
    entry.halo.geometry.dispose();
    entry.path.geometry.dispose();
    entry.label.material.map?.dispose();
    entry.label.material.dispose();
  };

  // --- picking -----------------------------------------------------------------------
  const raycaster = new Raycaster();
  let downAt: { x: number; y: number } | null = null;
  const onPointerDown = (e: PointerEvent): void => {
    downAt = e.button === 0 ? { x: e.clientX, y: e.clientY } : null;
  };
  const onPointerUp = (e: PointerEvent): void => {
    if (!downAt || e.button !== 0) return;
    const moved = Math.hypot(e.clientX - downAt.x, e.clientY - downAt.y);
    downAt = null;
    if (moved > 4) return; // an orbit, not a click
    const rect = canvas.getBoundingClientRect();
    const ndc = new Vector2(((e.clientX - rect.left) / rect.width) * 2 - 1, -((e.clientY - rect.top) / rect.height) * 2 + 1);
    raycaster.setFromCamera(ndc, camera);
    // Screws are picked through the bone (their x-ray pass is visible there).
    const hits = raycaster.intersectObjects(screws.flatMap((s) => s.pickables), false);
    const id = (hits[0]?.object.userData['screwId'] as string | undefined) ?? null;
    for (const l of selectListeners) l(id);
  };
  canvas.addEventListener('pointerdown', onPointerDown);
  canvas.addEventListener('pointerup', onPointerUp);

  const handle: PlanSceneHandle = {
    canvas,
    setBone(mesh) {
      clearGroup(boneGroup);
      boneTriangles = 0;
      if (mesh) {
        const geometry = surfaceGeometry(mesh);
        const bone = new Mesh(geometry, boneMaterial);
        bone.name = 'bone';
        const inside = new Mesh(geometry, boneInsideMaterial);
        inside.name = 'bone-inside';
        // Only a cut shows the inside: drawn while clipping, skipped otherwise (half the bone's cost).
        inside.visible = clipping;
        boneGroup.add(bone, inside);
        boneTriangles = mesh.indices.length / 3;
        clippable(boneMaterial);
        clippable(boneInsideMaterial);
        if (!fitted) fitCamera();
      } else {
        fitted = false;
      }
      invalidate();
    },
    setLesion(mesh) {
      clearGroup(lesionGroup);
      if (mesh) {
        const geometry = surfaceGeometry(mesh);
        const lesion = new Mesh(geometry, new MeshPhongMaterial({ color: LESION_COLOUR, transparent: true, opacity: 0.8, shininess: 30, side: DoubleSide }));
        lesion.name = 'lesion';
        lesionGroup.add(lesion, ghostOf(geometry, LESION_COLOUR, 0.35));
        applyClippingToMaterials();
      }
      invalidate();
    },
    setStructures(tubes) {
      clearGroup(structureGroup);
      for (const t of tubes) {
        const colour = STRUCTURE_COLOURS[t.kind];
        let geometry: BufferGeometry;
        if (t.kind === 'joint' || t.centerlineLps.length < 2) {
          const c = t.centerlineLps[0];
          if (!c) continue;
          geometry = new SphereGeometry(t.radiusMm, 32, 20);
          geometry.translate(c[0], c[1], c[2]);
        } else {
          const curve = new CatmullRomCurve3(t.centerlineLps.map((p) => new Vector3(p[0], p[1], p[2])), false, 'centripetal');
          const segments = Math.max(8, Math.ceil(curve.getLength() / 2));
          geometry = new TubeGeometry(curve, segments, t.radiusMm, 14, false);
        }
        const translucent = t.kind === 'joint' || t.kind === 'canal';
        const mesh = new Mesh(geometry, new MeshPhongMaterial({ color: colour, shininess: 25, transparent: translucent, opacity: translucent ? 0.45 : 1, side: DoubleSide }));
        mesh.name = `structure:${t.id}`;
        structureGroup.add(mesh);
        if (t.kind !== 'joint') structureGroup.add(ghostOf(geometry, colour, t.kind === 'canal' ? 0.15 : 0.3));
      }
      applyClippingToMaterials();
      invalidate();
    },
    setScrews(list, selected) {
      selectedId = selected;
      const byId = new Map(screws.map((e) => [e.id, e]));
      const next: ScrewEntry[] = [];
      for (const s of list) {
        let entry = byId.get(s.id);
        if (entry) byId.delete(s.id);
        else {
          entry = createEntry(s.id);
          screwGroup.add(entry.group);
        }
        updateEntry(entry, s, s.id === selected);
        next.push(entry);
      }
      for (const gone of byId.values()) disposeEntry(gone);
      screws = next;
      if (!fitted && boneTriangles === 0 && screws.length > 0) fitCamera();
      invalidate();
    },
    onSelect(listener) {
      selectListeners.add(listener);
      return () => selectListeners.delete(listener);
    },
    setClipping(on) {
      clipping = on;
      const inside = boneGroup.getObjectByName('bone-inside');
      if (inside) inside.visible = on;
      applyClippingToMaterials();
      invalidate();
    },
    resize() {
      invalidate();
    },
    resetView() {
      fitted = false;
      fitCamera();
      invalidate();
    },
    setActive(on) {
      active = on;
      if (!on && frameRequested) {
        cancelAnimationFrame(frameRequested);
        frameRequested = 0;
      }
      controls.enabled = on;
      invalidate();
    },
    projectLps(pointLps) {
      if (!sizeToContainer()) return null;
      camera.updateMatrixWorld();
      const p = new Vector3(pointLps[0], pointLps[1], pointLps[2]).project(camera);
      if (p.z > 1 || p.z < -1) return null;
      return { xPx: ((p.x + 1) / 2) * container.clientWidth, yPx: ((1 - p.y) / 2) * container.clientHeight };
    },
    debug: {
      renderCount: () => renders,
      orbitStep(degrees) {
        const offset = camera.position.clone().sub(controls.target);
        offset.applyAxisAngle(new Vector3(0, 0, 1), (degrees * Math.PI) / 180);
        camera.position.copy(controls.target).add(offset);
        camera.lookAt(controls.target);
        const t0 = performance.now();
        renderNow();
        // Wait for the GPU (software rasteriser included): read one pixel back (the CPU display already did).
        const gl = renderer.getContext();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        return performance.now() - t0;
      },
      boneTriangles: () => boneTriangles,
      drawnScrews: () => drawn.map((d) => ({ ...d, entryLps: [...d.entryLps] as Vec3, tipLps: [...d.tipLps] as Vec3 })),
      emptyFrame() {
        const t0 = performance.now();
        renderer.render(emptyScene, camera);
        const gl = renderer.getContext();
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
        const ms = performance.now() - t0;
        invalidate();
        return ms;
      },
    },
    dispose() {
      if (frameRequested) cancelAnimationFrame(frameRequested);
      canvas.removeEventListener('pointerdown', onPointerDown);
      canvas.removeEventListener('pointerup', onPointerUp);
      controls.removeEventListener('change', invalidate);
      controls.dispose();
      for (const e of screws) disposeEntry(e);
      screws = [];
      for (const g of [boneGroup, lesionGroup, structureGroup]) clearGroup(g);
      markerGeometry.dispose();
      for (const m of sharedMaterials()) m.dispose();
      boneMaterial.dispose();
      boneInsideMaterial.dispose();
      selectListeners.clear();
      renderer.dispose();
      renderer.forceContextLoss();
      canvas.remove();
      for (const l of letters) l.remove();
    },
  };
  return handle;
}

/**
 * The WebGL renderer: multisampled on a GPU; on a software rasteriser
 * (detected from the unmasked renderer string) recreated without MSAA, which
 * costs there several times the frame itself.
 */
function createRenderer(preserveDrawingBuffer: boolean): WebGLRenderer {
  const renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer });
  if (!isSoftwareRenderer(renderer)) return renderer;
  renderer.dispose();
  renderer.forceContextLoss();
  return new WebGLRenderer({ antialias: false, preserveDrawingBuffer });
}

function isSoftwareRenderer(renderer: WebGLRenderer): boolean {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  return /swiftshader|llvmpipe|softpipe|software/i.test(name);
}
