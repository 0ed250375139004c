import type { CheckResult, PlanSettings } from '../types';
import type { AxisGap, AxisProfile } from './axisProfile';
import { pointAt } from './axisProfile';
import { labelName, makeResult, mm } from './result';

/**
 * No cortical breach between the bone entry and the tip: the whole screw
 * cylinder stays inside the bone envelope. valueMm = the smallest bone cover
 * of the screw surface (depth - radius) over the axis, leaving out the entry
 * zone (where the screw crosses the cortex on purpose). The depth is taken
 * with the joint gaps closed (AxisProfile.closed), so that crossing the
 * sacroiliac joint does not count as a breach while the outer cortex next to
 * it still does.
 * Fails outright when the path leaves the bone anywhere else, or crosses more
 * joints than the corridor allows.
 */
export function checkCorticalBreach(
  p: AxisProfile,
  gaps: readonly AxisGap[],
  radiusMm: number,
  settings: PlanSettings,
  jointCrossingsAllowed: number,
  toleranceMm: number,
): CheckResult {
  const exempt = new Uint8Array(p.n);
  const entrySamples = Math.ceil((settings.entryZoneMm + 1.5 * radiusMm) / p.stepMm);
  // Before the first inside sample the screw has not entered bone yet: the entry zone starts there.
  let firstInside = 0;
  while (firstInside < p.n && !(p.containment[firstInside]! > 0)) firstInside++;
  for (let s = 0; s < Math.min(p.n, firstInside + entrySamples); s++) exempt[s] = 1;
  let joints = 0;
  const breaches: AxisGap[] = [];
  for (const g of gaps) {
    if (g.joint) joints++;
    else breaches.push(g);
  }
  let worst = Infinity, worstAt = -1;
  for (let s = 0; s < p.n; s++) {
    if (exempt[s]) continue;
    const c = p.closed[s]! - radiusMm;
    if (c < worst) {
      worst = c;
      worstAt = s;
    }
  }
  if (worstAt < 0) worst = 0;
  const atLps = worstAt >= 0 ? pointAt([0, 0, 0], p, worstAt) : undefined;
  const tooManyJoints = joints > jointCrossingsAllowed;
  const forceFail = breaches.length > 0 || tooManyJoints || firstInside >= p.n;
  return makeResult('corticalBreach', worst, 0, toleranceMm, ({ ok }) => {
    if (firstInside >= p.n) return 'the screw is nowhere inside bone';
    if (breaches.length > 0) {
      const b = breaches[0]!;
      return `leaves the bone for ${mm(b.lengthMm)} at ${mm(b.from * p.stepMm)} from the entry (${labelName(b.labelBefore)} -> ${labelName(b.labelAfter)})`;
    }
    if (tooManyJoints) return `crosses ${joints} joints, the corridor allows ${jointCrossingsAllowed}`;
    return ok ? `screw surface stays ${mm(worst)} inside the cortex` : `screw surface comes within ${mm(worst)} of the cortex (breach with the voxel uncertainty ${mm(toleranceMm)})`;
  }, { ...(atLps ? { atLps } : {}), figures: { jointCrossings: joints } }, forceFail);
}
