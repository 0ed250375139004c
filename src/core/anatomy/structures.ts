import type { Vec3 } from '../geometry/vec3';
import type { ForamenId, RootId, Side, StructureId } from '../shared/ids';

/**
 * Plain-data models of the critical structures (LPS millimetres), as detected by
 * the anatomy module and shown/edited by the UI. They cross worker boundaries and
 * go into plan files, so they hold no methods. Distance fields are computed from
 * them analytically (fields/buildFieldSet.ts).
 */

/** A tube: polyline centreline with a constant radius (nerve roots, sacral canal). */
export type TubeModel = {
  id: RootId | 'sacralCanal';
  centerlineLps: Vec3[];
  radiusMm: number;
};

/**
 * An anterior sacral foramen: a channel whose anterior opening is centred at
 * `centerLps` (on the anterior sacral surface), with `axisLps` a unit vector along
 * the channel pointing anteriorly, and `lengthMm` the channel length back towards
 * the canal. Its distance field is that of the segment
 * [centerLps - lengthMm * axisLps, centerLps] with radius `radiusMm`.
 */
export type ForamenModel = {
  id: ForamenId;
  centerLps: Vec3;
  axisLps: Vec3;
  radiusMm: number;
  lengthMm: number;
};

/**
 * Hip joint surface: the articular cap of the femoral head, a sphere fitted to
 * the head's surface. `capAxisLps` (unit) points from the centre towards the
 * middle of the articular surface (away from the neck); the cap spans
 * `capHalfAngleDeg` around it. Screws must stay short of it.
 */
export type JointSurfaceModel = {
  id: 'jointLeft' | 'jointRight';
  side: Side;
  centerLps: Vec3;
  radiusMm: number;
  capAxisLps: Vec3;
  capHalfAngleDeg: number;
  /** RMS distance of the fitted surface points to the sphere, mm. */
  rmsResidualMm: number;
};

export type CriticalStructures = {
  foramina: ForamenModel[];
  sacralCanal: TubeModel | null;
  roots: TubeModel[];
  joints: JointSurfaceModel[];
  /** Data-level remarks ("S4 foramina not found"). */
  notes: string[];
};

export function emptyStructures(): CriticalStructures {
  return { foramina: [], sacralCanal: null, roots: [], joints: [], notes: [] };
}

/** Every structure of a model set with its id (order: foramina, canal, roots, joints). */
export function listStructureIds(s: CriticalStructures): StructureId[] {
  const ids: StructureId[] = s.foramina.map((f) => f.id);
  if (s.sacralCanal) ids.push('sacralCanal');
  for (const r of s.roots) ids.push(r.id);
  for (const j of s.joints) ids.push(j.id);
  return ids;
}
