import { zlibSync } from 'fflate';
import { PlannerError } from '../shared/errors';

/**
 * Minimal PNG encoder (8-bit greyscale, RGB or RGBA, no interlace), for the
 * report's images: the PDF embeds PNG, and core has no canvas. Rows use
 * filter 0 (none); the zlib stream comes from fflate.
 */

export type RasterImage = {
  widthPx: number;
  heightPx: number;
  /** 1 = grey, 3 = RGB, 4 = RGBA. */
  channels: 1 | 3 | 4;
  /** Row-major, top row first, `channels` bytes per pixel. */
  pixels: Uint8Array;
};

const CRC_TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO 3309, as PNG uses) of bytes[start, end). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Encodes an image as PNG bytes. Throws `report/bad-input` when the pixel count does not match. */
export function encodePng(image: RasterImage): Uint8Array {
  const { widthPx: w, heightPx: h, channels } = image;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new PlannerError('report/bad-input', `PNG size ${w} x ${h} is not positive whole numbers`);
  if (image.pixels.length !== w * h * channels) {
    throw new PlannerError('report/bad-input', `PNG: ${image.pixels.length} bytes for ${w} x ${h} x ${channels} channels`);
  }
  const stride = w * channels;
  const raw = new Uint8Array((stride + 1) * h);
  for (let y = 0; y < h; y++) raw.set(image.pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const idat = zlibSync(raw, { level: 6 });
  const colorType = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w, false);
  dv.setUint32(4, h, false);
  ihdr[8] = 8; // bit depth
  ihdr[9] = colorType;
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(signature, 0);
  let off = 8;
  for (const c of chunks) { out.set(c, off); off += c.length; }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length, false);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out, 4, 8 + data.length), false);
  return out;
}

/** Width and height from a PNG's IHDR, or throws `report/bad-input` when the bytes are not a PNG. */
export function readPngSize(png: Uint8Array): { widthPx: number; heightPx: number } {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || sig.some((b, i) => png[i] !== b) || String.fromCharCode(png[12]!, png[13]!, png[14]!, png[15]!) !== 'IHDR') {
    throw new PlannerError('report/bad-input', 'image bytes are not a PNG');
  }
  const dv = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return { widthPx: dv.getUint32(16, false), heightPx: dv.getUint32(20, false) };
}
