import { describe, expect, it } from 'vitest';
import { LABELS } from '../shared/ids';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { fillSacralMarrow, SACRAL_CANAL_HALF_WIDTH_MM } from './segmentBoneMarrow';

/**
 * A coarse sacrum in miniature (3 mm voxels, identity axes: i = LPS x, j = posterior, k =
 * superior): a box of cortex two voxels thick (grey 700) with holes in it, filled with fatty marrow (grey 20,
 * soft-tissue peak 40, sigma 20: above the dark level 40 - 3 x 20 = -20), and in it:
 * - the canal on the midline at the back (i 18-21, j 13-21, k 7-22), holding CSF
 *   (grey 10: as bright as the marrow), with a wall of bone (j = 12) between it and the body's
 *   marrow in front (j 8-11);
 * - a foramen on the right: a fat-filled tube (grey -100, 2 x 2 voxels) from the marrow out through the
 *   anterior cortex into the presacral fat (grey -100, j 1-5);
 * - a speck of fat in the marrow (one voxel, grey -100), joined to nothing;
 * soft tissue (grey 40) around. Only the cortex is labelled sacrum, as the threshold leaves it.
 */
function coarseSacrum() {
  const dims = [40, 30, 30] as const;
  const [ni, nj] = dims;
  const n = dims[0] * dims[1] * dims[2];
  const at = (i: number, j: number, k: number) => i + ni * (j + nj * k);
  const grey = new Int16Array(n).fill(40);
  const parts = new Uint8Array(n);
  const inBox = (i: number, j: number, k: number) => i >= 8 && i <= 31 && j >= 6 && j <= 23 && k >= 5 && k <= 24;
  const shell = (i: number, j: number, k: number) => i <= 9 || i >= 30 || j <= 7 || j >= 22 || k <= 6 || k >= 23;
  const canal = (i: number, j: number) => i >= 18 && i <= 21 && j >= 13 && j <= 21;
  const foramen = (i: number, j: number, k: number) => i >= 11 && i <= 12 && k >= 14 && k <= 15 && j <= 14;
  for (let k = 0; k < dims[2]; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const t = at(i, j, k);
    if (j >= 1 && j <= 5 && i >= 6 && i <= 33 && k >= 3 && k <= 26) grey[t] = -100;
    if (!inBox(i, j, k)) continue;
    if (foramen(i, j, k)) { grey[t] = -100; continue; }
    if (canal(i, j) && k > 6 && k < 23) { grey[t] = 10; continue; }
    if (shell(i, j, k) || (j === 12 && i >= 17 && i <= 22)) {
      // Holes in the cortex (partial volume): one voxel in nine, scattered.
      if (shell(i, j, k) && (7 * i + 11 * j + 13 * k) % 9 === 0) { grey[t] = 20; continue; }
      grey[t] = 700;
      parts[t] = LABELS.sacrum;
      continue;
    }
    grey[t] = 20;
  }
  grey[at(26, 16, 18)] = -100;
  const g = createVolumeGeometry({ dims, spacingMm: [3, 3, 3], originLps: [0, 0, 0] });
  return { dims, parts, at, ct: createVolume('sacrum', 'ct', g, grey), g, canal, foramen, box: { min: [0, 0, 0] as [number, number, number], max: [dims[0] - 1, dims[1] - 1, dims[2] - 1] as [number, number, number] } };
}

/** Moves the slices from `fromK` up by `shift` voxels along i (soft tissue and nothing labelled come in at i = 0). */
function shiftLevels(grey: Int16Array, parts: Uint8Array, dims: readonly [number, number, number], fromK: number, shift: number): void {
  const [ni, nj, nk] = dims;
  for (let k = fromK; k < nk; k++) for (let j = 0; j < nj; j++) {
    for (let i = ni - 1; i >= 0; i--) {
      const t = i + ni * (j + nj * k), from = i - shift;
      grey[t] = from >= 0 ? grey[t - shift]! : 40;
      parts[t] = from >= 0 ? parts[t - shift]! : 0;
    }
  }
}

describe('fillSacralMarrow (coarse voxels)', () => {
  it('fills the fatty marrow, but neither the canal (not dark) nor a fat-filled foramen open to the presacral fat, nor a voxel around it', () => {
    const { dims, parts, at, ct, g, canal, foramen, box } = coarseSacrum();
    const before = parts.slice();
    const out = fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, 40 - 3 * 20);
    expect(out.added).toBeGreaterThan(2000);
    expect(out.channelVoxels).toBeGreaterThan(0);
    // The canal: not one voxel labelled, though its grey is the marrow's.
    let canalLabelled = 0, canalVoxels = 0;
    for (let k = 7; k < 23; k++) for (let j = 13; j <= 21; j++) for (let i = 18; i <= 21; i++) {
      expect(canal(i, j)).toBe(true);
      canalVoxels++;
      if (parts[at(i, j, k)]) canalLabelled++;
    }
    expect(canalVoxels).toBe(16 * 9 * 4);
    expect(canalLabelled).toBe(0);
    // The foramen and its one-voxel rim in every direction (diagonals too): nothing labelled.
    let rimVoxels = 0, diagonalRim = 0;
    for (let k = 13; k <= 16; k++) for (let j = 8; j <= 15; j++) for (let i = 10; i <= 13; i++) {
      let near = false, faceNear = false;
      for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) {
        if (!foramen(i + di, j + dj, k + dk)) continue;
        near = true;
        if (Math.abs(di) + Math.abs(dj) + Math.abs(dk) <= 1) faceNear = true;
      }
      if (!near || before[at(i, j, k)] !== 0) continue;
      rimVoxels++;
      if (!faceNear) diagonalRim++;
      expect(parts[at(i, j, k)], `foramen ${i} ${j} ${k}`).toBe(0);
    }
    expect(rimVoxels).toBeGreaterThan(40);
    expect(diagonalRim).toBeGreaterThan(4);
    // The marrow: far from the channels, in the alae and in the body in front of the canal's wall.
    for (const [i, j, k] of [[27, 10, 10], [14, 18, 20], [28, 20, 8], [19, 9, 12], [20, 9, 20]] as const) expect(parts[at(i, j, k)], `marrow ${i} ${j} ${k}`).toBe(LABELS.sacrum);
    // The speck of fat joined to nothing is marrow.
    expect(parts[at(26, 16, 18)]).toBe(LABELS.sacrum);
    // Nothing outside the box.
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      const inside = i >= 8 && i <= 31 && j >= 6 && j <= 23 && k >= 5 && k <= 24;
      if (!inside) expect(parts[t]).toBe(0);
    }
  });

  it('leaves the canal band whole when the body\'s marrow is the longest free run of a column (no wall in front of the canal)', () => {
    const { dims, parts, at, ct, g, box } = coarseSacrum();
    // The wall between the canal and the body removed: canal and body marrow are one free run.
    for (let i = 17; i <= 22; i++) for (let k = 7; k < 23; k++) parts[at(i, 12, k)] = 0;
    fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, 40 - 3 * 20);
    const halfWidthVoxels = SACRAL_CANAL_HALF_WIDTH_MM / 3;
    for (let k = 7; k < 23; k++) for (let j = 8; j <= 21; j++) for (let i = 17; i <= 22; i++) {
      if (Math.abs(i * 3 - 19.5 * 3) > halfWidthVoxels * 3) continue;
      expect(parts[at(i, j, k)], `band ${i} ${j} ${k}`).toBe(0);
    }
  });

  it('keeps the canal band on the canal when bone on one side moves the centroid (an ilium strip labelled sacrum beside a destroyed ala)', () => {
    const { dims, parts, at, ct, g, box } = coarseSacrum();
    // A plate of bone labelled sacrum beside the right wall, across a gap (i 34-37): like the
    // medial ilium the SI split left in the sacrum when the ala next to it was eaten by a lesion.
    // The centroid moves about 3 voxels (8 mm) towards it; the canal (i 18-21, CSF grey 10, not
    // dark) stays on the box's mirror plane (i 19.5).
    const grey = ct.voxels as Int16Array;
    let sx = 0, n = 0;
    for (let k = 7; k <= 22; k++) for (let j = 8; j <= 21; j++) for (let i = 34; i <= 37; i++) {
      grey[at(i, j, k)] = 700;
      parts[at(i, j, k)] = LABELS.sacrum;
    }
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) if (parts[t] === LABELS.sacrum) { sx += i; n++; }
    expect(sx / n - 19.5).toBeGreaterThan(2.5);
    const out = fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, 40 - 3 * 20);
    expect(out.added).toBeGreaterThan(2000);
    expect(out.midline.centroidXLps / 3 - 19.5).toBeGreaterThan(2.5);
    expect(Math.abs(out.midline.planeXLps / 3 - 19.5)).toBeLessThanOrEqual(0.5);
    for (let k = 7; k < 23; k++) for (let j = 13; j <= 21; j++) for (let i = 18; i <= 21; i++) expect(parts[at(i, j, k)], `canal ${i} ${j} ${k}`).toBe(0);
    // The marrow of both alae is still filled.
    for (const [i, j, k] of [[27, 10, 10], [12, 18, 20]] as const) expect(parts[at(i, j, k)], `marrow ${i} ${j} ${k}`).toBe(LABELS.sacrum);
  });

  it('follows a canal displaced sideways level by level (the upper half shifted 6 voxels, as across a displaced fracture)', () => {
    const { dims, parts, at, ct, g, box } = coarseSacrum();
    const shift = 6;
    shiftLevels(ct.voxels as Int16Array, parts, dims, 15, shift);
    const out = fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, 40 - 3 * 20);
    // Neither half is symmetric about the other's plane: the best plane and the ones nearly as
    // good (rivals) are all guarded at every level, with each level's own line. Less is filled;
    // the outer alae still are.
    expect(out.midline.rivals).toBeGreaterThan(0);
    expect(out.added).toBeGreaterThan(1000);
    for (const [i, j, k] of [[12, 10, 10], [12, 18, 10], [33, 10, 20], [34, 18, 20]] as const) expect(parts[at(i, j, k)], `marrow ${i} ${j} ${k}`).toBe(LABELS.sacrum);
    // The canal: i 18-21 below the step, i 24-27 above it; none of it labelled.
    for (let k = 7; k < 23; k++) for (let j = 13; j <= 21; j++) for (let i = 18; i <= 21; i++) {
      const ii = k >= 15 ? i + shift : i;
      expect(parts[at(ii, j, k)], `canal ${ii} ${j} ${k}`).toBe(0);
    }
  });

  it('follows the canal of a few levels displaced sideways by their own mirror line (the top quarter shifted 4 voxels)', () => {
    const { dims, parts, at, ct, g, box } = coarseSacrum();
    const shift = 4;
    shiftLevels(ct.voxels as Int16Array, parts, dims, 19, shift);
    const out = fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, 40 - 3 * 20);
    // The plane is the lower three quarters' (i 19.5), the top's is no rival: only the top
    // levels' own mirror lines cover their canal (i 22-25; the plane's band reaches i 22).
    expect(Math.abs(out.midline.planeXLps / 3 - 19.5)).toBeLessThanOrEqual(0.5);
    expect(out.midline.rivals).toBe(0);
    for (let k = 7; k < 23; k++) for (let j = 13; j <= 21; j++) for (let i = 18; i <= 21; i++) {
      const ii = k >= 19 ? i + shift : i;
      expect(parts[at(ii, j, k)], `canal ${ii} ${j} ${k}`).toBe(0);
    }
    for (const [i, j, k] of [[12, 10, 10], [27, 10, 10], [33, 10, 21]] as const) expect(parts[at(i, j, k)], `marrow ${i} ${j} ${k}`).toBe(LABELS.sacrum);
  });

  it('does nothing without a sacrum', () => {
    const { dims, parts, ct, g, box } = coarseSacrum();
    parts.fill(0);
    expect(fillSacralMarrow(parts, dims, [3, 3, 3], g.ijkToLps, ct, box, -20).added).toBe(0);
    expect(parts.every((v) => v === 0)).toBe(true);
  });
});
