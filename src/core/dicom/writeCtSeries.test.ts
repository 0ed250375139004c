import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { createUid, isValidUid } from './createUid';
import { dciodvfyErrors, dcmdump } from './testing/dicomTools';
import { formatDs } from './writePart10';
import { writeCtSeries } from './writeCtSeries';

function smallVolume(direction?: number[]) {
  const geometry = createVolumeGeometry({
    dims: [8, 6, 4],
    spacingMm: [0.7, 0.8, 2.5],
    originLps: [-10.25, 20, 30],
    ...(direction ? { direction } : {}),
  });
  const voxels = new Int16Array(8 * 6 * 4);
  for (let n = 0; n < voxels.length; n++) voxels[n] = ((n * 37) % 2400) - 1000;
  return createVolume('test', 'ct', geometry, voxels);
}

const META = { patientName: 'Phantom^Pelvis', patientId: 'PH-001', seriesDescription: 'Pelvis bone 0.7', uidSeed: 'unit', studyDate: '20260115' };

/** Value of one element in `dcmdump` output, e.g. "[0.8\0.7]" -> "0.8\0.7". */
function dumped(dump: string, tag: string): string | undefined {
  const line = dump.split('\n').find((l) => l.startsWith(tag));
  const m = line ? /\[(.*?)\]/.exec(line) : null;
  return m ? m[1] : line?.split(/\s+/)[2];
}

describe('writeCtSeries', () => {
  it('writes one valid CT Image Storage file per slice (dciodvfy reports no errors)', () => {
    const files = writeCtSeries(smallVolume(), META);
    expect(files.map((f) => f.name)).toEqual(['IM000001.dcm', 'IM000002.dcm', 'IM000003.dcm', 'IM000004.dcm']);
    for (const f of files) expect(dciodvfyErrors(f.bytes)).toEqual([]);
  });

  it('writes the geometry exactly: positions step along the slice axis, spacing in DICOM order', () => {
    const files = writeCtSeries(smallVolume(), META);
    const dump = dcmdump(files[2]!.bytes);
    expect(dumped(dump, '(0020,0032)')).toBe('-10.25\\20\\35');
    expect(dumped(dump, '(0020,0037)')).toBe('1\\0\\0\\0\\1\\0');
    expect(dumped(dump, '(0028,0030)')).toBe('0.8\\0.7');
    expect(dumped(dump, '(0018,0050)')).toBe('2.5');
    expect(dumped(dump, '(0028,0010)')).toBe('6');
    expect(dumped(dump, '(0028,0011)')).toBe('8');
    expect(dumped(dump, '(0020,0013)')).toBe('3');
    expect(dumped(dump, '(0008,0060)')).toBe('CT');
    expect(dumped(dump, '(0010,0010)')).toBe('Phantom^Pelvis');
  });

  it('gives deterministic, valid UIDs from a seed and fresh ones without', () => {
    const a = writeCtSeries(smallVolume(), META);
    const b = writeCtSeries(smallVolume(), META);
    expect(Buffer.from(a[0]!.bytes).equals(Buffer.from(b[0]!.bytes))).toBe(true);
    const dump = dcmdump(a[0]!.bytes);
    for (const tag of ['(0008,0018)', '(0020,000d)', '(0020,000e)', '(0020,0052)']) {
      const uid = dumped(dump, tag)!;
      expect(isValidUid(uid)).toBe(true);
      expect(uid.startsWith('2.25.')).toBe(true);
    }
    const sops = new Set(a.map((f) => dumped(dcmdump(f.bytes), '(0008,0018)')));
    expect(sops.size).toBe(4);
    expect(createUid()).not.toBe(createUid());
    expect(createUid('x')).toBe(createUid('x'));
  });

  it('stores (value - intercept) / slope for a CBCT-like rescale and refuses values that do not fit Int16', () => {
    const v = smallVolume();
    const files = writeCtSeries(v, { ...META, rescaleSlope: 0.5, rescaleIntercept: -1024 });
    const dump = dcmdump(files[0]!.bytes, ['+P', '7fe0,0010', '+L']);
    const first = Number.parseInt(/OW ([0-9a-f]{4})/.exec(dump)![1]!, 16);
    const expected = Math.round((v.voxels[0]! + 1024) / 0.5);
    expect(first).toBe(expected < 0 ? expected + 65536 : expected);
    expect(() => writeCtSeries(v, { ...META, rescaleSlope: 0.01 })).toThrow(/does not fit a signed 16-bit pixel/);
  });

  it('writes a gantry-tilted series with sheared positions and GantryDetectorTilt', () => {
    const tilt = (12 * Math.PI) / 180;
    // k axis tilted towards +y (posterior) within the y-z plane.
    const files = writeCtSeries(smallVolume([1, 0, 0, 0, 1, 0, 0, Math.sin(tilt), Math.cos(tilt)]), META);
    const d0 = dcmdump(files[0]!.bytes);
    const d1 = dcmdump(files[1]!.bytes);
    expect(Number(dumped(d0, '(0018,1120)'))).toBeCloseTo(12, 3);
    const p0 = dumped(d0, '(0020,0032)')!.split('\\').map(Number);
    const p1 = dumped(d1, '(0020,0032)')!.split('\\').map(Number);
    expect(p1[1]! - p0[1]!).toBeCloseTo(2.5 * Math.sin(tilt), 4);
    expect(Number(dumped(d0, '(0018,0050)'))).toBeCloseTo(2.5 * Math.cos(tilt), 4);
    expect(dciodvfyErrors(files[0]!.bytes)).toEqual([]);
  });

  it('builds broken inputs on request: a skipped slice, another series, an MR instance, no pixel data', () => {
    const files = writeCtSeries(smallVolume(), META, {
      perSlice: (k) =>
        k === 1 ? 'skip'
        : k === 2 ? { modality: 'MR' }
        : k === 3 ? { omitPixelData: true, seriesInstanceUid: createUid('other') }
        : undefined,
    });
    expect(files.map((f) => f.name)).toEqual(['IM000001.dcm', 'IM000003.dcm', 'IM000004.dcm']);
    const mr = dcmdump(files[1]!.bytes);
    expect(dumped(mr, '(0008,0060)')).toBe('MR');
    expect(mr).toContain('MRImageStorage');
    const noPixels = dcmdump(files[2]!.bytes);
    expect(noPixels).not.toContain('(7fe0,0010)');
    expect(dumped(noPixels, '(0020,000e)')).toBe(createUid('other'));
  });

  it('formats decimal strings within 16 characters', () => {
    for (const v of [0.7480469942092896, -123.45678901234567, 1e-7, 123456789.123456, 0.1 + 0.2]) {
      const s = formatDs(v);
      expect(s.length).toBeLessThanOrEqual(16);
      expect(Math.abs(Number(s) - v)).toBeLessThanOrEqual(Math.abs(v) * 1e-12 + 1e-12);
    }
  });
});
