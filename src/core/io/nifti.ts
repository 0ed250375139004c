import { gunzipSync } from 'fflate';
import { PlannerError } from '../shared/errors';
import { createVolume, type Volume, type VolumeKind } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { allocVoxels, type VoxelArray, type VoxelArrayConstructor } from '../volume/voxelBuffer';

/**
 * NIfTI-1 reader (.nii or .nii.gz) to a Volume in LPS millimetres.
 *
 * NIfTI world coordinates are RAS+; DICOM/LPS flips x and y, so the affine is
 * premultiplied by diag(-1, -1, 1). The voxel order (i fastest) is the same as
 * ours, so voxels are copied once, never reordered. The affine comes from the
 * sform when sform_code > 0, else from the qform (quaternion + qfac) when
 * qform_code > 0, else from pixdim alone (NIfTI "method 1", with a note).
 * Reference: nifti1.h (NIfTI-1 data format, 2004), sections on the
 * "three methods" for voxel-to-world coordinates.
 */

export type NiftiHeader = {
  dims: [number, number, number];
  /** NIfTI datatype code (2 uint8, 4 int16, 8 int32, 16 float32, 64 float64, 256 int8, 512 uint16). */
  datatype: number;
  sclSlope: number;
  sclInter: number;
  qformCode: number;
  sformCode: number;
  /** Which transform was used: 'sform' | 'qform' | 'pixdim'. */
  affineSource: 'sform' | 'qform' | 'pixdim';
  /** 4x4 voxel (i, j, k) to LPS mm, column-major. */
  ijkToLps: Float64Array;
};

export type NiftiResult = { volume: Volume<VoxelArray>; header: NiftiHeader };

export type ReadNiftiOptions = {
  id?: string;
  kind?: VolumeKind;
  shared?: boolean;
};

const HEADER_SIZE = 348;

/** True if the bytes start with the gzip magic number. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Parses a NIfTI-1 file. Voxel type: int16/uint8/uint16/int32/float32 keep their
 * type; int8 becomes Int16Array; float64 becomes Float32Array; a non-trivial
 * scl_slope/scl_inter is applied and gives Float32Array.
 * Throws `nifti/bad-header` for anything it cannot read, naming what is wrong.
 */
export function readNifti(input: Uint8Array, options: ReadNiftiOptions = {}): NiftiResult {
  let bytes: Uint8Array;
  try {
    bytes = isGzip(input) ? gunzipSync(input) : input;
  } catch (error) {
    throw new PlannerError('nifti/bad-header', `the .nii.gz file could not be decompressed (${String(error)})`);
  }
  if (bytes.length < HEADER_SIZE) throw new PlannerError('nifti/bad-header', `file has ${bytes.length} bytes, shorter than a NIfTI-1 header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  const sizeLe = view.getInt32(0, true);
  if (sizeLe !== HEADER_SIZE) {
    if (view.getInt32(0, false) === HEADER_SIZE) little = false;
    else if (sizeLe === 540) throw new PlannerError('nifti/bad-header', 'NIfTI-2 files are not supported; convert to NIfTI-1');
    else throw new PlannerError('nifti/bad-header', 'not a NIfTI-1 file (sizeof_hdr is not 348)');
  }
  const i16 = (at: number): number => view.getInt16(at, little);
  const f32 = (at: number): number => view.getFloat32(at, little);
  const ndim = i16(40);
  const nx = i16(42), ny = i16(44), nz = ndim >= 3 ? i16(46) : 1;
  if (ndim < 2 || ndim > 7 || nx < 1 || ny < 1 || nz < 1) {
    throw new PlannerError('nifti/bad-header', `unsupported dimensions: ndim ${ndim}, size ${nx} x ${ny} x ${nz}`);
  }
  for (let d = 4; d <= ndim; d++) {
    if (i16(40 + 2 * d) > 1) throw new PlannerError('nifti/bad-header', `4D or higher NIfTI (dim[${d}] = ${i16(40 + 2 * d)}) is not supported`);
  }
  const datatype = i16(70);
  const pixdim = [f32(76), f32(80), f32(84), f32(88)];
  const voxOffset = Math.floor(f32(108));
  let sclSlope = f32(112);
  let sclInter = f32(116);
  if (!Number.isFinite(sclSlope) || sclSlope === 0) { sclSlope = 1; sclInter = 0; }
  if (!Number.isFinite(sclInter)) sclInter = 0;
  const qformCode = i16(252);
  const sformCode = i16(254);

  // Voxel (i, j, k) -> RAS as a 3x4 row-major matrix.
  let ras: number[];
  let affineSource: NiftiHeader['affineSource'];
  if (sformCode > 0) {
    ras = [];
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) ras.push(f32(280 + 16 * r + 4 * c));
    affineSource = 'sform';
  } else if (qformCode > 0) {
    const b = f32(256), c = f32(260), d = f32(264);
    const a = Math.sqrt(Math.max(0, 1 - (b * b + c * c + d * d)));
    const qfac = pixdim[0]! < 0 ? -1 : 1;
    const R = [
      a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c),
      2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b),
      2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b,
    ];
    const sx = pixdim[1]!, sy = pixdim[2]!, sz = pixdim[3]! * qfac;
    ras = [
      R[0]! * sx, R[1]! * sy, R[2]! * sz, f32(268),
      R[3]! * sx, R[4]! * sy, R[5]! * sz, f32(272),
      R[6]! * sx, R[7]! * sy, R[8]! * sz, f32(276),
    ];
    affineSource = 'qform';
  } else {
    ras = [pixdim[1]!, 0, 0, 0, 0, pixdim[2]!, 0, 0, 0, 0, pixdim[3]! || 1, 0];
    affineSource = 'pixdim';
  }
  // RAS -> LPS: negate the x and y rows.
  const lps = ras.map((v, n) => (n < 8 ? -v : v) + 0); // + 0 turns -0 into 0
  const ijkToLps = new Float64Array(16);
  for (let col = 0; col < 4; col++) for (let row = 0; row < 3; row++) ijkToLps[col * 4 + row] = lps[row * 4 + col]!;
  ijkToLps[15] = 1;

  const spacingMm: [number, number, number] = [0, 0, 0];
  const direction: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    const x = ijkToLps[axis * 4]!, y = ijkToLps[axis * 4 + 1]!, z = ijkToLps[axis * 4 + 2]!;
    const len = Math.hypot(x, y, z);
    if (!(len > 0)) throw new PlannerError('nifti/bad-header', `voxel axis ${axis} has zero length in the ${affineSource} transform`);
    spacingMm[axis] = len;
    direction.push(x / len + 0, y / len + 0, z / len + 0);
  }
  const geometry = createVolumeGeometry({
    dims: [nx, ny, nz],
    spacingMm,
    originLps: [ijkToLps[12]!, ijkToLps[13]!, ijkToLps[14]!],
    direction,
  });

  const count = nx * ny * nz;
  const source = SOURCE_TYPES[datatype];
  if (!source) throw new PlannerError('nifti/bad-header', `NIfTI datatype ${datatype} is not supported (int16, int32, uint8, uint16, int8, float32, float64 are)`);
  const needBytes = voxOffset + count * source.bytes;
  if (bytes.length < needBytes) {
    throw new PlannerError('nifti/bad-header', `file is truncated: ${bytes.length} bytes, the header describes ${needBytes}`);
  }
  const scaled = sclSlope !== 1 || sclInter !== 0;
  const Target: VoxelArrayConstructor = scaled ? Float32Array : source.target;
  const voxels = allocVoxels(Target, count, { shared: options.shared ?? false });
  const read = source.read;
  const nativeCopy = little && !scaled && source.target === source.array && (bytes.byteOffset + voxOffset) % source.bytes === 0;
  if (nativeCopy) {
    voxels.set(new source.array(bytes.buffer, bytes.byteOffset + voxOffset, count) as never);
  } else {
    for (let n = 0, at = voxOffset; n < count; n++, at += source.bytes) voxels[n] = read(view, at, little) * sclSlope + sclInter;
  }
  const volume = createVolume(options.id ?? 'nifti', options.kind ?? 'ct', geometry, voxels);
  return {
    volume,
    header: { dims: [nx, ny, nz], datatype, sclSlope, sclInter, qformCode, sformCode, affineSource, ijkToLps },
  };
}

type SourceType = {
  bytes: number;
  array: { new (buffer: ArrayBufferLike, offset: number, length: number): ArrayLike<number> };
  target: VoxelArrayConstructor;
  read: (view: DataView, at: number, little: boolean) => number;
};

const SOURCE_TYPES: Record<number, SourceType> = {
  2: { bytes: 1, array: Uint8Array, target: Uint8Array, read: (v, at) => v.getUint8(at) },
  4: { bytes: 2, array: Int16Array, target: Int16Array, read: (v, at, l) => v.getInt16(at, l) },
  8: { bytes: 4, array: Int32Array, target: Int32Array, read: (v, at, l) => v.getInt32(at, l) },
  16: { bytes: 4, array: Float32Array, target: Float32Array, read: (v, at, l) => v.getFloat32(at, l) },
  64: { bytes: 8, array: Float64Array, target: Float32Array, read: (v, at, l) => v.getFloat64(at, l) },
  256: { bytes: 1, array: Int8Array, target: Int16Array, read: (v, at) => v.getInt8(at) },
  512: { bytes: 2, array: Uint16Array, target: Uint16Array, read: (v, at, l) => v.getUint16(at, l) },
};
