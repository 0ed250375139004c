import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../geometry/vec3';
import { isFieldCutHeadSphere } from './segmentBoneCap';
import { acceptHipSplit, writePieces, type ComponentStats, type Dims, type HipSplitRule, type PieceSums } from './segmentBoneSplit';

/** writePieces by definition (segmentBone's code until 24 Nov 20:15): voxel by voxel over the component's voxels of each row. */
function writePiecesPlain(labels: Int32Array, dims: Dims, owner: Uint16Array, bn: Dims, vox: Int32Array, rowVox: Int32Array, oi: number, oj: number, ok: number, firstId: number, count: number): PieceSums {
  const [ni, nj] = dims;
  const last = firstId + count - 1;
  const n = new Float64Array(last + 1), sums = new Float64Array(3 * (last + 1)), boxes = new Int32Array(6 * (last + 1));
  for (let c = firstId; c <= last; c++) {
    boxes[6 * c] = boxes[6 * c + 1] = boxes[6 * c + 2] = 0x7fffffff;
    boxes[6 * c + 3] = boxes[6 * c + 4] = boxes[6 * c + 5] = -1;
  }
  for (let k = 1; k < bn[2] - 1; k++) for (let j = 1; j < bn[1] - 1; j++) {
    const dst = oi + ni * (oj + j + nj * (ok + k)), src = bn[0] * (j + bn[1] * k), cj = oj + j, ck = ok + k;
    for (let p = rowVox[j + bn[1] * k]!, e = rowVox[j + bn[1] * k + 1]!; p < e; p++) {
      const i = vox[p]! - src, w = owner[src + i]!;
      if (w === 0) continue;
      const c = firstId + w - 1, ci = oi + i, o = 6 * c;
      labels[dst + i] = c;
      n[c]!++;
      sums[3 * c]! += ci;
      sums[3 * c + 1]! += cj;
      sums[3 * c + 2]! += ck;
      if (ci < boxes[o]!) boxes[o] = ci;
      if (ci > boxes[o + 3]!) boxes[o + 3] = ci;
      if (cj < boxes[o + 1]!) boxes[o + 1] = cj;
      if (cj > boxes[o + 4]!) boxes[o + 4] = cj;
      if (ck < boxes[o + 2]!) boxes[o + 2] = ck;
      if (ck > boxes[o + 5]!) boxes[o + 5] = ck;
    }
  }
  return { n, sums, boxes };
}

describe('writePieces (segmentBone splits: the grown pieces written in stretches)', () => {
  it('writes the labels, counts, sums and boxes of the voxel-by-voxel definition (random components, owners, offsets, stale labels)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 300 }),
        fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 2 ** 30 }),
        (bi, bj, bk, oi, oj, ok, count, firstId, density, runny, seed) => {
          let s = seed;
          const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
          // The local box with its one-voxel frame, inside a crop with room around it.
          const bn: Dims = [bi + 2, bj + 2, bk + 2];
          const dims: Dims = [oi + bn[0] + 2, oj + bn[1] + 1, ok + bn[2] + 3];
          const owner = new Uint16Array(bn[0] * bn[1] * bn[2]);
          const vox: number[] = [];
          const rowVox = new Int32Array(bn[1] * bn[2] + 1);
          let w = 0;
          for (let k = 0; k < bn[2]; k++) for (let j = 0; j < bn[1]; j++) {
            rowVox[j + bn[1] * k] = vox.length;
            if (k === 0 || j === 0 || k === bn[2] - 1 || j === bn[1] - 1) continue;
            for (let i = 1; i < bn[0] - 1; i++) {
              if (rnd() >= density) continue;
              const t = i + bn[0] * (j + bn[1] * k);
              vox.push(t);
              // Owners in stretches (kept with probability `runny`), 0 = unreached.
              if (rnd() >= runny) w = Math.floor(rnd() * (count + 1));
              owner[t] = w;
            }
          }
          rowVox[bn[1] * bn[2]] = vox.length;
          const v = Int32Array.from(vox);
          const stale = Int32Array.from({ length: dims[0] * dims[1] * dims[2] }, () => Math.floor(rnd() * 7));
          const a = stale.slice(), b = stale.slice();
          const got = writePieces(a, dims, owner, bn, v, rowVox, oi, oj, ok, firstId, count);
          const want = writePiecesPlain(b, dims, owner, bn, v, rowVox, oi, oj, ok, firstId, count);
          expect(a).toEqual(b);
          expect(got.n).toEqual(want.n);
          expect(got.sums).toEqual(want.sums);
          expect(got.boxes).toEqual(want.boxes);
        },
      ),
      { numRuns: 400 },
    );
  });
});

/**
 * The hip split's acceptance as segmentBone wrote it inline until 24 Nov 20:00 (a closure over
 * the midline, the image's lowest z and the spacing), the definition acceptHipSplit must match.
 */
function acceptInline(seeds: ComponentStats[], r: number, surfaceLps: (id: number) => number[], midlineX: number, imageLowZ: number, spacingMm: [number, number, number]): { accepted: boolean; cap: Vec3 | null } {
  let fieldCutHeadLps: Vec3 | null = null;
  const isFemurOf = (c: ComponentStats, h: ComponentStats, slackMm: number, volumeRule = true) =>
    c !== h &&
    c.centroidLps[2] < h.centroidLps[2] &&
    c.maxLps[2] > h.minLps[2] - slackMm &&
    c.minLps[2] < h.minLps[2] + 15 + slackMm &&
    Math.abs(c.centroidLps[0] - midlineX) > Math.abs(h.centroidLps[0] - midlineX) - 10 &&
    (!volumeRule || c.volumeMl >= 0.08 * h.volumeMl);
  const isFieldCutHead = (c: ComponentStats, surface: number[]) =>
    c.minLps[2] <= imageLowZ + 0.5 * spacingMm[2] + 1e-6 && isFieldCutHeadSphere(c.maxLps[2], surface, Math.max(...spacingMm));
  const accept = (): boolean => {
    const top = seeds.reduce((a, b) => (b.maxLps[2] > a.maxLps[2] ? b : a));
    const lowestZ = Math.min(...seeds.map((c) => c.minLps[2]));
    if (seeds.some((c) => isFemurOf(c, top, Math.max(r, 1) + 2) && top.volumeMl >= 0.8 * c.volumeMl && c.minLps[2] <= lowestZ + Math.max(r, 1) + 2 * spacingMm[2])) return true;
    const cap = seeds.find((c) => c !== top && isFemurOf(c, top, Math.max(r, 1) + 2, false) && isFieldCutHead(c, surfaceLps(c.id)));
    if (cap) fieldCutHeadLps = cap.centroidLps;
    return !!cap;
  };
  const accepted = accept();
  return { accepted, cap: fieldCutHeadLps };
}

/** Surface points (flat LPS xyz) of a sphere cap above z = `cutZ`, plus noise: what a femoral-head cap's surface looks like. */
function capSurface(center: Vec3, radiusMm: number, cutZ: number, noiseMm: number, rnd: () => number): number[] {
  const out: number[] = [];
  for (let a = 0; a < 24; a++) for (let b = 1; b < 12; b++) {
    const th = (b / 12) * Math.PI, ph = (a / 24) * 2 * Math.PI, rr = radiusMm + noiseMm * (rnd() - 0.5);
    const p: Vec3 = [center[0] + rr * Math.sin(th) * Math.cos(ph), center[1] + rr * Math.sin(th) * Math.sin(ph), center[2] + rr * Math.cos(th)];
    if (p[2] >= cutZ) out.push(p[0], p[1], p[2]);
  }
  return out;
}

describe('acceptHipSplit (the hip split rule as data, run on either thread)', () => {
  it('accepts, and keeps the same cap, as the inline rule it replaced (random seed pieces, caps cut by the field or not)', () => {
    const arbSeed = fc.record({
      cx: fc.double({ min: -120, max: 120, noNaN: true }), cy: fc.double({ min: -60, max: 60, noNaN: true }), cz: fc.double({ min: -40, max: 200, noNaN: true }),
      hx: fc.double({ min: 2, max: 80, noNaN: true }), hy: fc.double({ min: 2, max: 60, noNaN: true }), hz: fc.double({ min: 2, max: 120, noNaN: true }),
      ml: fc.double({ min: 0.5, max: 900, noNaN: true }),
      cap: fc.boolean(), capOffset: fc.constantFrom(0, 0.4, 0.5, 0.6, 1, 1.4), radiusMm: fc.double({ min: 10, max: 40, noNaN: true }), noiseMm: fc.double({ min: 0, max: 4, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(arbSeed, { minLength: 2, maxLength: 5 }),
        fc.constantFrom(-1, 1, 1.5, 2, 3, 4, 5, 6),
        fc.double({ min: -30, max: 30, noNaN: true }),
        fc.double({ min: -45, max: 10, noNaN: true }),
        fc.constantFrom<[number, number, number]>([0.8, 0.8, 0.8], [0.75, 0.75, 0.8], [1, 1, 3], [0.5, 0.5, 0.5]),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (specs, r, midlineX, imageLowZ, spacingMm, seed) => {
          let s = seed;
          const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
          const seeds: ComponentStats[] = specs.map((q, id) => ({
            id: id + 1,
            voxels: Math.round(q.ml * 1000),
            volumeMl: q.ml,
            centroidLps: [q.cx, q.cy, q.cz],
            // Some pieces start at or near the image's lowest slice (a field cut there).
            minLps: [q.cx - q.hx, q.cy - q.hy, q.cap ? imageLowZ + q.capOffset * spacingMm[2] : q.cz - q.hz],
            maxLps: [q.cx + q.hx, q.cy + q.hy, q.cz + q.hz],
            ijk: new Int32Array(6),
          }));
          const surfaces = new Map(specs.map((q, id) => [id + 1, q.cap ? capSurface([q.cx, q.cy, imageLowZ + q.radiusMm * 0.3], q.radiusMm, imageLowZ, q.noiseMm, rnd) : capSurface([q.cx, q.cy, q.cz], q.radiusMm, -Infinity, 8, rnd)]));
          const surfaceLps = (id: number) => surfaces.get(id)!;
          const rule: HipSplitRule = { midlineX, imageLowZ, spacingZMm: spacingMm[2], voxelMm: Math.max(...spacingMm) };
          const got = acceptHipSplit(rule, seeds, r, surfaceLps);
          const want = acceptInline(seeds, r, surfaceLps, midlineX, imageLowZ, spacingMm);
          expect(got.accepted).toBe(want.accepted);
          expect(got.capCentroidLps).toEqual(want.cap);
        },
      ),
      { numRuns: 600 },
    );
  });
});
