import type { FieldSet } from '../../fields/FieldSet';
import { LABELS } from '../../shared/ids';
import type { CheckResult, PlanSettings } from '../types';
import type { AxisProfile } from './axisProfile';
import { makeResult, mm } from './result';

/**
 * Lesion span: the length of the screw axis inside the lesion must be at
 * least `requiredLesionSpanMm` (below). Purchase alone lets an axis that
 * clips 1 mm of the lesion's edge "bridge" it; the radiologist fixing a lytic
 * lesion wants the screw through it.
 *
 * Requirement: `settings.minLesionSpanMm` (default 8 mm), capped at
 * LESION_SPAN_SIZE_FRACTION (1/2) of the lesion's size (diameter of the sphere
 * of the same volume). 8 mm is about one screw diameter (6.5-7.3 mm) plus a
 * millimetre: the thread crosses lytic bone over at least its own width
 * instead of skimming the edge; in a 20 mm lesion the axis then passes within
 * 0.92 R of the centre. Half the size (a chord of R keeps the axis within
 * 0.87 R) takes over for lesions under 16 mm, so a small lesion can still be
 * bridged (a 12 mm lesion needs 6 mm). Decided on the conservative value
 * (span - voxel tolerance), like every rule. The user sets the mm figure in
 * the plan settings.
 */
export const LESION_SPAN_SIZE_FRACTION = 0.5;

/** Diameter (mm) of the sphere with the lesion's volume (mm^3); 0 for no lesion. */
export function lesionSizeMm(volumeMm3: number): number {
  return volumeMm3 > 0 ? Math.cbrt((6 * volumeMm3) / Math.PI) : 0;
}

/** The span the rule asks for, mm: min(setting, half the lesion's size); the setting alone when the size is unknown (0). */
export function requiredLesionSpanMm(settings: Pick<PlanSettings, 'minLesionSpanMm'>, lesionSizeMmValue: number): number {
  const set = settings.minLesionSpanMm ?? 0;
  return lesionSizeMmValue > 0 ? Math.min(set, LESION_SPAN_SIZE_FRACTION * lesionSizeMmValue) : set;
}

const volumeCache = new WeakMap<object, { generation: number; volumeMm3: number }>();

/**
 * Lesion volume (mm^3) of a field set: voxels inside the lesion field (or
 * labelled lesion when there is no field) times the voxel volume. One pass,
 * cached per lesion volume object and field generation (live checks reuse it).
 */
export function lesionVolumeMm3(fields: FieldSet): number {
  const key: object = fields.lesion ?? fields.labels;
  const hit = volumeCache.get(key);
  if (hit && hit.generation === fields.generation) return hit.volumeMm3;
  let n = 0;
  if (fields.lesion) {
    const v = fields.lesion.voxels;
    for (let i = 0; i < v.length; i++) if (v[i]! < 0) n++;
  } else {
    const v = fields.labels.voxels;
    for (let i = 0; i < v.length; i++) if (v[i] === LABELS.lesion) n++;
  }
  const g = (fields.lesion ?? fields.labels).geometry.spacingMm;
  const volumeMm3 = n * g[0] * g[1] * g[2];
  volumeCache.set(key, { generation: fields.generation, volumeMm3 });
  return volumeMm3;
}

/**
 * valueMm = length of the axis samples inside the lesion; required = the
 * capped requirement; figures: lesionSizeMm, settingMm. An axis that does
 * not reach the lesion fails (value 0).
 */
export function checkLesionSpan(p: AxisProfile, settings: PlanSettings, lesionSize: number, toleranceMm: number): CheckResult {
  let inLesion = 0;
  for (let s = 0; s < p.n; s++) if (p.lesion[s]! < 0) inLesion++;
  const value = inLesion * p.stepMm;
  const required = requiredLesionSpanMm(settings, lesionSize);
  const capped = required < (settings.minLesionSpanMm ?? 0) - 1e-9;
  const why = capped ? ` (half the lesion's ${mm(lesionSize)} size)` : '';
  const tol = ` + ${mm(toleranceMm)} voxel uncertainty`;
  return makeResult('lesionSpan', value, required, toleranceMm,
    ({ ok }) => inLesion === 0
      ? `lesion span 0.0 mm, needs ${mm(required)}${why}: the axis does not cross the lesion`
      : `lesion span ${mm(value)}, needs ${mm(required)}${why}${tol}${ok ? '' : ': the screw only grazes the lesion'}`,
    { figures: { lesionSizeMm: lesionSize, settingMm: settings.minLesionSpanMm ?? 0 } }, inLesion === 0);
}
