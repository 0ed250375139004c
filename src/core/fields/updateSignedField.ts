import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import { allocVoxels } from '../volume/voxelBuffer';
import type { InsideSpec, SignedMode, VoxelBox } from './distanceTransform';
import { computeDistanceField } from './distanceTransform';

/**
 * Exact update of a signed distance field (computeDistanceField, `surface: 'halfVoxel'`)
 * after a few voxels changed side, without transforming the whole grid again.
 *
 * Let R be the voxels whose inside/outside membership flipped. For a voxel p not in R,
 * if its old distance to the opposite set is below its distance to R, its nearest
 * opposite voxel is not in R and no voxel of R is nearer: its value is unchanged.
 * Every other voxel ("affected": R itself and voxels at least as close to R as to
 * their old opposite set) is recomputed on a local box B = bbox(R) grown by
 * `marginMm`; a local value is exact when it is no larger than the distance from p
 * to the outside of B (nothing beyond B can be nearer). When any affected voxel lies
 * outside B, or fails that test, the update gives up (returns null) and the caller
 * transforms the whole grid. Distances compared with a 1e-3 mm safety margin.
 *
 * `old` and `labels` share one grid; `flipped` holds one bit per voxel (R) and
 * `flippedBox` its bounding box. The old field is not modified (a new one is returned).
 */
export function updateSignedField(
  old: Volume<Float32Array>, labels: Volume<Uint8Array>, options: { inside: InsideSpec; signed: Exclude<SignedMode, false>; flippedBox: VoxelBox; marginMm: number; shared?: boolean; id?: string },
): Volume<Float32Array> | null {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  const [sx, sy, sz] = g.spacingMm;
  const offset = 0.5 * Math.min(sx, sy, sz);
  const fb = options.flippedBox;
  const mi = Math.ceil(options.marginMm / sx), mj = Math.ceil(options.marginMm / sy), mk = Math.ceil(options.marginMm / sz);
  const b0 = [Math.max(0, fb.min[0] - mi), Math.max(0, fb.min[1] - mj), Math.max(0, fb.min[2] - mk)] as const;
  const b1 = [Math.min(ni, fb.max[0] + mi), Math.min(nj, fb.max[1] + mj), Math.min(nk, fb.max[2] + mk)] as const;
  const local = computeDistanceField(labels, { inside: options.inside, signed: options.signed, roi: { min: [b0[0], b0[1], b0[2]], max: [b1[0], b1[1], b1[2]] } });
  const [li, lj] = local.geometry.dims;
  const src = old.voxels;
  const out = allocVoxels(Float32Array, src.length, { shared: options.shared ?? false });
  out.set(src);
  const lv = local.voxels;
  const EPS = 1e-3;
  // Distance (mm) from a voxel index to a half-open index range [lo, hi) along one axis.
  const gap = (x: number, lo: number, hi: number, h: number): number => (x < lo ? (lo - x) * h : x >= hi ? (x - hi + 1) * h : 0);
  // Distance to the nearest voxel outside B along an axis (Infinity where B reaches the grid edge).
  const toOut = (x: number, lo: number, hi: number, n: number, h: number): number =>
    Math.min(lo > 0 ? (x - lo + 1) * h : Infinity, hi < n ? (hi - x) * h : Infinity);
  let t = 0;
  for (let k = 0; k < nk; k++) {
    const gk = gap(k, fb.min[2], fb.max[2], sz);
    const inK = k >= b0[2] && k < b1[2];
    const ok = inK ? toOut(k, b0[2], b1[2], nk, sz) : 0;
    for (let j = 0; j < nj; j++) {
      const gj = gap(j, fb.min[1], fb.max[1], sy);
      const inJ = j >= b0[1] && j < b1[1];
      const oj = inJ ? toOut(j, b0[1], b1[1], nj, sy) : 0;
      const gjk2 = gj * gj + gk * gk;
      for (let i = 0; i < ni; i++, t++) {
        const gi = gap(i, fb.min[0], fb.max[0], sx);
        // Lower bound of the distance to R: the distance to its bounding box.
        const toR = Math.sqrt(gi * gi + gjk2);
        const oldDist = Math.abs(src[t]!) + offset;
        const inFlippedBox = gi === 0 && gj === 0 && gk === 0;
        if (!inFlippedBox && oldDist + EPS < toR) continue;
        // Affected (or in R's box, where membership may have flipped): needs the local value.
        if (!(inK && inJ && i >= b0[0] && i < b1[0])) return null;
        const l = lv[(i - b0[0]) + li * ((j - b0[1]) + lj * (k - b0[2]))]!;
        const localDist = Math.abs(l) + offset;
        const exterior = Math.min(toOut(i, b0[0], b1[0], ni, sx), oj, ok);
        if (!(localDist + EPS <= exterior)) return null;
        out[t] = l;
      }
    }
  }
  return createVolume(options.id ?? old.id, 'field', old.geometry, out);
}
