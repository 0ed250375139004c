/**
 * The DicomSource the app uses: the DICOM worker, or (`?source=synthetic`,
 * development only) a synthetic CT that needs no files.
 */
import type { DicomSource } from './DicomSource';
import { createSyntheticSource } from '../dev/syntheticSource';
import { createWorkerDicomSource } from './workerDicomSource';

export function createDefaultDicomSource(options: { shared: boolean; synthetic: boolean }): DicomSource {
  return options.synthetic ? createSyntheticSource(options.shared) : createWorkerDicomSource({ shared: options.shared });
}
