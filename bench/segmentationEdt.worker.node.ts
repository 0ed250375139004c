// The distance-transform helper thread for node (worker_threads): bench/segmentation.bench.ts and
// src/core/fields/parallelEdt.test.ts run the parallel EDT with it (the browser's is workers/segmentationEdt.worker.ts);
// it also runs the structure detections posted to it (src/core/segmentation/overlapStructures.ts).
import { readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { createEdtHelper, type HelperJob } from '../src/core/fields/parallelEdt';
import { isStructuresJob, runStructuresJob, type StructuresJob } from '../src/core/segmentation/overlapStructures';

if (!parentPort) throw new Error('segmentationEdt.worker.node.ts must run as a worker thread');
const run = createEdtHelper();
parentPort.on('message', (job: HelperJob | StructuresJob) => {
  if (isStructuresJob(job)) runStructuresJob(job);
  else run(job);
});

/** This thread's Linux task id (from /proc/thread-self -> /proc/<pid>/task/<tid>), null elsewhere: the bench reads its CPU from /proc. */
function linuxTid(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}
// The first message says the helper is ready (any message does: the tests only wait for one).
parentPort.postMessage({ ready: true, tid: linuxTid() });
