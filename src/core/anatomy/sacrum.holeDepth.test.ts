import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import { ballOffsets, holeDepthClasses } from './sacrum';

type Dims = [number, number, number];

/** The classes as the sacrum detector read them before: thresholds on the squared EDT of the hull's outside. */
function classesFromEdt(H: Uint8Array, dims: Dims, C: Uint8Array, origin: Dims, hdims: Dims, sp: Dims, layerMax2: number, deepMin2: number): Uint8Array {
  const [ni, nj, nk] = dims;
  const depth2 = new Float32Array(ni * nj * nk);
  for (let q = 0; q < depth2.length; q++) depth2[q] = H[q] ? EDT_FAR : 0;
  squaredDistanceInPlace(depth2, dims, sp);
  const out = new Uint8Array(C.length);
  for (let k = 0, h = 0; k < hdims[2]; k++) for (let j = 0; j < hdims[1]; j++) for (let i = 0; i < hdims[0]; i++, h++) {
    if (!C[h]) continue;
    const d2 = depth2[i + origin[0] + ni * (j + origin[1] + nj * (k + origin[2]))]!;
    out[h] = d2 <= layerMax2 ? (d2 >= deepMin2 ? 2 : 1) : 0;
  }
  return out;
}

/** The detector's thresholds for a voxel spacing. */
function thresholds(sp: Dims): { layerMax2: number; deepMin2: number } {
  const layerMm = Math.max(3, 2.5 * Math.max(...sp));
  const hMin = Math.min(...sp);
  return { layerMax2: layerMm * layerMm + 1e-4, deepMin2: Math.max(4, 2.25 * hMin * hMin) - 1e-4 };
}

// The grids of the phantoms and real cases, and one where a grid distance sits on the layer threshold.
const ON_THRESHOLD: Dims = [2, 1.5, Math.sqrt(1.187525)];
const SPACINGS: Dims[] = [
  [2, 2, 2], [1.5, 1.5, 1.25], [0.8, 0.8, 1], [1, 1, 1], [0.5, 0.5, 0.5], [3, 3, 3],
  [0.748046875, 0.748046875, 0.800000011920929], ON_THRESHOLD,
];

describe('holeDepthClasses (the near-surface layer of the sacrum holes)', () => {
  it('falls back to the EDT only where a grid distance lies on a threshold', () => {
    for (const sp of SPACINGS) {
      const { layerMax2, deepMin2 } = thresholds(sp);
      expect(ballOffsets(sp, layerMax2, deepMin2) === null, sp.join(' x ')).toBe(sp === ON_THRESHOLD);
    }
  });

  it('gives the classes of the squared EDT of the hull (random hulls, holes, hole boxes and spacings)', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: 12 })),
        fc.oneof(fc.constantFrom(...SPACINGS), fc.tuple(fc.double({ min: 0.4, max: 3, noNaN: true }), fc.double({ min: 0.4, max: 3, noNaN: true }), fc.double({ min: 0.4, max: 3, noNaN: true }))),
        fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }), fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat()),
        (dims, sp, density, seed, cut) => {
          const [ni, nj, nk] = dims;
          const n = ni * nj * nk;
          const H = new Uint8Array(n);
          let s = seed;
          const rand = (): number => {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            return s / 0x7fffffff;
          };
          for (let q = 0; q < n; q++) H[q] = rand() < density ? 1 : 0;
          // A hole box inside the grid, holes a random part of its hull voxels.
          const a = [cut[0] % ni, cut[1] % nj, cut[2] % nk] as Dims;
          const hdims = [1 + (cut[3] % (ni - a[0])), 1 + (cut[4] % (nj - a[1])), 1 + (cut[5] % (nk - a[2]))] as Dims;
          const C = new Uint8Array(hdims[0] * hdims[1] * hdims[2]);
          for (let k = 0, h = 0; k < hdims[2]; k++) for (let j = 0; j < hdims[1]; j++) for (let i = 0; i < hdims[0]; i++, h++) {
            if (H[i + a[0] + ni * (j + a[1] + nj * (k + a[2]))] && rand() < 0.7) C[h] = 1;
          }
          const { layerMax2, deepMin2 } = thresholds(sp as Dims);
          const got = holeDepthClasses(H, dims, C, a, hdims, sp as Dims, layerMax2, deepMin2);
          expect(Array.from(got)).toEqual(Array.from(classesFromEdt(H, dims, C, a, hdims, sp as Dims, layerMax2, deepMin2)));
        },
      ),
      { numRuns: 400 },
    );
  });
});
