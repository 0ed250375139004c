import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sacralMirrorPlane } from './sacralMidline';

/** Plain definition: the fraction of mask voxels whose mirror about the plane i = cI (voxels; same j, k) is in the mask. */
function mirrorOverlapAboutI(mask: Uint8Array, dims: readonly [number, number, number], cI: number): number {
  const [ni, nj, nk] = dims;
  let n = 0, hit = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    if (!mask[i + ni * (j + nj * k)]) continue;
    n++;
    const mi = 2 * cI - i;
    if (Number.isInteger(mi) && mi >= 0 && mi < ni && mask[mi + ni * (j + nj * k)]) hit++;
  }
  return hit / n;
}

describe('sacralMirrorPlane', () => {
  it('finds the mirror plane of any mirror-symmetric mask (random voxels on one side, mirrored about a random i), unturned, with every voxel matched', () => {
    const dims = [24, 10, 6] as const;
    const [ni, nj, nk] = dims;
    fc.assert(
      fc.property(
        // The plane: i = c / 2 (integer or half-integer), at least 3 voxels from either side.
        fc.integer({ min: 12, max: 2 * ni - 14 }),
        fc.array(fc.tuple(fc.nat(12), fc.nat(nj - 1), fc.nat(nk - 1)), { minLength: 3, maxLength: 60 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        (c2, voxels, spacing) => {
          const cI = c2 / 2;
          const mask = new Uint8Array(ni * nj * nk);
          for (const [d, j, k] of voxels) {
            const i = Math.floor(cI) - d; // left of (or on) the plane
            const mi = c2 - i;
            if (i < 0 || mi >= ni) continue;
            mask[i + ni * (j + nj * k)] = 1;
            mask[mi + ni * (j + nj * k)] = 1;
          }
          if (!mask.some((v) => v === 1)) return;
          expect(mirrorOverlapAboutI(mask, dims, cI)).toBe(1);
          const plane = sacralMirrorPlane(mask, dims, [spacing, spacing, 2])!;
          expect(plane.overlap).toBe(1);
          // A symmetric mask's centroid lies on its plane: the first candidate (unturned, at the
          // centroid) is the mirror plane and nothing scores higher.
          expect(plane.angleDeg).toBe(0);
          expect(plane.offsetMm / spacing).toBeCloseTo(cI, 9);
        },
      ),
      { numRuns: 200, seed: 20251125 },
    );
  });

  it('scores a plane by the plain definition (the fraction of voxels whose mirror image is in the mask)', () => {
    const dims = [20, 6, 4] as const;
    const [ni, nj, nk] = dims;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(ni - 1), fc.nat(nj - 1), fc.nat(nk - 1)), { minLength: 1, maxLength: 80 }), (voxels) => {
        const mask = new Uint8Array(ni * nj * nk);
        for (const [i, j, k] of voxels) mask[i + ni * (j + nj * k)] = 1;
        const plane = sacralMirrorPlane(mask, dims, [3, 3, 3])!;
        // Every unturned plane on the half-voxel grid within the search (45 mm, 15 voxels, of the
        // centroid) scores at most the chosen plane.
        let iSum = 0, n = 0;
        for (let t = 0; t < mask.length; t++) if (mask[t]) { iSum += t % ni; n++; }
        const c0 = Math.round((2 * iSum) / n);
        let best = 0;
        for (let c2 = Math.max(0, c0 - 30); c2 <= Math.min(2 * (ni - 1), c0 + 30); c2++) best = Math.max(best, mirrorOverlapAboutI(mask, dims, c2 / 2));
        expect(plane.overlap).toBeGreaterThanOrEqual(best - 1e-12);
        if (plane.angleDeg === 0) expect(plane.overlap).toBeCloseTo(mirrorOverlapAboutI(mask, dims, plane.offsetMm / 3), 12);
      }),
      { numRuns: 200, seed: 20251126 },
    );
  });

  it('returns null without a voxel', () => {
    expect(sacralMirrorPlane(new Uint8Array(24), [4, 3, 2], [3, 3, 3])).toBeNull();
  });
});
