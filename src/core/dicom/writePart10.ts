import { PlannerError } from '../shared/errors';
import { utf8Encode } from './utf8';

/**
 * Minimal DICOM Part 10 encoder (Explicit VR Little Endian), written by hand
 * rather than with dcmjs: core may import only small libraries, and an
 * uncompressed CT instance is a flat list of elements plus one pixel blob.
 * Sequences (SQ) are supported with defined lengths, enough for Enhanced CT
 * functional groups.
 *
 * Reference: DICOM PS3.5 §7.1.2 (explicit VR data element), PS3.10 §7.1
 * (preamble, "DICM", group 0002 meta information).
 */

export type Vr =
  | 'AE' | 'AS' | 'CS' | 'DA' | 'DS' | 'DT' | 'IS' | 'LO' | 'LT' | 'PN' | 'SH' | 'ST' | 'TM' | 'UI' | 'UT' | 'UC' | 'UR'
  | 'US' | 'SS' | 'UL' | 'SL' | 'FL' | 'FD' | 'AT'
  | 'OB' | 'OW' | 'UN' | 'SQ';

/** One data element. `tag` is (group << 16) | element, e.g. 0x00280010 for Rows. */
export type DataElement = {
  tag: number;
  vr: Vr;
  /**
   * Strings for text VRs (an array is joined with backslash), numbers for DS/IS and binary numeric VRs,
   * bytes (any typed array, written little-endian) for OB/OW/UN, and items (each a list of elements) for SQ.
   */
  value: string | readonly string[] | number | readonly number[] | ArrayBufferView | readonly (readonly DataElement[])[];
};

export const TRANSFER_SYNTAX = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  explicitBig: '1.2.840.10008.1.2.2',
  deflated: '1.2.840.10008.1.2.1.99',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
  jpegLossless57: '1.2.840.10008.1.2.4.57',
  jpegLossless70: '1.2.840.10008.1.2.4.70',
  jpegLsLossless: '1.2.840.10008.1.2.4.80',
  jpegLsNearLossless: '1.2.840.10008.1.2.4.81',
  jpeg2000Lossless: '1.2.840.10008.1.2.4.90',
  jpeg2000: '1.2.840.10008.1.2.4.91',
  rle: '1.2.840.10008.1.2.5',
} as const;

/** Our implementation identity in the file meta header (PS3.7 Annex D). */
export const IMPLEMENTATION_CLASS_UID = '2.25.232770163409542417962215364419428311552';
export const IMPLEMENTATION_VERSION_NAME = 'PELVISPLAN_0_1';

const LONG_LENGTH_VRS = new Set<Vr>(['OB', 'OW', 'UN', 'SQ', 'UT', 'UC', 'UR']);
const PAD_WITH_NUL = new Set<Vr>(['UI', 'OB', 'UN']);

/** Formats a number as a DICOM Decimal String (at most 16 characters, PS3.5 §6.2). */
export function formatDs(value: number): string {
  if (!Number.isFinite(value)) throw new PlannerError('dicom/write', `cannot write ${value} as a DICOM decimal string`);
  let s = String(value);
  for (let precision = 15; s.length > 16 && precision > 0; precision--) {
    s = String(Number(value.toPrecision(precision)));
  }
  return s;
}

function formatIs(value: number): string {
  if (!Number.isInteger(value) || Math.abs(value) > 2147483647) {
    throw new PlannerError('dicom/write', `cannot write ${value} as a DICOM integer string`);
  }
  return String(value);
}

function textBytes(vr: Vr, value: DataElement['value']): Uint8Array {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number') text = vr === 'DS' ? formatDs(value) : vr === 'IS' ? formatIs(value) : String(value);
  else if (Array.isArray(value)) {
    text = (value as readonly (string | number)[])
      .map((v) => (typeof v === 'number' ? (vr === 'DS' ? formatDs(v) : vr === 'IS' ? formatIs(v) : String(v)) : v))
      .join('\\');
  } else throw new PlannerError('dicom/write', `value of VR ${vr} must be text or numbers`);
  return utf8Encode(text);
}

function numericBytes(vr: Vr, value: DataElement['value']): Uint8Array {
  const list: readonly number[] = typeof value === 'number' ? [value] : Array.isArray(value) ? (value as readonly number[]) : [];
  if (list.length === 0 && !(Array.isArray(value) && value.length === 0)) {
    throw new PlannerError('dicom/write', `value of VR ${vr} must be a number or a list of numbers`);
  }
  const size = vr === 'US' || vr === 'SS' ? 2 : vr === 'FD' ? 8 : 4;
  const out = new Uint8Array(list.length * size);
  const view = new DataView(out.buffer);
  list.forEach((v, n) => {
    const at = n * size;
    switch (vr) {
      case 'US': view.setUint16(at, v, true); break;
      case 'SS': view.setInt16(at, v, true); break;
      case 'UL': view.setUint32(at, v, true); break;
      case 'SL': view.setInt32(at, v, true); break;
      case 'FL': view.setFloat32(at, v, true); break;
      case 'FD': view.setFloat64(at, v, true); break;
      case 'AT': view.setUint16(at, v >>> 16, true); view.setUint16(at + 2, v & 0xffff, true); break;
      default: throw new PlannerError('dicom/write', `VR ${vr} is not numeric`);
    }
  });
  return out;
}

const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function binaryBytes(vr: Vr, value: DataElement['value']): Uint8Array {
  if (!ArrayBuffer.isView(value)) throw new PlannerError('dicom/write', `value of VR ${vr} must be a typed array`);
  const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const width = 'BYTES_PER_ELEMENT' in value ? (value as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT : 1;
  if (HOST_IS_LITTLE_ENDIAN || width === 1) return bytes;
  const swapped = new Uint8Array(bytes.length);
  for (let n = 0; n < bytes.length; n += width) for (let b = 0; b < width; b++) swapped[n + b] = bytes[n + width - 1 - b]!;
  return swapped;
}

/** Encoded value bytes of one element, before padding. */
function valueBytes(element: DataElement): Uint8Array | Uint8Array[] {
  const { vr, value } = element;
  switch (vr) {
    case 'US': case 'SS': case 'UL': case 'SL': case 'FL': case 'FD': case 'AT':
      return numericBytes(vr, value);
    case 'OB': case 'OW': case 'UN':
      return binaryBytes(vr, value);
    case 'SQ': {
      const items = value as readonly (readonly DataElement[])[];
      const parts: Uint8Array[] = [];
      for (const item of items) {
        const body = encodeElements(item);
        const header = new Uint8Array(8);
        const view = new DataView(header.buffer);
        view.setUint16(0, 0xfffe, true);
        view.setUint16(2, 0xe000, true);
        view.setUint32(4, body.length, true);
        parts.push(header, body);
      }
      return parts;
    }
    default:
      return textBytes(vr, value);
  }
}

/** Encodes elements (sorted by tag here) as Explicit VR Little Endian. */
export function encodeElements(elements: readonly DataElement[]): Uint8Array {
  const sorted = [...elements].sort((a, b) => (a.tag >>> 0) - (b.tag >>> 0));
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (let n = 0; n < sorted.length; n++) {
    const element = sorted[n]!;
    if (n > 0 && sorted[n - 1]!.tag === element.tag) {
      throw new PlannerError('dicom/write', `element ${tagToString(element.tag)} given twice`);
    }
    const raw = valueBytes(element);
    const parts = Array.isArray(raw) ? raw : [raw];
    let length = 0;
    for (const p of parts) length += p.length;
    const pad = length % 2;
    const long = LONG_LENGTH_VRS.has(element.vr);
    if (!long && length + pad > 0xffff) {
      throw new PlannerError('dicom/write', `element ${tagToString(element.tag)} (${element.vr}) is too long: ${length} bytes`);
    }
    const header = new Uint8Array(long ? 12 : 8);
    const view = new DataView(header.buffer);
    view.setUint16(0, element.tag >>> 16, true);
    view.setUint16(2, element.tag & 0xffff, true);
    header[4] = element.vr.charCodeAt(0);
    header[5] = element.vr.charCodeAt(1);
    if (long) view.setUint32(8, length + pad, true);
    else view.setUint16(6, length + pad, true);
    chunks.push(header, ...parts);
    total += header.length + length;
    if (pad) {
      chunks.push(new Uint8Array([PAD_WITH_NUL.has(element.vr) ? 0 : 0x20]));
      total += 1;
    }
  }
  return concatBytes(chunks, total);
}

export function concatBytes(chunks: readonly Uint8Array[], total?: number): Uint8Array {
  const size = total ?? chunks.reduce((s, c) => s + c.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export function tagToString(tag: number): string {
  const hex = (tag >>> 0).toString(16).toUpperCase().padStart(8, '0');
  return `(${hex.slice(0, 4)},${hex.slice(4)})`;
}

/**
 * Writes a Part 10 file: 128-byte preamble, "DICM", the group 0002 file meta
 * information, then `dataset` as Explicit VR Little Endian.
 * SOP Class/Instance UIDs of the meta header are read from (0008,0016)/(0008,0018) of the dataset.
 */
export function writePart10(dataset: readonly DataElement[], transferSyntaxUid: string = TRANSFER_SYNTAX.explicitLittle): Uint8Array {
  const sopClass = dataset.find((e) => e.tag === 0x00080016);
  const sopInstance = dataset.find((e) => e.tag === 0x00080018);
  if (!sopClass || !sopInstance || typeof sopClass.value !== 'string' || typeof sopInstance.value !== 'string') {
    throw new PlannerError('dicom/write', 'a Part 10 file needs SOPClassUID (0008,0016) and SOPInstanceUID (0008,0018)');
  }
  const metaBody = encodeElements([
    { tag: 0x00020001, vr: 'OB', value: new Uint8Array([0, 1]) },
    { tag: 0x00020002, vr: 'UI', value: sopClass.value },
    { tag: 0x00020003, vr: 'UI', value: sopInstance.value },
    { tag: 0x00020010, vr: 'UI', value: transferSyntaxUid },
    { tag: 0x00020012, vr: 'UI', value: IMPLEMENTATION_CLASS_UID },
    { tag: 0x00020013, vr: 'SH', value: IMPLEMENTATION_VERSION_NAME },
  ]);
  const groupLength = encodeElements([{ tag: 0x00020000, vr: 'UL', value: metaBody.length }]);
  const body = encodeElements(dataset.filter((e) => e.tag >>> 16 !== 0x0002));
  const preamble = new Uint8Array(132);
  preamble[128] = 0x44; // D
  preamble[129] = 0x49; // I
  preamble[130] = 0x43; // C
  preamble[131] = 0x4d; // M
  return concatBytes([preamble, groupLength, metaBody, body]);
}
