import { PlannerError } from '../shared/errors';
import { assembleSeries } from './assembleSeries';
import { indexDicomFiles, indexParsedInstances } from './indexDicomFiles';
import { NATIVE_TRANSFER_SYNTAXES, parseInstance, type ParseResult } from './parseInstance';
import type { AssembledSeries, DicomFileInput, DicomIndex, DicomInstance, FrameDecoder, LoadIssue, SeriesSummary } from './types';

/**
 * A file that can be read in ranges (a browser File/Blob in the worker, a file
 * in node): lets the engine read headers first and each file's pixels straight
 * into the volume during assembly, instead of holding every file's bytes.
 */
export type DicomFileSource = {
  name: string;
  size: number;
  /** Bytes [start, end) of the file. */
  read(start: number, end: number): Promise<ArrayBuffer>;
};

/** Header bytes read first; a header longer than this (big private tags) falls back to a full read. */
const HEADER_CHUNK_BYTES = 64 * 1024;
const READS_IN_FLIGHT = 8;

/** What the UI gets back from indexing: plain data, cheap to post across a worker boundary. */
export type DicomIndexSummary = { series: SeriesSummary[]; issues: LoadIssue[] };

/** May return a promise (a Comlink proxy does); the final call is awaited so progress reaches 100 % before the result. */
export type ProgressCallback = (done: number, total: number) => void | Promise<void>;

/**
 * The loader as an object of functions (ITK-Wasm `workerOperations` style):
 * a worker exposes it with Comlink, tests and the in-process fallback call it
 * directly. It keeps the last index (parsed files) so the user can pick a
 * series after seeing the list; `clear()` drops it (and the file bytes).
 */
export type DicomLoadEngine = {
  /**
   * Parses and groups the files. Replaces the previous index only on success,
   * so a bad drop leaves the previous files selectable. Throws PlannerError
   * ('dicom/no-series', 'dicom/not-ct') when nothing usable is in the drop.
   */
  index(files: DicomFileInput[], onProgress?: ProgressCallback): Promise<DicomIndexSummary>;
  /**
   * Streaming variant of `index`: reads each file's header only (native
   * encodings) and keeps the sources; `assemble` then reads the pixel bytes
   * straight into place. Compressed, damaged or unusual files are read whole
   * and parsed exactly as `index` does, so issues and messages are the same.
   */
  indexSources(sources: DicomFileSource[], onProgress?: ProgressCallback): Promise<DicomIndexSummary>;
  /** Builds the volume of one series of the last index (key or SeriesInstanceUID). */
  assemble(seriesKey: string, options: { shared: boolean; maxBytes?: number }, onProgress?: ProgressCallback): Promise<AssembledSeries>;
  /** Forgets the index and its file bytes. */
  clear(): void;
};

export function createDicomLoadEngine(options: { decoder?: FrameDecoder } = {}): DicomLoadEngine {
  let current: DicomIndex | null = null;
  /** Source of each instance parsed from its header (for reading its pixels at assembly). */
  let sourceOf = new Map<DicomInstance, DicomFileSource>();
  return {
    async indexSources(sources, onProgress) {
      const results = new Array<ParseResult>(sources.length);
      const owners = new Map<DicomInstance, DicomFileSource>();
      let next = 0;
      let done = 0;
      const worker = async (): Promise<void> => {
        while (next < sources.length) {
          const n = next++;
          const source = sources[n]!;
          let result: ParseResult | null = null;
          if (source.size > HEADER_CHUNK_BYTES) {
            const header = new Uint8Array(await source.read(0, HEADER_CHUNK_BYTES));
            const parsed = parseInstance(source.name, header, { headerOnly: { fileSize: source.size } });
            const ref = parsed.instance?.pixelData;
            if (parsed.instance && ref && !ref.encapsulated && ref.deferred && NATIVE_TRANSFER_SYNTAXES.includes(parsed.instance.transferSyntaxUid)) {
              result = parsed;
              owners.set(parsed.instance, source);
            }
          }
          // Small, compressed, damaged or unusual: read whole and parse as index() does.
          result ??= parseInstance(source.name, new Uint8Array(await source.read(0, source.size)));
          results[n] = result;
          done++;
          if (onProgress && (done % 8 === 0 || done === sources.length)) void onProgress(done, sources.length);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READS_IN_FLIGHT, sources.length) }, worker));
      const index = indexParsedInstances(results);
      current = index;
      sourceOf = owners;
      if (onProgress) await onProgress(sources.length, sources.length);
      return { series: index.series, issues: index.issues };
    },
    async index(files, onProgress) {
      const index = indexDicomFiles(files, onProgress ? { onProgress: (done, total) => void onProgress(done, total) } : {});
      current = index;
      sourceOf = new Map();
      if (onProgress) await onProgress(files.length, files.length);
      return { series: index.series, issues: index.issues };
    },
    async assemble(seriesKey, assembleOptions, onProgress) {
      if (!current) {
        throw new PlannerError('dicom/no-series', 'no files are loaded: drop the CT folder first');
      }
      return assembleSeries(current, seriesKey, {
        shared: assembleOptions.shared,
        ...(assembleOptions.maxBytes !== undefined ? { maxBytes: assembleOptions.maxBytes } : {}),
        ...(options.decoder ? { decoder: options.decoder } : {}),
        ...(onProgress ? { onProgress } : {}),
        readPixels: async (instance) => {
          const source = sourceOf.get(instance);
          const ref = instance.pixelData;
          if (!source || !ref || ref.encapsulated || !ref.deferred) throw new PlannerError('assert', `no source to read the pixels of ${instance.fileName}`);
          return new Uint8Array(await source.read(ref.deferred.offset, ref.deferred.offset + ref.deferred.length));
        },
      });
    },
    clear() {
      current = null;
      sourceOf = new Map();
    },
  };
}
