import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId, PhantomSize, PhantomTruth } from '../../../sample-dicom/truth';
import { loadRealCase } from '../dicom/testing/realData';
import { distance } from '../geometry/vec3';
import { segmentBone } from '../segmentation/segmentBone';
import { LABELS } from '../shared/ids';
import { detectJointSurfaces } from './jointSurface';
import { phantomTruthLabels } from './testing/structureHashes';

const PHANTOM_DIR = join(import.meta.dirname, '../../../sample-dicom/out');

/**
 * The hip joint surfaces against ground truth. A joint that is proposed must be where the
 * head is: a sphere in the neck or the trochanter would let the planner pass a screw through
 * the real joint. A head that cannot be fitted (cut by the field of view, an implant in the
 * label) is left out with a note, and the review lists it as not found for the user to place.
 */
describe('hip joint surfaces against the truth', () => {
  const cases: PhantomCaseId[] = ['sacralAla', 'supraAcetabular', 'femoralNeck', 'dysmorphic', 'sacralAlaCbct'];
  const sizes: PhantomSize[] = ['small', 'medium'];

  it('on every phantom\'s truth labels: both heads within 1.5 mm (CT) or 4 mm (CBCT, heads cut by the field of view) of the truth, or left out with a note', () => {
    // Before: femoralNeck's left head (truth labels, small and medium) 55 mm off, in the
    // shaft: its lesion in the femoral neck is a hole in the femur label.
    for (const caseId of cases) for (const size of sizes) {
      const series = `${caseId}-${size}`;
      const truth = JSON.parse(readFileSync(join(PHANTOM_DIR, series, 'truth.json'), 'utf8')) as PhantomTruth;
      const cbct = caseId === 'sacralAlaCbct';
      const { joints, notes } = detectJointSurfaces(phantomTruthLabels(series));
      for (const head of truth.femoralHeads) {
        const j = joints.find((x) => x.side === head.side);
        const name = `${series} ${head.side}`;
        if (!cbct) expect(j, name).toBeDefined();
        if (!j) {
          expect(notes.some((n) => n.startsWith(`${head.side} femoral head not found`)), name).toBe(true);
          continue;
        }
        expect(distance(j.centerLps, head.centerLps), name).toBeLessThan(cbct ? 4 : 1.5);
        expect(Math.abs(j.radiusMm - head.radiusMm), name).toBeLessThan(cbct ? 4 : 1.5);
        expect(j.capAxisLps[2], name).toBeGreaterThan(0.25);
      }
    }
  });

  it('on our segmentation of the CBCT phantom (heads cut by the cylinder of the field of view): no head proposed more than 2 mm from the truth', () => {
    // Before: medium 6.8 / 19.1 mm off (small: 8.2 / 19.3 mm; spheres of 6-17 mm fitted to
    // the cut faces), proposed as found.
    for (const size of ['medium'] as const) {
      const ph = generatePhantom({ caseId: 'sacralAlaCbct', size });
      const { joints, notes } = detectJointSurfaces(segmentBone(ph.ct).labels);
      for (const head of ph.truth.femoralHeads) {
        const j = joints.find((x) => x.side === head.side);
        if (j) expect(distance(j.centerLps, head.centerLps), `${size} ${head.side}`).toBeLessThan(2);
        else expect(notes.some((n) => n.startsWith(`${head.side} femoral head not found`))).toBe(true);
      }
    }
  });

  it('on the real totalseg-example CT (3 mm, the scan ending below the heads, an implant in the left femur): the right head inside the reference head, the left one left out', () => {
    const { ct, labels } = loadRealCase('totalseg-example');
    const reference = detectJointSurfaces(labels).joints;
    const refRight = reference.find((j) => j.side === 'right')!;
    // The reference femur's own sphere sits on the head (looked at on coronal and axial slices).
    expect(refRight.radiusMm).toBeGreaterThan(20);
    const { joints, notes } = detectJointSurfaces(segmentBone(ct).labels);
    const right = joints.find((j) => j.side === 'right');
    // Before: the deepest femur voxel was at the scan's bottom edge (the cut face counted as
    // depth) and the right sphere sat in the trochanter, 47 mm away (left: 34 mm).
    expect(right).toBeDefined();
    // Measured 9.4 mm: the heads are fused to the acetabula at 3 mm, and our femur is carved
    // by a sphere found 2-3 voxels medial and superior of the reference's (segmentation README).
    expect(distance(right!.centerLps, refRight.centerLps)).toBeLessThan(12);
    const ijk = labels.geometry.lpsToIjk;
    const c = right!.centerLps;
    const at = [0, 1, 2].map((a) => Math.round(ijk[a]! * c[0] + ijk[4 + a]! * c[1] + ijk[8 + a]! * c[2] + ijk[12 + a]!));
    const [gi, gj] = labels.geometry.dims;
    expect(labels.voxels[at[0]! + gi * (at[1]! + gj * at[2]!)]).toBe(LABELS.femurRight);
    expect(right!.capAxisLps[2]).toBeGreaterThan(0.25);
    // Left: the implant's streaks in our femur label pull the sphere into the neck (its axis
    // points down): not proposed, the user places it.
    expect(joints.find((j) => j.side === 'left')).toBeUndefined();
    expect(notes.some((n) => n.startsWith('left femoral head not found'))).toBe(true);
  });
});
