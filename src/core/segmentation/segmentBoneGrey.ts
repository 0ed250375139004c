import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import type { BoneThresholds } from './thresholds';

/**
 * The grey-value sampler of the coarse-voxel joint searches (femoral head, SI joints, pubic
 * symphysis): trilinear at an LPS point, NaN outside the image, each voxel capped well above
 * trabecular bone (eight times the bone threshold's height above the soft-tissue peak) so that
 * metal and its streaks do not dominate the profiles' means. No fixed HU: the cap comes from the
 * image's own histogram.
 */
export function cappedGreySampler(
  ct: Volume<VoxelArray>,
  thresholds: Pick<BoneThresholds, 'softTissuePeakGrey' | 'boneGrey'>,
): (x: number, y: number, z: number) => number {
  const cap = thresholds.softTissuePeakGrey + 8 * (thresholds.boneGrey - thresholds.softTissuePeakGrey);
  const [gi, gj, gk] = ct.geometry.dims;
  const v = ct.voxels;
  const toIjk = ct.geometry.lpsToIjk;
  return (x: number, y: number, z: number): number => {
    const fi = toIjk[0]! * x + toIjk[4]! * y + toIjk[8]! * z + toIjk[12]!;
    const fj = toIjk[1]! * x + toIjk[5]! * y + toIjk[9]! * z + toIjk[13]!;
    const fk = toIjk[2]! * x + toIjk[6]! * y + toIjk[10]! * z + toIjk[14]!;
    const i = Math.floor(fi), j = Math.floor(fj), k = Math.floor(fk);
    if (i < 0 || j < 0 || k < 0 || i >= gi - 1 || j >= gj - 1 || k >= gk - 1) return NaN;
    const a = fi - i, b = fj - j, c = fk - k;
    let s = 0;
    for (let d = 0; d < 8; d++) {
      const w = (d & 1 ? a : 1 - a) * (d & 2 ? b : 1 - b) * (d & 4 ? c : 1 - c);
      s += w * Math.min(cap, v[i + (d & 1) + gi * (j + (d & 2 ? 1 : 0) + gj * (k + (d & 4 ? 1 : 0)))]!);
    }
    return s;
  };
}
