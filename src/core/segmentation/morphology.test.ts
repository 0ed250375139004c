import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeComponents } from './connectedComponents';
import { dilate6, dilateMm, erodeMm, fillHoles } from './morphology';
import { floodLabels } from './testing/floodLabels';

type D = [number, number, number];

function randomMask(dims: D, density: number, seed: number): Uint8Array {
  const n = dims[0] * dims[1] * dims[2];
  const m = new Uint8Array(n);
  let s = seed;
  for (let t = 0; t < n; t++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    m[t] = s / 0x7fffffff < density ? 1 : 0;
  }
  return m;
}

const arbCase = fc.record({
  dims: fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 7 })),
  density: fc.double({ min: 0, max: 0.9, noNaN: true }),
  seed: fc.integer({ min: 1, max: 1e9 }),
});

describe('computeComponents', () => {
  it('partitions like a BFS reference (same groups, same count, sizes and boxes)', () => {
    fc.assert(
      fc.property(arbCase, ({ dims, density, seed }) => {
        const mask = randomMask(dims, density, seed);
        const cc = computeComponents(mask, dims);
        const ref = floodLabels(mask, dims).labels;
        const map = new Map<number, number>();
        for (let t = 0; t < mask.length; t++) {
          expect(cc.labels[t] === 0).toBe(ref[t] === 0);
          if (!ref[t]) continue;
          const prev = map.get(ref[t]!);
          if (prev === undefined) map.set(ref[t]!, cc.labels[t]!);
          else expect(cc.labels[t]).toBe(prev);
        }
        expect(cc.count).toBe(map.size);
        expect(new Set(map.values()).size).toBe(map.size);
        const sizes = new Float64Array(cc.count + 1);
        for (let t = 0; t < mask.length; t++) sizes[cc.labels[t]!]!++;
        for (let c = 1; c <= cc.count; c++) expect(cc.sizes[c]).toBe(sizes[c]);
      }),
      { numRuns: 200 },
    );
  });
});

describe('morphology', () => {
  it('dilates and erodes with a Euclidean ball in mm (brute force on anisotropic voxels)', () => {
    fc.assert(
      fc.property(arbCase, fc.double({ min: 0.5, max: 3, noNaN: true }), ({ dims, density, seed }, r) => {
        const spacing: D = [0.7, 1.1, 1.6];
        const mask = randomMask(dims, density * 0.3, seed);
        const dil = dilateMm(mask, dims, spacing, r);
        const inv = mask.map((v) => (v ? 0 : 1));
        const ero = erodeMm(inv, dims, spacing, r);
        const [ni, nj] = dims;
        for (let t = 0; t < mask.length; t++) {
          const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
          let near = false;
          for (let q = 0; q < mask.length && !near; q++) {
            if (!mask[q]) continue;
            const qi = q % ni, qj = Math.floor(q / ni) % nj, qk = Math.floor(q / (ni * nj));
            if (Math.hypot((qi - i) * spacing[0], (qj - j) * spacing[1], (qk - k) * spacing[2]) <= r) near = true;
          }
          expect(dil[t]).toBe(near ? 1 : 0);
          // Erosion of the complement is the complement of the dilation.
          expect(ero[t]).toBe(near ? 0 : 1);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('dilate6 adds exactly the face neighbours', () => {
    const dims: D = [5, 5, 5];
    const m = new Uint8Array(125);
    m[2 + 5 * (2 + 5 * 2)] = 1;
    const d = dilate6(m, dims);
    expect(d.reduce((a, b) => a + b, 0)).toBe(7);
  });

  it('fills an enclosed cavity but not a channel to the outside; "sides" treats cut tube ends as closed', () => {
    const dims: D = [12, 12, 12];
    const n = 12 ** 3;
    const shell = new Uint8Array(n);
    const tube = new Uint8Array(n);
    for (let k = 0; k < 12; k++) for (let j = 0; j < 12; j++) for (let i = 0; i < 12; i++) {
      const t = i + 12 * (j + 12 * k);
      const r = Math.hypot(i - 5.5, j - 5.5, k - 5.5);
      shell[t] = r >= 3 && r < 5 ? 1 : 0;
      const rt = Math.hypot(i - 5.5, j - 5.5);
      tube[t] = rt >= 2.5 && rt < 4.5 ? 1 : 0;
    }
    const a = shell.slice();
    expect(fillHoles(a, dims)).toBeGreaterThan(50);
    expect(a[5 + 12 * (5 + 12 * 5)]).toBe(1);
    const open = shell.slice();
    for (let i = 0; i < 12; i++) open[i + 12 * (5 + 12 * 5)] = 0; // drill a channel along i
    const b = open.slice();
    fillHoles(b, dims);
    expect(b[5 + 12 * (5 + 12 * 5)]).toBe(0);
    const t1 = tube.slice();
    expect(fillHoles(t1, dims, 'all')).toBe(0);
    const t2 = tube.slice();
    expect(fillHoles(t2, dims, 'sides')).toBeGreaterThan(0);
    expect(t2[5 + 12 * (5 + 12 * 0)]).toBe(1);
  });
});

/**
 * fillHoles by its definition: a BFS over the background (6-neighbours) from every background
 * voxel on an outside face (the four i / j faces, and the two k faces with 'all'); every
 * background voxel it does not reach is set. Returns the mask and the number set.
 */
function fillHolesByFlood(mask: Uint8Array, dims: D, faces: 'all' | 'sides'): { out: Uint8Array; count: number } {
  const [ni, nj, nk] = dims;
  const reached = new Uint8Array(mask.length);
  const queue: number[] = [];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const t = i + ni * (j + nj * k);
    const face = i === 0 || i === ni - 1 || j === 0 || j === nj - 1 || (faces === 'all' && (k === 0 || k === nk - 1));
    if (face && !mask[t]) {
      reached[t] = 1;
      queue.push(t);
    }
  }
  while (queue.length) {
    const t = queue.pop()!;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
    const next = [i > 0 ? t - 1 : -1, i < ni - 1 ? t + 1 : -1, j > 0 ? t - ni : -1, j < nj - 1 ? t + ni : -1, k > 0 ? t - ni * nj : -1, k < nk - 1 ? t + ni * nj : -1];
    for (const u of next) if (u >= 0 && !mask[u] && !reached[u]) {
      reached[u] = 1;
      queue.push(u);
    }
  }
  const out = mask.slice();
  let count = 0;
  for (let t = 0; t < out.length; t++) if (!mask[t] && !reached[t]) {
    out[t] = 1;
    count++;
  }
  return { out, count };
}

describe('fillHoles against its definition', () => {
  it('sets exactly the background voxels a flood from the outside faces does not reach, and returns their number (both face modes)', () => {
    fc.assert(
      fc.property(arbCase, fc.boolean(), ({ dims, density, seed }, all) => {
        const mask = randomMask(dims, 0.3 + 0.6 * density, seed);
        const faces = all ? 'all' : 'sides';
        const want = fillHolesByFlood(mask, dims, faces);
        const got = mask.slice();
        expect(fillHoles(got, dims, faces)).toBe(want.count);
        expect(got).toEqual(want.out);
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
