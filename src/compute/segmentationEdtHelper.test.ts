/**
 * The segmentation worker's API with and without its distance-transform helper
 * thread (shared mode, `attachEdtHelper`): bone labels, critical structures and
 * every field of the field set are the same, bit for bit and deep-equal, on the
 * sacralAla phantom, also when the helper detects the structures while the worker
 * builds the bone depth (overlapStructures.ts); without shared memory the helper is
 * refused (one thread).
 * The helper is a real worker_thread (bench/segmentationEdt.worker.node.mjs).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { generatePhantom } from '../../sample-dicom/generatePhantom';
import { hasEdtExecutor, setEdtExecutor } from '../core/fields/distanceTransform';
import { isSlabJob, type HelperJob } from '../core/fields/parallelEdt';
import type { StructuresJob, StructuresSideThread } from '../core/segmentation/overlapStructures';
import type { FieldSet } from '../core/fields/FieldSet';
import { createSegmentationEngine } from '../core/segmentation/segmentationEngine';
import { segmentationWorkerApi } from './segmentationClient';

/** Index of the first difference of two typed arrays (-1: none; -2: lengths differ). */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return -2;
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return t;
  return -1;
}

function fieldBits(f: FieldSet): Record<string, Uint32Array> {
  const out: Record<string, Uint32Array> = {};
  const add = (name: string, v: Float32Array) => (out[name] = new Uint32Array(v.buffer, v.byteOffset, v.length).slice());
  add('boneDepth', f.boneDepth.voxels);
  if (f.lesion) add('lesion', f.lesion.voxels);
  for (const [id, s] of Object.entries(f.structures)) if (s) add(id, s.voxels);
  return out;
}

describe('segmentation worker API with the EDT helper thread', () => {
  const workers: Worker[] = [];
  afterAll(async () => {
    setEdtExecutor(null);
    await Promise.all(workers.map((w) => w.terminate()));
  });

  it('refuses the helper without shared memory (transfer mode stays one thread)', () => {
    const api = segmentationWorkerApi(createSegmentationEngine(), false);
    expect(api.attachEdtHelper({ postMessage: () => undefined })).toBe(false);
    expect(hasEdtExecutor()).toBe(false);
  });

  it('sacralAla (small): the same labels, structures and fields with the helper as in one thread', async () => {
    const ph = generatePhantom({ caseId: 'sacralAla', size: 'small' });
    const run = (api: ReturnType<typeof segmentationWorkerApi>) => {
      api.loadVolume(ph.ct);
      const seg = api.segmentBone();
      const structures = api.detectStructures();
      const fields = api.buildFields();
      return { labels: seg.labels.voxels.slice(), parts: seg.parts, structures, fields: fieldBits(fields) };
    };
    const single = run(segmentationWorkerApi(createSegmentationEngine({ shared: true }), true));

    const helper = new Worker(new URL('../../bench/segmentationEdt.worker.node.mjs', import.meta.url));
    workers.push(helper);
    await new Promise((resolve, reject) => {
      helper.once('message', resolve);
      helper.once('error', reject);
    });
    let posted = 0, structureJobs = 0, slabJobs = 0;
    const sideThread: StructuresSideThread = { post: null };
    const api = segmentationWorkerApi(createSegmentationEngine({ shared: true, sideThread }), true, sideThread);
    const port = {
      postMessage: (job: HelperJob | StructuresJob) => {
        if (isSlabJob(job)) slabJobs++;
        else if ('kind' in job) structureJobs++;
        else posted++;
        helper.postMessage(job);
      },
    };
    expect(api.attachEdtHelper(port, { minVoxels: 1 << 16 })).toBe(true);
    expect(sideThread.post).not.toBeNull();
    let withHelper: ReturnType<typeof run>;
    try {
      withHelper = run(api);
    } finally {
      setEdtExecutor(null);
    }
    // The passes of every large transform went through the helper's port (at least the j and k
    // passes of the bone depth's two transforms: computeDistanceField does the first pass itself
    // while seeding), and the structure detection.
    expect(posted).toBeGreaterThanOrEqual(4);
    expect(structureJobs).toBe(1);
    // The signed output of the bone depth and the structure fields were offered to the helper too.
    expect(slabJobs).toBeGreaterThanOrEqual(2);
    expect(firstDifference(withHelper.labels, single.labels)).toBe(-1);
    expect(withHelper.parts).toEqual(single.parts);
    expect(withHelper.structures).toEqual(single.structures);
    expect(Object.keys(withHelper.fields).sort()).toEqual(Object.keys(single.fields).sort());
    for (const name of Object.keys(single.fields)) expect(firstDifference(withHelper.fields[name]!, single.fields[name]!), name).toBe(-1);
  });
});
