/**
 * Reads the File Meta Information (group 0002, always Explicit VR Little
 * Endian, PS3.10 §7.1) of a Part 10 file: enough to check that a WADO-RS part
 * is the instance we asked for, without parsing the data set.
 */
import { PlannerError } from '../shared/errors';

export type Part10Header = {
  sopClassUid: string;
  sopInstanceUid: string;
  transferSyntaxUid: string;
};

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);

/** Throws `pacs/bad-response` (naming `what`) if `bytes` is not a Part 10 file with a readable meta header. */
export function readPart10Header(bytes: Uint8Array, what: string): Part10Header {
  if (bytes.length < 132 + 12 || bytes[128] !== 0x44 || bytes[129] !== 0x49 || bytes[130] !== 0x43 || bytes[131] !== 0x4d) {
    throw new PlannerError('pacs/bad-response', `${what} is not a DICOM file (no "DICM" after the 128-byte preamble; ${bytes.length} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: Part10Header = { sopClassUid: '', sopInstanceUid: '', transferSyntaxUid: '' };
  let pos = 132;
  while (pos + 8 <= bytes.length) {
    const group = view.getUint16(pos, true);
    if (group !== 0x0002) break;
    const element = view.getUint16(pos + 2, true);
    const vr = String.fromCharCode(bytes[pos + 4]!, bytes[pos + 5]!);
    let length: number;
    let valueAt: number;
    if (LONG_VRS.has(vr)) {
      if (pos + 12 > bytes.length) break;
      length = view.getUint32(pos + 8, true);
      valueAt = pos + 12;
    } else {
      length = view.getUint16(pos + 6, true);
      valueAt = pos + 8;
    }
    if (length === 0xffffffff || valueAt + length > bytes.length) {
      throw new PlannerError('pacs/bad-response', `${what} has a damaged DICOM meta header (element (0002,${element.toString(16).padStart(4, '0')}))`);
    }
    if (vr === 'UI') {
      let text = '';
      for (let n = valueAt; n < valueAt + length; n++) {
        const c = bytes[n]!;
        if (c !== 0 && c !== 0x20) text += String.fromCharCode(c);
      }
      if (element === 0x0002) out.sopClassUid = text;
      else if (element === 0x0003) out.sopInstanceUid = text;
      else if (element === 0x0010) out.transferSyntaxUid = text;
    }
    pos = valueAt + length;
  }
  if (!out.sopInstanceUid || !out.transferSyntaxUid) {
    throw new PlannerError('pacs/bad-response', `${what} has no SOP Instance UID or transfer syntax in its DICOM meta header`);
  }
  return out;
}
