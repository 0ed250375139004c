import { describe, expect, it } from 'vitest';
import { createVolumeGeometry } from '../../src/core/volume/VolumeGeometry';
import { buildAnatomy } from './anatomy';
import { rasterizeAnatomy } from './rasterize';

describe('rasterizeAnatomy', () => {
  it.each(['sacralAla', 'dysmorphic', 'femoralNeck'] as const)('skips and fills whole blocks (%s) exactly as a voxel-by-voxel evaluation would', (caseId) => {
    // A 2.5 mm slab grid through the sacrum, SI joints, acetabula and femoral heads.
    const geometry = createVolumeGeometry({ dims: [128, 84, 48], spacingMm: [2.5, 2.5, 2.5], originLps: [-158.75, -120, -120] });
    const anatomy = buildAnatomy(caseId, 11);
    const fast = rasterizeAnatomy(anatomy, geometry, 11);
    const slow = rasterizeAnatomy(anatomy, geometry, 11, { exhaustive: true });
    let labelDiffs = 0, huDiffs = 0, bone = 0;
    for (let i = 0; i < fast.labels.length; i++) {
      if (fast.labels[i] !== slow.labels[i]) labelDiffs++;
      if (fast.hu[i] !== slow.hu[i]) huDiffs++;
      if (slow.labels[i] !== 0) bone++;
    }
    expect(bone).toBeGreaterThan(20000);
    expect(labelDiffs).toBe(0);
    expect(huDiffs).toBe(0);
  });
});
