import type { FieldSet } from '../../fields/FieldSet';
import type { VolumeGeometry } from '../../volume/VolumeGeometry';
import type { StructureId } from '../../shared/ids';
import { sampleTrilinearLps } from '../../volume/sampleTrilinear';
import { GRID_QUANTUM_MM, type PlannerGrid } from '../../collision/plannerGrid';
import { resolveCorridor } from '../corridors';
import type { CheckResult, PlanSettings, Screw, ScrewEvaluation, StructuresWithoutModel } from '../types';
import { findGaps, sampleAxisProfile, type AxisProfile } from './axisProfile';
import { checkClearance } from './clearance';
import { checkCorticalBreach } from './corticalBreach';
import { checkLesionSpan, lesionSizeMm, lesionVolumeMm3 } from './lesionSpan';
import { checkPurchase } from './purchase';
import { checkScrewSpacing } from './screwSpacing';
import { checkSkinPath } from './skinPath';
import { checkStructuresModelled } from './structuresModelled';
import { checkTipPosition } from './tipPosition';

export { checkClearance, checkCorticalBreach, checkLesionSpan, checkPurchase, checkScrewSpacing, checkSkinPath, checkStructuresModelled, checkTipPosition };
export { passesExceptModelling } from './structuresModelled';
export { lesionSizeMm, lesionVolumeMm3, requiredLesionSpanMm, LESION_SPAN_SIZE_FRACTION } from './lesionSpan';
export { sampleAxisProfile, findGaps, type AxisProfile } from './axisProfile';

/**
 * How far a field-based figure may be from the truth because of the voxel
 * grid, in mm. Bone depth and lesion come from signed fields whose surface
 * sits within half a voxel of the true one; structure fields (often unsigned,
 * to voxel centres) within half a voxel diagonal. The sampling step adds half
 * a step (distance fields are 1-Lipschitz). Checks decide on value - tolerance.
 */
export type FieldTolerances = {
  boneMm: number;
  /** Structure fields computed analytically from models (fields/buildFieldSet): trilinear error only. */
  structureMm: number;
  /** Structure fields that are voxel distance transforms of a label (listed in `voxelStructures`). */
  voxelStructureMm: number;
  stepMm: number;
  voxelStructures: readonly StructureId[];
};

/**
 * Tolerances for a field grid. Analytic structure fields: the trilinear error
 * of a distance to a tube of radius >= 2.5 mm is at most h^2 / 10 (h = largest
 * spacing; Hessian <= 2 / R), capped at half a voxel diagonal. Voxel-made
 * fields (EDT of a label, surface half a voxel out as computeDistanceField
 * 'halfVoxel' gives) are measured against the same label-surface convention
 * as the phantom's truth corridors ("the width the image can show"), so they
 * carry the same trilinear term; `voxelStructureMm` is kept separate so that
 * a stricter convention can be set in one place. Plus half the sampling step.
 */
export function fieldTolerances(geometry: VolumeGeometry, stepMm?: number, voxelStructures: readonly StructureId[] = []): FieldTolerances {
  const [a, b, c] = geometry.spacingMm;
  const step = stepMm ?? Math.min(0.5, Math.min(a, b, c) / 2);
  const h = Math.max(a, b, c);
  const halfDiag = 0.5 * Math.hypot(a, b, c);
  return {
    boneMm: 0.5 * h + step / 2 + GRID_QUANTUM_MM, // the cortex cover comes from the fixed-point planner grid
    structureMm: Math.min(halfDiag, (h * h) / 10) + step / 2,
    voxelStructureMm: Math.min(halfDiag, (h * h) / 10) + step / 2,
    stepMm: step,
    voxelStructures,
  };
}

export function structureToleranceMm(t: FieldTolerances, id: StructureId): number {
  return t.voxelStructures.includes(id) ? t.voxelStructureMm : t.structureMm;
}

/** Everything the checks read; build once per field generation and reuse (the profile buffers too). */
export type EvaluationContext = {
  fields: FieldSet;
  settings: PlanSettings;
  tolerances: FieldTolerances;
  /** The planner grid (its channel 0 is bone depth with the joint gaps closed); null = plain bone depth. */
  grid: PlannerGrid | null;
  /** Reused sample buffers; filled by evaluateScrew. */
  profile: AxisProfile | null;
  /**
   * Why structures have no model on this CT (the session's structure review: not found / marked
   * absent), for the `structuresModelled` rule. Absent (unknown): every limiting structure without
   * a field counts as not found, and the rule fails (the safe side).
   */
  structuresWithoutModel?: StructuresWithoutModel;
};

export function createEvaluationContext(
  fields: FieldSet, settings: PlanSettings, grid: PlannerGrid | null = null, voxelStructures: readonly StructureId[] = [], stepMm?: number,
  structuresWithoutModel?: StructuresWithoutModel,
): EvaluationContext {
  return { fields, settings, tolerances: fieldTolerances(fields.geometry, stepMm, voxelStructures), grid, profile: null, ...(structuresWithoutModel ? { structuresWithoutModel } : {}) };
}

/**
 * Runs every clinical rule on one screw (the live-check entry point, a few
 * milliseconds): purchase, cortical breach, tip position, clearance to each
 * structure that has a field, the corridor's limiting structures that have
 * none (structuresModelled), spacing to each of `others`, skin path.
 * Rules follow the screw's corridor template (joint crossings, tip bone,
 * femoral-neck tip depth). Pure: returns data, throws only on bad input.
 */
export function evaluateScrew(ctx: EvaluationContext, screw: Screw, others: readonly Screw[] = []): ScrewEvaluation {
  const { fields, settings, tolerances } = ctx;
  const corridor = resolveCorridor(screw.corridorId, screw.side ?? 'left');
  const r = screw.diameterMm / 2;
  const p = (ctx.profile = sampleAxisProfile(ctx.profile, fields, screw.entryLps, screw.tipLps, tolerances.stepMm, ctx.grid));
  const gaps = findGaps(p, settings.maxJointGapMm);
  const checks: CheckResult[] = [];

  const purchase = checkPurchase(p, settings, tolerances.boneMm);
  checks.push(purchase);
  checks.push(checkLesionSpan(p, settings, lesionSizeMm(lesionVolumeMm3(fields)), tolerances.boneMm));
  const breach = checkCorticalBreach(p, gaps, r, settings, corridor.template.jointCrossings, tolerances.boneMm);
  checks.push(breach);
  const jointField = fields.structures[corridor.jointId];
  const jointAtTip = corridor.template.tipRule === 'subchondral' && jointField ? sampleTrilinearLps(jointField, screw.tipLps, fields.structureMarginMm ?? 1e4) : null;
  checks.push(checkTipPosition(p, r, settings, corridor.template.tipRule, corridor.tipLabels, jointAtTip, tolerances.boneMm));

  let minClearanceMm = Infinity;
  let minClearanceStructure: StructureId | null = null;
  let minClearanceIsLowerBound = false;
  for (const id of Object.keys(fields.structures) as StructureId[]) {
    // The femoral-neck tip is meant to approach its own joint: the tip rule governs it.
    if (corridor.template.tipRule === 'subchondral' && id === corridor.jointId) continue;
    const c = checkClearance(fields, screw, id, settings, structureToleranceMm(tolerances, id), tolerances.stepMm);
    if (!c) continue;
    checks.push(c);
    if (c.valueMm < minClearanceMm) {
      minClearanceMm = c.valueMm;
      minClearanceStructure = id;
      minClearanceIsLowerBound = c.isLowerBound === true;
    }
  }
  // Limiting structures without a model: no clearance could be checked to them (fails unless marked absent).
  for (const c of checkStructuresModelled(fields, corridor.limiting, ctx.structuresWithoutModel)) checks.push(c);
  for (const other of others) if (other.id !== screw.id) checks.push(checkScrewSpacing(screw, other, settings));
  const skin = checkSkinPath(fields, screw, settings, tolerances.boneMm, Math.max(1, tolerances.stepMm));
  checks.push(skin.check);

  return {
    screwId: screw.id,
    ok: checks.every((c) => c.ok),
    checks,
    purchaseNearMm: purchase.figures?.nearMm ?? 0,
    purchaseFarMm: purchase.figures?.farMm ?? 0,
    lesionSpanMm: purchase.figures?.lesionSpanMm ?? 0,
    minClearanceMm,
    minClearanceStructure,
    ...(minClearanceIsLowerBound ? { minClearanceIsLowerBound: true } : {}),
    minBoneCoverMm: breach.valueMm,
    pathExitLps: skin.pathExitLps,
    uncheckedStructures: corridor.limiting.filter((id) => !fields.structures[id]),
  };
}
