import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { depthClassTable } from './segmentBoneSplit';

/** splitComponent's depth class by definition: how many thresholds the squared depth exceeds. */
const classOf = (d: number, th: Float64Array): number => {
  let c = 0;
  for (const t of th) if (d > t) c++;
  return c;
};

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]!);
const floatOf = (b: number): number => ((u32[0] = b >>> 0), f32[0]!);

describe('depthClassTable (segmentBone splits: the depth class from the float32 bits)', () => {
  it('gives the class of every float32 whose bucket is not 255 (random bits, lattice depths, floats next to the thresholds)', () => {
    let resolved = 0, total = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(0.5, 0.6, 0.75, 0.8, 0.9765625, 1, 1.25, 2, 3),
        fc.constantFrom(1, 1.25, 2, 2.5, 3),
        fc.shuffledSubarray([1, 1.5, 2, 3, 4, 5, 6, 8, 10], { minLength: 1 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 20 })), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 60 }),
        (h, hk, radii, cortex, lattice, randomBits) => {
          const th = new Float64Array([...new Set([...radii.map((r) => r * r), ...(cortex ? [h * h * 0.99] : [])])].sort((a, b) => a - b));
          const table = depthClassTable(th);
          const values: number[] = [];
          // Squared depths of the grid (float32 as the EDT stores them), the thresholds and their neighbouring floats, random bit patterns.
          for (const [a, b, c] of lattice) values.push(Math.fround((a * h) ** 2 + (b * h) ** 2 + (c * hk) ** 2));
          for (const t of th) for (let k = -3; k <= 3; k++) values.push(floatOf(bitsOf(Math.fround(t)) + k));
          for (const b of randomBits) values.push(floatOf(b));
          values.push(0, -0, 1e20, Infinity);
          for (const d of values) {
            const entry = table[bitsOf(d) >>> 16]!;
            total++;
            if (entry === 255) continue;
            resolved++;
            if (entry !== classOf(d, th)) return false;
          }
          return true;
        },
      ),
      { numRuns: 500 },
    );
    // Not vacuous: most values are resolved by the table.
    expect(resolved / total).toBeGreaterThan(0.5);
  });
});
