import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../shared/errors';
import { canonicalJson } from './canonicalJson';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';
import type { PlanContent } from './planSchema';
import { computePlanHash, exportPlanJson, importPlanJson } from './toJson';

const SOFTWARE = { name: 'pelvic-screw-planner', version: '0.1.0' };

function samplePlan(): PlanContent {
  return {
    series: {
      studyInstanceUid: '1.2.826.0.1.1',
      seriesInstanceUid: '1.2.826.0.1.1.2',
      frameOfReferenceUid: '1.2.826.0.1.1.3',
      description: 'Pelvis bone 1.0',
      geometry: { dims: [512, 512, 300], spacingMm: [0.78125, 0.78125, 1], originLps: [-200, -210.5, -400.25], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    },
    catalog: {
      version: 1,
      screws: [{ id: 'cannulated-7.3', label: '7.3 mm cannulated', diameterMm: 7.3, lengthsMm: [30, 35, 40, 80, 85], threadLengthMm: 32, headDiameterMm: 11.5, cannulated: true }],
    },
    settings: { safetyMarginMm: 2, purchaseMm: 15, screwSpacingMm: 3, femoralNeckTipMinMm: 5, femoralNeckTipMaxMm: 10, entryZoneMm: 4, maxJointGapMm: 6, minLesionSpanMm: 8 },
    structures: {
      foramina: [{ id: 'foramenS1Left', centerLps: [22.5, -31.25, 12], axisLps: [0.1, -0.99498743710662, 0], radiusMm: 4.2, lengthMm: 28 }],
      sacralCanal: { id: 'sacralCanal', centerlineLps: [[0, -10, 40], [0, -5, 0], [0, 5, -40]], radiusMm: 6 },
      roots: [{ id: 'rootL5Right', centerlineLps: [[-30, -20, 50], [-40, -35, 10]], radiusMm: 2.5 }],
      joints: [{ id: 'jointLeft', side: 'left', centerLps: [90, -20, -80], radiusMm: 24, capAxisLps: [0.6, 0, 0.8], capHalfAngleDeg: 80, rmsResidualMm: 0.4 }],
      notes: ['S4 foramina not found'],
    },
    structureReview: [
      { id: 'foramenS1Left', status: 'confirmed', reviewedBy: 'Dr A', labelValue: 9, volumeMl: 0.41 },
      { id: 'lesion', status: 'edited', reviewedBy: 'Dr A', labelValue: 7, volumeMl: 23.5 },
    ],
    screws: [{
      id: 'screw-1', corridorId: 'iliosacralS1', side: 'right', entryLps: [-120.123456789, 35.5, -180.25], tipLps: [-30.000001, 40.1, -175],
      diameterMm: 7.3, lengthMm: 85, catalogId: 'cannulated-7.3', skinEntryLps: [-160.2, 30.4, -182.7],
    }],
    overrides: [{ screwId: 'screw-1', rule: 'clearance', structureId: 'foramenS1Right', by: 'Dr A', reason: 'foramen boundary checked on the images', atIso: '2026-11-23T10:00:00Z' }],
  };
}

const OPEN = { seriesInstanceUid: '1.2.826.0.1.1.2' };

function codeOf(fn: () => unknown): string | undefined {
  try { fn(); } catch (e) { return errorCodeOf(e); }
  return 'no error';
}

describe('canonicalJson', () => {
  it('sorts keys, drops undefined properties and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [true, null, 'x"y'], c: undefined, 'é': 0.1 })).toBe('{"a":[true,null,"x\\"y"],"b":1,"é":0.1}');
    expect(canonicalJson({ z: { y: 1, x: 2 } })).toBe(canonicalJson(JSON.parse('{"z":{"x":2,"y":1}}')));
  });
  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/a: NaN/);
    expect(() => canonicalJson([undefined])).toThrow(/undefined in an array/);
    expect(() => canonicalJson({ a: new Float64Array(2) })).toThrow(/plain objects/);
  });
});

describe('plan JSON', () => {
  it('round-trips: export, import, same plan, same hash', () => {
    const plan = samplePlan();
    const { text, hashHex } = exportPlanJson(plan, { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    expect(hashHex).toMatch(/^[0-9a-f]{64}$/);
    const back = importPlanJson(text, OPEN);
    expect(back.plan).toEqual(plan);
    expect(back.hashHex).toBe(hashHex);
    expect(computePlanHash(back.plan)).toBe(hashHex);
    // Saved again later by another version: same plan, same hash.
    const again = exportPlanJson(back.plan, { software: { ...SOFTWARE, version: '0.2.0' }, savedAtIso: '2026-12-01T08:00:00Z' });
    expect(again.hashHex).toBe(hashHex);
    expect(again.text).not.toBe(text);
  });

  it('loads a plan file saved before minLesionSpanMm existed: hash checked as saved, the planner default filled in', () => {
    // A file as the first version wrote it: no minLesionSpanMm in the settings, hashed without it.
    const old = samplePlan() as unknown as { settings: Record<string, unknown> };
    delete old.settings['minLesionSpanMm'];
    const oldHash = computePlanHash(old as unknown as PlanContent);
    const text = JSON.stringify({ format: 'pelvic-screw-plan', formatVersion: 1, software: SOFTWARE, savedAtIso: '2026-11-01T09:00:00Z', plan: old, hash: { algorithm: 'SHA-256', hex: oldHash } });
    const back = importPlanJson(text, OPEN);
    expect(back.hashHex).toBe(oldHash);
    expect(back.plan.settings.minLesionSpanMm).toBe(DEFAULT_PLAN_SETTINGS.minLesionSpanMm);
    expect(back.plan.settings.purchaseMm).toBe(15);
    // Saved again, the setting is in the file (and so in the new hash).
    const again = exportPlanJson(back.plan, { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    expect(again.hashHex).not.toBe(oldHash);
    expect(importPlanJson(again.text, OPEN).plan.settings.minLesionSpanMm).toBe(DEFAULT_PLAN_SETTINGS.minLesionSpanMm);
    // An edit of such a file is still caught.
    expect(codeOf(() => importPlanJson(text.replace('"purchaseMm":15', '"purchaseMm":10'), OPEN))).toBe('plan/invalid-file');
    // A negative span is refused, a set one is kept.
    const saved = exportPlanJson(samplePlan(), { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    expect(importPlanJson(saved.text, OPEN).plan.settings.minLesionSpanMm).toBe(8);
    expect(codeOf(() => exportPlanJson({ ...samplePlan(), settings: { ...samplePlan().settings, minLesionSpanMm: -1 } }, { software: SOFTWARE, savedAtIso: 'x' }))).toBe('report/bad-input');
  });

  it('hashes content, not layout: key order and whitespace do not matter, one digit does', () => {
    const plan = samplePlan();
    const { text, hashHex } = exportPlanJson(plan, { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    const reordered = JSON.stringify(JSON.parse(text), (_k, v: unknown) =>
      v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v);
    expect(importPlanJson(reordered, OPEN).hashHex).toBe(hashHex);
    const moved = samplePlan();
    moved.screws[0]!.tipLps[0] = -30.000002;
    expect(computePlanHash(moved)).not.toBe(hashHex);
  });

  it('refuses a corrupted file (content edited after saving) with plan/invalid-file', () => {
    const { text } = exportPlanJson(samplePlan(), { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    const edited = text.replace('"lengthMm": 85', '"lengthMm": 90');
    expect(edited).not.toBe(text);
    expect(() => importPlanJson(edited, OPEN)).toThrow(/corrupted or edited after it was saved/);
    expect(codeOf(() => importPlanJson(edited, OPEN))).toBe('plan/invalid-file');
  });

  it('refuses truncated text, another kind of JSON, a newer format and a schema violation, naming the field', () => {
    const { text } = exportPlanJson(samplePlan(), { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    expect(() => importPlanJson(text.slice(0, text.length / 2), OPEN)).toThrow(/not valid JSON/);
    expect(() => importPlanJson('{"hello": 1}', OPEN)).toThrow(/not a screw plan file/);
    expect(() => importPlanJson(text.replace('"formatVersion": 1', '"formatVersion": 2'), OPEN)).toThrow(/newer version/);
    const broken = JSON.parse(text) as { plan: { screws: { tipLps: unknown[] }[] } };
    broken.plan.screws[0]!.tipLps = [1, 2];
    expect(() => importPlanJson(JSON.stringify(broken), OPEN)).toThrow(/file\.plan\.screws\[0\]\.tipLps/);
    for (const bad of [text.slice(0, 10), '{"hello": 1}', JSON.stringify(broken)]) {
      expect(codeOf(() => importPlanJson(bad, OPEN))).toBe('plan/invalid-file');
    }
  });

  it('refuses a plan made on another series, or on the same UID with another grid, with plan/wrong-series', () => {
    const plan = samplePlan();
    const { text } = exportPlanJson(plan, { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    expect(() => importPlanJson(text, { seriesInstanceUid: '9.9.9' })).toThrow(/made on series 1\.2\.826\.0\.1\.1\.2 \("Pelvis bone 1\.0"\), not on the open series 9\.9\.9/);
    expect(codeOf(() => importPlanJson(text, { seriesInstanceUid: '9.9.9' }))).toBe('plan/wrong-series');
    const g = plan.series.geometry;
    expect(importPlanJson(text, { seriesInstanceUid: OPEN.seriesInstanceUid, geometry: g }).plan).toEqual(plan);
    const shifted = { ...g, originLps: [g.originLps[0], g.originLps[1], g.originLps[2] + 1] };
    expect(codeOf(() => importPlanJson(text, { seriesInstanceUid: OPEN.seriesInstanceUid, geometry: shifted }))).toBe('plan/wrong-series');
  });

  it('import returns a new object and leaves its inputs alone', () => {
    const plan = samplePlan();
    const snapshot = JSON.stringify(plan);
    const { text } = exportPlanJson(plan, { software: SOFTWARE, savedAtIso: '2026-11-23T12:00:00Z' });
    const back = importPlanJson(text, OPEN);
    back.plan.screws[0]!.tipLps[0] = 0;
    expect(JSON.stringify(plan)).toBe(snapshot);
  });

  it('refuses to save a plan it could not read back', () => {
    const plan = samplePlan();
    (plan.screws[0] as { diameterMm: number }).diameterMm = -1;
    expect(() => exportPlanJson(plan, { software: SOFTWARE, savedAtIso: 'x' })).toThrow(/plan\.screws\[0\]\.diameterMm/);
  });
});
