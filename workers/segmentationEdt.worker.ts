// Helper thread of the segmentation worker: runs its share of every large distance transform's passes
// (src/core/fields/parallelEdt.ts) and the critical-structure detections posted to it while the
// segmentation worker builds the bone depth (src/core/segmentation/overlapStructures.ts).
// spawnSegmentation starts it only with shared memory and hands one end of a MessageChannel to it
// and the other to the segmentation worker, which posts the jobs.
import { createEdtHelper, isBoneSlabJob, type HelperJob } from '../src/core/fields/parallelEdt';
import { isStructuresJob, runStructuresJob, type StructuresJob } from '../src/core/segmentation/overlapStructures';
import { edtWasmStats } from '../src/core/fields/edtWasm';

const run = createEdtHelper();
// Chunks and structure jobs this helper ran, readable from a debugger or Playwright's worker.evaluate (diagnostics only).
// structuresJobs: detections run here; structuresJobsReceived: posted to it (the worker runs those this helper did not take).
// boneSlabJobs / boneSlabChunks: segmentBone's slab work posted to it (segmentBoneSlabs.ts) and its chunks run here (also in edtHelperChunks).
const counters = globalThis as { edtHelperChunks?: number; edtHelperJobs?: number; structuresJobs?: number; structuresJobsReceived?: number; boneSlabJobs?: number; boneSlabChunks?: number };
counters.edtHelperChunks = 0;
counters.edtHelperJobs = 0;
counters.structuresJobs = 0;
counters.structuresJobsReceived = 0;
counters.boneSlabJobs = 0;
counters.boneSlabChunks = 0;
globalThis.addEventListener('message', (event: MessageEvent<{ port: MessagePort }>) => {
  const port = event.data.port;
  port.onmessage = (job: MessageEvent<HelperJob | StructuresJob>) => {
    const data = job.data;
    if (isStructuresJob(data)) {
      counters.structuresJobsReceived!++;
      if (runStructuresJob(data)) counters.structuresJobs!++;
      return;
    }
    counters.edtHelperJobs!++;
    const chunks = run(data);
    counters.edtHelperChunks! += chunks;
    if (isBoneSlabJob(data)) {
      counters.boneSlabJobs!++;
      counters.boneSlabChunks! += chunks;
    }
    // The WebAssembly EDT envelope here (src/core/fields/edtWasm.ts): 'ready' and the planes it ran, or 'unavailable'.
    const wasm = edtWasmStats();
    (counters as { edtWasm?: string }).edtWasm = `${wasm.state} ${wasm.planes}`;
  };
});
