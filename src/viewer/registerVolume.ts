/**
 * Registers a core Volume with Cornerstone3D without a second CPU copy.
 *
 * `volumeLoader.createLocalVolume` cuts the contiguous array we pass into
 * per-slice `subarray` views (read in @cornerstonejs/core 5.14
 * loaders/volumeLoader.js and proven in registerVolume.test.ts), so
 * Cornerstone's voxelManager reads and writes our buffer, SharedArrayBuffer
 * included. Geometry passes through unchanged: both use dims [ni, nj, nk],
 * spacing [i, j, k] and direction = [row cosines, column cosines, normal].
 *
 * Cornerstone accepts Uint8, Int16, Uint16 and Float32 only: an Int32 volume
 * (e.g. a NIfTI-born CT) is copied once into Int16 when its range fits, else
 * Float32. That copy is reported in `copied`.
 */
import { cache, volumeLoader, type Types } from '@cornerstonejs/core';
import type { Volume } from '../core/volume/Volume';
import type { VoxelArray } from '../core/volume/voxelBuffer';

export type RegisteredVolume = {
  /** Cornerstone volume id (no colon: a colon makes Cornerstone look for a loader scheme). */
  readonly volumeId: string;
  readonly csVolume: Types.IImageVolume;
  /** True when the voxels had to be converted (Int32 input); false = zero-copy. */
  readonly copied: boolean;
  /** Removes the volume and its slice images from Cornerstone's cache. Idempotent. */
  release(): void;
};

type CsScalarArray = Int16Array | Uint16Array | Uint8Array | Float32Array;

function toCornerstoneArray(voxels: VoxelArray): { data: CsScalarArray; copied: boolean } {
  if (voxels instanceof Int32Array) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < voxels.length; i++) {
      const v = voxels[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const data = lo >= -32768 && hi <= 32767 ? new Int16Array(voxels.length) : new Float32Array(voxels.length);
    data.set(voxels);
    return { data, copied: true };
  }
  return { data: voxels, copied: false };
}

/** Makes a Cornerstone-safe id from a core volume id and a sequence number. */
export function cornerstoneVolumeId(coreId: string, sequence: number): string {
  return `planner-${coreId.replace(/[^A-Za-z0-9._-]/g, '_')}-${sequence}`;
}

let sequence = 0;

/** Frame of reference UID Cornerstone gets for a volume (labels registered over it must use the same). */
export function frameOfReferenceUid(volume: Volume): string {
  return `planner-for-${volume.id}`;
}

/**
 * Registers `volume` in Cornerstone's cache and marks it for upload.
 * Ownership: Cornerstone keeps views of `volume.voxels`; call `release()`
 * before dropping the volume. Writes to the voxels afterwards need
 * `csVolume.modified()`/`invalidate()` to reach the GPU.
 */
export function registerVolume(volume: Volume, modality: string, options: { frameOfReferenceOf?: Volume } = {}): RegisteredVolume {
  const g = volume.geometry;
  const { data, copied } = toCornerstoneArray(volume.voxels);
  const volumeId = cornerstoneVolumeId(volume.id, ++sequence);
  const isFloat = data instanceof Float32Array;
  const bits = data instanceof Uint8Array ? 8 : isFloat ? 32 : 16;
  const signed = data instanceof Int16Array || isFloat;
  const metadata = {
    BitsAllocated: bits,
    BitsStored: bits,
    SamplesPerPixel: 1,
    HighBit: bits - 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelRepresentation: signed ? 1 : 0,
    Modality: modality,
    SeriesInstanceUID: volume.id,
    ImageOrientationPatient: g.direction.slice(0, 6),
    PixelSpacing: [g.spacingMm[1], g.spacingMm[0]],
    // A label volume shares its CT's frame (Cornerstone only overlays a labelmap on a viewport of the same frame).
    FrameOfReferenceUID: frameOfReferenceUid(options.frameOfReferenceOf ?? volume),
    Columns: g.dims[0],
    Rows: g.dims[1],
    voiLut: [],
    VOILUTFunction: 'LINEAR',
  } as Types.Metadata;
  const csVolume = volumeLoader.createLocalVolume(volumeId, {
    metadata,
    dimensions: [g.dims[0], g.dims[1], g.dims[2]],
    spacing: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
    origin: [g.originLps[0], g.originLps[1], g.originLps[2]],
    direction: g.direction.slice(0, 9) as unknown as Types.Mat3,
    scalarData: data,
  });
  // Without this the first texture upload is all zeros (flat grey views).
  csVolume.invalidate?.();
  let released = false;
  return {
    volumeId,
    csVolume,
    copied,
    release() {
      if (released) return;
      released = true;
      const imageIds = [...(csVolume.imageIds ?? [])];
      if (cache.getVolume(volumeId)) cache.removeVolumeLoadObject(volumeId);
      for (const imageId of imageIds) {
        if (cache.getImageLoadObject(imageId) || cache.getImage(imageId)) cache.removeImageLoadObject(imageId, { force: true });
      }
    },
  };
}
