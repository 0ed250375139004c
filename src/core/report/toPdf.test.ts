import { sacrumCoverageCaution } from '../segmentation/sacrumCoverage';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Vec3 } from '../geometry/vec3';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { fixed1, formatLps } from './format';
import { expectedStrings, pdfText } from './testing/pdfText';
import { createReportModel, type ReportInput, type ReportScrewInput } from './ReportModel';
import { reportToPdf } from './toPdf';
import { reportCheckFromPlanner } from './fromPlanner';
import type { CheckResult } from '../planning/types';
import { computeOverviewProjection, computeTrajectoryImages } from './trajectoryImages';

/**
 * A small CT phantom: air, an elliptic body (40 HU, semi-axes 85 x 60 mm),
 * a bone block (700 HU, 1500 HU cortex 2 mm) x in [-50, 50], y in [-20, 30],
 * z in [-40, 40] mm, with a lytic lesion (30 HU, radius 12 mm) at (0, 5, 0).
 */
function phantom(): Volume<Int16Array> {
  const geometry = createVolumeGeometry({ dims: [128, 100, 64], spacingMm: [1.5, 1.5, 2.5], originLps: [-95.25, -74.25, -78.75] });
  const [ni, nj, nk] = geometry.dims;
  const v = new Int16Array(ni * nj * nk);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const x = -95.25 + 1.5 * i, y = -74.25 + 1.5 * j, z = -78.75 + 2.5 * k;
    let hu = -1000;
    if ((x / 85) ** 2 + (y / 60) ** 2 <= 1) hu = 40;
    const inBone = Math.abs(x) <= 50 && y >= -20 && y <= 30 && Math.abs(z) <= 40;
    if (inBone) {
      const depth = Math.min(50 - Math.abs(x), y + 20, 30 - y, 40 - Math.abs(z));
      hu = depth < 2 ? 1500 : 700;
      if (Math.hypot(x, y - 5, z) <= 12) hu = 30;
    }
    v[i + ni * (j + nj * k)] = hu;
  }
  return createVolume('phantom', 'ct', geometry, v);
}

/** Where the line tip - t * d (t >= 0) leaves the body ellipse (bisection). */
function skinEntry(tip: Vec3, d: Vec3): Vec3 {
  let lo = 0, hi = 300;
  const inside = (t: number): boolean => ((tip[0] - t * d[0]) / 85) ** 2 + ((tip[1] - t * d[1]) / 60) ** 2 <= 1;
  for (let n = 0; n < 60; n++) { const mid = (lo + hi) / 2; if (inside(mid)) lo = mid; else hi = mid; }
  return [tip[0] - lo * d[0], tip[1] - lo * d[1], tip[2] - lo * d[2]];
}

function unit(v: Vec3): Vec3 {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function buildInput(volume: Volume<Int16Array>, anonymous: boolean): ReportInput {
  // Screw 1: from the patient's right, double oblique; bone entry on the block's face x = -50.
  const d1 = unit([0.9, 0.15, 0.12]);
  const tip1: Vec3 = [30, 10, 8];
  const t1 = (tip1[0] + 50) / d1[0];
  const bone1: Vec3 = [-50, tip1[1] - t1 * d1[1], tip1[2] - t1 * d1[2]];
  // Screw 2: straight anteroposterior, entering the bone's anterior face y = -20.
  const tip2: Vec3 = [30, 24, -25];
  const bone2: Vec3 = [30, -20, -25];
  const screws: ReportScrewInput[] = [
    {
      id: 'screw-1', corridor: 'iliosacralS1', side: 'right', skinEntryLps: skinEntry(tip1, d1), boneEntryLps: bone1, tipLps: tip1,
      diameterMm: 7.3, catalogLengthMm: 85, catalogLabel: '7.3 mm cannulated',
      purchase: { nearMm: 24.6, farMm: 16.2, lesionSpanMm: 23.9 },
      clearances: [
        { structure: 'foramenS1Right', clearanceMm: 3.4, requiredMm: 2 },
        { structure: 'rootL5Right', clearanceMm: 1.6, requiredMm: 2 },
        { structure: 'sacralCanal', clearanceMm: 11.25, requiredMm: 2 },
        // Beyond the root's field box: at least 21.35 mm, printed "> 21 mm".
        { structure: 'rootS1Right', clearanceMm: 21.35, requiredMm: 2, isLowerBound: true },
      ],
      cortexClearanceMm: 2.3,
      checks: [
        { id: 'purchase', label: 'Purchase on both sides of the lesion', status: 'pass', valueMm: 16.2, requiredMm: 15 },
        { id: 'clearance-rootL5Right', label: 'Clearance to the right L5 root', status: 'overridden', valueMm: 1.6, requiredMm: 2, overriddenBy: 'Dr. Test', reason: 'root course verified on the sagittal images' },
        { id: 'corticalBreach', label: 'No cortical breach', status: 'pass', valueMm: 2.3, requiredMm: 0 },
        { id: 'clearance:rootS1Right', label: 'Clearance to the right S1 root', status: 'pass', valueMm: 21.35, requiredMm: 2, isLowerBound: true },
      ],
      images: [],
    },
    {
      id: 'screw-2', corridor: 'supraAcetabular', side: 'left', skinEntryLps: skinEntry(tip2, [0, 1, 0]), boneEntryLps: bone2, tipLps: tip2,
      diameterMm: 6.5, catalogLengthMm: 45, purchase: null, clearances: [{ structure: 'jointLeft', clearanceMm: 8.75, requiredMm: 2 }],
      cortexClearanceMm: -0.4,
      checks: [{ id: 'corticalBreach', label: 'No cortical breach', status: 'fail', valueMm: -0.4, requiredMm: 0 }],
      images: [],
    },
    {
      // Screw 3: anteroposterior, 20 degrees cranial and 10 degrees to the left: within the gantry's range.
      id: 'screw-3', corridor: 'iliacWing', side: 'left', skinEntryLps: [0, 0, 0], boneEntryLps: [-20, -20, -30], tipLps: [0, 0, 0],
      diameterMm: 6.5, catalogLengthMm: 40, purchase: null, clearances: [], cortexClearanceMm: 1.5, checks: [], images: [],
    },
  ];
  {
    const d3 = unit([Math.sin(Math.PI / 18), Math.cos(Math.PI / 18) * Math.cos(Math.PI / 9), Math.cos(Math.PI / 18) * Math.sin(Math.PI / 9)]);
    const bone3: Vec3 = [-20, -20, -30];
    const tip3: Vec3 = [bone3[0] + 40 * d3[0], bone3[1] + 40 * d3[1], bone3[2] + 40 * d3[2]];
    Object.assign(screws[2]!, { skinEntryLps: skinEntry(tip3, d3), boneEntryLps: bone3, tipLps: tip3 });
  }
  for (const s of screws) s.images = computeTrajectoryImages(volume, s, { sizePx: 160 });
  const overview = computeOverviewProjection(volume, screws, { maxSizePx: 200 });
  for (const s of screws) s.images.push(overview);
  return {
    software: { name: 'pelvic-screw-planner', version: '0.1.0' },
    generatedAtIso: '2026-11-23T12:30:00Z',
    planHashHex: '3f'.repeat(32),
    anonymous,
    patient: { name: 'DOE^JANE', id: 'PID-4711', birthDate: '19580214' },
    study: { accessionNumber: 'ACC-99', studyDate: '20261120', description: 'CT pelvis' },
    series: {
      geometry: volume.geometry, studyInstanceUid: '1.2.826.0.1.3680043.2.1125.1', seriesInstanceUid: '1.2.826.0.1.3680043.2.1125.1.2',
      seriesNumber: 3, seriesDescription: 'Bone 1.5', modality: 'CT', patientPosition: 'HFS',
      instanceNumbers: Array.from({ length: volume.geometry.dims[2] }, (_, k) => 64 - k),
    },
    plannedBy: 'Dr. Test',
    maxGantryTiltDeg: 30,
    requiredPurchaseMm: 15,
    screws,
  };
}

describe('reportToPdf', () => {
  const volume = phantom();
  const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
  // Set KEEP_REPORT_PDF=1 to keep the PDFs and page PNGs for a human to look at.
  afterAll(() => {
    if (!process.env.KEEP_REPORT_PDF) rmSync(dir, { recursive: true, force: true });
  });

  it('prints every number of the model, the hash and version on every page, on A4 and Letter', async () => {
    const model = createReportModel(buildInput(volume, false));
    // Sanity of the phantom trajectories against their construction: screw 2 is straight AP at x = 30;
    // screw 3 tilts 20 degrees cranial with 10 degrees to the left in the tilted plane.
    expect(model.screws[1]!.angles.inPlaneDeg).toBeCloseTo(0, 9);
    expect(model.screws[2]!.angles.craniocaudalDeg).toBeCloseTo(20, 9);
    expect(model.screws[2]!.angles.inPlaneDeg).toBeCloseTo(10, 9);
    expect(model.screws[2]!.roomSteps[1]).toContain('Gantry tilt 20.0\u00b0: craniocaudal 20.0\u00b0 cranial');
    expect(model.screws[2]!.roomSteps[1]).toContain("top of the gantry toward the patient's feet");
    // d3 runs posteriorly (+y): for a supine patient the needle points down, toward the table.
    expect(model.screws[2]!.roomSteps[2]).toBe("In the scan plane, aim 10.0\u00b0 to patient's left of the vertical, the needle pointing posteriorly (down, patient supine).");
    expect(model.screws[1]!.skinEntry.lps[1]).toBeCloseTo(-60 * Math.sqrt(1 - (30 / 85) ** 2), 6);
    for (const paper of ['A4', 'Letter'] as const) {
      const bytes = await reportToPdf(model, { paper });
      const file = join(dir, `report-${paper}.pdf`);
      writeFileSync(file, bytes);
      const info = execFileSync('/usr/bin/pdfinfo', [file], { encoding: 'utf8' });
      const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
      expect(pages).toBeGreaterThanOrEqual(4); // summary + one per screw
      expect(info).toMatch(paper === 'A4' ? /595\.2\d? x 841\.8\d? pts/ : /612 x 792 pts/);
      const text = pdfText(file);
      const missing = expectedStrings(model).map((s) => s.replace(/\s+/g, ' ')).filter((s) => !text.includes(s));
      expect(missing).toEqual([]);
      // Each point's row of the table holds its own numbers, in order.
      for (const s of model.screws) {
        for (const [name, p] of [['Skin entry', s.skinEntry], ['Bone entry', s.boneEntry], ['Tip', s.tip]] as const) {
          const row = `${name} ${formatLps(p.lps)} ${p.sliceNumber} (img ${p.instanceNumber!}) ${p.row} ${p.column} ${fixed1(p.tablePositionMm)} ${fixed1(p.offFromSliceMm)}`;
          expect(text).toContain(row);
        }
      }
      // A capped clearance prints as a bound, in the table and in the check line; never as a measured 21.4 mm.
      expect(text).toContain('S1 root, right > 21 mm (needs 2.0 mm)');
      expect(text).toContain('Clearance to the right S1 root [> 21 mm / needs 2.0 mm]');
      expect(text).not.toContain('21.4 mm');
      expect(text).toContain('DOE^JANE');
      expect(text).toContain('PID-4711');
      for (let p = 1; p <= pages; p++) {
        const t = pdfText(file, p);
        expect(t).toContain(model.planHashHex);
        expect(t).toContain('pelvic-screw-planner 0.1.0');
        expect(t).toContain(`page ${p} of ${pages}`);
      }
      // Rendering: every page rasterises (written next to the PDF for a human to look at).
      execFileSync('/usr/bin/pdftoppm', ['-r', '60', '-png', file, join(dir, `page-${paper}`)]);
      expect(readdirSync(dir).filter((f) => f.startsWith(`page-${paper}`)).length).toBe(pages);
    }
  });

  it('leaves the patient out of an anonymous report and warns about a failing screw', async () => {
    const model = createReportModel(buildInput(volume, true));
    const file = join(dir, 'anon.pdf');
    writeFileSync(file, await reportToPdf(model, { paper: 'A4' }));
    const text = pdfText(file);
    expect(text).not.toContain('DOE');
    expect(text).not.toContain('PID-4711');
    expect(text).not.toContain('ACC-99');
    expect(text).toContain('identifiers left out (anonymous report)');
    expect(text).toContain('screw 2 FAILS checks that were not overridden');
  });

  it('prints the lesion, and a caution when its outline was bridged across destroyed cortex or is a conservative core', async () => {
    const input = buildInput(volume, false);
    input.lesion = { volumeMl: 4.71, diametersMm: [31.6, 22.2, 14.8], status: 'bridged' };
    const file = join(dir, 'bridged.pdf');
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    const text = pdfText(file, 1).replace(/\s+/g, ' ');
    expect(text).toContain('4.7 ml, diameters 32 x 22 x 15 mm');
    expect(text).toContain('CAUTION: The lesion outline was bridged across destroyed cortex');
    expect(text).toContain('not seen in the image');

    input.lesion = { volumeMl: 2.5, diametersMm: null, status: 'conservative' };
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    const conservative = pdfText(file, 1).replace(/\s+/g, ' ');
    expect(conservative).toContain('2.5 ml');
    expect(conservative).toContain('CAUTION: The lesion outline is a conservative core');

    // An outline the user corrected (or grown cleanly) is printed without a caution.
    input.lesion = { volumeMl: 2.5, diametersMm: null, status: 'ok' };
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    const ok = pdfText(file, 1);
    expect(ok).toContain('2.5 ml');
    expect(ok).not.toContain('CAUTION');
  });

  it('prints the segmentation cautions (the sacrum coverage check\'s), and refuses an empty one', async () => {
    const input = buildInput(volume, false);
    const caution = sacrumCoverageCaution({ sacrumMl: 149, unlabelledMl: 24.9, leftMl: 13.3, rightMl: 11.6, fraction: 0.167, suspect: true })!;
    input.segmentationCautions = [caution];
    const file = join(dir, 'sacrum-caution.pdf');
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    const text = pdfText(file, 1).replace(/\s+/g, ' ');
    expect(text).toContain("CAUTION: The sacrum's bone labels looked incomplete when this plan was checked: 25 ml inside the sacrum's outline was not labelled bone (17 % of the sacrum");
    expect(text).toContain('Check the paths against the images.');
    // A whole sacrum: no caution.
    expect(sacrumCoverageCaution({ sacrumMl: 245, unlabelledMl: 3, leftMl: 2, rightMl: 1, fraction: 0.012, suspect: false })).toBeNull();
    input.segmentationCautions = [' '];
    expect(() => createReportModel(input)).toThrow(/segmentation caution must be a non-empty sentence/);
  });

  it('prints what the clearances were not checked against: structures not found in red on the summary and on each screw page, unreviewed ones in the summary', async () => {
    const input = buildInput(volume, false);
    // Screw 1 has clearances to foramenS1Right, rootL5Right, sacralCanal, rootS1Right (buildInput).
    input.structures = [
      { id: 'foramenS1Right', state: 'confirmed' },
      { id: 'foramenS1Left', state: 'notFound' },
      { id: 'foramenS2Left', state: 'notFound' },
      { id: 'foramenS4Right', state: 'absent' },
      { id: 'sacralCanal', state: 'automatic' },
      { id: 'rootL5Right', state: 'edited' },
      { id: 'rootS1Right', state: 'confirmed' },
      { id: 'jointLeft', state: 'automatic' },
    ];
    const model = createReportModel(input);
    // The planner's order, not the input's.
    expect(model.structures.map((x) => x.id)).toEqual(['foramenS1Left', 'foramenS1Right', 'foramenS2Left', 'foramenS4Right', 'sacralCanal', 'rootL5Right', 'rootS1Right', 'jointLeft']);
    expect(model.screws[0]!.uncheckedStructures.map((x) => [x.id, x.state])).toEqual([['foramenS1Left', 'notFound'], ['foramenS2Left', 'notFound'], ['foramenS4Right', 'absent']]);
    const file = join(dir, 'structures.pdf');
    writeFileSync(file, await reportToPdf(model, { paper: 'A4' }));
    const summary = pdfText(file, 1).replace(/\s+/g, ' ');
    expect(summary).toContain('Critical structures 5 of 8 modelled and checked against (3 confirmed or edited by the user)');
    expect(summary).toContain('NOT FOUND on this CT, so clearance to them was NOT checked: S1 foramen, left; S2 foramen, left. Find them on the images before placing a screw near them.');
    expect(summary).toContain('Found automatically and not reviewed by the user: Sacral canal; Hip joint, left.');
    expect(summary).toContain('Marked absent by the user, not checked: S4 foramen, right.');
    const screwPage = pdfText(file, 2).replace(/\s+/g, ' ');
    expect(screwPage).toContain('S1 foramen, left NOT CHECKED: not found');
    expect(screwPage).toContain('S2 foramen, left NOT CHECKED: not found');
    expect(screwPage).toContain('S4 foramen, right not checked: marked absent');
    // A structure with a clearance on this screw is not printed as unchecked, whatever the review says.
    input.structures = [{ id: 'sacralCanal', state: 'notFound' }];
    expect(createReportModel(input).screws[0]!.uncheckedStructures).toEqual([]);
    // Without the review (older callers) nothing is printed about it.
    delete input.structures;
    const plain = join(dir, 'no-structures.pdf');
    writeFileSync(plain, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    expect(pdfText(plain, 1)).not.toContain('Critical structures');
    expect(pdfText(plain, 2)).not.toContain('NOT CHECKED');
  });

  it('prints a structure without a model as a FAILED check on the screw page, or as overridden with who and why', async () => {
    // The planner's structuresModelled row (checks/structuresModelled.ts), through the adapter the report panel uses.
    const unmodelled: CheckResult = {
      rule: 'structuresModelled', ok: false, valueMm: Number.NaN, requiredMm: Number.NaN, toleranceMm: 0, marginMm: Number.NaN, structureId: 'foramenS1Right',
      detail: 'Clearance NOT checked to S1 foramen, right (not found on this CT). Find it on the images and add it in Segmentation, or override with a reason.',
    };
    const input = buildInput(volume, false);
    input.structures = [{ id: 'foramenS1Right', state: 'notFound' }];
    const failed = reportCheckFromPlanner('screw-1', unmodelled, []);
    expect(failed).toMatchObject({ id: 'structuresModelled:foramenS1Right', status: 'fail', valueMm: null, requiredMm: null });
    input.screws[0]!.checks = [...input.screws[0]!.checks, failed];
    const file = join(dir, 'unmodelled.pdf');
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    expect(pdfText(file, 1).replace(/\s+/g, ' ')).toContain('screw 1, 2 FAIL');
    const page = pdfText(file, 2).replace(/\s+/g, ' ');
    expect(page).toContain('FAIL Clearance NOT checked to S1 foramen, right (not found on this CT). Find it on the images and add it in Segmentation, or override with a reason.');
    expect(page).not.toMatch(/NaN/);
    // Overridden with a reason: printed with the name and the reason, and no longer a failing screw.
    const o = { screwId: 'screw-1', rule: 'structuresModelled', structureId: 'foramenS1Right' as const, by: 'Dr. Test', reason: 'foramen traced by hand on the sagittal images, 9 mm from the screw', atIso: '2026-11-25T02:00:00Z' };
    const overridden = reportCheckFromPlanner('screw-1', unmodelled, [o]);
    expect(overridden).toMatchObject({ status: 'overridden', overriddenBy: 'Dr. Test', reason: o.reason });
    input.screws[0]!.checks = [...input.screws[0]!.checks.slice(0, -1), overridden];
    const file2 = join(dir, 'unmodelled-overridden.pdf');
    writeFileSync(file2, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    expect(pdfText(file2, 1).replace(/\s+/g, ' ')).not.toContain('screw 1, 2 FAIL');
    const page2 = pdfText(file2, 2).replace(/\s+/g, ' ');
    expect(page2).toContain('OVERRIDDEN Clearance NOT checked to S1 foramen, right (not found on this CT). Find it on the images and add it in Segmentation, or override with a reason. - overridden by Dr. Test: foramen traced by hand on the sagittal images, 9 mm from the screw');
    expect(page2).toContain('Checks: 3 passed, 0 failed, 2 overridden');
  });

  it('refuses a structure review with an unknown structure or state, or a structure twice', () => {
    const input = buildInput(volume, false);
    input.structures = [{ id: 'foramenS5Left' as never, state: 'notFound' }];
    expect(() => createReportModel(input)).toThrow(/"foramenS5Left" is not a structure the planner knows/);
    input.structures = [{ id: 'sacralCanal', state: 'maybe' as never }];
    expect(() => createReportModel(input)).toThrow(/sacralCanal has an unknown state "maybe"/);
    input.structures = [{ id: 'sacralCanal', state: 'notFound' }, { id: 'sacralCanal', state: 'confirmed' }];
    expect(() => createReportModel(input)).toThrow(/sacralCanal is listed twice/);
  });

  it('refuses a lesion with a volume or status that is not a number or a known status', () => {
    const input = buildInput(volume, false);
    input.lesion = { volumeMl: Number.NaN, diametersMm: null, status: 'ok' };
    expect(() => createReportModel(input)).toThrow(/lesion volumeMl/);
    input.lesion = { volumeMl: 1, diametersMm: null, status: 'grown' as never };
    expect(() => createReportModel(input)).toThrow(/lesion status 'grown'/);
  });

  it('writes a summary-only report for a plan without screws', async () => {
    const input = buildInput(volume, false);
    input.screws = [];
    const file = join(dir, 'empty.pdf');
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'Letter' }));
    const text = pdfText(file);
    expect(text).toContain('Screws (0)');
    expect(text).toContain('page 1 of 1');
  });

  it('is deterministic: the same model gives the same bytes', async () => {
    const model = createReportModel(buildInput(volume, false));
    const a = await reportToPdf(model, { paper: 'A4' });
    const b = await reportToPdf(model, { paper: 'A4' });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('prints characters outside WinAnsi as "?" instead of failing', async () => {
    const input = buildInput(volume, false);
    input.patient.name = 'Müller^Zoë 李';
    const file = join(dir, 'names.pdf');
    writeFileSync(file, await reportToPdf(createReportModel(input), { paper: 'A4' }));
    expect(pdfText(file, 1)).toContain('Müller^Zoë ?');
  });
});
