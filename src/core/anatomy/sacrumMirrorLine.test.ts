import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sacrumMirrorLine } from './sacrum';

/**
 * `sacrumMirrorLine` on fine grids searches every f-th voxel (f = round(3 mm / spacing)) and then
 * refines the offset on the whole mask: the plane of a mirror-symmetric sacrum-like mask (a
 * ring with two wings, as an axial slice of the sacrum: body, canal, alae) must come out exact
 * (the symmetry plane, unturned), whatever the plane's place on the grid (integer or half-integer i).
 */
function sacrumLike(dims: readonly [number, number, number], cI2: number, spacingMm: number, bodyMm: number, wingMm: number): Uint8Array {
  const [ni, nj, nk] = dims;
  const mask = new Uint8Array(ni * nj * nk);
  const cJ = nj / 2;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const x = (i - cI2 / 2) * spacingMm, y = (j - cJ) * spacingMm;
    const r = Math.hypot(x, y);
    const ring = r <= bodyMm && r >= 0.4 * bodyMm;
    const wing = Math.abs(x) <= bodyMm + wingMm && Math.abs(y + 0.3 * bodyMm) <= 0.35 * bodyMm + 0.1 * k;
    if (ring || wing) mask[i + ni * (j + nj * k)] = 1;
  }
  return mask;
}

describe('sacrumMirrorLine', () => {
  it('gives the exact symmetry plane of a mirror-symmetric sacrum-like mask on fine voxels (0.5-1.5 mm: coarse search, then refined)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.5, max: 1.5, noNaN: true }),
        fc.integer({ min: -12, max: 12 }),
        fc.double({ min: 12, max: 20, noNaN: true }),
        fc.double({ min: 8, max: 20, noNaN: true }),
        (spacingMm, shift2, bodyMm, wingMm) => {
          const halfWidth = Math.ceil((bodyMm + wingMm) / spacingMm) + 3;
          const ni = 2 * halfWidth + 30, nj = Math.ceil((2 * bodyMm) / spacingMm) + 6, nk = 4;
          const cI2 = ni + shift2; // plane at i = cI2 / 2
          const mask = sacrumLike([ni, nj, nk], cI2, spacingMm, bodyMm, wingMm);
          const line = sacrumMirrorLine(mask, [ni, nj, nk], [spacingMm, spacingMm, 3 * spacingMm])!;
          expect(line.angleDeg).toBe(0);
          expect(line.normal).toEqual([1, 0]);
          expect(line.offsetMm / spacingMm).toBeCloseTo(cI2 / 2, 9);
        },
      ),
      { numRuns: 25, seed: 2511 },
    );
  });
});
