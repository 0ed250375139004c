import { describe, expect, it } from 'vitest';
import { capTouchesFilled } from './segmentBone';

/**
 * capTouchesFilled: a cap voxel touches the filled bone through any of its six faces, in the
 * crop's own frame (the cap's CT ijk less the crop's corner). One case per face, each with the
 * filled voxel alone on that side; a crop corner away from the origin, so that CT ijk and crop
 * ijk differ, and a crop whose slice is not square, so that a k step (ni * nj) differs from a
 * j step (ni).
 */
describe('capTouchesFilled', () => {
  const [ni, nj, nk] = [5, 4, 6];
  const [bi, bj, bk] = [10, 20, 30];
  const at = (i: number, j: number, k: number): number => i + ni * (j + nj * k);
  const cap = [bi + 2, bj + 1, bk + 3]; // crop (2, 1, 3)

  it.each([
    ['-i', [1, 1, 3]], ['+i', [3, 1, 3]],
    ['-j', [2, 0, 3]], ['+j', [2, 2, 3]],
    ['-k', [2, 1, 2]], ['+k', [2, 1, 4]],
  ] as const)('touches through its %s face', (_face, [i, j, k]) => {
    const filled = new Uint8Array(ni * nj * nk);
    filled[at(i, j, k)] = 1;
    expect(capTouchesFilled(cap, filled, bi, bj, bk, ni, nj, nk)).toBe(true);
  });

  it('does not touch through an edge, a corner, or a voxel marked 2 (another cap)', () => {
    const filled = new Uint8Array(ni * nj * nk);
    filled[at(3, 2, 3)] = 1; // edge
    filled[at(1, 0, 2)] = 1; // corner
    filled[at(2, 1, 4)] = 2; // another cap on a face
    expect(capTouchesFilled(cap, filled, bi, bj, bk, ni, nj, nk)).toBe(false);
  });

  it('does not wrap around the crop: a voxel on the first face does not see the last row', () => {
    const filled = new Uint8Array(ni * nj * nk);
    filled[at(ni - 1, 0, 3)] = 1; // index at(0, 1, 3) - 1: the -i read of crop (0, 1, 3) without its guard
    expect(capTouchesFilled([bi, bj + 1, bk + 3], filled, bi, bj, bk, ni, nj, nk)).toBe(false);
  });
});
