import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId } from '../../../sample-dicom/truth';
import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { LABELS } from '../shared/ids';
import { transformPoint } from '../volume/VolumeGeometry';
import { dilateOnBox, erodeLevelSetInBox, maskBox, meanFilter3, medianInPlace } from './growLesion';
import { dilateMm, erodeMm } from './morphology';
import { segmentBone } from './segmentBone';
import { expectSameLesion } from './testing/expectSameLesion';
import { makeSyntheticPelvis } from './testing/syntheticPelvis';

/**
 * growLesion's speed work (issue #4: cropped transforms, selection instead of a sort, a mean
 * filter without per-voxel edge tests) must not change a single voxel: every result is compared
 * with the outcome recorded for it (testing/lesionFingerprints.ts: recorded while the
 * implementation before the speed work was still run beside it and gave the same outcome for
 * every click; that copy was then deleted), on every small phantom (the truth centre and seeds
 * around it), and piece by piece against morphology.ts on random masks. The medium and full-size
 * comparisons are in the phantom tests that already generate those volumes
 * (growLesion.phantomMedium / fullSize).
 */

const dimsArb = fc.tuple(fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 14 }), fc.integer({ min: 1, max: 12 }));
const spArb = fc.constantFrom<[number, number, number]>([1, 1, 1], [0.8, 0.8, 1], [0.5, 0.7, 2], [0.781, 0.781, 1.25]);

function randomMask(dims: readonly number[], seed: number, density: number): Uint8Array {
  const n = dims[0]! * dims[1]! * dims[2]!;
  const m = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let t = 0; t < n; t++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    m[t] = (x % 1000) / 1000 < density ? 1 : 0;
  }
  return m;
}

describe('growLesion pieces against morphology.ts', () => {
  it('dilateOnBox equals dilateMm on the box (0 outside it)', () => {
    fc.assert(fc.property(dimsArb, spArb, fc.integer(), fc.double({ min: 0.01, max: 0.3, noNaN: true }), fc.double({ min: 0.5, max: 5, noNaN: true }), (dims, sp, seed, density, r) => {
      const mask = randomMask(dims, seed, density);
      const want = dilateMm(mask, dims, sp, r);
      const box = Int32Array.of(Math.floor(dims[0] / 3), 0, Math.floor(dims[2] / 2), dims[0] - 1, Math.floor(dims[1] / 2), dims[2] - 1);
      const got = dilateOnBox(mask, dims, sp, r, box);
      for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
        const inBox = i >= box[0]! && j >= box[1]! && k >= box[2]! && i <= box[3]! && j <= box[4]! && k <= box[5]!;
        if (got[t] !== (inBox ? want[t] : 0)) return false;
      }
      return true;
    }), { numRuns: 200 });
  });

  it('erodeLevelSetInBox equals erodeMm of the level set', () => {
    fc.assert(fc.property(dimsArb, spArb, fc.integer(), fc.double({ min: 0.01, max: 0.2, noNaN: true }), fc.double({ min: 0.5, max: 4, noNaN: true }), fc.double({ min: 0, max: 3, noNaN: true }), (dims, sp, seed, density, level, r) => {
      const feature = randomMask(dims, seed, density);
      const n = feature.length;
      const d2 = new Float32Array(n);
      for (let t = 0; t < n; t++) d2[t] = feature[t] ? 0 : EDT_FAR;
      squaredDistanceInPlace(d2, dims, sp);
      const set = new Uint8Array(n);
      for (let t = 0; t < n; t++) set[t] = d2[t]! <= level * level + 1e-6 ? 1 : 0;
      const want = erodeMm(set, dims, sp, r);
      const got = new Uint8Array(n).fill(9);
      erodeLevelSetInBox(d2, level * level + 1e-6, dims, sp, r, new Float32Array(n), got);
      return got.every((v, t) => v === want[t]);
    }), { numRuns: 200 });
  });

  it('maskBox is the bounding box of the non-zero voxels', () => {
    fc.assert(fc.property(dimsArb, fc.integer(), fc.double({ min: 0, max: 0.05, noNaN: true }), (dims, seed, density) => {
      const mask = randomMask(dims, seed, density);
      const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
      for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
        if (!mask[t]) continue;
        [i, j, k].forEach((x, a) => { lo[a] = Math.min(lo[a]!, x); hi[a] = Math.max(hi[a]!, x); });
      }
      const b = maskBox(mask, dims);
      return hi[0]! < 0 ? b === null : b !== null && [...b].join() === [...lo, ...hi].join();
    }), { numRuns: 300 });
  });

  it('medianInPlace is the sorted array\'s middle element', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -1024, max: 3000 }), { minLength: 1, maxLength: 400 }), fc.boolean(), (xs, thirds) => {
      const a = Float32Array.from(xs, (x) => (thirds ? x / 3 : x));
      const sorted = a.slice().sort();
      return medianInPlace(a) === sorted[a.length >> 1];
    }), { numRuns: 500 });
    expect(medianInPlace(new Float32Array(0))).toBeNaN();
  });

  it('meanFilter3 equals the per-voxel form (same sums in the same order)', () => {
    fc.assert(fc.property(dimsArb, fc.integer(), (dims, seed) => {
      const [ni, nj, nk] = dims;
      const n = ni * nj * nk;
      const src = new Float32Array(n);
      let x = seed >>> 0 || 7;
      for (let t = 0; t < n; t++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; src[t] = (x % 4000) - 1000; }
      // The per-voxel form (growLesion before the speed work).
      const a = new Float32Array(n), b = new Float32Array(n), c = new Float32Array(n);
      const nij = ni * nj;
      for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
        let s = src[t]!, m = 1;
        if (i > 0) { s += src[t - 1]!; m++; }
        if (i < ni - 1) { s += src[t + 1]!; m++; }
        a[t] = s / m;
      }
      for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
        let s = a[t]!, m = 1;
        if (j > 0) { s += a[t - ni]!; m++; }
        if (j < nj - 1) { s += a[t + ni]!; m++; }
        b[t] = s / m;
      }
      for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
        let s = b[t]!, m = 1;
        if (k > 0) { s += b[t - nij]!; m++; }
        if (k < nk - 1) { s += b[t + nij]!; m++; }
        c[t] = s / m;
      }
      const got = meanFilter3(src, dims);
      return got.every((v, t) => Object.is(v, c[t]));
    }), { numRuns: 200 });
  });
});

describe('growLesion gives the recorded outcome of the implementation before the speed work', () => {
  it('on the synthetic pelvis, from seeds in and around the lesion (errors included)', () => {
    const { ct, labels } = makeSyntheticPelvis({ lesion: { centerLps: [75, 20, 120], radiusMm: 12 } });
    const [ni, nj, nk] = ct.geometry.dims;
    // The lesion centre, a voxel at its rim, bone, soft tissue, the grid's corner.
    const centre = transformPoint([0, 0, 0], ct.geometry.lpsToIjk, [75, 20, 120]);
    const seeds: [number, number, number][] = [[centre[0]!, centre[1]!, centre[2]!], [centre[0]! + 5, centre[1]!, centre[2]!], [centre[0]! + 8, centre[1]!, centre[2]!], [ni >> 1, nj >> 1, nk >> 1], [0, 0, 0]];
    for (const seedIjk of seeds) expectSameLesion(ct, labels, { seedIjk });
  });

  const cases: PhantomCaseId[] = ['sacralAla', 'femoralNeck', 'dysmorphic', 'sacralAlaCbct', 'supraAcetabular'];
  for (const caseId of cases) {
    it(`${caseId} small: the truth centre and seeds 2-6 mm around it, replacing an earlier lesion`, () => {
      const ph = generatePhantom({ caseId, size: 'small' });
      const seg = segmentBone(ph.ct);
      const c = transformPoint([0, 0, 0], ph.ct.geometry.lpsToIjk, ph.truth.lesion!.centerLps);
      const seeds: [number, number, number][] = [[c[0]!, c[1]!, c[2]!]];
      const sp = ph.ct.geometry.spacingMm;
      for (const [dx, dy, dz] of [[4, 0, 0], [0, -3, 2], [-2, 2, -6]] as const) seeds.push([c[0]! + dx / sp[0], c[1]! + dy / sp[1], c[2]! + dz / sp[2]]);
      let labels = seg.labels;
      for (const seedIjk of seeds) {
        // Each click starts from the previous result: `replace` restores the earlier lesion's host.
        const out = expectSameLesion(ph.ct, labels, { seedIjk });
        labels = out.labels;
      }
      // And the one-voxel closing option, without replacing.
      expectSameLesion(ph.ct, labels, { seedIjk: seeds[0]!, envelopeCloseMm: 5, replace: false });
      expect(labels.voxels.includes(LABELS.lesion)).toBe(true);
    });
  }
});
