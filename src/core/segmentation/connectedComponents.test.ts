import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { componentRunsOfRuns, computeComponentRuns, computeComponents, maskRunsOfList, writeComponentLabels } from './connectedComponents';
import { dilate6, fillHoles } from './morphology';
import { floodLabels } from './testing/floodLabels';

type Dims = [number, number, number];

const maskArb = fc
  .record({ ni: fc.integer({ min: 1, max: 9 }), nj: fc.integer({ min: 1, max: 8 }), nk: fc.integer({ min: 1, max: 7 }), density: fc.double({ min: 0.1, max: 0.9, noNaN: true }), seed: fc.integer() })
  .map(({ ni, nj, nk, density, seed }) => {
    let s = seed >>> 0 || 1;
    const mask = new Uint8Array(ni * nj * nk);
    for (let t = 0; t < mask.length; t++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      mask[t] = s / 2 ** 32 < density ? 1 + (s % 3) : 0;
    }
    return { mask, dims: [ni, nj, nk] as Dims };
  });

describe('computeComponents (runs) against a flood-fill reference', () => {
  it('same ids per voxel (raster order of first appearance), sizes, boxes and ijk sums; runs write the same labels', () => {
    fc.assert(
      fc.property(maskArb, fc.constantFrom(undefined, 0, 2), ({ mask, dims }, value) => {
        const ref = floodLabels(mask, dims, value);
        const cc = computeComponents(mask, dims, value);
        expect(cc.count).toBe(ref.count);
        expect(Array.from(cc.labels)).toEqual(Array.from(ref.labels));
        const [ni, nj] = dims;
        for (let c = 1; c <= ref.count; c++) {
          let n = 0, si = 0, sj = 0, sk = 0;
          const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
          ref.labels.forEach((l, t) => {
            if (l !== c) return;
            const ijk = [t % ni, Math.floor(t / ni) % nj, Math.floor(t / (ni * nj))];
            n++;
            si += ijk[0]!;
            sj += ijk[1]!;
            sk += ijk[2]!;
            for (let a = 0; a < 3; a++) {
              lo[a] = Math.min(lo[a]!, ijk[a]!);
              hi[a] = Math.max(hi[a]!, ijk[a]!);
            }
          });
          expect(cc.sizes[c]).toBe(n);
          expect([cc.sums[3 * c], cc.sums[3 * c + 1], cc.sums[3 * c + 2]]).toEqual([si, sj, sk]);
          expect(Array.from(cc.boxes.subarray(6 * c, 6 * c + 6))).toEqual([...lo, ...hi]);
        }
        const runs = computeComponentRuns(mask, dims, value);
        expect(Array.from(writeComponentLabels(runs, dims, new Int32Array(mask.length).fill(7), true))).toEqual(Array.from(ref.labels));
      }),
      { numRuns: 300 },
    );
  });
});

describe('fillHoles and dilate6 against naive references', () => {
  it('fillHoles fills exactly the background components touching no outside face', () => {
    fc.assert(
      fc.property(maskArb, fc.constantFrom('all' as const, 'sides' as const), ({ mask, dims }, faces) => {
        const [ni, nj, nk] = dims;
        const bg = floodLabels(mask, dims, 0);
        const outside = new Set<number>();
        bg.labels.forEach((c, t) => {
          if (!c) return;
          const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
          if (i === 0 || j === 0 || i === ni - 1 || j === nj - 1 || (faces === 'all' && (k === 0 || k === nk - 1))) outside.add(c);
        });
        const expected = Array.from(mask, (v, t) => (v !== 0 ? v : bg.labels[t] && !outside.has(bg.labels[t]!) ? 1 : 0));
        const got = mask.slice();
        const filled = fillHoles(got, dims, faces);
        expect(Array.from(got)).toEqual(expected);
        expect(filled).toBe(expected.filter((v, t) => v !== mask[t]).length);
      }),
      { numRuns: 300 },
    );
  });

  it('dilate6: a voxel is set when it or one of its six face neighbours is', () => {
    fc.assert(
      fc.property(maskArb, ({ mask, dims }) => {
        const [ni, nj, nk] = dims;
        const expected = Array.from(mask, (v, t) => {
          const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
          const at = (a: number, b: number, c: number) => a >= 0 && b >= 0 && c >= 0 && a < ni && b < nj && c < nk && mask[a + ni * (b + nj * c)] !== 0;
          return at(i, j, k) || at(i - 1, j, k) || at(i + 1, j, k) || at(i, j - 1, k) || at(i, j + 1, k) || at(i, j, k - 1) || at(i, j, k + 1) ? 1 : 0;
        });
        expect(Array.from(dilate6(mask, dims, new Uint8Array(mask.length).fill(5)))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('maskRunsOfList + componentRunsOfRuns (segmentBone\'s erosion seeds from the voxel list)', () => {
  it('give computeComponentRuns of the mask of the listed voxels above the class, array for array (with and without preallocated run arrays)', () => {
    fc.assert(
      fc.property(maskArb, fc.integer({ min: 0, max: 4 }), fc.integer(), fc.boolean(), ({ mask, dims }, minClass, seed, withBuffers) => {
        const [ni, nj, nk] = dims;
        // The listed voxels: the mask's non-zero ones in raster order, each with a random class.
        const index: number[] = [], cls: number[] = [];
        const rowIndex = new Int32Array(nj * nk + 1);
        let s = seed >>> 0 || 1;
        for (let row = 0; row < nj * nk; row++) {
          rowIndex[row] = index.length;
          for (let i = 0; i < ni; i++) if (mask[row * ni + i]) {
            s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
            index.push(row * ni + i);
            cls.push(s % 6);
          }
        }
        rowIndex[nj * nk] = index.length;
        const seeds = new Uint8Array(mask.length);
        index.forEach((t, p) => { if (cls[p]! > minClass) seeds[t] = 1; });
        const want = computeComponentRuns(seeds, dims);
        const buffers = { runStart: new Int32Array(index.length).fill(-7), runEnd: new Int32Array(index.length).fill(-7) };
        const got = componentRunsOfRuns(maskRunsOfList(Int32Array.from(index), Uint8Array.from(cls), minClass, rowIndex, ni, nj * nk, withBuffers ? buffers : undefined), dims);
        expect(got.count).toBe(want.count);
        expect(got.runCount).toBe(want.runCount);
        const n = want.runCount;
        expect(Array.from(got.runStart.subarray(0, n))).toEqual(Array.from(want.runStart.subarray(0, n)));
        expect(Array.from(got.runEnd.subarray(0, n))).toEqual(Array.from(want.runEnd.subarray(0, n)));
        expect(Array.from(got.runId.subarray(0, n))).toEqual(Array.from(want.runId.subarray(0, n)));
        expect(Array.from(got.rowFirst)).toEqual(Array.from(want.rowFirst));
        expect(Array.from(got.sizes)).toEqual(Array.from(want.sizes));
        expect(Array.from(got.sums)).toEqual(Array.from(want.sums));
        expect(Array.from(got.boxes)).toEqual(Array.from(want.boxes));
        // `keep` (in place, as segmentBone's splits use it): the entries above the class, then a
        // second call at a higher class on them gives the runs of the whole list at that class.
        const idx = Int32Array.from(index), cl = Uint8Array.from(cls), ri = rowIndex.slice();
        maskRunsOfList(idx, cl, minClass, ri, ni, nj * nk, buffers, { index: idx, cls: cl, rowIndex: ri });
        const kept = index.map((t, p) => [t, cls[p]!] as const).filter(([, c]) => c > minClass);
        expect(Array.from(idx.subarray(0, kept.length))).toEqual(kept.map(([t]) => t));
        expect(Array.from(cl.subarray(0, kept.length))).toEqual(kept.map(([, c]) => c));
        expect(ri[nj * nk]).toBe(kept.length);
        const higher = minClass + 1 + (seed & 1);
        const again = maskRunsOfList(idx, cl, higher, ri, ni, nj * nk);
        const whole = maskRunsOfList(Int32Array.from(index), Uint8Array.from(cls), higher, rowIndex, ni, nj * nk);
        expect(Array.from(again.rowFirst)).toEqual(Array.from(whole.rowFirst));
        expect(Array.from(again.runStart)).toEqual(Array.from(whole.runStart));
        expect(Array.from(again.runEnd)).toEqual(Array.from(whole.runEnd));
      }),
      { numRuns: 400 },
    );
  });
});
