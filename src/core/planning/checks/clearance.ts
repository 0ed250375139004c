import type { FieldSet } from '../../fields/FieldSet';
import { capsuleFieldClearance, createClearanceResult } from '../../collision/fieldClearance';
import type { StructureId } from '../../shared/ids';
import type { CheckResult, PlanSettings, Screw } from '../types';
import { makeResult, mm } from './result';

const scratch = createClearanceResult();
/** Float32 fields and trilinear blending: a sample within this of the cap counts as capped, mm. */
const CAP_EPSILON_MM = 1e-3;

/**
 * Clearance of the whole screw (capsule of the screw's radius around the
 * entry-tip axis) to one critical structure, from its distance field:
 * valueMm = min over axis samples of dist(p) - radius; required
 * `settings.safetyMarginMm`. `toleranceMm` covers the voxel discretisation of
 * the structure and the sampling step. Returns null when the field set has no
 * field for the structure.
 */
export function checkClearance(fields: FieldSet, screw: Screw, structureId: StructureId, settings: PlanSettings, toleranceMm: number, stepMm: number): CheckResult | null {
  const field = fields.structures[structureId];
  if (!field) return null;
  const outside = fields.structureMarginMm ?? 1e4;
  const r = capsuleFieldClearance(scratch, field, outside, screw.entryLps, screw.tipLps, screw.diameterMm / 2, stepMm);
  const t = r.atT;
  const e = screw.entryLps, q = screw.tipLps;
  const value = r.clearanceMm;
  // Beyond its sub-box the field holds the cap `outside`: when the smallest sample IS the cap, it came
  // from outside the box and the true clearance is at least the value (maybe much more). A smallest
  // sample above the cap means every sample lay inside the box: a measurement.
  const isLowerBound = fields.structureMarginMm !== undefined && Math.abs(r.clearanceMm + screw.diameterMm / 2 - outside) <= CAP_EPSILON_MM;
  return makeResult('clearance', value, settings.safetyMarginMm, toleranceMm,
    ({ ok }) => `${ok ? 'clears' : 'too close to'} ${structureId}: ${isLowerBound ? `more than ${Math.floor(value)} mm` : mm(value)} (needs ${mm(settings.safetyMarginMm)} + ${mm(toleranceMm)} voxel uncertainty)`,
    { structureId, atLps: [e[0] + (q[0] - e[0]) * t, e[1] + (q[1] - e[1]) * t, e[2] + (q[2] - e[2]) * t], ...(isLowerBound ? { isLowerBound: true } : {}) });
}
