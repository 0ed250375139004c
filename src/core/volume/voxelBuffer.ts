/** Typed arrays a voxel grid may be stored in. */
export type VoxelArray = Int16Array | Uint16Array | Float32Array | Uint8Array | Int32Array;

export type VoxelArrayConstructor =
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Float32ArrayConstructor
  | Uint8ArrayConstructor
  | Int32ArrayConstructor;

/**
 * Allocates a zeroed voxel buffer. With `shared: true` the memory is a
 * SharedArrayBuffer, so posting the array to a worker shares it instead of
 * copying. The caller decides (core never reads `crossOriginIsolated`).
 */
export function allocVoxels<C extends VoxelArrayConstructor>(
  Ctor: C,
  count: number,
  options: { shared: boolean },
): InstanceType<C> {
  const bytes = count * Ctor.BYTES_PER_ELEMENT;
  const buffer = options.shared && typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  return new Ctor(buffer as ArrayBuffer, 0, count) as InstanceType<C>;
}

export function isShared(array: VoxelArray): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && array.buffer instanceof SharedArrayBuffer;
}
