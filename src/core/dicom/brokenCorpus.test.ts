/**
 * A corpus of broken DICOM, each case its own test: the loader (indexDicomFiles
 * + assembleSeries) must give a clear message (asserted on the text the user
 * sees: the UI shows the loader's message verbatim, without the [code]), never
 * crash (only a PlannerError with a code, or issues as data), never hang, and
 * never allocate for a length it was merely told about.
 *
 * The files are made by our own writer from a small synthetic volume and then
 * damaged on purpose (bytes patched, or attributes overridden per slice).
 * Cases that reveal a loader bug are `it.fails` with a comment naming the bug:
 * CI stays green and the bug stays visible (fix the loader, then turn them back into `it`).
 */
import { describe, expect, it } from 'vitest';
import { PlannerError, errorCodeOf } from '../shared/errors';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { assembleSeries, indexDicomFiles, writeCtSeries, type DicomIndex, type SliceOverride } from './index';

const NI = 16;
const NJ = 12;
const NK = 6;
const voxels = new Int16Array(NI * NJ * NK).map((_, n) => (n % 97) * 10 - 300);
const volume = createVolume('corpus', 'ct', createVolumeGeometry({ dims: [NI, NJ, NK], spacingMm: [1, 1, 2], originLps: [0, 0, 0] }), voxels);
const META = { patientName: 'BROKEN^CORPUS', patientId: 'BC-1', seriesDescription: 'corpus', uidSeed: 'broken-corpus' };

type File = { name: string; bytes: Uint8Array };

function goodFiles(override?: (k: number) => SliceOverride | undefined): File[] {
  return writeCtSeries(volume, META, override ? { perSlice: override } : {}).map((f) => ({ name: f.name, bytes: f.bytes.slice() }));
}

function toInputs(files: File[]): { name: string; bytes: ArrayBuffer }[] {
  return files.map((f) => ({ name: f.name, bytes: f.bytes.buffer.slice(f.bytes.byteOffset, f.bytes.byteOffset + f.bytes.byteLength) as ArrayBuffer }));
}

/** Offset of an explicit-VR element tag (group, element) in the data set (after the preamble). */
function tagOffset(bytes: Uint8Array, group: number, element: number): number {
  for (let n = 132; n < bytes.length - 8; n++) {
    if (bytes[n] === (group & 0xff) && bytes[n + 1] === group >> 8 && bytes[n + 2] === (element & 0xff) && bytes[n + 3] === element >> 8) {
      const vr = String.fromCharCode(bytes[n + 4]!, bytes[n + 5]!);
      if (/^[A-Z]{2}$/.test(vr)) return n;
    }
  }
  throw new Error(`tag (${group.toString(16)},${element.toString(16)}) not found`);
}

/** Overwrites the 4-byte length of an OB/OW element (explicit VR: tag, VR, 2 reserved, length). */
function setLongLength(bytes: Uint8Array, group: number, element: number, length: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(tagOffset(bytes, group, element) + 8, length, true);
}

/** Overwrites the 2-byte length of a short-VR element. */
function setShortLength(bytes: Uint8Array, group: number, element: number, length: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint16(tagOffset(bytes, group, element) + 6, length, true);
}

/** Index result, or the PlannerError it threw (anything else fails the test). */
function index(files: File[]): DicomIndex | PlannerError {
  try {
    return indexDicomFiles(toInputs(files));
  } catch (error) {
    expect(error).toBeInstanceOf(PlannerError);
    return error as PlannerError;
  }
}

function expectIndex(result: DicomIndex | PlannerError): DicomIndex {
  if (result instanceof PlannerError) throw new Error(`expected an index, got ${result.message}`);
  return result;
}

function expectRefusal(result: DicomIndex | PlannerError, code: string, message: RegExp): void {
  expect(result).toBeInstanceOf(PlannerError);
  expect(errorCodeOf(result)).toBe(code);
  expect((result as PlannerError).message).toMatch(message);
}

/** What the user sees for one issue: its message. */
function messages(ix: DicomIndex): string[] {
  return ix.issues.map((i) => i.message);
}

/** Assembles the only usable series; returns its voxels or the PlannerError. */
async function assembleOnly(ix: DicomIndex, maxBytes?: number): Promise<Int16Array | Float32Array | PlannerError> {
  const usable = ix.series.filter((s) => s.usable);
  expect(usable).toHaveLength(1);
  try {
    return (await assembleSeries(ix, usable[0]!.key, { shared: false, ...(maxBytes !== undefined ? { maxBytes } : {}) })).volume.voxels;
  } catch (error) {
    expect(error).toBeInstanceOf(PlannerError);
    return error as PlannerError;
  }
}

const MISSING_THIRD = /1 slice\(s\) are missing: 1 missing between IM000002\.dcm and IM000004\.dcm \(a 4 mm gap where the step is 2 mm\)\. The gap was filled by interpolating/;

describe('broken DICOM corpus', () => {
  it('a file truncated in its pixel data: skipped with "cut short", the gap reported', async () => {
    const files = goodFiles();
    files[2]!.bytes = files[2]!.bytes.subarray(0, files[2]!.bytes.length - 100);
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000003.dcm is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.');
    expect(messages(ix).some((m) => MISSING_THIRD.test(m))).toBe(true);
    const v = await assembleOnly(ix);
    expect(v).not.toBeInstanceOf(PlannerError);
  });

  // FIXED (was a DICOM loader bug, parseInstance): a file cut inside its header (here after
  // 300 bytes) is reported as 'not-dicom' with dicom-parser's internal text
  // "could not be read as DICOM (dicomParser.ByteStream: parameter 'position'
  // cannot be greater than or equal to 'byteArray' length)" instead of the
  // "is cut short" message: the ByteStream error is not matched by the
  // truncation regex /overrun|overread|beyond|end of buffer|outside/.
  it('a file truncated inside its header: "cut short", not parser jargon', () => {
    const files = goodFiles();
    files[2]!.bytes = files[2]!.bytes.subarray(0, 300);
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000003.dcm is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.');
  });

  it('every file truncated: refused with what to do', () => {
    const files = goodFiles().map((f) => ({ ...f, bytes: f.bytes.subarray(0, f.bytes.length - 100) }));
    expectRefusal(index(files), 'dicom/no-series', /^\[dicom\/no-series\] None of the 6 file\(s\) gives a usable CT series\. IM000001\.dcm is cut short .* Load the folder that holds the complete CT series/);
  });

  it('a wrong preamble marker (DICM overwritten): "not a DICOM file", the rest loads', () => {
    const files = goodFiles();
    files[1]!.bytes[128] = 0x58; // 'XICM'
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000002.dcm is not a DICOM file (no "DICM" marker); it was skipped.');
    expect(ix.series.filter((s) => s.usable)).toHaveLength(1);
  });

  it('no preamble at all (data set starts at byte 0): "not a DICOM file"', () => {
    const files = goodFiles();
    files[1]!.bytes = files[1]!.bytes.subarray(128);
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000002.dcm is not a DICOM file (no "DICM" marker); it was skipped.');
  });

  it('an absurd length in a text element (SeriesDescription claims 65520 bytes): skipped as cut short', () => {
    const files = goodFiles();
    setShortLength(files[3]!.bytes, 0x0008, 0x103e, 0xfff0);
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000004.dcm is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.');
  });

  it('an absurd pixel data length (0xFFFFFFF0): skipped as cut short', () => {
    const files = goodFiles();
    setLongLength(files[3]!.bytes, 0x7fe0, 0x0010, 0xfffffff0);
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000004.dcm is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.');
  });

  it('a 2 GB length claim (pixel data 0x80000000 bytes) in every file: refused, and nothing of that size is allocated', () => {
    const files = goodFiles();
    for (const f of files) setLongLength(f.bytes, 0x7fe0, 0x0010, 0x80000000);
    const before = process.memoryUsage().arrayBuffers;
    const result = index(files);
    const grownMb = (process.memoryUsage().arrayBuffers - before) / 1e6;
    expectRefusal(result, 'dicom/no-series', /None of the 6 file\(s\) gives a usable CT series\. IM000001\.dcm is cut short/);
    expect(grownMb).toBeLessThan(64);
  });

  it('undefined length (0xFFFFFFFF) on native pixel data: skipped, named, the rest loads', () => {
    const files = goodFiles();
    setLongLength(files[3]!.bytes, 0x7fe0, 0x0010, 0xffffffff);
    const ix = expectIndex(index(files));
    expect(messages(ix).some((m) => /^IM000004\.dcm could not be read as DICOM \(.*\); it was skipped\.$/.test(m))).toBe(true);
    expect(ix.series.filter((s) => s.usable)).toHaveLength(1);
  });

  it('inconsistent rows in one slice (Rows 20 for 16 x 12 pixels): that slice is skipped and the gap reported', () => {
    const files = goodFiles((k) => (k === 2 ? { extraElements: [{ tag: 0x00280010, vr: 'US', value: 20 }] } : undefined));
    const ix = expectIndex(index(files));
    expect(messages(ix)).toContain('IM000003.dcm: its pixel data holds 384 bytes, but its image attributes (20 rows x 16 columns x 16 bits) describe 640. The attributes are inconsistent, so the image would be scrambled; it was skipped.');
    expect(messages(ix).some((m) => MISSING_THIRD.test(m))).toBe(true);
  });

  it('pixel data shorter than Rows x Columns declare, in every slice: refused', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280010, vr: 'US', value: 20 }] }));
    expectRefusal(index(files), 'dicom/no-series', /None of the 6 file\(s\) gives a usable CT series\. IM000001\.dcm: its pixel data holds 384 bytes, but its image attributes \(20 rows x 16 columns x 16 bits\) describe 640/);
  });

  // FIXED (was a DICOM loader bug): pixel data LONGER than Rows x Columns x BitsAllocated/8
  // (here Columns 8 for 16-column pixels, so twice the bytes) is accepted
  // without any issue and assembled as an 8 x 12 x 6 volume of misplaced
  // pixels: a wrong image that looks plausible. The length mismatch should be
  // a 'bad-attributes' error naming the file.
  it('inconsistent columns (pixel data twice as long as declared): refused, not a scrambled image', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280011, vr: 'US', value: 8 }] }));
    const result = index(files);
    if (result instanceof PlannerError) {
      expect(result.message).toMatch(/Columns|pixel data/i);
      return;
    }
    expect(result.series.filter((s) => s.usable)).toHaveLength(0);
  });

  // FIXED (was a DICOM loader bug): BitsAllocated 8 on 16-bit pixel data is accepted
  // silently; every voxel of the assembled volume is wrong (each 16-bit pixel
  // read as two 8-bit ones, first half of the slice only). Pixel data length
  // (2 x Rows x Columns) does not match 8 bits: this should be refused.
  it('wrong BitsAllocated (8 for 16-bit data): refused, not wrong voxels', async () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280100, vr: 'US', value: 8 }] }));
    const result = index(files);
    if (result instanceof PlannerError) return;
    const v = await assembleOnly(result);
    expect(v).toBeInstanceOf(PlannerError);
  });

  it('wrong BitsAllocated (12): refused, naming the sample size', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280100, vr: 'US', value: 12 }] }));
    expectRefusal(index(files), 'dicom/no-series', /IM000001\.dcm is a MONOCHROME2 image with 12-bit samples, not a greyscale CT slice; it was skipped/);
  });

  it('wrong BitsAllocated (32 for 16-bit data): refused, naming the sample size', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280100, vr: 'US', value: 32 }] }));
    expectRefusal(index(files), 'dicom/no-series', /IM000001\.dcm is a MONOCHROME2 image with 32-bit samples, not a greyscale CT slice; it was skipped/);
  });

  it('BitsStored larger than BitsAllocated (20 of 16): the stored values are kept exactly', async () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280101, vr: 'US', value: 20 }] }));
    const v = await assembleOnly(expectIndex(index(files)));
    expect(v).toEqual(voxels);
  });

  it('zero slices: no files at all', () => {
    expectRefusal(index([]), 'dicom/no-series', /^\[dicom\/no-series\] No files were given\. Drop the folder that holds the CT series \(DICOM files\)\.$/);
  });

  it('zero slices: only empty files', () => {
    const files = [
      { name: 'a.dcm', bytes: new Uint8Array(0) },
      { name: 'b.dcm', bytes: new Uint8Array(0) },
    ];
    expectRefusal(index(files), 'dicom/no-series', /None of the 2 file\(s\) gives a usable CT series\. a\.dcm is not a DICOM file \(no "DICM" marker\); it was skipped\. b\.dcm is not a DICOM file/);
  });

  it('zero slices: CT objects without pixel data', () => {
    const files = goodFiles(() => ({ omitPixelData: true }));
    expectRefusal(index(files), 'dicom/no-series', /IM000001\.dcm is an image without pixel data \(an incomplete export\); it was skipped/);
  });

  // FIXED (was a DICOM loader bug): Rows 0 passes indexDicomFiles as a usable series; the
  // failure only comes from assembleSeries as 'volume/geometry' "grid size
  // 16 x 0 x 6 is not a positive whole number in every axis", which tells a
  // radiologist nothing. Rows/Columns 0 should be refused per file at index time.
  it('Rows 0: refused at indexing with a message about the image size', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280010, vr: 'US', value: 0 }] }));
    const result = index(files);
    expect(result).toBeInstanceOf(PlannerError);
  });

  // FIXED (was a DICOM loader bug): ImageOrientationPatient of six zeros gives a "usable"
  // series with sliceCount NaN and an info issue "gantry tilt of 90 degrees";
  // assembleSeries then throws 'volume/geometry' "grid size 16 x 12 x NaN".
  // A degenerate orientation should be refused per file ('bad-attributes').
  it('ImageOrientationPatient all zeros: refused, not a NaN-sized volume', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00200037, vr: 'DS', value: [0, 0, 0, 0, 0, 0] }] }));
    const result = index(files);
    if (result instanceof PlannerError) return;
    expect(result.series.every((s) => !s.usable || Number.isFinite(s.sliceCount))).toBe(true);
    expect(result.series.filter((s) => s.usable)).toHaveLength(0);
  });

  it('PixelSpacing 0\\0: refused, distances unknown', () => {
    const files = goodFiles(() => ({ extraElements: [{ tag: 0x00280030, vr: 'DS', value: [0, 0] }] }));
    expectRefusal(index(files), 'dicom/no-series', /IM000001\.dcm has no PixelSpacing, so distances in it are unknown; it was skipped/);
  });

  it('a series larger than the memory limit: refused up front with the size it needs', async () => {
    const v = await assembleOnly(expectIndex(index(goodFiles())), 1000);
    expect(v).toBeInstanceOf(PlannerError);
    expect(errorCodeOf(v)).toBe('dicom/too-large');
    expect((v as PlannerError).message).toMatch(/This series needs \d+ MB of memory \(16 x 12 x 6 voxels\) and the limit here is/);
  });
});
