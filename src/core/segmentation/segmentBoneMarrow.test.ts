import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { fillPartsByClosing, marrowClosingRadiusMm } from './segmentBoneMarrow';

/**
 * Two boxes of cortex, 3 mm voxels, each a one-voxel shell with holes in it (partial volume
 * left parts of the cortex below the threshold): marrow (grey 60) inside the left box, a
 * fat-filled canal (grey -100) inside the right one, soft tissue (grey 40) around both,
 * and one voxel of soft tissue between the two boxes (a joint bridged only by the closing).
 */
function twoShells() {
  const dims = [30, 20, 20] as const;
  const n = dims[0] * dims[1] * dims[2];
  const grey = new Int16Array(n).fill(40);
  const parts = new Uint8Array(n);
  const at = (i: number, j: number, k: number) => i + dims[0] * (j + dims[1] * k);
  const boxes = [
    { label: 2, i0: 3, i1: 13, inside: 60 },
    { label: 3, i0: 15, i1: 25, inside: -100 },
  ];
  for (const b of boxes) {
    for (let k = 4; k <= 14; k++) for (let j = 4; j <= 14; j++) for (let i = b.i0; i <= b.i1; i++) {
      const shell = i === b.i0 || i === b.i1 || j === 4 || j === 14 || k === 4 || k === 14;
      const t = at(i, j, k);
      if (!shell) {
        grey[t] = b.inside;
        continue;
      }
      // Holes in the cortex: every fourth voxel along j on the shell's faces.
      if (j % 4 === 1 && k > 4 && k < 14) continue;
      parts[t] = b.label;
      grey[t] = 700;
    }
  }
  const g = createVolumeGeometry({ dims, spacingMm: [3, 3, 3], originLps: [0, 0, 0] });
  return { dims, parts, ct: createVolume('shells', 'ct', g, grey), at, box: { min: [0, 0, 0] as [number, number, number], max: dims as unknown as [number, number, number] } };
}

describe('marrow filling on coarse voxels', () => {
  it('closes only images whose voxels are coarser than the thickest cortex, with a radius of 2.5 voxels', () => {
    expect(marrowClosingRadiusMm([0.8, 0.8, 1])).toBe(0);
    expect(marrowClosingRadiusMm([2, 2, 2])).toBe(0);
    expect(marrowClosingRadiusMm([0.7, 0.7, 3])).toBeCloseTo(7.5);
    expect(marrowClosingRadiusMm([3, 3, 3])).toBeCloseTo(7.5);
  });

  it('fills the marrow inside a holed cortex, not a fat-filled canal, and never bridges two parts', () => {
    {
      const { dims, parts, ct, at, box } = twoShells();
      const added = fillPartsByClosing(parts, dims, [3, 3, 3], 7.5, ct, box, -20, [2, 3]);
      // The left box's marrow (9 x 9 x 9 inside) is now bone of the left part.
      let inside = 0;
      for (let k = 5; k <= 13; k++) for (let j = 5; j <= 13; j++) for (let i = 4; i <= 12; i++) if (parts[at(i, j, k)] === 2) inside++;
      expect(inside).toBe(9 * 9 * 9);
      // The fat-filled canal of the right box stays out (darker than the floor).
      expect(parts[at(20, 9, 9)]).toBe(0);
      expect(added.get(2)!).toBeGreaterThanOrEqual(9 * 9 * 9);
      // Neither part takes a voxel inside the other box.
      for (let k = 5; k <= 13; k++) for (let j = 5; j <= 13; j++) {
        for (let i = 16; i <= 24; i++) expect(parts[at(i, j, k)]).not.toBe(2);
        for (let i = 4; i <= 12; i++) expect(parts[at(i, j, k)]).not.toBe(3);
      }
      // The soft tissue between the boxes (i = 14) stays background: each part is closed on
      // its own, so the one-voxel gap is not bridged (a closing of both together would).
      for (let k = 4; k <= 14; k++) for (let j = 4; j <= 14; j++) expect(parts[at(14, j, k)]).toBe(0);
      // Nothing far outside the boxes.
      expect(parts[at(0, 0, 0)]).toBe(0);
      expect(parts[at(8, 18, 9)]).toBe(0);
    }
  });
});
