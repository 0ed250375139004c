/**
 * DicomSource over the DICOM loader client (src/compute/dicomLoadClient.ts):
 * parsing and assembly run in the dicomLoad worker; the volume comes back in
 * a SharedArrayBuffer (cross-origin isolated) or transferred.
 */
import { createDicomLoader, type DicomLoader, type LoadProgress as ClientProgress } from '../../compute/dicomLoadClient';
import type { DicomSource, LoadProgress } from './DicomSource';
import { toDisplayInfo, toIssueView, toSeriesChoice } from './dicomMapping';

/** Browser tab memory is finite: refuse series over this size up front (bytes of voxels). */
export const MAX_VOLUME_BYTES = 1.5 * 1024 ** 3;

function mapProgress(onProgress: (p: LoadProgress) => void): (p: ClientProgress) => void {
  return (p) => onProgress({ phase: p.phase === 'parsing' ? 'indexing' : p.phase, done: p.done, total: p.total });
}

export function createWorkerDicomSource(options: { shared: boolean; loader?: DicomLoader }): DicomSource {
  const loader = options.loader ?? createDicomLoader({ shared: options.shared });
  return {
    async index(files, onProgress) {
      // The client transfers the bytes to the worker: our copies are detached afterwards.
      const summary = await loader.index(files, mapProgress(onProgress));
      return { series: summary.series.map(toSeriesChoice), issues: summary.issues.map(toIssueView) };
    },
    async load(seriesUid, onProgress) {
      const assembled = await loader.assemble(seriesUid, { maxBytes: MAX_VOLUME_BYTES }, mapProgress(onProgress));
      return {
        volume: assembled.volume,
        info: toDisplayInfo(assembled.info, assembled.volume.geometry.dims),
        issues: assembled.issues.map(toIssueView),
        identity: {
          studyInstanceUid: assembled.info.studyUid,
          seriesInstanceUid: assembled.info.uid,
          frameOfReferenceUid: assembled.info.frameOfReferenceUid || null,
          description: assembled.info.description || null,
          ...(assembled.info.reference ? { reference: assembled.info.reference } : {}),
        },
      };
    },
    release() {
      void loader.clear();
    },
    dispose() {
      loader.dispose();
    },
  };
}
