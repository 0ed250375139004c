import type { Vec3 } from '../geometry/vec3';
import type { Volume } from '../volume/Volume';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';

/**
 * Collision as field sampling (STYLE 2.4 item 8): the clearance of a capsule
 * (axis a-b, radius r) to a structure S is min over axis samples of
 * dist_S(p) - r, with trilinear sampling of S's unsigned distance field.
 *
 * Sampling error: a distance field is 1-Lipschitz, so between samples `stepMm`
 * apart the true minimum can be lower than the sampled one by at most
 * stepMm / 2. Callers that must never over-estimate add that to their margin
 * (the planner's checks report it as part of their tolerance).
 */
export type ClearanceResult = {
  /** min over samples of field(p) - radius, in mm. */
  clearanceMm: number;
  /** Parameter along a-b (0..1) of the worst sample. */
  atT: number;
};

export function createClearanceResult(): ClearanceResult {
  return { clearanceMm: Infinity, atT: 0 };
}

/**
 * Clearance of the capsule a-b (radius `radiusMm`) to one unsigned distance
 * field, sampled every `stepMm` (at least 2 samples, both ends included).
 * `outsideMm` is the value used beyond the field's grid (for a FieldSet
 * structure sub-box: `structureMarginMm`). Writes `out`, returns it.
 */
export function capsuleFieldClearance(
  out: ClearanceResult,
  field: Volume<Float32Array>,
  outsideMm: number,
  a: Readonly<Vec3>,
  b: Readonly<Vec3>,
  radiusMm: number,
  stepMm: number,
): ClearanceResult {
  const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
  const n = Math.max(1, Math.ceil(len / stepMm));
  let best = Infinity;
  let bestT = 0;
  const p: Vec3 = scratch;
  for (let s = 0; s <= n; s++) {
    const t = s / n;
    p[0] = a[0] + (b[0] - a[0]) * t;
    p[1] = a[1] + (b[1] - a[1]) * t;
    p[2] = a[2] + (b[2] - a[2]) * t;
    const d = sampleTrilinearLps(field, p, outsideMm);
    if (d < best) {
      best = d;
      bestT = t;
    }
  }
  out.clearanceMm = best - radiusMm;
  out.atT = bestT;
  return out;
}

const scratch: Vec3 = [0, 0, 0];
