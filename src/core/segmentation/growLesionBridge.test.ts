import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LABELS } from '../shared/ids';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { fillHolesInBox, growLesion } from './growLesion';
import { measureLabel } from './labelEdits';
import { fillHoles } from './morphology';

/**
 * A bar of bone (radius 8 mm, 2 mm cortex over trabecular bone) along x in muscle, cut through
 * by a lesion 20 mm long: both cortices gone, the lesion as grey as the muscle around it (the
 * supra-acetabular phantom's case in small). `capEnds`: the cut ends are covered by cortex (two
 * intact bone ends across a gap, not a cavity).
 */
function cutBar(capEnds: boolean) {
  const n = 72;
  const g = createVolumeGeometry({ dims: [n, n, n], spacingMm: [1, 1, 1], originLps: [-36, -36, -36] });
  const ct = new Int16Array(n ** 3);
  const labels = new Uint8Array(n ** 3);
  const truth = new Uint8Array(n ** 3);
  const radius = 8, cortex = 2, halfGap = 10;
  for (let k = 0, t = 0; k < n; k++) for (let j = 0; j < n; j++) for (let i = 0; i < n; i++, t++) {
    const x = i - 36, y = j - 36, z = k - 36;
    const r = Math.hypot(y, z);
    // Deterministic noise, +-10 grey.
    const noise = ((((i * 73856093) ^ (j * 19349663) ^ (k * 83492791)) >>> 0) % 21) - 10;
    ct[t] = 50 + noise; // muscle
    if (r > radius) continue;
    if (Math.abs(x) < halfGap) {
      ct[t] = 40 + noise; // lesion
      truth[t] = 1;
      continue;
    }
    labels[t] = LABELS.hipRight;
    const endDepth = Math.abs(x) - halfGap;
    ct[t] = radius - r < cortex || (capEnds && endDepth < cortex) ? 1400 + noise : 250 + noise;
  }
  return {
    ct: createVolume('bar', 'ct', g, ct),
    labels: createVolume('bar-labels', 'label', g, labels),
    truth,
  };
}

describe('growLesion: bridging a bone cut through by the lesion', () => {
  it('a bar whose lesion destroyed both cortices: the hull of the bare cavity walls and their rim gives the missing segment', () => {
    const { ct, labels, truth } = cutBar(false);
    const before = labels.voxels.slice();
    const res = growLesion(ct, labels, { seedLps: [0, 0, 0] });
    expect(res.status).toBe('ok');
    expect(res.bridged).toBe(true);
    let grown = 0, both = 0, truthCount = 0, beyond = 0;
    for (let t = 0; t < truth.length; t++) {
      const x = labels.voxels[t] === LABELS.lesion;
      if (x) grown++;
      if (truth[t]) truthCount++;
      if (x && truth[t]) both++;
      if (x && !truth[t]) {
        // Outside the bar's outline (voxel centres within 8 mm: its faces at 8.5 mm): only in the
        // one-voxel partial-volume layer around it.
        const j = Math.floor(t / 72) % 72, k = Math.floor(t / 72 / 72);
        if (Math.hypot(j - 36, k - 36) > 8.5 + 1) beyond++;
      }
    }
    expect((2 * both) / (grown + truthCount)).toBeGreaterThanOrEqual(0.9);
    expect(beyond).toBe(0);
    // Only bone-free voxels became lesion (the cut ends stay bone).
    for (let t = 0; t < truth.length; t++) if (before[t] === LABELS.hipRight) expect(labels.voxels[t]).toBe(LABELS.hipRight);
    expect(res.measure).toEqual(measureLabel(labels, LABELS.lesion));
  });

  it('two intact bone ends across a gap (cortex on both ends): no cavity wall, so nothing is bridged and the leak is reported', () => {
    const { ct, labels } = cutBar(true);
    const before = labels.voxels.slice();
    const res = growLesion(ct, labels, { seedLps: [0, 0, 0] });
    expect(res.status).toBe('leak');
    expect(res.bridged).toBe(false);
    expect(res.edit.indices.length).toBe(0);
    expect(labels.voxels).toEqual(before);
  });
});

describe('fillHolesInBox', () => {
  it('fills exactly what fillHoles fills over the whole grid', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 200 }),
        (ni, nj, nk, picks) => {
          const n = ni * nj * nk;
          const a = new Uint8Array(n);
          // Dense blobs in a corner-free part, or scattered: both make cavities.
          for (const p of picks) a[p % n] = 1;
          const b = a.slice();
          fillHoles(a, [ni, nj, nk], 'all');
          fillHolesInBox(b, [ni, nj, nk]);
          expect(b).toEqual(a);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fills a closed shell inside a larger grid', () => {
    const d: [number, number, number] = [20, 18, 16];
    const a = new Uint8Array(d[0] * d[1] * d[2]);
    for (let k = 4; k <= 10; k++) for (let j = 5; j <= 11; j++) for (let i = 6; i <= 12; i++) {
      if (k === 4 || k === 10 || j === 5 || j === 11 || i === 6 || i === 12) a[i + d[0] * (j + d[1] * k)] = 1;
    }
    const b = a.slice();
    fillHoles(a, d, 'all');
    fillHolesInBox(b, d);
    expect(b).toEqual(a);
    expect(b[9 + d[0] * (8 + d[1] * 7)]).toBe(1);
  });
});

describe('measureLabel within a box', () => {
  it('is the whole-volume measure when the label lies in the box', () => {
    const g = createVolumeGeometry({ dims: [12, 10, 8], spacingMm: [0.7, 0.9, 1.3], originLps: [-3, 2, 5] });
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), (picks) => {
        const v = new Uint8Array(12 * 10 * 8);
        const lo: [number, number, number] = [12, 10, 8], hi: [number, number, number] = [0, 0, 0];
        for (const p of picks) {
          const t = p % v.length;
          v[t] = 7;
          const ijk = [t % 12, Math.floor(t / 12) % 10, Math.floor(t / 120)];
          for (let a = 0; a < 3; a++) {
            lo[a] = Math.min(lo[a]!, ijk[a]!);
            hi[a] = Math.max(hi[a]!, ijk[a]! + 1);
          }
        }
        const labels = createVolume('m', 'label', g, v);
        expect(measureLabel(labels, 7, { lo, hi })).toEqual(measureLabel(labels, 7));
      }),
      { numRuns: 300 },
    );
  });
});
