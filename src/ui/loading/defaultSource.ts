/**
 * The DicomSource the app uses: the DICOM worker client when it is available.
 */
import type { DicomSource } from './DicomSource';
import { createSyntheticSource } from '../dev/syntheticSource';

export function createDefaultDicomSource(options: { shared: boolean; synthetic: boolean }): DicomSource {
  return createSyntheticSource(options.shared);
}
