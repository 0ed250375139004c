import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { measureLabel } from './labelEdits';

/**
 * measureLabel over the whole grid jumps from voxel to voxel of the label with the native search;
 * over a box it loops. Both must visit the same voxels in the same raster order (the sums, and so
 * every figure, to the last bit): the whole-grid result is compared with the box loop run on the
 * same labels in a grid one slice taller (the extra slice holds the label too, outside the box).
 */
describe('measureLabel, whole grid and box paths', () => {
  it('give the same figures to the last bit on random labels and oblique geometry', () => {
    fc.assert(fc.property(
      fc.tuple(fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 9 })),
      fc.integer(), fc.double({ min: 0, max: 0.6, noNaN: true }), fc.constantFrom(1, 2, 255),
      fc.constantFrom<[number, number, number]>([1, 1, 1], [0.78, 0.78, 1.25], [0.5, 0.7, 3]),
      fc.boolean(),
      (dims, seed, density, label, spacingMm, oblique) => {
        const [ni, nj, nk] = dims;
        const direction = oblique ? [0.8, 0.6, 0, -0.6, 0.8, 0, 0, 0, 1] : [1, 0, 0, 0, 1, 0, 0, 0, 1];
        const origin: [number, number, number] = [-12.5, 40.25, -300];
        const g = createVolumeGeometry({ dims, spacingMm, originLps: origin, direction });
        const gTall = createVolumeGeometry({ dims: [ni, nj, nk + 1], spacingMm, originLps: origin, direction });
        const voxels = new Uint8Array(ni * nj * nk);
        let x = seed >>> 0 || 3;
        for (let t = 0; t < voxels.length; t++) {
          x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
          voxels[t] = (x % 1000) / 1000 < density ? label : x % 3;
        }
        const tall = new Uint8Array(ni * nj * (nk + 1)).fill(label);
        tall.set(voxels);
        const whole = measureLabel(createVolume('w', 'label', g, voxels), label);
        const boxed = measureLabel(createVolume('b', 'label', gTall, tall), label, { lo: [0, 0, 0], hi: [ni, nj, nk] });
        expect(whole).toEqual(boxed);
        expect(whole?.voxelCount ?? 0).toBe(voxels.reduce((s, v) => s + (v === label ? 1 : 0), 0));
      },
    ), { numRuns: 300 });
  });
});
