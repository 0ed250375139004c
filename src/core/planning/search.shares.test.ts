/**
 * A corridor's coarse scan split into shares of its cone's directions (what
 * the worker pool does across its workers), merged and finished, gives exactly
 * the outcome of the whole search: deep-equal, every corridor of the phantoms
 * that exercise each path (proposals, femoral-neck parallel set, unavailable
 * corridors with the width probe), shares finished in any order.
 */
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../shared/errors';
import { allCorridorRequests, createPlannerEngine } from './plannerEngine';
import { mergeScans, refinedSeedCount, type CorridorScan } from './search';
import { phantomCase, voxelStructureIds } from './testing/phantomFields';

// [case, size, a corridor is searched and found unavailable (the width probe runs)]
const CASES = [
  ['sacralAla', 'small', true],
  ['femoralNeck', 'small', false],
  ['dysmorphic', 'small', true],
] as const;

describe('corridor scan in shares', () => {
  for (const [caseId, size, probed] of CASES) {
    it(`${caseId} (${size}): shares of 2 and 3, merged in reverse order, equal the whole search for every corridor`, () => {
      const { fields } = phantomCase(caseId, size);
      const engine = createPlannerEngine();
      engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
      const whole = engine.searchCorridors({ generation: 1 });
      expect(whole.some((o) => o.available)).toBe(true);
      expect(whole.some((o) => !o.available && o.candidatesScored > 0)).toBe(probed);
      if (caseId === 'femoralNeck') expect(whole.some((o) => o.parallelSet.length > 1)).toBe(true);
      let split = 0;
      let refined = 0;
      for (const [i, corridor] of allCorridorRequests().entries()) {
        for (const count of [2, 3]) {
          const scans: CorridorScan[] = [];
          for (let index = 0; index < count; index++) scans.push(engine.scanCorridor({ generation: 1, corridor, share: { index, count } }));
          if (scans[0]!.early === null) {
            split++;
            // Every share did part of the work (the cone has more directions than shares).
            for (const s of scans) expect(s.scored).toBeGreaterThan(0);
          }
          const outcome = engine.finishCorridor({ generation: 1, scans: scans.reverse() });
          expect(outcome, `${corridor.corridorId}/${corridor.side} in ${count} shares`).toEqual(whole[i]);
          // The seeds refined (and their lines fine-checked) in shares elsewhere, given in reverse order: the same outcome.
          const refinements = [];
          for (let index = 0; index < count; index++) refinements.push(engine.refineCorridor({ generation: 1, scans, share: { index, count } }));
          if (scans[0]!.early === null && refinedSeedCount(mergeScans(scans, 24)) >= count) {
            refined++;
            for (const r of refinements) expect(r.seeds.length).toBeGreaterThan(0);
            // Every refined line that passes is fine-checked where it was refined (a near miss that never passed is not).
            for (const s of refinements.flatMap((r) => r.seeds)) expect(s.fine !== null).toBe(s.score !== -Infinity);
          }
          const viaShares = engine.finishCorridor({ generation: 1, scans, refinements: refinements.reverse() });
          expect(viaShares, `${corridor.corridorId}/${corridor.side}: refinement in ${count} shares`).toEqual(whole[i]);
          expect(JSON.stringify(viaShares)).toBe(JSON.stringify(whole[i])); // same key order too (the bench compares JSON)
        }
      }
      expect(split).toBeGreaterThan(0);
      expect(refined).toBeGreaterThan(0);
    });
  }

  it('a smaller top-K (ties and evictions across shares) still merges to the whole search', () => {
    const { fields } = phantomCase('sacralAla', 'small');
    const engine = createPlannerEngine();
    engine.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
    const options = { keepTop: 3 };
    const whole = engine.searchCorridors({ generation: 1, options });
    for (const [i, corridor] of allCorridorRequests().entries()) {
      const scans = [0, 1, 2, 3].map((index) => engine.scanCorridor({ generation: 1, options, corridor, share: { index, count: 4 } }));
      expect(engine.finishCorridor({ generation: 1, options, scans })).toEqual(whole[i]);
    }
  });

  it('merges rows by score, then scan order (a tie goes to the line scanned first), and keeps the top K', () => {
    const row = (score: number, seq: number): number[] => [score, seq, seq, 0, 0, 1, 0, 0];
    const base = { corridorId: 'iliosacralS1' as const, side: 'left' as const, early: null, widestInBoneMm: 0, widestWithMarginsMm: 0, near: [] };
    const a: CorridorScan = { ...base, scored: 10, rejects: [2, 8], widestInBoneMm: 7, top: [...row(5, 12), ...row(3, 2), ...row(3, 4)] };
    const b: CorridorScan = { ...base, scored: 6, rejects: [1, 0, 5], widestWithMarginsMm: 4, top: [...row(5, 3), ...row(3, 1)] };
    const merged = mergeScans([a, b], 4);
    expect(merged.scored).toBe(16);
    expect(merged.rejects.slice(0, 3)).toEqual([3, 8, 5]);
    expect([merged.widestInBoneMm, merged.widestWithMarginsMm]).toEqual([7, 4]);
    expect(merged.top).toEqual([...row(5, 3), ...row(5, 12), ...row(3, 1), ...row(3, 2)]);
    expect(mergeScans([b, a], 4)).toEqual(merged);
    // Scans of different corridors do not merge; a share is a share.
    expect(errorCodeOf(catchError(() => mergeScans([a, { ...b, side: 'right' }], 4)))).toBe('planning/bad-input');
    const engine = createPlannerEngine();
    engine.loadFields({ fields: phantomCase('sacralAla', 'small').fields });
    expect(errorCodeOf(catchError(() => engine.scanCorridor({ generation: 1, corridor: { corridorId: 'iliosacralS1', side: 'left' }, share: { index: 2, count: 2 } })))).toBe('planning/bad-input');
  });
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return null;
}
