import { describe, expect, it } from 'vitest';
import { computeAutoWindow, windowForPreset, windowToRange } from './windowPresets';

/** A cone-beam-like image: background, soft tissue and bone at arbitrary grey values (no HU). */
function cbctLike(offset: number, gain: number): Int16Array {
  const v = new Int16Array(100_000);
  for (let i = 0; i < v.length; i++) {
    const r = (i * 2654435761) % 1000; // deterministic spread
    const noise = ((i * 40503) % 21) - 10;
    if (r < 300) v[i] = offset; // outside the field of view
    else if (r < 880) v[i] = offset + gain * 1000 + noise; // soft tissue
    else if (r < 990) v[i] = offset + gain * 1400 + noise; // trabecular bone
    else v[i] = offset + gain * 2300 + noise; // cortex
  }
  return v;
}

describe('window presets', () => {
  it('gives the CT bone and soft-tissue windows in HU', () => {
    expect(windowToRange(windowForPreset('softTissue', null))).toEqual({ lower: -160, upper: 240 });
    const bone = windowToRange(windowForPreset('bone', null));
    expect(bone.lower).toBeLessThan(0);
    expect(bone.upper).toBeGreaterThan(1200);
  });

  it('puts soft tissue near the dark end and cortex at the bright end of a CBCT, whatever its grey scale', () => {
    for (const [offset, gain] of [[0, 1], [-1000, 1], [200, 3]] as const) {
      const { lower, upper } = windowToRange(computeAutoWindow(cbctLike(offset, gain)));
      const soft = offset + gain * 1000;
      const trabecular = offset + gain * 1400;
      const cortex = offset + gain * 2300;
      expect(lower).toBeLessThan(soft);
      expect(soft).toBeLessThan(lower + 0.35 * (upper - lower));
      expect(trabecular).toBeGreaterThan(lower + 0.3 * (upper - lower));
      expect(cortex).toBeGreaterThan(lower + 0.95 * (upper - lower));
      expect(offset).toBeLessThan(lower); // the outside of the field of view is black
    }
  });

  it('does not fail on a flat image', () => {
    const w = computeAutoWindow(new Int16Array(1000).fill(7));
    expect(w.widthHu).toBeGreaterThan(0);
    expect(Number.isFinite(w.centerHu)).toBe(true);
  });
});

describe('bone volume-rendering preset', () => {
  it('keeps soft tissue transparent and cortex opaque (opacity points in value order)', async () => {
    const { createBonePreset } = await import('./windowPresets');
    const p = createBonePreset(180, 700);
    const nums = p.scalarOpacity.split(' ').map(Number);
    expect(nums[0]).toBe(8);
    const pts: Array<[number, number]> = [];
    for (let n = 1; n < nums.length; n += 2) pts.push([nums[n]!, nums[n + 1]!]);
    const opacityAt = (v: number): number => {
      for (let n = 1; n < pts.length; n++) {
        const [a, oa] = pts[n - 1]!;
        const [b, ob] = pts[n]!;
        if (v <= b) return oa + ((ob - oa) * (v - a)) / (b - a);
      }
      return pts[pts.length - 1]![1];
    };
    expect(opacityAt(40)).toBe(0); // muscle
    expect(opacityAt(-100)).toBe(0); // fat
    expect(opacityAt(1200)).toBeGreaterThan(0.8); // cortex
    for (let n = 1; n < pts.length; n++) expect(pts[n]![0]).toBeGreaterThan(pts[n - 1]![0]);
    expect(p.colorTransfer.split(' ')[0]).toBe('16');
  });
});
