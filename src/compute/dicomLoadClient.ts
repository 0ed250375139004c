/**
 * Main-thread side of DICOM loading: reads the dropped files, hands their
 * bytes to the dicomLoad worker (transferred, not copied), reports progress,
 * and gets the Volume back: in a SharedArrayBuffer when the page is
 * cross-origin isolated (nothing is copied), else transferred (the worker
 * gives its buffer away). Same interface in-process (`useWorker: false`) for
 * tests and as a fallback.
 *
 * Also holds the worker-side API (`createDicomLoadWorkerApi`), so the worker
 * entry stays three lines and the transfer rule lives next to the client that relies on it.
 */
import { type Endpoint, expose, proxy, releaseProxy, type Remote, transfer, wrap } from 'comlink';
import { createDicomLoadEngine, type DicomFileSource, type DicomIndexSummary, type DicomLoadEngine } from '../core/dicom/dicomLoadEngine';
import type { AssembledSeries, DicomFileInput } from '../core/dicom/types';
import { isShared } from '../core/volume/voxelBuffer';
import { createFrameDecoder } from './frameDecoders';

export type LoadProgress = { phase: 'reading' | 'parsing' | 'assembling'; done: number; total: number };

export type DicomLoaderMode = 'worker-shared' | 'worker-transfer' | 'in-process';

export type DicomLoader = {
  readonly mode: DicomLoaderMode;
  /**
   * Reads and indexes files. `File`s are read here; `DicomFileInput` bytes are
   * TRANSFERRED to the worker (the caller's ArrayBuffers become detached) unless in-process.
   */
  index(files: readonly (File | DicomFileInput)[], onProgress?: (progress: LoadProgress) => void): Promise<DicomIndexSummary>;
  /** Builds one series' volume (key or SeriesInstanceUID from the last index). */
  assemble(seriesKey: string, options?: { maxBytes?: number }, onProgress?: (progress: LoadProgress) => void): Promise<AssembledSeries>;
  /** Drops the parsed files held by the loader (call once the chosen volume is open and no other series is wanted). */
  clear(): Promise<void>;
  dispose(): void;
};

export type CreateDicomLoaderOptions = {
  /** Default true; false runs the engine on this thread. */
  useWorker?: boolean;
  /** Default: globalThis.crossOriginIsolated. */
  shared?: boolean;
  /**
   * Default false. True: Files are read header-first in the worker and their pixels straight into the
   * volume at assembly, so the file bytes are never all held at once (peak memory ~1x the volume instead
   * of ~2x). Slower in Chromium (twice as many reads; each read is an IPC round trip): 512 x 512 x 400
   * took 1.1-1.5 s against 0.7-0.95 s for whole-file reads. Use it for series too large to hold twice.
   */
  streaming?: boolean;
  /** For tests: provide the worker endpoint instead of spawning workers/dicomLoad.worker.ts. */
  spawn?: () => { endpoint: Endpoint; terminate(): void };
};

/** What the worker exposes: the engine without its function-taking `indexSources`, plus `indexFiles` for File handles. */
export type DicomLoadWorkerApi = Omit<DicomLoadEngine, 'indexSources'> & {
  /** Streaming index of browser Files (posted as handles, read in the worker: headers first, pixels at assembly). */
  indexFiles(files: Blob[], names: string[], onProgress?: (done: number, total: number) => void | Promise<void>): Promise<DicomIndexSummary>;
};

/** A Blob as a range-readable source for the engine. */
export function blobSource(blob: Blob, name: string): DicomFileSource {
  return { name, size: blob.size, read: (start, end) => blob.slice(start, end).arrayBuffer() };
}

/** The object workers/dicomLoad.worker.ts exposes: the engine, with volumes transferred out when not shared. */
export function createDicomLoadWorkerApi(): DicomLoadWorkerApi {
  const engine = createDicomLoadEngine({ decoder: createFrameDecoder() });
  return {
    index: (files, onProgress) => engine.index(files, onProgress),
    indexFiles: (files, names, onProgress) => engine.indexSources(files.map((f, n) => blobSource(f, names[n] ?? `file ${n + 1}`)), onProgress),
    async assemble(seriesKey, options, onProgress) {
      const result = await engine.assemble(seriesKey, options, onProgress);
      // Never put a SharedArrayBuffer in a transfer list; an ArrayBuffer is given away (the worker keeps no reference).
      return isShared(result.volume.voxels) ? result : transfer(result, [result.volume.voxels.buffer as ArrayBuffer]);
    },
    clear: () => engine.clear(),
  };
}

/** Serves `api` on `endpoint` (used by the worker entry; tests use it with a MessageChannel). */
export function serveDicomLoadApi(api: DicomLoadWorkerApi, endpoint?: Endpoint): void {
  if (endpoint) expose(api, endpoint);
  else expose(api);
}

function isFile(value: File | DicomFileInput): value is File {
  // Not "has no bytes": Blob.prototype.bytes() exists in current browsers (Chrome 132+) and node.
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function fileName(f: File): string {
  return (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name;
}

/** Reads Files with a few reads in flight (browser file I/O is async; one at a time leaves it idle), keeping order. */
async function readFiles(files: readonly (File | DicomFileInput)[], onProgress?: (p: LoadProgress) => void): Promise<DicomFileInput[]> {
  const out = new Array<DicomFileInput>(files.length);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const n = next++;
      const f = files[n]!;
      out[n] = isFile(f) ? { name: fileName(f), bytes: await f.arrayBuffer() } : f;
      onProgress?.({ phase: 'reading', done: ++done, total: files.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, files.length) }, worker));
  return out;
}

export function createDicomLoader(options: CreateDicomLoaderOptions = {}): DicomLoader {
  const shared = options.shared ?? (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (options.useWorker === false || (!options.spawn && typeof Worker === 'undefined')) {
    const engine = createDicomLoadEngine({ decoder: createFrameDecoder() });
    return {
      mode: 'in-process',
      async index(files, onProgress) {
        const progress = onProgress ? (done: number, total: number) => onProgress({ phase: 'parsing', done, total }) : undefined;
        if (options.streaming && files.length > 0 && files.every(isFile)) {
          // Streaming: headers now, pixels straight into the volume at assembly.
          return engine.indexSources((files as File[]).map((f) => blobSource(f, fileName(f))), progress);
        }
        const inputs = await readFiles(files, onProgress);
        return engine.index(inputs, progress);
      },
      assemble: (key, o = {}, onProgress) =>
        engine.assemble(key, { shared, ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}) }, onProgress ? (done, total) => onProgress({ phase: 'assembling', done, total }) : undefined),
      clear: async () => engine.clear(),
      dispose: () => engine.clear(),
    };
  }
  const spawned = options.spawn
    ? options.spawn()
    : (() => {
        const worker = new Worker(new URL('../../workers/dicomLoad.worker.ts', import.meta.url), { type: 'module', name: 'dicomLoad' });
        return { endpoint: worker as Endpoint, terminate: () => worker.terminate() };
      })();
  const remote: Remote<DicomLoadWorkerApi> = wrap<DicomLoadWorkerApi>(spawned.endpoint);
  return {
    mode: shared ? 'worker-shared' : 'worker-transfer',
    async index(files, onProgress) {
      const progress = onProgress ? proxy((done: number, total: number) => onProgress({ phase: 'parsing', done, total })) : undefined;
      if (options.streaming && files.length > 0 && files.every(isFile)) {
        // File handles are cloned cheaply; the worker reads them (headers now, pixels at assembly).
        const list = files as File[];
        return remote.indexFiles(list, list.map(fileName), progress);
      }
      const inputs = await readFiles(files, onProgress);
      const buffers = [...new Set(inputs.map((f) => f.bytes))];
      return remote.index(transfer(inputs, buffers), progress);
    },
    async assemble(key, o = {}, onProgress) {
      const progress = onProgress ? proxy((done: number, total: number) => onProgress({ phase: 'assembling', done, total })) : undefined;
      return (await remote.assemble(key, { shared, ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}) }, progress)) as AssembledSeries;
    },
    clear: () => remote.clear(),
    dispose: () => {
      remote[releaseProxy]();
      spawned.terminate();
    },
  };
}
