import type { CheckResult, PlanSettings } from '../types';
import type { AxisProfile } from './axisProfile';
import { makeResult, mm } from './result';

/**
 * Purchase: the screw must cross the lesion and hold in healthy bone for at
 * least `settings.purchaseMm` on EACH side of it (DESIGN 1). Healthy bone =
 * inside the bone envelope and outside the lesion; joint gaps do not count.
 * valueMm = the smaller of the two sides. Figures: nearMm (entry side),
 * farMm (tip side), lesionSpanMm.
 */
export function checkPurchase(p: AxisProfile, settings: PlanSettings, toleranceMm: number): CheckResult {
  let first = -1, last = -1, inLesion = 0;
  let minLesion = Infinity;
  for (let s = 0; s < p.n; s++) {
    const l = p.lesion[s]!;
    if (l < minLesion) minLesion = l;
    if (l < 0) {
      if (first < 0) first = s;
      last = s;
      inLesion++;
    }
  }
  const required = settings.purchaseMm;
  if (first < 0) {
    return makeResult('purchase', 0, required, toleranceMm,
      () => `does not cross the lesion (axis passes ${mm(minLesion)} from it)`,
      { figures: { nearMm: 0, farMm: 0, lesionSpanMm: 0 } }, true);
  }
  let near = 0, far = 0;
  for (let s = 0; s < first; s++) if (p.containment[s]! > 0 && p.lesion[s]! > 0) near++;
  for (let s = last + 1; s < p.n; s++) if (p.containment[s]! > 0 && p.lesion[s]! > 0) far++;
  const nearMm = near * p.stepMm, farMm = far * p.stepMm, lesionSpanMm = inLesion * p.stepMm;
  const value = Math.min(nearMm, farMm);
  return makeResult('purchase', value, required, toleranceMm,
    ({ ok }) => `${ok ? 'holds' : 'too little healthy bone'}: ${mm(nearMm)} before and ${mm(farMm)} beyond the lesion (needs ${mm(required)} each side)`,
    { figures: { nearMm, farMm, lesionSpanMm } });
}
