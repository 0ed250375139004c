/**
 * NRRD (teem "nearly raw raster data") read and write for 3D volumes, the
 * format 3D Slicer uses for label maps. Attached data only, gzip or raw.
 *
 * Geometry: NRRD's `space directions` are the i, j, k axis vectors already
 * scaled by the spacing, and `space origin` is the centre of voxel (0, 0, 0),
 * so they map one to one onto VolumeGeometry (direction x spacing, originLps).
 * We write `space: left-posterior-superior`. On reading, RAS-space files are
 * converted to LPS (x and y negated), so a Volume is always in LPS.
 * Reference: http://teem.sourceforge.net/nrrd/format.html (NRRD0004/0005).
 */
import { gunzipSync, gzipSync } from 'fflate';
import { utf8Decode, utf8Encode } from '../dicom/utf8';
import { PlannerError } from '../shared/errors';
import { createVolume, type Volume, type VolumeKind } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';

export type NrrdEncoding = 'gzip' | 'raw';

export type WriteNrrdOptions = {
  /** Default 'gzip'. */
  encoding?: NrrdEncoding;
  /** gzip level 0-9, default 6. */
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
  /** Extra `key:=value` pairs (e.g. Slicer segment names); keys and values must not contain newlines. */
  keyValues?: Readonly<Record<string, string>>;
};

export type ReadNrrdOptions = {
  /** Kind of the returned volume; default 'label' for 8-bit data, else 'ct'. */
  kind?: VolumeKind;
  /** Volume id; default 'nrrd'. */
  id?: string;
};

export type NrrdResult = {
  volume: Volume<VoxelArray>;
  /** Header fields as read (lower-case field names), and `key:=value` pairs. */
  fields: Record<string, string>;
  keyValues: Record<string, string>;
};

const TYPE_NAME = new Map<string, 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float' | 'double'>([
  ['signed char', 'int8'], ['int8', 'int8'], ['int8_t', 'int8'],
  ['uchar', 'uint8'], ['unsigned char', 'uint8'], ['uint8', 'uint8'], ['uint8_t', 'uint8'],
  ['short', 'int16'], ['short int', 'int16'], ['signed short', 'int16'], ['signed short int', 'int16'], ['int16', 'int16'], ['int16_t', 'int16'],
  ['ushort', 'uint16'], ['unsigned short', 'uint16'], ['unsigned short int', 'uint16'], ['uint16', 'uint16'], ['uint16_t', 'uint16'],
  ['int', 'int32'], ['signed int', 'int32'], ['int32', 'int32'], ['int32_t', 'int32'],
  ['uint', 'uint32'], ['unsigned int', 'uint32'], ['uint32', 'uint32'], ['uint32_t', 'uint32'],
  ['float', 'float'], ['double', 'double'],
]);

const BYTES: Record<string, number> = { int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, float: 4, double: 8 };

function typeOfArray(a: VoxelArray): string {
  if (a instanceof Uint8Array) return 'uint8';
  if (a instanceof Int16Array) return 'int16';
  if (a instanceof Uint16Array) return 'uint16';
  if (a instanceof Int32Array) return 'int32';
  return 'float';
}

function vectorText(v: readonly number[]): string {
  return `(${v.map((x) => formatNumber(x)).join(',')})`;
}

function formatNumber(x: number): string {
  // Round-trip exact, and never "-0".
  return Object.is(x, -0) ? '0' : String(x);
}

/**
 * Encodes a volume as a NRRD file (little-endian, attached data). The voxel
 * order is the Volume's (i fastest), which is NRRD's order for `sizes: ni nj nk`.
 * Allocates the output (plus one gzip buffer); the volume is not modified.
 */
export function writeNrrd(volume: Volume<VoxelArray>, options: WriteNrrdOptions = {}): Uint8Array {
  const g = volume.geometry;
  const encoding = options.encoding ?? 'gzip';
  const axes = [0, 1, 2].map((a) => [0, 1, 2].map((r) => g.direction[a * 3 + r]! * g.spacingMm[a]!));
  const lines = [
    'NRRD0004',
    '# Complete NRRD file format specification at:',
    '# http://teem.sourceforge.net/nrrd/format.html',
    `type: ${typeOfArray(volume.voxels)}`,
    'dimension: 3',
    'space: left-posterior-superior',
    `sizes: ${g.dims.join(' ')}`,
    `space directions: ${axes.map(vectorText).join(' ')}`,
    'kinds: domain domain domain',
    'endian: little',
    `encoding: ${encoding}`,
    `space origin: ${vectorText(g.originLps)}`,
  ];
  for (const [k, v] of Object.entries(options.keyValues ?? {})) {
    if (/[\n\r]/.test(k + v) || k.includes(':=')) throw new PlannerError('nrrd/bad-header', `key/value "${k}" contains a newline or ":="`);
    lines.push(`${k}:=${v}`);
  }
  const header = utf8Encode(lines.join('\n') + '\n\n');
  const voxels = volume.voxels;
  let raw = new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.byteLength);
  if (isBigEndianHost() && BYTES[typeOfArray(voxels)]! > 1) raw = swapBytes(raw, BYTES[typeOfArray(voxels)]!);
  // fflate cannot read a SharedArrayBuffer view in every engine: copy into a plain buffer first.
  if (typeof SharedArrayBuffer !== 'undefined' && raw.buffer instanceof SharedArrayBuffer) raw = raw.slice();
  const data = encoding === 'gzip' ? gzipSync(raw, { level: options.level ?? 6 }) : raw;
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}

/**
 * Decodes a NRRD file with attached data (raw or gzip; little or big endian)
 * into an LPS Volume. Throws `nrrd/bad-header` for anything it cannot read
 * faithfully (not NRRD, detached data, not 3D, unknown type or space, or data
 * shorter than the header promises).
 */
export function readNrrd(bytes: Uint8Array, options: ReadNrrdOptions = {}): NrrdResult {
  const magic = String.fromCharCode(...bytes.subarray(0, 8));
  if (!/^NRRD000[1-5]$/.test(magic)) throw new PlannerError('nrrd/bad-header', `not a NRRD file (starts with "${magic.replace(/[^\x20-\x7e]/g, '?')}")`);
  // Header ends at the first empty line.
  let end = -1;
  for (let i = 0; i + 1 < bytes.length && i < 1 << 20; i++) {
    if (bytes[i] === 10 && bytes[i + 1] === 10) { end = i; break; }
    if (bytes[i] === 10 && bytes[i + 1] === 13 && bytes[i + 2] === 10) { end = i; break; }
  }
  if (end < 0) throw new PlannerError('nrrd/bad-header', 'no blank line ends the header');
  const dataStart = bytes[end + 1] === 13 ? end + 3 : end + 2;
  const text = utf8Decode(bytes.subarray(0, end));
  const fields: Record<string, string> = {};
  const keyValues: Record<string, string> = {};
  for (const rawLine of text.split('\n').slice(1)) {
    const line = rawLine.replace(/\r$/, '');
    if (line.startsWith('#') || line.trim() === '') continue;
    const kv = line.indexOf(':=');
    const f = line.indexOf(': ');
    if (kv >= 0 && (f < 0 || kv < f)) {
      keyValues[line.slice(0, kv)] = line.slice(kv + 2);
      continue;
    }
    if (f < 0) throw new PlannerError('nrrd/bad-header', `cannot parse header line "${line}"`);
    fields[line.slice(0, f).trim().toLowerCase()] = line.slice(f + 2).trim();
  }
  if (fields['data file'] || fields['datafile']) throw new PlannerError('nrrd/bad-header', 'detached data files are not supported');
  const dimension = Number(fields['dimension']);
  if (dimension !== 3) throw new PlannerError('nrrd/bad-header', `dimension ${fields['dimension'] ?? '(missing)'}: only 3D volumes are supported`);
  const type = TYPE_NAME.get((fields['type'] ?? '').toLowerCase());
  if (!type) throw new PlannerError('nrrd/bad-header', `unsupported type "${fields['type'] ?? ''}"`);
  const sizes = (fields['sizes'] ?? '').split(/\s+/).map(Number);
  if (sizes.length !== 3 || sizes.some((s) => !Number.isInteger(s) || s < 1)) throw new PlannerError('nrrd/bad-header', `bad sizes "${fields['sizes'] ?? ''}"`);
  const encoding = (fields['encoding'] ?? '').toLowerCase();
  if (!['raw', 'gzip', 'gz'].includes(encoding)) throw new PlannerError('nrrd/bad-header', `unsupported encoding "${fields['encoding'] ?? ''}"`);
  const endian = (fields['endian'] ?? 'little').toLowerCase();
  if (endian !== 'little' && endian !== 'big') throw new PlannerError('nrrd/bad-header', `bad endian "${endian}"`);

  // Geometry.
  const space = (fields['space'] ?? '').toLowerCase();
  let flip = [1, 1, 1];
  if (space === 'right-anterior-superior' || space === 'ras') flip = [-1, -1, 1];
  else if (space === 'left-posterior-superior' || space === 'lps' || space === '') flip = [1, 1, 1];
  else throw new PlannerError('nrrd/bad-header', `unsupported space "${fields['space']}" (expected LPS or RAS)`);
  const direction: number[] = [];
  const spacingMm: number[] = [];
  if (fields['space directions']) {
    const vecs = parseVectors(fields['space directions']);
    if (vecs.length !== 3 || vecs.some((v) => v === null || v.length !== 3)) throw new PlannerError('nrrd/bad-header', `bad space directions "${fields['space directions']}"`);
    for (const v of vecs as number[][]) {
      const len = Math.hypot(v[0]!, v[1]!, v[2]!);
      if (!(len > 0)) throw new PlannerError('nrrd/bad-header', 'a space direction has zero length');
      spacingMm.push(len);
      direction.push((flip[0]! * v[0]!) / len || 0, (flip[1]! * v[1]!) / len || 0, (flip[2]! * v[2]!) / len || 0); // `|| 0`: no -0
    }
  } else {
    const sp = (fields['spacings'] ?? '1 1 1').split(/\s+/).map(Number);
    if (sp.length !== 3 || sp.some((s) => !(s > 0))) throw new PlannerError('nrrd/bad-header', `bad spacings "${fields['spacings'] ?? ''}"`);
    spacingMm.push(...sp);
    direction.push(flip[0]!, 0, 0, 0, flip[1]!, 0, 0, 0, flip[2]!);
  }
  let originLps = [0, 0, 0];
  if (fields['space origin']) {
    const o = parseVectors(fields['space origin'])[0];
    if (!o || o.length !== 3) throw new PlannerError('nrrd/bad-header', `bad space origin "${fields['space origin']}"`);
    originLps = [flip[0]! * o[0]! || 0, flip[1]! * o[1]! || 0, flip[2]! * o[2]! || 0];
  }
  const geometry = createVolumeGeometry({
    dims: [sizes[0]!, sizes[1]!, sizes[2]!],
    spacingMm: [spacingMm[0]!, spacingMm[1]!, spacingMm[2]!],
    originLps: [originLps[0]!, originLps[1]!, originLps[2]!],
    direction,
  });

  // Data.
  const count = sizes[0]! * sizes[1]! * sizes[2]!;
  const bpv = BYTES[type]!;
  let data = bytes.subarray(dataStart);
  if (encoding !== 'raw') {
    try {
      data = gunzipSync(data);
    } catch (e) {
      throw new PlannerError('nrrd/bad-header', `gzip data cannot be decompressed (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  if (data.length < count * bpv) throw new PlannerError('nrrd/bad-header', `data holds ${data.length} bytes, the header promises ${count * bpv}`);
  let body = data.subarray(0, count * bpv);
  if (bpv > 1 && (endian === 'big') !== isBigEndianHost()) body = swapBytes(body, bpv);
  else body = body.slice(); // own, aligned copy
  const voxels = toVoxelArray(type, body, count);
  const kind = options.kind ?? (bpv === 1 ? 'label' : 'ct');
  return { volume: createVolume(options.id ?? 'nrrd', kind, geometry, voxels), fields, keyValues };
}

function parseVectors(text: string): (number[] | null)[] {
  const out: (number[] | null)[] = [];
  const re = /\(([^)]*)\)|none/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[0] === 'none') { out.push(null); continue; }
    const v = m[1]!.split(',').map((s) => Number(s.trim()));
    if (v.some((x) => !Number.isFinite(x))) throw new PlannerError('nrrd/bad-header', `non-numeric vector "${m[0]}"`);
    out.push(v);
  }
  return out;
}

function toVoxelArray(type: string, body: Uint8Array, count: number): VoxelArray {
  const buf = body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
  switch (type) {
    case 'uint8': return new Uint8Array(buf, 0, count);
    case 'int8': return Int16Array.from(new Int8Array(buf, 0, count));
    case 'int16': return new Int16Array(buf, 0, count);
    case 'uint16': return new Uint16Array(buf, 0, count);
    case 'int32': return new Int32Array(buf, 0, count);
    case 'uint32': {
      const u = new Uint32Array(buf, 0, count);
      for (let i = 0; i < count; i++) if (u[i]! > 0x7fffffff) throw new PlannerError('nrrd/bad-header', `uint32 value ${u[i]} does not fit the int32 volume`);
      return new Int32Array(buf, 0, count);
    }
    case 'float': return new Float32Array(buf, 0, count);
    default: return Float32Array.from(new Float64Array(buf, 0, count));
  }
}

function swapBytes(src: Uint8Array, width: number): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += width) for (let b = 0; b < width; b++) out[i + b] = src[i + width - 1 - b]!;
  return out;
}

function isBigEndianHost(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 0;
}
