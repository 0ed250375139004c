import { describe, expect, it } from 'vitest';
import { LABELS } from '../shared/ids';
import { giveDetachedHipPiecesToSacrum, giveLowerSacrumItsSegments, giveLumbarArchesAboveSacrumBack } from './segmentBoneSacrum';

/** Crop matrix (column-major ijk -> LPS) of 3 mm voxels, k axis along `kz` (+1 superior, -1 inferior). */
function matrix(kz: 1 | -1): Float64Array {
  const m = new Float64Array(16);
  m[0] = 3;
  m[5] = 3;
  m[10] = 3 * kz;
  m[15] = 1;
  return m;
}

/**
 * A coarse pelvis in miniature (20 x 12 x 12): a sacrum column in the middle from k = 6 up,
 * continued below by a midline column labelled as the hip pieces (left half hipLeft, right
 * half hipRight, as the erosion split's grow-back leaves it), and an ilium column on each
 * side from top to bottom, one of them fused in-plane to the sacrum at k = 8 (the SI joint).
 */
function pelvis(superiorUp: boolean): { parts: Uint8Array; dims: [number, number, number]; at: (i: number, j: number, k: number) => number } {
  const dims: [number, number, number] = [20, 12, 12];
  const parts = new Uint8Array(20 * 12 * 12);
  // `k` below is anatomical (0 = most inferior); the crop's k runs the other way when !superiorUp.
  const at = (i: number, j: number, k: number) => i + 20 * (j + 12 * (superiorUp ? k : 11 - k));
  for (let k = 0; k < 12; k++) for (let j = 4; j < 8; j++) {
    for (let i = 8; i < 12; i++) parts[at(i, j, k)] = k >= 6 ? LABELS.sacrum : i < 10 ? LABELS.hipRight : LABELS.hipLeft;
    for (let i = 1; i < 4; i++) parts[at(i, j, k)] = LABELS.hipRight;
    for (let i = 16; i < 19; i++) parts[at(i, j, k)] = LABELS.hipLeft;
  }
  // The left SI joint at k = 8: the ilium joined to the sacrum in the slice.
  for (let i = 12; i < 16; i++) parts[at(i, 5, 8)] = LABELS.hipLeft;
  return { parts, dims, at };
}

describe('giveLowerSacrumItsSegments', () => {
  for (const superiorUp of [true, false]) {
    it(`gives the midline column below the sacrum back to it, not the ilia (k axis ${superiorUp ? 'superior' : 'inferior'})`, () => {
      const { parts, dims, at } = pelvis(superiorUp);
      const before = parts.slice();
      const moved = giveLowerSacrumItsSegments(parts, dims, matrix(superiorUp ? 1 : -1));
      // The midline column below the sacrum: 6 slices x 4 x 4 voxels, half from each side.
      expect(moved.fromLeft).toBe(6 * 2 * 4);
      expect(moved.fromRight).toBe(6 * 2 * 4);
      for (let k = 0; k < 6; k++) for (let j = 4; j < 8; j++) for (let i = 8; i < 12; i++) expect(parts[at(i, j, k)]).toBe(LABELS.sacrum);
      // The ilia keep their labels in every slice, and so does the SI joint's bridge.
      for (let t = 0; t < parts.length; t++) {
        if (before[t] === LABELS.hipLeft || before[t] === LABELS.hipRight) {
          const i = t % 20;
          if (i < 8 || i >= 12) expect(parts[t]).toBe(before[t]);
        }
      }
      // Left half i = 10-11, right half i = 8-9 (3 mm voxels, x = 3 i).
      expect(moved.centroidLeftLps[0]).toBeCloseTo(3 * 10.5, 6);
      expect(moved.centroidRightLps[0]).toBeCloseTo(3 * 8.5, 6);
    });
  }

  it('splits an island joined in the slice to an ilium: the ilium stays hip, the midline part goes to the sacrum', () => {
    const { parts, dims, at } = pelvis(true);
    // k = 5, just below the sacrum: a bridge (i = 4-7, j = 5) joins the right ilium to the
    // midline column, so they are one island with sacrum above its middle (16 voxels) and hip
    // above its side (12): moved whole, the ilium's slice would become sacrum.
    for (let i = 4; i < 8; i++) parts[at(i, 5, 5)] = LABELS.hipRight;
    giveLowerSacrumItsSegments(parts, dims, matrix(1));
    for (let j = 4; j < 8; j++) {
      for (let i = 1; i < 4; i++) expect(parts[at(i, j, 5)]).toBe(LABELS.hipRight);
      for (let i = 8; i < 12; i++) expect(parts[at(i, j, 5)]).toBe(LABELS.sacrum);
    }
    // The bridge splits by distance: its end next to the ilium stays hip, the end next to the sacrum goes.
    expect(parts[at(4, 5, 5)]).toBe(LABELS.hipRight);
    expect(parts[at(7, 5, 5)]).toBe(LABELS.sacrum);
    // Below it the midline column is still given back (its island has sacrum above now).
    for (let i = 8; i < 12; i++) expect(parts[at(i, 5, 0)]).toBe(LABELS.sacrum);
  });

  it('moves nothing when no sacrum lies above the hip pieces, or when slices are not axial', () => {
    const { parts, dims } = pelvis(true);
    for (let t = 0; t < parts.length; t++) if (parts[t] === LABELS.sacrum) parts[t] = LABELS.hipLeft;
    const copy = parts.slice();
    expect(giveLowerSacrumItsSegments(parts, dims, matrix(1)).fromLeft).toBe(0);
    expect(parts).toEqual(copy);
    const sagittal = new Float64Array(16);
    sagittal[2] = 3; // i along z
    sagittal[4] = 3; // j along x
    sagittal[9] = 3; // k along y
    sagittal[15] = 1;
    const p2 = pelvis(true);
    const copy2 = p2.parts.slice();
    expect(giveLowerSacrumItsSegments(p2.parts, p2.dims, sagittal).fromRight).toBe(0);
    expect(p2.parts).toEqual(copy2);
  });
});

describe('giveLumbarArchesAboveSacrumBack', () => {
  /**
   * 3 mm voxels, 12 x 12 x 30 (k = 0 most inferior): a sacrum block (k 0-11), an L5 body in front
   * (k 12-21, j 0-5, centroid at k 16.5) and an arch column labelled sacrum behind it from the
   * sacrum up to k 27 (j 8-9), as the erosion split leaves L5's arch bridged to S1 by the facets.
   */
  function stack(superiorUp: boolean) {
    const dims: [number, number, number] = [12, 12, 30];
    const parts = new Uint8Array(12 * 12 * 30);
    const at = (i: number, j: number, k: number) => i + 12 * (j + 12 * (superiorUp ? k : 29 - k));
    for (let k = 0; k < 12; k++) for (let j = 0; j < 12; j++) for (let i = 2; i < 10; i++) parts[at(i, j, k)] = LABELS.sacrum;
    for (let k = 12; k < 22; k++) for (let j = 0; j < 6; j++) for (let i = 2; i < 10; i++) parts[at(i, j, k)] = LABELS.l5;
    for (let k = 12; k < 28; k++) for (let j = 8; j < 10; j++) for (let i = 5; i < 7; i++) parts[at(i, j, k)] = LABELS.sacrum;
    return { dims, parts, at };
  }
  for (const superiorUp of [true, false]) {
    it(`gives the arch above L5's mid-height to L5 up to its top and unlabels it above (k axis ${superiorUp ? 'superior' : 'inferior'})`, () => {
      const { dims, parts, at } = stack(superiorUp);
      const moved = giveLumbarArchesAboveSacrumBack(parts, dims, matrix(superiorUp ? 1 : -1));
      // Above k 16.5 (L5's centroid): k 17-21 to L5, k 22-27 unlabelled; 2 x 2 voxels a slice.
      expect(moved.toL5).toBe(5 * 4);
      expect(moved.toNone).toBe(6 * 4);
      for (let k = 12; k < 28; k++) {
        const want = k <= 16 ? LABELS.sacrum : k <= 21 ? LABELS.l5 : 0;
        expect(parts[at(5, 8, k)], `k ${k}`).toBe(want);
      }
      // The sacrum below L5's mid-height is untouched.
      for (let k = 0; k < 12; k++) expect(parts[at(3, 3, k)]).toBe(LABELS.sacrum);
      expect(moved.centroidToL5Lps[2]).toBeCloseTo(superiorUp ? 3 * 19 : -3 * (29 - 19), 6);
    });
  }

  it('moves nothing without an L5 part, or when slices are not axial', () => {
    const { dims, parts } = stack(true);
    const noL5 = parts.map((v) => (v === LABELS.l5 ? 0 : v));
    const copy = noL5.slice();
    expect(giveLumbarArchesAboveSacrumBack(copy, dims, matrix(1)).toL5).toBe(0);
    expect(copy).toEqual(noL5);
    const sideways = new Float64Array(16);
    sideways[2] = 3;
    sideways[4] = 3;
    sideways[9] = 3;
    sideways[15] = 1;
    const copy2 = parts.slice();
    expect(giveLumbarArchesAboveSacrumBack(copy2, dims, sideways)).toMatchObject({ toL5: 0, toNone: 0 });
    expect(copy2).toEqual(parts);
  });
});

describe('giveDetachedHipPiecesToSacrum', () => {
  /**
   * The miniature pelvis above (k axis superior or inferior), with: the coccyx below the sacrum
   * column (k 0-3, i 9-10, j 5-6) labelled right hip and cut off from the right ilium, as the walk
   * down the lower sacrum can leave it; a left-hip speck touching no bone (i 13, j 10, k 1); a
   * left-hip voxel touching the sacrum and a femur voxel (i 12 and 13, j 6, k 10); a right-hip
   * strut from the right ilium towards the sacrum at k 6 (i 4-7, j 8), joined to the ilium only
   * across an edge (i 3 -> 4, j 7 -> 8) and touching the sacrum across an edge at its end.
   */
  function scene(superiorUp: boolean) {
    const { parts, dims, at } = pelvis(superiorUp);
    for (let k = 0; k < 4; k++) for (let j = 5; j < 7; j++) for (let i = 9; i < 11; i++) parts[at(i, j, k)] = LABELS.hipRight;
    parts[at(13, 10, 1)] = LABELS.hipLeft;
    parts[at(12, 6, 10)] = LABELS.hipLeft;
    parts[at(13, 6, 10)] = LABELS.femurLeft;
    for (let i = 4; i < 8; i++) parts[at(i, 8, 6)] = LABELS.hipRight;
    return { parts, dims, at };
  }
  for (const superiorUp of [true, false]) {
    it(`gives a hip-labelled piece cut off from its hip bone and touching only the sacrum to the sacrum, nothing else (k axis ${superiorUp ? 'superior' : 'inferior'})`, () => {
      const { parts, dims, at } = scene(superiorUp);
      // The midline column below the sacrum is sacrum (the walk has run): only the coccyx below it is left hip-labelled.
      for (let k = 0; k < 6; k++) for (let j = 4; j < 8; j++) for (let i = 8; i < 12; i++) if (parts[at(i, j, k)] !== LABELS.hipRight || k >= 4 || i < 9 || i > 10 || j < 5 || j > 6) parts[at(i, j, k)] = LABELS.sacrum;
      const before = parts.slice();
      const moved = giveDetachedHipPiecesToSacrum(parts, dims, matrix(superiorUp ? 1 : -1));
      expect(moved.fromRight).toBe(4 * 2 * 2);
      expect(moved.fromLeft).toBe(0);
      for (let k = 0; k < 4; k++) for (let j = 5; j < 7; j++) for (let i = 9; i < 11; i++) expect(parts[at(i, j, k)]).toBe(LABELS.sacrum);
      // Everything else keeps its label: the ilia with the SI bridge (which touches the sacrum),
      // the speck touching nothing, the voxel touching a femur too, the strut joined across an edge.
      for (let t = 0; t < parts.length; t++) {
        if (before[t] === LABELS.hipRight && parts[t] === LABELS.sacrum) continue;
        expect(parts[t], `voxel ${t}`).toBe(before[t]);
      }
      expect(parts[at(13, 10, 1)]).toBe(LABELS.hipLeft);
      expect(parts[at(12, 6, 10)]).toBe(LABELS.hipLeft);
      expect(parts[at(7, 8, 6)]).toBe(LABELS.hipRight);
      expect(parts[at(15, 5, 8)]).toBe(LABELS.hipLeft);
      expect(moved.centroidRightLps[0]).toBeCloseTo(3 * 9.5, 6);
      expect(moved.centroidRightLps[2]).toBeCloseTo(superiorUp ? 3 * 1.5 : -3 * (11 - 1.5), 6);
    });
  }

  it('moves nothing when every hip label is one piece', () => {
    const { parts, dims } = pelvis(true);
    for (let t = 0; t < parts.length; t++) if (parts[t] === LABELS.hipLeft || parts[t] === LABELS.hipRight) {
      const i = t % 20;
      if (i >= 8 && i < 12) parts[t] = LABELS.sacrum;
    }
    const copy = parts.slice();
    expect(giveDetachedHipPiecesToSacrum(parts, dims, matrix(1))).toMatchObject({ fromLeft: 0, fromRight: 0 });
    expect(parts).toEqual(copy);
  });
});
