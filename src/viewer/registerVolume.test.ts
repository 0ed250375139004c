import { describe, expect, it } from 'vitest';
import { cache } from '@cornerstonejs/core';
import { createVolume, voxelIndex } from '../core/volume/Volume';
import { createVolumeGeometry } from '../core/volume/VolumeGeometry';
import { allocVoxels } from '../core/volume/voxelBuffer';
import { registerVolume } from './registerVolume';

function smallCt(shared: boolean) {
  const geometry = createVolumeGeometry({ dims: [6, 5, 4], spacingMm: [0.7, 0.7, 1.5], originLps: [-2, 3, 40], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const voxels = allocVoxels(Int16Array, 6 * 5 * 4, { shared });
  for (let i = 0; i < voxels.length; i++) voxels[i] = i - 60;
  return createVolume(shared ? 'ct-shared' : 'ct-plain', 'ct', geometry, voxels);
}

describe('registerVolume', () => {
  for (const shared of [false, true]) {
    it(`shares the core buffer with Cornerstone (${shared ? 'SharedArrayBuffer' : 'ArrayBuffer'}): a voxel written through core reads back through the voxelManager`, () => {
      const volume = smallCt(shared);
      const reg = registerVolume(volume, 'CT');
      try {
        expect(reg.copied).toBe(false);
        expect(reg.volumeId).not.toContain(':');
        const vm = reg.csVolume.voxelManager!;
        const idx = voxelIndex(volume.geometry, 4, 3, 2);
        expect(vm.getAtIndex(idx)).toBe(idx - 60);
        volume.voxels[idx] = 1234;
        expect(vm.getAtIndex(idx)).toBe(1234);
        expect(vm.getAtIJK(4, 3, 2)).toBe(1234);
        // And the other way round: Cornerstone writes land in our buffer.
        vm.setAtIJK(1, 1, 3, -777);
        expect(volume.voxels[voxelIndex(volume.geometry, 1, 1, 3)]).toBe(-777);
        // Geometry passes through unchanged.
        expect(Array.from(reg.csVolume.dimensions)).toEqual([6, 5, 4]);
        expect(Array.from(reg.csVolume.spacing)).toEqual([0.7, 0.7, 1.5]);
        expect(Array.from(reg.csVolume.origin)).toEqual([-2, 3, 40]);
      } finally {
        reg.release();
      }
    });
  }

  it('releases the volume and every slice image from the cache', () => {
    const volume = smallCt(false);
    const reg = registerVolume(volume, 'CT');
    const imageIds = [...reg.csVolume.imageIds];
    expect(imageIds).toHaveLength(4);
    expect(cache.getVolume(reg.volumeId)).toBeDefined();
    reg.release();
    reg.release();
    expect(cache.getVolume(reg.volumeId)).toBeUndefined();
    for (const id of imageIds) expect(cache.getImage(id)).toBeUndefined();
  });

  it('converts an Int32 volume once (Cornerstone has no Int32 textures) and says so', () => {
    const geometry = createVolumeGeometry({ dims: [3, 3, 2], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
    const voxels = new Int32Array(18).map((_, i) => i * 100 - 1000);
    const reg = registerVolume(createVolume('ct-int32', 'ct', geometry, voxels), 'CT');
    try {
      expect(reg.copied).toBe(true);
      expect(reg.csVolume.voxelManager!.getAtIndex(17)).toBe(700);
    } finally {
      reg.release();
    }
  });
});
