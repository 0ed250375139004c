/**
 * The strided passes' block envelope in WebAssembly (edtWasm.ts) gives the same bits as the
 * JavaScript envelope (distanceTransform.ts envelopeBlock) and as the reference squared EDT
 * (testing/referenceEdt.ts, the plain per-line lower envelope), on grids with long lines (the
 * module's memory grows), partial blocks, runs of zero rows (skipped rows, collapsed lines),
 * lines without features and arbitrary non-zero seeds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EDT_FAR, createEdtScratch, edtPassSlab, edtSlabCount, squaredDistanceInPlace } from './distanceTransform';
import { edtWasm, edtWasmBytes, setEdtWasmEnabled } from './edtWasm';
import { referenceSquaredEdt } from './testing/referenceEdt';
import { distanceToShape, fillShapeField, type TubeShape } from './structureDistance';

type Grid = { dims: [number, number, number]; spacing: [number, number, number]; seeds: Float32Array };

/** Grids of up to 40 x 40 x 300 (or 300 along j) of slabs of zeros, boxes of zeros, FAR and arbitrary seeds. */
const arbGrid = fc
  .record({
    ni: fc.integer({ min: 1, max: 40 }),
    nj: fc.integer({ min: 1, max: 40 }),
    nk: fc.integer({ min: 1, max: 40 }),
    long: fc.constantFrom(0, 1, 2),
    sx: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sy: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sz: fc.double({ min: 0.3, max: 3, noNaN: true }),
    zeroSlab: fc.double({ min: 0, max: 1, noNaN: true }),
    boxes: fc.integer({ min: 0, max: 4 }),
    general: fc.double({ min: 0, max: 0.4, noNaN: true }),
    features: fc.double({ min: 0, max: 0.2, noNaN: true }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((r): Grid => {
    let s = r.seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const dims: [number, number, number] = [r.ni, r.long === 1 ? 150 + r.nj * 4 : r.nj, r.long === 2 ? 150 + r.nk * 4 : r.nk];
    const [ni, nj, nk] = dims;
    const seeds = new Float32Array(ni * nj * nk);
    // Slabs of zero rows along j and k (skipped rows of a block), boxes of zeros (collapsed runs), scattered values.
    const slab = (n: number) => {
      const a = Math.floor(rnd() * n * r.zeroSlab), b = a + Math.floor(rnd() * n * r.zeroSlab);
      return [a, b] as const;
    };
    const [ja, jb] = slab(nj), [ka, kb] = slab(nk);
    const boxes = Array.from({ length: r.boxes }, () => {
      const lo = [rnd() * ni, rnd() * nj, rnd() * nk];
      return { lo, hi: [lo[0]! + rnd() * ni / 2, lo[1]! + rnd() * nj / 2, lo[2]! + rnd() * nk / 2] };
    });
    for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
      const inBox = boxes.some((b) => i >= b.lo[0]! && i < b.hi[0]! && j >= b.lo[1]! && j < b.hi[1]! && k >= b.lo[2]! && k < b.hi[2]!);
      if ((j >= ja && j < jb) || (k >= ka && k < kb) || inBox || rnd() < r.features) seeds[t] = 0;
      else seeds[t] = rnd() < r.general ? Math.fround(rnd() * 80) : EDT_FAR;
    }
    return { dims, spacing: [r.sx, r.sy, r.sz], seeds };
  });

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) return false;
  return true;
}

afterEach(() => {
  setEdtWasmEnabled(true);
});

describe('EDT block envelope in WebAssembly', () => {
  it('compiles and is used in node (so the other EDT tests run it)', () => {
    expect(edtWasmBytes().length).toBeLessThan(4096);
    expect(edtWasm()).not.toBeNull();
  });

  it('squaredDistanceInPlace: the same bits with and without the module, and as the reference EDT', () => {
    fc.assert(
      fc.property(arbGrid, (g) => {
        const withWasm = g.seeds.slice();
        setEdtWasmEnabled(true);
        squaredDistanceInPlace(withWasm, g.dims, g.spacing);
        const withJs = g.seeds.slice();
        setEdtWasmEnabled(false);
        squaredDistanceInPlace(withJs, g.dims, g.spacing);
        setEdtWasmEnabled(true);
        const want = g.seeds.slice();
        referenceSquaredEdt(want, g.dims, g.spacing);
        expect(sameBits(withWasm, withJs)).toBe(true);
        expect(sameBits(withWasm, want)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('each strided pass alone on arbitrary seeds (no first pass before it): the same bits with and without the module', () => {
    fc.assert(
      fc.property(arbGrid, fc.constantFrom<1 | 2>(1, 2), (g, pass) => {
        const run = (wasm: boolean) => {
          const sq = g.seeds.slice();
          setEdtWasmEnabled(wasm);
          edtPassSlab(sq, g.dims, g.spacing, pass, 0, edtSlabCount(pass, g.dims), createEdtScratch(Math.max(...g.dims)));
          return sq;
        };
        expect(sameBits(run(true), run(false))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('rows the module marks as unwritten keep their bits, -0 included (each strided pass, some zeros -0)', () => {
    // The module copies back only the plane rows `plane` marked as possibly written (edtWasm.ts):
    // a row it skipped must hold its input. A zero the JS sweep writes over (a line that is not
    // collapsed) becomes +0, so -0 seeds tell a row wrongly left unmarked from one left as it is.
    fc.assert(
      fc.property(arbGrid, fc.constantFrom<1 | 2>(1, 2), fc.integer({ min: 1, max: 2 ** 30 }), (g, pass, negSeed) => {
        let s = negSeed;
        const seeds = g.seeds.slice();
        for (let t = 0; t < seeds.length; t++) if (seeds[t] === 0 && ((s = (s * 1103515245 + 12345) & 0x7fffffff) & 1)) seeds[t] = -0;
        const run = (wasm: boolean) => {
          const sq = seeds.slice();
          setEdtWasmEnabled(wasm);
          edtPassSlab(sq, g.dims, g.spacing, pass, 0, edtSlabCount(pass, g.dims), createEdtScratch(Math.max(...g.dims)));
          return sq;
        };
        expect(sameBits(run(true), run(false))).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it("a block's row with one non-zero float (each single bit, each lane) among zero rows: the same bits with and without the module", () => {
    // The module reads a full block's row as eight 64-bit words with the sign bits masked off
    // (rowZero): every bit but the sign must make the row non-zero. Rows 0, 1, 3, 4 zero, row 2
    // zero but for one float; a misread row 2 leaves the block untransformed (2.0 = bit 30 alone
    // then stays 2.0 instead of h^2). Each strided pass, spacing 0.3 and 1.
    const bits = new Uint32Array(1), value = new Float32Array(bits.buffer);
    for (const pass of [1, 2] as const) for (const h of [0.3, 1]) for (let lane = 0; lane < 16; lane++) for (let b = 0; b < 32; b++) {
      bits[0] = (1 << b) >>> 0;
      const dims: [number, number, number] = pass === 1 ? [16, 5, 1] : [16, 1, 5];
      const seeds = new Float32Array(80);
      seeds[32 + lane] = value[0]!;
      const run = (wasm: boolean) => {
        const sq = seeds.slice();
        setEdtWasmEnabled(wasm);
        edtPassSlab(sq, dims, [h, h, h], pass, 0, edtSlabCount(pass, dims), createEdtScratch(16));
        return sq;
      };
      expect(sameBits(run(true), run(false)), `pass ${pass} h ${h} lane ${lane} bit ${b}`).toBe(true);
    }
  });

  it('tube structure fields (fillShapeField): the same bits with and without the module, and the distance to the polyline', () => {
    const coord = fc.double({ min: -30, max: 30, noNaN: true });
    const arbTube = fc.record({
      points: fc.array(fc.tuple(coord, coord, coord), { minLength: 1, maxLength: 6 }),
      radius: fc.double({ min: 0, max: 6, noNaN: true }),
      dims: fc.tuple(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 8 })),
      spacing: fc.tuple(fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true })),
      origin: fc.tuple(coord, coord, coord),
      angle: fc.double({ min: -3.2, max: 3.2, noNaN: true }),
      tilt: fc.double({ min: -1.5, max: 1.5, noNaN: true }),
      repeat: fc.boolean(),
    });
    fc.assert(
      fc.property(arbTube, (c) => {
        // A repeated point makes a zero-length segment (its 1 / |b - a|^2 is 0).
        const points = c.repeat ? [c.points[0]!, ...c.points] : c.points;
        const shape: TubeShape = { kind: 'tube', pointsLps: points, radiusMm: c.radius };
        const cs = Math.cos(c.angle), sn = Math.sin(c.angle), ct = Math.cos(c.tilt), st = Math.sin(c.tilt);
        const [sx, sy, sz] = c.spacing;
        // Column-major ijk -> LPS: a turn about z by angle, then about x by tilt (every axis moves every coordinate but i's z).
        const ax = [cs, sn * ct, sn * st], ay = [-sn, cs * ct, cs * st], az = [0, -st, ct];
        const m = new Float64Array([ax[0]! * sx, ax[1]! * sx, ax[2]! * sx, 0, ay[0]! * sy, ay[1]! * sy, ay[2]! * sy, 0, az[0]! * sz, az[1]! * sz, az[2]! * sz, 0, c.origin[0], c.origin[1], c.origin[2], 1]);
        const n = c.dims[0] * c.dims[1] * c.dims[2];
        const withWasm = new Float32Array(n), withJs = new Float32Array(n);
        setEdtWasmEnabled(true);
        fillShapeField(withWasm, c.dims, m, shape);
        setEdtWasmEnabled(false);
        fillShapeField(withJs, c.dims, m, shape);
        setEdtWasmEnabled(true);
        expect(sameBits(withWasm, withJs)).toBe(true);
        for (let k = 0, t = 0; k < c.dims[2]; k++) for (let j = 0; j < c.dims[1]; j++) for (let i = 0; i < c.dims[0]; i++, t++) {
          const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!, y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!, z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
          expect(withWasm[t]).toBeCloseTo(distanceToShape(shape, x, y, z), 3);
        }
      }),
      { numRuns: 150 },
    );
  });
});
