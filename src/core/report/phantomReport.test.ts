import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPlannerEngine } from '../planning/plannerEngine';
import { defaultCatalog } from '../planning/screwCatalog';
import { phantomCase, truePurchaseMm, trueRootClearancesMm, voxelStructureIds } from '../planning/testing/phantomFields';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';
import { computeSkinEntry } from './computeSkinEntry';
import { reportScrewFromPlanner } from './fromPlanner';
import { createReportModel } from './ReportModel';
import { expectedStrings, pdfText } from './testing/pdfText';
import { reportToPdf } from './toPdf';
import { computeOverviewProjection, computeTrajectoryImages } from './trajectoryImages';

/**
 * The whole chain on the sacralAla phantom: the planner's best left S1
 * iliosacral screw, its skin entry on the phantom CT, the report and its PDF,
 * judged against the phantom's GROUND TRUTH (labels, roots, lesion) rather
 * than against our own numbers.
 */
describe('report of a planned screw on the sacralAla phantom', () => {
  const { phantom, fields } = phantomCase('sacralAla', 'small');
  const engine = createPlannerEngine();
  engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
  const plan = engine.plan({ generation: 1, corridors: [{ corridorId: 'iliosacralS1', side: 'left' }] });
  const best = plan.corridors[0]!.screws[0]!;
  const skin = computeSkinEntry(phantom.ct, best.screw.entryLps, best.screw.tipLps);
  const input = reportScrewFromPlanner(best.screw, best.evaluation, skin, {
    catalog: defaultCatalog(),
    images: computeTrajectoryImages(phantom.ct, { skinEntryLps: skin.skinEntryLps, boneEntryLps: best.screw.entryLps, tipLps: best.screw.tipLps, diameterMm: best.screw.diameterMm }, { sizePx: 160 }),
  });
  input.images.push(computeOverviewProjection(phantom.ct, [input], { maxSizePx: 200 }));
  const g = phantom.ct.geometry;
  const model = createReportModel({
    software: { name: 'pelvic-screw-planner', version: '0.1.0' }, generatedAtIso: '2026-11-23T13:30:00Z', planHashHex: 'c'.repeat(64),
    anonymous: true, patient: {}, study: {},
    series: { geometry: g, studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', modality: 'CT', patientPosition: 'HFS' },
    requiredPurchaseMm: DEFAULT_PLAN_SETTINGS.purchaseMm,
    screws: [input],
  });
  const s = model.screws[0]!;
  const [ni, nj] = g.dims;
  const labelAt = (p: { column: number; row: number; sliceNumber: number }, di = 0, dj = 0, dk = 0): number =>
    phantom.labels.voxels[(p.column - 1 + di) + ni * ((p.row - 1 + dj) + nj * (p.sliceNumber - 1 + dk))]!;
  const near = (p: { column: number; row: number; sliceNumber: number }, wanted: readonly number[]): boolean => {
    for (let dk = -1; dk <= 1; dk++) for (let dj = -1; dj <= 1; dj++) for (let di = -1; di <= 1; di++) if (wanted.includes(labelAt(p, di, dj, dk))) return true;
    return false;
  };
  const dir = mkdtempSync(join(tmpdir(), 'report-phantom-'));
  afterAll(() => {
    if (!process.env.KEEP_REPORT_PDF) rmSync(dir, { recursive: true, force: true });
  });

  it('puts the bone entry on the left ilium, the tip in the sacrum and the skin entry on the skin, by slice/row/column', () => {
    expect(best.evaluation.ok).toBe(true);
    expect(near(s.boneEntry, [LABELS.hipLeft])).toBe(true);
    expect(BONE_LABELS).toContain(labelAt(s.tip));
    expect(skin.found).toBe(true);
    // The skin entry sits on the air/tissue boundary of the phantom CT: tissue 2 mm inward, air 2 mm outward.
    const along = (mm: number): [number, number, number] => [0, 1, 2].map((a) => s.skinEntry.lps[a]! + s.directionLps[a]! * mm) as [number, number, number];
    expect(sampleTrilinearLps(phantom.ct, along(2), -1000)).toBeGreaterThan(-500);
    expect(sampleTrilinearLps(phantom.ct, along(-2), -1000)).toBeLessThan(-500);
    // Entered from the patient's left flank toward the midline: tip to the patient's right.
    expect(s.skinEntry.lps[0]).toBeGreaterThan(s.tip.lps[0]);
    expect(s.angles.inPlaneDeg).toBeLessThan(0);
    expect(s.roomSteps.join(' ')).toContain("to patient's right");
  });

  it('prints purchase and root clearances that agree with the ground truth', () => {
    const truth = truePurchaseMm(phantom, best.screw);
    expect(truth.crossesLesion).toBe(true);
    const voxelMm = Math.max(...g.spacingMm);
    expect(Math.abs(s.purchase!.nearMm - truth.nearMm)).toBeLessThanOrEqual(voxelMm);
    expect(Math.abs(s.purchase!.farMm - truth.farMm)).toBeLessThanOrEqual(voxelMm);
    const roots = trueRootClearancesMm(phantom, best.screw);
    for (const c of s.clearances.filter((x) => x.structure.startsWith('root'))) {
      const t = roots.find((r) => r.id === c.structure)!;
      // Never overstated; exact within a voxel where it matters (the planner's fields stop about 20 mm out,
      // so a far structure prints a smaller, conservative figure).
      expect(c.clearanceMm).toBeLessThanOrEqual(t.clearanceMm + voxelMm);
      if (t.clearanceMm < 15) expect(Math.abs(c.clearanceMm - t.clearanceMm)).toBeLessThanOrEqual(voxelMm);
      expect(t.clearanceMm).toBeGreaterThanOrEqual(c.requiredMm); // the printed pass is true in the ground truth
    }
  });

  it('writes a PDF that carries all of it', async () => {
    const file = join(dir, 'phantom.pdf');
    writeFileSync(file, await reportToPdf(model, { paper: 'Letter' }));
    const text = pdfText(file);
    expect(expectedStrings(model).filter((e) => !text.includes(e.replace(/\s+/g, ' ')))).toEqual([]);
  });
});
