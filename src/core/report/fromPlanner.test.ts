import { describe, expect, it } from 'vitest';
import type { CheckResult, Screw, ScrewEvaluation } from '../planning/types';
import { defaultCatalog } from '../planning/screwCatalog';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { computeSkinEntry } from './computeSkinEntry';
import { STRUCTURE_IDS } from '../shared/ids';
import { planContentFromSession, reportScrewFromPlanner, structureStatusOfPlan, structuresWithoutModelOfPlan } from './fromPlanner';
import { createReportModel } from './ReportModel';
import { exportPlanJson, importPlanJson } from './toJson';

/** Body: a cylinder of radius 80 mm about the z axis (40 HU) in air (-1000 HU); 1 mm voxels. */
function body(kind: 'ct' | 'cbct') {
  const geometry = createVolumeGeometry({ dims: [200, 200, 20], spacingMm: [1, 1, 1], originLps: [-99.5, -99.5, -9.5] });
  const v = new Float32Array(200 * 200 * 20);
  for (let k = 0; k < 20; k++) for (let j = 0; j < 200; j++) for (let i = 0; i < 200; i++) {
    const x = -99.5 + i, y = -99.5 + j;
    const hu = Math.hypot(x, y) <= 80 ? 40 : -1000;
    // A CBCT-like grey scale: not HU (offset and scaled).
    v[i + 200 * (j + 200 * k)] = kind === 'ct' ? hu : 0.5 * hu + 1200;
  }
  return createVolume('body', kind, geometry, v);
}

describe('computeSkinEntry', () => {
  it('finds the skin of a cylinder body on an oblique path within half a millimetre', () => {
    const ct = body('ct');
    // From (10, 0, 0) out toward (-1, -1, 0.05): meets the radius-80 cylinder analytically (z stays inside the slab).
    const bone: [number, number, number] = [10, 0, 0];
    const tip: [number, number, number] = [20, 10, -0.5];
    const r = computeSkinEntry(ct, bone, tip);
    expect(r.found).toBe(true);
    // Solve |(10, 0) + t (-1, -1) / |(-1, -1, 0.05)|| = 80 in the axial plane.
    const n = Math.hypot(1, 1, 0.05);
    const a = 2 / (n * n), b = 2 * (10 * -1 / n), c = 100 - 6400;
    const t = (-b + Math.sqrt(b * b - 4 * a * c)) / (2 * a);
    expect(r.skinToBoneMm).toBeGreaterThan(t - 0.6);
    expect(r.skinToBoneMm).toBeLessThan(t + 0.6);
    expect(Math.hypot(r.skinEntryLps[0], r.skinEntryLps[1])).toBeCloseTo(80, 0);
  });

  it('uses the histogram for a CBCT and reports a path that leaves the field of view', () => {
    const cbct = body('cbct');
    const r = computeSkinEntry(cbct, [0, 0, 0], [0, 10, 0]);
    expect(r.airThreshold).toBeGreaterThan(700); // between air (700) and tissue (1220) in this grey scale
    expect(r.airThreshold).toBeLessThan(1220);
    expect(r.found).toBe(true);
    expect(r.skinToBoneMm).toBeCloseTo(80, 0);
    // Along the long axis the path leaves the 20 mm slab while still in the body: not found, last point inside.
    const z = computeSkinEntry(body('ct'), [0, 0, 0], [0, 0, -5]);
    expect(z.found).toBe(false);
    expect(z.skinEntryLps[2]).toBeGreaterThan(9);
    const model = createReportModel({
      software: { name: 'p', version: '1' }, generatedAtIso: 'x', planHashHex: 'a'.repeat(64), anonymous: true, patient: {}, study: {},
      series: { geometry: body('ct').geometry, studyInstanceUid: '1', seriesInstanceUid: '2', modality: 'CT' },
      screws: [{ id: 's', corridor: 'iliacWing', side: 'left', skinEntryLps: z.skinEntryLps, skinEntryFound: false, boneEntryLps: [0, 0, 0], tipLps: [0, 0, -5], diameterMm: 7, catalogLengthMm: 5, purchase: null, clearances: [], cortexClearanceMm: null, checks: [], images: [] }],
    });
    expect(model.screws[0]!.roomSteps[0]).toMatch(/^The skin lies beyond the image/);
    expect(model.screws[0]!.roomSteps.join(' ')).toContain('skin to bone at least');
  });
});

describe('from the planner', () => {
  const screw: Screw = { id: 'screw-1', corridorId: 'iliosacralS1', side: 'right', entryLps: [-60, 10, 5], tipLps: [20, 14, 9], diameterMm: 7.3, lengthMm: 80, catalogId: 'cannulated-7.3' };
  const check = (c: Partial<CheckResult> & Pick<CheckResult, 'rule' | 'ok' | 'valueMm' | 'requiredMm'>): CheckResult => ({ toleranceMm: 0.5, marginMm: c.valueMm - 0.5 - c.requiredMm, detail: `${c.rule} detail`, ...c });
  const evaluation: ScrewEvaluation = {
    screwId: 'screw-1', ok: false,
    checks: [
      check({ rule: 'purchase', ok: true, valueMm: 18, requiredMm: 15, figures: { nearMm: 22, farMm: 18, lesionSpanMm: 30 } }),
      check({ rule: 'clearance', ok: false, valueMm: 1.2, requiredMm: 2, structureId: 'foramenS1Right' }),
      check({ rule: 'clearance', ok: true, valueMm: 6, requiredMm: 2, structureId: 'sacralCanal' }),
      check({ rule: 'corticalBreach', ok: false, valueMm: -0.3, requiredMm: 0 }),
    ],
    purchaseNearMm: 22, purchaseFarMm: 18, lesionSpanMm: 30, minClearanceMm: 1.2, minClearanceStructure: 'foramenS1Right', minBoneCoverMm: -0.3, pathExitLps: [-99, 8, 4],
  };
  const overrides = [{ screwId: 'screw-1', rule: 'clearance', structureId: 'foramenS1Right' as const, by: 'Dr B', reason: 'foramen wall intact on coronal', atIso: '2026-11-23T11:00:00Z' }];
  const skin = { found: true, skinEntryLps: [-100, 8, 4] as [number, number, number], skinToBoneMm: 40.06, airThreshold: -500 };

  it('maps checks, overrides (only for the failed check they name), clearances and purchase', () => {
    const r = reportScrewFromPlanner(screw, evaluation, skin, { overrides, catalog: defaultCatalog() });
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['purchase', 'pass'], ['clearance:foramenS1Right', 'overridden'], ['clearance:sacralCanal', 'pass'], ['corticalBreach', 'fail'],
    ]);
    expect(r.checks[1]).toMatchObject({ overriddenBy: 'Dr B', reason: 'foramen wall intact on coronal' });
    expect(r.clearances).toEqual([{ structure: 'foramenS1Right', clearanceMm: 1.2, requiredMm: 2 }, { structure: 'sacralCanal', clearanceMm: 6, requiredMm: 2 }]);
    expect(r.purchase).toEqual({ nearMm: 22, farMm: 18, lesionSpanMm: 30 });
    expect(r.cortexClearanceMm).toBe(-0.3);
    expect(r.catalogLabel).toBe('7.3 mm cannulated');
    expect(r.boneEntryLps).toEqual(screw.entryLps);
    expect(r.boneEntryLps).not.toBe(screw.entryLps);
  });

  it('carries a capped (lower-bound) clearance as its numeric bound plus the flag, into the model', () => {
    const capped: ScrewEvaluation = {
      ...evaluation,
      checks: [...evaluation.checks, check({ rule: 'clearance', ok: true, valueMm: 21.35, requiredMm: 2, structureId: 'rootL5Left', isLowerBound: true })],
    };
    const r = reportScrewFromPlanner(screw, capped, skin);
    expect(r.clearances.find((c) => c.structure === 'rootL5Left')).toEqual({ structure: 'rootL5Left', clearanceMm: 21.35, requiredMm: 2, isLowerBound: true });
    expect(r.clearances.find((c) => c.structure === 'sacralCanal')!.isLowerBound).toBeUndefined();
    expect(r.checks.find((c) => c.id === 'clearance:rootL5Left')).toMatchObject({ valueMm: 21.35, isLowerBound: true });
    expect(r.checks.find((c) => c.id === 'clearance:sacralCanal')!.isLowerBound).toBeUndefined();
  });

  it('saves the session as a plan file and reads the same screws back', () => {
    const geometry = createVolumeGeometry({ dims: [100, 100, 50], spacingMm: [1, 1, 2], originLps: [-50, -50, -50] });
    const content = planContentFromSession({
      series: { studyInstanceUid: '1.2', seriesInstanceUid: '1.2.3', geometry },
      catalog: defaultCatalog(), settings: { ...DEFAULT_PLAN_SETTINGS },
      structures: { foramina: [{ id: 'foramenS1Right', centerLps: [-20, -30, 10], axisLps: [0, -1, 0], radiusMm: 4, lengthMm: 30 }], sacralCanal: null, roots: [], joints: [], notes: ['S4 not found'] },
      structureReview: [{ id: 'foramenS1Right', status: 'confirmed', reviewedBy: 'Dr B', labelValue: 10, volumeMl: null }],
      screws: [{ screw, skinEntryLps: skin.skinEntryLps }], overrides,
    });
    const { text } = exportPlanJson(content, { software: { name: 'p', version: '1' }, savedAtIso: '2026-11-23T12:00:00Z' });
    const back = importPlanJson(text, { seriesInstanceUid: '1.2.3', geometry });
    const { skinEntryLps, ...rest } = back.plan.screws[0]!;
    expect(rest).toEqual(screw);
    expect(skinEntryLps).toEqual(skin.skinEntryLps);
    expect(back.plan.catalog).toEqual(defaultCatalog());
    expect(back.plan.structures.foramina[0]!.centerLps).toEqual([-20, -30, 10]);
  });
  it('tells the planner which structures have no model and why (structuresModelled), from the plan', () => {
    const plan = {
      structures: {
        foramina: [{ id: 'foramenS1Right' as const, centerLps: [-20, -30, 10] as [number, number, number], axisLps: [0, -1, 0] as [number, number, number], radiusMm: 4, lengthMm: 30 }],
        sacralCanal: null, roots: [], joints: [], notes: [],
      },
      structureReview: [
        { id: 'foramenS4Left', status: 'absent' as const, reviewedBy: 'Dr B', labelValue: 15, volumeMl: null },
        { id: 'foramenS1Right', status: 'absent' as const, reviewedBy: 'Dr B', labelValue: 10, volumeMl: null },
      ],
    };
    const w = structuresWithoutModelOfPlan(plan);
    expect(w.foramenS1Right).toBeUndefined(); // modelled: its clearance is measured
    expect(w.foramenS4Left).toBe('absent');
    expect(w.foramenS1Left).toBe('notFound');
    expect(Object.keys(w).sort()).toEqual(STRUCTURE_IDS.filter((id) => id !== 'foramenS1Right').sort());
  });

  it('gives the report every structure the planner can model, by whether the plan has its model and what the review says', () => {
    const status = structureStatusOfPlan({
      structures: {
        foramina: [
          { id: 'foramenS1Right', centerLps: [-20, -30, 10], axisLps: [0, -1, 0], radiusMm: 4, lengthMm: 30 },
          { id: 'foramenS1Left', centerLps: [20, -30, 10], axisLps: [0, -1, 0], radiusMm: 4, lengthMm: 30 },
        ],
        sacralCanal: null, roots: [], joints: [], notes: [],
      },
      structureReview: [
        { id: 'foramenS1Right', status: 'confirmed', reviewedBy: 'Dr B', labelValue: 10, volumeMl: null },
        { id: 'foramenS4Left', status: 'absent', reviewedBy: 'Dr B', labelValue: 15, volumeMl: null },
        // A review entry 'absent' for a structure that has a model after all: the model was checked.
        { id: 'foramenS1Left', status: 'absent', reviewedBy: 'Dr B', labelValue: 9, volumeMl: null },
      ],
    });
    expect(status.map((x) => x.id)).toEqual([...STRUCTURE_IDS]);
    const of = (id: string) => status.find((x) => x.id === id)!.state;
    expect(of('foramenS1Right')).toBe('confirmed');
    expect(of('foramenS1Left')).toBe('automatic');
    expect(of('foramenS4Left')).toBe('absent');
    expect(of('sacralCanal')).toBe('notFound');
    expect(of('jointLeft')).toBe('notFound');
    expect(status.filter((x) => x.state === 'notFound')).toHaveLength(STRUCTURE_IDS.length - 3);
  });
});
