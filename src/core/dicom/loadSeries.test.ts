import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../shared/errors';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry, isSameGrid } from '../volume/VolumeGeometry';
import { isShared } from '../volume/voxelBuffer';
import { assembleSeries } from './assembleSeries';
import { createUid } from './createUid';
import { indexDicomFiles } from './indexDicomFiles';
import { compressWith, toArrayBuffer } from './testing/dicomTools';
import type { DicomFileInput } from './types';
import { type CtSeriesMeta, type WriteCtSeriesOptions, writeCtSeries } from './writeCtSeries';
import { type DataElement, writePart10 } from './writePart10';

const META: CtSeriesMeta = { patientName: 'Phantom^Pelvis', patientId: 'PH-1', seriesDescription: 'Pelvis 1.0 bone', uidSeed: 'load' };

/** A body-like CT: air (-1000) around an ellipse of soft tissue (40) with a bone block (1200), plus a voxel ramp. */
function phantomVolume(direction?: number[], dims: [number, number, number] = [16, 12, 10]): Volume<Int16Array> {
  const geometry = createVolumeGeometry({ dims, spacingMm: [0.75, 0.8, 2], originLps: [-6, -4.5, 100], ...(direction ? { direction } : {}) });
  const [ni, nj, nk] = dims;
  const voxels = new Int16Array(ni * nj * nk);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const x = (i - ni / 2) / (ni / 2.5), y = (j - nj / 2) / (nj / 2.5);
    const inside = x * x + y * y < 1;
    const bone = inside && Math.abs(i - ni / 2) < 2 && Math.abs(j - nj / 2) < 2;
    voxels[i + ni * (j + nj * k)] = (bone ? 1200 : inside ? 40 : -1000) + ((i + 3 * j + 7 * k) % 11);
  }
  return createVolume('phantom', 'ct', geometry, voxels);
}

function asInputs(files: { name: string; bytes: Uint8Array }[]): DicomFileInput[] {
  return files.map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) }));
}

function write(volume: Volume<Int16Array | Float32Array>, meta: Partial<CtSeriesMeta> = {}, options?: WriteCtSeriesOptions): DicomFileInput[] {
  return asInputs(writeCtSeries(volume, { ...META, ...meta }, options));
}

async function load(files: DicomFileInput[], key?: string) {
  const index = indexDicomFiles(files);
  const result = await assembleSeries(index, key ?? index.series[0]!.key, { shared: false });
  return { index, ...result };
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return errorCodeOf(error);
  }
  return undefined;
}

describe('indexDicomFiles + assembleSeries', () => {
  it('round-trips a written series: same voxels, same geometry, Int16, calibrated CT', async () => {
    const source = phantomVolume();
    const { volume, info, issues, index } = await load(write(source));
    expect(index.series).toHaveLength(1);
    expect(issues).toEqual([]);
    expect(volume.voxels).toBeInstanceOf(Int16Array);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
    expect(isSameGrid(volume.geometry, source.geometry, 1e-6)).toBe(true);
    expect(info.kind).toBe('ct');
    expect(info.huCalibrated).toBe(true);
    expect(info.patientName).toBe('Phantom^Pelvis');
    expect(info.sliceCount).toBe(10);
    expect(info.window).toEqual({ center: 400, width: 1800 });
    expect(info.sliceThicknessMm).toBe(2);
    expect(info.slicePositionsLps[3]).toEqual([-6, -4.5, 106]);
  });

  it('keeps an oblique, anisotropic geometry exact', async () => {
    const c = Math.cos(0.3), s = Math.sin(0.3);
    const source = phantomVolume([c, s, 0, -s * 0.8, c * 0.8, 0.6, s * 0.6, -c * 0.6, 0.8]);
    const { volume } = await load(write(source));
    expect(isSameGrid(volume.geometry, source.geometry, 1e-5)).toBe(true);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('sorts reversed file order by position, not by name or instance number', async () => {
    const source = phantomVolume();
    const files = write(source, {}, { perSlice: (k) => ({ instanceNumber: 100 - k }) }).reverse();
    const { volume, issues } = await load(files);
    expect(issues).toEqual([]);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
    expect(isSameGrid(volume.geometry, source.geometry, 1e-6)).toBe(true);
  });

  it('reports a missing slice with the gap size and fills it by interpolation', async () => {
    const source = phantomVolume();
    const { volume, info, issues } = await load(write(source, {}, { perSlice: (k) => (k === 4 ? 'skip' : undefined) }));
    const missing = issues.find((i) => i.code === 'missing-slices')!;
    expect(missing.severity).toBe('warning');
    expect(missing.message).toContain('1 slice(s) are missing');
    expect(missing.message).toContain('a 4 mm gap where the step is 2 mm');
    expect(missing.message).toContain('do not rely on that level for a screw path');
    expect(missing.files).toEqual(['IM000004.dcm', 'IM000006.dcm']);
    expect(info.interpolatedSlices).toEqual([4]);
    expect(volume.geometry.dims).toEqual([16, 12, 10]);
    expect(isSameGrid(volume.geometry, source.geometry, 1e-6)).toBe(true);
    const plane = 16 * 12;
    for (const n of [0, 37, 100, 191]) {
      const expected = Math.round((source.voxels[3 * plane + n]! + source.voxels[5 * plane + n]!) / 2);
      expect(volume.voxels[4 * plane + n]).toBe(expected);
    }
  });

  it('does not drift when positions are written with two decimals (0.625 mm slices as 0.62/0.63 steps)', async () => {
    const source = phantomVolume(undefined, [16, 12, 40]);
    const rounded = (k: number): [number, number, number] => [-6, -4.5, Math.round((100 + 0.625 * k) * 100) / 100];
    const { volume, issues, info } = await load(write(source, {}, { perSlice: (k) => ({ imagePositionLps: rounded(k) }) }));
    expect(issues).toEqual([]);
    expect(info.interpolatedSlices).toEqual([]);
    expect(volume.geometry.dims[2]).toBe(40);
    expect(volume.geometry.spacingMm[2]).toBeCloseTo((rounded(39)[2] - rounded(0)[2]) / 39, 9);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('reports uneven spacing and resamples to the usual step', async () => {
    const source = phantomVolume();
    const shifted = (k: number): [number, number, number] => [-6, -4.5, 100 + 2 * k + (k >= 6 ? 0.7 : 0)];
    const { volume, issues } = await load(write(source, {}, { perSlice: (k) => ({ imagePositionLps: shifted(k) }) }));
    const uneven = issues.find((i) => i.code === 'uneven-spacing')!;
    expect(uneven.message).toContain('between 2.7 and 2.7 mm where the usual step is 2 mm');
    expect(uneven.message).toContain('resampled to a regular 2 mm grid');
    expect(volume.geometry.spacingMm[2]).toBeCloseTo(2, 6);
    expect(volume.geometry.dims[2]).toBe(Math.round(18.7 / 2) + 1);
  });

  it('keeps a gantry-tilted series exact with a sheared k axis and says so', async () => {
    const t = (15 * Math.PI) / 180;
    const source = phantomVolume([1, 0, 0, 0, 1, 0, 0, Math.sin(t), Math.cos(t)]);
    const { volume, info, issues } = await load(write(source));
    const tilt = issues.find((i) => i.code === 'gantry-tilt')!;
    expect(tilt.severity).toBe('info');
    expect(tilt.message).toContain('gantry tilt of 15 degrees');
    expect(tilt.message).toContain('sheared geometry');
    expect(isSameGrid(volume.geometry, source.geometry, 1e-5)).toBe(true);
    expect(info.gantryTiltDeg).toBeCloseTo(15, 4);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('lists two series in one drop so the user can choose, and loads either', async () => {
    const a = write(phantomVolume(), { seriesDescription: 'Pelvis bone', uidSeed: 'A' });
    const b = write(phantomVolume(undefined, [16, 12, 6]), { seriesDescription: 'Pelvis soft', uidSeed: 'B', seriesNumber: 2 });
    const index = indexDicomFiles([...a, ...b.map((f) => ({ ...f, name: `b/${f.name}` }))]);
    expect(index.series.map((s) => s.description)).toEqual(['Pelvis bone', 'Pelvis soft']);
    expect(index.issues.find((i) => i.code === 'several-series')!.message).toBe('These files hold 2 series: choose the one to plan on.');
    const second = await assembleSeries(index, index.series[1]!.uid, { shared: false });
    expect(second.volume.geometry.dims).toEqual([16, 12, 6]);
  });

  it('warns, naming both, when the series belong to different patients', () => {
    const a = write(phantomVolume(), { uidSeed: 'PA', patientName: 'Doe^Jane', patientId: 'H-100' });
    const b = write(phantomVolume(), { uidSeed: 'PB', patientName: 'Roe^Richard', patientId: 'H-200' });
    const index = indexDicomFiles([...a, ...b.map((f) => ({ ...f, name: `b/${f.name}` }))]);
    const issue = index.issues.find((i) => i.code === 'several-series')!;
    expect(issue.severity).toBe('warning');
    expect(issue.message).toBe(
      'These files hold 2 series from 2 DIFFERENT PATIENTS: Doe^Jane (ID H-100), Roe^Richard (ID H-200). Check the patient name and ID before you choose the series to plan on.',
    );
  });

  it('refuses an MR series with a clear message, and throws dicom/not-ct when only MR is given', async () => {
    const ct = write(phantomVolume());
    const mr = write(phantomVolume(), { uidSeed: 'mr', seriesDescription: 'T2 tse ax' }, { perSlice: () => ({ modality: 'MR' }) });
    const index = indexDicomFiles([...ct, ...mr.map((f) => ({ ...f, name: `mr/${f.name}` }))]);
    const mrSummary = index.series.find((s) => s.modality === 'MR')!;
    expect(mrSummary.usable).toBe(false);
    expect(index.series[0]!.usable).toBe(true);
    const issue = index.issues.find((i) => i.code === 'not-ct')!;
    expect(issue.message).toContain('This is a MR series ("T2 tse ax"). Screw planning needs CT or cone-beam CT');
    expect(codeOf(() => indexDicomFiles(mr))).toBe('dicom/not-ct');
    // Choosing the MR series of a mixed drop anyway is refused with the same reason.
    await expect(assembleSeries(index, mrSummary.key, { shared: false })).rejects.toThrow(/\[dicom\/not-ct\] This is a MR series/);
    expect(() => indexDicomFiles(mr)).toThrow(/These files hold MR images only/);
  });

  it('skips a truncated file and a non-DICOM file among good ones and names them', async () => {
    const files = write(phantomVolume());
    const truncated = { name: 'IM000010.dcm', bytes: files[9]!.bytes.slice(0, files[9]!.bytes.byteLength - 100) };
    const notDicom = { name: 'notes.txt', bytes: toArrayBuffer(new Uint8Array(Array.from('Patient transferred to IR at 9:00', (c) => c.charCodeAt(0)))) };
    const { index, volume, issues } = await load([...files.slice(0, 9), truncated, notDicom]);
    const t = index.issues.find((i) => i.code === 'truncated')!;
    expect(t.message).toBe('IM000010.dcm is cut short (an incomplete copy or download); it was skipped. Copy the series again if this slice is needed.');
    expect(t.files).toEqual(['IM000010.dcm']);
    expect(index.issues.find((i) => i.code === 'not-dicom')!.message).toBe('notes.txt is not a DICOM file (no "DICM" marker); it was skipped.');
    expect(volume.geometry.dims).toEqual([16, 12, 9]);
    expect(issues.filter((i) => i.severity !== 'info')).toEqual([]);
  });

  it('skips a file without pixel data', () => {
    const files = write(phantomVolume(), {}, { perSlice: (k) => (k === 0 ? { omitPixelData: true } : undefined) });
    const index = indexDicomFiles(files);
    expect(index.issues.find((i) => i.code === 'no-pixel-data')!.files).toEqual(['IM000001.dcm']);
    expect(index.series[0]!.sliceCount).toBe(9);
  });

  it('splits a series that mixes orientations (a scout among axials) and offers the largest part', async () => {
    const files = write(phantomVolume(), {}, { perSlice: (k) => (k === 9 ? { imageOrientationPatient: [1, 0, 0, 0, 0, -1] } : undefined) });
    const index = indexDicomFiles(files);
    expect(index.series.map((s) => s.frameCount)).toEqual([9, 1]);
    expect(index.series[1]!.key).toBe(`${index.series[0]!.uid}#2`);
    expect(index.series[1]!.usable).toBe(false);
    expect(index.issues.find((i) => i.code === 'mixed-orientation')!.message).toContain('mixes images with different orientations or pixel spacings');
    const { volume } = await assembleSeries(index, index.series[0]!.uid, { shared: false });
    expect(volume.geometry.dims[2]).toBe(9);
  });

  it('loads a clinical folder (CT + scout + DICOMDIR + dose sheet) with only informational notes for the extras', async () => {
    const source = phantomVolume();
    const ct = write(source);
    const scout = write(phantomVolume(undefined, [16, 12, 1]), { uidSeed: 'scout', seriesDescription: 'Topogram', seriesNumber: 1 }, {
      perSlice: () => ({ imageOrientationPatient: [1, 0, 0, 0, 0, -1], extraElements: [{ tag: 0x00080008, vr: 'CS', value: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] }] }),
    }).map((f) => ({ ...f, name: 'scout.dcm' }));
    const dicomdir = writePart10([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.1.3.10' },
      { tag: 0x00080018, vr: 'UI', value: createUid('dicomdir') },
      { tag: 0x0020000e, vr: 'UI', value: createUid('dicomdir-series') },
    ]);
    const dose = writeCtSeries(phantomVolume(undefined, [16, 12, 1]), { ...META, uidSeed: 'dose', seriesDescription: 'Dose Report' }, {
      perSlice: () => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.7', removeTags: [0x00200032, 0x00200037] }),
    })[0]!.bytes;
    const { index, volume } = await load([...ct, ...scout, ...asInputs([{ name: 'DICOMDIR', bytes: dicomdir }, { name: 'dose.dcm', bytes: dose }])]);
    expect(index.issues.filter((i) => i.severity !== 'info').map((i) => i.message)).toEqual([]);
    expect(index.issues.find((i) => i.files.includes('DICOMDIR'))!.message).toBe('DICOMDIR is a DICOMDIR (folder index), not a CT slice; it was skipped.');
    expect(index.issues.find((i) => i.files.includes('dose.dcm'))!.message).toContain('secondary capture such as a dose sheet');
    expect(index.issues.find((i) => i.code === 'single-slice')!.message).toBe('This is a scout (localizer) image, not part of the planning volume.');
    expect(index.series[0]!.usable).toBe(true);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('does not split a series over orientation jitter in the last decimals (rounded strings)', async () => {
    const source = phantomVolume();
    // Row cosines alternating around a rounding boundary: 0.0004999 / 0.0005001 (angles far below 0.1 degree).
    const files = write(source, {}, { perSlice: (k) => ({ imageOrientationPatient: [1, k % 2 ? 0.0004999 : 0.0005001, 0, 0, 1, 0] }) });
    const { index, issues } = await load(files);
    expect(index.series).toHaveLength(1);
    expect(issues.filter((i) => i.code === 'mixed-orientation' || i.code === 'missing-slices')).toEqual([]);
  });

  it('never puts slices of different pixel spacing (another field of view) on one grid', async () => {
    const source = phantomVolume();
    const files = write(source, {}, { perSlice: (k) => (k >= 7 ? { extraElements: [{ tag: 0x00280030, vr: 'DS', value: [0.9, 0.9] }] } : undefined) });
    const index = indexDicomFiles(files);
    expect(index.series.map((s) => s.frameCount)).toEqual([7, 3]);
    expect(index.series[0]!.spacingMm.slice(0, 2)).toEqual([0.75, 0.8]);
    expect(index.series[1]!.spacingMm.slice(0, 2)).toEqual([0.9, 0.9]);
    expect(index.issues.find((i) => i.code === 'mixed-orientation')!.severity).toBe('warning');
  });

  it('keeps one image per position when a slice is duplicated', async () => {
    const files = write(phantomVolume());
    const dup = { name: 'copy-of-IM000003.dcm', bytes: writeCtSeries(phantomVolume(), { ...META, uidSeed: 'load' }, { perSlice: (k) => (k === 2 ? { instanceNumber: 50, extraElements: [{ tag: 0x00080018, vr: 'UI', value: createUid('dup') }] } : 'skip') })[0]!.bytes };
    const { issues, volume } = await load([...files, ...asInputs([dup])]);
    expect(issues.find((i) => i.code === 'duplicate-slices')!.files).toEqual(['copy-of-IM000003.dcm']);
    expect(volume.geometry.dims[2]).toBe(10);
  });

  it('marks a cone-beam series (attributes or histogram) as not HU-calibrated, with a histogram window', async () => {
    const grey = phantomVolume();
    // Grey values: HU * 0.5 + 1200 (air at 700), no CBCT words anywhere.
    const gv = new Int16Array(grey.voxels.length);
    for (let n = 0; n < gv.length; n++) gv[n] = Math.round(grey.voxels[n]! * 0.5 + 1200);
    const byHistogram = await load(write(createVolume('g', 'ct', grey.geometry, gv)));
    expect(byHistogram.info.huCalibrated).toBe(false);
    expect(byHistogram.info.kind).toBe('cbct');
    expect(byHistogram.volume.kind).toBe('cbct');
    // Air (HU -1000) is at grey 700 here: the message names where the image's values sit.
    expect(byHistogram.issues.find((i) => i.code === 'not-hu-calibrated')!.message).toMatch(/sits (at|near) 7\d\d/);
    expect(byHistogram.info.window.center).toBeGreaterThan(600);

    const byName = await load(write(phantomVolume(), { seriesDescription: 'DynaCT pelvis 0.5' }));
    expect(byName.info.kind).toBe('cbct');
    expect(byName.info.cbctHint).toBe(true);
  });

  it('applies rescale once: unsigned stored values with intercept -1024 give Int16 HU, a fractional slope gives Float32', async () => {
    const source = phantomVolume();
    const shifted = await load(write(source, { rescaleIntercept: -1024 }));
    expect(shifted.volume.voxels).toBeInstanceOf(Int16Array);
    expect(Array.from(shifted.volume.voxels)).toEqual(Array.from(source.voxels));
    const fractional = await load(write(source, { rescaleSlope: 0.5, rescaleIntercept: -1024 }));
    expect(fractional.volume.voxels).toBeInstanceOf(Float32Array);
    for (let n = 0; n < source.voxels.length; n += 97) expect(Math.abs(fractional.volume.voxels[n]! - source.voxels[n]!)).toBeLessThanOrEqual(0.25);
  });

  it('restarts in Float32 when a rescaled value turns out not to fit Int16 (checked while copying)', async () => {
    const source = phantomVolume();
    const values = Float32Array.from(source.voxels);
    values[5 * 16 * 12 + 3] = -33000; // stored -31976 with intercept -1024: fits the file, not Int16 HU
    const { volume } = await load(write(createVolume('f', 'ct', source.geometry, values), { rescaleIntercept: -1024 }));
    expect(volume.voxels).toBeInstanceOf(Float32Array);
    expect(Array.from(volume.voxels)).toEqual(Array.from(values));
  });

  it('reads Implicit VR Little Endian and Explicit VR Big Endian files (dcmconv) to the same voxels', async () => {
    const source = phantomVolume();
    for (const flag of ['+ti', '+tb']) {
      const files = write(source, { uidSeed: `conv${flag}` }).map((f) => ({ name: f.name, bytes: toArrayBuffer(compressWith('dcmconv', [flag], new Uint8Array(f.bytes))) }));
      const { volume, issues } = await load(files);
      expect(issues).toEqual([]);
      expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
      expect(isSameGrid(volume.geometry, source.geometry, 1e-6)).toBe(true);
    }
  });

  it('refuses Deflated files per file, naming the encoding and what to do', () => {
    const files = write(phantomVolume()).map((f) => ({ name: f.name, bytes: toArrayBuffer(compressWith('dcmconv', ['+td'], new Uint8Array(f.bytes))) }));
    expect(() => indexDicomFiles(files)).toThrow(/IM000001\.dcm is encoded as Deflated Explicit VR Little Endian, which this planner cannot decode; it was skipped\. Export the series uncompressed or lossless/);
  });

  it('allocates in a SharedArrayBuffer on request and refuses a series above maxBytes with the size it needs', async () => {
    const files = write(phantomVolume());
    const index = indexDicomFiles(files);
    const shared = await assembleSeries(index, index.series[0]!.uid, { shared: true });
    expect(isShared(shared.volume.voxels)).toBe(true);
    await expect(assembleSeries(index, index.series[0]!.uid, { shared: false, maxBytes: 1000 })).rejects.toThrow(
      /\[dicom\/too-large\] This series needs 1 MB of memory \(16 x 12 x 10 voxels\)/,
    );
  });

  it('throws dicom/no-series when nothing usable is left, telling the user what to load', () => {
    const junk = [{ name: 'a.txt', bytes: new ArrayBuffer(10) }];
    expect(codeOf(() => indexDicomFiles(junk))).toBe('dicom/no-series');
    expect(() => indexDicomFiles(junk)).toThrow(/Load the folder that holds the complete CT series/);
    expect(() => indexDicomFiles([])).toThrow(/No files were given/);
  });

  it('reads a multi-frame Enhanced CT (per-frame positions, shared orientation/spacing/rescale)', async () => {
    const source = phantomVolume();
    const [ni, nj, nk] = source.geometry.dims;
    const stored = new Int16Array(source.voxels.length);
    for (let n = 0; n < stored.length; n++) stored[n] = source.voxels[n]! + 1024; // intercept -1024
    const perFrame: DataElement[][] = [];
    for (let k = 0; k < nk; k++) {
      perFrame.push([
        { tag: 0x00209113, vr: 'SQ', value: [[{ tag: 0x00200032, vr: 'DS', value: [-6, -4.5, 100 + 2 * k] }]] },
      ]);
    }
    // Frames stored in reverse order: the reader must sort by position.
    const order = Array.from({ length: nk }, (_, k) => nk - 1 - k);
    const pixels = new Int16Array(stored.length);
    order.forEach((k, f) => pixels.set(stored.subarray(k * ni * nj, (k + 1) * ni * nj), f * ni * nj));
    const shared: DataElement[] = [
      { tag: 0x00209116, vr: 'SQ', value: [[{ tag: 0x00200037, vr: 'DS', value: [1, 0, 0, 0, 1, 0] }]] },
      { tag: 0x00289110, vr: 'SQ', value: [[{ tag: 0x00280030, vr: 'DS', value: [0.8, 0.75] }, { tag: 0x00180050, vr: 'DS', value: 2 }]] },
      { tag: 0x00289145, vr: 'SQ', value: [[{ tag: 0x00281052, vr: 'DS', value: -1024 }, { tag: 0x00281053, vr: 'DS', value: 1 }, { tag: 0x00281054, vr: 'LO', value: 'HU' }]] },
    ];
    const bytes = writePart10([
      { tag: 0x00080016, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2.1' },
      { tag: 0x00080018, vr: 'UI', value: createUid('enh') },
      { tag: 0x00080060, vr: 'CS', value: 'CT' },
      { tag: 0x0020000d, vr: 'UI', value: createUid('enh-study') },
      { tag: 0x0020000e, vr: 'UI', value: createUid('enh-series') },
      { tag: 0x00200052, vr: 'UI', value: createUid('enh-for') },
      { tag: 0x00280002, vr: 'US', value: 1 },
      { tag: 0x00280004, vr: 'CS', value: 'MONOCHROME2' },
      { tag: 0x00280008, vr: 'IS', value: nk },
      { tag: 0x00280010, vr: 'US', value: nj },
      { tag: 0x00280011, vr: 'US', value: ni },
      { tag: 0x00280100, vr: 'US', value: 16 },
      { tag: 0x00280101, vr: 'US', value: 16 },
      { tag: 0x00280102, vr: 'US', value: 15 },
      { tag: 0x00280103, vr: 'US', value: 1 },
      { tag: 0x52009229, vr: 'SQ', value: [shared] },
      { tag: 0x52009230, vr: 'SQ', value: order.map((k) => perFrame[k]!) },
      { tag: 0x7fe00010, vr: 'OW', value: pixels },
    ]);
    const { volume, info, index } = await load(asInputs([{ name: 'enhanced.dcm', bytes }]));
    expect(index.series[0]!.frameCount).toBe(nk);
    expect(index.series[0]!.fileCount).toBe(1);
    expect(isSameGrid(volume.geometry, source.geometry, 1e-6)).toBe(true);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
    expect(info.huCalibrated).toBe(true);
  });
});
