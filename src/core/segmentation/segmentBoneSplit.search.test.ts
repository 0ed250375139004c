import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { searchSplit, type Dims } from './segmentBoneSplit';

/**
 * searchSplit against plain definitions on random bridged pairs of blocks (two boxes joined by a
 * one-voxel bar, which the first erosion radius cuts): the voxel listing (`vox` in raster order,
 * `rowVox`), the owner array (every component voxel owned by a piece, each seed voxel by its own
 * piece), and the seeds' surface handed to `validate.accept` (the boundary voxels of the voxels
 * deeper than the radius, minus the cut slices and columns). Written when searchSplit's loops moved
 * into module functions (25 Nov stop 21): before, nothing pinned `surfaceLps` voxel by voxel.
 */

type Case = { ni: number; nj: number; nk: number; gap: number; barJ: number; barK: number; cutK: number[]; cutMod: number };

const caseArb: fc.Arbitrary<Case> = fc
  .record({ ni: fc.integer({ min: 14, max: 22 }), nj: fc.integer({ min: 8, max: 12 }), nk: fc.integer({ min: 8, max: 12 }), gap: fc.integer({ min: 1, max: 4 }), barJ: fc.nat(), barK: fc.nat(), cutK: fc.array(fc.nat({ max: 12 }), { maxLength: 3 }), cutMod: fc.integer({ min: 0, max: 6 }) })
  .map((c) => c);

/** Squared distance (mm^2, spacing 1) from each voxel to the nearest voxel outside the component, by brute force. */
function squaredDepth(labels: Int32Array, dims: Dims, id: number): Float32Array {
  const [ni, nj, nk] = dims;
  const out = new Float32Array(labels.length);
  const bg: number[] = [];
  for (let t = 0; t < labels.length; t++) if (labels[t] !== id) bg.push(t);
  for (let t = 0; t < labels.length; t++) {
    if (labels[t] !== id) continue;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
    let best = Infinity;
    for (const u of bg) {
      const di = (u % ni) - i, dj = (Math.floor(u / ni) % nj) - j, dk = Math.floor(u / (ni * nj)) - k;
      best = Math.min(best, di * di + dj * dj + dk * dk);
    }
    out[t] = best;
  }
  void nk;
  return out;
}

describe('searchSplit (the erosion search: listing, grow-back, the seeds\' surface)', () => {
  it('lists, owns and hands over the surface as the plain definitions do (random bridged blocks, cut slices and columns)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const dims: Dims = [c.ni, c.nj, c.nk];
        const [ni, nj, nk] = dims;
        const id = 7;
        const labels = new Int32Array(ni * nj * nk);
        // Two blocks over the whole inner j, k range, `gap` columns apart, joined by a one-voxel bar.
        const a1 = Math.floor((ni - 2 - c.gap) / 2), b0 = a1 + c.gap + 1;
        const barJ = 1 + (c.barJ % (nj - 2)), barK = 1 + (c.barK % (nk - 2));
        const at = (i: number, j: number, k: number): number => i + ni * (j + nj * k);
        for (let k = 1; k < nk - 1; k++) for (let j = 1; j < nj - 1; j++) for (let i = 1; i < ni - 1; i++) {
          if (i <= a1 || i >= b0 || (j === barJ && k === barK)) labels[at(i, j, k)] = id;
        }
        let voxels = 0;
        const box = [ni, nj, nk, -1, -1, -1];
        for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
          if (labels[at(i, j, k)] !== id) continue;
          voxels++;
          box[0] = Math.min(box[0]!, i); box[1] = Math.min(box[1]!, j); box[2] = Math.min(box[2]!, k);
          box[3] = Math.max(box[3]!, i); box[4] = Math.max(box[4]!, j); box[5] = Math.max(box[5]!, k);
        }
        const depth = squaredDepth(labels, dims, id);
        const cutSlices = c.cutK.filter((k) => k < nk);
        const cutColumn = c.cutMod ? (i: number, j: number): boolean => (i + 3 * j) % 7 === c.cutMod : undefined;
        const identity = new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
        let accepted: { r: number; surface: string[] } | null = null;
        const found = searchSplit(labels, depth, dims, [1, 1, 1], { id, voxels, ijk: box }, 4, [1, 1.5, 2], {
          cropToLps: identity,
          voxelMl: 0.001,
          cutSlices,
          ...(cutColumn ? { cutColumn } : {}),
          accept: (seeds, r, surfaceLps) => {
            const surface: string[] = [];
            for (const s of seeds) {
              const xyz = surfaceLps(s.id);
              for (let q = 0; q < xyz.length; q += 3) surface.push(`${xyz[q]},${xyz[q + 1]},${xyz[q + 2]}`);
            }
            accepted = { r, surface };
            return true;
          },
        });
        expect(found).not.toBeNull();
        expect(accepted).not.toBeNull();
        const { r, surface } = accepted!;

        // The listing: the component's voxels in raster order of the framed box, the first of each row.
        const bn: Dims = [box[3]! - box[0]! + 3, box[4]! - box[1]! + 3, box[5]! - box[2]! + 3];
        const vox: number[] = [];
        const rowVox: number[] = [];
        for (let k = 0; k < bn[2]; k++) for (let j = 0; j < bn[1]; j++) {
          rowVox.push(vox.length);
          for (let i = 0; i < bn[0]; i++) {
            const ci = box[0]! - 1 + i, cj = box[1]! - 1 + j, ck = box[2]! - 1 + k;
            if (labels[at(ci, cj, ck)] === id) vox.push(i + bn[0] * (j + bn[1] * k));
          }
        }
        rowVox.push(vox.length);
        expect(Array.from(found!.vox.subarray(0, voxels))).toEqual(vox);
        expect(Array.from(found!.rowVox)).toEqual(rowVox);

        // The seeds: component voxels deeper than r (squared depth > r^2); their boundary voxels
        // (a 6-neighbour not a seed voxel: seeds of different pieces never touch), minus the cuts.
        const seed = (ci: number, cj: number, ck: number): boolean => labels[at(ci, cj, ck)] === id && depth[at(ci, cj, ck)]! > r * r;
        const expected: string[] = [];
        for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
          if (!seed(i, j, k) || cutSlices.includes(k) || cutColumn?.(i, j)) continue;
          if (seed(i - 1, j, k) && seed(i + 1, j, k) && seed(i, j - 1, k) && seed(i, j + 1, k) && seed(i, j, k - 1) && seed(i, j, k + 1)) continue;
          expected.push(`${i},${j},${k}`);
        }
        expect([...surface].sort()).toEqual(expected.sort());

        // The grow-back: every component voxel owned by a piece; each seed voxel's piece is the same
        // as that of every seed voxel 6-connected to it (the pieces are the seed components).
        const owner = found!.owner;
        for (const v of vox) expect(owner[v]).toBeGreaterThan(0);
        for (let k = 1; k < bn[2] - 1; k++) for (let j = 1; j < bn[1] - 1; j++) for (let i = 1; i < bn[0] - 1; i++) {
          const ci = box[0]! - 1 + i, cj = box[1]! - 1 + j, ck = box[2]! - 1 + k;
          if (!seed(ci, cj, ck)) continue;
          const t = i + bn[0] * (j + bn[1] * k);
          if (seed(ci + 1, cj, ck)) expect(owner[t + 1]).toBe(owner[t]);
          if (seed(ci, cj + 1, ck)) expect(owner[t + bn[0]]).toBe(owner[t]);
          if (seed(ci, cj, ck + 1)) expect(owner[t + bn[0] * bn[1]]).toBe(owner[t]);
        }
        expect(found!.count).toBe(2);
      }),
      { numRuns: 40 },
    );
  });
});
