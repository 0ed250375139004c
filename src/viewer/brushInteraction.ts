/**
 * Pointer interaction of the label tools in the MPR views: 'lesionSeed'
 * reports a click, 'brush' and 'eraser' report sphere dabs along a drag and
 * draw the brush circle (its radius in mm at the view's zoom) under the
 * pointer. Nothing here writes labels: the points go out as ViewerChanges and
 * the caller sends them to the segmentation engine, the single writer of the
 * label volume (see README: why not Cornerstone's BrushTool).
 *
 * Dab spacing: at most half the radius along the path, so a stroke is a
 * continuous tube (consecutive spheres overlap by at least half a radius).
 */
import type { Vec3 } from '../core/geometry/vec3';
import { MPR_VIEWS, type LabelTool, type MprViewId, type PrimaryTool, type ViewerChange } from './ViewerPort';

export type BrushInteractionDeps = {
  elements: Readonly<Record<MprViewId, HTMLDivElement>>;
  /** False while no volume is shown. */
  enabled(): boolean;
  canvasToWorld(view: MprViewId, pointCanvas: readonly [number, number]): Vec3;
  worldToCanvas(view: MprViewId, pointLps: Readonly<Vec3>): [number, number];
  /** Unit vector in the view plane (screen right), LPS. */
  viewRightLps(view: MprViewId): Vec3;
  emit(change: ViewerChange): void;
};

export type BrushInteraction = {
  setTool(tool: PrimaryTool): void;
  setRadiusMm(radiusMm: number): void;
  getRadiusMm(): number;
  /** Redraws the cursor after a camera change (zoom changes its size in pixels). */
  redraw(): void;
  dispose(): void;
};

export const MIN_BRUSH_RADIUS_MM = 0.5;
export const MAX_BRUSH_RADIUS_MM = 30;

const isLabelTool = (tool: PrimaryTool): tool is LabelTool => tool === 'lesionSeed' || tool === 'brush' || tool === 'eraser';

export function createBrushInteraction(deps: BrushInteractionDeps): BrushInteraction {
  let tool: PrimaryTool = 'crosshair';
  let radiusMm = 5;
  let stroke: { view: MprViewId; mode: 'add' | 'erase'; lastDab: Vec3; lastPointer: Vec3 } | null = null;
  let hover: { view: MprViewId; pointCanvas: [number, number] } | null = null;

  const svgNs = 'http://www.w3.org/2000/svg';
  const cursors = {} as Record<MprViewId, { svg: SVGSVGElement; circle: SVGCircleElement; dot: SVGCircleElement }>;
  for (const view of MPR_VIEWS) {
    const svg = document.createElementNS(svgNs, 'svg');
    svg.setAttribute('class', 'brush-cursor-layer');
    svg.setAttribute('data-brush-cursor', view);
    svg.style.cssText = 'position:absolute;inset:0;width:100%;height:100%;pointer-events:none;z-index:3';
    const circle = document.createElementNS(svgNs, 'circle');
    circle.setAttribute('fill', 'none');
    circle.setAttribute('stroke-width', '1.5');
    const dot = document.createElementNS(svgNs, 'circle');
    dot.setAttribute('r', '1.5');
    svg.append(circle, dot);
    svg.style.display = 'none';
    deps.elements[view].appendChild(svg);
    cursors[view] = { svg, circle, dot };
  }

  function drawCursor(): void {
    for (const view of MPR_VIEWS) {
      const c = cursors[view];
      const show = (tool === 'brush' || tool === 'eraser') && hover?.view === view && deps.enabled();
      c.svg.style.display = show ? '' : 'none';
      if (!show || !hover) continue;
      const centre = deps.canvasToWorld(view, hover.pointCanvas);
      const right = deps.viewRightLps(view);
      const a = deps.worldToCanvas(view, centre);
      const b = deps.worldToCanvas(view, [centre[0] + right[0] * radiusMm, centre[1] + right[1] * radiusMm, centre[2] + right[2] * radiusMm]);
      const rPx = Math.hypot(b[0] - a[0], b[1] - a[1]);
      const colour = tool === 'eraser' ? '#ffffff' : '#f028dc';
      c.circle.setAttribute('cx', String(a[0]));
      c.circle.setAttribute('cy', String(a[1]));
      c.circle.setAttribute('r', String(rPx));
      c.circle.setAttribute('stroke', colour);
      c.circle.setAttribute('stroke-dasharray', tool === 'eraser' ? '4 3' : '');
      c.circle.setAttribute('data-radius-px', rPx.toFixed(2));
      c.dot.setAttribute('cx', String(a[0]));
      c.dot.setAttribute('cy', String(a[1]));
      c.dot.setAttribute('fill', colour);
    }
  }

  const canvasPoint = (view: MprViewId, evt: PointerEvent): [number, number] => {
    const rect = deps.elements[view].getBoundingClientRect();
    return [evt.clientX - rect.left, evt.clientY - rect.top];
  };

  const dab = (view: MprViewId, mode: 'add' | 'erase', phase: 'start' | 'dab' | 'end', pointLps: Vec3): void =>
    deps.emit({ kind: 'labelStroke', view, phase, mode, pointLps: [pointLps[0], pointLps[1], pointLps[2]], radiusMm });

  /** Dabs from the last one towards `p`, every `spacing` mm. */
  function dabTowards(p: Vec3): void {
    if (!stroke) return;
    const spacing = Math.max(MIN_BRUSH_RADIUS_MM / 2, radiusMm / 2);
    let d = Math.hypot(p[0] - stroke.lastDab[0], p[1] - stroke.lastDab[1], p[2] - stroke.lastDab[2]);
    while (d >= spacing) {
      const t = spacing / d;
      const next: Vec3 = [stroke.lastDab[0] + (p[0] - stroke.lastDab[0]) * t, stroke.lastDab[1] + (p[1] - stroke.lastDab[1]) * t, stroke.lastDab[2] + (p[2] - stroke.lastDab[2]) * t];
      dab(stroke.view, stroke.mode, 'dab', next);
      stroke.lastDab = next;
      d -= spacing;
    }
  }

  const cleanups: Array<() => void> = [];
  for (const view of MPR_VIEWS) {
    const el = deps.elements[view];
    const onDown = (evt: PointerEvent): void => {
      if (!deps.enabled() || evt.button !== 0) return;
      if (tool === 'structurePoint') {
        deps.emit({ kind: 'structurePick', view, pointLps: deps.canvasToWorld(view, canvasPoint(view, evt)) });
        return;
      }
      if (!isLabelTool(tool)) return;
      const p = deps.canvasToWorld(view, canvasPoint(view, evt));
      if (tool === 'lesionSeed') {
        deps.emit({ kind: 'labelPick', view, pointLps: p });
        return;
      }
      const mode = tool === 'eraser' ? 'erase' : 'add';
      stroke = { view, mode, lastDab: p, lastPointer: p };
      dab(view, mode, 'start', p);
      dab(view, mode, 'dab', p);
    };
    const onHover = (evt: PointerEvent): void => {
      if (tool !== 'brush' && tool !== 'eraser') return;
      hover = { view, pointCanvas: canvasPoint(view, evt) };
      drawCursor();
    };
    const onLeave = (): void => {
      if (hover?.view === view) hover = null;
      drawCursor();
    };
    el.addEventListener('pointerdown', onDown);
    el.addEventListener('pointermove', onHover);
    el.addEventListener('pointerleave', onLeave);
    cleanups.push(() => {
      el.removeEventListener('pointerdown', onDown);
      el.removeEventListener('pointermove', onHover);
      el.removeEventListener('pointerleave', onLeave);
    });
  }
  const onMove = (evt: PointerEvent): void => {
    if (!stroke) return;
    if ((evt.buttons & 1) === 0) return onUp();
    const p = deps.canvasToWorld(stroke.view, canvasPoint(stroke.view, evt));
    stroke.lastPointer = p;
    dabTowards(p);
  };
  const onUp = (): void => {
    if (!stroke) return;
    const s = stroke;
    const rest = Math.hypot(s.lastPointer[0] - s.lastDab[0], s.lastPointer[1] - s.lastDab[1], s.lastPointer[2] - s.lastDab[2]);
    if (rest > radiusMm / 4) dab(s.view, s.mode, 'dab', s.lastPointer);
    stroke = null;
    dab(s.view, s.mode, 'end', s.lastPointer);
  };
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  cleanups.push(() => {
    window.removeEventListener('pointermove', onMove);
    window.removeEventListener('pointerup', onUp);
  });

  const applyCss = (): void => {
    for (const view of MPR_VIEWS) deps.elements[view].style.cursor = tool === 'lesionSeed' || tool === 'structurePoint' ? 'crosshair' : tool === 'brush' || tool === 'eraser' ? 'none' : '';
  };

  return {
    setTool(next) {
      if (stroke) onUp();
      tool = next;
      applyCss();
      drawCursor();
    },
    setRadiusMm(r) {
      if (!Number.isFinite(r)) return;
      radiusMm = Math.min(MAX_BRUSH_RADIUS_MM, Math.max(MIN_BRUSH_RADIUS_MM, r));
      drawCursor();
    },
    getRadiusMm: () => radiusMm,
    redraw: drawCursor,
    dispose() {
      for (const c of cleanups) c();
      for (const view of MPR_VIEWS) {
        cursors[view].svg.remove();
        deps.elements[view].style.cursor = '';
      }
    },
  };
}
