import { readNifti } from '../io/nifti';
import { PlannerError } from '../shared/errors';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { allocVoxels, type VoxelArray } from '../volume/voxelBuffer';
import { type CtSeriesMeta, writeCtSeries } from './writeCtSeries';

/**
 * Flips voxel axes (no interpolation, exact) so that each axis points to the
 * positive side of its dominant LPS direction: i towards patient left (+x),
 * j towards posterior (+y), k towards superior (+z) for an axial grid. This is
 * how a scanner writes axial slices (ImageOrientationPatient 1\0\0\0\1\0);
 * NIfTI files often store the opposite. Every voxel keeps its LPS position.
 */
export function reorientToScannerAxes<T extends VoxelArray>(volume: Volume<T>): Volume<T> {
  const g = volume.geometry;
  const d = g.direction;
  const flip = [0, 1, 2].map((axis) => {
    const v = [d[axis * 3]!, d[axis * 3 + 1]!, d[axis * 3 + 2]!];
    const dominant = v.reduce((best, x, n) => (Math.abs(x) > Math.abs(v[best]!) ? n : best), 0);
    return v[dominant]! < 0;
  });
  if (!flip.some(Boolean)) return volume;
  const [ni, nj, nk] = g.dims;
  const m = g.ijkToLps;
  const corner = [flip[0] ? ni - 1 : 0, flip[1] ? nj - 1 : 0, flip[2] ? nk - 1 : 0];
  const originLps: [number, number, number] = [0, 1, 2].map((r) => m[r]! * corner[0]! + m[4 + r]! * corner[1]! + m[8 + r]! * corner[2]! + m[12 + r]!) as [number, number, number];
  const direction = d.map((v, n) => (flip[Math.floor(n / 3)] ? -v : v) + 0);
  const geometry = createVolumeGeometry({ dims: g.dims, spacingMm: g.spacingMm, originLps, direction });
  const Ctor = volume.voxels.constructor as { new (length: number): T };
  const out = new Ctor(volume.voxels.length);
  const src = volume.voxels;
  for (let k = 0; k < nk; k++) {
    const sk = flip[2] ? nk - 1 - k : k;
    for (let j = 0; j < nj; j++) {
      const sj = flip[1] ? nj - 1 - j : j;
      const srcRow = ni * (sj + nj * sk);
      const dstRow = ni * (j + nj * k);
      if (!flip[0]) out.set(src.subarray(srcRow, srcRow + ni) as never, dstRow);
      else for (let i = 0; i < ni; i++) out[dstRow + i] = src[srcRow + ni - 1 - i]!;
    }
  }
  return createVolume(volume.id, volume.kind, geometry, out);
}

/**
 * Reads a CT NIfTI (.nii/.nii.gz) as an Int16 HU volume in LPS, flipped to
 * scanner axes unless `reorient` is false. Throws 'dicom/write' if a value does not fit Int16.
 */
export function niftiToCtVolume(niftiBytes: Uint8Array, options: { reorient?: boolean } = {}): Volume<Int16Array> {
  const { volume } = readNifti(niftiBytes, { id: 'nifti-ct', kind: 'ct' });
  let voxels: Int16Array;
  if (volume.voxels instanceof Int16Array) voxels = volume.voxels;
  else {
    voxels = allocVoxels(Int16Array, volume.voxels.length, { shared: false });
    const src = volume.voxels;
    for (let n = 0; n < src.length; n++) {
      const v = Math.round(src[n]!);
      if (v < -32768 || v > 32767) throw new PlannerError('dicom/write', `CT value ${src[n]} at voxel ${n} does not fit a 16-bit DICOM pixel`);
      voxels[n] = v;
    }
  }
  const ct = createVolume('nifti-ct', 'ct', volume.geometry, voxels);
  return options.reorient === false ? ct : reorientToScannerAxes(ct);
}

/**
 * A CT NIfTI as a DICOM CT series (one Part 10 file per slice, see writeCtSeries),
 * so real scans go through the same loading path as a user's files.
 */
export function niftiToCtSeriesFiles(niftiBytes: Uint8Array, meta: CtSeriesMeta, options: { reorient?: boolean } = {}): { name: string; bytes: Uint8Array }[] {
  return writeCtSeries(niftiToCtVolume(niftiBytes, options), meta);
}
