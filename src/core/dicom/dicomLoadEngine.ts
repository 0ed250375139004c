import { PlannerError } from '../shared/errors';
import { assembleSeries } from './assembleSeries';
import { indexDicomFiles } from './indexDicomFiles';
import type { AssembledSeries, DicomFileInput, DicomIndex, FrameDecoder, LoadIssue, SeriesSummary } from './types';

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
  /** Builds the volume of one series of the last index (key or SeriesInstanceUID). */
  assemble(seriesKey: string, options: { shared: boolean; maxBytes?: number }, onProgress?: ProgressCallback): Promise<AssembledSeries>;
  /** Forgets the index and its file bytes. */
  clear(): void;
};

export function createDicomLoadEngine(options: { decoder?: FrameDecoder } = {}): DicomLoadEngine {
  let current: DicomIndex | null = null;
  return {
    async index(files, onProgress) {
      const index = indexDicomFiles(files, onProgress ? { onProgress: (done, total) => void onProgress(done, total) } : {});
      current = index;
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
      });
    },
    clear() {
      current = null;
    },
  };
}
