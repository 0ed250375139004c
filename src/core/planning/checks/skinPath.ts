import type { FieldSet } from '../../fields/FieldSet';
import type { Vec3 } from '../../geometry/vec3';
import { sampleTrilinearLps } from '../../volume/sampleTrilinear';
import type { CheckResult, PlanSettings, Screw } from '../types';
import { isBoneLabel } from './axisProfile';
import { labelName, makeResult, mm } from './result';

const OUTSIDE = -1e9;

/**
 * The skin entry is reachable: the straight path from the bone entry back out
 * along the screw axis (towards the skin) crosses no OTHER bone (DESIGN 1).
 * Sampled from (entryZoneMm + 1.5 radii) behind the entry (the entry cortex
 * itself is excluded) to where the path leaves the field grid. Wherever the
 * screw-sized cylinder on that path comes near bone, the bone parts within
 * reach are looked up in the label volume: a part other than the entry bone
 * counts. valueMm = the smallest distance of that cylinder from another bone
 * (-boneDepth - radius) where it reaches one, else the path's clearance from
 * any bone; required 0. Passing through another piece of the
 * entry bone itself (e.g. a flaring iliac wing) does not fail the rule but is
 * reported in the detail and in figures.sameBoneMm (where it happens).
 * Returns the check and the point where the path leaves the grid (towards the skin).
 */
export function checkSkinPath(fields: FieldSet, screw: Screw, settings: PlanSettings, toleranceMm: number, stepMm: number): { check: CheckResult; pathExitLps: Vec3 } {
  const e = screw.entryLps, t = screw.tipLps;
  const len = Math.hypot(t[0] - e[0], t[1] - e[1], t[2] - e[2]) || 1;
  const dir: Vec3 = [(t[0] - e[0]) / len, (t[1] - e[1]) / len, (t[2] - e[2]) / len];
  const r = screw.diameterMm / 2;
  const entryLabel = entryBoneLabel(fields, e, dir);
  const p: Vec3 = [0, 0, 0];
  const exit: Vec3 = [e[0], e[1], e[2]];
  // Only where the screw-sized cylinder (plus the tolerance) reaches bone is the bone part looked up.
  const reach = r + toleranceMm + 0.5 * Math.max(...fields.geometry.spacingMm);
  let worst = Infinity;
  let clearAll = Infinity;
  let worstAt: Vec3 | undefined;
  let blocker = 0, blockerMm = 0, sameBoneMm = 0;
  const skip = settings.entryZoneMm + 1.5 * r;
  for (let d = skip; d < 2000; d += stepMm) {
    p[0] = e[0] - dir[0] * d; p[1] = e[1] - dir[1] * d; p[2] = e[2] - dir[2] * d;
    const b = sampleTrilinearLps(fields.boneDepth, p, OUTSIDE);
    if (b === OUTSIDE) break;
    exit[0] = p[0]; exit[1] = p[1]; exit[2] = p[2];
    const c = -b - r;
    if (c - toleranceMm > 0) {
      if (c < clearAll) clearAll = c;
      continue; // the cylinder reaches no bone here
    }
    const other = otherBoneNear(fields, p, reach, entryLabel);
    if (other === 0) {
      if (sameBoneMm === 0) sameBoneMm = d;
      continue;
    }
    if (c < worst) {
      worst = c;
      worstAt = [p[0], p[1], p[2]];
      blocker = other;
      blockerMm = d;
    }
  }
  // No other bone within reach anywhere: the figure is the path's clearance from any bone (a lower bound).
  if (!Number.isFinite(worst)) worst = Number.isFinite(clearAll) ? clearAll : 1e4;
  const same = sameBoneMm > 0 ? `; passes through ${labelName(entryLabel)} again ${mm(sameBoneMm)} before the bone entry` : '';
  const check = makeResult('skinPath', worst, 0, toleranceMm, ({ ok }) =>
    ok ? `path to the skin stays ${worst >= 1e4 ? 'clear' : mm(worst)} of other bone${same}`
      : `path to the skin ${worst < 0 ? 'crosses' : 'grazes'} ${labelName(blocker)} ${mm(blockerMm)} before the bone entry${same}`,
  { ...(worstAt ? { atLps: worstAt } : {}), figures: { blockerLabel: blocker, sameBoneMm } });
  return { check, pathExitLps: exit };
}

function labelAt(fields: FieldSet, x: number, y: number, z: number): number {
  const g = fields.labels.geometry;
  const m = g.lpsToIjk;
  const i = Math.round(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!);
  const j = Math.round(m[1]! * x + m[5]! * y + m[9]! * z + m[13]!);
  const k = Math.round(m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
  const [ni, nj, nk] = g.dims;
  if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
  return fields.labels.voxels[i + ni * (j + nj * k)]!;
}

/** Bone part the screw enters: the first bone label within 6 mm past the entry. */
export function entryBoneLabel(fields: FieldSet, e: Readonly<Vec3>, dir: Readonly<Vec3>): number {
  for (let s = 0; s <= 6; s += 0.5) {
    const l = labelAt(fields, e[0] + dir[0] * s, e[1] + dir[1] * s, e[2] + dir[2] * s);
    if (isBoneLabel(l)) return l;
  }
  return 0;
}

/** A bone part other than `entryLabel` within `radiusMm` of p (label grid scan), or 0. */
function otherBoneNear(fields: FieldSet, p: Readonly<Vec3>, radiusMm: number, entryLabel: number): number {
  const g = fields.labels.geometry;
  const m = g.lpsToIjk;
  const [ni, nj, nk] = g.dims;
  const [si, sj, sk] = g.spacingMm;
  const ci = m[0]! * p[0] + m[4]! * p[1] + m[8]! * p[2] + m[12]!;
  const cj = m[1]! * p[0] + m[5]! * p[1] + m[9]! * p[2] + m[13]!;
  const ck = m[2]! * p[0] + m[6]! * p[1] + m[10]! * p[2] + m[14]!;
  const ri = Math.ceil(radiusMm / si), rj = Math.ceil(radiusMm / sj), rk = Math.ceil(radiusMm / sk);
  const i0 = Math.round(ci), j0 = Math.round(cj), k0 = Math.round(ck);
  const r2 = radiusMm * radiusMm;
  for (let k = Math.max(0, k0 - rk); k <= Math.min(nk - 1, k0 + rk); k++) {
    const dz = (k - ck) * sk;
    for (let j = Math.max(0, j0 - rj); j <= Math.min(nj - 1, j0 + rj); j++) {
      const dy = (j - cj) * sj;
      for (let i = Math.max(0, i0 - ri); i <= Math.min(ni - 1, i0 + ri); i++) {
        const dx = (i - ci) * si;
        if (dx * dx + dy * dy + dz * dz > r2) continue;
        const l = fields.labels.voxels[i + ni * (j + nj * k)]!;
        if (isBoneLabel(l) && l !== entryLabel) return l;
      }
    }
  }
  return 0;
}
