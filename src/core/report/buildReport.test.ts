import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dcmjs from 'dcmjs';
import dicomParser from 'dicom-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlannerEngine } from '../planning/plannerEngine';
import { defaultCatalog } from '../planning/screwCatalog';
import { phantomCase, truthStructures, voxelStructureIds } from '../planning/testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';
import { errorCodeOf } from '../shared/errors';
import { STRUCTURE_IDS } from '../shared/ids';
import { buildReport } from './buildReport';
import { planContentFromSession } from './fromPlanner';
import { expectedStrings, pdfText } from './testing/pdfText';
import { computePlanHash, importPlanJson } from './toJson';
import { ENCAPSULATED_PDF_SOP_CLASS, writeEncapsulatedPdf, writeScrewSeg, type DicomStudyIdentity } from './toDicom';

/**
 * buildReport (what the report panel calls) and the objects sent back to the
 * PACS, on a plan of two screws made by the core planner on the sacralAla
 * phantom: the PDF prints every figure of the model, the plan file carries
 * the PDF's hash and round-trips, the Encapsulated PDF and the screw SEG pass
 * dciodvfy, and the SEG's voxels are the screws' cylinders.
 */
describe('buildReport and the DICOM objects for the PACS, on the sacralAla phantom', () => {
  const { phantom, fields } = phantomCase('sacralAla', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const result = engine.plan({ generation: 1, corridors: [{ corridorId: 'iliosacralS1', side: 'left' }, { corridorId: 'iliosacralS2', side: 'left' }, { corridorId: 'transsacralS1', side: 'left' }] });
  // The best screw of the first two corridors that offer one (the lesion sits in the left ala).
  const ranked = result.corridors.filter((c) => c.screws.length > 0).map((c) => c.screws[0]!).slice(0, 2);
  // Two screws of one plan need distinct ids.
  const screws = ranked.map((r, n) => ({ screw: { ...r.screw, id: `s${n + 1}` }, skinEntryLps: null }));
  const evaluations = Object.fromEntries(ranked.map((r, n) => [`s${n + 1}`, { ...r.evaluation, screwId: `s${n + 1}` }]));
  const ct = phantom.ct;
  const plan = planContentFromSession({
    series: { studyInstanceUid: '2.25.7001', seriesInstanceUid: '2.25.7001.2', frameOfReferenceUid: '2.25.7001.9', description: 'phantom', geometry: ct.geometry },
    catalog: defaultCatalog(),
    settings: DEFAULT_PLAN_SETTINGS,
    structures: truthStructures(phantom),
    structureReview: [],
    screws,
    overrides: [],
  });
  const options = {
    paper: 'A4' as const, anonymous: false, plannedBy: 'Dr Test', software: { name: 'pelvic-screw-planner', version: '0.1.0' },
    generatedAtIso: '2026-11-23T17:00:00Z', patient: { name: 'PELVIS^ANNA', id: 'PAT-77' }, study: { accessionNumber: 'ACC-9' },
    series: { modality: 'CT', patientPosition: 'HFS' },
  };
  const dir = mkdtempSync(join(tmpdir(), 'report-build-'));
  afterAll(() => {
    if (!process.env.KEEP_REPORT_PDF) rmSync(dir, { recursive: true, force: true });
  });
  const built = buildReport(plan, evaluations, ct, options);

  it('plans two screws for the test', () => {
    expect(screws).toHaveLength(2);
  });

  it('prints every figure of the model; the plan file carries the PDF hash, completes the skin entries and round-trips', async () => {
    const r = await built;
    const file = join(dir, 'report.pdf');
    writeFileSync(file, r.pdfBytes);
    const text = pdfText(file);
    expect(expectedStrings(r.model).filter((e) => !text.includes(e.replace(/\s+/g, ' ')))).toEqual([]);
    expect(text).toContain('PAT-77');
    expect(r.model.screws.map((s) => s.skinEntryFound)).toEqual([true, true]);
    expect(r.plan.screws.map((s) => s.skinEntryLps)).toEqual(r.model.screws.map((s) => s.skinEntry.lps));
    // The PDF's hash is the hash of the plan in the file.
    expect(r.model.planHashHex).toBe(r.json.hashHex);
    const back = importPlanJson(r.json.text, { seriesInstanceUid: '2.25.7001.2', geometry: plan.series.geometry });
    expect(back.hashHex).toBe(r.json.hashHex);
    expect(back.plan).toEqual(r.plan);
    // The imported plan, reported again, gives the same hash (the skin entries it carries are kept).
    const again = await buildReport(back.plan, evaluations, ct, { ...options, generatedAtIso: '2026-11-24T08:00:00Z' });
    expect(again.json.hashHex).toBe(r.json.hashHex);
    expect(computePlanHash(again.plan)).toBe(r.json.hashHex);
    // The open plan was not changed by the build.
    expect(plan.screws.every((s) => s.skinEntryLps === null)).toBe(true);
  });

  it('prints the structure review from the plan: a structure with no model in it is not checked, on the summary and on every screw page', async () => {
    const r = await built;
    // The phantom's truth models every structure; nobody reviewed them.
    expect(r.model.structures).toHaveLength(STRUCTURE_IDS.length);
    expect(r.model.structures.every((x) => x.state === 'automatic')).toBe(true);
    expect(r.model.screws.every((s) => s.uncheckedStructures.length === 0)).toBe(true);
    // The left S1 foramen not found, the right S4 foramen marked absent, the canal confirmed.
    const structures = truthStructures(phantom);
    const missing = {
      ...plan,
      structures: { ...structures, foramina: structures.foramina.filter((f) => f.id !== 'foramenS1Left' && f.id !== 'foramenS4Right') },
      structureReview: [
        { id: 'foramenS4Right', status: 'absent' as const, reviewedBy: 'Dr Test', labelValue: null, volumeMl: null },
        { id: 'sacralCanal', status: 'confirmed' as const, reviewedBy: 'Dr Test', labelValue: null, volumeMl: null },
      ],
      // The evaluations were made with every structure: drop the clearances to the missing ones, as a re-check would.
    };
    const partial = Object.fromEntries(Object.entries(evaluations).map(([id, e]) => [id, { ...e, checks: e.checks.filter((c) => c.structureId !== 'foramenS1Left' && c.structureId !== 'foramenS4Right') }]));
    const m = await buildReport(missing, partial, ct, options);
    const state = (id: string) => m.model.structures.find((x) => x.id === id)!.state;
    expect([state('foramenS1Left'), state('foramenS4Right'), state('sacralCanal'), state('rootS1Left')]).toEqual(['notFound', 'absent', 'confirmed', 'automatic']);
    for (const s of m.model.screws) expect(s.uncheckedStructures.map((x) => x.id)).toEqual(['foramenS1Left', 'foramenS4Right']);
    const file = join(dir, 'report-missing.pdf');
    writeFileSync(file, m.pdfBytes);
    const text = pdfText(file);
    expect(expectedStrings(m.model).filter((e) => !text.includes(e.replace(/\s+/g, ' ')))).toEqual([]);
    expect(text).toContain('NOT FOUND on this CT, so clearance to them was NOT checked: S1 foramen, left.');
    expect(text).toContain('S1 foramen, left NOT CHECKED: not found');
  });

  it('leaves the patient out when anonymous', async () => {
    const r = await buildReport(plan, evaluations, ct, { ...options, anonymous: true });
    const file = join(dir, 'anon.pdf');
    writeFileSync(file, r.pdfBytes);
    const text = pdfText(file);
    expect(text).not.toContain('PAT-77');
    expect(text).not.toContain('ANNA');
    expect(r.json.hashHex).toBe((await built).json.hashHex);
  });

  it('refuses a screw that is still being checked, and a volume that is not the plan grid', async () => {
    await expect(buildReport(plan, { s1: evaluations['s1']! }, ct, options)).rejects.toThrow(/screw 2 \(s2\) is still being checked/);
    const other = { ...plan, series: { ...plan.series, geometry: { ...plan.series.geometry, originLps: [0, 0, 0] as [number, number, number] } } };
    await buildReport(other, evaluations, ct, options).then(
      () => expect.unreachable(),
      (e: unknown) => expect(errorCodeOf(e)).toBe('report/bad-input'),
    );
  });

  const study: DicomStudyIdentity = { studyInstanceUid: '2.25.7001', patientName: 'PELVIS^ANNA', patientId: 'PAT-77', studyDate: '20250214', accessionNumber: 'ACC-9' };
  const dciodvfy = (bytes: Uint8Array, name: string): string => {
    const file = join(dir, name);
    writeFileSync(file, bytes);
    return execFileSync('sh', ['-c', `/usr/bin/dciodvfy '${file}' 2>&1 || true`], { encoding: 'utf8' });
  };

  it('writes the PDF as an Encapsulated PDF in the study that dciodvfy accepts, with the PDF bytes intact', async () => {
    const r = await built;
    const out = writeEncapsulatedPdf(r.pdfBytes, {
      study, software: options.software, createdAtIso: options.generatedAtIso, uidSeed: 't', documentTitle: `Screw trajectory report ${r.json.hashHex.slice(0, 12)}`, containsIdentity: true,
      sourceInstances: [1, 2, 2, 3].map((n) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.7001.2.${n}` })),
    });
    const report = dciodvfy(out.bytes, 'pdf.dcm');
    expect(report).toMatch(/Encapsulated ?PDF/i);
    expect(report).not.toMatch(/^Error/m);
    const ds = dicomParser.parseDicom(out.bytes);
    expect(ds.string('x00080016')).toBe(ENCAPSULATED_PDF_SOP_CLASS);
    expect(ds.string('x0020000d')).toBe(study.studyInstanceUid);
    expect(ds.string('x0020000e')).toBe(out.seriesInstanceUid);
    expect(ds.string('x00420012')).toBe('application/pdf');
    expect(ds.string('x00280301')).toBe('YES');
    // Source Instance Sequence: each CT image once.
    expect(ds.elements['x00420013']!.items!.map((it) => it.dataSet!.string('x00081155'))).toEqual(['2.25.7001.2.1', '2.25.7001.2.2', '2.25.7001.2.3']);
    const length = ds.uint32('x00420015')!;
    const el = ds.elements['x00420011']!;
    expect(length).toBe(r.pdfBytes.length);
    expect(Buffer.from(out.bytes.subarray(el.dataOffset, el.dataOffset + length)).equals(Buffer.from(r.pdfBytes))).toBe(true);
    expect(() => writeEncapsulatedPdf(new Uint8Array([1, 2, 3, 4, 5, 6]), { study, software: options.software, createdAtIso: options.generatedAtIso, documentTitle: 'x', containsIdentity: false })).toThrow(/not a PDF/);
  });

  it('writes the screws as a SEG that dciodvfy accepts: one segment per screw, its voxels the screw cylinder', async () => {
    const r = await built;
    const referencedSlices = Array.from({ length: ct.geometry.dims[2] }, (_, k) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.7001.2.${k + 1}` }));
    const out = writeScrewSeg(r.plan, { study, software: options.software, createdAtIso: options.generatedAtIso, uidSeed: 't', referencedSlices });
    const report = dciodvfy(out.bytes, 'seg.dcm');
    expect(report).toMatch(/Segmentation/);
    expect(report).not.toMatch(/^Error/m);
    const first = <T,>(x: T | T[]): T => (Array.isArray(x) ? x[0]! : x);
    const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
    const ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(out.bytes.slice().buffer).dict);
    expect(ds.StudyInstanceUID).toBe(study.studyInstanceUid);
    expect(ds.SeriesInstanceUID).toBe(out.seriesInstanceUid);
    expect(ds.FrameOfReferenceUID).toBe('2.25.7001.9');
    const refSeries = first(ds.ReferencedSeriesSequence as { SeriesInstanceUID: string; ReferencedInstanceSequence: unknown[] });
    expect(refSeries.SeriesInstanceUID).toBe('2.25.7001.2');
    expect(refSeries.ReferencedInstanceSequence).toHaveLength(ct.geometry.dims[2]);
    // Without the planning series' images, the SEG still validates (no reference at all rather than an empty list).
    const bare = writeScrewSeg(r.plan, { study, software: options.software, createdAtIso: options.generatedAtIso, uidSeed: 'u' });
    expect(dciodvfy(bare.bytes, 'bare.dcm')).not.toMatch(/^Error/m);
    const segs = ds.SegmentSequence as { SegmentLabel: string }[];
    expect(segs.map((s) => s.SegmentLabel)).toEqual(r.plan.screws.map((s, n) => expect.stringMatching(new RegExp(`^Screw ${n + 1} ${s.corridorId}${s.side ? ` ${s.side}` : ''} `))));
    // Voxels per segment against the cylinder volume pi r^2 L (within 10 %), every voxel centre within r of the axis.
    const g = ct.geometry;
    const [ni, nj] = g.dims;
    const pixel = new Uint8Array(Array.isArray(ds.PixelData) ? ds.PixelData[0] : ds.PixelData);
    const frames = ds.PerFrameFunctionalGroupsSequence as { SegmentIdentificationSequence: { ReferencedSegmentNumber: number } | { ReferencedSegmentNumber: number }[]; PlanePositionSequence: { ImagePositionPatient: number[] } | { ImagePositionPatient: number[] }[] }[];
    r.plan.screws.forEach((screw, n) => {
      let count = 0;
      let worstMm = 0;
      const a = screw.entryLps, b = screw.tipLps;
      const len = Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
      const u = [(b[0] - a[0]) / len, (b[1] - a[1]) / len, (b[2] - a[2]) / len];
      frames.forEach((f, idx) => {
        if (first(f.SegmentIdentificationSequence).ReferencedSegmentNumber !== n + 1) return;
        const z = Number(first(f.PlanePositionSequence).ImagePositionPatient[2]);
        for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
          const bit = idx * ni * nj + i + ni * j;
          if (!((pixel[bit >> 3]! >> (bit & 7)) & 1)) continue;
          count++;
          // Axial phantom grid: LPS = origin + (i, j) * spacing; z from the frame position.
          const p = [g.originLps[0] + i * g.spacingMm[0] - a[0], g.originLps[1] + j * g.spacingMm[1] - a[1], z - a[2]];
          const t = p[0]! * u[0]! + p[1]! * u[1]! + p[2]! * u[2]!;
          worstMm = Math.max(worstMm, Math.hypot(p[0]! - u[0]! * t, p[1]! - u[1]! * t, p[2]! - u[2]! * t));
        }
      });
      const voxelMm3 = g.spacingMm[0] * g.spacingMm[1] * g.spacingMm[2];
      const expected = (Math.PI * (screw.diameterMm / 2) ** 2 * len) / voxelMm3;
      expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
      expect(worstMm).toBeLessThanOrEqual(screw.diameterMm / 2 + 1e-6);
    });
  });
});


