import { capsuleCapsuleDistance } from '../../geometry/capsule';
import type { CheckResult, PlanSettings, Screw } from '../types';
import { makeResult, mm } from './result';

/**
 * Two screws of one plan keep `settings.screwSpacingMm` between their surfaces
 * (capsule-capsule distance, analytic: no tolerance).
 */
export function checkScrewSpacing(screw: Screw, other: Screw, settings: PlanSettings): CheckResult {
  const gap = capsuleCapsuleDistance(
    { startLps: screw.entryLps, endLps: screw.tipLps, radiusMm: screw.diameterMm / 2 },
    { startLps: other.entryLps, endLps: other.tipLps, radiusMm: other.diameterMm / 2 },
  );
  return makeResult('screwSpacing', gap, settings.screwSpacingMm, 0,
    ({ ok }) => `${ok ? '' : 'too close: '}${mm(gap)} from screw ${other.id} (needs ${mm(settings.screwSpacingMm)})`,
    { otherScrewId: other.id });
}
