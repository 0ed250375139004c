/**
 * FrameDecoder implementation (see src/core/dicom/types.ts) with Cornerstone's
 * codec packages, for the compressed transfer syntaxes a PACS sends:
 * - JPEG Lossless (Process 14, 1.2.840.10008.1.2.4.57 and SV1 .70): @cornerstonejs/jpeg-lossless-decoder-js (pure JS)
 * - JPEG-LS (.80 lossless, .81 near-lossless): @cornerstonejs/codec-charls (wasm)
 * - JPEG 2000 (.90 lossless, .91): @cornerstonejs/codec-openjpeg (wasm)
 * - RLE Lossless (1.2.840.10008.1.2.5): decoded here (PS3.5 Annex G, PackBits segments, most significant byte first)
 *
 * Codecs load lazily on first use and are kept by the decoder object (no module state).
 * In node the emscripten glue finds its .wasm beside itself; in a browser or
 * worker the .wasm URL comes from Vite (`?url` imports), or from `options.wasmUrls`.
 */
import type { FrameDecoder, FrameInfo } from '../core/dicom/types';
import { TRANSFER_SYNTAX } from '../core/dicom/writePart10';
import { COMPRESSED_TRANSFER_SYNTAXES } from '../core/dicom/parseInstance';
import charlsWasmUrl from '@cornerstonejs/codec-charls/decodewasm?url';
import openjpegWasmUrl from '@cornerstonejs/codec-openjpeg/decodewasm?url';

type Pixels = Int16Array | Uint16Array | Uint8Array;

type CodecFrameInfo = { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
type WasmDecoder = {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): CodecFrameInfo;
  getDecodedBuffer(): Uint8Array;
};
type CharlsModule = { JpegLSDecoder: new () => WasmDecoder; getExceptionMessage?(e: number): string };
type OpenJpegModule = { J2KDecoder: new () => WasmDecoder };
type EmscriptenFactory<M> = (options?: { locateFile?: (file: string) => string }) => Promise<M>;

export type FrameDecoderOptions = {
  /** Where the .wasm files are served (browser/worker); defaults to Vite-resolved URLs. Unused in node. */
  wasmUrls?: { charls?: string; openjpeg?: string };
};

/** Every compressed syntax the reader accepts (parseInstance's list) is decoded here. */
export const DECODABLE_TRANSFER_SYNTAXES: readonly string[] = COMPRESSED_TRANSFER_SYNTAXES;

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** Reinterprets decoded bytes/samples as the typed array DICOM describes (no copy). */
function asPixels(bytes: Uint8Array | Uint16Array, info: FrameInfo): Pixels {
  if (info.bitsAllocated <= 8) return bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = bytes.byteLength / 2;
  if (bytes.byteOffset % 2 !== 0) {
    const copy = new Uint8Array(bytes.byteLength);
    copy.set(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return info.pixelRepresentation === 1 ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  }
  return info.pixelRepresentation === 1 ? new Int16Array(bytes.buffer, bytes.byteOffset, count) : new Uint16Array(bytes.buffer, bytes.byteOffset, count);
}

/** RLE Lossless (PS3.5 Annex G) for one-sample 8- or 16-bit frames. */
export function decodeRle(frame: Uint8Array, info: FrameInfo): Pixels {
  const bytesPerSample = info.bitsAllocated / 8;
  const count = info.rows * info.columns;
  if (info.samplesPerPixel !== 1 || (bytesPerSample !== 1 && bytesPerSample !== 2)) {
    throw new Error(`RLE: ${info.samplesPerPixel} samples of ${info.bitsAllocated} bits are not supported (greyscale 8/16-bit only)`);
  }
  const header = new DataView(frame.buffer, frame.byteOffset, Math.min(64, frame.byteLength));
  const segments = header.getUint32(0, true);
  if (segments !== bytesPerSample) throw new Error(`RLE: ${segments} segments for ${info.bitsAllocated}-bit pixels`);
  const out = new Uint8Array(count * bytesPerSample);
  for (let s = 0; s < segments; s++) {
    const start = header.getUint32(4 + 4 * s, true);
    const end = s + 1 < segments ? header.getUint32(8 + 4 * s, true) : frame.length;
    // Segment 0 holds the most significant bytes; output is little-endian.
    const byteInSample = bytesPerSample - 1 - s;
    let o = 0;
    let i = start;
    while (i < end && o < count) {
      const n = (frame[i++]! << 24) >> 24; // signed byte
      if (n >= 0) {
        for (let r = 0; r <= n && o < count; r++) out[o++ * bytesPerSample + byteInSample] = frame[i++]!;
      } else if (n !== -128) {
        const value = frame[i++]!;
        for (let r = 0; r < 1 - n && o < count; r++) out[o++ * bytesPerSample + byteInSample] = value;
      }
    }
    if (o < count) throw new Error(`RLE: segment ${s} ended after ${o} of ${count} pixels`);
  }
  return asPixels(out, info);
}

/** Creates the decoder; codecs are loaded on first use. */
export function createFrameDecoder(options: FrameDecoderOptions = {}): FrameDecoder {
  let charls: Promise<WasmDecoder> | null = null;
  let openjpeg: Promise<WasmDecoder> | null = null;
  let lossless: Promise<new () => { decode(buffer: ArrayBuffer, offset: number, length: number, numBytes: number): Uint8Array | Uint16Array }> | null = null;
  const locate = (url: string | undefined) => (isNode() || !url ? {} : { locateFile: (f: string) => (f.endsWith('.wasm') ? url : f) });

  const wasmDecode = async (decoderPromise: Promise<WasmDecoder>, frame: Uint8Array, info: FrameInfo, name: string): Promise<Pixels> => {
    const decoder = await decoderPromise;
    decoder.getEncodedBuffer(frame.length).set(frame);
    try {
      decoder.decode();
    } catch (error) {
      throw new Error(`${name}: the frame could not be decoded (${String(error)})`);
    }
    const fi = decoder.getFrameInfo();
    if (fi.width !== info.columns || fi.height !== info.rows || fi.componentCount !== 1) {
      throw new Error(`${name}: decoded ${fi.width} x ${fi.height} x ${fi.componentCount}, expected ${info.columns} x ${info.rows} x 1`);
    }
    // The decoded buffer lives in wasm memory and is reused: copy it out.
    return asPixels(decoder.getDecodedBuffer().slice(), info);
  };

  return {
    transferSyntaxes: DECODABLE_TRANSFER_SYNTAXES,
    async decode(frame, transferSyntaxUid, info) {
      switch (transferSyntaxUid) {
        case TRANSFER_SYNTAX.rle:
          return decodeRle(frame, info);
        case TRANSFER_SYNTAX.jpegLossless57:
        case TRANSFER_SYNTAX.jpegLossless70: {
          lossless ??= import('@cornerstonejs/jpeg-lossless-decoder-js').then((m) => m.Decoder as never);
          const Decoder = await lossless;
          const bytes = info.bitsAllocated <= 8 ? 1 : 2;
          // The decoder reads from an ArrayBuffer; give it one holding only this frame.
          const own = frame.slice();
          const out = new Decoder().decode(own.buffer, 0, own.length, bytes);
          return asPixels(out, info);
        }
        case TRANSFER_SYNTAX.jpegLsLossless:
        case TRANSFER_SYNTAX.jpegLsNearLossless: {
          charls ??= import('@cornerstonejs/codec-charls/decodewasmjs').then(async (m) => {
            const factory = (m.default ?? m) as unknown as EmscriptenFactory<CharlsModule>;
            const codec = await factory(locate(options.wasmUrls?.charls ?? charlsWasmUrl));
            return new codec.JpegLSDecoder();
          });
          return wasmDecode(charls, frame, info, 'JPEG-LS');
        }
        case TRANSFER_SYNTAX.jpeg2000Lossless:
        case TRANSFER_SYNTAX.jpeg2000: {
          openjpeg ??= import('@cornerstonejs/codec-openjpeg/decodewasmjs').then(async (m) => {
            const factory = (m.default ?? m) as unknown as EmscriptenFactory<OpenJpegModule>;
            const codec = await factory(locate(options.wasmUrls?.openjpeg ?? openjpegWasmUrl));
            return new codec.J2KDecoder();
          });
          return wasmDecode(openjpeg, frame, info, 'JPEG 2000');
        }
        default:
          throw new Error(`no decoder for transfer syntax ${transferSyntaxUid}`);
      }
    },
  };
}
