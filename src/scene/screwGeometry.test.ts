import { describe, expect, it } from 'vitest';
import { computeScrewProfile, createScrewGeometry, HEAD_HEIGHT_MM } from './screwGeometry';

describe('screw geometry', () => {
  it('runs from the tip to the head top, threads within the thread length, head at the entry', () => {
    const profile = computeScrewProfile({ lengthMm: 90, diameterMm: 7.3, threadLengthMm: 32, headDiameterMm: 11 });
    for (let i = 1; i < profile.length; i++) expect(profile[i]!.y).toBeGreaterThanOrEqual(profile[i - 1]!.y);
    expect(profile[0]!.y).toBe(0);
    expect(profile.at(-1)!.y).toBeCloseTo(90 + HEAD_HEIGHT_MM, 6);
    const crests = profile.filter((p) => Math.abs(p.x - 7.3 / 2) < 1e-9);
    expect(crests.length).toBeGreaterThan(10);
    expect(Math.max(...crests.map((p) => p.y))).toBeLessThanOrEqual(32);
    // Nothing wider than the thread except the head, which starts at the screw's length (bone entry).
    for (const p of profile) if (p.y < 90) expect(p.x).toBeLessThanOrEqual(7.3 / 2 + 1e-9);
    expect(Math.max(...profile.map((p) => p.x))).toBeCloseTo(5.5, 6);
  });

  it('builds a lathe around +Y whose bounding box matches the shape', () => {
    const g = createScrewGeometry({ lengthMm: 60, diameterMm: 6.5 });
    g.computeBoundingBox();
    expect(g.boundingBox!.min.y).toBeCloseTo(0, 6);
    expect(g.boundingBox!.max.y).toBeCloseTo(60 + HEAD_HEIGHT_MM, 6);
    expect(g.boundingBox!.max.x).toBeCloseTo((6.5 * 1.6) / 2, 1);
    g.dispose();
  });
});
