/**
 * The EDT after the speed work of 24 Nov 2026 (in-place strided passes, zero rows at a
 * line's ends left out, the first pass fused with the seeding, one-pass signed output) is
 * the same bit for bit as before it, on grids large enough for several blocks of 32 lines,
 * with long zero runs at the lines' ends and in the middle (blobs and inverted blobs, as a
 * bone mask and its background):
 * - computeDistanceField (unsigned, signed both ways, half-voxel surface, ROI) against the
 *   previous implementation (testing/referenceDistanceField.ts);
 * - squaredDistanceInPlace with binary and arbitrary seeds against the reference squared
 *   EDT (testing/referenceEdt.ts).
 * Exactness against brute force is distanceTransform.test.ts's.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { DistanceFieldOptions } from './distanceTransform';
import { computeDistanceField, EDT_FAR, squaredDistanceInPlace } from './distanceTransform';
import { referenceDistanceField } from './testing/referenceDistanceField';
import { referenceSquaredEdt } from './testing/referenceEdt';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';

type Mask = { dims: [number, number, number]; spacing: [number, number, number]; values: Uint8Array };

/** Random masks of up to 80 x 48 x 40 voxels made of a few ellipsoid blobs (labels 1-3), possibly inverted. */
const arbMask = fc
  .record({
    ni: fc.integer({ min: 1, max: 80 }),
    nj: fc.integer({ min: 1, max: 48 }),
    nk: fc.integer({ min: 1, max: 40 }),
    sx: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sy: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sz: fc.double({ min: 0.3, max: 3, noNaN: true }),
    blobs: fc.integer({ min: 0, max: 5 }),
    invert: fc.boolean(),
    speckle: fc.double({ min: 0, max: 0.02, noNaN: true }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((r): Mask => {
    let s = r.seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const blobs = Array.from({ length: r.blobs }, () => ({
      c: [rnd() * r.ni, rnd() * r.nj, rnd() * r.nk],
      rad: [1 + rnd() * r.ni / 3, 1 + rnd() * r.nj / 3, 1 + rnd() * r.nk / 3],
      label: 1 + Math.floor(rnd() * 3),
    }));
    const values = new Uint8Array(r.ni * r.nj * r.nk);
    for (let k = 0, t = 0; k < r.nk; k++) for (let j = 0; j < r.nj; j++) for (let i = 0; i < r.ni; i++, t++) {
      const b = blobs.find((b) => ((i - b.c[0]!) / b.rad[0]!) ** 2 + ((j - b.c[1]!) / b.rad[1]!) ** 2 + ((k - b.c[2]!) / b.rad[2]!) ** 2 <= 1);
      let v = b ? b.label : 0;
      if (r.invert) v = v ? 0 : 1;
      if (rnd() < r.speckle) v = v ? 0 : 2;
      values[t] = v;
    }
    return { dims: [r.ni, r.nj, r.nk], spacing: [r.sx, r.sy, r.sz], values };
  });

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) return false;
  return true;
}

function volume(m: Mask) {
  return createVolume('m', 'label', createVolumeGeometry({ dims: m.dims, spacingMm: m.spacing, originLps: [1, -2, 3] }), m.values);
}

describe('EDT bit-identical to the implementation before the 24 Nov speed work', () => {
  it('computeDistanceField: unsigned, signed both ways, half-voxel surface, labels, ROI', () => {
    const arbOptions = fc.record({
      signed: fc.constantFrom<DistanceFieldOptions['signed']>(false, 'insidePositive', 'insideNegative'),
      surface: fc.constantFrom<DistanceFieldOptions['surface']>(undefined, 'voxelCentre', 'halfVoxel'),
      inside: fc.constantFrom<DistanceFieldOptions['inside']>(undefined, 1, [2, 3]),
      roi: fc.option(fc.tuple(fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0.5, max: 1, noNaN: true })), { nil: undefined }),
    });
    fc.assert(
      fc.property(arbMask, arbOptions, (m, o) => {
        const roi = o.roi && {
          min: [Math.floor(o.roi[0] * m.dims[0]), Math.floor(o.roi[0] * m.dims[1]), Math.floor(o.roi[0] * m.dims[2])] as [number, number, number],
          max: [Math.max(1, Math.ceil(o.roi[1] * m.dims[0])), Math.max(1, Math.ceil(o.roi[1] * m.dims[1])), Math.max(1, Math.ceil(o.roi[1] * m.dims[2]))] as [number, number, number],
        };
        const options: DistanceFieldOptions = { signed: o.signed, surface: o.surface, inside: o.inside, roi };
        if (roi && roi.min.some((x, a) => x >= roi.max[a]!)) return;
        const got = computeDistanceField(volume(m), options);
        const want = referenceDistanceField(volume(m), options);
        expect(got.geometry).toEqual(want.geometry);
        expect(sameBits(got.voxels, want.voxels)).toBe(true);
      }),
      { numRuns: 120 },
    );
  });

  it('computeDistanceField: background rows skipped four voxels at a time, mask at any byte offset of its buffer', () => {
    // The seeding reads all-zero rows a Uint32 word at a time when the background is not inside
    // (and the mask's bytes start 4-aligned): the same bits at every offset, with non-zero bytes
    // around the mask in its buffer, and with the background inside (no skipping).
    const arbCase = fc.record({
      offset: fc.integer({ min: 0, max: 7 }),
      signed: fc.constantFrom<DistanceFieldOptions['signed']>(false, 'insidePositive'),
      inside: fc.constantFrom<DistanceFieldOptions['inside']>(undefined, [2, 3], [0, 2]),
      lo: fc.double({ min: 0, max: 0.5, noNaN: true }),
    });
    fc.assert(
      fc.property(arbMask, arbCase, (m, c) => {
        const buffer = new Uint8Array(m.values.length + 16).fill(7);
        const values = buffer.subarray(c.offset, c.offset + m.values.length);
        values.set(m.values);
        const moved = volume({ ...m, values });
        const roi = { min: [Math.floor(c.lo * m.dims[0]), 0, Math.floor(c.lo * m.dims[2])] as [number, number, number], max: [m.dims[0], m.dims[1], m.dims[2]] as [number, number, number] };
        const options: DistanceFieldOptions = { signed: c.signed, inside: c.inside, roi };
        const got = computeDistanceField(moved, options);
        const want = referenceDistanceField(volume(m), options);
        expect(sameBits(got.voxels, want.voxels)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('squaredDistanceInPlace: binary seeds (features zero) and arbitrary seeds', () => {
    fc.assert(
      fc.property(arbMask, fc.double({ min: 0, max: 0.3, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }), (m, general, seed) => {
        let s = seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const sq = new Float32Array(m.values.length);
        for (let t = 0; t < sq.length; t++) sq[t] = m.values[t] ? 0 : rnd() < general ? Math.fround(rnd() * 50) : EDT_FAR;
        const want = sq.slice();
        referenceSquaredEdt(want, m.dims, m.spacing);
        squaredDistanceInPlace(sq, m.dims, m.spacing);
        expect(sameBits(sq, want)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});
