import { createVolume, type Volume } from '../volume/Volume';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import { allocVoxels, type VoxelArray } from '../volume/voxelBuffer';

/**
 * Label volume resampled onto another grid by nearest neighbour through LPS:
 * target voxel -> LPS -> source voxel (rounded). Outside the source grid gives
 * `outside` (default 0). Exact (no blurring of label values); O(target voxels),
 * incremental affine stepping, one allocation.
 * Use it to hold ground-truth labels in the geometry of a loaded series (Dice tests).
 * Optional `map` relabels values (e.g. a data set's label ids to LABELS).
 */
export function resampleLabelsNearest(
  labels: Volume<VoxelArray>,
  target: VolumeGeometry,
  options: { shared?: boolean; outside?: number; map?: (value: number) => number; id?: string } = {},
): Volume<Uint8Array> {
  const [ti, tj, tk] = target.dims;
  const [si, sj, sk] = labels.geometry.dims;
  const out = allocVoxels(Uint8Array, ti * tj * tk, { shared: options.shared ?? false });
  const outside = options.outside ?? 0;
  // M = source.lpsToIjk * target.ijkToLps (both affine, column-major).
  const a = labels.geometry.lpsToIjk, b = target.ijkToLps;
  const M = new Float64Array(16);
  for (let c = 0; c < 4; c++) for (let r = 0; r < 3; r++) {
    M[c * 4 + r] = a[r]! * b[c * 4]! + a[4 + r]! * b[c * 4 + 1]! + a[8 + r]! * b[c * 4 + 2]! + (c === 3 ? a[12 + r]! : 0);
  }
  // Lookup table for relabelling (values are small integers in label volumes).
  const lut = new Int32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = options.map ? options.map(v) : v;
  const src = labels.voxels;
  let n = 0;
  for (let k = 0; k < tk; k++) {
    for (let j = 0; j < tj; j++) {
      let x = M[12]! + M[4]! * j + M[8]! * k;
      let y = M[13]! + M[5]! * j + M[9]! * k;
      let z = M[14]! + M[6]! * j + M[10]! * k;
      for (let i = 0; i < ti; i++, n++, x += M[0]!, y += M[1]!, z += M[2]!) {
        const ii = Math.round(x), jj = Math.round(y), kk = Math.round(z);
        if (ii < 0 || jj < 0 || kk < 0 || ii >= si || jj >= sj || kk >= sk) {
          out[n] = outside;
          continue;
        }
        const v = src[ii + si * (jj + sj * kk)]!;
        out[n] = v >= 0 && v < 256 && Number.isInteger(v) ? lut[v]! : options.map ? options.map(v) : v;
      }
    }
  }
  return createVolume(options.id ?? `${labels.id}-resampled`, 'label', target, out);
}
