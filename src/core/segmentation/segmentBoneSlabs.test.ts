/**
 * segmentBone's slab work shared with the EDT helper thread (segmentBoneSlabs.ts, parallelEdt.ts
 * BoneSlabJob) gives the same bytes whoever runs which slices:
 * - each task against a plain one-thread computation, on random masks and grey volumes, cut in
 *   random chunk sizes and run by fake helpers (never answers, takes every chunk first, one chunk);
 * - segmentBone on phantoms and on a synthetic pelvis with a bridged SI joint (narrowed crop,
 *   split) whose CT is on shared memory, with those fake helpers and a real worker_thread helper
 *   (bench/segmentationEdt.worker.node.mjs): the stored fingerprints of the one-thread output
 *   (testing/boneLabelHashes.ts, segmentBone.paths.test.ts), and the slab tasks really posted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { EDT_FAR, createEdtScratch, edtPassSlab, edtSlabCount, setEdtExecutor, squaredDistanceInPlace } from '../fields/distanceTransform';
import { createEdtWorkspace, createParallelEdtExecutor, runHelperJob, type HelperJob } from '../fields/parallelEdt';
import { startNodeEdtHelper } from '../../../bench/edtHelperNode';
import { createVolume, type Volume } from '../volume/Volume';
import { allocVoxels, type VoxelArray } from '../volume/voxelBuffer';
import { dilate6, fillHoles } from './morphology';
import { addCavities, segmentBone } from './segmentBone';
import { componentRunsOf, mergeSliceBoxes, runBoneSlabs, runBoneSlabTask, sharedHistogram, sharedWriteRunLabels, shareRuns, squaredDistanceAfterFirstPass, type BoneSlabTask } from './segmentBoneSlabs';
import { computeHistogram } from './thresholds';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { computeComponentRuns, writeComponentLabels } from './connectedComponents';
import { isFieldCutHeadSphere, surfaceOfRunComponent } from './segmentBoneCap';
import { BONE_LABEL_HASHES, boneLabelHashes } from './testing/boneLabelHashes';
import { makeSyntheticPelvis } from './testing/syntheticPelvis';
import { searchSplit, type SplitTask } from './segmentBoneSplit';

/** A fake helper run in this thread at post time: claims and runs up to `take` chunks before this thread starts. */
const fakeHelper = (take: number) => {
  const ws = createEdtWorkspace();
  return (job: HelperJob) => void runHelperJob(job, ws, take);
};
const HELPERS = [
  ['a helper that never answers', () => () => undefined],
  ['a helper that takes every chunk first', () => fakeHelper(Infinity)],
  ['a helper that takes one chunk', () => fakeHelper(1)],
] as const;

function onShared<T extends VoxelArray>(a: T): T {
  const s = allocVoxels(a.constructor as new (n: number) => T as never, a.length, { shared: true }) as unknown as T;
  s.set(a as never);
  return s;
}

function sharedCt(ct: Volume<VoxelArray>): Volume<VoxelArray> {
  return createVolume(ct.id, 'ct', ct.geometry, onShared(ct.voxels));
}

const arbCase = fc.record({
  ni: fc.integer({ min: 1, max: 13 }),
  nj: fc.integer({ min: 1, max: 9 }),
  nk: fc.integer({ min: 1, max: 9 }),
  density: fc.double({ min: 0, max: 1, noNaN: true }),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
  chunkSlabs: fc.integer({ min: 1, max: 5 }),
  helper: fc.integer({ min: 0, max: 2 }),
  box: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
});

describe('segmentBone slab tasks (random grids, random chunks, fake helpers)', () => {
  it("writeLabels: the label crop's parts written onto the grid and counted, as a plain pass over the crop's voxels does (stale output bytes kept)", () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 3 }), (r, pad) => {
        const dims: [number, number, number] = [r.ni, r.nj, r.nk];
        const n = r.ni * r.nj * r.nk;
        let s = r.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const mask = new Uint8Array(n);
        for (let t = 0; t < n; t++) mask[t] = rnd() < r.density ? 1 : 0;
        const runs = computeComponentRuns(mask, dims);
        const labels = onShared(writeComponentLabels(runs, dims));
        // A lut with some ids unlabelled (0) and a few shared values.
        const lut = new Uint8Array(runs.count + 1);
        for (let c = 1; c <= runs.count; c++) lut[c] = rnd() < 0.3 ? 0 : 1 + Math.floor(rnd() * 4);
        const grid: [number, number, number] = [r.ni + 2 * pad, r.nj + pad, r.nk + pad];
        const boxMin = [pad, Math.floor(pad / 2), pad];
        const stale = (a: Uint8Array) => { for (let t = 0; t < a.length; t++) a[t] = t % 7 === 0 ? 9 : 0; return a; };
        const want = stale(new Uint8Array(grid[0] * grid[1] * grid[2]));
        const wantCounts = new Float64Array(256);
        for (let k = 0, t = 0; k < r.nk; k++) for (let j = 0; j < r.nj; j++) for (let i = 0; i < r.ni; i++, t++) {
          if (!mask[t]) continue;
          const label = lut[labels[t]!]!;
          if (label === 0) continue;
          want[boxMin[0]! + i + grid[0] * (boxMin[1]! + j + grid[1] * (boxMin[2]! + k))] = label;
          wantCounts[label]!++;
        }
        const executor = createParallelEdtExecutor(HELPERS[r.helper]![1](), { minVoxels: 0 });
        const previous = setEdtExecutor(executor);
        try {
          const out = stale(allocVoxels(Uint8Array, want.length, { shared: true }));
          const written = sharedWriteRunLabels(labels, lut, shareRuns(runs), dims, boxMin, grid, out);
          if (Array.from(out).some((x, t) => x !== want[t]) || Array.from(written).some((x, v) => x !== wantCounts[v])) return false;
          // Random chunk sizes, straight through runBoneSlabs.
          const chunks = Math.ceil(r.nk / r.chunkSlabs);
          const counts = allocVoxels(Int32Array, 256 * chunks, { shared: true });
          const lutShared = onShared(lut);
          const out2 = stale(allocVoxels(Uint8Array, want.length, { shared: true }));
          runBoneSlabs({ kind: 'writeLabels', runs: shareRuns(runs), labels, lut: lutShared, ni: r.ni, nj: r.nj, boxMin: [boxMin[0]!, boxMin[1]!, boxMin[2]!], gridDims: [grid[0], grid[1]], out: out2, chunkSlabs: r.chunkSlabs, counts }, r.nk, n, r.chunkSlabs);
          const sum = new Float64Array(256);
          for (let c = 0; c < chunks; c++) for (let v = 0; v < 256; v++) sum[v] = sum[v]! + counts[256 * c + v]!;
          return Array.from(out2).every((x, t) => x === want[t]) && Array.from(sum).every((x, v) => x === wantCounts[v]);
        } finally {
          setEdtExecutor(previous);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('thresholdBox, thresholdCrop and dilate6 write the one-thread bytes', () => {
    fc.assert(
      fc.property(arbCase, (r) => {
        const dims: [number, number, number] = [r.ni, r.nj, r.nk];
        const n = r.ni * r.nj * r.nk;
        let s = r.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const grey = allocVoxels(Int16Array, n, { shared: true });
        for (let t = 0; t < n; t++) grey[t] = rnd() < r.density ? 300 + Math.floor(rnd() * 100) : Math.floor(rnd() * 300) - 100;
        const threshold = 300;
        const executor = createParallelEdtExecutor(HELPERS[r.helper]![1](), { minVoxels: 0 });
        const previous = setEdtExecutor(executor);
        try {
          // Box of the voxels >= threshold, brute force.
          let lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
          for (let k = 0, t = 0; k < r.nk; k++) for (let j = 0; j < r.nj; j++) for (let i = 0; i < r.ni; i++, t++) {
            if (grey[t]! < threshold) continue;
            lo = [Math.min(lo[0]!, i), Math.min(lo[1]!, j), Math.min(lo[2]!, k)];
            hi = [Math.max(hi[0]!, i), Math.max(hi[1]!, j), Math.max(hi[2]!, k)];
          }
          const boxOut = allocVoxels(Int32Array, 4 * r.nk, { shared: true });
          const task: BoneSlabTask = { kind: 'thresholdBox', voxels: grey, dims, threshold, out: boxOut };
          runBoneSlabs(task, r.nk, n, r.chunkSlabs);
          const box = mergeSliceBoxes(boxOut, r.nk);
          const expected = hi[0]! < 0 ? null : { min: lo, max: hi.map((x) => x + 1) };
          if (JSON.stringify(box) !== JSON.stringify(expected)) return false;
          // Crop of a random box.
          const b = r.box;
          const min: [number, number, number] = [Math.floor(b[0] * r.ni), Math.floor(b[1] * r.nj), Math.floor(b[2] * r.nk)];
          const max: [number, number, number] = [min[0] + 1 + Math.floor(b[3] * (r.ni - min[0] - 1)), min[1] + 1 + Math.floor(b[4] * (r.nj - min[1] - 1)), min[2] + 1 + Math.floor(b[5] * (r.nk - min[2] - 1))];
          const cd: [number, number, number] = [max[0] - min[0], max[1] - min[1], max[2] - min[2]];
          const crop = allocVoxels(Uint8Array, cd[0] * cd[1] * cd[2], { shared: true });
          runBoneSlabs({ kind: 'thresholdCrop', voxels: grey, gridDims: [r.ni, r.nj], box: { min, max }, threshold, out: crop }, cd[2], crop.length, r.chunkSlabs);
          for (let k = 0, p = 0; k < cd[2]; k++) for (let j = 0; j < cd[1]; j++) for (let i = 0; i < cd[0]; i++, p++) {
            if (crop[p] !== (grey[min[0] + i + r.ni * (min[1] + j + r.nj * (min[2] + k))]! >= threshold ? 1 : 0)) return false;
          }
          // Dilation of the whole mask (non-zero values other than 1 too), over stale output bytes.
          const mask = allocVoxels(Uint8Array, n, { shared: true });
          for (let t = 0; t < n; t++) mask[t] = grey[t]! >= threshold ? 1 + (t % 3) : 0;
          const out = allocVoxels(Uint8Array, n, { shared: true }).fill(7);
          runBoneSlabs({ kind: 'dilate6', mask, dims, out }, r.nk, n, r.chunkSlabs);
          const one = dilate6(mask, dims);
          for (let t = 0; t < n; t++) if (out[t] !== one[t]) return false;
          // Hole filling of the mask and of its complement, one per slab.
          const a = allocVoxels(Uint8Array, n, { shared: true }), c = allocVoxels(Uint8Array, n, { shared: true });
          for (let t = 0; t < n; t++) {
            a[t] = mask[t] ? 1 : 0;
            c[t] = mask[t] ? 0 : 1;
          }
          const a1 = a.slice(), c1 = c.slice();
          const faces = r.seed % 2 ? 'sides' : 'all';
          fillHoles(a1, dims, faces);
          fillHoles(c1, dims, faces);
          const a0 = onShared(a), c0 = onShared(c);
          runBoneSlabs({ kind: 'fillHoles', masks: [a, c], dims, faces }, 2, n, 1);
          for (let t = 0; t < n; t++) if (a[t] !== a1[t] || c[t] !== c1[t]) return false;
          // The same with the masks copied from their sources first (into stale bytes), by the thread that fills each.
          const ac = allocVoxels(Uint8Array, n, { shared: true }).fill(3), cc = allocVoxels(Uint8Array, n, { shared: true }).fill(3);
          runBoneSlabs({ kind: 'fillHoles', masks: [ac, cc], from: [a0, c0], dims, faces }, 2, n, 1);
          for (let t = 0; t < n; t++) if (ac[t] !== a1[t] || cc[t] !== c1[t] || a0[t] !== (mask[t] ? 1 : 0)) return false;
          // The runs of a labelling written into a grid: their ids, and a constant over stale bytes.
          const runs = computeComponentRuns(mask, dims);
          const ids = allocVoxels(Int32Array, n, { shared: true });
          runBoneSlabs({ kind: 'fillRuns', runs: shareRuns(runs), ni: r.ni, nj: r.nj, out: ids }, r.nk, n, r.chunkSlabs);
          const idsOne = writeComponentLabels(runs, dims);
          const far = allocVoxels(Float32Array, n, { shared: true }).fill(0.5);
          runBoneSlabs({ kind: 'fillRuns', runs: shareRuns(runs), ni: r.ni, nj: r.nj, out: far, value: 1e20 }, r.nk, n, r.chunkSlabs);
          for (let t = 0; t < n; t++) if (ids[t] !== idsOne[t] || far[t] !== (mask[t] ? Math.fround(1e20) : 0.5)) return false;
          return executor.stats.boneSlabTasks === (r.nk >= 2 ? 4 : 0) + (cd[2] >= 2 ? 1 : 0) + 2;
        } finally {
          setEdtExecutor(previous);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("the bone thresholds' histogram on both threads", () => {
  it('is computeHistogram of the whole grid (8- and 16-bit voxels, any stride and bin count, random chunks, fake helpers)', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 2000 }), (r, type, stride, maxBins, spread) => {
        const dims: [number, number, number] = [r.ni, r.nj, r.nk];
        const n = r.ni * r.nj * r.nk;
        let s = r.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const Ctor = [Int16Array, Uint16Array, Uint8Array][type]!;
        const voxels = allocVoxels(Ctor as Int16ArrayConstructor, n, { shared: true }) as Int16Array | Uint16Array | Uint8Array;
        const lo = type === 0 ? -1000 : 0, span = type === 2 ? Math.min(255, spread) : spread;
        for (let t = 0; t < n; t++) voxels[t] = lo + Math.floor(rnd() * (span + 1));
        const expected = computeHistogram(createVolume('h', 'ct', createVolumeGeometry({ dims, spacingMm: [1, 1, 1], originLps: [0, 0, 0] }), voxels), { stride, maxBins });
        const executor = createParallelEdtExecutor(HELPERS[r.helper]![1](), { minVoxels: 0 });
        const previous = setEdtExecutor(executor);
        try {
          const got = sharedHistogram(voxels, dims, stride, maxBins);
          return got.minGrey === expected.minGrey && got.binWidth === expected.binWidth && got.total === expected.total && [...got.counts].join() === [...expected.counts].join();
        } finally {
          setEdtExecutor(previous);
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * segmentBone's addCavities by its definition, one voxel at a time: the closing's cavities (hole-filled,
 * not closed) join `filled` and replace `holes`; then every closing voxel not in the mask that has a
 * cavity voxel among its six neighbours joins `filled`.
 */
function cavitiesByVoxel(filled: Uint8Array, mask: Uint8Array, closed: Uint8Array, holes: Uint8Array, dims: [number, number, number]): void {
  const [ni, nj, nk] = dims;
  for (let t = 0; t < holes.length; t++) {
    holes[t] = holes[t] && !closed[t] ? 1 : 0;
    if (holes[t]) filled[t] = 1;
  }
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (mask[t] || !closed[t]) continue;
    const near = (i > 0 && holes[t - 1]) || (i < ni - 1 && holes[t + 1]) || (j > 0 && holes[t - ni]) || (j < nj - 1 && holes[t + ni]) || (k > 0 && holes[t - ni * nj]) || (k < nk - 1 && holes[t + ni * nj]);
    if (near) filled[t] = 1;
  }
}

describe("segmentBone's addCavities on both threads", () => {
  it('writes the bytes of addCavities\' definition voxel by voxel (aligned and unaligned arrays, random chunks, fake helpers)', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 3 }), (r, shift) => {
        const dims: [number, number, number] = [r.ni, r.nj, r.nk];
        const n = r.ni * r.nj * r.nk;
        let s = r.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        // Odd seeds as segmentBone has them (the mask, its one-voxel closing, the closing hole-filled, the mask
        // hole-filled); even seeds four independent random masks (addCavities is a function of any 0 / 1 bytes),
        // where many closing voxels touch a cavity voxel.
        // The independent masks at a middling density (fast-check's doubles favour 0 and 1, where few
        // closing voxels lie next to a cavity: a neighbour left out of the test went unnoticed then).
        const density = r.seed % 2 ? r.density : 0.15 + 0.7 * rnd();
        const random = () => Uint8Array.from({ length: n }, () => (rnd() < density ? 1 : 0));
        const mask = random();
        const closed = r.seed % 2 ? dilate6(mask, dims) : random();
        const holes = r.seed % 2 ? closed.slice() : random();
        if (r.seed % 2) fillHoles(holes, dims, 'sides');
        const filled = r.seed % 2 ? mask.slice() : random();
        if (r.seed % 2) fillHoles(filled, dims, 'sides');
        const ref = { filled: filled.slice(), holes: holes.slice() };
        cavitiesByVoxel(ref.filled, mask, closed, ref.holes, dims);
        // The one-thread path (the slab task over every slice) too.
        const one = { filled: filled.slice(), holes: holes.slice() };
        addCavities(one.filled, mask, closed, one.holes, dims);
        if (!one.filled.every((v, q) => v === ref.filled[q]) || !one.holes.every((v, q) => v === ref.holes[q])) return false;
        // On shared memory, `shift` bytes into their buffers (shift 0: four voxels at a time).
        const shared = (a: Uint8Array) => {
          const b = allocVoxels(Uint8Array, n + shift, { shared: true }).subarray(shift);
          b.set(a);
          return b;
        };
        const t = { filled: shared(filled), mask: shared(mask), closed: shared(closed), holes: shared(holes) };
        const executor = createParallelEdtExecutor(HELPERS[r.helper]![1](), { minVoxels: 0 });
        const previous = setEdtExecutor(executor);
        try {
          for (const phase of [0, 1] as const) runBoneSlabs({ kind: 'addCavities', phase, ...t, dims }, r.nk, n, r.chunkSlabs);
        } finally {
          setEdtExecutor(previous);
        }
        return t.filled.every((v, q) => v === ref.filled[q]) && t.holes.every((v, q) => v === ref.holes[q]) && executor.stats.boneSlabTasks === (r.nk >= 2 ? 2 : 0);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("segmentBone's inside depth from the runs (first pass written from them)", () => {
  it('is the same bits as seeding EDT_FAR on the runs and the whole transform, on one thread and with fake helpers', () => {
    fc.assert(
      fc.property(arbCase, fc.integer({ min: 0, max: 3 }), fc.tuple(fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 3, noNaN: true })), (r, rowMode, spacing) => {
        const dims: [number, number, number] = [r.ni, r.nj, r.nk];
        const n = r.ni * r.nj * r.nk;
        let s = r.seed;
        const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        // Random voxels, with some rows whole (a row that is one run end to end stays EDT_FAR in the first pass) or empty.
        const mask = new Uint8Array(n);
        for (let row = 0; row < r.nj * r.nk; row++) {
          const whole = rowMode === 1 && rnd() < 0.4, empty = rowMode === 2 && rnd() < 0.4;
          for (let i = 0; i < r.ni; i++) mask[row * r.ni + i] = whole ? 1 : empty ? 0 : rnd() < r.density ? 1 : 0;
        }
        if (rowMode === 3) mask.fill(1);
        const runs = computeComponentRuns(mask, dims);
        const seeded = new Float32Array(n);
        for (let t = 0; t < n; t++) seeded[t] = mask[t] ? EDT_FAR : 0;
        // The first pass alone: edtPassI on the seeded rows.
        const firstPass = seeded.slice();
        edtPassSlab(firstPass, dims, spacing, 0, 0, edtSlabCount(0, dims), createEdtScratch(Math.max(...dims)));
        squaredDistanceInPlace(seeded, dims, spacing);
        const same = (a: Float32Array) => a.every((x, t) => Object.is(x, seeded[t]));
        // One thread: the runs as the labelling gives them.
        const one = new Float32Array(n);
        runBoneSlabTask({ kind: 'fillRuns', runs, ni: r.ni, nj: r.nj, out: one, firstPassH: spacing[0] }, 0, r.nk);
        if (!one.every((x, t) => Object.is(x, firstPass[t]))) return false;
        squaredDistanceAfterFirstPass(one, dims, spacing);
        if (!same(one)) return false;
        // Both threads (fake helper): the first pass by slices, the passes along j and k through the executor.
        const executor = createParallelEdtExecutor(HELPERS[r.helper]![1](), { minVoxels: 0 });
        const previous = setEdtExecutor(executor);
        try {
          const two = allocVoxels(Float32Array, n, { shared: true });
          runBoneSlabs({ kind: 'fillRuns', runs: shareRuns(runs), ni: r.ni, nj: r.nj, out: two, firstPassH: spacing[0] }, r.nk, n, r.chunkSlabs);
          squaredDistanceAfterFirstPass(two, dims, spacing);
          return same(two) && executor.stats.transforms === 1;
        } finally {
          setEdtExecutor(previous);
        }
      }),
      { numRuns: 400 },
    );
  });
});

describe('segmentBone cap test on both threads', () => {
  /** Two femoral-head tops cut by the first slice (radius 22 and 12 mm, 1 mm voxels), a plate and a shell cut off-centre. */
  const grid = (() => {
    const dims: [number, number, number] = [120, 60, 18];
    const mask = new Uint8Array(dims[0] * dims[1] * dims[2]);
    for (let k = 0; k < dims[2]; k++) for (let j = 0; j < dims[1]; j++) for (let i = 0; i < dims[0]; i++) {
      const t = i + dims[0] * (j + dims[1] * k);
      if (Math.hypot(i - 26, j - 28, k + 8) <= 22) mask[t] = 1;
      else if (Math.hypot(i - 70, j - 28, k + 2) <= 12) mask[t] = 1;
      else if (i >= 90 && i < 118 && j >= 50 && j < 53) mask[t] = 1;
      else if (i >= 90 && i < 118 && j < 30 && Math.abs(Math.hypot(i - 104, j - 40, k + 20) - 30) < 1.5) mask[t] = 1;
    }
    const m = new Float64Array(16);
    m[0] = m[5] = m[10] = m[15] = 1;
    return { dims, mask, m, runs: computeComponentRuns(mask, dims) };
  })();

  for (const [name, post] of HELPERS) {
    it(`${name}: the same decisions as surfaceOfRunComponent + isFieldCutHeadSphere on the whole labelling`, () => {
      const { dims, m, runs } = grid;
      expect(runs.count).toBe(4);
      const ids = [1, 2, 3, 4];
      const boxOf = (id: number) => runs.boxes.slice(6 * id, 6 * id + 6);
      const maxZ = (id: number) => boxOf(id)[5]!;
      const expected = ids.map((id) => (isFieldCutHeadSphere(maxZ(id), surfaceOfRunComponent(runs, dims, id, boxOf(id), m, [0]).surfaceLps, 1) ? 1 : 0));
      expect(expected.filter((x) => x === 1).length).toBe(1);
      const executor = createParallelEdtExecutor(post(), { minVoxels: 0 });
      const previous = setEdtExecutor(executor);
      const out = allocVoxels(Uint8Array, ids.length, { shared: true });
      try {
        runBoneSlabs({ kind: 'capTest', comps: ids.map((id) => ({ ...componentRunsOf(runs, id, boxOf(id), dims), id, ijk: boxOf(id), maxLpsZ: maxZ(id) })), dims, cropToLps: m, cutSlices: [0], voxelMm: 1, out }, ids.length, 1, 1);
      } finally {
        setEdtExecutor(previous);
      }
      expect([...out]).toEqual(expected);
      expect(executor.stats.boneSlabTasks).toBe(1);
    });
  }
});

type Bar = [[number, number, number], [number, number, number]];

/** The synthetic pelvis with bony bars (cortical grey) across joint spaces (segmentBone.paths.test.ts's variants). */
function bridged(bars: Bar[]): Volume<VoxelArray> {
  const { ct } = makeSyntheticPelvis({ noiseSigma: 10 });
  const g = ct.geometry;
  for (let k = 0; k < g.dims[2]; k++) for (let j = 0; j < g.dims[1]; j++) for (let i = 0; i < g.dims[0]; i++) {
    const x = -150 + 2 * i, y = -110 + 2 * j, z = 2 * k;
    for (const [lo, hi] of bars) if (x > lo[0] && x < hi[0] && y > lo[1] && y < hi[1] && z > lo[2] && z < hi[2]) ct.voxels[i + g.dims[0] * (j + g.dims[1] * k)] = 1000;
  }
  return ct;
}

/** segment.paths.test.ts's bridged SI joint (a bony bar across the joint space): narrowed crop and a split. */
const bridgedSi = () => bridged([[[33, 16, 106], [41, 24, 114]]]);
/** segment.paths.test.ts's bridged left hip joint: the sacrum's split (no L5 above it) and the left hip's are searched ahead, one per slab. */
const bridgedHip = () => bridged([[[77, 7, 50], [83, 13, 64]]]);
/** Both hip joints bridged (the right one by a bar mirrored across the midline): three splits searched ahead. */
const bridgedHips = () => bridged([[[77, 7, 50], [83, 13, 64]], [[-83, 7, 50], [-77, 13, 64]]]);

// Slab tasks: the thresholds' histogram, the box, the crop, the dilation, the two hole fillings, the two phases of the
// cavities, the label crop, the depth's first pass when a split is tried (both cases split) and, with the CT table's two
// plates, the cap test (at small size the table is a staircase of strips short enough to be tested); with the labels on
// shared memory, the final write; with two or more splits about to be tried (the sacrum's with no L5 above it, a hip
// bone's with no femur beside it), one task of their searches.
const CASES: { name: string; ct: () => Volume<VoxelArray>; hashes: { labels: string; summary: string }; slabTasks: number }[] = [
  { name: 'sacralAla small', ct: () => generatePhantom({ caseId: 'sacralAla', size: 'small' }).ct, hashes: BONE_LABEL_HASHES['sacralAla small'], slabTasks: 10 },
  // The flattened copy of a cut field on shared memory too; its cap test stays in this thread (the field's edge columns).
  { name: 'sacralAlaCbct small', ct: () => generatePhantom({ caseId: 'sacralAlaCbct', size: 'small' }).ct, hashes: BONE_LABEL_HASHES['sacralAlaCbct small'], slabTasks: 9 },
  { name: 'synthetic pelvis, bridged SI joint', ct: bridgedSi, hashes: { labels: 'b4bd19c853eb79fe', summary: '9ae70e46202953d6' }, slabTasks: 9 },
  // segmentBone.paths.test.ts's fingerprints (recorded with the code before the speed-ups, one thread).
  { name: 'synthetic pelvis, bridged left hip joint', ct: bridgedHip, hashes: { labels: '3cc60aac891b0635', summary: '308de8e41bdfa8fd' }, slabTasks: 10 },
  // Recorded with the one-thread code of 24 Nov 19:30 (e6d6bcd).
  { name: 'synthetic pelvis, both hip joints bridged', ct: bridgedHips, hashes: { labels: '4886c7836b44f22f', summary: 'fbcf8744b254841f' }, slabTasks: 10 },
];

describe('segmentBone with the EDT helper taking slab work (CT on shared memory)', () => {
  const cts = new Map<string, Volume<VoxelArray>>();
  const ctOf = (c: (typeof CASES)[number]) => cts.get(c.name) ?? (cts.set(c.name, sharedCt(c.ct())), cts.get(c.name)!);
  for (const c of CASES) {
    for (const [name, post] of HELPERS) {
      it(`${c.name}, ${name}: the stored one-thread fingerprints`, () => {
        const executor = createParallelEdtExecutor(post(), { minVoxels: 0, chunksPerPass: 7 });
        const previous = setEdtExecutor(executor);
        let seg: ReturnType<typeof segmentBone>;
        try {
          seg = segmentBone(ctOf(c));
        } finally {
          setEdtExecutor(previous);
        }
        expect(executor.stats.boneSlabTasks).toBe(c.slabTasks);
        expect(boneLabelHashes(seg)).toEqual(c.hashes);
        // Labels on shared memory (as the app's engine asks): the final write is a slab task too.
        const again = createParallelEdtExecutor(post(), { minVoxels: 0, chunksPerPass: 7 });
        setEdtExecutor(again);
        try {
          seg = segmentBone(ctOf(c), { shared: true });
        } finally {
          setEdtExecutor(previous);
        }
        expect(again.stats.boneSlabTasks).toBe(c.slabTasks + 1);
        expect(boneLabelHashes(seg)).toEqual(c.hashes);
        expect(Array.from(seg.voxelsPerLabel).reduce((a, b) => a + b, 0)).toBe(seg.labels.voxels.reduce((a, v) => a + (v !== 0 ? 1 : 0), 0));
      });
    }
  }

  describe('with a worker_thread helper', () => {
    let helper: Awaited<ReturnType<typeof startNodeEdtHelper>>;
    beforeAll(async () => {
      helper = await startNodeEdtHelper({ minVoxels: 0, chunksPerPass: 48 });
    });
    afterAll(async () => {
      setEdtExecutor(null);
      await helper?.close();
    });

    it('shares the box, the crop and the dilation and gives the stored fingerprints', () => {
      const c = CASES[0]!;
      const ct = ctOf(c);
      // The helper wakes up on its own schedule: repeat until it has run chunks of segmentBone's
      // slab work (it may run none; the labels must be the same either way).
      const previous = setEdtExecutor(helper.executor);
      let helperChunks = 0;
      try {
        for (let round = 0; round < 20 && helperChunks === 0; round++) {
          const before = helper.executor.stats.boneChunksHelper;
          const seg = segmentBone(ct, { shared: round % 2 === 1 });
          expect(boneLabelHashes(seg)).toEqual(c.hashes);
          helperChunks += helper.executor.stats.boneChunksHelper - before;
        }
      } finally {
        setEdtExecutor(previous);
      }
      expect(helper.executor.stats.boneSlabTasks).toBeGreaterThan(0);
      expect(helperChunks).toBeGreaterThan(0);
    });

    it('runs split searches posted to it (structured clone of the split task): each job the one-thread search, bit for bit', () => {
      // Two 12-voxel cubes joined by a 2 x 2 bar (the bar erodes at 1.5 mm), on shared memory.
      const dims: [number, number, number] = [34, 16, 16];
      const mask = allocVoxels(Uint8Array, dims[0] * dims[1] * dims[2], { shared: true });
      for (let k = 2; k < 14; k++) for (let j = 2; j < 14; j++) for (let i = 2; i < 32; i++) {
        const inCube = i < 14 || i >= 20, inBar = j >= 7 && j < 9 && k >= 7 && k < 9;
        if (inCube || inBar) mask[i + dims[0] * (j + dims[1] * k)] = 1;
      }
      const cc = computeComponentRuns(mask, dims);
      const labels = onShared(writeComponentLabels(cc, dims));
      const depth = allocVoxels(Float32Array, mask.length, { shared: true });
      for (let t = 0; t < mask.length; t++) depth[t] = mask[t] ? EDT_FAR : 0;
      squaredDistanceInPlace(depth, dims, [0.8, 0.8, 1]);
      const comp = { id: 1, voxels: cc.sizes[1]!, ijk: Int32Array.from(cc.boxes.subarray(6, 12)) };
      const radiiMm = [1, 1.5, 2, 3];
      const want = searchSplit(labels, depth, dims, [0.8, 0.8, 1], comp, 100, radiiMm, undefined, undefined, cc)!;
      expect(want.count).toBe(2);
      const boxVoxels = (comp.ijk[3]! - comp.ijk[0]! + 3) * (comp.ijk[4]! - comp.ijk[1]! + 3) * (comp.ijk[5]! - comp.ijk[2]! + 3);
      const previous = setEdtExecutor(helper.executor);
      let helperChunks = 0;
      try {
        for (let round = 0; round < 20 && helperChunks === 0; round++) {
          const jobs = Array.from({ length: 12 }, () => ({
            comp,
            minPieceVoxels: 100,
            radiiMm,
            out: {
              vox: allocVoxels(Int32Array, comp.voxels, { shared: true }),
              rowVox: allocVoxels(Int32Array, (comp.ijk[4]! - comp.ijk[1]! + 3) * (comp.ijk[5]! - comp.ijk[2]! + 3) + 1, { shared: true }),
              owner: allocVoxels(Uint16Array, boxVoxels, { shared: true }),
              result: new Float64Array(new SharedArrayBuffer(7 * 8)),
            },
          }));
          const before = helper.executor.stats.boneChunksHelper;
          const task: SplitTask = { kind: 'split', labels, depth, dims, spacingMm: [0.8, 0.8, 1], runs: shareRuns(cc), ct: { voxels: allocVoxels(Int16Array, 1, { shared: true }), gridDims: [1, 1, 1], boxMin: [0, 0, 0] }, jobs };
          expect(runBoneSlabs(task, jobs.length, 1 << 21, 1)).toBe(true);
          helperChunks += helper.executor.stats.boneChunksHelper - before;
          for (const job of jobs) {
            expect(Array.from(job.out.result)).toEqual([1, want.radiusMm, want.count, 0, 0, 0, 0]);
            expect(job.out.owner).toEqual(want.owner);
            expect(job.out.vox).toEqual(want.vox);
            expect(job.out.rowVox).toEqual(want.rowVox);
          }
        }
      } finally {
        setEdtExecutor(previous);
      }
      expect(helperChunks).toBeGreaterThan(0);
    });

    it('runs the split searches posted to it (structured clone of the split task) and gives the stored fingerprints (both hip joints bridged)', () => {
      const c = CASES.find((q) => q.name === 'synthetic pelvis, both hip joints bridged')!;
      const ct = ctOf(c);
      const previous = setEdtExecutor(helper.executor);
      try {
        for (let round = 0; round < 3; round++) {
          const before = helper.executor.stats.boneSlabTasks;
          const seg = segmentBone(ct, { shared: round % 2 === 1 });
          expect(boneLabelHashes(seg)).toEqual(c.hashes);
          expect(helper.executor.stats.boneSlabTasks - before).toBe(c.slabTasks + (round % 2));
        }
      } finally {
        setEdtExecutor(previous);
      }
    });
  });
});
