import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeDistanceField, createEdtScratch, EDT_FAR, edtPassSlab, squaredDistanceInPlace, subGridGeometry } from './distanceTransform';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../volume/VolumeGeometry';
import type { Vec3 } from '../geometry/vec3';

function maskVolume(dims: [number, number, number], spacing: [number, number, number], values: Uint8Array) {
  const g = createVolumeGeometry({ dims, spacingMm: spacing, originLps: [3, -7, 11] });
  return createVolume('m', 'label', g, values);
}

/** Brute-force distance from voxel t to the nearest voxel whose membership equals `want`. */
function brute(values: Uint8Array, dims: number[], spacing: number[], lut: (v: number) => boolean, t: number, want: boolean, box?: { min: number[]; max: number[] }): number {
  const [ni, nj] = dims as [number, number, number];
  const ti = t % ni, tj = Math.floor(t / ni) % nj, tk = Math.floor(t / (ni * nj));
  let best = Infinity;
  for (let q = 0; q < values.length; q++) {
    const qi = q % ni, qj = Math.floor(q / ni) % nj, qk = Math.floor(q / (ni * nj));
    if (box && (qi < box.min[0]! || qj < box.min[1]! || qk < box.min[2]! || qi >= box.max[0]! || qj >= box.max[1]! || qk >= box.max[2]!)) continue;
    if (lut(values[q]!) !== want) continue;
    const d = Math.hypot((qi - ti) * spacing[0]!, (qj - tj) * spacing[1]!, (qk - tk) * spacing[2]!);
    if (d < best) best = d;
  }
  return best;
}

const arbGrid = fc
  .record({
    ni: fc.integer({ min: 1, max: 7 }),
    nj: fc.integer({ min: 1, max: 6 }),
    nk: fc.integer({ min: 1, max: 6 }),
    sx: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sy: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sz: fc.double({ min: 0.3, max: 3, noNaN: true }),
    density: fc.double({ min: 0, max: 1, noNaN: true }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((r) => {
    const n = r.ni * r.nj * r.nk;
    const values = new Uint8Array(n);
    let s = r.seed;
    for (let t = 0; t < n; t++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      values[t] = (s / 0x7fffffff) < r.density ? 1 + (s % 3) : 0;
    }
    return { ...r, values, dims: [r.ni, r.nj, r.nk] as [number, number, number], spacing: [r.sx, r.sy, r.sz] as [number, number, number] };
  });

describe('computeDistanceField', () => {
  it('matches brute force (unsigned, voxel centres) on random anisotropic masks', () => {
    fc.assert(
      fc.property(arbGrid, (c) => {
        const field = computeDistanceField(maskVolume(c.dims, c.spacing, c.values));
        for (let t = 0; t < c.values.length; t++) {
          const b = brute(c.values, c.dims, c.spacing, (v) => v !== 0, t, true);
          if (b === Infinity) expect(field.voxels[t]).toBe(Infinity);
          else expect(Math.abs(field.voxels[t]! - b)).toBeLessThan(1e-4 * (1 + b));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('selects inside voxels by label list and matches brute force on a region of interest', () => {
    fc.assert(
      fc.property(arbGrid, fc.integer({ min: 0, max: 3 }), (c, cut) => {
        const box = {
          min: [Math.min(cut, c.ni - 1), 0, Math.min(1, c.nk - 1)] as [number, number, number],
          max: [c.ni, Math.max(1, c.nj - cut), c.nk] as [number, number, number],
        };
        const field = computeDistanceField(maskVolume(c.dims, c.spacing, c.values), { inside: [2, 3], roi: box });
        const [oi, oj, ok] = field.geometry.dims;
        expect([oi, oj, ok]).toEqual([box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]]);
        for (let k = 0; k < ok; k++) for (let j = 0; j < oj; j++) for (let i = 0; i < oi; i++) {
          const t = i + box.min[0] + c.ni * (j + box.min[1] + c.nj * (k + box.min[2]));
          const b = brute(c.values, c.dims, c.spacing, (v) => v === 2 || v === 3, t, true, box);
          const got = field.voxels[i + oi * (j + oj * k)]!;
          if (b === Infinity) expect(got).toBe(Infinity);
          else expect(Math.abs(got - b)).toBeLessThan(1e-4 * (1 + b));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('gives a signed field: positive depth inside, negative outside, half a voxel off the centres', () => {
    fc.assert(
      fc.property(arbGrid, (c) => {
        const h = Math.min(c.sx, c.sy, c.sz) / 2;
        const pos = computeDistanceField(maskVolume(c.dims, c.spacing, c.values), { signed: 'insidePositive' });
        const neg = computeDistanceField(maskVolume(c.dims, c.spacing, c.values), { signed: 'insideNegative' });
        for (let t = 0; t < c.values.length; t++) {
          const inside = c.values[t] !== 0;
          const b = brute(c.values, c.dims, c.spacing, (v) => v !== 0, t, !inside);
          const expected = b === Infinity ? Infinity : b - h;
          const got = pos.voxels[t]!;
          if (expected === Infinity) expect(got).toBe(inside ? Infinity : -Infinity);
          else {
            expect(Math.abs(Math.abs(got) - expected)).toBeLessThan(1e-4 * (1 + b));
            expect(Math.sign(got)).toBe(inside ? 1 : -1);
          }
          expect(neg.voxels[t]).toBe(-got);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('measures millimetres from a point on a 0.5 x 0.8 x 2.5 mm grid, and places the ROI grid in LPS', () => {
    const dims: [number, number, number] = [40, 30, 12];
    const values = new Uint8Array(40 * 30 * 12);
    values[20 + 40 * (15 + 30 * 6)] = 1;
    const mask = maskVolume(dims, [0.5, 0.8, 2.5], values);
    const roi = { min: [5, 2, 1] as [number, number, number], max: [38, 29, 12] as [number, number, number] };
    const field = computeDistanceField(mask, { roi, shared: true });
    expect(field.voxels.buffer instanceof SharedArrayBuffer).toBe(true);
    const g = field.geometry;
    expect(g).toEqual(subGridGeometry(mask.geometry, roi));
    const a: Vec3 = ijkToLps([0, 0, 0], g, [0, 0, 0]);
    const b: Vec3 = ijkToLps([0, 0, 0], mask.geometry, [5, 2, 1]);
    expect(a).toEqual(b);
    // Voxel (30, 20, 9) of the mask = (25, 18, 8) of the ROI.
    const d = field.voxels[25 + g.dims[0] * (18 + g.dims[1] * 8)]!;
    expect(d).toBeCloseTo(Math.hypot(10 * 0.5, 5 * 0.8, 3 * 2.5), 4);
  });

  it('matches brute force on grids wider than one block of lines (several i blocks, long j and k lines)', () => {
    // 70 x 40 x 36 voxels, anisotropic: the strided passes run over 3 blocks of i and a partial one.
    const dims: [number, number, number] = [70, 40, 36];
    const spacing: [number, number, number] = [0.8, 1.1, 2.3];
    const n = dims[0] * dims[1] * dims[2];
    const values = new Uint8Array(n);
    let s = 12345;
    for (let t = 0; t < n; t++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      // Sparse features plus one solid slab, so lines are empty, mixed and full.
      const k = Math.floor(t / (dims[0] * dims[1]));
      values[t] = s % 997 === 0 || (k >= 20 && k < 23 && t % dims[0] < 30) ? 1 : 0;
    }
    const field = computeDistanceField(maskVolume(dims, spacing, values), { signed: 'insidePositive' });
    const h = Math.min(...spacing) / 2;
    for (let probe = 0; probe < 150; probe++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const t = s % n;
      const inside = values[t] !== 0;
      const b = brute(values, dims, spacing, (v) => v !== 0, t, !inside);
      const got = field.voxels[t]!;
      expect(Math.abs(Math.abs(got) - (b - h))).toBeLessThan(1e-4 * (1 + b));
      expect(Math.sign(got)).toBe(inside ? 1 : -1);
    }
  });

  it('squaredDistanceInPlace: a grid of arbitrary non-negative seeds gives min over p of |q - p|^2 + seed(p) (brute force)', () => {
    fc.assert(
      fc.property(arbGrid, fc.integer({ min: 1, max: 2 ** 30 }), (c, seed) => {
        const n = c.values.length;
        const sq = new Float32Array(n);
        let s = seed;
        for (let t = 0; t < n; t++) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          sq[t] = c.values[t] === 0 ? EDT_FAR : c.values[t] === 1 ? 0 : Math.fround((s % 1000) / 37);
        }
        const seeds = sq.slice();
        squaredDistanceInPlace(sq, c.dims, c.spacing);
        const [ni, nj] = c.dims;
        for (let t = 0; t < n; t++) {
          const ti = t % ni, tj = Math.floor(t / ni) % nj, tk = Math.floor(t / (ni * nj));
          let best = Infinity;
          for (let q = 0; q < n; q++) {
            if (seeds[q]! >= EDT_FAR) continue;
            const qi = q % ni, qj = Math.floor(q / ni) % nj, qk = Math.floor(q / (ni * nj));
            const d2 = ((qi - ti) * c.sx) ** 2 + ((qj - tj) * c.sy) ** 2 + ((qk - tk) * c.sz) ** 2 + seeds[q]!;
            if (d2 < best) best = d2;
          }
          if (best === Infinity) expect(sq[t]! >= EDT_FAR).toBe(true);
          else expect(Math.abs(sq[t]! - best)).toBeLessThan(1e-4 * (1 + best));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('first pass (along i) of rows of features and non-features: exactly fround((d h)^2), d voxels to the row\'s nearest feature, +0 at a feature', () => {
    // The plain definition of the pass's table path (rows of 0 / -0 / FAR / above FAR / NaN only):
    // a row without a feature or without a non-feature stays as it is (bit for bit, -0 kept);
    // otherwise every voxel gets e * e with e = d h in double, rounded to float, so +0 at a feature.
    const arbRows = fc.record({
      ni: fc.integer({ min: 1, max: 70 }),
      nj: fc.integer({ min: 1, max: 4 }),
      nk: fc.integer({ min: 1, max: 3 }),
      h: fc.double({ min: 0.05, max: 4, noNaN: true }),
      zeros: fc.double({ min: 0, max: 1, noNaN: true }),
      seed: fc.integer({ min: 1, max: 2 ** 30 }),
    });
    fc.assert(
      fc.property(arbRows, (c) => {
        let s = c.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const dims: [number, number, number] = [c.ni, c.nj, c.nk];
        const n = c.ni * c.nj * c.nk;
        const seeds = new Float32Array(n);
        const others = [EDT_FAR, EDT_FAR, 2e30, Infinity, NaN];
        for (let t = 0; t < n; t++) seeds[t] = rnd() < c.zeros ? (rnd() < 0.5 ? -0 : 0) : others[Math.floor(rnd() * others.length)]!;
        const got = seeds.slice();
        edtPassSlab(got, dims, [c.h, 1, 1], 0, 0, c.nk, createEdtScratch(Math.max(...dims)));
        const want = seeds.slice();
        for (let r = 0; r < c.nj * c.nk; r++) {
          const o = r * c.ni;
          const zeros: number[] = [];
          for (let i = 0; i < c.ni; i++) if (seeds[o + i] === 0) zeros.push(i);
          if (zeros.length === 0 || zeros.length === c.ni) continue;
          for (let i = 0; i < c.ni; i++) {
            const d = Math.min(...zeros.map((p) => Math.abs(i - p)));
            const e = d * c.h;
            want[o + i] = e * e;
          }
        }
        for (let t = 0; t < n; t++) expect(Object.is(got[t], want[t]), `voxel ${t}: ${got[t]} vs ${want[t]}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('returns +Infinity everywhere for an empty mask and rejects an empty ROI', () => {
    const mask = maskVolume([4, 4, 4], [1, 1, 1], new Uint8Array(64));
    expect(Array.from(computeDistanceField(mask).voxels).every((v) => v === Infinity)).toBe(true);
    expect(() => computeDistanceField(mask, { roi: { min: [2, 0, 0], max: [2, 4, 4] } })).toThrow(/region of interest/);
  });
});
