import { afterEach, describe, expect, it } from 'vitest';
import { setEdtExecutor } from '../fields/distanceTransform';
import { segmentBone } from './segmentBone';
import { boneLabelHashes } from './testing/boneLabelHashes';
import { makeSyntheticPelvis } from './testing/syntheticPelvis';

/**
 * segmentBone's speed-up paths (24 Nov, issue #4) on synthetic pelves, against fingerprints
 * recorded with the code before them (commit 2163f70, run in the same process as the new code):
 * - the inside-depth EDT is computed only when a split is tried (an L5 apart from the sacrum,
 *   no joint bridged: no split, no transform);
 * - a split of a component of the first labelling reads it from its runs (a bridged SI joint,
 *   a bridged hip joint split at 4 mm erosion);
 * - a split of a piece of an earlier split reads it from its box (SI joint and a wide hip-joint
 *   bar: the sacrum-hip-femur component is split, the hip-femur piece is tried again).
 * Each case also counts the transforms (an executor that declines them: the passes then run
 * here as usual), so a depth computed when no split is tried fails the test.
 */
type Box = [[number, number, number], [number, number, number]];

function variant(bars: Box[], l5: boolean) {
  const { ct } = makeSyntheticPelvis({ noiseSigma: 10 });
  const g = ct.geometry;
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
    const x = -150 + 2 * i, y = -110 + 2 * j, z = 2 * k, t = i + g.dims[0] * (j + g.dims[1] * k);
    // Bony bars across a joint space (cortical grey).
    for (const [lo, hi] of bars) if (x > lo[0] && x < hi[0] && y > lo[1] && y < hi[1] && z > lo[2] && z < hi[2]) ct.voxels[t] = 1000;
    if (l5) {
      // A vertebral body 5 mm above the sacrum (cortex 2 mm, trabecular inside).
      const d = Math.min(25 - Math.abs(x), 18 - Math.abs(y - 30), 15 - Math.abs(z - 176));
      if (d >= 0) ct.voxels[t] = d < 2 ? 1000 : 250;
    }
  }
  return ct;
}

const SI: Box = [[33, 16, 106], [41, 24, 114]];
const HIP: Box = [[77, 7, 50], [83, 13, 64]];
const WIDE_HIP: Box = [[60, 10, 50], [100, 30, 64]];

const CASES: { name: string; bars: Box[]; l5: boolean; transforms: number; note: string | null; hashes: { labels: string; summary: string } }[] = [
  { name: 'L5 apart, nothing bridged: no split tried, no depth transform', bars: [], l5: true, transforms: 0, note: null, hashes: { labels: 'e71a6384b332be42', summary: 'f2317659ebb6b28a' } },
  { name: 'bridged SI joint: split from the runs', bars: [SI], l5: false, transforms: 1, note: 'joint bridged: split a 690 mL component into 2 at 4 mm erosion', hashes: { labels: 'b4bd19c853eb79fe', summary: '9ae70e46202953d6' } },
  { name: 'bridged hip joint: split from the runs, accepted as a femur', bars: [HIP], l5: false, transforms: 1, note: 'left hip joint bridged: split at 4 mm erosion', hashes: { labels: '3cc60aac891b0635', summary: '308de8e41bdfa8fd' } },
  { name: 'SI joint and a wide hip bar: the piece tried again from its box', bars: [SI, WIDE_HIP], l5: false, transforms: 1, note: 'joint bridged: split a 739 mL component into 2 at 4 mm erosion', hashes: { labels: 'a0b8ad27a0a00a91', summary: '61818ab67fd5d3c6' } },
];

describe('segmentBone speed-up paths give the previous output (synthetic pelves)', () => {
  afterEach(() => setEdtExecutor(null));
  for (const c of CASES) {
    it(c.name, () => {
      const ct = variant(c.bars, c.l5);
      let transforms = 0;
      setEdtExecutor({ run: () => { transforms++; return false; } });
      const seg = segmentBone(ct);
      setEdtExecutor(null);
      expect(transforms).toBe(c.transforms);
      if (c.note) expect(seg.notes).toContain(c.note);
      expect(boneLabelHashes(seg)).toEqual(c.hashes);
    });
  }
});
