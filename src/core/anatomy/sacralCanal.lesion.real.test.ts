import { describe, expect, it } from 'vitest';
import { loadRealCase } from '../dicom/testing/realData';
import type { Vec3 } from '../geometry/vec3';
import { segmentBone } from '../segmentation/segmentBone';
import { LABELS } from '../shared/ids';
import { lpsToIjk } from '../volume/VolumeGeometry';
import { detectSacralStructures } from './sacrum';
import { paintAlaLesion } from '../segmentation/testing/paintAlaLesion';

/**
 * Patient safety: the sacral canal DETECTION (`detectSacralStructures`) with one ala destroyed.
 * Until 25 Nov stop 21 its 6 mm canal band lay on the centroid of the sacrum's labels, which an
 * ala eaten by a lytic metastasis (and the medial ilium then labelled sacrum) moves 4-35 mm
 * sideways: a canal was reported 22-35 mm beside the real one, on the lesion, and the planner
 * checked clearance against it while the real canal went unchecked. Now the band lies on the
 * sacrum's mirror plane (`sacrumMirrorLine`).
 *
 * The lesions are those of segmentation/sacralCanalGuard.real.test.ts (helper D): on the real
 * totalseg-example CT (3 mm), 30-50 % of one ala (S1-S2) and its rind set to the image's own
 * soft-tissue grey with its noise; the lesion does not touch the canal. The canal of reference is
 * the one found on the untouched CT (48 mm down the sacrum, every point enclosed). In each case
 * the canal must be found ON it (the line's mean x within 3 mm of the reference's, every point
 * in the reference's z range, within 3 mm of it in x and 10 mm in y at its z, and enclosed in its
 * own labels: sacrum on both sides and behind within 15 voxels), or reported NOT FOUND: never
 * elsewhere.
 * README "25 Nov stop 21, helper D2".
 */

/**
 * The offset in x and y of p from the polyline `line` (ordered by decreasing z) at p's z:
 * interpolated on the segment spanning p's z, else on the end segment nearer p (extrapolated).
 */
function axialOffset(p: Readonly<Vec3>, line: readonly Vec3[]): { dx: number; dy: number } {
  let a = line[0]!, b = line[1]!;
  if (p[2] < line[line.length - 1]![2]) { a = line[line.length - 2]!; b = line[line.length - 1]!; }
  for (let q = 0; q + 1 < line.length; q++) if (line[q]![2] >= p[2] && line[q + 1]![2] <= p[2]) { a = line[q]!; b = line[q + 1]!; break; }
  const t = (a[2] - p[2]) / (a[2] - b[2]);
  return { dx: p[0] - (a[0] + t * (b[0] - a[0])), dy: p[1] - (a[1] + t * (b[1] - a[1])) };
}

describe('the sacral canal detection with one ala destroyed (real totalseg-example CT, 3 mm)', () => {
  it('finds the canal on the untouched CT\'s canal, never beside it, with 30-50 % of the left or right ala replaced by lesion grey', () => {
    const untouched = loadRealCase('totalseg-example');
    const g = untouched.ct.geometry;
    const [ni, nj] = g.dims;
    const reference = detectSacralStructures(segmentBone(untouched.ct).labels).sacralCanal;
    expect(reference).not.toBeNull();
    const ref = reference!.centerlineLps;
    expect(ref[0]![2] - ref[ref.length - 1]![2]).toBeGreaterThan(40);
    const refX = ref.reduce((s, p) => s + p[0], 0) / ref.length;
    const found: string[] = [];
    for (const [side, fraction] of [['left', 0.4], ['right', 0.5], ['left', 0.3], ['right', 0.4], ['left', 0.5]] as const) {
      const name = `${side} ${fraction * 100} %`;
      const c = loadRealCase('totalseg-example');
      expect(paintAlaLesion({ ct: c.ct, truth: c.labels.voxels }, side, fraction), name).toBeGreaterThan(900);
      const labels = segmentBone(c.ct).labels;
      const ours = labels.voxels;
      const canal = detectSacralStructures(labels).sacralCanal;
      if (!canal) {
        // Not found is allowed (the planner then fails the screws it limits); found elsewhere is not.
        found.push(`${name}: not found`);
        continue;
      }
      const cl = canal.centerlineLps;
      const offsets: string[] = [];
      found.push(`${name}: found, x ${cl.map((p) => p[0].toFixed(1)).join(' ')}`);
      // On the lesion's side or beside the canal: the mean x of the line against the reference's.
      const x = cl.reduce((s, p) => s + p[0], 0) / cl.length;
      expect(Math.abs(x - refX), `${name}: mean x ${x.toFixed(1)} vs ${refX.toFixed(1)}`).toBeLessThan(3);
      cl.forEach((p, q) => {
        const at = `${name}: point ${q} (${p.map((v) => v.toFixed(1)).join(', ')})`;
        expect(p[2], at).toBeLessThanOrEqual(ref[0]![2] + 3);
        expect(p[2], at).toBeGreaterThanOrEqual(ref[ref.length - 1]![2] - 3);
        // On the reference canal in this axial slice: within 3 mm in x (left-right: what a lesion
        // moves; the old centroid band put it 4-35 mm off) of the reference's centreline at this z,
        // and within 10 mm in y (the canal's anteroposterior half-extent in an axial slice: radius
        // 7.6 mm over cos 39 degrees, its tilt here). Measured: x within 1.6 mm; y within 1 mm but
        // for two points of the left 40 % case 8 mm posterior (README, "25 Nov stop 21, helper D2").
        const { dx, dy } = axialOffset(p, ref);
        offsets.push(`${dx.toFixed(1)}/${dy.toFixed(1)}`);
        expect(Math.abs(dx), at).toBeLessThan(3);
        expect(Math.abs(dy), at).toBeLessThan(10);
        const v = lpsToIjk([0, 0, 0], g, p);
        const i = Math.round(v[0]), j = Math.round(v[1]), k = Math.round(v[2]);
        const sacrumAlong = (di: number, dj: number) => {
          for (let s = 1; s < 15; s++) if (ours[i + di * s + ni * (j + dj * s + nj * k)] === LABELS.sacrum) return true;
          return false;
        };
        // Enclosed in the lesion case's own labels: sacrum on both sides and behind (as segmentBone.real.test.ts).
        expect([sacrumAlong(1, 0), sacrumAlong(-1, 0), sacrumAlong(0, 1)], at).toEqual([true, true, true]);
      });
      expect(cl[0]![2] - cl[cl.length - 1]![2], name).toBeGreaterThanOrEqual(15);
      found[found.length - 1] += `, ${(cl[0]![2] - cl[cl.length - 1]![2]).toFixed(0)} mm long, x/y offsets from the reference (mm) ${offsets.join(' ')}`;
    }
    // Measured 25 Nov: found on the canal in all five (README).
    console.log(found.join('\n'));
    expect(found.filter((f) => f.endsWith('not found')), found.join('; ')).toEqual([]);
  });
});
