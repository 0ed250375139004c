import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VoxelBox } from '../fields/distanceTransform';
import { createVolume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { computeComponentRuns, computeComponents, maskRuns, writeComponentLabels } from './connectedComponents';
import { dilate6, fillHoles } from './morphology';
import { computeHistogram } from './thresholds';
import {
  referenceComputeComponentRuns,
  referenceComputeComponents,
  referenceComputeHistogram,
  referenceDilate6,
  referenceFillHoles,
  referenceWriteComponentLabels,
} from './testing/componentsReference';

/**
 * The word-at-a-time run extraction, dilation, hole filling and histogram against the
 * byte-at-a-time code they replaced (testing/componentsReference.ts): same runs, ids,
 * sizes, boxes, sums, masks, counts and histograms on random masks of random shapes
 * (odd row lengths, rows shorter and longer than a word), as subarray views at every byte
 * offset of their buffer (the bytes around the view are non-zero and must not leak in or
 * be written), with all-zero, all-set, noisy and long-stretch rows and several values.
 */

type Dims = [number, number, number];

/** xorshift32 */
const rng = (seed: number) => {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
};

type MaskCase = { dims: Dims; mask: Uint8Array; offset: number };

/**
 * A mask of `dims` as a view at `offset` into a larger buffer whose other bytes are 0xa5.
 * Each row is one of: all zero, all one value, noise, or stretches of random lengths (1..40)
 * alternating background and foreground; values drawn from `palette` (0 is background).
 */
function makeMask(dims: Dims, offset: number, seed: number, palette: readonly number[], density: number): MaskCase {
  const [ni, nj, nk] = dims;
  const n = ni * nj * nk;
  const buf = new Uint8Array(offset + n + 7).fill(0xa5);
  const mask = buf.subarray(offset, offset + n);
  const rand = rng(seed);
  const pick = () => palette[Math.floor(rand() * palette.length)]!;
  for (let row = 0; row < nj * nk; row++) {
    const base = row * ni;
    const kind = rand();
    if (kind < 0.2) continue;
    if (kind < 0.35) {
      mask.fill(pick(), base, base + ni);
      continue;
    }
    if (kind < 0.6) {
      for (let i = 0; i < ni; i++) mask[base + i] = rand() < density ? pick() : 0;
      continue;
    }
    let i = 0, on = rand() < 0.5;
    while (i < ni) {
      const len = 1 + Math.floor(rand() * (rand() < 0.5 ? 6 : 40));
      const v = on ? pick() : 0;
      const multi = rand() < 0.3; // a foreground stretch of mixed values
      for (let q = i; q < Math.min(ni, i + len); q++) mask[base + q] = v && multi ? pick() : v;
      i += len;
      on = !on;
    }
  }
  return { dims, mask, offset };
}

const maskCaseArb = fc
  .record({
    ni: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 75 })),
    nj: fc.integer({ min: 1, max: 7 }),
    nk: fc.integer({ min: 1, max: 6 }),
    offset: fc.integer({ min: 0, max: 7 }),
    seed: fc.integer(),
    palette: fc.constantFrom([1], [1, 2], [1, 2, 3, 255], [255], [7, 0x80]),
    density: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
  })
  .map(({ ni, nj, nk, offset, seed, palette, density }) => makeMask([ni, nj, nk], offset, seed, palette, density));

const valueArb = fc.constantFrom<number | undefined>(undefined, undefined, 0, 1, 2, 255, 256, -1, 1.5, NaN);

/** The bytes of the view's buffer outside the view. */
const around = (m: Uint8Array) => {
  const all = new Uint8Array(m.buffer);
  return [...all.subarray(0, m.byteOffset), ...all.subarray(m.byteOffset + m.length)];
};

describe('word-at-a-time components and morphology against the byte-at-a-time reference', () => {
  it('computeComponentRuns / computeComponents: same runs, ids, sizes, boxes, sums and labels', () => {
    fc.assert(
      fc.property(maskCaseArb, valueArb, ({ mask, dims }, value) => {
        const ref = referenceComputeComponentRuns(mask, dims, value);
        const got = computeComponentRuns(mask, dims, value);
        expect(got.runCount).toBe(ref.runCount);
        expect(got.count).toBe(ref.count);
        const n = ref.runCount;
        expect(Array.from(got.runStart.subarray(0, n))).toEqual(Array.from(ref.runStart.subarray(0, n)));
        expect(Array.from(got.runEnd.subarray(0, n))).toEqual(Array.from(ref.runEnd.subarray(0, n)));
        expect(Array.from(got.runId)).toEqual(Array.from(ref.runId));
        expect(Array.from(got.rowFirst)).toEqual(Array.from(ref.rowFirst));
        expect(Array.from(got.sizes)).toEqual(Array.from(ref.sizes));
        expect(Array.from(got.boxes)).toEqual(Array.from(ref.boxes));
        expect(Array.from(got.sums)).toEqual(Array.from(ref.sums));
        const a = computeComponents(mask, dims, value), b = referenceComputeComponents(mask, dims, value);
        expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
        for (const clear of [false, true]) {
          const into = (f: typeof writeComponentLabels) => Array.from(f(got, dims, new Int32Array(mask.length).fill(7), clear));
          expect(into(writeComponentLabels)).toEqual(into(referenceWriteComponentLabels));
        }
        const runs = maskRuns(mask, dims[0], dims[1] * dims[2], value);
        expect(runs.runCount).toBe(n);
      }),
      { numRuns: 600 },
    );
  });

  it('dilate6: same 0/1 mask, every voxel of `out` written, bytes around the views untouched; in place too', () => {
    fc.assert(
      fc.property(maskCaseArb, ({ mask, dims }) => {
        const outBuf = new Uint8Array(mask.length + 9).fill(0x5a);
        const out = outBuf.subarray(3, 3 + mask.length);
        const ref = referenceDilate6(mask, dims, new Uint8Array(mask.length).fill(9));
        const before = around(mask);
        expect(Array.from(dilate6(mask, dims, out))).toEqual(Array.from(ref));
        expect(around(mask)).toEqual(before);
        expect(Array.from(outBuf.subarray(0, 3))).toEqual([0x5a, 0x5a, 0x5a]);
        expect(Array.from(outBuf.subarray(3 + mask.length))).toEqual(new Array(6).fill(0x5a));
        const inPlace = mask.slice();
        expect(Array.from(dilate6(inPlace, dims, inPlace))).toEqual(Array.from(ref));
      }),
      { numRuns: 400 },
    );
  });

  it('fillHoles: same mask and count for both face sets, in place in a view', () => {
    fc.assert(
      fc.property(maskCaseArb, fc.constantFrom('all' as const, 'sides' as const), ({ mask, dims }, faces) => {
        const ref = mask.slice();
        const refFilled = referenceFillHoles(ref, dims, faces);
        const before = around(mask);
        const filled = fillHoles(mask, dims, faces);
        expect(filled).toBe(refFilled);
        expect(Array.from(mask)).toEqual(Array.from(ref));
        expect(around(mask)).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('large masks (rows of hundreds of voxels, a few big blobs): same components, dilation and filling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer(), fc.integer({ min: 200, max: 300 }), (offset, seed, ni) => {
        const dims: Dims = [ni, 23, 9];
        const n = ni * 23 * 9;
        const buf = new Uint8Array(offset + n).fill(3);
        const mask = buf.subarray(offset);
        mask.fill(0);
        const rand = rng(seed);
        // Hollow boxes (cavities), solid boxes and speckle.
        for (let b = 0; b < 6; b++) {
          const i0 = Math.floor(rand() * (ni - 20)), j0 = Math.floor(rand() * 16), k0 = Math.floor(rand() * 4);
          const w = 3 + Math.floor(rand() * 60), h = 3 + Math.floor(rand() * 7), d = 3 + Math.floor(rand() * 5);
          const hollow = rand() < 0.6;
          for (let k = k0; k < Math.min(9, k0 + d); k++) for (let j = j0; j < Math.min(23, j0 + h); j++) for (let i = i0; i < Math.min(ni, i0 + w); i++) {
            const edge = i === i0 || j === j0 || k === k0 || i === Math.min(ni, i0 + w) - 1 || j === Math.min(23, j0 + h) - 1 || k === Math.min(9, k0 + d) - 1;
            if (!hollow || edge) mask[i + ni * (j + 23 * k)] = 1;
          }
        }
        for (let t = 0; t < n; t++) if (rand() < 0.01) mask[t] = 1;
        const a = computeComponentRuns(mask, dims), b = referenceComputeComponentRuns(mask, dims);
        expect([a.count, Array.from(a.sizes), Array.from(a.boxes), Array.from(a.sums), Array.from(a.runId)]).toEqual([b.count, Array.from(b.sizes), Array.from(b.boxes), Array.from(b.sums), Array.from(b.runId)]);
        expect(Array.from(dilate6(mask, dims))).toEqual(Array.from(referenceDilate6(mask, dims)));
        const f = mask.slice();
        expect(fillHoles(mask, dims, 'sides')).toBe(referenceFillHoles(f, dims, 'sides'));
        expect(Array.from(mask)).toEqual(Array.from(f));
      }),
      { numRuns: 25 },
    );
  });
});

describe('computeHistogram against the two-pass reference', () => {
  const kinds = ['Int16Array', 'Uint16Array', 'Uint8Array', 'Int32Array', 'Float32Array'] as const;
  it('same bins, counts, minimum, bin width and total for every voxel type, box, stride and bin count', () => {
    fc.assert(
      fc.property(
        fc.record({
          kind: fc.constantFrom(...kinds),
          ni: fc.integer({ min: 1, max: 13 }),
          nj: fc.integer({ min: 1, max: 9 }),
          nk: fc.integer({ min: 1, max: 7 }),
          lo: fc.integer({ min: -40000, max: 70000 }),
          span: fc.constantFrom(0, 1, 5, 300, 5000, 70000),
          seed: fc.integer(),
          stride: fc.constantFrom(undefined, 1, 2, 3),
          maxBins: fc.constantFrom(undefined, 1, 7, 1024, 2048),
          boxSeed: fc.option(fc.integer(), { nil: undefined }),
          extremes: fc.boolean(),
        }),
        ({ kind, ni, nj, nk, lo, span, seed, stride, maxBins, boxSeed, extremes }) => {
          const n = ni * nj * nk;
          const rand = rng(seed);
          const raw = Array.from({ length: n }, () => lo + Math.floor(rand() * (span + 1)) + (kind === 'Float32Array' ? rand() : 0));
          const Ctor = { Int16Array, Uint16Array, Uint8Array, Int32Array, Float32Array }[kind];
          const voxels = new Ctor(raw) as VoxelArray; // wraps to the type's range
          if (extremes) {
            // The type's own limits (the ends of the per-value table of the 8/16-bit path).
            const ends = { Int16Array: [-32768, 32767], Uint16Array: [0, 65535], Uint8Array: [0, 255], Int32Array: [-(2 ** 31), 2 ** 31 - 1], Float32Array: [-3e38, 3e38] }[kind];
            voxels[0] = ends[0]!;
            voxels[n - 1] = ends[1]!;
            voxels[Math.floor(rand() * n)] = ends[Math.floor(rand() * 2)]!;
          }
          const ct = createVolume('h', 'ct', { dims: [ni, nj, nk], spacingMm: [1, 1, 1], ijkToLps: new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]) } as never, voxels);
          let box: VoxelBox | undefined;
          if (boxSeed !== undefined) {
            const r = rng(boxSeed);
            const a = [ni, nj, nk].map((d) => Math.floor(r() * d));
            const b = [ni, nj, nk].map((d, q) => a[q]! + Math.floor(r() * (d - a[q]! + 1)));
            box = { min: [a[0]!, a[1]!, a[2]!], max: [b[0]!, b[1]!, b[2]!] }; // may be empty
          }
          const opts = { box, stride, maxBins };
          const got = computeHistogram(ct, opts), ref = referenceComputeHistogram(ct, opts);
          expect([got.minGrey, got.binWidth, got.total, got.counts.length]).toEqual([ref.minGrey, ref.binWidth, ref.total, ref.counts.length]);
          expect(Array.from(got.counts)).toEqual(Array.from(ref.counts));
        },
      ),
      { numRuns: 500 },
    );
  });
});
