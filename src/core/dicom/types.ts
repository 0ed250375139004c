import type { Vec3 } from '../geometry/vec3';
import type { Volume } from '../volume/Volume';

/** One dropped or fetched file: a name for messages and its bytes. */
export type DicomFileInput = { name: string; bytes: ArrayBuffer };

/**
 * What went wrong (or is worth knowing) while reading a set of files. Issues
 * are data, never exceptions: the caller shows `message` to the radiologist.
 * - `info`: noted, nothing to do.
 * - `warning`: the series loads, but check what the message says before planning.
 * - `error`: this file or series cannot be used; the rest can.
 */
export type LoadIssue = {
  code: LoadIssueCode;
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** Names of the files concerned (may be abbreviated to the first few by the UI). */
  files: string[];
  /** Series key (see SeriesSummary.key) when the issue concerns one series. */
  seriesKey?: string;
};

export type LoadIssueCode =
  | 'not-dicom'
  | 'truncated'
  | 'no-pixel-data'
  | 'unsupported-transfer-syntax'
  | 'unsupported-pixel-format'
  | 'bad-attributes'
  | 'not-ct'
  | 'several-series'
  | 'mixed-orientation'
  | 'missing-slices'
  | 'uneven-spacing'
  | 'gantry-tilt'
  | 'duplicate-slices'
  | 'irregular-positions'
  | 'single-slice'
  | 'not-hu-calibrated';

/** Geometry and value mapping of one frame (a classic slice or one frame of a multi-frame instance). */
export type DicomFrame = {
  frameIndex: number;
  positionLps: Vec3;
  /** Six direction cosines (ImageOrientationPatient): row (i axis) then column (j axis). */
  orientation: number[];
  /** DICOM order: [between rows (along j), between columns (along i)], mm. */
  pixelSpacingMm: [number, number];
  sliceThicknessMm: number | null;
  rescaleSlope: number;
  rescaleIntercept: number;
};

export type PixelDataRef =
  | {
      encapsulated: false;
      littleEndian: boolean;
      /** The pixel bytes; empty while `deferred` (read at assembly through AssembleOptions.readPixels). */
      bytes: Uint8Array;
      /** Where the pixel bytes lie in the file, when only the header was read (streaming load). */
      deferred?: { offset: number; length: number };
    }
  | { encapsulated: true; frames: Uint8Array[] };

/**
 * One parsed instance as plain data. `pixelData` views the input file's
 * bytes (no copy) for native transfer syntaxes; keep the file alive as long as the instance.
 */
export type DicomInstance = {
  fileName: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  modality: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  seriesNumber: number | null;
  instanceNumber: number | null;
  seriesDescription: string;
  studyDescription: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  accessionNumber: string;
  /** Study and patient attributes a derived object (report PDF, SEG) repeats to join the study; '' when absent. */
  patientBirthDate?: string;
  patientSex?: string;
  studyTime?: string;
  referringPhysicianName?: string;
  studyId?: string;
  /** PatientPosition (0018,5100), e.g. HFS; '' when absent. */
  patientPosition?: string;
  manufacturer: string;
  manufacturerModelName: string;
  imageType: string[];
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometricInterpretation: string;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  /** RescaleSlope and RescaleIntercept were present (in the instance or its functional groups). */
  hasRescale: boolean;
  rescaleType: string;
  windowCenter: number | null;
  windowWidth: number | null;
  gantryTiltDeg: number;
  /** TablePosition (0018,9327) when present, else SliceLocation (0020,1041), else null. */
  tablePositionMm: number | null;
  frames: DicomFrame[];
  pixelData: PixelDataRef | null;
};

/** One selectable series (a SeriesInstanceUID split further by orientation, frame of reference and image size). */
export type SeriesSummary = {
  /** Unique in this index; equals `uid` unless one series had to be split. */
  key: string;
  uid: string;
  studyUid: string;
  frameOfReferenceUid: string;
  modality: string;
  description: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  accessionNumber: string;
  number: number | null;
  rows: number;
  columns: number;
  /** Slices of the assembled volume (after filling gaps). */
  sliceCount: number;
  /** Source frames (files for a classic series). */
  frameCount: number;
  fileCount: number;
  /** [i, j, k] voxel spacing in mm of the volume it assembles to. */
  spacingMm: [number, number, number];
  /** Bytes of the voxel buffer it assembles to. */
  estimatedBytes: number;
  /** False for series we cannot plan on (MR, a single image, ...); see `unusableReason`. */
  usable: boolean;
  unusableReason: string | null;
  /** From attributes only (the histogram is checked at assembly): true when hints say cone-beam CT. */
  cbctHint: boolean;
  transferSyntaxUid: string;
  /** Nominal SliceThickness (0018,0050) of the first frame, mm; the volume's step is `spacingMm[2]`. */
  sliceThicknessMm?: number | null;
  /** Manufacturer and model of the scanner (for the report; CBCT systems are named here). */
  manufacturer?: string;
  manufacturerModelName?: string;
};

export type SeriesGrid = {
  /** Sorted source frames, as [instance index, frame index]. */
  frames: [number, number][];
  /** Position of each sorted source frame along the slice normal (mm). */
  frameDistanceMm: number[];
  /** Output plane k -> source frames and weight: value = (1 - w) * a + w * b; b === a when exact. */
  planes: { a: number; b: number; w: number }[];
  originLps: Vec3;
  /** Nine numbers [row, column, k axis] as in VolumeGeometry.direction. */
  direction: number[];
  spacingMm: [number, number, number];
  dims: [number, number, number];
};

/** Internal group: what assembleSeries needs. Plain data, kept inside the loading thread. */
export type SeriesGroup = {
  summary: SeriesSummary;
  instances: DicomInstance[];
  grid: SeriesGrid | null;
  issues: LoadIssue[];
};

export type DicomIndex = {
  series: SeriesSummary[];
  issues: LoadIssue[];
  /** Parsed data behind each summary (same order as `series`). Not meant to cross a worker boundary. */
  groups: SeriesGroup[];
};

export type SeriesInfo = SeriesSummary & {
  kind: 'ct' | 'cbct';
  huCalibrated: boolean;
  /** Display window in the volume's values (HU for CT). */
  window: { center: number; width: number };
  /** LPS position of voxel (0, 0, k) for each output slice. */
  slicePositionsLps: Vec3[];
  /** Table position (or SliceLocation) of the source frame nearest each output slice, mm; null when absent. */
  tablePositionsMm: (number | null)[];
  /** Output slices that were interpolated to fill a gap (empty for a regular series). */
  interpolatedSlices: number[];
  gantryTiltDeg: number;
  /** What objects derived from this series (report PDF, screw SEG) need to join its study and reference its images. */
  reference?: SeriesReference;
};

/**
 * Identity of a series' study and patient as stored (raw DICOM strings, '' when
 * absent), and the source image nearest each output slice k.
 */
export type SeriesReference = {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  seriesNumber: number | null;
  modality: string;
  patientName: string;
  patientId: string;
  patientBirthDate: string;
  patientSex: string;
  studyDate: string;
  studyTime: string;
  studyId: string;
  accessionNumber: string;
  referringPhysicianName: string;
  studyDescription: string;
  seriesDescription: string;
  /** PatientPosition, e.g. HFS ('' when absent). */
  patientPosition: string;
  /** Per output slice k: the nearest source image (frame number 1-based for multi-frame, else 1). */
  slices: { sopClassUid: string; sopInstanceUid: string; instanceNumber: number | null; frameNumber: number }[];
};

export type AssembledSeries = {
  volume: Volume<Int16Array | Float32Array>;
  info: SeriesInfo;
  issues: LoadIssue[];
};

/** Pixel layout a frame decoder needs to know. */
export type FrameInfo = {
  rows: number;
  columns: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  samplesPerPixel: number;
};

/**
 * Decodes one compressed frame. Injected so core stays codec-free; see
 * src/compute/frameDecoders.ts for the implementation with Cornerstone's codecs.
 * Returns the pixels as a typed array of `bitsAllocated` width (Int16Array,
 * Uint16Array or Uint8Array), rows * columns values, row by row.
 */
export interface FrameDecoder {
  readonly transferSyntaxes: readonly string[];
  decode(frame: Uint8Array, transferSyntaxUid: string, info: FrameInfo): Promise<Int16Array | Uint16Array | Uint8Array>;
}

export type AssembleOptions = {
  shared: boolean;
  decoder?: FrameDecoder;
  /** Refuse (PlannerError 'dicom/too-large') a series whose voxels need more bytes. */
  maxBytes?: number;
  /**
   * Reads the pixel bytes of an instance indexed from its header only
   * (`pixelData.deferred`): `deferred.length` bytes from `deferred.offset` of its file.
   * Assembly keeps a few reads in flight and drops each file's bytes once its slices are copied.
   */
  readPixels?: (instance: DicomInstance) => Promise<Uint8Array>;
  /** Called as slices are filled: (slices done, total). The final call is awaited when it returns a promise. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
};
