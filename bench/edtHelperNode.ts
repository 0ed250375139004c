import { Worker } from 'node:worker_threads';
import { setEdtExecutor, type EdtExecutor } from '../src/core/fields/distanceTransform';
import { createParallelEdtExecutor, type ParallelEdtOptions, type ParallelEdtStats } from '../src/core/fields/parallelEdt';
import type { StructuresJob } from '../src/core/segmentation/overlapStructures';

/**
 * Starts the node EDT helper thread (bench/segmentationEdt.worker.node.mjs) and returns a
 * parallel EDT executor posting to it; resolves once the helper has loaded, so the first
 * transform is really shared. `post` hands it a structure detection (overlapStructures.ts).
 * `tid`: the helper's Linux task id (its CPU time is in /proc/self/task/<tid>), null elsewhere.
 * `close()` uninstalls nothing: pair it with setEdtExecutor.
 */
export async function startNodeEdtHelper(options: ParallelEdtOptions = {}): Promise<{ executor: EdtExecutor & { stats: ParallelEdtStats }; post(job: StructuresJob): void; tid: number | null; close(): Promise<void> }> {
  const worker = new Worker(new URL('./segmentationEdt.worker.node.mjs', import.meta.url));
  const ready = await new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const tid = typeof ready === 'object' && ready !== null && typeof (ready as { tid?: unknown }).tid === 'number' ? (ready as { tid: number }).tid : null;
  const executor = createParallelEdtExecutor((job) => worker.postMessage(job), options);
  return { executor, post: (job) => worker.postMessage(job), tid, close: async () => void (await worker.terminate()) };
}

/** Runs `fn` with `executor` installed, then restores the previous one. */
export function withEdtExecutor<T>(executor: EdtExecutor | null, fn: () => T): T {
  const previous = setEdtExecutor(executor);
  try {
    return fn();
  } finally {
    setEdtExecutor(previous);
  }
}
