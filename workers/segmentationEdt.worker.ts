// Helper thread of the segmentation worker: runs its share of every large distance transform's passes
// (src/core/fields/parallelEdt.ts). spawnSegmentation starts it only with shared memory and hands one
// end of a MessageChannel to it and the other to the segmentation worker, which posts the jobs.
import { createEdtHelper, type EdtJob } from '../src/core/fields/parallelEdt';

const run = createEdtHelper();
// Chunks this helper ran, readable from a debugger or Playwright's worker.evaluate (diagnostics only).
const counters = globalThis as { edtHelperChunks?: number; edtHelperJobs?: number };
counters.edtHelperChunks = 0;
counters.edtHelperJobs = 0;
globalThis.addEventListener('message', (event: MessageEvent<{ port: MessagePort }>) => {
  const port = event.data.port;
  port.onmessage = (job: MessageEvent<EdtJob>) => {
    counters.edtHelperJobs!++;
    counters.edtHelperChunks! += run(job.data);
  };
});
