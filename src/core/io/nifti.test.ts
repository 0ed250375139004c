import { readFileSync } from 'node:fs';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ijkToLps } from '../volume/VolumeGeometry';
import { readNifti } from './nifti';

/** A NIfTI-1 file built by hand: a 348-byte header, 4 bytes extension flag, voxels at 352. */
function makeNifti(opts: {
  dims: [number, number, number];
  datatype: number;
  bitpix: number;
  voxels: ArrayLike<number>;
  pixdim?: [number, number, number, number];
  sform?: number[]; // 12 numbers, RAS rows
  qform?: { b: number; c: number; d: number; offset: [number, number, number] };
  scl?: [number, number];
  bigEndian?: boolean;
}): Uint8Array {
  const count = opts.dims[0] * opts.dims[1] * opts.dims[2];
  const bytes = new Uint8Array(352 + count * (opts.bitpix / 8));
  const v = new DataView(bytes.buffer);
  const le = !opts.bigEndian;
  v.setInt32(0, 348, le);
  [3, opts.dims[0], opts.dims[1], opts.dims[2], 1, 1, 1, 1].forEach((d, n) => v.setInt16(40 + 2 * n, d, le));
  v.setInt16(70, opts.datatype, le);
  v.setInt16(72, opts.bitpix, le);
  (opts.pixdim ?? [1, 1, 1, 1]).forEach((p, n) => v.setFloat32(76 + 4 * n, p, le));
  v.setFloat32(108, 352, le);
  v.setFloat32(112, opts.scl?.[0] ?? 0, le);
  v.setFloat32(116, opts.scl?.[1] ?? 0, le);
  if (opts.qform) {
    v.setInt16(252, 1, le);
    v.setFloat32(256, opts.qform.b, le);
    v.setFloat32(260, opts.qform.c, le);
    v.setFloat32(264, opts.qform.d, le);
    opts.qform.offset.forEach((o, n) => v.setFloat32(268 + 4 * n, o, le));
  }
  if (opts.sform) {
    v.setInt16(254, 1, le);
    opts.sform.forEach((s, n) => v.setFloat32(280 + 4 * n, s, le));
  }
  bytes.set([0x6e, 0x2b, 0x31, 0], 344);
  const size = opts.bitpix / 8;
  for (let n = 0; n < count; n++) {
    const at = 352 + n * size;
    const value = opts.voxels[n]!;
    if (opts.datatype === 4) v.setInt16(at, value, le);
    else if (opts.datatype === 2) v.setUint8(at, value);
    else if (opts.datatype === 8) v.setInt32(at, value, le);
    else if (opts.datatype === 16) v.setFloat32(at, value, le);
    else if (opts.datatype === 64) v.setFloat64(at, value, le);
  }
  return bytes;
}

describe('readNifti', () => {
  it('converts an sform from RAS to LPS (x and y flipped) and keeps the voxel order', () => {
    const voxels = Array.from({ length: 24 }, (_, n) => n - 5);
    // i -> +x RAS (patient right is -x in RAS, so i runs towards the LEFT), j -> +y (anterior), k -> +z, 2 mm.
    const file = makeNifti({ dims: [2, 3, 4], datatype: 4, bitpix: 16, voxels, sform: [2, 0, 0, -10, 0, 2, 0, 20, 0, 0, 2, 30] });
    const { volume, header } = readNifti(file);
    expect(header.affineSource).toBe('sform');
    expect(volume.voxels).toBeInstanceOf(Int16Array);
    expect(Array.from(volume.voxels)).toEqual(voxels);
    const g = volume.geometry;
    expect(g.originLps).toEqual([10, -20, 30]);
    expect(g.spacingMm).toEqual([2, 2, 2]);
    expect(g.direction).toEqual([-1, 0, 0, 0, -1, 0, 0, 0, 1]);
    // Voxel (1,2,3): RAS (-8, 24, 36) -> LPS (8, -24, 36).
    expect(ijkToLps([0, 0, 0], g, [1, 2, 3])).toEqual([8, -24, 36]);
  });

  it('uses the qform (quaternion, qfac) when there is no sform, and gunzips .nii.gz', () => {
    // 90 degrees about z: b = c = 0, d = sin(45 deg). qfac -1 flips k.
    const s = Math.SQRT1_2;
    const file = makeNifti({
      dims: [2, 2, 2], datatype: 2, bitpix: 8, voxels: [1, 2, 3, 4, 5, 6, 7, 8],
      pixdim: [-1, 0.5, 0.75, 3, ],
      qform: { b: 0, c: 0, d: s, offset: [5, 6, 7] },
    });
    const { volume, header } = readNifti(gzipSync(file));
    expect(header.affineSource).toBe('qform');
    expect(volume.voxels).toBeInstanceOf(Uint8Array);
    const p = ijkToLps([0, 0, 0], volume.geometry, [1, 1, 1]);
    // RAS: i -> +y * 0.5, j -> -x * 0.75, k -> -z * 3 ; plus offset (5, 6, 7).
    // RAS point = (5 - 0.75, 6 + 0.5, 7 - 3) = (4.25, 6.5, 4) -> LPS (-4.25, -6.5, 4).
    expect(p[0]).toBeCloseTo(-4.25, 5);
    expect(p[1]).toBeCloseTo(-6.5, 5);
    expect(p[2]).toBeCloseTo(4, 5);
  });

  it('applies scl_slope/scl_inter into Float32, reads big-endian, and falls back to pixdim', () => {
    const file = makeNifti({ dims: [2, 1, 1], datatype: 4, bitpix: 16, voxels: [10, 20], pixdim: [1, 0.8, 0.9, 2], scl: [0.5, -100], bigEndian: true });
    const { volume, header } = readNifti(file);
    expect(header.affineSource).toBe('pixdim');
    expect(volume.voxels).toBeInstanceOf(Float32Array);
    expect(Array.from(volume.voxels)).toEqual([-95, -90]);
    expect(volume.geometry.spacingMm[0]).toBeCloseTo(0.8, 6);
  });

  it('refuses a truncated file and a non-NIfTI file with a message saying why', () => {
    const file = makeNifti({ dims: [4, 4, 4], datatype: 4, bitpix: 16, voxels: new Array(64).fill(0) });
    expect(() => readNifti(file.subarray(0, 400))).toThrow(/truncated: 400 bytes, the header describes 480/);
    expect(() => readNifti(new Uint8Array(400))).toThrow(/not a NIfTI-1 file/);
  });

  it('reads the real CTs with the grids their README gives, and left labels lie at larger LPS x', () => {
    const root = '/work/shared/data/real';
    const ts = readNifti(new Uint8Array(readFileSync(`${root}/totalseg-example/ct.nii.gz`)));
    expect(ts.volume.geometry.dims).toEqual([122, 101, 112]);
    expect(ts.volume.geometry.spacingMm.map((s) => s.toFixed(2))).toEqual(['3.00', '3.00', '3.00']);
    const left = readNifti(new Uint8Array(readFileSync(`${root}/totalseg-example/labels/hip_left.nii.gz`)), { kind: 'label' });
    const right = readNifti(new Uint8Array(readFileSync(`${root}/totalseg-example/labels/hip_right.nii.gz`)), { kind: 'label' });
    const meanX = (vol: typeof left.volume): number => {
      const [ni, nj, nk] = vol.geometry.dims;
      let sum = 0, count = 0;
      const p: [number, number, number] = [0, 0, 0];
      for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
        if (vol.voxels[i + ni * (j + nj * k)]! > 0.5) { ijkToLps(p, vol.geometry, [i, j, k]); sum += p[0]; count++; }
      }
      return sum / count;
    };
    expect(meanX(left.volume)).toBeGreaterThan(meanX(right.volume) + 50);
  });
});
