import { PlannerError } from '../shared/errors';
import type { VolumeGeometry } from './VolumeGeometry';
import { voxelCount } from './VolumeGeometry';
import type { VoxelArray } from './voxelBuffer';

/**
 * What the voxel values mean.
 * - `ct`: Hounsfield units (rescale applied).
 * - `cbct`: grey values of a cone-beam CT, not calibrated in HU.
 * - `label`: small integers, see the segmentation module's label table.
 * - `field`: a scalar field in millimetres (distance maps).
 */
export type VolumeKind = 'ct' | 'cbct' | 'label' | 'field';

/**
 * One voxel grid with its geometry: the single source of truth that viewer,
 * segmentation and planner share. Plain data; `voxels` may be SharedArrayBuffer-backed.
 * `generation` is bumped by whoever edits the voxels in place.
 */
export type Volume<T extends VoxelArray = VoxelArray> = {
  readonly id: string;
  readonly kind: VolumeKind;
  readonly geometry: VolumeGeometry;
  readonly voxels: T;
  generation: number;
};

export function createVolume<T extends VoxelArray>(id: string, kind: VolumeKind, geometry: VolumeGeometry, voxels: T): Volume<T> {
  const expected = voxelCount(geometry);
  if (voxels.length !== expected) {
    throw new PlannerError(
      'volume/mismatch',
      `volume ${id}: ${voxels.length} voxels for a ${geometry.dims.join(' x ')} grid (expected ${expected})`,
    );
  }
  return { id, kind, geometry, voxels, generation: 0 };
}

/** Flat index of voxel (i, j, k); no bounds check. */
export function voxelIndex(geometry: VolumeGeometry, i: number, j: number, k: number): number {
  return i + geometry.dims[0] * (j + geometry.dims[1] * k);
}
