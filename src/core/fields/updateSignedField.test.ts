import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeDistanceField } from './distanceTransform';
import { updateSignedField } from './updateSignedField';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';

/** A blob (ellipsoid) in a grid, then a small random region flipped; the update must equal a fresh transform. */
const arbCase = fc.record({
  ni: fc.integer({ min: 12, max: 30 }),
  nj: fc.integer({ min: 10, max: 24 }),
  nk: fc.integer({ min: 6, max: 18 }),
  sx: fc.double({ min: 0.5, max: 2, noNaN: true }),
  sy: fc.double({ min: 0.5, max: 2, noNaN: true }),
  sz: fc.double({ min: 0.5, max: 2.5, noNaN: true }),
  fi: fc.double({ min: 0, max: 1, noNaN: true }),
  fj: fc.double({ min: 0, max: 1, noNaN: true }),
  fk: fc.double({ min: 0, max: 1, noNaN: true }),
  size: fc.integer({ min: 1, max: 4 }),
  density: fc.double({ min: 0.2, max: 1, noNaN: true }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  marginMm: fc.double({ min: 2, max: 30, noNaN: true }),
  mode: fc.constantFrom('insidePositive' as const, 'insideNegative' as const),
});

describe('updateSignedField', () => {
  it('equals a fresh signed transform whenever it answers, and answers for small flips near a blob', () => {
    let answered = 0;
    fc.assert(
      fc.property(arbCase, (c) => {
        const n = c.ni * c.nj * c.nk;
        const g = createVolumeGeometry({ dims: [c.ni, c.nj, c.nk], spacingMm: [c.sx, c.sy, c.sz], originLps: [0, 0, 0] });
        const before = new Uint8Array(n);
        for (let k = 0; k < c.nk; k++) for (let j = 0; j < c.nj; j++) for (let i = 0; i < c.ni; i++) {
          const x = (i / c.ni - 0.5) / 0.35, y = (j / c.nj - 0.5) / 0.3, z = (k / c.nk - 0.5) / 0.35;
          if (x * x + y * y + z * z < 1) before[i + c.ni * (j + c.nj * k)] = 1;
        }
        const after = before.slice();
        const ci = Math.floor(c.fi * (c.ni - c.size)), cj = Math.floor(c.fj * (c.nj - c.size)), ck = Math.floor(c.fk * (c.nk - c.size));
        let s = c.seed;
        for (let k = ck; k < ck + c.size; k++) for (let j = cj; j < cj + c.size; j++) for (let i = ci; i < ci + c.size; i++) {
          s = (s * 1103515245 + 12345) & 0x7fffffff;
          if (s / 0x7fffffff < c.density) after[i + c.ni * (j + c.nj * k)] ^= 1;
        }
        const old = computeDistanceField(createVolume('a', 'label', g, before), { signed: c.mode });
        const labels = createVolume('b', 'label', g, after);
        const fresh = computeDistanceField(labels, { signed: c.mode });
        const updated = updateSignedField(old, labels, {
          inside: 1, signed: c.mode, marginMm: c.marginMm,
          flippedBox: { min: [ci, cj, ck], max: [ci + c.size, cj + c.size, ck + c.size] },
        });
        if (!updated) return;
        answered++;
        expect(updated.voxels).not.toBe(old.voxels);
        for (let t = 0; t < n; t++) {
          const a = updated.voxels[t]!, b = fresh.voxels[t]!;
          if (!Number.isFinite(b)) expect(a).toBe(b);
          else expect(Math.abs(a - b)).toBeLessThan(1e-4 * (1 + Math.abs(b)));
        }
      }),
      { numRuns: 80 },
    );
    // The property must not pass by always giving up.
    expect(answered).toBeGreaterThan(15);
  });

  it('gives up (null) when an affected voxel lies beyond the local box, and answers when the box covers them', () => {
    // Solid block with a single outside voxel in a corner; it flips to inside: every inside voxel's
    // nearest outside voxel was the flipped one, so every voxel is affected.
    const g = createVolumeGeometry({ dims: [20, 16, 12], spacingMm: [1, 1.2, 1.5], originLps: [0, 0, 0] });
    const before = new Uint8Array(20 * 16 * 12).fill(1);
    before[0] = 0;
    const after = new Uint8Array(20 * 16 * 12).fill(1);
    const old = computeDistanceField(createVolume('a', 'label', g, before), { signed: 'insidePositive' });
    const labels = createVolume('b', 'label', g, after);
    const box = { min: [0, 0, 0] as [number, number, number], max: [1, 1, 1] as [number, number, number] };
    expect(updateSignedField(old, labels, { inside: 1, signed: 'insidePositive', marginMm: 3, flippedBox: box })).toBeNull();
    const whole = updateSignedField(old, labels, { inside: 1, signed: 'insidePositive', marginMm: 60, flippedBox: box })!;
    expect(Array.from(whole.voxels).every((v) => v === Infinity)).toBe(true);
  });
});
