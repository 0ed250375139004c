import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitSphere } from '../geometry/fitSphere';
import { computeComponentRuns } from './connectedComponents';
import { isFieldCutHeadSphere, surelyNotFieldCutHead, surfaceOfRunComponent } from './segmentBoneCap';

/**
 * The top of a femoral head (radius 22 mm, 1 mm voxels) cut by the image's first slice and,
 * on one side, by the edge of a reconstructed field (everything at i >= 30 is outside it):
 * a hollow shell (cortex only, the marrow below the threshold), as a CBCT's noisy cap can be.
 */
function cap(): { mask: Uint8Array; dims: [number, number, number]; m: Float64Array; inside: number } {
  const dims: [number, number, number] = [48, 48, 16];
  const mask = new Uint8Array(48 * 48 * 16);
  const c = [24, 24, -8], r = 22;
  let inside = 0;
  for (let k = 0; k < 16; k++) for (let j = 0; j < 48; j++) for (let i = 0; i < 30; i++) {
    const d = Math.hypot(i - c[0]!, j - c[1]!, k - c[2]!);
    // The filled cap: the ball inside the field, on its last column (the edge) the shell only.
    if (d <= r && (i < 29 || d > r - 2)) inside++;
    if (d <= r && d > r - 2) mask[i + 48 * (j + 48 * k)] = 1;
  }
  const m = new Float64Array(16);
  m[0] = 1;
  m[5] = 1;
  m[10] = 1;
  m[15] = 1;
  return { mask, dims, m, inside };
}

describe('surfaceOfRunComponent', () => {
  it("gives the cap's spherical surface (hole-filled through the cut, without the cut faces) and its filled voxels", () => {
    const { mask, dims, m, inside } = cap();
    const runs = computeComponentRuns(mask, dims);
    expect(runs.count).toBe(1);
    const box = runs.boxes.subarray(6, 12);
    const edge = (i: number) => i >= 29;
    const { surfaceLps, voxelsIjk } = surfaceOfRunComponent(runs, dims, 1, box, m, [0], (i) => edge(i));
    const voxels = voxelsIjk();
    // The hollow shell is filled through the cut slice and the field's edge.
    expect(voxels.length / 3).toBe(inside);
    const fit = fitSphere(surfaceLps)!;
    expect(fit.radiusMm).toBeGreaterThan(21);
    expect(fit.radiusMm).toBeLessThan(23);
    expect(fit.rmsResidualMm).toBeLessThan(1);
    expect(fit.centerLps[2]).toBeLessThan(0);
    // Without the field's edge the marrow, open through it, is not filled (the shell's inner
    // surface joins the outer one) and the fit is worse.
    const withFace = surfaceOfRunComponent(runs, dims, 1, box, m, [0]);
    expect(fitSphere(withFace.surfaceLps)!.rmsResidualMm).toBeGreaterThan(2 * fit.rmsResidualMm);
    expect(withFace.voxelsIjk().length / 3).toBeLessThan(inside / 2);
  });
});

describe('surelyNotFieldCutHead', () => {
  /**
   * A grid holding a head top cut by the first slice (a ball or a shell, radius 10-40 mm), a plate
   * (the CT table: long in i, thin in j), a rod and random voxels, at a random voxel size, the i
   * axis turned in the axial plane: every component of it is put to both tests.
   */
  const arbGrid = fc.record({
    voxelMm: fc.constantFrom(0.8, 1, 1.5, 2, 3),
    turn: fc.double({ min: 0, max: Math.PI / 2, noNaN: true }),
    radiusMm: fc.double({ min: 10, max: 40, noNaN: true }),
    below: fc.double({ min: 0, max: 0.8, noNaN: true }),
    shell: fc.boolean(),
    plateMm: fc.integer({ min: 10, max: 160 }),
    plateJ: fc.integer({ min: 1, max: 4 }),
    rodMm: fc.integer({ min: 10, max: 160 }),
    noise: fc.double({ min: 0, max: 0.02, noNaN: true }),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });

  function build(r: typeof arbGrid extends fc.Arbitrary<infer T> ? T : never) {
    const v = r.voxelMm;
    const rv = Math.ceil(r.radiusMm / v);
    const plate = Math.ceil(r.plateMm / v), rod = Math.ceil(r.rodMm / v);
    const ni = Math.max(2 * rv + 4, plate + 2, rod + 2), nj = 2 * rv + 4 + r.plateJ + 8, nk = Math.max(3, rv + 2);
    const dims: [number, number, number] = [ni, nj, nk];
    const mask = new Uint8Array(ni * nj * nk);
    const cz = -r.below * rv;
    let rnd = r.seed;
    const next = () => ((rnd = (Math.imul(rnd, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
      const t = i + ni * (j + nj * k);
      const d = Math.hypot(i - rv - 1, j - rv - 1, k - cz);
      if (d <= rv && (!r.shell || d > rv - 2)) mask[t] = 1;
      else if (j >= 2 * rv + 4 && j < 2 * rv + 4 + r.plateJ && i >= 1 && i <= plate) mask[t] = 1;
      else if (j === nj - 2 && k === 1 && i >= 1 && i <= rod) mask[t] = 1;
      else if (next() < r.noise) mask[t] = 1;
    }
    const m = new Float64Array(16);
    const c = Math.cos(r.turn), sn = Math.sin(r.turn);
    // Columns: i -> (c, s, 0) v, j -> (-s, c, 0) v, k -> (0, 0, v).
    m[0] = c * v; m[1] = sn * v; m[4] = -sn * v; m[5] = c * v; m[10] = v; m[15] = 1;
    m[12] = -40; m[13] = 12; m[14] = -7;
    return { dims, mask, m };
  }

  it('is true only where surfaceOfRunComponent + isFieldCutHeadSphere is false (fast-check; rejects long plates, keeps accepted caps)', () => {
    let rejected = 0, accepted = 0;
    fc.assert(
      fc.property(arbGrid, (r) => {
        const { dims, mask, m } = build(r);
        const runs = computeComponentRuns(mask, dims);
        for (let id = 1; id <= runs.count; id++) {
          const ijk = runs.boxes.slice(6 * id, 6 * id + 6);
          const maxZ = m[10]! * ijk[5]! + m[14]!;
          const full = isFieldCutHeadSphere(maxZ, surfaceOfRunComponent(runs, dims, id, ijk, m, [0]).surfaceLps, r.voxelMm);
          const surely = surelyNotFieldCutHead(runs, dims, id, ijk, m, [0], r.voxelMm);
          if (surely) rejected++;
          if (full) accepted++;
          if (surely && full) return false;
        }
        return true;
      }),
      { numRuns: 150, seed: 18 },
    );
    // Not vacuous: plates were rejected and caps accepted by the full test among the cases.
    expect(rejected).toBeGreaterThan(20);
    expect(accepted).toBeGreaterThan(20);
  });

  it("rejects a CT table's plate (2 mm voxels, 400 x 6 mm over 200 mm) and keeps a head top (radius 22 mm)", () => {
    const dims: [number, number, number] = [220, 30, 100];
    const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let k = 0; k < dims[2]; k++) for (let j = 20; j < 23; j++) for (let i = 10; i < 210; i++) mask[i + 220 * (j + 30 * k)] = 1;
    for (let k = 0; k < 8; k++) for (let j = 0; j < 19; j++) for (let i = 0; i < 30; i++) if (Math.hypot(i - 15, j - 9.5, k + 3) <= 11) mask[i + 220 * (j + 30 * k)] = 1;
    const m = new Float64Array(16);
    m[0] = m[5] = m[10] = 2;
    m[15] = 1;
    const runs = computeComponentRuns(mask, dims);
    expect(runs.count).toBe(2);
    const box = (id: number) => runs.boxes.slice(6 * id, 6 * id + 6);
    const head = runs.sizes[1]! < runs.sizes[2]! ? 1 : 2, plate = 3 - head;
    expect(surelyNotFieldCutHead(runs, dims, plate, box(plate), m, [0, 99], 2)).toBe(true);
    expect(surelyNotFieldCutHead(runs, dims, head, box(head), m, [0, 99], 2)).toBe(false);
    expect(isFieldCutHeadSphere(2 * box(head)[5]!, surfaceOfRunComponent(runs, dims, head, box(head), m, [0, 99]).surfaceLps, 2)).toBe(true);
  });
});
