import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRealCase } from '../dicom/testing/realData';
import type { Vec3 } from '../geometry/vec3';
import { LABELS } from '../shared/ids';
import { ijkToLps } from '../volume/VolumeGeometry';
import { sampleNearestLps } from '../volume/sampleTrilinear';
import { createReportModel } from './ReportModel';
import { expectedStrings, pdfText } from './testing/pdfText';
import { reportToPdf } from './toPdf';
import { computeOverviewProjection, computeTrajectoryImages } from './trajectoryImages';

/**
 * The report on a real CT (TotalSegmentator example: abdomen-pelvis, 3 mm,
 * soft tissue, metal in the left femur) with a right iliosacral-like path
 * found from the real labels, not chosen by us: tip at the sacrum's centroid,
 * going out toward the patient's right, slightly posterior and caudal; bone
 * entry where it leaves the right hip bone for good; skin entry where it
 * reaches air. The report's slice/row/column must point at those very voxels,
 * and the patient's right must stay on the right.
 */
describe('report on a real CT', () => {
  const { ct, labels } = loadRealCase('totalseg-example');
  const dir = mkdtempSync(join(tmpdir(), 'report-real-'));
  afterAll(() => {
    if (!process.env.KEEP_REPORT_PDF) rmSync(dir, { recursive: true, force: true });
  });

  // Sacrum centroid in LPS.
  const g = ct.geometry;
  const [ni, nj, nk] = g.dims;
  let sx = 0, sy = 0, sz = 0, count = 0;
  const p: Vec3 = [0, 0, 0];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    if (labels.voxels[i + ni * (j + nj * k)] !== LABELS.sacrum) continue;
    ijkToLps(p, g, [i, j, k]);
    sx += p[0]; sy += p[1]; sz += p[2]; count++;
  }
  const tip: Vec3 = [sx / count, sy / count, sz / count];
  const outward: Vec3 = (() => { const v: Vec3 = [-1, 0.12, -0.08]; const l = Math.hypot(...v); return [v[0] / l, v[1] / l, v[2] / l]; })();
  const at = (t: number): Vec3 => [tip[0] + t * outward[0], tip[1] + t * outward[1], tip[2] + t * outward[2]];
  let boneT = -1, skinT = -1;
  for (let t = 0; t < 400; t += 0.25) {
    const q = at(t);
    if (sampleNearestLps(labels, q, 0) === LABELS.hipRight) boneT = t;
    if (sampleNearestLps(ct, q, -1000) < -500) { skinT = t - 0.25; break; }
  }

  it('finds the path on the real anatomy (sanity of the test itself)', () => {
    expect(count).toBeGreaterThan(500);
    expect(boneT).toBeGreaterThan(20);
    expect(skinT).toBeGreaterThan(boneT + 10);
  });

  it('points slice/row/column at the real voxels, keeps right on the right, and prints it all', async () => {
    const skin = at(skinT), bone = at(boneT);
    const screw = {
      id: 'real-1', corridor: 'iliosacralS1' as const, side: 'right' as const, skinEntryLps: skin, boneEntryLps: bone, tipLps: tip,
      diameterMm: 7.3, catalogLengthMm: Math.floor(boneT / 5) * 5, purchase: null, clearances: [], cortexClearanceMm: null, checks: [],
      images: computeTrajectoryImages(ct, { skinEntryLps: skin, boneEntryLps: bone, tipLps: tip, diameterMm: 7.3 }, { sizePx: 192 }),
    };
    screw.images.push(computeOverviewProjection(ct, [screw]));
    const model = createReportModel({
      software: { name: 'pelvic-screw-planner', version: '0.1.0' }, generatedAtIso: '2026-11-23T13:00:00Z', planHashHex: '0'.repeat(63) + '1',
      anonymous: true, patient: {}, study: {},
      series: { geometry: g, studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', modality: 'CT', patientPosition: 'HFS' },
      screws: [screw],
    });
    const s = model.screws[0]!;
    const voxel = (sp: { column: number; row: number; sliceNumber: number }): number => (sp.column - 1) + ni * ((sp.row - 1) + nj * (sp.sliceNumber - 1));
    // The bone entry's voxel (or, on the boundary, one of its 6 neighbours) is right hip bone; the tip's voxel is sacrum.
    const bv = voxel(s.boneEntry);
    expect([0, 1, -1, ni, -ni, ni * nj, -ni * nj].some((o) => labels.voxels[bv + o] === LABELS.hipRight)).toBe(true);
    expect(labels.voxels[voxel(s.tip)]).toBe(LABELS.sacrum);
    // The skin entry's voxel is soft tissue, and one voxel further out along the path is air.
    expect(ct.voxels[voxel(s.skinEntry)]!).toBeGreaterThan(-500);
    const beyond = at(skinT + 3);
    expect(sampleNearestLps(ct, beyond, -1000)).toBeLessThan(-500);
    // Left stays left: entered from the patient's right, the tip lies to the left of the entry.
    expect(s.skinEntry.lps[0]).toBeLessThan(tip[0]);
    expect(s.angles.inPlaneDeg).toBeGreaterThan(60);
    expect(s.cArm.bullsEye.primaryDeg).toBeLessThan(-60); // RAO: detector on the patient's right
    const axial = s.images.find((im) => im.kind === 'axialSkinEntry')!;
    expect(axial.orientation.left).toBe('R');
    // Table position = the slice's z for this axial series.
    expect(g.direction[8]).toBeCloseTo(1, 9);
    expect(s.skinEntry.tablePositionMm).toBeCloseTo(g.originLps[2] + (s.skinEntry.sliceNumber - 1) * g.spacingMm[2], 6);
    const file = join(dir, 'real.pdf');
    writeFileSync(file, await reportToPdf(model, { paper: 'A4' }));
    const text = pdfText(file);
    expect(expectedStrings(model).filter((e) => !text.includes(e.replace(/\s+/g, ' ')))).toEqual([]);
    execFileSync('/usr/bin/pdftoppm', ['-r', '60', '-png', file, join(dir, 'real')]);
  });
});
