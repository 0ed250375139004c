import type { Volume } from '../../volume/Volume';
import { createVolume } from '../../volume/Volume';
import type { DistanceFieldOptions } from '../distanceTransform';
import { clampBox, fullBox, insideLookup, subGridGeometry } from '../distanceTransform';
import { referenceSquaredEdt } from './referenceEdt';

/**
 * computeDistanceField as it was before the fused first pass and the one-pass signed
 * output (distanceTransform.ts at 2163f70): seed the grid with 0 / FAR, transform it,
 * seed the inside transform from the result, write -1 / -2 - b into the output, then
 * convert every voxel. One thread, the reference squared EDT. Kept only as the oracle of
 * the bit-identity tests (distanceTransform.reference.test.ts); never used by the app.
 */
const FAR = 1e30;

export function referenceDistanceField(mask: Volume<Uint8Array>, options: DistanceFieldOptions = {}): Volume<Float32Array> {
  const g = mask.geometry;
  const box = options.roi ? clampBox(options.roi, g) : fullBox(g);
  const lut = insideLookup(options.inside);
  const signed = options.signed ?? false;
  const surface = options.surface ?? (signed ? 'halfVoxel' : 'voxelCentre');
  const outGeometry = subGridGeometry(g, box);
  const [ni, nj, nk] = outGeometry.dims;
  const [sx, sy, sz] = g.spacingMm;
  const n = ni * nj * nk;
  const out = new Float32Array(n);
  const src = mask.voxels;
  const gi = g.dims[0], gj = g.dims[1];
  const offset = surface === 'halfVoxel' ? 0.5 * Math.min(sx, sy, sz) : 0;
  let p = 0;
  let insideCount = 0;
  let bi0 = ni, bj0 = nj, bk0 = nk, bi1 = -1, bj1 = -1, bk1 = -1;
  for (let k = 0; k < nk; k++) {
    for (let j = 0; j < nj; j++) {
      let q = box.min[0] + gi * (j + box.min[1] + gj * (k + box.min[2]));
      let rowHit = false;
      for (let i = 0; i < ni; i++, p++, q++) {
        if (lut[src[q]!]) {
          out[p] = 0;
          insideCount++;
          if (i < bi0) bi0 = i;
          if (i > bi1) bi1 = i;
          rowHit = true;
        } else out[p] = FAR;
      }
      if (rowHit) {
        if (j < bj0) bj0 = j;
        if (j > bj1) bj1 = j;
        if (k < bk0) bk0 = k;
        if (k > bk1) bk1 = k;
      }
    }
  }
  referenceSquaredEdt(out, [ni, nj, nk], [sx, sy, sz]);
  if (!signed) {
    for (let t = 0; t < n; t++) {
      const s2 = out[t]!;
      out[t] = s2 >= FAR ? Infinity : offset > 0 ? Math.max(0, Math.sqrt(s2) - offset) : Math.sqrt(s2);
    }
    return createVolume(options.id ?? `${mask.id}-distance`, 'field', outGeometry, out);
  }
  const sign = signed === 'insidePositive' ? 1 : -1;
  if (insideCount > 0) {
    const ci0 = Math.max(0, bi0 - 1), cj0 = Math.max(0, bj0 - 1), ck0 = Math.max(0, bk0 - 1);
    const ci1 = Math.min(ni - 1, bi1 + 1), cj1 = Math.min(nj - 1, bj1 + 1), ck1 = Math.min(nk - 1, bk1 + 1);
    const mi = ci1 - ci0 + 1, mj = cj1 - cj0 + 1, mk = ck1 - ck0 + 1;
    const toOutside = new Float32Array(mi * mj * mk);
    let r = 0;
    for (let k = ck0; k <= ck1; k++) for (let j = cj0; j <= cj1; j++) {
      let t = ci0 + ni * (j + nj * k);
      for (let i = 0; i < mi; i++, r++, t++) toOutside[r] = out[t] === 0 ? FAR : 0;
    }
    referenceSquaredEdt(toOutside, [mi, mj, mk], [sx, sy, sz]);
    r = 0;
    for (let k = ck0; k <= ck1; k++) for (let j = cj0; j <= cj1; j++) {
      let t = ci0 + ni * (j + nj * k);
      for (let i = 0; i < mi; i++, r++, t++) {
        if (out[t] !== 0) continue;
        const b = toOutside[r]!;
        out[t] = b >= FAR ? -1 : -2 - b;
      }
    }
  }
  for (let t = 0; t < n; t++) {
    const a = out[t]!;
    if (a === -1) out[t] = sign * Infinity;
    else if (a <= -2) out[t] = sign * (Math.sqrt(-2 - a) - offset);
    else out[t] = a >= FAR ? -sign * Infinity : -sign * (Math.sqrt(a) - offset);
  }
  return createVolume(options.id ?? `${mask.id}-signed-distance`, 'field', outGeometry, out);
}
