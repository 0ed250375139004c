import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { createUid } from './createUid';
import { type DataElement, TRANSFER_SYNTAX, writePart10 } from './writePart10';

/** SOP classes we write (PS3.4 Annex B.5). */
export const SOP_CLASS = {
  ctImage: '1.2.840.10008.5.1.4.1.1.2',
  enhancedCtImage: '1.2.840.10008.5.1.4.1.1.2.1',
  mrImage: '1.2.840.10008.5.1.4.1.1.4',
  secondaryCapture: '1.2.840.10008.5.1.4.1.1.7',
} as const;

export type CtSeriesMeta = {
  patientName: string;
  patientId: string;
  patientBirthDate?: string;
  patientSex?: 'M' | 'F' | 'O';
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string;
  studyDescription?: string;
  seriesDescription: string;
  seriesNumber?: number;
  accessionNumber?: string;
  /** YYYYMMDD */
  studyDate?: string;
  modality?: 'CT';
  manufacturer?: string;
  kvp?: number;
  /** stored = (value - intercept) / slope; value = stored * slope + intercept. Defaults 1 and 0. */
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number;
  windowWidth?: number;
  /** Deterministic UIDs when set (study, series, frame of reference, instances). */
  uidSeed?: string;
};

/** Series-level values with every UID and default filled in. */
export type ResolvedCtSeriesMeta = Required<Omit<CtSeriesMeta, 'uidSeed' | 'patientSex' | 'patientBirthDate'>> & {
  patientSex: '' | 'M' | 'F' | 'O';
  patientBirthDate: string;
  uidSeed: string | undefined;
};

/**
 * Per-slice deviations from the regular series, for building broken or
 * unusual inputs on purpose (tests, phantoms): a shifted position (uneven
 * spacing), another orientation, another modality or series, no pixel data.
 */
export type SliceOverride = {
  imagePositionLps?: Readonly<Vec3>;
  /** Six direction cosines: row (i axis) then column (j axis). */
  imageOrientationPatient?: readonly number[];
  /** e.g. 'MR' to make a non-CT instance; pair with `sopClassUid`. */
  modality?: string;
  sopClassUid?: string;
  seriesInstanceUid?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  /** Writes GantryDetectorTilt (0018,1120) with this value instead of the one derived from the geometry. */
  gantryTiltDeg?: number;
  /** Leaves out PixelData (7FE0,0010). */
  omitPixelData?: boolean;
  /** Added, replacing elements with the same tag. */
  extraElements?: readonly DataElement[];
  /** Tags to drop from the instance. */
  removeTags?: readonly number[];
};

export type WriteCtSeriesOptions = {
  /** Called for each slice k; return 'skip' to leave that slice out (a missing slice). */
  perSlice?: (k: number) => SliceOverride | 'skip' | undefined;
};

/** Everything needed to write one CT slice; `writeCtSeries` derives it from a Volume. */
export type CtSliceInput = {
  meta: ResolvedCtSeriesMeta;
  rows: number;
  columns: number;
  /** DICOM order: [spacing between rows (along j), spacing between columns (along i)] in mm. */
  pixelSpacingMm: readonly [number, number];
  imagePositionLps: Readonly<Vec3>;
  imageOrientationPatient: readonly number[];
  sliceThicknessMm: number;
  instanceNumber: number;
  sopInstanceUid: string;
  /** rows * columns stored values (before rescale), row by row. */
  storedPixels: Int16Array;
  /** Degrees; written when not 0. */
  gantryTiltDeg?: number;
  override?: SliceOverride;
};

const EMPTY = '';

/** Fills UIDs (deterministic from `uidSeed` when given) and defaults. */
export function resolveCtSeriesMeta(meta: CtSeriesMeta): ResolvedCtSeriesMeta {
  const seed = meta.uidSeed;
  const uid = (what: string): string => createUid(seed === undefined ? undefined : `${seed}/${what}`);
  return {
    patientName: meta.patientName,
    patientId: meta.patientId,
    patientBirthDate: meta.patientBirthDate ?? EMPTY,
    patientSex: meta.patientSex ?? EMPTY,
    studyInstanceUid: meta.studyInstanceUid ?? uid('study'),
    seriesInstanceUid: meta.seriesInstanceUid ?? uid('series'),
    frameOfReferenceUid: meta.frameOfReferenceUid ?? uid('frameOfReference'),
    studyDescription: meta.studyDescription ?? EMPTY,
    seriesDescription: meta.seriesDescription,
    seriesNumber: meta.seriesNumber ?? 1,
    accessionNumber: meta.accessionNumber ?? EMPTY,
    studyDate: meta.studyDate ?? EMPTY,
    modality: 'CT',
    manufacturer: meta.manufacturer ?? EMPTY,
    kvp: meta.kvp ?? 120,
    rescaleSlope: meta.rescaleSlope ?? 1,
    rescaleIntercept: meta.rescaleIntercept ?? 0,
    windowCenter: meta.windowCenter ?? 400,
    windowWidth: meta.windowWidth ?? 1800,
    uidSeed: seed,
  };
}

/**
 * The data elements of one CT Image Storage instance (Patient, General Study,
 * General Series, Frame of Reference, General Equipment, General Image, Image
 * Plane, Image Pixel, CT Image, VOI LUT and SOP Common modules; PS3.3 A.3).
 * Exposed so callers can edit the list before `writePart10`.
 */
export function ctSliceElements(input: CtSliceInput): DataElement[] {
  const m = input.meta;
  const o = input.override ?? {};
  const iop = o.imageOrientationPatient ?? input.imageOrientationPatient;
  const ipp = o.imagePositionLps ?? input.imagePositionLps;
  if (iop.length !== 6) throw new PlannerError('dicom/write', `ImageOrientationPatient needs 6 numbers, got ${iop.length}`);
  const normal = crossNormal(iop);
  const sliceLocation = ipp[0] * normal[0] + ipp[1] * normal[1] + ipp[2] * normal[2];
  const modality = o.modality ?? m.modality;
  const sopClassUid = o.sopClassUid ?? (modality === 'MR' ? SOP_CLASS.mrImage : SOP_CLASS.ctImage);
  const tilt = o.gantryTiltDeg ?? input.gantryTiltDeg ?? 0;
  const elements: DataElement[] = [
    // SOP Common
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
    { tag: 0x00080016, vr: 'UI', value: sopClassUid },
    { tag: 0x00080018, vr: 'UI', value: input.sopInstanceUid },
    // General Image / CT Image
    { tag: 0x00080008, vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'AXIAL'] },
    { tag: 0x00080020, vr: 'DA', value: m.studyDate },
    { tag: 0x00080023, vr: 'DA', value: m.studyDate },
    { tag: 0x00080030, vr: 'TM', value: EMPTY },
    { tag: 0x00080033, vr: 'TM', value: EMPTY },
    { tag: 0x00080050, vr: 'SH', value: m.accessionNumber },
    { tag: 0x00080060, vr: 'CS', value: modality },
    { tag: 0x00080070, vr: 'LO', value: m.manufacturer },
    { tag: 0x00080090, vr: 'PN', value: EMPTY },
    { tag: 0x00081030, vr: 'LO', value: m.studyDescription },
    { tag: 0x0008103e, vr: 'LO', value: o.seriesDescription ?? m.seriesDescription },
    // Patient
    { tag: 0x00100010, vr: 'PN', value: m.patientName },
    { tag: 0x00100020, vr: 'LO', value: m.patientId },
    { tag: 0x00100030, vr: 'DA', value: m.patientBirthDate },
    { tag: 0x00100040, vr: 'CS', value: m.patientSex },
    // Acquisition
    { tag: 0x00180015, vr: 'CS', value: 'PELVIS' },
    { tag: 0x00180050, vr: 'DS', value: input.sliceThicknessMm },
    { tag: 0x00180060, vr: 'DS', value: m.kvp },
    { tag: 0x00185100, vr: 'CS', value: 'HFS' },
    // Study / series / frame of reference / plane
    { tag: 0x0020000d, vr: 'UI', value: m.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: o.seriesInstanceUid ?? m.seriesInstanceUid },
    { tag: 0x00200010, vr: 'SH', value: EMPTY },
    { tag: 0x00200011, vr: 'IS', value: o.seriesNumber ?? m.seriesNumber },
    { tag: 0x00200012, vr: 'IS', value: 1 },
    { tag: 0x00200013, vr: 'IS', value: o.instanceNumber ?? input.instanceNumber },
    { tag: 0x00200032, vr: 'DS', value: [ipp[0], ipp[1], ipp[2]] },
    { tag: 0x00200037, vr: 'DS', value: iop },
    { tag: 0x00200052, vr: 'UI', value: m.frameOfReferenceUid },
    { tag: 0x00201040, vr: 'LO', value: EMPTY },
    { tag: 0x00201041, vr: 'DS', value: sliceLocation },
    // Image Pixel
    { tag: 0x00280002, vr: 'US', value: 1 },
    { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
    { tag: 0x00280010, vr: 'US', value: input.rows },
    { tag: 0x00280011, vr: 'US', value: input.columns },
    { tag: 0x00280030, vr: 'DS', value: [input.pixelSpacingMm[0], input.pixelSpacingMm[1]] },
    { tag: 0x00280100, vr: 'US', value: 16 },
    { tag: 0x00280101, vr: 'US', value: 16 },
    { tag: 0x00280102, vr: 'US', value: 15 },
    { tag: 0x00280103, vr: 'US', value: 1 },
    { tag: 0x00281050, vr: 'DS', value: m.windowCenter },
    { tag: 0x00281051, vr: 'DS', value: m.windowWidth },
    { tag: 0x00281052, vr: 'DS', value: m.rescaleIntercept },
    { tag: 0x00281053, vr: 'DS', value: m.rescaleSlope },
    { tag: 0x00281054, vr: 'LO', value: 'HU' },
  ];
  if (tilt !== 0) elements.push({ tag: 0x00181120, vr: 'DS', value: tilt });
  if (!o.omitPixelData) {
    if (input.storedPixels.length !== input.rows * input.columns) {
      throw new PlannerError('dicom/write', `slice has ${input.storedPixels.length} pixels for ${input.rows} x ${input.columns}`);
    }
    elements.push({ tag: 0x7fe00010, vr: 'OW', value: input.storedPixels });
  }
  if (modality !== 'CT') {
    // CT-only attributes would make a non-CT instance invalid.
    dropTags(elements, [0x00180060, 0x00281054, 0x00200012]);
  }
  if (o.extraElements) {
    dropTags(elements, o.extraElements.map((e) => e.tag));
    elements.push(...o.extraElements);
  }
  if (o.removeTags) dropTags(elements, o.removeTags);
  return elements;
}

function dropTags(elements: DataElement[], tags: readonly number[]): void {
  for (let n = elements.length - 1; n >= 0; n--) if (tags.includes(elements[n]!.tag)) elements.splice(n, 1);
}

function crossNormal(iop: readonly number[]): Vec3 {
  const [r0, r1, r2, c0, c1, c2] = iop as [number, number, number, number, number, number];
  const n: Vec3 = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  const len = Math.hypot(n[0], n[1], n[2]) || 1;
  return [n[0] / len, n[1] / len, n[2] / len];
}

/** One CT slice as a Part 10 file (Explicit VR Little Endian). */
export function writeCtSlice(input: CtSliceInput): Uint8Array {
  return writePart10(ctSliceElements(input), TRANSFER_SYNTAX.explicitLittle);
}

/**
 * Converts one slice's values to stored Int16 values: stored = round((value - intercept) / slope).
 * Returns a view of `voxels` (no copy) when the values are Int16 already and slope 1, intercept 0.
 * Throws `dicom/write` if a value does not fit Int16 after rescale.
 */
function storedSlice(voxels: Int16Array | Float32Array, start: number, count: number, slope: number, intercept: number): Int16Array {
  if (voxels instanceof Int16Array && slope === 1 && intercept === 0) return voxels.subarray(start, start + count);
  const out = new Int16Array(count);
  const inv = 1 / slope;
  for (let n = 0; n < count; n++) {
    const stored = Math.round((voxels[start + n]! - intercept) * inv);
    if (!(stored >= -32768 && stored <= 32767)) {
      throw new PlannerError(
        'dicom/write',
        `value ${voxels[start + n]} does not fit a signed 16-bit pixel with slope ${slope} and intercept ${intercept}; choose another rescale`,
      );
    }
    out[n] = stored;
  }
  return out;
}

/**
 * Writes one Part 10 CT Image Storage file per slice k of `volume` (voxel values
 * in HU or grey values; see `rescaleSlope`/`rescaleIntercept`). Files are named
 * `IM000001.dcm`, ... in slice order. The geometry is written exactly:
 * ImageOrientationPatient = direction i and j axes, ImagePositionPatient = the
 * LPS centre of voxel (0, 0, k), PixelSpacing = [spacing j, spacing i]. A
 * sheared k axis (gantry tilt) is kept through the positions, and
 * GantryDetectorTilt is written.
 */
export function writeCtSeries(
  volume: Volume<Int16Array | Float32Array>,
  meta: CtSeriesMeta,
  options: WriteCtSeriesOptions = {},
): { name: string; bytes: Uint8Array }[] {
  const resolved = resolveCtSeriesMeta(meta);
  const g = volume.geometry;
  const [ni, nj, nk] = g.dims;
  const d = g.direction;
  const iop = [d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!];
  const normal = crossNormal(iop);
  const kAxis: Vec3 = [d[6]!, d[7]!, d[8]!];
  const kDotN = kAxis[0] * normal[0] + kAxis[1] * normal[1] + kAxis[2] * normal[2];
  if (Math.abs(kDotN) < 1e-6) throw new PlannerError('dicom/write', 'the slice axis lies in the image plane; cannot write slices');
  // Slice spacing measured along the normal (what a scanner calls slice spacing with tilt).
  const sliceThicknessMm = Math.abs(g.spacingMm[2] * kDotN);
  // Tilt: angle of the k axis away from the normal, signed about the row direction.
  const colAxis: Vec3 = [d[3]!, d[4]!, d[5]!];
  const kDotCol = kAxis[0] * colAxis[0] + kAxis[1] * colAxis[1] + kAxis[2] * colAxis[2];
  const tiltDeg = (Math.atan2(kDotCol, Math.abs(kDotN)) * 180) / Math.PI;
  const gantryTiltDeg = Math.abs(tiltDeg) > 1e-3 ? Math.round(tiltDeg * 1e4) / 1e4 : 0;
  const m = g.ijkToLps;
  const files: { name: string; bytes: Uint8Array }[] = [];
  const perSlice = ni * nj;
  for (let k = 0; k < nk; k++) {
    const override = options.perSlice?.(k);
    if (override === 'skip') continue;
    const position: Vec3 = [m[8]! * k + m[12]!, m[9]! * k + m[13]!, m[10]! * k + m[14]!];
    const bytes = writeCtSlice({
      meta: resolved,
      rows: nj,
      columns: ni,
      pixelSpacingMm: [g.spacingMm[1], g.spacingMm[0]],
      imagePositionLps: position,
      imageOrientationPatient: iop,
      sliceThicknessMm,
      instanceNumber: k + 1,
      sopInstanceUid: createUid(resolved.uidSeed === undefined ? undefined : `${resolved.uidSeed}/${resolved.seriesInstanceUid}/sop/${k}`),
      storedPixels: storedSlice(volume.voxels, k * perSlice, perSlice, resolved.rescaleSlope, resolved.rescaleIntercept),
      gantryTiltDeg,
      ...(override ? { override } : {}),
    });
    files.push({ name: `IM${String(k + 1).padStart(6, '0')}.dcm`, bytes });
  }
  return files;
}
