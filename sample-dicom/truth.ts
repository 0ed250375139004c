/**
 * Ground-truth contract of the phantom generator (written as truth.json beside
 * each generated series, and returned in memory by the generator for tests).
 * Segmentation, anatomy and planning tests read this; they never compare only
 * against our own output.
 *
 * All coordinates are DICOM patient coordinates (LPS, mm) of the generated
 * series. Left/right are the patient's (left = +x).
 */
import type { Vec3 } from '../src/core/geometry/vec3';
import type { CorridorId, ForamenId, RootId, Side } from '../src/core/shared/ids';

export type PhantomCaseId = 'sacralAla' | 'supraAcetabular' | 'femoralNeck' | 'dysmorphic' | 'sacralAlaCbct';

/** small: fast unit tests; medium: the bundled sample and e2e; full: 512 x 512 x several hundred, for benchmarks. */
export type PhantomSize = 'small' | 'medium' | 'full';

/** A nerve root (or any tube): polyline centreline with a constant radius. */
export type TubeTruth = {
  id: RootId;
  centerlineLps: Vec3[];
  radiusMm: number;
};

export type ForamenTruth = {
  id: ForamenId;
  /** Centre of the anterior opening of the foramen, on the anterior sacral surface. */
  centerLps: Vec3;
  radiusMm: number;
  /** Unit vector along the foramen's canal, pointing anteriorly. */
  axisLps: Vec3;
};

export type CorridorTruth = {
  id: CorridorId;
  side?: Side;
  /** Diameter in mm of the widest straight cylinder that fits the corridor in bone, by construction or brute force. */
  narrowestWidthMm: number;
  /** A reference axis through the corridor (bone entry to far end). */
  axisStartLps: Vec3;
  axisEndLps: Vec3;
};

export type PhantomTruth = {
  version: 1;
  caseId: PhantomCaseId;
  size: PhantomSize;
  seed: number;
  /** Geometry of the series and of the label volume (same grid). */
  geometry: {
    dims: [number, number, number];
    spacingMm: [number, number, number];
    originLps: Vec3;
    direction: number[];
  };
  /** Label volume file (NRRD) beside truth.json; values from LABELS in src/core/shared/ids.ts. */
  labelsFile: string;
  /** Grey value = HU * slope + intercept. CT: slope 1, intercept 0, calibrated true. */
  greyMapping: { slope: number; intercept: number; huCalibrated: boolean };
  roots: TubeTruth[];
  foramina: ForamenTruth[];
  /**
   * Sacral canal centreline (from the dural sac above S1 down to the hiatus).
   * The phantom's canal is elliptic: `radiusMm` is its median equal-area
   * radius; the optional per-point half-axes give the exact cross-section
   * (left-right and antero-posterior), one per centreline point.
   */
  sacralCanal: { centerlineLps: Vec3[]; radiusMm: number; halfWidthsMm?: number[]; halfDepthsMm?: number[] };
  femoralHeads: { side: Side; centerLps: Vec3; radiusMm: number }[];
  lesion: { centerLps: Vec3; volumeMl: number; host: 'sacrum' | 'hipLeft' | 'hipRight' | 'femurLeft' | 'femurRight' } | null;
  corridors: CorridorTruth[];
  /** Free-text notes, e.g. "dysmorphic: S1 corridor narrowed to 6.8 mm". */
  notes: string[];
};
