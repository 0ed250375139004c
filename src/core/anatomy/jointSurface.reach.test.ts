import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { reachFromFaces } from './jointSurface';

/** The definition, voxel by voxel: breadth-first from every free face voxel over free 6-neighbours. */
function reachPlain(solid: Uint8Array, [ni, nj, nk]: readonly [number, number, number]): Uint8Array {
  const reached = new Uint8Array(solid.length);
  const queue: [number, number, number][] = [];
  const at = (i: number, j: number, k: number): number => i + ni * (j + nj * k);
  const visit = (i: number, j: number, k: number): void => {
    if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return;
    const p = at(i, j, k);
    if (solid[p] || reached[p]) return;
    reached[p] = 1;
    queue.push([i, j, k]);
  };
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    if (i === 0 || j === 0 || k === 0 || i === ni - 1 || j === nj - 1 || k === nk - 1) visit(i, j, k);
  }
  for (let q = 0; q < queue.length; q++) {
    const [i, j, k] = queue[q]!;
    visit(i - 1, j, k); visit(i + 1, j, k); visit(i, j - 1, k); visit(i, j + 1, k); visit(i, j, k - 1); visit(i, j, k + 1);
  }
  return reached;
}

describe('reachFromFaces (the femur\'s enclosed holes are what it does not reach)', () => {
  it('marks exactly the free voxels 6-connected to a face of the box, on random masks', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 })),
        fc.integer({ min: 20, max: 80 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        ([ni, nj, nk], densityPercent, seed) => {
          let s = seed;
          const rnd = (): number => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
          const solid = new Uint8Array(ni * nj * nk);
          for (let p = 0; p < solid.length; p++) solid[p] = rnd() * 100 < densityPercent ? 1 : 0;
          const dims = [ni, nj, nk] as const;
          expect(Array.from(reachFromFaces(solid, dims))).toEqual(Array.from(reachPlain(solid, dims)));
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('leaves a closed shell\'s inside unreached and a shell with one hole reached', () => {
    const n = 7;
    const solid = new Uint8Array(n * n * n);
    const at = (i: number, j: number, k: number): number => i + n * (j + n * k);
    for (let k = 1; k < 6; k++) for (let j = 1; j < 6; j++) for (let i = 1; i < 6; i++) {
      if (i === 1 || i === 5 || j === 1 || j === 5 || k === 1 || k === 5) solid[at(i, j, k)] = 1;
    }
    expect(reachFromFaces(solid, [n, n, n])[at(3, 3, 3)]).toBe(0);
    solid[at(3, 1, 3)] = 0;
    expect(reachFromFaces(solid, [n, n, n])[at(3, 3, 3)]).toBe(1);
  });
});
