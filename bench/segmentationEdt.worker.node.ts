// The distance-transform helper thread for node (worker_threads): bench/segmentation.bench.ts and
// src/core/fields/parallelEdt.test.ts run the parallel EDT with it (the browser's is workers/segmentationEdt.worker.ts);
// it also runs the structure detections posted to it (src/core/segmentation/overlapStructures.ts).
import { parentPort } from 'node:worker_threads';
import { createEdtHelper, type HelperJob } from '../src/core/fields/parallelEdt';
import { isStructuresJob, runStructuresJob, type StructuresJob } from '../src/core/segmentation/overlapStructures';

if (!parentPort) throw new Error('segmentationEdt.worker.node.ts must run as a worker thread');
const run = createEdtHelper();
parentPort.on('message', (job: HelperJob | StructuresJob) => {
  if (isStructuresJob(job)) runStructuresJob(job);
  else run(job);
});
parentPort.postMessage('ready');
