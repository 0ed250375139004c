import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fitSphere } from '../geometry/fitSphere';

describe('fitSphere', () => {
  it('recovers centre and radius from noisy points on a partial sphere', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: -200, max: 200, noNaN: true }), fc.double({ min: -200, max: 200, noNaN: true })),
        fc.double({ min: 5, max: 40, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        (c, r, seed) => {
          let s = seed;
          const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
          const pts: number[] = [];
          for (let n = 0; n < 300; n++) {
            // Cap of 120 degrees around +z, 0.2 mm noise.
            const th = Math.acos(1 - 1.5 * rnd()), ph = 2 * Math.PI * rnd();
            const rr = r + 0.2 * (rnd() - 0.5);
            pts.push(c[0] + rr * Math.sin(th) * Math.cos(ph), c[1] + rr * Math.sin(th) * Math.sin(ph), c[2] + rr * Math.cos(th));
          }
          const f = fitSphere(pts)!;
          expect(Math.hypot(f.centerLps[0] - c[0], f.centerLps[1] - c[1], f.centerLps[2] - c[2])).toBeLessThan(0.3);
          expect(Math.abs(f.radiusMm - r)).toBeLessThan(0.3);
          expect(f.rmsResidualMm).toBeLessThan(0.2);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('returns null for too few or coplanar points', () => {
    expect(fitSphere([0, 0, 0, 1, 0, 0, 0, 1, 0])).toBeNull();
    expect(fitSphere([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 2, 3, 0])).toBeNull();
  });
});
