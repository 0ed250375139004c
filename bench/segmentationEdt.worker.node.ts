// The distance-transform helper thread for node (worker_threads): bench/segmentation.bench.ts and
// src/core/fields/parallelEdt.test.ts run the parallel EDT with it (the browser's is workers/segmentationEdt.worker.ts).
import { parentPort } from 'node:worker_threads';
import { createEdtHelper, type EdtJob } from '../src/core/fields/parallelEdt';

if (!parentPort) throw new Error('segmentationEdt.worker.node.ts must run as a worker thread');
const run = createEdtHelper();
parentPort.on('message', (job: EdtJob) => {
  run(job);
});
parentPort.postMessage('ready');
