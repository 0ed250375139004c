/**
 * Screws drawn over the MPR and trajectory views: one SVG layer per view,
 * redrawn from the plan model whenever the screws or a camera change (each
 * screw's group is kept and patched: only the attributes that changed are
 * written, see patchNode). The
 * geometry is computed in LPS (screwSection.ts) and mapped to the canvas by
 * the view's own projection (Cornerstone's worldToCanvas), so what is drawn
 * is exactly where the CT pixels are.
 *
 * Pointer: a primary-button press on a screw (handle or body) belongs to the
 * screw whatever tool is active: the press is taken (preventDefault stops the
 * mouse events Cornerstone's tools listen to; stopPropagation stops our
 * crosshair), the screw is selected, and moves become ScrewDragEvents in the
 * view's plane until the button is released. A move is taken from the
 * pointer's raw update where the browser sends one (before the next frame),
 * else from its frame-aligned pointermove (see onRawMove).
 *
 * For tests: every screw group carries data-screw-id, data-status,
 * data-kind (crossSection / outline / none) and data-selected; parts carry
 * data-part (section, outline, projection, label, path, skin) and handles
 * data-handle (entry, tip, body).
 *
 * No Cornerstone import: a view is given as a projector.
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { MprViewId } from './ViewerPort';
import type { ScrewDrawStatus, ScrewHandle, ScrewOverlay, TrajectoryViewId } from './PlanOverlayPort';
import type { PlanOverlayModel } from './planOverlayModel';
import { computeScrewInPlane, type PlaneLps } from './screwSection';
import { createDragRest } from './dragRest';

export type OverlayViewId = MprViewId | TrajectoryViewId;

/** Maps between LPS and the view's canvas (CSS pixels, origin top-left of the element). */
export type ViewProjector = {
  worldToCanvas(pointLps: Readonly<Vec3>): [number, number];
  canvasToWorld(pointCanvas: readonly [number, number]): Vec3;
  plane: PlaneLps;
};

export type OverlayView = {
  id: OverlayViewId;
  element: HTMLDivElement;
  /** The view's current projection, or null when it shows nothing. */
  projector(): ViewProjector | null;
};

export type ScrewOverlayLayer = {
  /** Redraws one view (after its camera changed) or all. */
  redraw(view?: OverlayViewId): void;
  /** True while a drag started in this view (any view: no argument) is under way. */
  isDragging(view?: OverlayViewId): boolean;
  /** Tells when a drag starts and ends, and in which view. */
  onDragActive(listener: (view: OverlayViewId, active: boolean) => void): () => void;
  dispose(): void;
};

/** Colour per status; each status has a non-colour cue too (dash pattern and glyph). */
export const STATUS_STYLE: Readonly<Record<ScrewDrawStatus, { color: string; dash: string | null; glyph: string; text: string }>> = {
  ok: { color: '#52d68a', dash: null, glyph: '', text: 'checks pass' },
  failed: { color: '#ff5b57', dash: '6 3', glyph: '\u2715', text: 'a check fails' },
  overridden: { color: '#f0a93b', dash: '10 3 2 3', glyph: '!', text: 'overridden' },
  pending: { color: '#a9bccf', dash: '2 3', glyph: '\u2026', text: 'checking' },
};

const SVG_NS = 'http://www.w3.org/2000/svg';
/** The trajectory views: during a drag in an MPR view their screw layers follow at rest, like their reformats. */
const FOLLOW_AT_REST: ReadonlySet<OverlayViewId> = new Set<TrajectoryViewId>(['inlineA', 'inlineB', 'bullseye']);
/** Within this distance of the plane a handle is drawn filled (on the slice), hollow beyond. */
const ON_PLANE_MM = 1.5;
/** Pointer movement (px) before a press on a screw becomes a drag. */
const DRAG_THRESHOLD_PX = 3;
/** Gap between the screw's edge and its label (px). */
const LABEL_OFFSET_PX = 14;
/** At most one raw pointer update is applied per this interval (raw updates come at the device's rate, up to 1 kHz). */
const RAW_UPDATE_MIN_INTERVAL_MS = 8;

type Drag = {
  view: OverlayView;
  pointerId: number;
  screwId: string;
  handle: ScrewHandle;
  startCanvas: [number, number];
  startWorld: Vec3;
  startHandleLps: Vec3;
  moved: boolean;
  lastPoint: Vec3;
  lastDelta: Vec3;
  /** Client position of the last move applied (raw or frame-aligned), to skip the same input twice. */
  lastClient: [number, number] | null;
  /** performance.now() of the last move applied. */
  lastAppliedAt: number;
};

export function createScrewOverlayLayer(views: readonly OverlayView[], model: PlanOverlayModel): ScrewOverlayLayer {
  const layers = new Map<OverlayViewId, SVGSVGElement>();
  const byId = new Map<OverlayViewId, OverlayView>();
  const cleanups: Array<() => void> = [];
  const dragListeners = new Set<(view: OverlayViewId, active: boolean) => void>();
  let drag: Drag | null = null;

  for (const view of views) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('class', 'screw-layer');
    svg.setAttribute('data-screw-layer', view.id);
    // The layer lets the mouse through except on the screws themselves (pointer-events set per part).
    svg.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none;z-index:3;overflow:hidden';
    view.element.appendChild(svg);
    layers.set(view.id, svg);
    byId.set(view.id, view);
    const onDown = (evt: PointerEvent): void => startDrag(view, evt);
    // Cornerstone's tools start on mousedown: a press on a screw must not reach them.
    const stopMouse = (evt: MouseEvent): void => {
      if ((evt.target as Element | null)?.closest?.('[data-handle]')) evt.stopPropagation();
    };
    svg.addEventListener('pointerdown', onDown);
    svg.addEventListener('mousedown', stopMouse);
    cleanups.push(() => {
      svg.removeEventListener('pointerdown', onDown);
      svg.removeEventListener('mousedown', stopMouse);
      svg.remove();
    });
  }

  /** The element's box, read once per drag (a read per move would force a layout after each redraw). */
  let dragRect: DOMRect | null = null;
  function canvasPoint(view: OverlayView, evt: PointerEvent): [number, number] {
    const rect = dragRect ?? view.element.getBoundingClientRect();
    return [evt.clientX - rect.left, evt.clientY - rect.top];
  }

  function startDrag(view: OverlayView, evt: PointerEvent): void {
    if (evt.button !== 0 || drag) return;
    const target = (evt.target as Element | null)?.closest?.('[data-handle]');
    const group = target?.closest('[data-screw-id]');
    if (!target || !group) return;
    const screwId = group.getAttribute('data-screw-id')!;
    const handle = target.getAttribute('data-handle') as ScrewHandle;
    const screw = model.screw(screwId);
    const projector = view.projector();
    if (!screw || !projector) return;
    evt.preventDefault();
    evt.stopPropagation();
    dragRect = view.element.getBoundingClientRect();
    const startCanvas = canvasPoint(view, evt);
    const startWorld = projector.canvasToWorld(startCanvas);
    const startHandleLps: Vec3 = handle === 'entry' ? [...screw.entryLps] : handle === 'tip' ? [...screw.tipLps] : startWorld;
    drag = { view, pointerId: evt.pointerId, screwId, handle, startCanvas, startWorld, startHandleLps, moved: false, lastPoint: startHandleLps, lastDelta: [0, 0, 0], lastClient: null, lastAppliedAt: -Infinity };
    window.addEventListener('pointerrawupdate', onRawMove, true);
    window.addEventListener('pointermove', onMove, true);
    window.addEventListener('pointerup', onUp, true);
    window.addEventListener('pointercancel', onUp, true);
    setLayersComposited(true);
    rest.reset();
    for (const l of dragListeners) l(view.id, true);
    if (model.selectedId() !== screwId) model.emitSelect(screwId);
  }

  function dragPoint(evt: PointerEvent): { point: Vec3; delta: Vec3 } | null {
    if (!drag) return null;
    const projector = drag.view.projector();
    if (!projector) return null;
    // The move in the view's plane: the difference of two points on the plane.
    const now = projector.canvasToWorld(canvasPoint(drag.view, evt));
    const delta: Vec3 = [now[0] - drag.startWorld[0], now[1] - drag.startWorld[1], now[2] - drag.startWorld[2]];
    const point: Vec3 = [drag.startHandleLps[0] + delta[0], drag.startHandleLps[1] + delta[1], drag.startHandleLps[2] + delta[2]];
    return { point, delta };
  }

  /**
   * Drag input comes two ways. `pointermove` is what every browser sends, and Chromium holds it back to
   * the start of the next frame (on a software GPU a frame of this page takes tens of ms, and the
   * pointer event waits for it). Where the browser has it (Chromium, in a secure context),
   * `pointerrawupdate` arrives as soon as the input does: the drag takes it, so the screw is moved and
   * its check asked for before the frame, and the next frame shows the new position with its check's
   * result (with `pointermove` alone, the result of the check asked for at the frame came a frame later).
   * The frame-aligned `pointermove` of the same input then finds its position applied and does nothing;
   * it still applies any position the raw updates did not (those thinned out below, browsers without raw
   * updates), so the drag never ends anywhere but under the pointer. The listener for raw updates is
   * there only during a drag: while it is registered Chromium hit tests each raw input on the main thread.
   */
  function onRawMove(evt: Event): void {
    const e = evt as PointerEvent;
    if (!drag || e.pointerId !== drag.pointerId) return;
    if (performance.now() - drag.lastAppliedAt < RAW_UPDATE_MIN_INTERVAL_MS) return;
    applyMove(e);
  }

  function onMove(evt: PointerEvent): void {
    if (!drag || evt.pointerId !== drag.pointerId) return;
    evt.stopPropagation();
    evt.preventDefault();
    applyMove(evt);
  }

  function applyMove(evt: PointerEvent): void {
    if (!drag) return;
    const last = drag.lastClient;
    if (last && last[0] === evt.clientX && last[1] === evt.clientY) return;
    if (!drag.moved) {
      const c = canvasPoint(drag.view, evt);
      if (Math.hypot(c[0] - drag.startCanvas[0], c[1] - drag.startCanvas[1]) < DRAG_THRESHOLD_PX) return;
      drag.moved = true;
    }
    const p = dragPoint(evt);
    if (!p) return;
    drag.lastClient = [evt.clientX, evt.clientY];
    drag.lastAppliedAt = performance.now();
    drag.lastPoint = p.point;
    drag.lastDelta = p.delta;
    model.emitDrag({ screwId: drag.screwId, handle: drag.handle, pointLps: p.point, deltaLps: p.delta, phase: 'move' });
  }

  function onUp(evt: PointerEvent): void {
    if (!drag || evt.pointerId !== drag.pointerId) return;
    evt.stopPropagation();
    const d = drag;
    const p = evt.type === 'pointerup' ? dragPoint(evt) : null;
    endDrag();
    if (d.moved) {
      const point = p?.point ?? d.lastPoint;
      const delta = p?.delta ?? d.lastDelta;
      model.emitDrag({ screwId: d.screwId, handle: d.handle, pointLps: point, deltaLps: delta, phase: 'end' });
    }
  }

  function endDrag(): void {
    if (!drag) return;
    const view = drag.view.id;
    drag = null;
    dragRect = null;
    window.removeEventListener('pointerrawupdate', onRawMove, true);
    window.removeEventListener('pointermove', onMove, true);
    window.removeEventListener('pointerup', onUp, true);
    window.removeEventListener('pointercancel', onUp, true);
    setLayersComposited(false);
    rest.reset();
    flushAtRest();
    for (const l of dragListeners) l(view, false);
  }

  /**
   * During a drag the screw layers are the only thing that changes on every move: each gets a
   * compositor layer of its own (`will-change: transform`), so a move re-rasters the layer and not
   * the page tiles under it (the viewport canvases are painted with the page: viewportCanvas.ts).
   * At rest they go back into the page's tiles: fewer layers make every other frame cheaper on a
   * software GPU (bench/README "Why the viewport canvases cost every frame").
   *
   * While composited they are also put above the view's other layers (z-index 4: the corner texts
   * and orientation letters of .view-overlay, the structure-handle and brush layers, all z-index 3
   * after them in the cell). Left under those, every one of them overlapped a composited layer and
   * became (squashed into) a composited layer too: three more layers of 0.2-0.4 Mpx, mostly
   * transparent, blended into every frame of the drag (src/ui/plan/README.md, "What the
   * compositor draws during a drag"). The price: during a drag a screw drawn across a corner text covers it
   * instead of passing under it; at rest the order is as before.
   */
  function setLayersComposited(on: boolean): void {
    for (const svg of layers.values()) {
      svg.style.willChange = on ? 'transform' : '';
      svg.style.zIndex = on ? '4' : '3';
    }
  }

  /** Per view, the group drawn for each screw; patched in place on every redraw (see patchNode). */
  const groups = new Map<OverlayViewId, Map<string, SVGGElement>>();
  function redrawView(view: OverlayView): void {
    const svg = layers.get(view.id)!;
    const projector = view.projector();
    let drawn = groups.get(view.id);
    if (!drawn) groups.set(view.id, (drawn = new Map()));
    const keep = new Set<string>();
    if (projector) {
      const toCanvas = affineToCanvas(projector);
      const selected = model.selectedId();
      // The selected screw last: on top, its handles reachable.
      const screws = [...model.screws()].sort((a, b) => Number(a.id === selected) - Number(b.id === selected));
      let before: ChildNode | null = svg.firstChild;
      for (const screw of screws) {
        const next = drawScrew(screw, screw.id === selected, projector.plane, toCanvas);
        let g = drawn.get(screw.id);
        if (g) patchNode(g, next);
        else drawn.set(screw.id, (g = createNode(next) as SVGGElement));
        keep.add(screw.id);
        if (g !== before) svg.insertBefore(g, before);
        before = g.nextSibling;
      }
    }
    for (const [id, g] of [...drawn]) {
      if (keep.has(id)) continue;
      g.remove();
      drawn.delete(id);
    }
  }

  // During a drag the view under the pointer is redrawn at once; the others at most once per animation frame,
  // except the trajectory views during a drag in an MPR view (see atRest).
  const deferred = new Set<OverlayView>();
  let deferredFrame = 0;
  const flushDeferred = (): void => {
    deferredFrame = 0;
    const pending = [...deferred];
    deferred.clear();
    for (const v of pending) redrawView(v);
  };
  /**
   * During a drag in an MPR view the trajectory views' screw layers follow like their reformats: when the
   * pointer rests (the same rule, viewer/dragRest.ts), when their camera changes (redraw(view), after each
   * of their frames) and when the drag ends; not on every move. Their CT keeps the last rest's planes while
   * the pointer moves, so the screw drawn over it is the one those planes were cut along (the text under
   * the strip says the views follow when you pause). Redrawn on every move, the three layers were
   * re-rastered and composited on every frame: about 20 ms of a 53 ms move on SwiftShader (a same-page
   * probe with them hidden, src/ui/plan/README.md "What the compositor draws during a drag").
   */
  const atRest = new Set<OverlayView>();
  const flushAtRest = (): void => {
    const pending = [...atRest];
    atRest.clear();
    for (const v of pending) redrawView(v);
  };
  const rest = createDragRest(flushAtRest);

  return {
    redraw(viewId) {
      if (viewId) {
        const v = byId.get(viewId);
        if (v) {
          deferred.delete(v);
          atRest.delete(v);
          redrawView(v);
        }
        return;
      }
      if (!drag) {
        deferred.clear();
        atRest.clear();
        for (const v of views) redrawView(v);
        return;
      }
      redrawView(drag.view);
      const fromMpr = !FOLLOW_AT_REST.has(drag.view.id);
      for (const v of views) {
        if (v === drag.view) continue;
        if (fromMpr && FOLLOW_AT_REST.has(v.id)) atRest.add(v);
        else deferred.add(v);
      }
      if (atRest.size > 0) rest.update();
      if (deferred.size > 0) deferredFrame ||= requestAnimationFrame(flushDeferred);
    },
    isDragging: (viewId) => drag !== null && (viewId === undefined || drag.view.id === viewId),
    onDragActive(l) {
      dragListeners.add(l);
      return () => dragListeners.delete(l);
    },
    dispose() {
      endDrag();
      rest.dispose();
      atRest.clear();
      if (deferredFrame) cancelAnimationFrame(deferredFrame);
      deferred.clear();
      dragListeners.clear();
      for (const c of cleanups) c();
      layers.clear();
      groups.clear();
    },
  };
}

// --- drawing ------------------------------------------------------------------

/**
 * A screw's drawing as plain data (tag, attributes, text, children): a redraw computes it and
 * patches the screw's existing SVG group (patchNode), so a drag writes the attributes that
 * changed on the same nodes instead of building the layer anew on every pointer event (new
 * nodes need style resolution and a full layout of the layer; issue #6).
 */
export type DrawNode = {
  tag: string;
  attrs: Record<string, string>;
  textContent: string | null;
  children: DrawNode[];
  appendChild(child: DrawNode): DrawNode;
};

function el(tag: keyof SVGElementTagNameMap, attrs: Record<string, string | number | null>): DrawNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (v !== null) a[k] = String(v);
  const node: DrawNode = {
    tag,
    attrs: a,
    textContent: null,
    children: [],
    appendChild(child) {
      node.children.push(child);
      return child;
    },
  };
  return node;
}

/** What each element was last drawn from (attributes and text are compared with it, not read back). */
const drawnFrom = new WeakMap<Element, DrawNode>();

export function createNode(d: DrawNode): SVGElement {
  const node = document.createElementNS(SVG_NS, d.tag) as SVGElement;
  for (const [k, v] of Object.entries(d.attrs)) node.setAttribute(k, v);
  if (d.textContent !== null) node.textContent = d.textContent;
  for (const c of d.children) node.appendChild(createNode(c));
  drawnFrom.set(node, d);
  return node;
}

/** Makes `node` (drawn from an earlier DrawNode of the same tag) match `d`, writing only what differs. */
export function patchNode(node: SVGElement, d: DrawNode): void {
  const prev = drawnFrom.get(node);
  const prevAttrs = prev?.attrs ?? {};
  for (const [k, v] of Object.entries(d.attrs)) if (prevAttrs[k] !== v) node.setAttribute(k, v);
  for (const k of Object.keys(prevAttrs)) if (!(k in d.attrs)) node.removeAttribute(k);
  if (d.textContent !== null) {
    if (prev?.textContent !== d.textContent) node.textContent = d.textContent;
  } else {
    let child = node.firstElementChild as SVGElement | null;
    for (const c of d.children) {
      if (!child) {
        node.appendChild(createNode(c));
        continue;
      }
      const next = child.nextElementSibling as SVGElement | null;
      if (child.tagName === c.tag) patchNode(child, c);
      else node.replaceChild(createNode(c), child);
      child = next;
    }
    while (child) {
      const next = child.nextElementSibling as SVGElement | null;
      child.remove();
      child = next;
    }
  }
  drawnFrom.set(node, d);
}

const pointsAttr = (pts: readonly (readonly [number, number])[]): string => pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' ');

/** The label text: the screw's name and the glyph of its status ("S1 L ✕"). */
export function screwLabelText(screw: Pick<ScrewOverlay, 'label' | 'status'>): string {
  const glyph = STATUS_STYLE[screw.status].glyph;
  return glyph ? `${screw.label} ${glyph}` : screw.label;
}

/**
 * The view's LPS -> canvas map as an affine map of the in-plane coordinates, from three calls of
 * the viewport's own worldToCanvas: exact for an orthographic camera (pan, zoom, flips included),
 * and a few multiplications per point instead of Cornerstone's per-call matrix work (a redraw
 * maps hundreds of points, on every drag event).
 */
export function affineToCanvas(projector: ViewProjector): (p: Readonly<Vec3>) => [number, number] {
  const f = projector.plane.pointLps;
  const n = projector.plane.normalLps;
  const helper: Vec3 = Math.abs(n[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const e1u: Vec3 = [n[1] * helper[2] - n[2] * helper[1], n[2] * helper[0] - n[0] * helper[2], n[0] * helper[1] - n[1] * helper[0]];
  const l1 = Math.hypot(e1u[0], e1u[1], e1u[2]);
  const e1: Vec3 = [e1u[0] / l1, e1u[1] / l1, e1u[2] / l1];
  const e2: Vec3 = [n[1] * e1[2] - n[2] * e1[1], n[2] * e1[0] - n[0] * e1[2], n[0] * e1[1] - n[1] * e1[0]];
  const c0 = projector.worldToCanvas(f);
  const c1 = projector.worldToCanvas([f[0] + e1[0] * 100, f[1] + e1[1] * 100, f[2] + e1[2] * 100]);
  const c2 = projector.worldToCanvas([f[0] + e2[0] * 100, f[1] + e2[1] * 100, f[2] + e2[2] * 100]);
  const ax = (c1[0] - c0[0]) / 100, ay = (c1[1] - c0[1]) / 100;
  const bx = (c2[0] - c0[0]) / 100, by = (c2[1] - c0[1]) / 100;
  return (p) => {
    const dx = p[0] - f[0], dy = p[1] - f[1], dz = p[2] - f[2];
    const u = dx * e1[0] + dy * e1[1] + dz * e1[2];
    const v = dx * e2[0] + dy * e2[1] + dz * e2[2];
    return [c0[0] + ax * u + bx * v, c0[1] + ay * u + by * v];
  };
}

export function drawScrew(screw: ScrewOverlay, selected: boolean, plane: PlaneLps, toCanvas: (p: Readonly<Vec3>) => [number, number]): DrawNode {
  const style = STATUS_STYLE[screw.status];
  const cut = computeScrewInPlane(screw, plane);
  const g = el('g', {
    'data-screw-id': screw.id,
    'data-status': screw.status,
    'data-kind': cut.kind,
    'data-selected': selected ? '1' : '0',
    'data-entry-offset-mm': cut.entryOffsetMm.toFixed(2),
    'data-tip-offset-mm': cut.tipOffsetMm.toFixed(2),
  });
  g.appendChild(el('title', {})).textContent = `${screw.label}: ${style.text}`;
  const weight = selected ? 1 : 0.75;

  // Skin entry to bone entry: the path the needle takes before the screw. Not in a view that
  // cuts the screw across: there the path projects onto the section and only clutters it.
  if (screw.skinEntryLps && cut.kind !== 'crossSection') {
    const s = toCanvas(screw.skinEntryLps);
    const e = toCanvas(cut.entryOnPlaneLps);
    g.appendChild(el('line', { x1: s[0], y1: s[1], x2: e[0], y2: e[1], stroke: '#5fd3ff', 'stroke-width': 1.2, 'stroke-dasharray': '4 4', 'stroke-opacity': 0.55 * weight, 'data-part': 'path', 'pointer-events': 'none' }));
    const arm = 5;
    g.appendChild(el('path', { d: `M${s[0] - arm},${s[1]}h${2 * arm}M${s[0]},${s[1] - arm}v${2 * arm}`, stroke: '#ff5fd0', 'stroke-width': 1.5, 'stroke-opacity': 0.8 * weight, 'data-part': 'skin', 'pointer-events': 'none' }));
  }

  // The whole screw projected on the plane: faint, so the part in the plane stands out.
  const projection = cut.projectionLps.map(toCanvas);
  g.appendChild(
    el('polygon', {
      points: pointsAttr(projection),
      fill: 'none',
      stroke: style.color,
      'stroke-width': 1,
      'stroke-opacity': cut.kind === 'none' ? 0.45 * weight : 0.3 * weight,
      'stroke-dasharray': '3 3',
      'data-part': 'projection',
      'pointer-events': 'none',
    }),
  );
  if (cut.sectionLps) {
    g.appendChild(
      el('polygon', {
        points: pointsAttr(cut.sectionLps.map(toCanvas)),
        fill: style.color,
        'fill-opacity': cut.kind === 'crossSection' ? 0.35 : 0.18,
        stroke: style.color,
        'stroke-width': cut.kind === 'crossSection' ? (selected ? 2 : 1.5) : 0.75,
        'stroke-dasharray': style.dash,
        'data-part': 'section',
        'pointer-events': 'none',
      }),
    );
  }
  if (cut.kind === 'outline' && cut.inPlaneEdgesLps) {
    for (const [a, b] of cut.inPlaneEdgesLps) {
      const p = toCanvas(a);
      const q = toCanvas(b);
      g.appendChild(el('line', { x1: p[0], y1: p[1], x2: q[0], y2: q[1], stroke: style.color, 'stroke-width': selected ? 2.25 : 1.75, 'stroke-dasharray': style.dash, 'data-part': 'outline', 'pointer-events': 'none' }));
    }
  }
  // Body hit area: the projection, a little wider than drawn so a thin screw can be grabbed.
  g.appendChild(el('polygon', { points: pointsAttr(projection), fill: 'transparent', stroke: 'transparent', 'stroke-width': 8, 'data-handle': 'body', 'pointer-events': 'all', style: 'cursor:move' }));

  // Label beside the entry end, on the screen-up side of the screw, clear of the outline and the handles;
  // beside a cross-section (entry and tip project together), above it.
  const e = toCanvas(cut.entryOnPlaneLps);
  const t = toCanvas(cut.tipOnPlaneLps);
  let ax = t[0] - e[0];
  let ay = t[1] - e[1];
  const axisPx = Math.hypot(ax, ay);
  if (axisPx < 1e-6) {
    ax = 1;
    ay = 0;
  } else {
    ax /= axisPx;
    ay /= axisPx;
  }
  let px = -ay;
  let py = ax;
  if (py > 0 || (py === 0 && px < 0)) {
    px = -px;
    py = -py;
  }
  const c0 = toCanvas(cut.projectionLps[0]!);
  const radiusPx = Math.max(3, Math.hypot(c0[0] - t[0], c0[1] - t[1]));
  const short = axisPx < 3 * radiusPx;
  const anchor = short ? [(e[0] + t[0]) / 2, (e[1] + t[1]) / 2] : [e[0] + ax * Math.min(axisPx / 3, 30), e[1] + ay * Math.min(axisPx / 3, 30)];
  const lx = anchor[0]! + px * (radiusPx + LABEL_OFFSET_PX);
  const ly = anchor[1]! + py * (radiusPx + LABEL_OFFSET_PX);
  // Placed by its group's translation, not by x/y: moving it then needs no new text layout (SVG text
  // re-runs its chunking and shaping when x/y change: 1-2 ms per dragged move over the three views).
  const labelAt = el('g', { transform: `translate(${lx.toFixed(1)} ${ly.toFixed(1)})`, 'data-part': 'label-position', 'pointer-events': 'none' });
  const label = el('text', {
    x: 0,
    y: 0,
    fill: style.color,
    'font-size': selected ? 13 : 12,
    'font-weight': selected ? 700 : 600,
    'text-anchor': 'middle',
    'dominant-baseline': 'middle',
    stroke: '#000',
    'stroke-width': 3,
    'stroke-opacity': 0.85,
    'paint-order': 'stroke',
    'data-part': 'label',
    'pointer-events': 'none',
    'font-family': 'system-ui, sans-serif',
  });
  label.textContent = screwLabelText(screw);
  labelAt.appendChild(label);
  g.appendChild(labelAt);

  // Entry and tip handles: larger for the selected screw; filled when the point is on this slice.
  const handleRadius = selected ? 6 : 3.5;
  const handles: Array<[ScrewHandle, [number, number], number]> = [
    ['entry', e, cut.entryOffsetMm],
    ['tip', t, cut.tipOffsetMm],
  ];
  for (const [handle, p, offset] of handles) {
    const onPlane = Math.abs(offset) <= ON_PLANE_MM;
    // Across a cross-section both ends project onto it: an end far from the plane would only hide the
    // section (and the two handles would sit on each other). Drag the body there, or the end on the plane.
    if (cut.kind === 'crossSection' && !onPlane) continue;
    g.appendChild(
      el('circle', {
        cx: p[0],
        cy: p[1],
        r: handleRadius,
        fill: onPlane ? style.color : '#000',
        'fill-opacity': onPlane ? 0.9 : 0.35,
        stroke: selected ? '#fff' : style.color,
        'stroke-width': selected ? 1.5 : 1,
        'data-handle': handle,
        'data-on-plane': onPlane ? '1' : '0',
        'pointer-events': 'all',
        style: 'cursor:grab',
      }),
    );
  }
  return g;
}
