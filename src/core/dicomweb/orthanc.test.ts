/**
 * The DICOMweb client against a real PACS: Debian's Orthanc 1.10 with the
 * DICOMweb plugin, started on 127.0.0.1 with an empty temporary store
 * (e2e/orthanc/orthanc.ts), stopped by its PID after the tests, passed or
 * failed. Phantom series are uploaded, found by QIDO-RS, retrieved by WADO-RS
 * and loaded through the same path as local files (indexDicomFiles /
 * assembleSeries); the voxels must equal the phantom's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOrthanc, uploadInstances, ORTHANC_PORTS, type RunningOrthanc } from '../../../e2e/orthanc/orthanc';
import { indexDicomFiles, assembleSeries } from '../dicom';
import { createFrameDecoder } from '../../compute/frameDecoders';
import { errorCodeOf } from '../shared/errors';
import { basicAuthorization, createDicomWebClient, TRANSFER_SYNTAX_EXPLICIT_LE, type FetchLike, type RetrievedSeries } from './index';
import { compressSeries, phantomSeries, type FixtureSeries } from './testing/pacsFixtures';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import dicomParser from 'dicom-parser';
import { defaultCatalog } from '../planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';
import type { PlanContent } from '../report/planSchema';
import { writeEncapsulatedPdf, writeScrewSeg } from '../report/toDicom';
import { readPart10Header } from './part10Header';

const nodeFetch: FetchLike = (url, init) => fetch(url, init as RequestInit);

const studyA = {
  patientName: 'PELVIS^ANNA',
  patientId: 'PAT-001',
  accessionNumber: 'ACC-1001',
  studyDate: '20240315',
  studyDescription: 'CT pelvis for screw planning',
};

/** Slices per phantom series (a slab of the small phantom: enough to be a volume, small enough to compress fast). */
const N = 12;

let orthanc: RunningOrthanc;
let plain: FixtureSeries;
let jpegLossless: FixtureSeries;
let jpeg2000: FixtureSeries;
let other: FixtureSeries;

async function loadVolume(retrieved: RetrievedSeries): Promise<Int16Array | Float32Array> {
  const index = indexDicomFiles(retrieved.files);
  expect(index.series).toHaveLength(1);
  const assembled = await assembleSeries(index, index.series[0]!.key, { shared: false, decoder: createFrameDecoder() });
  return assembled.volume.voxels;
}

function expectSameVoxels(actual: Int16Array | Float32Array, expected: Int16Array): void {
  expect(actual.length).toBe(expected.length);
  let differing = 0;
  for (let n = 0; n < expected.length; n++) if (actual[n] !== expected[n]) differing++;
  expect(differing).toBe(0);
}

describe('DICOMweb against a real Orthanc', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc(ORTHANC_PORTS.clientTest);
    const seriesA = { ...studyA, uidSeed: 'pacs-test-study-a', studyInstanceUid: '2.25.1001' };
    plain = phantomSeries({ ...seriesA, seriesDescription: 'Pelvis axial', seriesNumber: 2, seriesInstanceUid: '2.25.1001.2' }, 40, 40 + N);
    const jl = phantomSeries({ ...seriesA, seriesDescription: 'Pelvis JPEG Lossless', seriesNumber: 3, seriesInstanceUid: '2.25.1001.3', uidSeed: 'jl' }, 40, 40 + N);
    jpegLossless = { ...jl, files: compressSeries(jl.files, 'jpegLossless') };
    const j2 = phantomSeries({ ...seriesA, seriesDescription: 'Pelvis JPEG 2000', seriesNumber: 4, seriesInstanceUid: '2.25.1001.4', uidSeed: 'j2k' }, 40, 40 + N);
    jpeg2000 = { ...j2, files: compressSeries(j2.files, 'jpeg2000') };
    other = phantomSeries(
      { patientName: 'OTHER^BOB', patientId: 'PAT-002', accessionNumber: 'ACC-2002', studyDate: '20230101', seriesDescription: 'Hip', uidSeed: 'pacs-test-b' },
      10,
      14,
    );
    for (const s of [plain, jpegLossless, jpeg2000, other]) await uploadInstances(orthanc, s.files.map((f) => f.bytes));
  });

  afterAll(async () => {
    await orthanc?.stop();
  });

  it('runs on loopback only and stops by its PID', () => {
    expect(orthanc.pid).toBeGreaterThan(1);
    expect(orthanc.baseUrl).toBe(`http://127.0.0.1:${ORTHANC_PORTS.clientTest.httpPort}`);
  });

  it('finds studies by patient ID, name prefix, date range and accession number (QIDO-RS)', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch });
    const byId = await client.searchStudies({ patientId: 'PAT-001' });
    expect(byId).toHaveLength(1);
    expect(byId[0]).toMatchObject({
      studyUid: '2.25.1001',
      patientName: 'PELVIS^ANNA',
      patientId: 'PAT-001',
      accessionNumber: 'ACC-1001',
      studyDate: '20240315',
      description: 'CT pelvis for screw planning',
      modalities: ['CT'],
      seriesCount: 3,
      instanceCount: 3 * N,
    });
    expect((await client.searchStudies({ patientName: 'PELVIS' })).map((s) => s.patientId)).toEqual(['PAT-001']);
    expect((await client.searchStudies({ accessionNumber: 'ACC-2002' })).map((s) => s.patientId)).toEqual(['PAT-002']);
    expect((await client.searchStudies({ studyDateFrom: '2024-01-01', studyDateTo: '2024-12-31' })).map((s) => s.patientId)).toEqual(['PAT-001']);
    expect((await client.searchStudies({ studyDateTo: '2023-06-30' })).map((s) => s.patientId)).toEqual(['PAT-002']);
    expect(await client.searchStudies({ patientId: 'NOBODY' })).toEqual([]);
    expect((await client.searchStudies({})).length).toBe(2);
  });

  it('lists the series of a study with modality, description and slice count', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch });
    const series = await client.searchSeries('2.25.1001');
    expect(series.map((s) => [s.seriesNumber, s.modality, s.description, s.instanceCount])).toEqual([
      [2, 'CT', 'Pelvis axial', N],
      [3, 'CT', 'Pelvis JPEG Lossless', N],
      [4, 'CT', 'Pelvis JPEG 2000', N],
    ]);
  });

  it('retrieves a series (WADO-RS) byte for byte, with progress, and it loads the phantom voxels', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch });
    const progress: number[] = [];
    const retrieved = await client.retrieveSeries('2.25.1001', '2.25.1001.2', { onProgress: (p) => progress.push(p.done) });
    expect(retrieved.files).toHaveLength(N);
    expect(retrieved.retries).toBe(0);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(N);
    expect(progress.every((v, n) => n === 0 || v >= progress[n - 1]!)).toBe(true);
    // Orthanc stores what it receives: the retrieved files are the uploaded ones.
    const uploaded = new Map(plain.files.map((f) => [Buffer.from(f.bytes).toString('base64'), f.name]));
    for (const f of retrieved.files) expect(uploaded.has(Buffer.from(f.bytes).toString('base64'))).toBe(true);
    expectSameVoxels(await loadVolume(retrieved), plain.volume.voxels);
  });

  it('loads JPEG Lossless and JPEG 2000 series to the same voxels as the uncompressed one', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch });
    const jl = await client.retrieveSeries('2.25.1001', '2.25.1001.3');
    expect(jl.transferSyntaxUids).toEqual(['1.2.840.10008.1.2.4.70']);
    expectSameVoxels(await loadVolume(jl), plain.volume.voxels);
    const j2 = await client.retrieveSeries('2.25.1001', '2.25.1001.4');
    expect(j2.transferSyntaxUids).toEqual(['1.2.840.10008.1.2.4.90']);
    expectSameVoxels(await loadVolume(j2), plain.volume.voxels);
    // jpegLossless / jpeg2000 fixtures hold the same slab as `plain`.
    expectSameVoxels(jpegLossless.volume.voxels, plain.volume.voxels);
    expectSameVoxels(jpeg2000.volume.voxels, plain.volume.voxels);
  });

  it('asks the server to decompress when set to uncompressed, with the same voxels (JPEG Lossless)', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch, transferSyntax: TRANSFER_SYNTAX_EXPLICIT_LE });
    const r = await client.retrieveSeries('2.25.1001', '2.25.1001.3');
    expect(r.transferSyntaxUids).toEqual([TRANSFER_SYNTAX_EXPLICIT_LE]);
    expectSameVoxels(await loadVolume(r), plain.volume.voxels);
  });

  it('refuses the whole series, with advice, when the server cannot decompress it (JPEG 2000 without GDCM)', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch, transferSyntax: TRANSFER_SYNTAX_EXPLICIT_LE, retryDelaysMs: [0] });
    const error = await client.retrieveSeries('2.25.1001', '2.25.1001.4', { retries: 1 }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/incomplete');
    expect((error as Error).message).toMatch(/^\[pacs\/incomplete\] Only 0 of 12 slices arrived from the PACS, so nothing was loaded/);
    expect((error as Error).message).toMatch(/HTTP 500.*set the transfer to "as stored" in the PACS settings/);
  });

  it('says so when a series or study does not exist', async () => {
    const client = createDicomWebClient({ baseUrl: orthanc.dicomWebUrl, fetch: nodeFetch });
    const error = await client.retrieveSeries('2.25.1001', '2.25.999').catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/not-found');
    expect(String((error as Error).message)).toMatch(/lists no images in this series/);
  });

  it('explains a wrong DICOMweb root (the server answers 404)', async () => {
    const client = createDicomWebClient({ baseUrl: `${orthanc.baseUrl}/not-dicom-web`, fetch: nodeFetch });
    const error = await client.searchStudies({}).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/not-found');
    expect((error as Error).message).toMatch(/does not end with the DICOMweb root/);
  });
});

describe('DICOMweb with basic authentication on', () => {
  let secured: RunningOrthanc;
  const series = () => phantomSeries({ ...studyA, seriesDescription: 'Secured', uidSeed: 'auth', studyInstanceUid: '2.25.3003', seriesInstanceUid: '2.25.3003.1' }, 60, 64);

  beforeAll(async () => {
    secured = await startOrthanc({ ...ORTHANC_PORTS.authTest, users: { radiologist: 'correct horse' } });
    await uploadInstances(secured, series().files.map((f) => f.bytes));
  });

  afterAll(async () => {
    await secured?.stop();
  });

  it('works with the right password', async () => {
    const client = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch, authorization: basicAuthorization('radiologist', 'correct horse') });
    expect((await client.searchStudies({ patientId: 'PAT-001' })).map((s) => s.studyUid)).toEqual(['2.25.3003']);
    expect((await client.retrieveSeries('2.25.3003', '2.25.3003.1')).files).toHaveLength(4);
  });

  it('gives a clear message for a wrong password, and does not retry it', async () => {
    const client = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch, authorization: basicAuthorization('radiologist', 'wrong') });
    const error = await client.searchStudies({ patientId: 'PAT-001' }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/auth');
    expect((error as Error).message).toBe(
      '[pacs/auth] The PACS refused the user name or password (HTTP 401) while loading the study list. Check the credentials in the PACS settings.',
    );
    const retrieveError = await client.retrieveSeries('2.25.3003', '2.25.3003.1').catch((e: unknown) => e);
    expect(errorCodeOf(retrieveError)).toBe('pacs/auth');
  });

  it('gives the same message with no credentials at all', async () => {
    const client = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch });
    const error = await client.searchStudies({}).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/auth');
  });

  it('stores the report PDF (Encapsulated PDF) and the screws (SEG) in the study with STOW-RS; QIDO lists them, WADO returns the same bytes', async () => {
    const auth = basicAuthorization('radiologist', 'correct horse');
    const client = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch, authorization: auth });
    const ct = series();
    const g = ct.volume.geometry;
    const doc = await PDFDocument.create();
    doc.addPage([300, 200]).drawText('Screw trajectory report', { x: 20, y: 100, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
    const pdf = await doc.save();
    const study = { studyInstanceUid: '2.25.3003', patientName: 'PELVIS^ANNA', patientId: 'PAT-001', studyDate: '20240315', accessionNumber: 'ACC-1001' };
    const software = { name: 'pelvic-screw-planner', version: '0.1.0' };
    const encapsulated = writeEncapsulatedPdf(pdf, { study, software, createdAtIso: '2026-11-23T17:00:00Z', documentTitle: 'Screw trajectory report', containsIdentity: true });
    // One screw across the slab's middle, left to right.
    const c = [g.originLps[0] + (g.dims[0] / 2) * g.spacingMm[0], g.originLps[1] + (g.dims[1] / 2) * g.spacingMm[1], g.originLps[2] + 1.5 * g.spacingMm[2]] as [number, number, number];
    const plan: PlanContent = {
      series: { studyInstanceUid: '2.25.3003', seriesInstanceUid: '2.25.3003.1', frameOfReferenceUid: null, description: 'Secured', geometry: { dims: [...g.dims], spacingMm: [...g.spacingMm], originLps: [...g.originLps], direction: Array.from(g.direction) } },
      catalog: defaultCatalog(), settings: { ...DEFAULT_PLAN_SETTINGS },
      structures: { foramina: [], sacralCanal: null, roots: [], joints: [], notes: [] }, structureReview: [],
      screws: [{ id: 's1', corridorId: 'iliosacralS1', side: 'left', entryLps: [c[0] + 30, c[1], c[2]], tipLps: [c[0] - 30, c[1], c[2]], diameterMm: 7.3, lengthMm: 60, catalogId: '', skinEntryLps: null }],
      overrides: [],
    };
    const referencedSlices = ct.files.map((f) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: readPart10Header(f.bytes, 'ct').sopInstanceUid }));
    const seg = writeScrewSeg(plan, { study, software, createdAtIso: '2026-11-23T17:00:00Z', referencedSlices });

    const result = await client.storeInstances('2.25.3003', [encapsulated.bytes, seg.bytes], { what: 'the report' });
    expect(result.stored).toEqual([encapsulated.sopInstanceUid, readPart10Header(seg.bytes, 'seg').sopInstanceUid]);
    expect(result.status).toBe(200);

    const listed = await client.searchSeries('2.25.3003');
    expect(listed.map((s) => [s.seriesUid, s.modality]).sort()).toEqual(
      [['2.25.3003.1', 'CT'], [encapsulated.seriesInstanceUid, 'DOC'], [seg.seriesInstanceUid, 'SEG']].sort(),
    );
    const [pdfRef] = await client.searchInstances('2.25.3003', encapsulated.seriesInstanceUid);
    const back = await client.retrieveInstance(pdfRef!);
    const ds = dicomParser.parseDicom(back);
    const el = ds.elements['x00420011']!;
    const length = ds.uint32('x00420015')!;
    expect(Buffer.from(back.subarray(el.dataOffset, el.dataOffset + length)).equals(Buffer.from(pdf))).toBe(true);
    const [segRef] = await client.searchInstances('2.25.3003', seg.seriesInstanceUid);
    expect(Buffer.from(await client.retrieveInstance(segRef!)).equals(Buffer.from(seg.bytes))).toBe(true);
  });

  it('says why when storing fails: wrong password, or a file for another study', async () => {
    const pdf = await (await PDFDocument.create()).save();
    const make = (studyInstanceUid: string) =>
      writeEncapsulatedPdf(pdf, { study: { studyInstanceUid, patientName: 'X^Y', patientId: 'PAT-001' }, software: { name: 'p', version: '1' }, createdAtIso: '2026-11-23T17:00:00Z', documentTitle: 't', containsIdentity: false }).bytes;
    const wrong = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch, authorization: basicAuthorization('radiologist', 'wrong') });
    const authError = await wrong.storeInstances('2.25.3003', [make('2.25.3003')], { what: 'the report' }).catch((e: unknown) => e);
    expect(errorCodeOf(authError)).toBe('pacs/auth');
    expect((authError as Error).message).toContain('when the report was sent. Check the credentials in the PACS settings.');
    const client = createDicomWebClient({ baseUrl: secured.dicomWebUrl, fetch: nodeFetch, authorization: basicAuthorization('radiologist', 'correct horse') });
    const mismatch = await client.storeInstances('2.25.3003', [make('2.25.9999')], { what: 'the report' }).catch((e: unknown) => e);
    expect(errorCodeOf(mismatch)).toBe('pacs/rejected');
    expect((mismatch as Error).message).toMatch(/^\[pacs\/rejected\] The PACS refused to store the report/);
  });
});
