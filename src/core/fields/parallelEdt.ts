import { PlannerError } from '../shared/errors';
import type { EdtExecutor, EdtScratch, SlabTask } from './distanceTransform';
import { createEdtScratch, edtPassSlab, edtSlabCount, runSlabTask } from './distanceTransform';
import type { BoneSlabTask } from '../segmentation/segmentBoneSlabs';
import { runBoneSlabTask } from '../segmentation/segmentBoneSlabs';

/**
 * The squared EDT's passes split across this thread and a helper thread over
 * shared memory (issue #4: bone segmentation + fields in workers, on both cores).
 *
 * Each pass's slabs (distanceTransform.ts `edtPassSlab`: the lines of a pass are
 * independent) are cut into chunks; a chunk counter on a small SharedArrayBuffer
 * hands them out. The calling thread posts the job to the helper and then claims
 * chunks itself until none is left, so a helper that is busy, slow or never
 * started only means this thread does more of them: nothing waits on the helper
 * except the chunks it has actually claimed (the pass ends when the done count
 * reaches the chunk count). Each job has its own counter, so a helper that picks
 * up a job late finds it finished and claims nothing. The output is bit-identical
 * to one thread: every line is transformed by exactly one thread, by the same code.
 *
 * Synchronous for the caller (Atomics.wait: a worker or node, never a page's main
 * thread), so every existing caller of the EDT (segmentBone, morphology, sacrum,
 * joints, fields, growLesion) gets it without a change.
 */

/** One pass of one transform, as posted to the helper (structured-cloneable: the arrays share memory). */
export type EdtJob = {
  /** [next chunk to claim, chunks done]. */
  ctrl: Int32Array;
  sq: Float32Array;
  dims: [number, number, number];
  spacingMm: [number, number, number];
  pass: 0 | 1 | 2;
  /** Slabs per chunk, and the pass's slab count. */
  chunkSlabs: number;
  slabs: number;
};

/**
 * Slabs of other work than a pass (distanceTransform.ts {@link SlabTask}: the signed output,
 * the structure fields), handed out by the same chunk protocol as a pass's.
 */
export type SlabJob = {
  kind: 'slabs';
  /** [next chunk to claim, chunks done]. */
  ctrl: Int32Array;
  task: SlabTask;
  chunkSlabs: number;
  slabs: number;
};

/**
 * Slabs of segmentBone's work (segmentation/segmentBoneSlabs.ts {@link BoneSlabTask}: the
 * threshold box and crop, the one-voxel dilation), handed out by the same chunk protocol.
 */
export type BoneSlabJob = {
  kind: 'boneSlabs';
  /** [next chunk to claim, chunks done]. */
  ctrl: Int32Array;
  task: BoneSlabTask;
  chunkSlabs: number;
  slabs: number;
};

/** What the helper receives from an executor. */
export type HelperJob = EdtJob | SlabJob | BoneSlabJob;

export function isSlabJob(job: unknown): job is SlabJob {
  return typeof job === 'object' && job !== null && (job as { kind?: unknown }).kind === 'slabs';
}

export function isBoneSlabJob(job: unknown): job is BoneSlabJob {
  return typeof job === 'object' && job !== null && (job as { kind?: unknown }).kind === 'boneSlabs';
}

const NEXT = 0;
const DONE = 1;

function chunkCount(job: { slabs: number; chunkSlabs: number }): number {
  return Math.ceil(job.slabs / job.chunkSlabs);
}

/** Per-thread scratch of the 1D transforms, grown to the longest line seen. */
export type EdtWorkspace = { sc: EdtScratch; longest: number };

export function createEdtWorkspace(): EdtWorkspace {
  return { sc: createEdtScratch(1), longest: 1 };
}

function ensure(ws: EdtWorkspace, dims: readonly [number, number, number]): void {
  const longest = Math.max(dims[0], dims[1], dims[2]);
  if (longest <= ws.longest) return;
  ws.sc = createEdtScratch(longest);
  ws.longest = longest;
}

/**
 * The claim loop every job kind shares: takes the next chunk number from the job's counter
 * until none is left (or `maxChunks` ran), runs its slabs, counts it done and wakes a waiter.
 * Returns how many chunks this thread ran.
 */
function claimChunks(job: { ctrl: Int32Array; slabs: number; chunkSlabs: number }, maxChunks: number, run: (s0: number, s1: number) => void): number {
  const chunks = chunkCount(job);
  let ran = 0;
  while (ran < maxChunks) {
    const c = Atomics.add(job.ctrl, NEXT, 1);
    if (c >= chunks) break;
    const s0 = c * job.chunkSlabs;
    run(s0, Math.min(job.slabs, s0 + job.chunkSlabs));
    ran++;
    Atomics.add(job.ctrl, DONE, 1);
    Atomics.notify(job.ctrl, DONE);
  }
  return ran;
}

/** Claims and runs chunks of `job` until none is left (or `maxChunks` ran); returns how many this thread ran. */
export function runEdtChunks(job: EdtJob, ws: EdtWorkspace, maxChunks = Infinity): number {
  ensure(ws, job.dims);
  return claimChunks(job, maxChunks, (s0, s1) => edtPassSlab(job.sq, job.dims, job.spacingMm, job.pass, s0, s1, ws.sc));
}

/** Claims and runs chunks of a {@link SlabJob} until none is left; returns how many this thread ran. */
export function runSlabChunks(job: SlabJob, maxChunks = Infinity): number {
  return claimChunks(job, maxChunks, (s0, s1) => runSlabTask(job.task, s0, s1));
}

/** Claims and runs chunks of a {@link BoneSlabJob} until none is left (or `maxChunks` ran); returns how many this thread ran. */
export function runBoneSlabChunks(job: BoneSlabJob, maxChunks = Infinity): number {
  return claimChunks(job, maxChunks, (s0, s1) => runBoneSlabTask(job.task, s0, s1));
}

/** Claims and runs up to `maxChunks` chunks of any helper job (a pass's, other slabs, segmentBone's slabs); returns how many ran. */
export function runHelperJob(job: HelperJob, ws: EdtWorkspace, maxChunks = Infinity): number {
  if (isSlabJob(job)) return runSlabChunks(job, maxChunks);
  if (isBoneSlabJob(job)) return runBoneSlabChunks(job, maxChunks);
  return runEdtChunks(job, ws, maxChunks);
}

/** The helper thread's side: call with every job message it receives (a pass's or other slabs). */
export function createEdtHelper(): (job: HelperJob) => number {
  const ws = createEdtWorkspace();
  return (job) => runHelperJob(job, ws);
}

export type ParallelEdtOptions = {
  /** Grids below this many voxels run in one thread (a post costs more than they do). Default 2^20. */
  minVoxels?: number;
  /** Target number of chunks per pass. Default 64. */
  chunksPerPass?: number;
  /**
   * How long to wait for a chunk the helper claimed without any progress before
   * giving up with an error (the helper thread died). Default 120 s.
   */
  stallMs?: number;
};

/** Counters of an executor (for tests and the bench): chunks run here and by the helper. `boneSlabTasks`: segmentBone's slab tasks taken, `boneChunksHelper`: their chunks the helper ran (also in chunksHelper). */
export type ParallelEdtStats = { transforms: number; chunksHere: number; chunksHelper: number; slabTasks: number; boneSlabTasks: number; boneChunksHelper: number };

/**
 * An {@link EdtExecutor} that shares every large transform's passes with a helper
 * reached through `post` (e.g. a MessagePort's postMessage). Grids not on shared
 * memory are copied onto a SharedArrayBuffer for the transform and back.
 */
export function createParallelEdtExecutor(post: (job: HelperJob) => void, options: ParallelEdtOptions = {}): EdtExecutor & { stats: ParallelEdtStats; forBoneSlabs(task: BoneSlabTask, slabs: number, voxels: number, chunkSlabs?: number): boolean } {
  const minVoxels = options.minVoxels ?? 1 << 20;
  const chunksPerPass = options.chunksPerPass ?? 64;
  const stallMs = options.stallMs ?? 120_000;
  const ws = createEdtWorkspace();
  const stats: ParallelEdtStats = { transforms: 0, chunksHere: 0, chunksHelper: 0, slabTasks: 0, boneSlabTasks: 0, boneChunksHelper: 0 };
  // The helper's claimed chunks: wait for them (no wait at all when it claimed none).
  const waitDone = (ctrl: Int32Array, chunks: number): void => {
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= chunks) break;
      if (Atomics.wait(ctrl, DONE, done, stallMs) === 'timed-out' && Atomics.load(ctrl, DONE) === done) {
        throw new PlannerError('worker/cancelled', `the distance-transform helper thread made no progress for ${Math.round(stallMs / 1000)} s (it may have run out of memory): reload the page to restart the segmentation`);
      }
    }
  };
  return {
    stats,
    forSlabs(task, slabs, voxels) {
      if (voxels < minVoxels || slabs < 2 || typeof SharedArrayBuffer === 'undefined') return false;
      // One slab per chunk for a few large slabs (structure fields), else about chunksPerPass chunks.
      const chunkSlabs = Math.max(1, Math.ceil(slabs / chunksPerPass));
      const job: SlabJob = { kind: 'slabs', ctrl: new Int32Array(new SharedArrayBuffer(8)), task, chunkSlabs, slabs };
      const chunks = chunkCount(job);
      stats.slabTasks++;
      post(job);
      const here = runSlabChunks(job);
      stats.chunksHere += here;
      stats.chunksHelper += chunks - here;
      waitDone(job.ctrl, chunks);
      return true;
    },
    /**
     * Runs slabs [0, slabs) of segmentBone's `task` here and on the helper (every array of the task
     * on shared memory: the caller checks); false when `voxels` (the work's size) is below the
     * threshold. `chunkSlabs`: slabs per chunk (default about chunksPerPass chunks).
     */
    forBoneSlabs(task, slabs, voxels, chunkSlabs) {
      if (voxels < minVoxels || slabs < 2 || typeof SharedArrayBuffer === 'undefined') return false;
      const job: BoneSlabJob = { kind: 'boneSlabs', ctrl: new Int32Array(new SharedArrayBuffer(8)), task, chunkSlabs: Math.max(1, chunkSlabs ?? Math.ceil(slabs / chunksPerPass)), slabs };
      const chunks = chunkCount(job);
      stats.boneSlabTasks++;
      post(job);
      const here = runBoneSlabChunks(job);
      stats.chunksHere += here;
      stats.chunksHelper += chunks - here;
      stats.boneChunksHelper += chunks - here;
      waitDone(job.ctrl, chunks);
      return true;
    },
    run(sq, dims, spacingMm, firstPass = 0) {
      const n = dims[0] * dims[1] * dims[2];
      if (n < minVoxels || typeof SharedArrayBuffer === 'undefined') return false;
      const onShared = sq.buffer instanceof SharedArrayBuffer;
      const grid = onShared ? sq : new Float32Array(new SharedArrayBuffer(n * 4));
      if (!onShared) grid.set(sq);
      stats.transforms++;
      for (const pass of [0, 1, 2] as const) {
        if (pass < firstPass) continue;
        const slabs = edtSlabCount(pass, dims);
        const job: EdtJob = {
          ctrl: new Int32Array(new SharedArrayBuffer(8)),
          sq: grid,
          dims: [dims[0], dims[1], dims[2]],
          spacingMm: [spacingMm[0], spacingMm[1], spacingMm[2]],
          pass,
          chunkSlabs: Math.max(1, Math.ceil(slabs / chunksPerPass)),
          slabs,
        };
        const chunks = chunkCount(job);
        post(job);
        const here = runEdtChunks(job, ws);
        stats.chunksHere += here;
        stats.chunksHelper += chunks - here;
        waitDone(job.ctrl, chunks);
      }
      if (!onShared) sq.set(grid);
      return true;
    },
  };
}
