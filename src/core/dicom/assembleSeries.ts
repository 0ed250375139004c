import { PlannerError } from '../shared/errors';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { allocVoxels } from '../volume/voxelBuffer';
import type { Vec3 } from '../geometry/vec3';
import { estimateHuCalibration } from './estimateHuCalibration';
import { fitsInt16, isCt } from './indexDicomFiles';
import { transferSyntaxName } from './parseInstance';
import type { AssembleOptions, AssembledSeries, DicomIndex, DicomInstance, LoadIssue, SeriesGroup, SeriesInfo, SeriesReference } from './types';

type SourceArray = Int16Array | Uint16Array | Uint8Array | Int8Array | Int32Array;

const HOST_LITTLE = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Finds a group by key, or by SeriesInstanceUID (then the first usable part). */
export function findSeriesGroup(index: DicomIndex, seriesKeyOrUid: string): SeriesGroup | undefined {
  return (
    index.groups.find((g) => g.summary.key === seriesKeyOrUid) ??
    index.groups.find((g) => g.summary.uid === seriesKeyOrUid && g.summary.usable) ??
    index.groups.find((g) => g.summary.uid === seriesKeyOrUid)
  );
}

/**
 * Stored pixel values of one native frame as a typed array: a view into the
 * file when possible (little-endian host, aligned), else a copy. BitsStored <
 * BitsAllocated is masked (unsigned) or sign-extended (signed).
 */
function nativeFrame(instance: DicomInstance, frameIndex: number): SourceArray {
  const ref = instance.pixelData;
  if (!ref || ref.encapsulated) throw new PlannerError('assert', 'nativeFrame on encapsulated data');
  const count = instance.rows * instance.columns;
  const signed = instance.pixelRepresentation === 1;
  if (instance.bitsAllocated === 8) {
    const bytes = ref.bytes.subarray(frameIndex * count, (frameIndex + 1) * count);
    return maskBits(signed ? new Int8Array(bytes.buffer, bytes.byteOffset, count) : bytes, instance);
  }
  const frameBytes = count * 2;
  const start = ref.bytes.byteOffset + frameIndex * frameBytes;
  let array: Int16Array | Uint16Array;
  if (ref.littleEndian === HOST_LITTLE && start % 2 === 0) {
    array = signed ? new Int16Array(ref.bytes.buffer, start, count) : new Uint16Array(ref.bytes.buffer, start, count);
  } else {
    const copy = new Uint8Array(frameBytes);
    copy.set(ref.bytes.subarray(frameIndex * frameBytes, (frameIndex + 1) * frameBytes));
    if (ref.littleEndian !== HOST_LITTLE) for (let b = 0; b < frameBytes; b += 2) { const t = copy[b]!; copy[b] = copy[b + 1]!; copy[b + 1] = t; }
    array = signed ? new Int16Array(copy.buffer) : new Uint16Array(copy.buffer);
  }
  return maskBits(array, instance);
}

function maskBits(array: SourceArray, instance: DicomInstance): SourceArray {
  const bits = instance.bitsStored;
  if (bits >= instance.bitsAllocated) return array;
  const out = new Int32Array(array.length);
  const shift = 32 - bits;
  const mask = 2 ** bits - 1;
  if (instance.pixelRepresentation === 1) for (let n = 0; n < array.length; n++) out[n] = (array[n]! << shift) >> shift;
  else for (let n = 0; n < array.length; n++) out[n] = array[n]! & mask;
  return out;
}

/**
 * out[offset + n] = src[n] * slope + intercept. Returns false (and stops) if
 * `checkRange` and a value does not fit Int16. Small and separate so V8 keeps it monomorphic and fast.
 */
function rescaleInto(out: Int16Array | Float32Array, offset: number, src: SourceArray, count: number, slope: number, intercept: number, checkRange: boolean): boolean {
  if (checkRange) {
    for (let n = 0; n < count; n++) {
      const v = src[n]! * slope + intercept;
      if (v < -32768 || v > 32767) return false;
      out[offset + n] = v;
    }
  } else if (slope === 1) {
    for (let n = 0; n < count; n++) out[offset + n] = src[n]! + intercept;
  } else {
    for (let n = 0; n < count; n++) out[offset + n] = src[n]! * slope + intercept;
  }
  return true;
}

/** Linear interpolation of two rescaled frames (weight w on b); Int16 output is rounded. */
function interpolateInto(
  out: Int16Array | Float32Array, offset: number,
  a: SourceArray, sa: number, ia: number,
  b: SourceArray, sb: number, ib: number,
  count: number, w: number, checkRange: boolean,
): boolean {
  const u = 1 - w;
  const round = out instanceof Int16Array;
  for (let n = 0; n < count; n++) {
    const v = u * (a[n]! * sa + ia) + w * (b[n]! * sb + ib);
    if (checkRange && (v < -32768 || v > 32767)) return false;
    out[offset + n] = round ? Math.round(v) : v;
  }
  return true;
}

/**
 * Builds the volume of one series: ONE voxel allocation (Int16Array when every
 * rescaled value fits, else Float32Array; SharedArrayBuffer with
 * `options.shared`), rescale slope/intercept applied once, gaps interpolated
 * on the regular grid from computeSeriesGrid, geometry exactly as the files
 * place the pixels. Returns per-series issues as data (with the HU check).
 *
 * Throws PlannerError: 'dicom/no-series' (unknown or unusable series),
 * 'dicom/not-ct', 'dicom/too-large' (more than options.maxBytes, with the
 * size it needs), 'dicom/unsupported-transfer-syntax' (compressed and no decoder for it).
 */
export async function assembleSeries(index: DicomIndex, seriesKeyOrUid: string, options: AssembleOptions): Promise<AssembledSeries> {
  const group = findSeriesGroup(index, seriesKeyOrUid);
  if (!group) throw new PlannerError('dicom/no-series', `series ${seriesKeyOrUid} is not among the loaded files; load its folder again`);
  const { summary, instances, grid } = group;
  if (!summary.usable || !grid) {
    const code = isCt(instances[0]!) ? 'dicom/no-series' : 'dicom/not-ct';
    throw new PlannerError(code, summary.unusableReason ?? 'this series cannot be assembled into a volume');
  }
  const issues: LoadIssue[] = [...group.issues];
  const [ni, nj, nk] = grid.dims;
  const perSlice = ni * nj;

  // Output type: Int16 when every rescaled value fits exactly.
  let useInt16 = true;
  let needScan = false;
  for (const [inst, f] of grid.frames) {
    const instance = instances[inst]!;
    const frame = instance.frames[f]!;
    if (fitsInt16(instance, frame.rescaleSlope, frame.rescaleIntercept)) continue;
    if (Number.isInteger(frame.rescaleSlope) && Number.isInteger(frame.rescaleIntercept)) needScan = true;
    else useInt16 = false;
  }
  // needScan: Int16 only if the actual values fit; checked while copying (one pass), restarting in Float32 if not.
  const bytesNeeded = perSlice * nk * (useInt16 ? 2 : 4);
  if (options.maxBytes !== undefined && bytesNeeded > options.maxBytes) {
    const mb = (b: number): string => `${Math.ceil(b / (1024 * 1024))} MB`;
    throw new PlannerError(
      'dicom/too-large',
      `This series needs ${mb(bytesNeeded)} of memory (${ni} x ${nj} x ${nk} voxels) and the limit here is ${mb(options.maxBytes)}. Load a thinner-sliced subset or a smaller field of view, or use a computer with more memory.`,
    );
  }
  const ts = summary.transferSyntaxUid;
  const encapsulated = instances.some((i) => i.pixelData?.encapsulated);
  if (encapsulated && (!options.decoder || !options.decoder.transferSyntaxes.includes(ts))) {
    throw new PlannerError(
      'dicom/unsupported-transfer-syntax',
      `This series is compressed (${transferSyntaxName(ts)}) and no decoder for it is available here. Export it uncompressed from the PACS, or reload the application.`,
    );
  }

  // Streaming: instances indexed from their headers get their pixel bytes read here, a few ahead of use,
  // and released once no later plane needs them (peak memory ~ the volume, not volume + files).
  const deferred = instances.some((i) => i.pixelData && !i.pixelData.encapsulated && i.pixelData.deferred);
  if (deferred && !options.readPixels) {
    throw new PlannerError('assert', 'series indexed from headers only needs options.readPixels to assemble');
  }
  const loading = new Map<number, Promise<void>>();
  const lastPlaneOf = new Map<number, number>();
  grid.planes.forEach((p, k) => {
    lastPlaneOf.set(grid.frames[p.a]![0], k);
    lastPlaneOf.set(grid.frames[p.b]![0], k);
  });
  const ensureLoaded = (inst: number): Promise<void> => {
    const instance = instances[inst]!;
    const ref = instance.pixelData;
    if (!ref || ref.encapsulated || !ref.deferred || ref.bytes.length > 0) return Promise.resolve();
    let pending = loading.get(inst);
    if (!pending) {
      const expected = ref.deferred.length;
      pending = options.readPixels!(instance).then((bytes) => {
        if (bytes.length < expected) {
          throw new PlannerError('dicom/truncated', `${instance.fileName} is cut short (an incomplete copy or download): ${bytes.length} of ${expected} pixel bytes. Copy the series again.`);
        }
        ref.bytes = bytes.length === expected ? bytes : bytes.subarray(0, expected);
      });
      loading.set(inst, pending);
    }
    return pending;
  };
  const READ_AHEAD = 8;
  const prefetch = (k: number): void => {
    for (let q = k; q < Math.min(nk, k + READ_AHEAD); q++) {
      const p = grid.planes[q]!;
      void ensureLoaded(grid.frames[p.a]![0]).catch(() => undefined);
      void ensureLoaded(grid.frames[p.b]![0]).catch(() => undefined);
    }
  };
  const release = (k: number): void => {
    const p = grid.planes[k]!;
    for (const s of [p.a, p.b]) {
      const inst = grid.frames[s]![0];
      const ref = instances[inst]!.pixelData;
      if (ref && !ref.encapsulated && ref.deferred && lastPlaneOf.get(inst) === k) {
        ref.bytes = new Uint8Array(0);
        loading.delete(inst);
      }
    }
  };

  // Source frame access, with a small cache for decoded (compressed) frames.
  const decoded = new Map<number, SourceArray>();
  const source = async (s: number): Promise<SourceArray> => {
    const [inst, f] = grid.frames[s]!;
    const instance = instances[inst]!;
    const ref = instance.pixelData!;
    if (!ref.encapsulated) {
      await ensureLoaded(inst);
      return nativeFrame(instance, f);
    }
    const cached = decoded.get(s);
    if (cached) return cached;
    let out: Int16Array | Uint16Array | Uint8Array;
    try {
      out = await options.decoder!.decode(ref.frames[f]!, instance.transferSyntaxUid, {
      rows: instance.rows,
      columns: instance.columns,
      bitsAllocated: instance.bitsAllocated,
      bitsStored: instance.bitsStored,
      pixelRepresentation: instance.pixelRepresentation,
      samplesPerPixel: instance.samplesPerPixel,
      });
    } catch (error) {
      throw new PlannerError(
        'dicom/bad-attributes',
        `${instance.fileName}: its compressed image (${transferSyntaxName(instance.transferSyntaxUid)}) could not be decoded (${error instanceof Error ? error.message : String(error)}). The file is damaged or uses an unusual variant: export the series again, uncompressed if possible.`,
      );
    }
    if (out.length !== perSlice) {
      throw new PlannerError('dicom/bad-attributes', `${instance.fileName}: the decoder returned ${out.length} pixels for a ${instance.columns} x ${instance.rows} image`);
    }
    const masked = maskBits(out, instance);
    if (decoded.size >= 2) decoded.delete(decoded.keys().next().value!);
    decoded.set(s, masked);
    return masked;
  };
  const rescaleOf = (s: number): [number, number] => {
    const [inst, f] = grid.frames[s]!;
    const frame = instances[inst]!.frames[f]!;
    return [frame.rescaleSlope, frame.rescaleIntercept];
  };

  const interpolated: number[] = [];
  const progressEvery = Math.max(1, Math.floor(nk / 50));
  const fill = async (voxels: Int16Array | Float32Array, checkRange: boolean): Promise<boolean> => {
    interpolated.length = 0;
    for (let k = 0; k < nk; k++) {
      const plane = grid.planes[k]!;
      const offset = k * perSlice;
      if (deferred) prefetch(k);
      const a = await source(plane.a);
      const [sa, ia] = rescaleOf(plane.a);
      if (plane.w === 0 || plane.a === plane.b) {
        if (voxels instanceof Int16Array && sa === 1 && ia === 0 && a instanceof Int16Array) voxels.set(a, offset);
        else if (!rescaleInto(voxels, offset, a, perSlice, sa, ia, checkRange)) return false;
      } else {
        interpolated.push(k);
        const b = await source(plane.b);
        const [sb, ib] = rescaleOf(plane.b);
        if (!interpolateInto(voxels, offset, a, sa, ia, b, sb, ib, perSlice, plane.w, checkRange)) return false;
      }
      if (deferred) release(k);
      if (options.onProgress && k % progressEvery === 0 && k < nk - 1) void options.onProgress(k + 1, nk);
    }
    return true;
  };
  let voxels: Int16Array | Float32Array = useInt16 ? allocVoxels(Int16Array, perSlice * nk, { shared: options.shared }) : allocVoxels(Float32Array, perSlice * nk, { shared: options.shared });
  if (!(await fill(voxels, useInt16 && needScan))) {
    // A value did not fit Int16: redo in Float32 (rare: unsigned data using its top bits).
    if (options.maxBytes !== undefined && perSlice * nk * 4 > options.maxBytes) {
      throw new PlannerError('dicom/too-large', `This series needs ${Math.ceil((perSlice * nk * 4) / (1024 * 1024))} MB of memory (${ni} x ${nj} x ${nk} voxels, 32-bit values) and the limit here is ${Math.ceil(options.maxBytes / (1024 * 1024))} MB.`);
    }
    voxels = allocVoxels(Float32Array, perSlice * nk, { shared: options.shared });
    await fill(voxels, false);
  }
  // Awaited so a remote (Comlink proxy) callback has seen 100 % before the result arrives.
  if (options.onProgress) await options.onProgress(nk, nk);

  const geometry = createVolumeGeometry({ dims: grid.dims, spacingMm: grid.spacingMm, originLps: grid.originLps, direction: grid.direction });

  // HU calibration: attributes first, then the histogram.
  const first = instances[0]!;
  const hu = estimateHuCalibration(voxels);
  const hint = summary.cbctHint;
  const huCalibrated = hu.verdict === 'hu' || (hu.verdict === 'unknown' && first.hasRescale && !hint);
  const kind: 'ct' | 'cbct' = hint || !huCalibrated ? 'cbct' : 'ct';
  if (!huCalibrated) {
    const why = hint
      ? 'its attributes name a cone-beam system or non-HU rescale'
      : hu.verdict === 'not-hu'
        ? hu.reason
        : 'it carries no rescale to Hounsfield units';
    issues.push({
      code: 'not-hu-calibrated',
      severity: 'warning',
      message: `This looks like a cone-beam CT without calibrated Hounsfield units (${why}). Bone and lesion are found from this image's own histogram, and the values shown are grey values, not densities in HU: judge bone quality on the images, not on the numbers.`,
      files: [],
      seriesKey: summary.key,
    });
  }
  const window =
    huCalibrated && first.windowCenter !== null && first.windowWidth !== null && first.windowWidth > 0
      ? { center: first.windowCenter, width: first.windowWidth }
      : huCalibrated
        ? { center: 400, width: 1800 }
        : { center: (hu.p1 + hu.p99) / 2, width: Math.max(1, hu.p99 - hu.p1) };

  const m = geometry.ijkToLps;
  const slicePositionsLps: Vec3[] = [];
  const tablePositionsMm: (number | null)[] = [];
  const referenceSlices: SeriesReference['slices'] = [];
  for (let k = 0; k < nk; k++) {
    slicePositionsLps.push([m[8]! * k + m[12]!, m[9]! * k + m[13]!, m[10]! * k + m[14]!]);
    const plane = grid.planes[k]!;
    const nearest = plane.w <= 0.5 ? plane.a : plane.b;
    const [inst, frame] = grid.frames[nearest]!;
    tablePositionsMm.push(instances[inst]!.tablePositionMm);
    const source = instances[inst]!;
    referenceSlices.push({ sopClassUid: source.sopClassUid, sopInstanceUid: source.sopInstanceUid, instanceNumber: source.instanceNumber, frameNumber: frame + 1 });
  }
  const reference: SeriesReference = {
    studyInstanceUid: first.studyInstanceUid,
    seriesInstanceUid: first.seriesInstanceUid,
    frameOfReferenceUid: first.frameOfReferenceUid,
    seriesNumber: first.seriesNumber,
    modality: first.modality,
    patientName: first.patientName,
    patientId: first.patientId,
    patientBirthDate: first.patientBirthDate ?? '',
    patientSex: first.patientSex ?? '',
    studyDate: first.studyDate,
    studyTime: first.studyTime ?? '',
    studyId: first.studyId ?? '',
    accessionNumber: first.accessionNumber,
    referringPhysicianName: first.referringPhysicianName ?? '',
    studyDescription: first.studyDescription,
    seriesDescription: first.seriesDescription,
    patientPosition: first.patientPosition ?? '',
    slices: referenceSlices,
  };
  const tiltIssue = issues.some((i) => i.code === 'gantry-tilt');
  const d = grid.direction;
  const n = [d[1]! * d[5]! - d[2]! * d[4]!, d[2]! * d[3]! - d[0]! * d[5]!, d[0]! * d[4]! - d[1]! * d[3]!];
  const cosTilt = Math.min(1, Math.abs(d[6]! * n[0]! + d[7]! * n[1]! + d[8]! * n[2]!) / Math.hypot(n[0]!, n[1]!, n[2]!));
  const info: SeriesInfo = {
    ...summary,
    kind,
    huCalibrated,
    window,
    slicePositionsLps,
    tablePositionsMm,
    interpolatedSlices: interpolated,
    gantryTiltDeg: tiltIssue ? (Math.acos(cosTilt) * 180) / Math.PI : 0,
    reference,
  };
  const volume = createVolume(`dicom-${summary.key.replace(/[^0-9A-Za-z.]/g, '-')}`, kind, geometry, voxels);
  return { volume, info, issues };
}
