import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../shared/errors';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { LABELS } from '../shared/ids';
import type { FieldSet } from '../fields/FieldSet';
import { summarizeAnatomy } from './anatomySummary';
import { CORRIDOR_IDS, CORRIDOR_TEMPLATES, resolveCorridor } from './corridors';
import { defaultCatalog, longestLengthWithin, standardLengthsMm, validateCatalog } from './screwCatalog';
import { resolveSettings } from './plannerEngine';
import { coneDirections } from './search';

describe('screw catalog', () => {
  it('holds 4.5, 6.5, 7.0 and 7.3 mm cannulated screws from 30 to 180 mm in 5 mm steps', () => {
    const c = defaultCatalog();
    expect(c.screws.map((s) => s.diameterMm)).toEqual([4.5, 6.5, 7.0, 7.3]);
    expect(standardLengthsMm()).toHaveLength(31);
    expect(c.screws[0]!.lengthsMm[0]).toBe(30);
    expect(c.screws[0]!.lengthsMm.at(-1)).toBe(180);
    expect(c.screws.every((s) => s.cannulated && s.threadLengthMm > 0 && s.headDiameterMm > s.diameterMm)).toBe(true);
  });

  it('validates an edited catalog (round trip through JSON) and names what is wrong', () => {
    const c = defaultCatalog();
    expect(validateCatalog(JSON.parse(JSON.stringify(c)))).toEqual(c);
    const edited = { ...c, screws: [{ ...c.screws[1]!, lengthsMm: [90, 45, 45] }] };
    expect(validateCatalog(edited).screws[0]!.lengthsMm).toEqual([45, 90]);
    const bad = { ...c, screws: [{ ...c.screws[1]!, diameterMm: -1 }] };
    let error: unknown;
    try { validateCatalog(bad); } catch (e) { error = e; }
    expect(errorCodeOf(error)).toBe('planning/bad-input');
    expect(String(error)).toMatch(/screw 0 \(cannulated-6\.5\): diameterMm/);
    expect(() => validateCatalog({ version: 2, screws: [] })).toThrow(/unsupported version/);
    expect(() => validateCatalog({ version: 1, screws: [c.screws[0], c.screws[0]] })).toThrow(/duplicate id/);
  });

  it('picks the longest catalog length that fits', () => {
    const s = defaultCatalog().screws[3]!;
    expect(longestLengthWithin(s, 60, 93.2)).toBe(90);
    expect(longestLengthWithin(s, 60, 58)).toBeNull();
  });

  it('rejects bad settings', () => {
    expect(resolveSettings({ safetyMarginMm: 3 }).safetyMarginMm).toBe(3);
    expect(() => resolveSettings({ purchaseMm: Number.NaN })).toThrow(/purchaseMm/);
    expect(() => resolveSettings({ femoralNeckTipMinMm: 12 })).toThrow(/max below min/);
  });
});

describe('corridor templates', () => {
  it('covers every corridor of DESIGN 1 and mirrors the right side', () => {
    expect(CORRIDOR_IDS.sort()).toEqual(['anteriorColumnAntegrade', 'anteriorColumnRetrograde', 'femoralNeck', 'iliacWing', 'iliosacralS1', 'iliosacralS2', 'supraAcetabular', 'transsacralS1', 'transsacralS2']);
    const l = resolveCorridor('femoralNeck', 'left'), r = resolveCorridor('femoralNeck', 'right');
    expect(r.axisFrame[0]).toBeCloseTo(-l.axisFrame[0]);
    expect(r.axisFrame[2]).toBeCloseTo(l.axisFrame[2]);
    expect(l.entryLabels).toEqual([LABELS.femurLeft]);
    expect(r.entryLabels).toEqual([LABELS.femurRight]);
    expect(resolveCorridor('iliosacralS1', 'right').limiting).toContain('foramenS1Right');
    expect(CORRIDOR_TEMPLATES.femoralNeck.parallelScrews).toBe(3);
    expect(CORRIDOR_TEMPLATES.transsacralS1.jointCrossings).toBe(2);
    expect(Math.hypot(...l.axisFrame)).toBeCloseTo(1);
  });

  it('samples search cones within their half-angle', () => {
    const dirs = coneDirections([0, 0, 1], 20, 3.5);
    expect(dirs.length).toBeGreaterThan(50);
    for (const d of dirs) {
      expect(Math.hypot(...d)).toBeCloseTo(1);
      expect(Math.acos(Math.min(1, d[2])) * 180 / Math.PI).toBeLessThanOrEqual(20 + 1e-9);
    }
  });
});

describe('anatomical frame', () => {
  it('takes left-right from the hip bones, not from the scanner axes', () => {
    // Two hip blocks and a sacrum block, the whole pelvis rotated 20 deg about the table axis.
    const g = createVolumeGeometry({ dims: [60, 60, 20], spacingMm: [2, 2, 2], originLps: [-60, -60, -20] });
    const labels = new Uint8Array(60 * 60 * 20);
    const a = (20 * Math.PI) / 180;
    const m = g.ijkToLps;
    for (let k = 0, v = 0; k < 20; k++) for (let j = 0; j < 60; j++) for (let i = 0; i < 60; i++, v++) {
      const x = m[0]! * i + m[12]!, y = m[5]! * j + m[13]!;
      const u = Math.cos(a) * x + Math.sin(a) * y, w = -Math.sin(a) * x + Math.cos(a) * y; // pelvis coordinates
      if (Math.abs(w) < 10 && Math.abs(u - 35) < 8) labels[v] = LABELS.hipLeft;
      else if (Math.abs(w) < 10 && Math.abs(u + 35) < 8) labels[v] = LABELS.hipRight;
      else if (Math.abs(w - 5) < 8 && Math.abs(u) < 12) labels[v] = LABELS.sacrum;
    }
    const lab = createVolume('l', 'label', g, labels);
    const field = createVolume('b', 'field', g, new Float32Array(labels.length));
    const fields: FieldSet = { geometry: g, boneDepth: field, lesion: null, structures: {}, labels: lab, generation: 0 };
    const s = summarizeAnatomy(fields);
    expect(s.frameFromAnatomy).toBe(true);
    expect(s.frame.leftLps[0]).toBeCloseTo(Math.cos(a), 2);
    expect(s.frame.leftLps[1]).toBeCloseTo(Math.sin(a), 2);
    const f = s.frame;
    // Right-handed: left x posterior = superior.
    const c = [f.leftLps[1] * f.posteriorLps[2] - f.leftLps[2] * f.posteriorLps[1], f.leftLps[2] * f.posteriorLps[0] - f.leftLps[0] * f.posteriorLps[2], f.leftLps[0] * f.posteriorLps[1] - f.leftLps[1] * f.posteriorLps[0]];
    for (let i = 0; i < 3; i++) expect(c[i]).toBeCloseTo(f.superiorLps[i]!, 6);
    expect(s.lesionCentroidLps).toBeNull();
  });

  it('takes superior from the anterior pelvic plane (spines and pubis), not from the table axis', () => {
    const g = createVolumeGeometry({ dims: [60, 50, 50], spacingMm: [2, 2, 2], originLps: [-60, -50, -50] });
    const labels = new Uint8Array(60 * 50 * 50);
    const t = (10 * Math.PI) / 180; // pelvic tilt: the anterior face leans 10 deg about left-right
    const m = g.ijkToLps;
    for (let k = 0, v = 0; k < 50; k++) for (let j = 0; j < 50; j++) for (let i = 0; i < 60; i++, v++) {
      const x = m[0]! * i + m[12]!, y = m[5]! * j + m[13]!, z = m[10]! * k + m[14]!;
      const front = y * Math.cos(t) - z * Math.sin(t); // > -20 behind the tilted anterior face
      if (front > -20 && y < 10 && Math.abs(z) < 40) {
        if (Math.abs(x - 35) < 8) labels[v] = LABELS.hipLeft;
        else if (Math.abs(x + 35) < 8) labels[v] = LABELS.hipRight;
        else if (Math.abs(x) < 12 && y > 0) labels[v] = LABELS.sacrum;
      }
    }
    const fields: FieldSet = { geometry: g, boneDepth: createVolume('b', 'field', g, new Float32Array(labels.length)), lesion: null, structures: {}, labels: createVolume('l', 'label', g, labels), generation: 0 };
    const f = summarizeAnatomy(fields).frame;
    expect(f.superiorLps[1]).toBeCloseTo(Math.sin(t), 1);
    expect(f.superiorLps[2]).toBeCloseTo(Math.cos(t), 1);
    expect(f.leftLps[0]).toBeCloseTo(1, 3);
  });
});

describe('sacral levels without foramen labels', () => {
  it('takes the foramen centroids from the structure fields when the label volume has none', async () => {
    const { phantomCase } = await import('./testing/phantomFields');
    const { fields } = phantomCase('sacralAla', 'small');
    const withLabels = summarizeAnatomy(fields);
    // Same field set, foramen labels erased from the label volume (as with a bone-only segmentation).
    const labels = fields.labels.voxels.slice();
    for (let v = 0; v < labels.length; v++) if (labels[v]! >= LABELS.foramenS1Left && labels[v]! <= LABELS.foramenS4Right) labels[v] = 0;
    const noLabels = summarizeAnatomy({ ...fields, labels: { ...fields.labels, voxels: labels } });
    for (const id of ['foramenS1Left', 'foramenS1Right', 'foramenS2Left'] as const) {
      const a = withLabels.foramenCentroidsLps[id]!, b = noLabels.foramenCentroidsLps[id]!;
      expect(b).toBeDefined();
      // The label is the whole channel; the field is the same channel at 0.5 mm: centroids agree within a few mm.
      expect(Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])).toBeLessThan(6);
    }
  });
});
