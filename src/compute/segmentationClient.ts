/**
 * Main-thread side of the segmentation worker (workers/segmentation.worker.ts):
 * spawn it, wrap it with comlink, and hand it the CT once.
 *
 * - 'shared' (cross-origin isolated): the CT's voxels should already live on a
 *   SharedArrayBuffer; posting the volume shares it, and the engine allocates the
 *   labels and fields on SharedArrayBuffers too, so results come back as views.
 * - 'transfer': one worker; the CT is COPIED once and the copy transferred (the
 *   viewer keeps its own), label volumes come back by structured clone.
 * `createInProcessSegmentation()` gives the same interface without a worker
 * (tests, and the fallback when workers are unavailable).
 *
 * Two cores (shared mode only): a second, helper worker
 * (workers/segmentationEdt.worker.ts) takes chunks of every large distance
 * transform's passes (src/core/fields/parallelEdt.ts), reached from the
 * segmentation worker through a MessageChannel; the engine's API is unchanged.
 * Without shared memory, or when the helper does not start, the segmentation
 * worker runs every chunk itself (same results, bit for bit).
 * The same helper also detects the critical structures while the segmentation
 * worker builds the bone-depth field (src/core/segmentation/overlapStructures.ts):
 * the two are independent given the labels, so they run at the same time.
 */
import { type Endpoint, expose, type Remote, transfer, wrap } from 'comlink';
import type { LabelsState, SegmentationEngine } from '../core/segmentation/segmentationEngine';
import { createSegmentationEngine } from '../core/segmentation/segmentationEngine';
import type { Volume } from '../core/volume/Volume';
import type { VoxelArray } from '../core/volume/voxelBuffer';
import { isShared } from '../core/volume/voxelBuffer';
import { PlannerError } from '../core/shared/errors';
import { fieldSetBuffers } from './plannerClient';
import { setEdtExecutor } from '../core/fields/distanceTransform';
import { createParallelEdtExecutor, type HelperJob, type ParallelEdtOptions } from '../core/fields/parallelEdt';
import type { StructuresJob, StructuresSideThread } from '../core/segmentation/overlapStructures';

export type SegmentationRemote = Remote<SegmentationEngine>;

/** Serves `engine` on `endpoint` (default: the worker's global scope). */
export function serveSegmentationEngine(engine: SegmentationEngine, endpoint?: Endpoint): void {
  if (endpoint) expose(engine, endpoint);
  else expose(engine);
}

/**
 * What the segmentation worker serves: the engine (handing answers over in transfer
 * mode) plus `attachEdtHelper`, which routes this thread's distance transforms
 * through a helper thread reached on `port` (shared memory only; a no-op without)
 * and, when the engine was created with `sideThread`, its structure detections too.
 */
export type SegmentationWorkerApi = SegmentationEngine & {
  attachEdtHelper(port: { postMessage(job: HelperJob | StructuresJob): void }, options?: ParallelEdtOptions): boolean;
};

/** `sideThread`: the slot the engine was created with (createSegmentationEngine's option), filled by attachEdtHelper. */
export function segmentationWorkerApi(engine: SegmentationEngine, shared: boolean, sideThread?: StructuresSideThread): SegmentationWorkerApi {
  return {
    ...(shared ? engine : transferringSegmentationEngine(engine)),
    attachEdtHelper(port, options) {
      if (!shared || typeof SharedArrayBuffer === 'undefined') return false;
      setEdtExecutor(createParallelEdtExecutor((job) => port.postMessage(job), options));
      if (sideThread) sideThread.post = (job) => port.postMessage(job);
      return true;
    },
  };
}

export type SegmentationClient = {
  engine: SegmentationRemote;
  /** Sends the CT: shares a SAB-backed volume, else transfers a copy. */
  loadVolume(ct: Volume<VoxelArray>): Promise<void>;
  /** Rejects when the worker fails outside a call (its script did not load, out of memory); calls in flight would never answer. */
  failed?: Promise<never>;
  dispose(): void;
};

/** Spawns the segmentation worker. `shared` comes from compute/isolation.ts. */
export function spawnSegmentation(options: { shared: boolean }): SegmentationClient {
  const worker = new Worker(new URL('../../workers/segmentation.worker.ts', import.meta.url), { type: 'module', name: 'segmentation' });
  const engine = wrap<SegmentationEngine>(worker);
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => {
      reject(new PlannerError('worker/cancelled', `the segmentation worker stopped (${event.message || 'script error or out of memory'})`));
    });
  });
  failed.catch(() => undefined);
  const helper = options.shared ? spawnEdtHelper(worker) : null;
  return {
    engine,
    failed,
    loadVolume: (ct) => engine.loadVolume(options.shared && isShared(ct.voxels) ? ct : volumeForTransfer(ct)),
    dispose: () => {
      worker.terminate();
      helper?.terminate();
    },
  };
}

/**
 * The segmentation worker's helper thread for the distance transforms (shared mode):
 * one MessageChannel end to each. Best effort: if the helper fails to start, the
 * segmentation worker simply runs every chunk itself.
 */
function spawnEdtHelper(segmentationWorker: Worker): Worker | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  try {
    const helper = new Worker(new URL('../../workers/segmentationEdt.worker.ts', import.meta.url), { type: 'module', name: 'segmentation-edt' });
    const channel = new MessageChannel();
    helper.postMessage({ port: channel.port2 }, [channel.port2]);
    const remote = wrap<SegmentationWorkerApi>(segmentationWorker);
    void remote.attachEdtHelper(transfer(channel.port1, [channel.port1])).catch(() => undefined);
    return helper;
  } catch {
    return null;
  }
}

/**
 * What the worker serves in transfer mode (no shared memory): the same engine,
 * but every answer is handed over instead of being structured-cloned on the
 * way out, so the main thread never copies tens of megabytes:
 * - label states: the worker copies its label volume and transfers the copy
 *   (the engine keeps its own for the edit history);
 * - field sets: transferred outright (the engine does not keep them).
 * With shared memory the engine's buffers are SharedArrayBuffers: serve the
 * engine itself.
 */
export function transferringSegmentationEngine(engine: SegmentationEngine): SegmentationEngine {
  const handOver = <S extends LabelsState>(state: S): S => {
    const voxels = state.labels.voxels.slice();
    return transfer({ ...state, labels: { ...state.labels, voxels } }, [voxels.buffer as ArrayBuffer]);
  };
  return {
    ...engine,
    segmentBone: () => handOver(engine.segmentBone()),
    setLabels: (labels) => handOver(engine.setLabels(labels)),
    growLesion: (options) => handOver(engine.growLesion(options)),
    paintLesion: (centerLps, radiusMm, mode) => handOver(engine.paintLesion(centerLps, radiusMm, mode)),
    paintBone: (centerLps, radiusMm, mode) => handOver(engine.paintBone(centerLps, radiusMm, mode)),
    undo: () => {
      const s = engine.undo();
      return s && handOver(s);
    },
    redo: () => {
      const s = engine.redo();
      return s && handOver(s);
    },
    getLabels: () => handOver(engine.getLabels()),
    buildFields: (options) => {
      const fields = engine.buildFields(options);
      return transfer(fields, fieldSetBuffers(fields));
    },
  };
}

/** A transferable copy of a volume (the caller keeps its own buffer). */
export function volumeForTransfer<T extends VoxelArray>(ct: Volume<T>): Volume<T> {
  const copy = ct.voxels.slice() as T;
  return transfer({ ...ct, voxels: copy }, [copy.buffer as ArrayBuffer]);
}

/** The same engine in this thread, behind the same promise-returning interface. */
export function createInProcessSegmentation(options: { shared?: boolean } = {}): { engine: SegmentationEngine; loadVolume(ct: Volume<VoxelArray>): Promise<void>; dispose(): void } {
  const engine = createSegmentationEngine(options);
  return { engine, loadVolume: async (ct) => engine.loadVolume(ct), dispose: () => undefined };
}
