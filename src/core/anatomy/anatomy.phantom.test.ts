import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import type { PhantomCaseId, PhantomSize } from '../../../sample-dicom/truth';
import { distance } from '../geometry/vec3';
import type { ForamenId } from '../shared/ids';
import { segmentBone } from '../segmentation/segmentBone';
import { detectCriticalStructures } from './detectCriticalStructures';

/** Foramen centres and femoral heads against the phantom truth, from our own bone segmentation. */
function foramenErrors(caseId: PhantomCaseId, size: PhantomSize) {
  const ph = generatePhantom({ caseId, size });
  const seg = segmentBone(ph.ct);
  const s = detectCriticalStructures(seg.labels);
  const errors = new Map<ForamenId, number>();
  for (const f of ph.truth.foramina) {
    const d = s.foramina.find((x) => x.id === f.id);
    errors.set(f.id, d ? distance(d.centerLps, f.centerLps) : Infinity);
  }
  return { ph, s, errors };
}

describe('critical structures on the phantoms', () => {
  it('sacralAla (medium, 1.5 mm): all eight anterior foramen centres within 2 mm; canal radius; roots proposed', () => {
    const { ph, s, errors } = foramenErrors('sacralAla', 'medium');
    for (const [id, e] of errors) expect(e, id).toBeLessThan(2);
    expect(Math.abs(s.sacralCanal!.radiusMm - ph.truth.sacralCanal.radiusMm)).toBeLessThan(1.5);
    expect(s.roots.map((r) => r.id).sort()).toEqual(['rootL5Left', 'rootL5Right', 'rootS1Left', 'rootS1Right', 'rootS2Left', 'rootS2Right']);
  });

  it('femoralNeck (small, 2 mm): S1-S3 within 2 mm (S4 is under two voxels wide); femoral heads within 1.5 mm', () => {
    const { ph, s, errors } = foramenErrors('femoralNeck', 'small');
    for (const [id, e] of errors) if (!id.startsWith('foramenS4')) expect(e, id).toBeLessThan(2);
    for (const h of ph.truth.femoralHeads) {
      const j = s.joints.find((x) => x.side === h.side)!;
      expect(distance(j.centerLps, h.centerLps)).toBeLessThan(1.5);
      expect(Math.abs(j.radiusMm - h.radiusMm)).toBeLessThan(1.5);
      // The cap faces away from the neck: medially and up.
      expect(j.capAxisLps[2]).toBeGreaterThan(0.2);
      expect(Math.sign(j.capAxisLps[0])).toBe(h.side === 'left' ? -1 : 1);
    }
  });

  it('dysmorphic (small): S2 and S3 within 2 mm (its wide S1 mouth is off by about 5 mm: known)', () => {
    const { errors } = foramenErrors('dysmorphic', 'small');
    for (const [id, e] of errors) if (id.startsWith('foramenS2') || id.startsWith('foramenS3')) expect(e, id).toBeLessThan(2);
  });
});
