import type { FieldSet } from '../../fields/FieldSet';
import { structureLabel, type StructureId } from '../../shared/ids';
import type { CheckResult, StructuresWithoutModel } from '../types';

/**
 * Rule `structuresModelled`: clearance can only be checked to a critical structure that has a
 * model (a distance field). For each structure that limits the screw's corridor
 * (`resolveCorridor(...).limiting`) and has NO field:
 *
 * - not found on this CT (the detection did not find it, the user did not add it), or no status
 *   known at all: the check FAILS, naming the structure, so the screw shows as failed until the
 *   user adds the structure (Segmentation) or overrides the check with a reason;
 * - marked absent by the user: the check PASSES, its detail says that clearance was not checked
 *   because the user marked it absent (the user's decision, recorded with their name in the
 *   plan's structure review and printed in the report);
 * - a structure the status does not list (the plan holds a model for it) but that has no field
 *   here: FAILS too ("no distance field for its model"). The field set, not the plan, is what the
 *   clearances were measured on; a plan and fields out of step must not pass silently. (A model's
 *   field is only left out when its box, model plus the field margin, misses the field grid.)
 *
 * One row per structure (`structureId` set), so that an override names the structure it accepts
 * (overrides match on screw, rule and structure). A corridor whose limiting structures all have a
 * field gets no row at all: evaluations on fully modelled CTs are unchanged.
 *
 * The rows carry no figure (valueMm, requiredMm, marginMm NaN: nothing was measured).
 */
export function checkStructuresModelled(
  fields: Pick<FieldSet, 'structures'>,
  limiting: readonly StructureId[],
  withoutModel: StructuresWithoutModel | undefined,
): CheckResult[] {
  const out: CheckResult[] = [];
  for (const id of limiting) {
    if (fields.structures[id]) continue;
    const state = withoutModel ? withoutModel[id] : 'notFound';
    const name = structureLabel(id);
    const ok = state === 'absent';
    const why = state === undefined ? 'its model gave no distance field on this CT' : 'not found on this CT';
    out.push({
      rule: 'structuresModelled',
      ok,
      valueMm: Number.NaN,
      requiredMm: Number.NaN,
      toleranceMm: 0,
      marginMm: Number.NaN,
      structureId: id,
      detail: ok
        ? `Clearance not checked to ${name}: marked absent by the user.`
        : `Clearance NOT checked to ${name} (${why}). Find it on the images and add it in Segmentation, or override with a reason.`,
    });
  }
  return out;
}

/** True when every check passes except `structuresModelled` (the search proposes such screws; they show as failed). */
export function passesExceptModelling(checks: readonly CheckResult[]): boolean {
  return checks.every((c) => c.ok || c.rule === 'structuresModelled');
}
