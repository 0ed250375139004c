/**
 * User edits of the critical-structure models (pure, LPS millimetres): change
 * a radius, move the centre of a foramen or joint, add a foramen that
 * detection missed, redraw a root's centreline. Each returns a new
 * CriticalStructures (the input is not changed); bad input is a
 * `planning/bad-input` PlannerError with a message the user can act on.
 */
import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import type { ForamenId, RootId, StructureId } from '../shared/ids';
import type { CriticalStructures, ForamenModel } from './structures';

/** Radii a user may set (mm): below 0.5 mm nothing is protected; above 40 mm it is not one of these structures. */
export const EDIT_RADIUS_MIN_MM = 0.5;
export const EDIT_RADIUS_MAX_MM = 40;
/** Radius of an added foramen when its contralateral twin is missing too. */
export const DEFAULT_FORAMEN_RADIUS_MM = 4;
/** Channel length of an added foramen without a twin (the detector's value, sacrum.ts). */
export const DEFAULT_FORAMEN_LENGTH_MM = 15;

const finiteVec = (p: Vec3): boolean => p.length === 3 && p.every((x) => Number.isFinite(x));

function assertPoint(p: Vec3, what: string): void {
  if (!finiteVec(p)) throw new PlannerError('planning/bad-input', `${what} is not a valid point; click inside an image.`);
}

/** `id`'s model replaced by `radiusMm` (foramina, canal, roots, joints). */
export function setStructureRadius(s: CriticalStructures, id: StructureId, radiusMm: number): CriticalStructures {
  if (!Number.isFinite(radiusMm) || radiusMm < EDIT_RADIUS_MIN_MM || radiusMm > EDIT_RADIUS_MAX_MM) {
    throw new PlannerError('planning/bad-input', `Radius ${String(radiusMm)} mm is outside ${EDIT_RADIUS_MIN_MM}-${EDIT_RADIUS_MAX_MM} mm; enter a radius in millimetres.`);
  }
  let found = false;
  const hit = <T extends { id: string }>(m: T): boolean => (m.id === id ? ((found = true), true) : false);
  const next: CriticalStructures = {
    ...s,
    foramina: s.foramina.map((f) => (hit(f) ? { ...f, radiusMm } : f)),
    sacralCanal: s.sacralCanal && hit(s.sacralCanal) ? { ...s.sacralCanal, radiusMm } : s.sacralCanal,
    roots: s.roots.map((r) => (hit(r) ? { ...r, radiusMm } : r)),
    joints: s.joints.map((j) => (hit(j) ? { ...j, radiusMm } : j)),
  };
  if (!found) throw new PlannerError('planning/bad-input', `There is no model of ${id} to change; add it first.`);
  return next;
}

/** The centre of a foramen (its anterior opening) or of a hip joint sphere moved to `centerLps`. */
export function moveStructureCentre(s: CriticalStructures, id: StructureId, centerLps: Vec3): CriticalStructures {
  assertPoint(centerLps, 'The new centre');
  const c: Vec3 = [centerLps[0], centerLps[1], centerLps[2]];
  const f = s.foramina.find((x) => x.id === id);
  const j = s.joints.find((x) => x.id === id);
  if (!f && !j) throw new PlannerError('planning/bad-input', `${id} has no centre to move (only foramina and hip joints have one).`);
  return {
    ...s,
    foramina: s.foramina.map((x) => (x.id === id ? { ...x, centerLps: c } : x)),
    joints: s.joints.map((x) => (x.id === id ? { ...x, centerLps: c } : x)),
  };
}

/**
 * Point `index` of a root's or the sacral canal's centreline moved to
 * `pointLps` (the other points and the radius kept). Refuses a point that
 * would fall within 0.5 mm of its neighbour (the tube would fold there).
 */
export function moveCenterlinePoint(s: CriticalStructures, id: RootId | 'sacralCanal', index: number, pointLps: Vec3): CriticalStructures {
  assertPoint(pointLps, 'The new centreline point');
  const model = id === 'sacralCanal' ? s.sacralCanal : s.roots.find((r) => r.id === id);
  if (!model) throw new PlannerError('planning/bad-input', `There is no model of ${id} to change; add it first.`);
  if (!Number.isInteger(index) || index < 0 || index >= model.centerlineLps.length) {
    throw new PlannerError('planning/bad-input', `${id} has no centreline point ${String(index)} (it has ${model.centerlineLps.length}).`);
  }
  const p: Vec3 = [pointLps[0], pointLps[1], pointLps[2]];
  for (const n of [model.centerlineLps[index - 1], model.centerlineLps[index + 1]]) {
    if (n && Math.hypot(p[0] - n[0], p[1] - n[1], p[2] - n[2]) < 0.5) {
      throw new PlannerError('planning/bad-input', 'The point is on top of its neighbour: drag it along the course of the structure instead.');
    }
  }
  const centerlineLps = model.centerlineLps.map((q, i): Vec3 => (i === index ? p : [q[0], q[1], q[2]]));
  if (id === 'sacralCanal') return { ...s, sacralCanal: { ...s.sacralCanal!, centerlineLps } };
  return { ...s, roots: s.roots.map((r) => (r.id === id ? { ...r, centerlineLps } : r)) };
}

export function contralateralForamen(id: ForamenId): ForamenId {
  return (id.endsWith('Left') ? id.replace(/Left$/, 'Right') : id.replace(/Right$/, 'Left')) as ForamenId;
}

/**
 * A foramen that detection missed, placed at `centerLps`: radius given, else
 * the contralateral twin's, else 4 mm; axis and length those of the twin
 * mirrored across the mid-sagittal plane (L negated), else straight anterior.
 * Replaces an existing model of the same id. Notes that it was marked absent go.
 */
export function addForamen(s: CriticalStructures, id: ForamenId, centerLps: Vec3, radiusMm?: number): CriticalStructures {
  assertPoint(centerLps, 'The foramen centre');
  const twin = s.foramina.find((f) => f.id === contralateralForamen(id));
  const r = radiusMm ?? twin?.radiusMm ?? DEFAULT_FORAMEN_RADIUS_MM;
  if (!Number.isFinite(r) || r < EDIT_RADIUS_MIN_MM || r > EDIT_RADIUS_MAX_MM) {
    throw new PlannerError('planning/bad-input', `Radius ${String(r)} mm is outside ${EDIT_RADIUS_MIN_MM}-${EDIT_RADIUS_MAX_MM} mm.`);
  }
  const model: ForamenModel = {
    id,
    centerLps: [centerLps[0], centerLps[1], centerLps[2]],
    // Anterior is -P in LPS.
    axisLps: twin ? [-twin.axisLps[0], twin.axisLps[1], twin.axisLps[2]] : [0, -1, 0],
    radiusMm: r,
    lengthMm: twin?.lengthMm ?? DEFAULT_FORAMEN_LENGTH_MM,
  };
  return {
    ...s,
    foramina: [...s.foramina.filter((f) => f.id !== id), model],
    notes: s.notes.filter((n) => !n.startsWith(`${id.slice(7, 9)} foramen ${id.endsWith('Left') ? 'left' : 'right'} marked absent`)),
  };
}

/**
 * A root's centreline redrawn through `pointsLps` (in click order, at least 2,
 * consecutive points apart). Keeps its radius, else 2.5 mm for L5/S1 and 2 mm for S2
 * (the detector's proposals).
 */
export function setRootCenterline(s: CriticalStructures, id: RootId, pointsLps: readonly Vec3[]): CriticalStructures {
  const pts: Vec3[] = [];
  for (const p of pointsLps) {
    assertPoint(p, 'A centreline point');
    const last = pts[pts.length - 1];
    if (last && Math.hypot(p[0] - last[0], p[1] - last[1], p[2] - last[2]) < 0.5) continue;
    pts.push([p[0], p[1], p[2]]);
  }
  if (pts.length < 2) throw new PlannerError('planning/bad-input', 'A root needs at least two distinct points: click along its course, then Done.');
  const old = s.roots.find((r) => r.id === id);
  const radiusMm = old?.radiusMm ?? (id.startsWith('rootS2') ? 2 : 2.5);
  return {
    ...s,
    roots: [...s.roots.filter((r) => r.id !== id), { id, centerlineLps: pts, radiusMm }],
    notes: s.notes.filter((n) => !n.startsWith(`${id.slice(4, 6)} root ${id.endsWith('Left') ? 'left' : 'right'} marked absent`)),
  };
}

/** The radius of `id`'s model, or null when there is none. */
export function structureRadiusMm(s: CriticalStructures, id: StructureId): number | null {
  const m = s.foramina.find((x) => x.id === id) ?? s.roots.find((x) => x.id === id) ?? s.joints.find((x) => x.id === id) ?? (s.sacralCanal?.id === id ? s.sacralCanal : undefined);
  return m ? m.radiusMm : null;
}
