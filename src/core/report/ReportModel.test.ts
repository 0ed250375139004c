import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../geometry/vec3';
import { errorCodeOf } from '../shared/errors';
import { createVolumeGeometry, type VolumeGeometry } from '../volume/VolumeGeometry';
import { createReportModel, type ReportInput, type ReportScrewInput } from './ReportModel';
import { computeBullsEyeView, computePathAngles, computeProgressionView, gantryTopToward, type PathAngles } from './roomAngles';
import { computeSeriesPoint } from './seriesCoordinates';

const DEG = 180 / Math.PI;
const HASH = 'ab'.repeat(32);

/** Standard axial series: 512 x 512 x 200, 0.8 x 0.8 x 2 mm, first voxel at (-204.8, -204.8, -400). */
const axial = createVolumeGeometry({ dims: [512, 512, 200], spacingMm: [0.8, 0.8, 2], originLps: [-204.8, -204.8, -400] });

function screwInput(skin: Vec3, bone: Vec3, tip: Vec3, extra: Partial<ReportScrewInput> = {}): ReportScrewInput {
  return {
    id: 's1', corridor: 'iliosacralS1', side: 'right', skinEntryLps: skin, boneEntryLps: bone, tipLps: tip,
    diameterMm: 7.3, catalogLengthMm: 50, purchase: null, clearances: [], cortexClearanceMm: null, checks: [], images: [], ...extra,
  };
}

function reportInput(geometry: VolumeGeometry, screws: ReportScrewInput[], extra: Partial<ReportInput> = {}): ReportInput {
  return {
    software: { name: 'planner', version: '0.1.0' }, generatedAtIso: '2026-11-23T12:00:00Z', planHashHex: HASH,
    anonymous: false, patient: { name: 'DOE^JANE', id: 'P123' }, study: { accessionNumber: 'A1', studyDate: '20261120' },
    series: { geometry, studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', modality: 'CT', patientPosition: 'HFS' },
    screws, ...extra,
  };
}

function angles(d: Vec3): PathAngles {
  return computePathAngles({ craniocaudalDeg: NaN, planeTiltDeg: NaN, inPlaneDeg: NaN, axialInPlaneDeg: NaN, elevationDeg: NaN }, d);
}

describe('slice / row / column / table position', () => {
  it('places a point of an axial series by hand', () => {
    // i = (0 + 204.8) / 0.8 = 256, j = (-100 + 204.8) / 0.8 = 131, k = (-150 + 400) / 2 = 125.
    const p = computeSeriesPoint(axial, [0, -100, -150]);
    expect(p).toMatchObject({ column: 257, row: 132, sliceNumber: 126, insideSeries: true, instanceNumber: null });
    expect(p.tablePositionMm).toBeCloseTo(-150, 9);
    expect(p.offFromSliceMm).toBeCloseTo(0, 9);
    // 0.7 mm above slice 126 rounds to it, and says how far off it is.
    const q = computeSeriesPoint(axial, [0, -100, -149.3]);
    expect(q.sliceNumber).toBe(126);
    expect(q.offFromSliceMm).toBeCloseTo(0.7, 9);
  });

  it('reports the InstanceNumber of the slice, for a series stored head first', () => {
    const instances = Array.from({ length: 200 }, (_, k) => 200 - k);
    expect(computeSeriesPoint(axial, [0, -100, -150], instances).instanceNumber).toBe(75);
  });

  it('uses the slice normal for the table position of a series ordered head to feet', () => {
    // k runs toward the feet; the normal (row x column cosines) is still +z, so table = slice z.
    const g = createVolumeGeometry({ dims: [10, 10, 50], spacingMm: [1, 1, 2.5], originLps: [0, 0, 100], direction: [1, 0, 0, 0, 1, 0, 0, 0, -1] });
    const p = computeSeriesPoint(g, [3, 4, 90]);
    expect(p.sliceNumber).toBe(5);
    expect(p.tablePositionMm).toBeCloseTo(90, 9);
  });

  it('places a point of an oblique (30 degree tilted) series by hand', () => {
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    // Row cosines x, column cosines (0, cos30, sin30), normal = x cross col = (0, -sin30, cos30).
    const g = createVolumeGeometry({ dims: [400, 400, 60], spacingMm: [0.5, 0.5, 2], originLps: [-100, -80, 50], direction: [1, 0, 0, 0, c, s, 0, -s, c] });
    // Voxel (40, 60, 10): origin + 20 * x + 30 * col + 20 * normal.
    const point: Vec3 = [-100 + 20, -80 + 30 * c - 20 * s, 50 + 30 * s + 20 * c];
    const p = computeSeriesPoint(g, point);
    expect(p).toMatchObject({ column: 41, row: 61, sliceNumber: 11 });
    // dot(origin, normal) = 80 * sin30 + 50 * cos30, plus 10 slices of 2 mm.
    expect(p.tablePositionMm).toBeCloseTo(80 * s + 50 * c + 20, 9);
    expect(p.offFromSliceMm).toBeCloseTo(0, 9);
  });
});

describe('slice / row / column round trip', () => {
  it('lands within half a voxel of the point on random oblique, anisotropic, sheared grids', () => {
    let seed = 99;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let n = 0; n < 100; n++) {
      const a = rnd() * Math.PI, b = rnd() * 0.5;
      // Row cosines rotated about z by a; column cosines tilted by b; k axis sheared (gantry-tilt acquisition).
      const r: Vec3 = [Math.cos(a), Math.sin(a), 0];
      const c: Vec3 = [-Math.sin(a) * Math.cos(b), Math.cos(a) * Math.cos(b), Math.sin(b)];
      const k: Vec3 = [0.2 * rnd(), -0.3 * rnd(), 1];
      const kl = Math.hypot(...k);
      const g = createVolumeGeometry({
        dims: [50, 60, 40], spacingMm: [0.5 + rnd(), 0.5 + rnd(), 1 + 2 * rnd()], originLps: [100 * rnd() - 50, 100 * rnd() - 50, 100 * rnd() - 50],
        direction: [...r, ...c, k[0] / kl, k[1] / kl, k[2] / kl],
      });
      const ijk: Vec3 = [49 * rnd(), 59 * rnd(), 39 * rnd()];
      const p: Vec3 = [0, 0, 0];
      const m = g.ijkToLps;
      for (let q = 0; q < 3; q++) p[q] = m[q]! * ijk[0] + m[4 + q]! * ijk[1] + m[8 + q]! * ijk[2] + m[12 + q]!;
      const sp = computeSeriesPoint(g, p);
      expect([sp.column - 1, sp.row - 1, sp.sliceNumber - 1]).toEqual(ijk.map((v) => Math.round(v)));
      expect(sp.insideSeries).toBe(true);
      // The point's distance from its slice plane is its fractional slice offset times the slice step along the normal.
      const nrm: Vec3 = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
      const nl = Math.hypot(...nrm);
      const stepAlongNormal = g.spacingMm[2] * (k[0] * nrm[0] + k[1] * nrm[1] + k[2] * nrm[2]) / (kl * nl);
      expect(sp.offFromSliceMm).toBeCloseTo((ijk[2] - Math.round(ijk[2])) * stepAlongNormal, 9);
    }
  });
});

describe('room angles by hand', () => {
  it('straight anteroposterior path: no tilt, vertical, AP bull\'s-eye, lateral progression', () => {
    const a = angles([0, 1, 0]);
    expect(a.craniocaudalDeg).toBeCloseTo(0, 12);
    expect(a.inPlaneDeg).toBeCloseTo(0, 12);
    expect(a.elevationDeg).toBeCloseTo(0, 12);
    const be = computeBullsEyeView([0, 1, 0]);
    expect(be.primaryDeg).toBeCloseTo(0, 12);
    expect(be.secondaryDeg).toBeCloseTo(0, 12);
    expect(be.detectorDirLps).toEqual([0, -1, 0]);
    const pr = computeProgressionView([0, 1, 0]);
    expect(pr.primaryDeg).toBeCloseTo(90, 12); // LAO 90 = left lateral
    expect(pr.secondaryDeg).toBeCloseTo(0, 12);
  });

  it('lateral path from the right: horizontal to the left, RAO 90 bull\'s-eye on the entry side, AP progression', () => {
    const a = angles([1, 0, 0]);
    expect(a.inPlaneDeg).toBeCloseTo(90, 12);
    expect(a.craniocaudalDeg).toBe(0);
    const be = computeBullsEyeView([1, 0, 0]);
    expect(be.primaryDeg).toBeCloseTo(-90, 12);
    expect(be.detectorDirLps[0]).toBeCloseTo(-1, 12);
    const pr = computeProgressionView([1, 0, 0]);
    expect(pr.primaryDeg).toBeCloseTo(0, 12);
    expect(pr.secondaryDeg).toBeCloseTo(0, 12);
  });

  it('45 degrees cranial in the sagittal plane: 45 tilt, top of gantry to the feet when supine, CAU 45 bull\'s-eye', () => {
    const a = angles([0, 1, 1]);
    expect(a.craniocaudalDeg).toBeCloseTo(45, 12);
    expect(a.planeTiltDeg).toBeCloseTo(45, 12);
    expect(a.elevationDeg).toBeCloseTo(45, 12);
    expect(a.inPlaneDeg).toBeCloseTo(0, 12);
    expect(gantryTopToward(a.planeTiltDeg, 'supine')).toBe('feet');
    expect(gantryTopToward(a.planeTiltDeg, 'prone')).toBe('head');
    const be = computeBullsEyeView([0, 1, 1]);
    expect(be.primaryDeg).toBeCloseTo(0, 12);
    expect(be.secondaryDeg).toBeCloseTo(-45, 12);
    // Same path entered from the back (prone patient, tip anterior and cranial): still 45 cranial.
    const back = angles([0, -1, 1]);
    expect(back.craniocaudalDeg).toBeCloseTo(45, 12);
    expect(back.planeTiltDeg).toBeCloseTo(-45, 12);
    expect(gantryTopToward(back.planeTiltDeg, 'prone')).toBe('feet');
  });

  it('45 degrees in the axial plane toward the left: RAO 45 bull\'s-eye, LAO 45 progression', () => {
    const a = angles([1, 1, 0]);
    expect(a.inPlaneDeg).toBeCloseTo(45, 12);
    expect(a.craniocaudalDeg).toBeCloseTo(0, 12);
    expect(computeBullsEyeView([1, 1, 0]).primaryDeg).toBeCloseTo(-45, 12);
    expect(computeProgressionView([1, 1, 0]).primaryDeg).toBeCloseTo(45, 12);
    expect(angles([-1, 1, 0]).inPlaneDeg).toBeCloseTo(-45, 12);
  });

  it('double-oblique path (12, 40, 30): tilt atan(3/4), in-plane atan(12/50)', () => {
    // Tilted AP axis (0, 4/5, 3/5): the path's component along it is 40 * 4/5 + 30 * 3/5 = 50.
    const a = angles([12, 40, 30]);
    expect(a.craniocaudalDeg).toBeCloseTo(Math.atan(3 / 4) * DEG, 10); // 36.87
    expect(a.inPlaneDeg).toBeCloseTo(Math.atan(12 / 50) * DEG, 10); // 13.50
    expect(a.axialInPlaneDeg).toBeCloseTo(Math.atan(12 / 40) * DEG, 10); // 16.70
    expect(a.elevationDeg).toBeCloseTo(Math.asin(30 / Math.sqrt(2644)) * DEG, 10); // 35.69
    const be = computeBullsEyeView([12, 40, 30]);
    expect(be.primaryDeg).toBeCloseTo(-Math.atan(12 / 40) * DEG, 10); // RAO 16.70
    expect(be.secondaryDeg).toBeCloseTo(-Math.asin(30 / Math.sqrt(2644)) * DEG, 10); // CAU 35.69
    const pr = computeProgressionView([12, 40, 30]);
    expect(pr.primaryDeg).toBeCloseTo(Math.atan(40 / 12) * DEG, 10); // LAO 73.30
    expect(pr.secondaryDeg).toBeCloseTo(0, 12);
  });

  it('puts the bull\'s-eye detector on the entry side, unless it would sink under the table', () => {
    // Nearly lateral screws from the right, slightly forward or backward: detector stays on the right (RAO ~90).
    // Entry slightly anterior (d_y > 0): detector slightly in front of the horizontal, |primary| < 90; and the reverse.
    expect(computeBullsEyeView([1, 0.02, 0]).primaryDeg).toBeCloseTo(-90 + Math.atan(0.02) * DEG, 9);
    expect(computeBullsEyeView([1, -0.02, 0]).primaryDeg).toBeCloseTo(-90 - Math.atan(0.02) * DEG, 9);
    // Entered from the back of a supine patient (posterior to anterior): the detector goes in front (AP 0).
    expect(computeBullsEyeView([0, -1, 0], 'supine').primaryDeg).toBeCloseTo(0, 12);
    // The same path in a prone patient: detector above the back, 180 degrees from AP.
    expect(Math.abs(computeBullsEyeView([0, -1, 0], 'prone').primaryDeg)).toBeCloseTo(180, 12);
    expect(computeProgressionView([0, -1, 0.3], 'prone').detectorDirLps[0]).toBeCloseTo(1, 12);
    expect(computeProgressionView([1, 0.2, 0], 'prone').detectorDirLps[1]).toBeGreaterThan(0);
  });

  it('C-arm angles reproduce the beam through the DICOM positioner formula, bull\'s-eye along and progression across the screw', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    for (let n = 0; n < 200; n++) {
      const d: Vec3 = [rnd(), rnd(), rnd()];
      const len = Math.hypot(...d);
      for (const view of [computeBullsEyeView(d), computeProgressionView(d)]) {
        const a = view.primaryDeg / DEG, b = view.secondaryDeg / DEG;
        const u = view.detectorDirLps;
        expect(Math.sin(a) * Math.cos(b)).toBeCloseTo(u[0], 9);
        expect(-Math.cos(a) * Math.cos(b)).toBeCloseTo(u[1], 9);
        expect(Math.sin(b)).toBeCloseTo(u[2], 9);
        expect(u[1]).toBeLessThanOrEqual(0.5 + 1e-12); // supine: detector at most 30 degrees below the horizontal
      }
      const be = computeBullsEyeView(d).detectorDirLps;
      expect(Math.abs(be[0] * d[0] + be[1] * d[1] + be[2] * d[2]) / len).toBeCloseTo(1, 9);
      const pr = computeProgressionView(d).detectorDirLps;
      expect((pr[0] * d[0] + pr[1] * d[1] + pr[2] * d[2]) / len).toBeCloseTo(0, 9);
      expect(pr[2]).toBeCloseTo(0, 12);
    }
  });
});

describe('createReportModel', () => {
  it('matches a hand-computed double-oblique screw on the axial series', () => {
    const skin: Vec3 = [10.4, -100, -150];
    const tip: Vec3 = [34.4, -20, -90]; // skin + 2 * (12, 40, 30)
    const bone: Vec3 = [16.4, -80, -135]; // a quarter of the way
    const model = createReportModel(reportInput(axial, [screwInput(skin, bone, tip)]));
    const s = model.screws[0]!;
    expect(s.skinToTipMm).toBeCloseTo(2 * Math.sqrt(2644), 9);
    expect(s.skinToBoneMm).toBeCloseTo(Math.sqrt(2644) / 2, 9);
    expect(s.boneEntryToTipMm).toBeCloseTo(1.5 * Math.sqrt(2644), 9);
    expect(s.angles.craniocaudalDeg).toBeCloseTo(36.8699, 3);
    expect(s.gantryTiltDeg).toBeCloseTo(36.8699, 3);
    expect(s.gantryTiltPossible).toBe(false); // 30 degree gantry
    expect(s.gantryTopToward).toBe('feet'); // supine, plane rising posteriorly
    // Skin: i = 215.2 / 0.8 = 269 -> column 270; j = 131 -> row 132; k = 125 -> slice 126.
    expect(s.skinEntry).toMatchObject({ column: 270, row: 132, sliceNumber: 126 });
    // Tip: i = 239.2 / 0.8 = 299 -> column 300; j = 184.8 / 0.8 = 231 -> row 232; k = 155 -> slice 156.
    expect(s.tip).toMatchObject({ column: 300, row: 232, sliceNumber: 156 });
    expect(s.tip.tablePositionMm).toBeCloseTo(-90, 9);
    expect(s.slicesSpanned).toEqual({ first: 126, last: 156 });
    expect(s.roomSteps.join(' ')).toContain('beyond the 30.0\u00b0 limit');
    const wide = createReportModel(reportInput(axial, [screwInput(skin, bone, tip)], { maxGantryTiltDeg: 40 })).screws[0]!;
    expect(wide.gantryTiltPossible).toBe(true);
    expect(wide.roomSteps.join(' ')).toContain('Gantry tilt 36.9\u00b0');
    expect(wide.roomSteps.join(' ')).toContain('13.5\u00b0 to patient\'s left');
  });

  it('gives the same angles for the same path on an oblique series, and different slice numbers', () => {
    const c = Math.cos(Math.PI / 6), s = Math.sin(Math.PI / 6);
    const oblique = createVolumeGeometry({ dims: [800, 800, 200], spacingMm: [0.5, 0.5, 2], originLps: [-200, -200, -300], direction: [1, 0, 0, 0, c, s, 0, -s, c] });
    const screw = screwInput([10, -100, -150], [16, -80, -135], [34, -20, -90]);
    const a = createReportModel(reportInput(axial, [screw])).screws[0]!;
    const b = createReportModel(reportInput(oblique, [screw])).screws[0]!;
    expect(b.angles).toEqual(a.angles);
    expect(b.cArm).toEqual(a.cArm);
    expect(b.skinEntry.sliceNumber).not.toBe(a.skinEntry.sliceNumber);
    expect(b.roomSteps[0]).toMatch(/^Table at/); // 30 degrees from axial: still a table position
    // A sagittal planning series: rows along -z, columns along +y, normal along x.
    const sagittal = createVolumeGeometry({ dims: [256, 256, 100], spacingMm: [1, 1, 2], originLps: [-100, -128, 128], direction: [0, 1, 0, 0, 0, -1, 1, 0, 0] });
    const sg = createReportModel(reportInput(sagittal, [screw]));
    expect(sg.series.axial).toBe(false);
    expect(sg.screws[0]!.roomSteps[0]).toMatch(/^Planning series is not axial: slice position along its normal/);
  });

  it('anonymous mode leaves the patient identifiers, accession and study date out', () => {
    const m = createReportModel(reportInput(axial, [], { anonymous: true }));
    expect(m.patient).toEqual({ name: null, id: null, birthDate: null });
    expect(m.study.accessionNumber).toBeNull();
    expect(m.study.studyDate).toBeNull();
    expect(m.series.seriesInstanceUid).toBe('1.2.3.4');
    const named = createReportModel(reportInput(axial, []));
    expect(named.patient.name).toBe('DOE^JANE');
  });

  it('counts checks and refuses an override without who and why', () => {
    const checks = [
      { id: 'purchase', label: 'purchase', status: 'pass' as const, valueMm: 20, requiredMm: 15 },
      { id: 'clearance', label: 'clearance', status: 'overridden' as const, valueMm: 1.5, requiredMm: 2, overriddenBy: 'Dr A', reason: 'foramen edge mis-segmented' },
      { id: 'breach', label: 'breach', status: 'fail' as const, valueMm: -0.5, requiredMm: 0 },
    ];
    const m = createReportModel(reportInput(axial, [screwInput([0, -100, -150], [0, -60, -150], [0, -10, -150], { checks })]));
    expect(m.screws[0]!.checkCounts).toEqual({ pass: 1, fail: 1, overridden: 1 });
    const noReason = [{ ...checks[1]!, reason: ' ' }];
    expect(() => createReportModel(reportInput(axial, [screwInput([0, -100, -150], [0, -60, -150], [0, -10, -150], { checks: noReason })])))
      .toThrow(/overridden without who/);
  });

  it('refuses points that are not on one line, or out of order', () => {
    const off = (): unknown => createReportModel(reportInput(axial, [screwInput([0, -100, -150], [3, -60, -150], [0, -10, -150])]));
    expect(off).toThrow(/off the skin-entry-to-tip line/);
    try { off(); } catch (e) { expect(errorCodeOf(e)).toBe('report/bad-input'); }
    expect(() => createReportModel(reportInput(axial, [screwInput([0, -100, -150], [0, 0, -150], [0, -10, -150])]))).toThrow(/not between/);
  });
});
