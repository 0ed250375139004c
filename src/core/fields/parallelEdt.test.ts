/**
 * The squared EDT is the same bit for bit:
 * - after the zero-run collapse of the 1D envelope, against the implementation
 *   before it (testing/referenceEdt.ts), on random grids with long feature runs,
 *   binary seeds and arbitrary seeds;
 * - through the parallel executor, whoever runs which chunks: a helper that never
 *   answers (every chunk in this thread), a helper that takes every chunk before
 *   this thread starts, one that takes one chunk, and a real worker_thread helper
 *   (bench/segmentationEdt.worker.node.mjs) on grids on plain and on shared memory,
 *   including the signed field of computeDistanceField;
 * - the other slab work the helper shares (distanceTransform.ts SlabTask): the signed output
 *   of computeDistanceField and the seeding of its transform to the outside set, and
 *   buildFieldSet's structure fields, with the same helpers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { computeDistanceField, EDT_FAR, setEdtExecutor, squaredDistanceInPlace } from './distanceTransform';
import { createEdtWorkspace, createParallelEdtExecutor, isSlabJob, runHelperJob, type HelperJob } from './parallelEdt';
import { buildFieldSet } from './buildFieldSet';
import type { CriticalStructures } from '../anatomy/structures';
import { referenceSquaredEdt } from './testing/referenceEdt';
import { startNodeEdtHelper } from '../../../bench/edtHelperNode';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';

type Grid = { dims: [number, number, number]; spacing: [number, number, number]; seeds: Float32Array };

/** Random grids whose features come in runs along every axis (blobs), with some arbitrary seeds. */
const arbGrid = fc
  .record({
    ni: fc.integer({ min: 1, max: 14 }),
    nj: fc.integer({ min: 1, max: 12 }),
    nk: fc.integer({ min: 1, max: 10 }),
    sx: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sy: fc.double({ min: 0.3, max: 3, noNaN: true }),
    sz: fc.double({ min: 0.3, max: 3, noNaN: true }),
    blobs: fc.integer({ min: 0, max: 4 }),
    invert: fc.boolean(),
    general: fc.double({ min: 0, max: 0.3, noNaN: true }),
    seed: fc.integer({ min: 1, max: 2 ** 30 }),
  })
  .map((r): Grid => {
    const dims: [number, number, number] = [r.ni, r.nj, r.nk];
    const n = r.ni * r.nj * r.nk;
    let s = r.seed;
    const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const blobs = Array.from({ length: r.blobs }, () => ({ c: [rnd() * r.ni, rnd() * r.nj, rnd() * r.nk], rad: 1 + rnd() * 5 }));
    const seeds = new Float32Array(n);
    for (let k = 0, t = 0; k < r.nk; k++) for (let j = 0; j < r.nj; j++) for (let i = 0; i < r.ni; i++, t++) {
      let inBlob = blobs.some((b) => Math.hypot(i - b.c[0]!, j - b.c[1]!, k - b.c[2]!) <= b.rad);
      if (r.invert) inBlob = !inBlob;
      seeds[t] = inBlob ? 0 : rnd() < r.general ? Math.fround(rnd() * 40) : EDT_FAR;
    }
    return { dims, spacing: [r.sx, r.sy, r.sz], seeds };
  });

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (!Object.is(a[t], b[t])) return false;
  return true;
}

function reference(g: Grid): Float32Array {
  const sq = g.seeds.slice();
  referenceSquaredEdt(sq, g.dims, g.spacing);
  return sq;
}

function transformed(g: Grid): Float32Array {
  const sq = g.seeds.slice();
  squaredDistanceInPlace(sq, g.dims, g.spacing);
  return sq;
}

describe('squared EDT, zero runs collapsed', () => {
  it('is bit-identical to the implementation before the collapse (random blobs, inverted blobs, arbitrary seeds)', () => {
    fc.assert(
      fc.property(arbGrid, (g) => sameBits(transformed(g), reference(g))),
      { numRuns: 400 },
    );
  });

  it('is bit-identical on a grid with long runs along every axis (two blocks of lines)', () => {
    const dims: [number, number, number] = [70, 45, 40];
    const n = dims[0] * dims[1] * dims[2];
    const seeds = new Float32Array(n);
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      // A thick shell: background features outside, a cavity inside (a bone-depth-like transform).
      const r = Math.hypot((i - 35) * 0.8, (j - 22) * 0.8, (k - 20) * 1.5);
      seeds[t] = r > 22 || r < 6 ? 0 : EDT_FAR;
    }
    const g: Grid = { dims, spacing: [0.8, 0.8, 1.5], seeds };
    expect(sameBits(transformed(g), reference(g))).toBe(true);
  });
});

describe('parallel EDT executor', () => {
  /** A fake helper run in this thread at post time: claims and runs up to `take` chunks before this thread starts. */
  const fakeHelper = (take: number) => {
    const ws = createEdtWorkspace();
    return (job: HelperJob) => void runHelperJob(job, ws, take);
  };

  for (const [name, post] of [
    ['a helper that never answers', () => () => undefined],
    ['a helper that takes every chunk first', () => fakeHelper(Infinity)],
    ['a helper that takes one chunk', () => fakeHelper(1)],
  ] as const) {
    it(`gives the same bits as one thread with ${name}`, () => {
      fc.assert(
        fc.property(arbGrid, fc.integer({ min: 1, max: 7 }), (g, chunksPerPass) => {
          const executor = createParallelEdtExecutor(post(), { minVoxels: 0, chunksPerPass });
          const previous = setEdtExecutor(executor);
          try {
            const got = transformed(g);
            return sameBits(got, reference(g)) && executor.stats.transforms === 1;
          } finally {
            setEdtExecutor(previous);
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  /** A labelled grid with bone-like shells and a lesion, and structures of every shape kind near it. */
  const fieldCase = (() => {
    const dims: [number, number, number] = [40, 34, 22];
    const n = dims[0] * dims[1] * dims[2];
    const labels = new Uint8Array(new SharedArrayBuffer(n));
    for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
      const r = Math.hypot((i - 18) * 0.9, (j - 16) * 0.9, (k - 10) * 1.7);
      labels[t] = r < 4 ? 7 : r < 13 && r > 2 ? 1 : i > 33 && j < 8 ? 2 : 0;
    }
    const geometry = createVolumeGeometry({ dims, spacingMm: [0.9, 0.9, 1.7], originLps: [-10, 5, 30] });
    const volume = createVolume('labels', 'label', geometry, labels);
    const structures = {
      foramina: [
        { id: 'foramenS1Left', centerLps: [0, 18, 40], axisLps: [0, 0.6, 0.8], radiusMm: 3, lengthMm: 6 },
        { id: 'foramenS1Right', centerLps: [12, 14, 38], axisLps: [0.6, 0, 0.8], radiusMm: 2.5, lengthMm: 5 },
      ],
      sacralCanal: { centerlineLps: [[4, 20, 32], [5, 21, 40], [6, 23, 48]], radiusMm: 4 },
      roots: [{ id: 'rootS1Left', centerlineLps: [[0, 18, 40], [-4, 22, 44], [-9, 26, 47], [-14, 28, 50]], radiusMm: 2 }],
      joints: [{ id: 'sijLeft', centerLps: [20, 18, 40], radiusMm: 9, capAxisLps: [0.8, 0, 0.6], capHalfAngleDeg: 40 }],
    } as unknown as CriticalStructures;
    return { volume, structures };
  })();

  for (const [name, post] of [
    ['a helper that never answers', () => () => undefined],
    ['a helper that takes every chunk first', () => fakeHelper(Infinity)],
    ['a helper that takes one chunk', () => fakeHelper(1)],
  ] as const) {
    it(`shares the signed output and the structure fields with ${name}: same bits as one thread`, () => {
      const { volume, structures } = fieldCase;
      const one = buildFieldSet(volume, structures, { shared: true });
      const executor = createParallelEdtExecutor(post(), { minVoxels: 0, chunksPerPass: 5 });
      const previous = setEdtExecutor(executor);
      let two: ReturnType<typeof buildFieldSet>;
      try {
        two = buildFieldSet(volume, structures, { shared: true });
      } finally {
        setEdtExecutor(previous);
      }
      // Seeding of the transform to the outside and signed output of the bone depth and of the
      // lesion, and one task of structure fields.
      expect(executor.stats.slabTasks).toBe(5);
      expect(Object.keys(two.structures).sort()).toEqual(Object.keys(one.structures).sort());
      expect(Object.keys(one.structures).length).toBe(5);
      expect(sameBits(two.boneDepth.voxels, one.boneDepth.voxels)).toBe(true);
      expect(sameBits(two.lesion!.voxels, one.lesion!.voxels)).toBe(true);
      for (const id of Object.keys(one.structures) as (keyof typeof one.structures)[]) {
        expect(two.structures[id]!.geometry).toEqual(one.structures[id]!.geometry);
        expect(sameBits(two.structures[id]!.voxels, one.structures[id]!.voxels)).toBe(true);
      }
    });
  }

  it('runs the slab work in this thread when the fields are not on shared memory or the work is small', () => {
    const { volume, structures } = fieldCase;
    const one = buildFieldSet(volume, structures);
    for (const [shared, minVoxels] of [[false, 0], [true, 1 << 30]] as const) {
      const executor = createParallelEdtExecutor((job) => { if (isSlabJob(job)) throw new Error('no slab work must be posted'); }, { minVoxels });
      const previous = setEdtExecutor(executor);
      try {
        const two = buildFieldSet(volume, structures, { shared });
        expect(sameBits(two.boneDepth.voxels, one.boneDepth.voxels)).toBe(true);
        for (const id of Object.keys(one.structures) as (keyof typeof one.structures)[]) expect(sameBits(two.structures[id]!.voxels, one.structures[id]!.voxels)).toBe(true);
      } finally {
        setEdtExecutor(previous);
      }
      expect(executor.stats.slabTasks).toBe(0);
    }
  });

  it('declines grids below its size threshold (they run in this thread)', () => {
    const executor = createParallelEdtExecutor(() => undefined, { minVoxels: 1000 });
    expect(executor.run(new Float32Array(999), [999, 1, 1], [1, 1, 1])).toBe(false);
    expect(executor.stats.transforms).toBe(0);
  });

  describe('with a worker_thread helper', () => {
    let helper: Awaited<ReturnType<typeof startNodeEdtHelper>>;
    beforeAll(async () => {
      helper = await startNodeEdtHelper({ minVoxels: 0, chunksPerPass: 48 });
    });
    afterAll(async () => {
      setEdtExecutor(null);
      await helper?.close();
    });

    it('shares the passes of large transforms and gives the same bits (plain and shared memory, signed fields)', () => {
      const dims: [number, number, number] = [96, 80, 64];
      const n = dims[0] * dims[1] * dims[2];
      const labels = new Uint8Array(n);
      for (let k = 0, t = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++, t++) {
        const r1 = Math.hypot((i - 30) * 0.7, (j - 40) * 0.7, (k - 30) * 1.2);
        const r2 = Math.hypot((i - 70) * 0.7, (j - 35) * 0.7, (k - 34) * 1.2);
        labels[t] = (r1 < 18 && r1 > 7) || r2 < 12 ? 1 : 0;
      }
      const spacing: [number, number, number] = [0.7, 0.7, 1.2];
      const mask = createVolume('m', 'label', createVolumeGeometry({ dims, spacingMm: spacing, originLps: [0, 0, 0] }), labels);
      const seeds = new Float32Array(n);
      for (let t = 0; t < n; t++) seeds[t] = labels[t] ? 0 : EDT_FAR;
      const single = seeds.slice();
      squaredDistanceInPlace(single, dims, spacing);
      const singleSigned = computeDistanceField(mask, { signed: 'insidePositive' });
      // The helper wakes up on its own schedule: repeat until it has run chunks (it always
      // may run none; the results must be the same either way).
      const previous = setEdtExecutor(helper.executor);
      try {
        for (let round = 0; round < 30 && helper.executor.stats.chunksHelper === 0; round++) {
          const plain = seeds.slice();
          squaredDistanceInPlace(plain, dims, spacing);
          expect(sameBits(plain, single)).toBe(true);
          const onShared = new Float32Array(new SharedArrayBuffer(4 * n));
          onShared.set(seeds);
          squaredDistanceInPlace(onShared, dims, spacing);
          expect(sameBits(onShared, single)).toBe(true);
          const signed = computeDistanceField(mask, { signed: 'insidePositive', shared: round % 2 === 0 });
          expect(sameBits(signed.voxels, singleSigned.voxels)).toBe(true);
        }
      } finally {
        setEdtExecutor(previous);
      }
      expect(helper.executor.stats.chunksHelper).toBeGreaterThan(0);
      expect(helper.executor.stats.chunksHere).toBeGreaterThan(0);
    });
  });
});
