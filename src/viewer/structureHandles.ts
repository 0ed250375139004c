/**
 * Draggable handles of the critical structure being edited, over the MPR
 * views (an SVG layer per view, like the brush cursor): a foramen or joint
 * centre, or each point of a root's or the canal's centreline.
 *
 * Drawing: in each view, a handle is drawn when the view plane passes within
 * its radius (the model's cross-section there is a ring of radius
 * sqrt(r² - d²)); the grab dot is filled when the point lies in the slice
 * shown (within half a voxel), hollow when it is off the plane.
 *
 * Dragging: a left press within GRAB_PX of a dot grabs that handle whatever
 * the primary tool (the press is taken from Cornerstone and the crosshair:
 * capture phase, default prevented so no mouse events follow). The handle
 * moves by the pointer's movement in the view plane (it keeps its depth), is
 * redrawn at once in every view, and the drag is reported as structureDrag
 * changes; Escape cancels it. Nothing here changes a model: the UI applies
 * the edit (core/anatomy/editStructures) on 'end'.
 */
import type { Vec3 } from '../core/geometry/vec3';
import { MPR_VIEWS, type MprViewId, type StructureHandle, type ViewerChange } from './ViewerPort';

/** Distance (CSS px) from a grab dot's centre within which a press grabs it. */
export const GRAB_PX = 10;
/** Grab dot radius (CSS px): small, so the structure under it stays visible; the grab zone is GRAB_PX. */
const DOT_PX = 3;

export type StructureHandlesDeps = {
  elements: Readonly<Record<MprViewId, HTMLDivElement>>;
  /** False while no volume is shown. */
  enabled(): boolean;
  canvasToWorld(view: MprViewId, pointCanvas: readonly [number, number]): Vec3;
  worldToCanvas(view: MprViewId, pointLps: Readonly<Vec3>): [number, number];
  /** The view's plane: unit normal, a point on it (LPS), the unit screen-right vector, and half the slice spacing along the normal (mm). */
  plane(view: MprViewId): { normalLps: Vec3; pointLps: Vec3; rightLps: Vec3; halfSliceMm: number };
  emit(change: ViewerChange): void;
};

export type StructureHandles = {
  show(handles: readonly StructureHandle[] | null): void;
  /** Redraws after a camera change (slice, pan, zoom). */
  redraw(): void;
  /** Cancels a drag in progress (tool change, volume released). */
  cancel(): void;
  dispose(): void;
};

type Drag = { view: MprViewId; index: number; startLps: Vec3; downWorld: Vec3; pointLps: Vec3 };

const svgNs = 'http://www.w3.org/2000/svg';

export function createStructureHandles(deps: StructureHandlesDeps): StructureHandles {
  let handles: StructureHandle[] = [];
  let drag: Drag | null = null;
  const layers = {} as Record<MprViewId, SVGSVGElement>;
  for (const view of MPR_VIEWS) {
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'structure-handle-layer');
    svg.setAttribute('data-structure-handles', view);
    svg.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none;z-index:3;overflow:hidden';
    deps.elements[view].appendChild(svg);
    layers[view] = svg;
  }

  const pointOf = (i: number): Vec3 => (drag && drag.index === i ? drag.pointLps : handles[i]!.pointLps);

  /** Where handle i is drawn in `view` (canvas px), its ring radius (px) and whether it lies in the slice; null when the plane misses it. */
  function placement(view: MprViewId, i: number): { x: number; y: number; ringPx: number; inSlice: boolean } | null {
    const h = handles[i]!;
    const p = pointOf(i);
    const pl = deps.plane(view);
    const d = (p[0] - pl.pointLps[0]) * pl.normalLps[0] + (p[1] - pl.pointLps[1]) * pl.normalLps[1] + (p[2] - pl.pointLps[2]) * pl.normalLps[2];
    const inSlice = Math.abs(d) <= pl.halfSliceMm + 1e-6;
    if (!inSlice && Math.abs(d) > h.radiusMm) return null;
    const [x, y] = deps.worldToCanvas(view, p);
    const ringMm = Math.sqrt(Math.max(0, h.radiusMm * h.radiusMm - d * d));
    const r = pl.rightLps;
    const [x2, y2] = deps.worldToCanvas(view, [p[0] + r[0] * ringMm, p[1] + r[1] * ringMm, p[2] + r[2] * ringMm]);
    return { x, y, ringPx: Math.hypot(x2 - x, y2 - y), inSlice };
  }

  function draw(): void {
    for (const view of MPR_VIEWS) {
      const svg = layers[view];
      svg.replaceChildren();
      if (!deps.enabled()) continue;
      handles.forEach((h, i) => {
        const at = placement(view, i);
        if (!at) return;
        const active = drag?.index === i;
        const g = document.createElementNS(svgNs, 'g');
        g.setAttribute('data-handle', h.handleId);
        g.setAttribute('data-x', at.x.toFixed(2));
        g.setAttribute('data-y', at.y.toFixed(2));
        g.setAttribute('data-in-slice', at.inSlice ? '1' : '0');
        const title = document.createElementNS(svgNs, 'title');
        title.textContent = `${h.label}: drag to move`;
        const ring = document.createElementNS(svgNs, 'circle');
        ring.setAttribute('cx', String(at.x));
        ring.setAttribute('cy', String(at.y));
        ring.setAttribute('r', String(Math.max(at.ringPx, DOT_PX + 4)));
        ring.setAttribute('fill', 'none');
        ring.setAttribute('stroke', '#ffd400');
        ring.setAttribute('stroke-width', active ? '2' : '1.5');
        ring.setAttribute('stroke-dasharray', at.inSlice ? '' : '3 3');
        const dot = document.createElementNS(svgNs, 'circle');
        dot.setAttribute('cx', String(at.x));
        dot.setAttribute('cy', String(at.y));
        dot.setAttribute('r', String(DOT_PX));
        dot.setAttribute('fill', at.inSlice ? '#ffd400' : 'rgba(0,0,0,0.4)');
        dot.setAttribute('stroke', active ? '#ffffff' : '#ffd400');
        dot.setAttribute('stroke-width', '1');
        g.append(title, ring, dot);
        svg.append(g);
      });
    }
  }

  const canvasPoint = (view: MprViewId, evt: PointerEvent): [number, number] => {
    const rect = deps.elements[view].getBoundingClientRect();
    return [evt.clientX - rect.left, evt.clientY - rect.top];
  };

  const report = (phase: 'start' | 'move' | 'end' | 'cancel', d: Drag, pointLps: Vec3): void =>
    deps.emit({ kind: 'structureDrag', view: d.view, handleId: handles[d.index]!.handleId, phase, pointLps: [pointLps[0], pointLps[1], pointLps[2]] });

  const cleanups: Array<() => void> = [];
  for (const view of MPR_VIEWS) {
    const el = deps.elements[view];
    const onDown = (evt: PointerEvent): void => {
      if (evt.button !== 0 || drag || handles.length === 0 || !deps.enabled()) return;
      const [cx, cy] = canvasPoint(view, evt);
      let best = -1;
      let bestPx = GRAB_PX;
      handles.forEach((_, i) => {
        const at = placement(view, i);
        if (!at) return;
        const dPx = Math.hypot(at.x - cx, at.y - cy);
        if (dPx <= bestPx) {
          bestPx = dPx;
          best = i;
        }
      });
      if (best < 0) return;
      // The press is ours: no crosshair move, no Cornerstone tool, no mouse events after it.
      evt.preventDefault();
      evt.stopImmediatePropagation();
      const start = handles[best]!.pointLps;
      drag = { view, index: best, startLps: [start[0], start[1], start[2]], downWorld: deps.canvasToWorld(view, [cx, cy]), pointLps: [start[0], start[1], start[2]] };
      report('start', drag, drag.pointLps);
      draw();
    };
    el.addEventListener('pointerdown', onDown, { capture: true });
    cleanups.push(() => el.removeEventListener('pointerdown', onDown, { capture: true }));
  }
  const onMove = (evt: PointerEvent): void => {
    if (!drag) return;
    if ((evt.buttons & 1) === 0) return onUp();
    evt.preventDefault();
    const w = deps.canvasToWorld(drag.view, canvasPoint(drag.view, evt));
    // In the plane: the pointer's movement, the handle keeps its depth.
    drag.pointLps = [drag.startLps[0] + w[0] - drag.downWorld[0], drag.startLps[1] + w[1] - drag.downWorld[1], drag.startLps[2] + w[2] - drag.downWorld[2]];
    report('move', drag, drag.pointLps);
    draw();
  };
  const onUp = (): void => {
    if (!drag) return;
    const d = drag;
    drag = null;
    // Drawn at the new place until the model comes back (show) or the edit is refused (show again).
    handles[d.index] = { ...handles[d.index]!, pointLps: d.pointLps };
    report('end', d, d.pointLps);
    draw();
  };
  const cancel = (): void => {
    if (!drag) return;
    const d = drag;
    drag = null;
    report('cancel', d, d.startLps);
    draw();
  };
  const onKey = (evt: KeyboardEvent): void => {
    if (drag && evt.key === 'Escape') {
      evt.preventDefault();
      evt.stopImmediatePropagation();
      cancel();
    }
  };
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  window.addEventListener('keydown', onKey, { capture: true });
  cleanups.push(() => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
    window.removeEventListener('keydown', onKey, { capture: true });
  });

  return {
    show(next) {
      if (drag) cancel();
      handles = (next ?? []).map((h) => ({ ...h, pointLps: [h.pointLps[0], h.pointLps[1], h.pointLps[2]] as Vec3 }));
      draw();
    },
    redraw: draw,
    cancel,
    dispose() {
      drag = null;
      for (const c of cleanups) c();
      for (const view of MPR_VIEWS) layers[view].remove();
    },
  };
}
