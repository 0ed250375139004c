import dicomParser, { type DataSet, type Element } from 'dicom-parser';
import type { Vec3 } from '../geometry/vec3';
import type { DicomFrame, DicomInstance, LoadIssue, PixelDataRef } from './types';
import { latin1Decode, utf8Decode } from './utf8';
import { TRANSFER_SYNTAX } from './writePart10';

/** Transfer syntaxes whose pixel data we read directly. */
export const NATIVE_TRANSFER_SYNTAXES: readonly string[] = [TRANSFER_SYNTAX.implicitLittle, TRANSFER_SYNTAX.explicitLittle, TRANSFER_SYNTAX.explicitBig];

/** Compressed transfer syntaxes a FrameDecoder may handle (lossless ones first). */
export const COMPRESSED_TRANSFER_SYNTAXES: readonly string[] = [
  TRANSFER_SYNTAX.jpegLossless57,
  TRANSFER_SYNTAX.jpegLossless70,
  TRANSFER_SYNTAX.jpegLsLossless,
  TRANSFER_SYNTAX.jpegLsNearLossless,
  TRANSFER_SYNTAX.jpeg2000Lossless,
  TRANSFER_SYNTAX.jpeg2000,
  TRANSFER_SYNTAX.rle,
];

const TRANSFER_SYNTAX_NAMES: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (8-bit lossy)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (12-bit lossy)',
  '1.2.840.10008.1.2.4.100': 'MPEG-2',
  '1.2.840.10008.1.2.4.201': 'HTJ2K',
  '1.2.840.10008.1.2.4.202': 'HTJ2K lossless (RPCL)',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

/** The message for a file whose encoding we cannot decode. */
export function unsupportedTransferSyntaxMessage(fileName: string, uid: string): string {
  return `${fileName} is encoded as ${transferSyntaxName(uid)}, which this planner cannot decode; it was skipped. Export the series uncompressed or lossless (JPEG Lossless, JPEG-LS, JPEG 2000, RLE) from the PACS.`;
}

/** CT Image, Enhanced CT and Legacy Converted Enhanced CT storage: these must carry patient geometry. */
const CT_IMAGE_SOP_CLASSES: readonly string[] = ['1.2.840.10008.5.1.4.1.1.2', '1.2.840.10008.5.1.4.1.1.2.1', '1.2.840.10008.5.1.4.1.1.2.2'];

/** Human name of a transfer syntax for messages. */
export function transferSyntaxName(uid: string): string {
  return TRANSFER_SYNTAX_NAMES[uid] ?? uid;
}

/** dicom-parser tag key "xGGGGEEEE". */
function key(tag: number): string {
  return `x${(tag >>> 0).toString(16).padStart(8, '0')}`;
}

const T = {
  transferSyntax: key(0x00020010),
  charset: key(0x00080005),
  imageType: key(0x00080008),
  sopClass: key(0x00080016),
  sopInstance: key(0x00080018),
  studyDate: key(0x00080020),
  accession: key(0x00080050),
  modality: key(0x00080060),
  manufacturer: key(0x00080070),
  studyDescription: key(0x00081030),
  seriesDescription: key(0x0008103e),
  modelName: key(0x00081090),
  patientName: key(0x00100010),
  patientId: key(0x00100020),
  patientBirthDate: key(0x00100030),
  patientSex: key(0x00100040),
  studyTime: key(0x00080030),
  referringPhysician: key(0x00080090),
  studyId: key(0x00200010),
  patientPosition: key(0x00185100),
  sliceThickness: key(0x00180050),
  gantryTilt: key(0x00181120),
  tablePosition: key(0x00189327),
  studyUid: key(0x0020000d),
  seriesUid: key(0x0020000e),
  seriesNumber: key(0x00200011),
  instanceNumber: key(0x00200013),
  position: key(0x00200032),
  orientation: key(0x00200037),
  frameOfReference: key(0x00200052),
  sliceLocation: key(0x00201041),
  samplesPerPixel: key(0x00280002),
  photometric: key(0x00280004),
  numberOfFrames: key(0x00280008),
  rows: key(0x00280010),
  columns: key(0x00280011),
  pixelSpacing: key(0x00280030),
  bitsAllocated: key(0x00280100),
  bitsStored: key(0x00280101),
  pixelRepresentation: key(0x00280103),
  windowCenter: key(0x00281050),
  windowWidth: key(0x00281051),
  rescaleIntercept: key(0x00281052),
  rescaleSlope: key(0x00281053),
  rescaleType: key(0x00281054),
  sharedGroups: key(0x52009229),
  perFrameGroups: key(0x52009230),
  planePosition: key(0x00209113),
  planeOrientation: key(0x00209116),
  pixelMeasures: key(0x00289110),
  pixelValueTransform: key(0x00289145),
  ctPosition: key(0x00189326),
  pixelData: key(0x7fe00010),
};

export type ParseResult = { instance: DicomInstance; issue?: undefined } | { instance?: undefined; issue: LoadIssue };

function text(ds: DataSet, tag: string, utf8: boolean): string {
  const element = ds.elements[tag];
  if (!element || element.length === 0) return '';
  const bytes = ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  const decoded = utf8 ? utf8Decode(bytes) : latin1Decode(bytes);
  return decoded.replace(/[\0 ]+$/, '').replace(/^ +/, '');
}

function numbers(ds: DataSet | undefined, tag: string): number[] | null {
  if (!ds) return null;
  const element = ds.elements[tag];
  if (!element || element.length === 0) return null;
  const raw = latin1Decode(ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length));
  const values = raw.replace(/\0/g, '').split('\\').map((s) => Number.parseFloat(s.trim()));
  return values.every((v) => Number.isFinite(v)) ? values : null;
}

function firstNumber(ds: DataSet | undefined, tag: string): number | null {
  const values = numbers(ds, tag);
  return values && values.length > 0 ? values[0]! : null;
}

/** First item of a sequence inside `ds` (functional group macros hold one item). */
function item(ds: DataSet | undefined, tag: string): DataSet | undefined {
  return ds?.elements[tag]?.items?.[0]?.dataSet;
}

function truncatedMessage(fileName: string): string {
  return `${fileName} is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.`;
}

/**
 * Row and column cosines as six numbers, normalised, or null when they are not
 * (nearly) perpendicular unit vectors. Small deviations (rounded decimal
 * strings) are corrected: column made orthogonal to row, both unit length.
 */
function checkOrientation(o: readonly number[]): number[] | null {
  const r = [o[0]!, o[1]!, o[2]!], c = [o[3]!, o[4]!, o[5]!];
  const lr = Math.hypot(r[0]!, r[1]!, r[2]!), lc = Math.hypot(c[0]!, c[1]!, c[2]!);
  if (!(Math.abs(lr - 1) < 0.01 && Math.abs(lc - 1) < 0.01)) return null;
  const rn = r.map((v) => v / lr);
  const dot = rn[0]! * c[0]! + rn[1]! * c[1]! + rn[2]! * c[2]!;
  if (Math.abs(dot) > 0.01) return null;
  const co = c.map((v, n) => v - dot * rn[n]!);
  const lo = Math.hypot(co[0]!, co[1]!, co[2]!);
  return [...rn, ...co.map((v) => v / lo)].map((v) => v + 0);
}

function describeParseFailure(error: unknown): string {
  if (typeof error === 'string') return error;
  if (error && typeof error === 'object' && 'exception' in error) return String((error as { exception: unknown }).exception);
  return error instanceof Error ? error.message : String(error);
}

/**
 * Parses one Part 10 file into a plain DicomInstance, or returns the reason it
 * cannot be used as a LoadIssue (never throws). Pixel data stays a view into
 * `bytes` for native transfer syntaxes; encapsulated frames are views when a
 * frame is one fragment, copies otherwise.
 */
export function parseInstance(fileName: string, bytes: Uint8Array, options: { headerOnly?: { fileSize: number } } = {}): ParseResult {
  const headerOnly = options.headerOnly;
  const fail = (code: LoadIssue['code'], message: string, severity: LoadIssue['severity'] = 'error'): ParseResult => ({
    issue: { code, severity, message, files: [fileName] },
  });
  if (bytes.length < 132 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) {
    return fail('not-dicom', `${fileName} is not a DICOM file (no "DICM" marker); it was skipped.`);
  }
  let ds: DataSet;
  try {
    // Header only: stop at the pixel data element (its offset and length are known, its bytes not read).
    ds = headerOnly ? dicomParser.parseDicom(bytes, { untilTag: T.pixelData }) : dicomParser.parseDicom(bytes);
  } catch (error) {
    // An encoding we cannot parse (e.g. Deflated) fails here: name it from the meta header.
    let metaTs = '';
    try {
      metaTs = dicomParser.readPart10Header(bytes).string(T.transferSyntax)?.replace(/\0/g, '').trim() ?? '';
    } catch {
      metaTs = '';
    }
    if (metaTs && !NATIVE_TRANSFER_SYNTAXES.includes(metaTs) && !COMPRESSED_TRANSFER_SYNTAXES.includes(metaTs)) {
      return fail('unsupported-transfer-syntax', unsupportedTransferSyntaxMessage(fileName, metaTs));
    }
    const reason = describeParseFailure(error);
    if (/overrun|overread|beyond|end of buffer|outside|greater than or equal to|exceeds|length/i.test(reason)) {
      return fail('truncated', truncatedMessage(fileName));
    }
    return fail('not-dicom', `${fileName} could not be read as DICOM (${reason}); it was skipped.`);
  }

  const utf8 = /ISO_IR 192/.test(text(ds, T.charset, false));
  const str = (tag: string): string => text(ds, tag, utf8);
  const transferSyntaxUid = str(T.transferSyntax) || TRANSFER_SYNTAX.implicitLittle;
  const sopClassUid = str(T.sopClass);
  const modality = str(T.modality).toUpperCase();
  const rows = ds.uint16(T.rows) ?? 0;
  const columns = ds.uint16(T.columns) ?? 0;
  const pixelElement: Element | undefined = ds.elements[T.pixelData];

  const instance: DicomInstance = {
    fileName,
    sopInstanceUid: str(T.sopInstance),
    sopClassUid,
    transferSyntaxUid,
    modality,
    studyInstanceUid: str(T.studyUid),
    seriesInstanceUid: str(T.seriesUid),
    frameOfReferenceUid: str(T.frameOfReference),
    seriesNumber: firstNumber(ds, T.seriesNumber),
    instanceNumber: firstNumber(ds, T.instanceNumber),
    seriesDescription: str(T.seriesDescription),
    studyDescription: str(T.studyDescription),
    patientName: str(T.patientName),
    patientId: str(T.patientId),
    studyDate: str(T.studyDate),
    accessionNumber: str(T.accession),
    patientBirthDate: str(T.patientBirthDate),
    patientSex: str(T.patientSex),
    studyTime: str(T.studyTime),
    referringPhysicianName: str(T.referringPhysician),
    studyId: str(T.studyId),
    patientPosition: str(T.patientPosition).toUpperCase(),
    manufacturer: str(T.manufacturer),
    manufacturerModelName: str(T.modelName),
    imageType: str(T.imageType).split('\\').map((s) => s.trim().toUpperCase()).filter(Boolean),
    rows,
    columns,
    samplesPerPixel: ds.uint16(T.samplesPerPixel) ?? 1,
    photometricInterpretation: str(T.photometric) || 'MONOCHROME2',
    bitsAllocated: ds.uint16(T.bitsAllocated) ?? 16,
    bitsStored: ds.uint16(T.bitsStored) ?? ds.uint16(T.bitsAllocated) ?? 16,
    pixelRepresentation: ds.uint16(T.pixelRepresentation) ?? 0,
    hasRescale: false,
    rescaleType: str(T.rescaleType).toUpperCase(),
    windowCenter: firstNumber(ds, T.windowCenter),
    windowWidth: firstNumber(ds, T.windowWidth),
    gantryTiltDeg: firstNumber(ds, T.gantryTilt) ?? 0,
    tablePositionMm: firstNumber(ds, T.tablePosition) ?? firstNumber(ds, T.sliceLocation),
    frames: [],
    pixelData: null,
  };

  if (!instance.seriesInstanceUid) {
    return fail('bad-attributes', `${fileName} has no SeriesInstanceUID, so it cannot be placed in a series; it was skipped.`);
  }
  if (!pixelElement) {
    if (!rows || !columns) {
      // Not an image at all (DICOMDIR, structured/dose report, presentation state, ...): expected in clinical folders.
      const what = sopClassUid === '1.2.840.10008.1.3.10' || /DICOMDIR$/i.test(fileName) ? 'a DICOMDIR (folder index)' : `a non-image ${modality || 'DICOM'} object`;
      return fail('no-pixel-data', `${fileName} is ${what}, not a CT slice; it was skipped.`, 'info');
    }
    return fail('no-pixel-data', `${fileName} is an image without pixel data (an incomplete export); it was skipped.`);
  }
  if (!(rows > 0 && columns > 0)) {
    return fail('bad-attributes', `${fileName} gives no image size (Rows ${rows}, Columns ${columns}), so its pixels cannot be laid out; it was skipped.`);
  }
  const available = headerOnly ? headerOnly.fileSize : bytes.length;
  if (pixelElement.dataOffset + (pixelElement.encapsulatedPixelData ? 0 : pixelElement.length) > available) {
    return fail('truncated', truncatedMessage(fileName));
  }

  // Frames: classic single-frame geometry, or Enhanced multi-frame functional groups.
  const numberOfFrames = Math.max(1, Math.round(firstNumber(ds, T.numberOfFrames) ?? 1));
  const shared = item(ds, T.sharedGroups);
  const perFrameItems = ds.elements[T.perFrameGroups]?.items ?? [];
  let hasRescale = ds.elements[T.rescaleSlope] !== undefined || ds.elements[T.rescaleIntercept] !== undefined;
  for (let f = 0; f < numberOfFrames; f++) {
    const own = perFrameItems[f]?.dataSet;
    const pick = (sequence: string, tag: string): number[] | null =>
      numbers(item(own, sequence), tag) ?? numbers(item(shared, sequence), tag);
    const position = pick(T.planePosition, T.position) ?? numbers(ds, T.position);
    const orientation = pick(T.planeOrientation, T.orientation) ?? numbers(ds, T.orientation);
    const spacing = pick(T.pixelMeasures, T.pixelSpacing) ?? numbers(ds, T.pixelSpacing);
    const thickness = pick(T.pixelMeasures, T.sliceThickness) ?? numbers(ds, T.sliceThickness);
    const slope = pick(T.pixelValueTransform, T.rescaleSlope);
    const intercept = pick(T.pixelValueTransform, T.rescaleIntercept);
    if (slope || intercept) hasRescale = true;
    if ((!position || position.length < 3 || !orientation || orientation.length < 6) && !CT_IMAGE_SOP_CLASSES.includes(sopClassUid)) {
      return fail('bad-attributes', `${fileName} is a picture without patient geometry (a secondary capture such as a dose sheet or screenshot), not a CT slice; it was skipped.`, 'info');
    }
    if (!position || position.length < 3 || !orientation || orientation.length < 6) {
      return fail(
        'bad-attributes',
        `${fileName} has no ImagePositionPatient/ImageOrientationPatient${numberOfFrames > 1 ? ` for frame ${f + 1}` : ''}, so its place in the patient is unknown; it was skipped.`,
      );
    }
    const cosines = checkOrientation(orientation);
    if (!cosines) {
      return fail(
        'bad-attributes',
        `${fileName} has an invalid ImageOrientationPatient (${orientation.slice(0, 6).join('\\')}): the row and column directions must be perpendicular unit vectors, so where its pixels lie in the patient is unknown; it was skipped.`,
      );
    }
    const frame: DicomFrame = {
      frameIndex: f,
      positionLps: [position[0]!, position[1]!, position[2]!] as Vec3,
      orientation: cosines,
      pixelSpacingMm: spacing && spacing.length >= 2 && spacing[0]! > 0 && spacing[1]! > 0 ? [spacing[0]!, spacing[1]!] : [NaN, NaN],
      sliceThicknessMm: thickness?.[0] ?? null,
      rescaleSlope: slope?.[0] ?? firstNumber(ds, T.rescaleSlope) ?? 1,
      rescaleIntercept: intercept?.[0] ?? firstNumber(ds, T.rescaleIntercept) ?? 0,
    };
    if (!(frame.rescaleSlope !== 0 && Number.isFinite(frame.rescaleSlope))) frame.rescaleSlope = 1;
    if (Number.isNaN(frame.pixelSpacingMm[0])) {
      return fail('bad-attributes', `${fileName} has no PixelSpacing, so distances in it are unknown; it was skipped.`);
    }
    instance.frames.push(frame);
  }
  instance.hasRescale = hasRescale;
  if (!instance.rescaleType) {
    instance.rescaleType = text(item(shared, T.pixelValueTransform) ?? ds, T.rescaleType, false).toUpperCase();
  }

  if (pixelElement.encapsulatedPixelData) {
    instance.pixelData = readEncapsulatedFrames(ds, pixelElement, numberOfFrames, fileName);
    if (!instance.pixelData) {
      return fail('truncated', truncatedMessage(fileName));
    }
  } else {
    const frameBytes = rows * columns * instance.samplesPerPixel * (instance.bitsAllocated / 8);
    const expected = frameBytes * numberOfFrames;
    if (pixelElement.dataOffset + Math.min(pixelElement.length, expected) > available) {
      return fail('truncated', truncatedMessage(fileName));
    }
    // The pixel data must be exactly what Rows x Columns x BitsAllocated x frames say (one pad byte allowed):
    // anything else would lay pixels out wrongly and give a plausible-looking but wrong image.
    const supportedFormat = instance.samplesPerPixel === 1 && (instance.bitsAllocated === 8 || instance.bitsAllocated === 16);
    // Unsupported formats are refused with their own message by indexDicomFiles.
    if (supportedFormat && pixelElement.length !== expected && pixelElement.length !== expected + 1) {
      return fail(
        'bad-attributes',
        `${fileName}: its pixel data holds ${pixelElement.length} bytes, but its image attributes (${rows} rows x ${columns} columns x ${instance.bitsAllocated} bits${numberOfFrames > 1 ? ` x ${numberOfFrames} frames` : ''}) describe ${expected}. The attributes are inconsistent, so the image would be scrambled; it was skipped.`,
      );
    }
    const ref: PixelDataRef = headerOnly
      ? {
          encapsulated: false,
          littleEndian: transferSyntaxUid !== TRANSFER_SYNTAX.explicitBig,
          bytes: new Uint8Array(0),
          deferred: { offset: pixelElement.dataOffset, length: expected },
        }
      : {
          encapsulated: false,
          littleEndian: transferSyntaxUid !== TRANSFER_SYNTAX.explicitBig,
          bytes: bytes.subarray(pixelElement.dataOffset, pixelElement.dataOffset + expected),
        };
    instance.pixelData = ref;
  }
  return { instance };
}

function readEncapsulatedFrames(ds: DataSet, element: Element, numberOfFrames: number, fileName: string): PixelDataRef | null {
  void fileName;
  try {
    const fragments = element.fragments ?? [];
    if (fragments.length === 0) return null;
    const frames: Uint8Array[] = [];
    const bot = element.basicOffsetTable ?? [];
    if (numberOfFrames === 1) {
      frames.push(toView(dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, 0, fragments.length)));
    } else if (bot.length === numberOfFrames) {
      for (let f = 0; f < numberOfFrames; f++) frames.push(toView(dicomParser.readEncapsulatedImageFrame(ds, element, f)));
    } else if (fragments.length === numberOfFrames) {
      for (let f = 0; f < numberOfFrames; f++) frames.push(toView(dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, f, 1)));
    } else {
      const table = dicomParser.createJPEGBasicOffsetTable(ds, element);
      for (let f = 0; f < numberOfFrames; f++) frames.push(toView(dicomParser.readEncapsulatedImageFrame(ds, element, f, table)));
    }
    return { encapsulated: true, frames };
  } catch {
    return null;
  }
}

function toView(array: Uint8Array | { buffer: ArrayBufferLike; byteOffset: number; byteLength: number }): Uint8Array {
  return array instanceof Uint8Array ? array : new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}
