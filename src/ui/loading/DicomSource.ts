/**
 * What the loading UI needs from the DICOM side: index dropped files into
 * series, then assemble one series into a Volume, both off the main thread
 * (the production implementation wraps src/compute/dicomLoadClient.ts).
 * Plain data in and out.
 */
import type { Volume } from '../../core/volume/Volume';
import type { SeriesReference } from '../../core/dicom/types';
import type { SeriesDisplayInfo } from '../../viewer/ViewerPort';

export type NamedFile = { name: string; bytes: ArrayBuffer };

export type LoadPhase = 'reading' | 'indexing' | 'assembling' | 'rendering';

/** `done` of `total` files read, or slices loaded. */
export type LoadProgress = { phase: LoadPhase; done: number; total: number };

/**
 * A loader finding, with what it means for planning. `error` blocks the
 * series; `warning` lets it open with the message shown; `info` is logged in
 * the banner only.
 */
export type LoadIssueView = {
  code: string;
  severity: 'error' | 'warning' | 'info';
  /** What the loader found, e.g. "slice 41 of 80 is missing (gap 5.0 mm)". */
  message: string;
  /** What it means for planning, e.g. "Distances across the gap are interpolated: do not plan a screw through it." */
  planningImpact: string;
  /** Files or slices concerned, when known. */
  where?: string;
};

export type SeriesChoice = {
  seriesUid: string;
  description: string;
  modality: string;
  sliceCount: number;
  /** Loadable as a CT/CBCT volume; false for MR, SEG, a single localiser… */
  loadable: boolean;
  /** e.g. "512 x 512 x 200". */
  sizeText: string;
};

export type IndexResult = { series: SeriesChoice[]; issues: LoadIssueView[] };

/** Study/series identity of a loaded series, as the plan file records it (core/report/planSchema.ts planSeriesSchema). */
export type SeriesIdentity = {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string | null;
  description: string | null;
  /** Patient/study attributes, PatientPosition and the source image of each slice (report, objects sent back to the PACS). */
  reference?: SeriesReference;
};

export type LoadedSeries = {
  volume: Volume;
  info: SeriesDisplayInfo;
  issues: LoadIssueView[];
  /** Absent when the source does not know it (synthetic data, test sources). */
  identity?: SeriesIdentity;
};

export interface DicomSource {
  /** Groups files into series. Files that are not DICOM or are truncated come back as issues. */
  index(files: NamedFile[], onProgress: (p: LoadProgress) => void): Promise<IndexResult>;
  /** Assembles one indexed series (from the last `index` call) into a Volume. Throws on a blocking problem. */
  load(seriesUid: string, onProgress: (p: LoadProgress) => void): Promise<LoadedSeries>;
  /** Releases the indexed files and any worker-side state of earlier loads. */
  release(): void;
  dispose(): void;
}
