import { LABELS } from '../../shared/ids';
import type { Volume } from '../../volume/Volume';
import { computeBoneThresholds } from '../thresholds';

/**
 * Tests only: one sacral ala "eaten" by a lytic metastasis on a real CT with reference labels
 * (`truth`). The reference sacrum's voxels more than 25 mm lateral of its centroid and in the
 * upper sacrum (S1-S2, z >= 190 mm: the totalseg-example CT's frame), taken from the lateral end
 * inwards up to `fraction` of them, and the voxels next to them that no other bone holds (the
 * cortex's rind), are set to the image's own soft-tissue grey with its noise (peak + sigma x a
 * seeded normal draw). Writes `ct` in place; returns the number of voxels painted (0 when the
 * fraction takes none).
 */
export type AlaLesionCase = { ct: Volume<Int16Array>; truth: Uint8Array };

export function paintAlaLesion({ ct, truth }: AlaLesionCase, side: 'left' | 'right', fraction: number): number {
  const g = ct.geometry;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const x = (i: number, j: number, k: number) => m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
  const z = (i: number, j: number, k: number) => m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
  let xSum = 0, n = 0;
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) if (truth[t] === LABELS.sacrum) { xSum += x(i, j, k); n++; }
  const midX = xSum / n;
  const sign = side === 'left' ? 1 : -1; // LPS: +x is the patient's left
  const ala: { t: number; lateralMm: number }[] = [];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (truth[t] !== LABELS.sacrum || z(i, j, k) < 190) continue;
    const lateralMm = sign * (x(i, j, k) - midX);
    if (lateralMm > 25) ala.push({ t, lateralMm });
  }
  ala.sort((a, b) => b.lateralMm - a.lateralMm || a.t - b.t);
  const lesion = new Uint8Array(truth.length);
  const eaten = ala.slice(0, Math.round(fraction * ala.length));
  for (const { t } of eaten) {
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
    for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
      const ii = i + di, jj = j + dj, kk = k + dk;
      if (ii < 0 || jj < 0 || kk < 0 || ii >= ni || jj >= nj || kk >= nk) continue;
      const u = ii + ni * (jj + nj * kk);
      if (truth[u] === 0 || truth[u] === LABELS.sacrum) lesion[u] = 1;
    }
  }
  const thr = computeBoneThresholds(ct);
  let seed = 12345;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  let painted = 0;
  for (let t = 0; t < lesion.length; t++) {
    if (!lesion[t]) continue;
    const normal = Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
    ct.voxels[t] = Math.round(thr.softTissuePeakGrey + thr.softTissueSigmaGrey * normal);
    painted++;
  }
  return eaten.length / ala.length > 0 ? painted : 0;
}
