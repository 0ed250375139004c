import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boxOfLabelSet, labelBoxes } from './labelBoxes';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';

/** The boxes of every label by a plain scan (the detectors' old per-label loop). */
function bruteBoxes(v: Uint8Array, dims: [number, number, number]): Int32Array {
  const [ni, nj, nk] = dims;
  const b = new Int32Array(256 * 6);
  for (let l = 0; l < 256; l++) b.set([ni, nj, nk, -1, -1, -1], 6 * l);
  let t = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    const l = v[t]!;
    if (l === 0) continue;
    const o = 6 * l;
    b[o] = Math.min(b[o]!, i); b[o + 1] = Math.min(b[o + 1]!, j); b[o + 2] = Math.min(b[o + 2]!, k);
    b[o + 3] = Math.max(b[o + 3]!, i); b[o + 4] = Math.max(b[o + 4]!, j); b[o + 5] = Math.max(b[o + 5]!, k);
  }
  return b;
}

describe('labelBoxes', () => {
  it('equals a plain scan per label (row lengths with and without whole 4- and 8-byte words, unaligned views, labels 128 and 255)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 26 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 9 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }),
        (ni, nj, nk, offset, density, seed) => {
          const dims: [number, number, number] = [ni, nj, nk];
          const n = ni * nj * nk;
          const buffer = new ArrayBuffer(n + offset);
          const v = new Uint8Array(buffer, offset, n);
          let s = seed;
          for (let t = 0; t < n; t++) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            // Labels 128 and 255 too: a Float64 read of a word whose only non-zero byte is 0x80 on top is -0.
            if (s / 0x7fffffff < density) v[t] = [1, 2, 3, 5, 7, 128, 255][s % 7]!;
          }
          const labels = createVolume('l', 'label', createVolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [0, 0, 0] }), v);
          expect(Array.from(labelBoxes(labels))).toEqual(Array.from(bruteBoxes(v, dims)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('equals a plain scan on rows of runs of one label (long runs across words, runs at the row ends)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 9 }),
        fc.array(fc.tuple(fc.constantFrom(0, 1, 2, 128, 255), fc.integer({ min: 1, max: 30 })), { minLength: 1, maxLength: 40 }),
        (ni, nj, nk, offset, runs) => {
          const dims: [number, number, number] = [ni, nj, nk];
          const n = ni * nj * nk;
          const v = new Uint8Array(new ArrayBuffer(n + offset), offset, n);
          // The runs laid one after the other over the whole grid (so they wrap across rows), repeated.
          for (let t = 0, r = 0; t < n; r = (r + 1) % runs.length) {
            const [label, length] = runs[r]!;
            for (let e = Math.min(n, t + length); t < e; t++) v[t] = label;
          }
          const labels = createVolume('l', 'label', createVolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [0, 0, 0] }), v);
          expect(Array.from(labelBoxes(labels))).toEqual(Array.from(bruteBoxes(v, dims)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('finds a lone label 128 in the top byte of an 8-byte word (read as -0)', () => {
    const dims: [number, number, number] = [16, 2, 2];
    const v = new Uint8Array(64);
    v[16 * 3 + 15] = 128;
    const labels = createVolume('l', 'label', createVolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [0, 0, 0] }), v);
    expect(Array.from(labelBoxes(labels).slice(6 * 128, 6 * 128 + 6))).toEqual([15, 1, 1, 15, 1, 1]);
  });

  it('boxOfLabelSet: the box of the voxels whose label is in the set equals a plain scan (with and without the background in the set, empty sets)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 0.3, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }),
        fc.subarray([0, 1, 2, 3, 128, 255]),
        (ni, nj, nk, density, seed, set) => {
          const dims: [number, number, number] = [ni, nj, nk];
          const v = new Uint8Array(ni * nj * nk);
          let s = seed;
          for (let t = 0; t < v.length; t++) {
            s = (s * 1103515245 + 12345) & 0x7fffffff;
            if (s / 0x7fffffff < density) v[t] = [1, 2, 3, 128, 255][s % 5]!;
          }
          const lut = new Uint8Array(256);
          for (const l of set) lut[l] = 1;
          let expected: number[] | null = null;
          for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
            if (!lut[v[t]!]) continue;
            const e = (expected ??= [i, j, k, i, j, k]);
            e[0] = Math.min(e[0]!, i); e[1] = Math.min(e[1]!, j); e[2] = Math.min(e[2]!, k);
            e[3] = Math.max(e[3]!, i); e[4] = Math.max(e[4]!, j); e[5] = Math.max(e[5]!, k);
          }
          expect(boxOfLabelSet(v, dims, lut)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});
