import type { CheckResult, PlanSettings } from '../types';
import type { TipRule } from '../corridors';
import type { AxisProfile } from './axisProfile';
import { isBoneLabel } from './axisProfile';
import { labelName, makeResult, mm } from './result';

/**
 * The tip stays inside the bone the corridor ends in, short of the joint.
 * - rule 'inBone': valueMm = bone cover of the tip ball (containment - radius), required 0.
 * - rule 'subchondral' (femoral neck): valueMm = depth of the tip point below the
 *   subchondral bone (distance to the joint surface when that field exists,
 *   else to the bone surface); required between femoralNeckTipMinMm and
 *   femoralNeckTipMaxMm (the upper bound is not safety-critical, so the
 *   tolerance applies to the lower bound only).
 * Fails when the tip ends in a bone other than `tipLabels`.
 */
export function checkTipPosition(
  p: AxisProfile,
  radiusMm: number,
  settings: PlanSettings,
  tipRule: TipRule,
  tipLabels: readonly number[],
  jointDistanceAtTipMm: number | null,
  toleranceMm: number,
): CheckResult {
  let tipLabel = 0;
  for (let s = p.n - 1, c = 0; s >= 0 && c < 6; s--, c++) {
    if (isBoneLabel(p.label[s]!)) {
      tipLabel = p.label[s]!;
      break;
    }
  }
  const wrongBone = !tipLabels.includes(tipLabel);
  const boneText = wrongBone ? `tip ends in ${tipLabel ? labelName(tipLabel) : 'no bone'}, expected ${tipLabels.map(labelName).join(' or ')}` : '';
  const tipCover = p.closed[p.n - 1]! - radiusMm;
  if (tipRule === 'subchondral') {
    const depth = jointDistanceAtTipMm ?? p.boneDepth[p.n - 1]!;
    const tooDeep = depth > settings.femoralNeckTipMaxMm;
    return makeResult('tipPosition', depth, settings.femoralNeckTipMinMm, toleranceMm, ({ ok }) =>
      wrongBone ? boneText
        : tooDeep ? `tip ${mm(depth)} below the subchondral bone: more than ${mm(settings.femoralNeckTipMaxMm)}`
          : `tip ${mm(depth)} below the subchondral bone (${ok ? 'within' : 'outside'} ${settings.femoralNeckTipMinMm}-${settings.femoralNeckTipMaxMm} mm)`,
    { figures: { tipCoverMm: tipCover, tipLabel } }, wrongBone || tooDeep || tipCover < -toleranceMm);
  }
  return makeResult('tipPosition', tipCover, 0, toleranceMm, ({ ok }) =>
    wrongBone ? boneText : ok ? `tip covered by ${mm(tipCover)} of ${labelName(tipLabel)}` : `tip breaches the cortex of ${labelName(tipLabel)} (cover ${mm(tipCover)})`,
  { figures: { tipLabel } }, wrongBone);
}
