/**
 * UTF-8 encode/decode without TextEncoder/TextDecoder, which the core's
 * ES2022-only lib does not declare. Used for DICOM text values (we write
 * SpecificCharacterSet ISO_IR 192 = UTF-8; ISO_IR 100 bytes decode as Latin-1).
 */
export function utf8Encode(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return Uint8Array.from(out);
}

/** Decodes UTF-8; an invalid sequence falls back to Latin-1 for the whole string. */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  for (let n = 0; n < bytes.length; ) {
    const b = bytes[n]!;
    let cp: number;
    let extra: number;
    if (b < 0x80) { cp = b; extra = 0; }
    else if ((b & 0xe0) === 0xc0) { cp = b & 31; extra = 1; }
    else if ((b & 0xf0) === 0xe0) { cp = b & 15; extra = 2; }
    else if ((b & 0xf8) === 0xf0) { cp = b & 7; extra = 3; }
    else return latin1Decode(bytes);
    // A missing continuation byte (end of buffer) reads as undefined and falls back.
    for (let e = 1; e <= extra; e++) {
      const c = bytes[n + e];
      if (c === undefined || (c & 0xc0) !== 0x80) return latin1Decode(bytes);
      cp = (cp << 6) | (c & 63);
    }
    out += String.fromCodePoint(cp);
    n += extra + 1;
  }
  return out;
}

export function latin1Decode(bytes: Uint8Array): string {
  let out = '';
  for (let n = 0; n < bytes.length; n++) out += String.fromCharCode(bytes[n]!);
  return out;
}
