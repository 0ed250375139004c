import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Vec3 } from '../geometry/vec3';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry, type VolumeGeometry } from '../volume/VolumeGeometry';
import { pointSegmentDistance } from '../geometry/segment';
import type { FieldSet } from '../fields/FieldSet';
import { capsuleFieldClearance, createClearanceResult } from './fieldClearance';
import { buildPlannerGrid, marchGridIjk, sampleGridIjk, sampleGridLps } from './plannerGrid';
import { walkVoxels } from './voxelWalk';

/** A Float32 field filled from an analytic function of the LPS position. */
function analyticField(g: VolumeGeometry, f: (p: Vec3) => number): Volume<Float32Array> {
  const [ni, nj, nk] = g.dims;
  const v = new Float32Array(ni * nj * nk);
  const m = g.ijkToLps;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const p: Vec3 = [m[0]! * i + m[4]! * j + m[8]! * k + m[12]!, m[1]! * i + m[5]! * j + m[9]! * k + m[13]!, m[2]! * i + m[6]! * j + m[10]! * k + m[14]!];
    v[i + ni * (j + nj * k)] = f(p);
  }
  return createVolume('f', 'field', g, v);
}

const grid = createVolumeGeometry({ dims: [41, 41, 41], spacingMm: [1, 1, 1], originLps: [-20, -20, -20] });
const ball = (p: Vec3): number => Math.max(0, Math.hypot(p[0] - 3, p[1], p[2]) - 4); // unsigned distance to a ball r=4 at (3,0,0)

describe('capsuleFieldClearance', () => {
  it('matches the analytic clearance of a capsule to a ball within the sampling error', () => {
    const field = analyticField(grid, ball);
    fc.assert(
      fc.property(fc.double({ min: -15, max: 15, noNaN: true }), fc.double({ min: -15, max: 15, noNaN: true }), fc.double({ min: 0.5, max: 4, noNaN: true }), (y, z, r) => {
        const a: Vec3 = [-15, y, z], b: Vec3 = [15, y * 0.5, z];
        const out = capsuleFieldClearance(createClearanceResult(), field, 20, a, b, r, 0.5);
        const truth = Math.max(0, pointSegmentDistance([3, 0, 0], a, b) - 4) - r;
        // Trilinear interpolation of a smooth distance + 0.25 mm sampling: a few tenths of a mm.
        expect(Math.abs(out.clearanceMm - truth)).toBeLessThan(0.35);
      }),
      { numRuns: 200 },
    );
  });
});

describe('plannerGrid', () => {
  it('interleaves containment, lesion and the minimum over structure sub-box fields', () => {
    const bone = analyticField(grid, (p) => 15 - Math.hypot(p[0], p[1], p[2])); // bone ball r=15, signed depth
    const lesion = analyticField(grid, (p) => Math.hypot(p[0] - 5, p[1], p[2]) - 3);
    // A structure field on a sub-box (offset 10 voxels along i), distance to the point (12, 0, 0).
    const sub = createVolumeGeometry({ dims: [21, 41, 41], spacingMm: [1, 1, 1], originLps: [-10, -20, -20] });
    const root = analyticField(sub, (p) => Math.hypot(p[0] - 12, p[1], p[2]));
    const labels = createVolume('l', 'label', grid, new Uint8Array(41 * 41 * 41));
    const fields: FieldSet = { geometry: grid, boneDepth: bone, lesion, structures: { rootS1Left: root }, structureMarginMm: 8, labels, generation: 3 };
    const g = buildPlannerGrid(fields);
    const out = new Float64Array(3);
    sampleGridLps(g, 5.5, 0.25, 0, out);
    // Trilinear interpolation rounds the cone tip of a point distance by up to ~0.15 mm.
    expect(Math.abs(out[0]! - Math.max(15 - Math.hypot(5.5, 0.25), 3 - Math.hypot(0.5, 0.25)))).toBeLessThan(0.2); // inside the lesion: -lesion wins
    expect(Math.abs(out[1]! - (Math.hypot(0.5, 0.25) - 3))).toBeLessThan(0.2);
    expect(out[2]).toBeCloseTo(Math.hypot(6.5, 0.25), 1);
    sampleGridLps(g, -15, 0, 0, out); // outside the structure's sub-box: the margin
    expect(out[2]).toBe(8);
    sampleGridLps(g, 100, 0, 0, out); // outside the grid
    expect(out[0]).toBeLessThan(-100);
    expect(g.generation).toBe(3);
  });

  it('marchGridIjk gives sampleGridIjk\'s values bit for bit along a line, in and out of the grid, and stops after the outside run', () => {
    const bone = analyticField(grid, (p) => 12 - Math.hypot(p[0], p[1], p[2]));
    const lesion = analyticField(grid, (p) => Math.hypot(p[0] - 4, p[1], p[2]) - 3);
    const labels = createVolume('l', 'label', grid, new Uint8Array(41 * 41 * 41));
    const g = buildPlannerGrid({ geometry: grid, boneDepth: bone, lesion, structures: {}, structureMarginMm: 8, labels, generation: 1 });
    const one = new Float64Array(3);
    fc.assert(
      fc.property(
        fc.tuple(fc.double({ min: -5, max: 45, noNaN: true }), fc.double({ min: -5, max: 45, noNaN: true }), fc.double({ min: -5, max: 45, noNaN: true })),
        fc.tuple(fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: -1, max: 1, noNaN: true })),
        fc.integer({ min: 0, max: 6 }),
        ([i0, j0, k0], [di, dj, dk], gap) => {
          const buf = new Float64Array(3 * 80);
          const n = marchGridIjk(g, i0, j0, k0, di, dj, dk, 80, gap, buf);
          let run = 0;
          for (let s = 0; s < n; s++) {
            sampleGridIjk(g, i0 + di * s, j0 + dj * s, k0 + dk * s, one);
            for (let ch = 0; ch < 3; ch++) if (!Object.is(buf[s * 3 + ch], one[ch])) return false;
            run = one[0]! > 0 ? 0 : run + 1;
          }
          // It stopped exactly when the outside run passed `gap` samples, or at the sample limit.
          return n === 80 ? run <= gap || run === gap + 1 : run === gap + 1;
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('walkVoxels', () => {
  it('visits every voxel a densely sampled segment passes through, face-connected, in order', () => {
    const g = createVolumeGeometry({ dims: [12, 9, 7], spacingMm: [1.5, 0.8, 2.5], originLps: [3, -4, 10], direction: [0.8, 0.6, 0, -0.6, 0.8, 0, 0, 0, 1] });
    const c = (n: number) => fc.double({ min: -2, max: n + 1, noNaN: true });
    fc.assert(
      fc.property(c(12), c(9), c(7), c(12), c(9), c(7), (i0, j0, k0, i1, j1, k1) => {
        const m = g.ijkToLps;
        const toLps = (i: number, j: number, k: number): Vec3 => [m[0]! * i + m[4]! * j + m[8]! * k + m[12]!, m[1]! * i + m[5]! * j + m[9]! * k + m[13]!, m[2]! * i + m[6]! * j + m[10]! * k + m[14]!];
        const a = toLps(i0, j0, k0), b = toLps(i1, j1, k1);
        const visited: number[] = [];
        let lastT = -1;
        walkVoxels(g, a, b, (index, t0, t1) => {
          visited.push(index);
          expect(t0).toBeGreaterThanOrEqual(lastT - 1e-9);
          expect(t1).toBeGreaterThanOrEqual(t0 - 1e-9);
          lastT = t1;
        });
        const set = new Set(visited);
        expect(set.size).toBe(visited.length);
        for (let s = 0; s <= 400; s++) {
          const t = s / 400;
          const i = Math.round(i0 + (i1 - i0) * t), j = Math.round(j0 + (j1 - j0) * t), k = Math.round(k0 + (k1 - k0) * t);
          if (i < 0 || j < 0 || k < 0 || i >= 12 || j >= 9 || k >= 7) continue;
          // Points exactly on a voxel face may round either way; skip them.
          const fr = (x: number) => Math.abs(x - Math.floor(x) - 0.5) < 1e-6;
          if (fr(i0 + (i1 - i0) * t) || fr(j0 + (j1 - j0) * t) || fr(k0 + (k1 - k0) * t)) continue;
          expect(set.has(i + 12 * (j + 9 * k))).toBe(true);
        }
        for (let q = 1; q < visited.length; q++) {
          const u = visited[q - 1]!, v = visited[q]!;
          const du = [u % 12, Math.floor(u / 12) % 9, Math.floor(u / 108)], dv = [v % 12, Math.floor(v / 12) % 9, Math.floor(v / 108)];
          expect(Math.abs(du[0]! - dv[0]!) + Math.abs(du[1]! - dv[1]!) + Math.abs(du[2]! - dv[2]!)).toBe(1);
        }
      }),
      { numRuns: 300 },
    );
  });
});
