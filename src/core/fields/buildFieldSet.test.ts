import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BONE_DEPTH_LABELS, buildFieldSet, computeLabelBox, computeShapeField, createFieldSetCache, cropLabels } from './buildFieldSet';
import { fieldSetHash } from './testing/fieldSetHashes';
import { paintSphere } from '../segmentation/labelEdits';
import { insideLookup } from './distanceTransform';
import { distanceToCap, distanceToShape, type StructureShape } from './structureDistance';
import { emptyStructures, type CriticalStructures } from '../anatomy/structures';
import { LABELS } from '../shared/ids';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../volume/VolumeGeometry';
import { sampleNearestLps, sampleTrilinearLps } from '../volume/sampleTrilinear';
import type { Vec3 } from '../geometry/vec3';

function ballLabels(withLesion: boolean) {
  const g = createVolumeGeometry({ dims: [60, 50, 40], spacingMm: [1, 1.2, 1.5], originLps: [-30, -30, -30] });
  const v = new Uint8Array(60 * 50 * 40);
  for (let k = 0; k < 40; k++) for (let j = 0; j < 50; j++) for (let i = 0; i < 60; i++) {
    const x = -30 + i, y = -30 + 1.2 * j, z = -30 + 1.5 * k;
    const r = Math.hypot(x, y, z);
    if (r < 15) v[i + 60 * (j + 50 * k)] = withLesion && Math.hypot(x - 4, y, z) < 5 ? LABELS.lesion : LABELS.sacrum;
  }
  return createVolume('labels', 'label', g, v);
}

const structures: CriticalStructures = {
  ...emptyStructures(),
  foramina: [{ id: 'foramenS1Left', centerLps: [5, -10, 3], axisLps: [0, -1, 0], radiusMm: 3, lengthMm: 8 }],
  roots: [{ id: 'rootS1Left', centerlineLps: [[0, 0, 10], [5, -5, 12], [10, -20, 5]], radiusMm: 2 }],
  joints: [{ id: 'jointLeft', side: 'left', centerLps: [0, 0, 0], radiusMm: 12, capAxisLps: [1, 0, 0], capHalfAngleDeg: 100, rmsResidualMm: 0 }],
};

describe('buildFieldSet', () => {
  it('crops to bone + margin, signs bone depth positive inside, lesion negative inside, structures analytic on sub-boxes', () => {
    const labels = ballLabels(true);
    const fs = buildFieldSet(labels, structures, { roiMarginMm: 5, structureMarginMm: 6, shared: true });
    expect(fs.geometry.dims[0]).toBeLessThan(60);
    expect(fs.boneDepth.voxels.buffer instanceof SharedArrayBuffer).toBe(true);
    // Bone depth near the centre of a 15 mm ball is about 15 mm; outside, negative.
    expect(sampleTrilinearLps(fs.boneDepth, [0, 0, 0], NaN)).toBeGreaterThan(13.5);
    expect(sampleTrilinearLps(fs.boneDepth, [0, 0, 0], NaN)).toBeLessThan(15.5);
    expect(sampleTrilinearLps(fs.boneDepth, [0, 18, 0], NaN)).toBeLessThan(-2);
    // Zero crossing within a voxel of the sphere surface.
    expect(Math.abs(sampleTrilinearLps(fs.boneDepth, [15, 0, 0], NaN))).toBeLessThan(1.0);
    expect(sampleTrilinearLps(fs.lesion!, [4, 0, 0], NaN)).toBeLessThan(-3.5);
    expect(sampleTrilinearLps(fs.lesion!, [-6, 0, 0], NaN)).toBeGreaterThan(4);
    expect(sampleNearestLps(fs.labels, [4, 0, 0], -1)).toBe(LABELS.lesion);
    // Structures: exact values at arbitrary points inside their boxes.
    const f = fs.structures.foramenS1Left!;
    expect(f.geometry.dims[0] * f.geometry.dims[1] * f.geometry.dims[2]).toBeLessThan(fs.labels.voxels.length);
    const check = (p: Vec3, expected: number, field = f) => {
      const got = sampleTrilinearLps(field, p, NaN);
      expect(Math.abs(got - expected)).toBeLessThan(0.35);
    };
    check([5, -6, 3], 0); // inside the channel
    check([5 + 7, -6, 3], 4); // 7 mm from the axis, radius 3
    check([5, -10 + 5, 3], 0); // within the channel length
    check([0, 0, 0], distanceToCap({ kind: 'cap', centerLps: [0, 0, 0], radiusMm: 12, axisLps: [1, 0, 0], halfAngleRad: (100 * Math.PI) / 180 }, 0, 0, 0), fs.structures.jointLeft!);
    check([6, 0, 0], 6, fs.structures.jointLeft!);
    check([0, 0, 10], 0, fs.structures.rootS1Left!);
    expect(fs.structureMarginMm).toBe(6);
  });

  it('reuses the fields whose input is unchanged and recomputes the others to the values of a fresh build', () => {
    const labels = ballLabels(true);
    const cache = createFieldSetCache();
    const first = buildFieldSet(labels, structures, { roiMarginMm: 5, cache });
    expect(cache.lastReused).toEqual([]);
    // The lesion grows inside the bone: same bone-depth inside set, new lesion.
    const v = labels.voxels;
    const [ni, nj] = labels.geometry.dims;
    const grown = 30 + 4 + 6 + ni * (25 + nj * 20);
    expect(v[grown]).toBe(LABELS.sacrum);
    v[grown] = LABELS.lesion;
    const second = buildFieldSet(labels, structures, { roiMarginMm: 5, cache });
    expect(second.boneDepth).toBe(first.boneDepth);
    expect(second.lesion).not.toBe(first.lesion);
    expect(second.structures.rootS1Left).toBe(first.structures.rootS1Left);
    expect(cache.lastReused).toContain('boneDepth');
    expect(cache.lastReused).toContain('lesion (updated locally)');
    const fresh = buildFieldSet(labels, structures, { roiMarginMm: 5 });
    const close = (a: Float32Array, b: Float32Array) => {
      expect(a.length).toBe(b.length);
      let worst = 0;
      for (let t = 0; t < a.length; t++) worst = Math.max(worst, a[t] === b[t] ? 0 : Math.abs(a[t]! - b[t]!));
      expect(worst).toBeLessThan(1e-4);
    };
    close(second.lesion!.voxels, fresh.lesion!.voxels);
    expect(Array.from(second.boneDepth.voxels)).toEqual(Array.from(fresh.boneDepth.voxels));
    // A bone voxel erased (inside the ROI): the bone depth is recomputed; a moved root too.
    expect(v[20 + ni * (25 + nj * 20)]).toBe(LABELS.sacrum);
    v[20 + ni * (25 + nj * 20)] = 0;
    const moved = { ...structures, roots: [{ ...structures.roots[0]!, radiusMm: 2.5 }] };
    const third = buildFieldSet(labels, moved, { roiMarginMm: 5, cache });
    expect(third.boneDepth).not.toBe(second.boneDepth);
    expect(third.lesion).toBe(second.lesion);
    expect(third.structures.rootS1Left).not.toBe(second.structures.rootS1Left);
    expect(third.structures.foramenS1Left).toBe(second.structures.foramenS1Left);
    const fresh3 = buildFieldSet(labels, moved, { roiMarginMm: 5 });
    expect(cache.lastReused).toContain('boneDepth (updated locally)');
    close(third.boneDepth.voxels, fresh3.boneDepth.voxels);
    expect(Array.from(third.structures.rootS1Left!.voxels)).toEqual(Array.from(fresh3.structures.rootS1Left!.voxels));
    // A field handed to another thread (its buffer detached) is recomputed, not reused.
    structuredClone(third.boneDepth.voxels.buffer, { transfer: [third.boneDepth.voxels.buffer as ArrayBuffer] });
    expect(third.boneDepth.voxels.length).toBe(0);
    const fourth = buildFieldSet(labels, moved, { roiMarginMm: 5, cache });
    expect(fourth.boneDepth.voxels.length).toBe(fresh3.boneDepth.voxels.length);
    expect(Array.from(fourth.boneDepth.voxels)).toEqual(Array.from(fresh3.boneDepth.voxels));
  });

  it('crop and bits (eight background voxels at a time) equal a voxel-by-voxel crop, at any ROI and buffer offset', () => {
    const lut = insideLookup(BONE_DEPTH_LABELS);
    fc.assert(
      fc.property(
        fc.record({
          ni: fc.integer({ min: 1, max: 37 }), nj: fc.integer({ min: 1, max: 6 }), nk: fc.integer({ min: 1, max: 5 }),
          offset: fc.integer({ min: 0, max: 9 }), seed: fc.integer({ min: 1, max: 2 ** 30 }), density: fc.integer({ min: 0, max: 8 }),
          box: fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat()),
        }),
        ({ ni, nj, nk, offset, seed, density, box }) => {
          const n = ni * nj * nk;
          const v = new Uint8Array(new ArrayBuffer(n + 16), offset, n);
          // Runs of background, bone labels and lesion (a few other labels too: not bone).
          let x = seed;
          const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) / 2 ** 24;
          const values = [LABELS.sacrum, LABELS.hipLeft, LABELS.lesion, LABELS.femurRight, 200];
          for (let t = 0; t < n; ) {
            const len = 1 + Math.floor(rnd() * 12);
            const val = rnd() * 8 < density ? values[Math.floor(rnd() * values.length)]! : 0;
            for (let e = 0; e < len && t < n; e++, t++) v[t] = val;
          }
          const g = createVolumeGeometry({ dims: [ni, nj, nk], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
          const labels = createVolume('l', 'label', g, v);
          const i0 = box[0] % ni, j0 = box[1] % nj, k0 = box[2] % nk;
          const roi = { min: [i0, j0, k0] as [number, number, number], max: [i0 + 1 + (box[3] % (ni - i0)), j0 + 1 + (box[4] % (nj - j0)), k0 + 1 + (box[5] % (nk - k0))] as [number, number, number] };
          const got = cropLabels(labels, lut, false, { roi });
          const [mi, mj, mk] = got.labelsRoi.geometry.dims;
          expect([mi, mj, mk]).toEqual([roi.max[0] - i0, roi.max[1] - j0, roi.max[2] - k0]);
          const m = mi * mj * mk;
          const crop = new Uint8Array(m), bone = new Uint8Array((m + 7) >> 3), lesion = new Uint8Array((m + 7) >> 3);
          let count = 0;
          for (let k = 0, p = 0; k < mk; k++) for (let j = 0; j < mj; j++) for (let i = 0; i < mi; i++, p++) {
            const l = v[i0 + i + ni * (j0 + j + nj * (k0 + k))]!;
            crop[p] = l;
            if (lut[l]) bone[p >> 3] |= 1 << (p & 7);
            if (l === LABELS.lesion) {
              lesion[p >> 3] |= 1 << (p & 7);
              count++;
            }
          }
          expect(got.labelsRoi.voxels).toEqual(crop);
          expect(got.boneBits).toEqual(bone);
          expect(got.lesionBits).toEqual(lesion);
          expect(got.lesionCount).toBe(count);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('editsBumpGeneration: the build after the signed-only one reuses its crop; an edit (generation bumped) crops again; same fields as a fresh build', () => {
    const labels = ballLabels(true);
    const cache = createFieldSetCache();
    const opts = { roiMarginMm: 5, cache, editsBumpGeneration: true };
    const ahead = buildFieldSet(labels, emptyStructures(), { ...opts, signedFieldsOnly: true });
    const first = buildFieldSet(labels, structures, opts);
    expect(first.labels).toBe(ahead.labels);
    expect(first.boneDepth).toBe(ahead.boneDepth);
    expect(cache.lastReused).toContain('boneDepth');
    expect(fieldSetHash(first)).toBe(fieldSetHash(buildFieldSet(labels, structures, { roiMarginMm: 5 })));
    // Another ROI margin: cropped again.
    const wider = buildFieldSet(labels, structures, { ...opts, roiMarginMm: 6 });
    expect(wider.labels).not.toBe(first.labels);
    expect(fieldSetHash(wider)).toBe(fieldSetHash(buildFieldSet(labels, structures, { roiMarginMm: 6 })));
    const again = buildFieldSet(labels, structures, opts);
    // A lesion brush stroke bumps the generation: cropped again, the lesion updated.
    const generation = labels.generation;
    paintSphere(labels, [-4, 0, 0], 3, { label: LABELS.lesion, mode: 'add' });
    expect(labels.generation).toBe(generation + 1);
    const second = buildFieldSet(labels, structures, opts);
    expect(second.labels).not.toBe(again.labels);
    expect(second.lesion).not.toBe(again.lesion);
    const fresh = buildFieldSet(labels, structures, { roiMarginMm: 5 });
    expect(Array.from(second.labels.voxels)).toEqual(Array.from(fresh.labels.voxels));
    expect(Array.from(second.boneDepth.voxels)).toEqual(Array.from(fresh.boneDepth.voxels));
    expect(second.lesion!.voxels.length).toBe(fresh.lesion!.voxels.length);
    // A crop handed to another thread (its buffer detached) is made again, not reused.
    structuredClone(second.labels.voxels.buffer, { transfer: [second.labels.voxels.buffer as ArrayBuffer] });
    const third = buildFieldSet(labels, structures, opts);
    expect(third.labels.voxels.length).toBe(fresh.labels.voxels.length);
    expect(Array.from(third.labels.voxels)).toEqual(Array.from(fresh.labels.voxels));
    // Without the option every build crops (an edit without a generation bump is seen).
    const plain = buildFieldSet(labels, structures, { roiMarginMm: 5, cache });
    expect(plain.labels).not.toBe(third.labels);
  });

  it('fills each structure field with the analytic distance of its shape at every voxel centre (caps, polylines, a single point)', () => {
    const grid = createVolumeGeometry({ dims: [40, 36, 30], spacingMm: [0.8, 0.9, 1.3], originLps: [16, -15, -20], direction: [0, 1, 0, -1, 0, 0, 0, 0, 1] });
    const shapes: StructureShape[] = [
      { kind: 'cap', centerLps: [1, -2, 3], radiusMm: 9, axisLps: [0.6, 0, 0.8], halfAngleRad: 1.9 },
      { kind: 'cap', centerLps: [0, 0, 0], radiusMm: 6, axisLps: [0, -1, 0], halfAngleRad: 0.4 },
      { kind: 'tube', pointsLps: [[-8, -3, -5], [2, 4, 1], [9, 0, 6], [9, 0, 6]], radiusMm: 2.2 },
      { kind: 'tube', pointsLps: [[3, 3, 3]], radiusMm: 1 },
    ];
    for (const shape of shapes) {
      const f = computeShapeField(grid, shape, 8)!;
      const [mi, mj, mk] = f.geometry.dims;
      let t = 0, worst = 0;
      const p: Vec3 = [0, 0, 0];
      for (let k = 0; k < mk; k++) for (let j = 0; j < mj; j++) for (let i = 0; i < mi; i++, t++) {
        ijkToLps(p, f.geometry, [i, j, k]);
        worst = Math.max(worst, Math.abs(f.voxels[t]! - distanceToShape(shape, p[0], p[1], p[2])));
      }
      expect(mi * mj * mk).toBeGreaterThan(1000);
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('has no lesion field without lesion voxels and rejects labels without bone', () => {
    expect(buildFieldSet(ballLabels(false), emptyStructures()).lesion).toBeNull();
    const g = createVolumeGeometry({ dims: [4, 4, 4], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
    expect(() => buildFieldSet(createVolume('e', 'label', g, new Uint8Array(64)), emptyStructures())).toThrow(/no bone/);
  });

  it('measures the cap distance beyond the rim to the rim circle', () => {
    const cap = { kind: 'cap' as const, centerLps: [0, 0, 0] as Vec3, radiusMm: 10, axisLps: [0, 0, 1] as Vec3, halfAngleRad: Math.PI / 2 };
    expect(distanceToCap(cap, 0, 0, 15)).toBeCloseTo(5);
    expect(distanceToCap(cap, 0, 0, -10)).toBeCloseTo(Math.hypot(10, 10));
    expect(distanceToCap(cap, 10, 0, -3)).toBeCloseTo(3);
  });
});

/** computeLabelBox by its definition: every voxel scanned, the box grown by whole voxels and clipped to the grid. */
function computeLabelBoxScan(labels: Volume<Uint8Array>, lut: Uint8Array, marginMm: number): { min: number[]; max: number[] } | null {
  const [ni, nj, nk] = labels.geometry.dims;
  const lo = [Infinity, Infinity, Infinity], hi = [-1, -1, -1];
  for (let k = 0, t = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, t++) {
    if (!lut[labels.voxels[t]!]) continue;
    [i, j, k].forEach((x, a) => { lo[a] = Math.min(lo[a]!, x); hi[a] = Math.max(hi[a]!, x); });
  }
  if (hi[0]! < 0) return null;
  const m = [0, 1, 2].map((a) => Math.ceil(marginMm / labels.geometry.spacingMm[a]!));
  const dims = labels.geometry.dims;
  return { min: lo.map((x, a) => Math.max(0, x - m[a]!)), max: hi.map((x, a) => Math.min(dims[a]!, x + 1 + m[a]!)) };
}

describe('computeLabelBox (from the per-label boxes) equals the voxel scan', () => {
  it('random sparse labels, row lengths with and without whole words, any lookup', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 7 }), fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 9 })), { maxLength: 12 }),
        fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        fc.integer({ min: 0, max: 3 }),
        (ni, nj, nk, marks, inside, marginMm) => {
          const g = createVolumeGeometry({ dims: [ni, nj, nk], spacingMm: [1, 1.5, 2], originLps: [0, 0, 0] });
          const v = new Uint8Array(ni * nj * nk);
          for (const [t, l] of marks) v[t % v.length] = l;
          const labels = createVolume('l', 'label', g, v);
          const lut = insideLookup(inside);
          expect(computeLabelBox(labels, lut, marginMm)).toEqual(computeLabelBoxScan(labels, lut, marginMm));
        },
      ),
      { numRuns: 400 },
    );
  });
  it('the bone-depth labels of a ball', () => {
    const labels = ballLabels(true);
    const lut = insideLookup(BONE_DEPTH_LABELS);
    const box = computeLabelBox(labels, lut, 3);
    expect(box).not.toBeNull();
    expect(box).toEqual(computeLabelBoxScan(labels, lut, 3));
  });
});
