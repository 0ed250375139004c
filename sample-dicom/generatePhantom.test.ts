import { describe, expect, it } from 'vitest';
import type { Vec3 } from '../src/core/geometry/vec3';
import { cross, distance, dot, normalize, scaleAndAdd, sub } from '../src/core/geometry/vec3';
import { BONE_LABELS, LABELS } from '../src/core/shared/ids';
import type { Volume } from '../src/core/volume/Volume';
import { sampleNearestLps } from '../src/core/volume/sampleTrilinear';
import { readNrrd, writeNrrd } from '../src/core/io/nrrd';
import { CBCT_GREY, generatePhantom, type Phantom } from './generatePhantom';
import type { CorridorTruth, PhantomCaseId } from './truth';

const cache = new Map<string, Phantom>();
function phantom(caseId: PhantomCaseId, seed?: number): Phantom {
  const key = `${caseId}-${seed ?? 'default'}`;
  let p = cache.get(key);
  if (!p) {
    p = generatePhantom({ caseId, size: 'small', seed });
    cache.set(key, p);
  }
  return p;
}

function fnv(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
function bytesOf(a: Int16Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function corridor(p: Phantom, id: CorridorTruth['id'], side?: 'left' | 'right'): CorridorTruth {
  const c = p.truth.corridors.find((x) => x.id === id && x.side === side);
  if (!c) throw new Error(`no corridor ${id} ${side ?? ''}`);
  return c;
}

/**
 * True when every point of the solid cylinder (axis start->end, radius r, sampled
 * every half voxel) is in an allowed label, or is SI-joint space: unlabelled, with
 * sacrum within 4.5 mm on one side along x and hip bone on the other.
 */
function cylinderFits(labels: Volume<Uint8Array>, start: Vec3, end: Vec3, radiusMm: number, allowed: ReadonlySet<number>): boolean {
  const axis = normalize([0, 0, 0], sub([0, 0, 0], end, start));
  const helper: Vec3 = Math.abs(axis[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const e1 = normalize([0, 0, 0], cross([0, 0, 0], axis, helper));
  const e2 = cross([0, 0, 0], axis, e1);
  const len = distance(start, end);
  const step = Math.min(...labels.geometry.spacingMm) / 2;
  const p: Vec3 = [0, 0, 0];
  const isJoint = (q: Vec3) => {
    const l = sampleNearestLps(labels, [q[0] - 4.5, q[1], q[2]], -1), r = sampleNearestLps(labels, [q[0] + 4.5, q[1], q[2]], -1);
    const hip = (v: number) => v === LABELS.hipLeft || v === LABELS.hipRight;
    const sac = (v: number) => v === LABELS.sacrum || v === LABELS.lesion;
    return (hip(l) && sac(r)) || (sac(l) && hip(r));
  };
  for (let t = 0; t <= len; t += step) {
    for (let rr = 0; rr <= radiusMm; rr += step) {
      const nAround = rr === 0 ? 1 : Math.max(8, Math.ceil((2 * Math.PI * rr) / step));
      for (let a = 0; a < nAround; a++) {
        const ang = (2 * Math.PI * a) / nAround;
        scaleAndAdd(p, start, axis, t);
        scaleAndAdd(p, p, e1, rr * Math.cos(ang));
        scaleAndAdd(p, p, e2, rr * Math.sin(ang));
        const l = sampleNearestLps(labels, p, -1);
        if (allowed.has(l)) continue;
        if (l === 0 && isJoint(p)) continue;
        return false;
      }
    }
  }
  return true;
}

const SACRAL_ALLOWED: ReadonlySet<number> = new Set([LABELS.sacrum, LABELS.hipLeft, LABELS.hipRight, LABELS.lesion]);

describe('generatePhantom', () => {
  it('is deterministic: the same seed gives the same bytes, another seed other noise', () => {
    const a = phantom('sacralAla');
    const b = generatePhantom({ caseId: 'sacralAla', size: 'small' });
    expect(fnv(bytesOf(b.ct.voxels))).toBe(fnv(bytesOf(a.ct.voxels)));
    expect(fnv(bytesOf(b.labels.voxels))).toBe(fnv(bytesOf(a.labels.voxels)));
    expect(JSON.stringify(b.truth)).toBe(JSON.stringify(a.truth));
    const c = phantom('sacralAla', 7);
    expect(fnv(bytesOf(c.ct.voxels))).not.toBe(fnv(bytesOf(a.ct.voxels)));
    expect(c.truth.seed).toBe(7);
  });

  it('puts the CT and the labels on one axial LPS grid and describes it in the truth', () => {
    const p = phantom('sacralAla');
    expect(p.ct.kind).toBe('ct');
    expect(p.labels.kind).toBe('label');
    expect(p.labels.geometry).toBe(p.ct.geometry);
    expect(p.truth.geometry.dims).toEqual([...p.ct.geometry.dims]);
    expect(p.truth.geometry.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(p.truth.greyMapping).toEqual({ slope: 1, intercept: 0, huCalibrated: true });
    // Patient left is +x: the left femoral head is at +x and labelled femurLeft.
    const left = p.truth.femoralHeads.find((h) => h.side === 'left')!;
    expect(left.centerLps[0]).toBeGreaterThan(0);
    expect(sampleNearestLps(p.labels, left.centerLps, -1)).toBe(LABELS.femurLeft);
    expect(left.radiusMm).toBeCloseTo(24, 0);
  });

  it('places each foramen centre at the anterior opening of its own foramen label', () => {
    const p = phantom('sacralAla');
    expect(p.truth.foramina).toHaveLength(8);
    for (const f of p.truth.foramina) {
      const inside = scaleAndAdd([0, 0, 0], f.centerLps, f.axisLps, -3);
      expect(sampleNearestLps(p.labels, inside, -1), f.id).toBe(LABELS[f.id]);
      const outside = scaleAndAdd([0, 0, 0], f.centerLps, f.axisLps, 4);
      expect(BONE_LABELS as readonly number[], f.id).not.toContain(sampleNearestLps(p.labels, outside, -1));
      // The foramen label connects to the canal: walking back along the axis reaches the canal label.
      let reachesCanal = false;
      for (let t = 0; t < 40 && !reachesCanal; t += 0.5) {
        reachesCanal = sampleNearestLps(p.labels, scaleAndAdd([0, 0, 0], f.centerLps, f.axisLps, -t), -1) === LABELS.sacralCanal;
      }
      expect(reachesCanal, `${f.id} joins the canal`).toBe(true);
    }
    // Left is +x and S1 is above S2.
    const s1l = p.truth.foramina.find((f) => f.id === 'foramenS1Left')!;
    const s2l = p.truth.foramina.find((f) => f.id === 'foramenS2Left')!;
    expect(s1l.centerLps[0]).toBeGreaterThan(0);
    expect(s1l.centerLps[2]).toBeGreaterThan(s2l.centerLps[2]);
  });

  it('runs the S1 and S2 roots from the canal through their foramina without touching bone', () => {
    const p = phantom('sacralAla');
    for (const level of [1, 2] as const) {
      for (const side of ['Left', 'Right'] as const) {
        const root = p.truth.roots.find((r) => r.id === `rootS${level}${side}`)!;
        const foramen = p.truth.foramina.find((f) => f.id === `foramenS${level}${side}`)!;
        expect(root.radiusMm).toBeGreaterThanOrEqual(2.5);
        expect(root.radiusMm).toBeLessThan(foramen.radiusMm);
        // Starts in the canal.
        expect(sampleNearestLps(p.labels, root.centerlineLps[0]!, -1)).toBe(LABELS.sacralCanal);
        // Passes through the foramen centre (within the free space of the foramen).
        const minDist = minDistanceToPolyline(foramen.centerLps, root.centerlineLps);
        expect(minDist).toBeLessThan(foramen.radiusMm - root.radiusMm);
        // The centreline never enters bone.
        for (const q of samplePolyline(root.centerlineLps, 0.5)) {
          expect(BONE_LABELS as readonly number[]).not.toContain(sampleNearestLps(p.labels, q, -1));
        }
      }
    }
  });

  it('lays the L5 root on the anterior surface of the sacral ala, outside bone', () => {
    const p = phantom('sacralAla');
    for (const side of ['Left', 'Right'] as const) {
      const root = p.truth.roots.find((r) => r.id === `rootL5${side}`)!;
      const pts = samplePolyline(root.centerlineLps, 0.5);
      for (const q of pts) expect(BONE_LABELS as readonly number[]).not.toContain(sampleNearestLps(p.labels, q, -1));
      // Somewhere along it the sacrum is within root radius + 2 voxels: it lies on the ala.
      const near = pts.some((q) => {
        for (const d of [[0, 0, -1], [0, 1, 0], [0, 1, -1]] as const) {
          const n = normalize([0, 0, 0], [d[0], d[1], d[2]]);
          if (sampleNearestLps(p.labels, scaleAndAdd([0, 0, 0], q, n, root.radiusMm + 2.5), -1) === LABELS.sacrum) return true;
        }
        return false;
      });
      expect(near).toBe(true);
      expect(Math.sign(root.centerlineLps[2]![0])).toBe(side === 'Left' ? 1 : -1);
    }
  });

  it.each(['sacralAla', 'supraAcetabular', 'femoralNeck', 'dysmorphic'] as const)('keeps the %s lesion inside its host bone', (caseId) => {
    const p = phantom(caseId);
    const lesion = p.truth.lesion!;
    expect(lesion).not.toBeNull();
    const hostLabel = LABELS[lesion.host];
    const { voxels } = p.labels;
    const [ni, nj] = p.labels.geometry.dims;
    let count = 0, touchingHost = 0, touchingOther = 0;
    for (let idx = 0; idx < voxels.length; idx++) {
      if (voxels[idx] !== LABELS.lesion) continue;
      count++;
      let host = false;
      for (const off of [1, -1, ni, -ni, ni * nj, -ni * nj]) {
        const l = voxels[idx + off];
        if (l === hostLabel) host = true;
        else if (l !== undefined && l !== LABELS.lesion && (BONE_LABELS as readonly number[]).includes(l)) touchingOther++;
      }
      if (host) touchingHost++;
    }
    expect(count).toBeGreaterThan(100);
    expect(touchingOther).toBe(0);
    expect(touchingHost).toBeGreaterThan(0);
    expect(sampleNearestLps(p.labels, lesion.centerLps, -1)).toBe(LABELS.lesion);
    // 20-60 HU: soft-tissue density in the CT.
    const hu = meanHu(p, LABELS.lesion);
    expect(hu).toBeGreaterThan(20);
    expect(hu).toBeLessThan(60);
    expect(lesion.volumeMl).toBeGreaterThan(1.5);
    expect(lesion.volumeMl).toBeLessThan(12);
  });

  it('gives the normal sacrum an S1 corridor that takes a 7.3 mm screw with 2 mm margin each side', () => {
    const p = phantom('sacralAla');
    const s1 = corridor(p, 'transsacralS1');
    expect(s1.narrowestWidthMm).toBeGreaterThanOrEqual(7.3 + 4);
    expect(s1.narrowestWidthMm).toBeLessThan(18);
    // Independent check: a cylinder of that width on the reported axis meets only bone, lesion or joint.
    // (trimmed by 8 mm at each end: the ends are where the axis meets the oblique outer iliac cortex)
    const dir = normalize([0, 0, 0], sub([0, 0, 0], s1.axisEndLps, s1.axisStartLps));
    const a = scaleAndAdd([0, 0, 0], s1.axisStartLps, dir, 8), b = scaleAndAdd([0, 0, 0], s1.axisEndLps, dir, -8);
    expect(cylinderFits(p.labels, a, b, (7.3 + 4) / 2, SACRAL_ALLOWED)).toBe(true);
    // ... and one 2 mm wider than the reported width does not fit on the same axis.
    expect(cylinderFits(p.labels, a, b, s1.narrowestWidthMm / 2 + 1, SACRAL_ALLOWED)).toBe(false);
    // Cortex to cortex around 150 mm.
    expect(distance(s1.axisStartLps, s1.axisEndLps)).toBeGreaterThan(135);
    expect(distance(s1.axisStartLps, s1.axisEndLps)).toBeLessThan(175);
    // The S1 screw axis passes through the lesion in the left ala.
    const lesionOnAxis = samplePolyline([s1.axisStartLps, s1.axisEndLps], 0.5).some((q) => sampleNearestLps(p.labels, q, -1) === LABELS.lesion);
    expect(lesionOnAxis).toBe(true);
  });

  it('lets a left S1 iliosacral screw bridge the ala lesion with 15 mm of healthy bone each side, clear of the S1 foramen', () => {
    const p = phantom('sacralAla');
    const c = corridor(p, 'iliosacralS1', 'left');
    const pts = samplePolyline([c.axisStartLps, c.axisEndLps], 0.25);
    const labelsOnAxis = pts.map((q) => sampleNearestLps(p.labels, q, -1));
    const first = labelsOnAxis.indexOf(LABELS.lesion), last = labelsOnAxis.lastIndexOf(LABELS.lesion);
    expect(first).toBeGreaterThan(0);
    const healthy = (from: number, to: number) => {
      let n = 0;
      for (let i = from; i < to; i++) if (labelsOnAxis[i] === LABELS.sacrum || labelsOnAxis[i] === LABELS.hipLeft) n++;
      return n * 0.25;
    };
    expect(healthy(0, first)).toBeGreaterThanOrEqual(15);
    expect(healthy(last + 1, labelsOnAxis.length)).toBeGreaterThanOrEqual(15);
    // A 7.3 mm screw plus 2 mm margin on this axis stays clear of every S1 foramen voxel (and of the canal).
    const { voxels } = p.labels;
    const g = p.labels.geometry;
    const [ni, nj] = g.dims;
    const a = c.axisStartLps, b = c.axisEndLps;
    let minMm = Infinity;
    for (let idx = 0; idx < voxels.length; idx++) {
      const l = voxels[idx];
      if (l !== LABELS.foramenS1Left && l !== LABELS.foramenS1Right && l !== LABELS.sacralCanal) continue;
      const i = idx % ni, j = Math.floor(idx / ni) % nj, k = Math.floor(idx / (ni * nj));
      const q: Vec3 = [g.originLps[0] + i * g.spacingMm[0], g.originLps[1] + j * g.spacingMm[1], g.originLps[2] + k * g.spacingMm[2]];
      minMm = Math.min(minMm, minDistanceToPolyline(q, [a, b]));
    }
    // Voxel centres: the label's surface is up to half a voxel diagonal closer.
    expect(minMm - Math.hypot(...g.spacingMm) / 2).toBeGreaterThanOrEqual(7.3 / 2 + 2);
  });

  it('round-trips its label volume through NRRD', () => {
    const p = phantom('sacralAla');
    const back = readNrrd(writeNrrd(p.labels)).volume;
    expect(back.geometry.dims).toEqual(p.labels.geometry.dims);
    expect(back.geometry.originLps).toEqual(p.labels.geometry.originLps);
    expect(fnv(bytesOf(back.voxels as Uint8Array))).toBe(fnv(bytesOf(p.labels.voxels)));
  });

  it('gives the dysmorphic sacrum no S1 corridor for 7.3 mm + 2 x 2 mm, and a normal S2 corridor', () => {
    const p = phantom('dysmorphic');
    const s1 = corridor(p, 'transsacralS1');
    const s2 = corridor(p, 'transsacralS2');
    expect(s1.narrowestWidthMm).toBeLessThan(7.3 + 4);
    expect(s1.narrowestWidthMm).toBeGreaterThan(4);
    expect(s2.narrowestWidthMm).toBeGreaterThanOrEqual(7.3 + 4);
    expect(s2.narrowestWidthMm).toBeGreaterThan(s1.narrowestWidthMm + 4);
    // Independent brute force: no left-right cylinder of 11.3 mm through the S1 region meets only allowed labels.
    const mid: Vec3 = [(s1.axisStartLps[0] + s1.axisEndLps[0]) / 2, (s1.axisStartLps[1] + s1.axisEndLps[1]) / 2, (s1.axisStartLps[2] + s1.axisEndLps[2]) / 2];
    const half = 55;
    let fits = 0;
    // Sanity of the check itself: the S2 level does take such a cylinder.
    const s2mid: Vec3 = [(s2.axisStartLps[0] + s2.axisEndLps[0]) / 2, (s2.axisStartLps[1] + s2.axisEndLps[1]) / 2, (s2.axisStartLps[2] + s2.axisEndLps[2]) / 2];
    const s2dir = normalize([0, 0, 0], sub([0, 0, 0], s2.axisEndLps, s2.axisStartLps));
    expect(cylinderFits(p.labels, scaleAndAdd([0, 0, 0], s2mid, s2dir, -half), scaleAndAdd([0, 0, 0], s2mid, s2dir, half), 11.3 / 2, SACRAL_ALLOWED)).toBe(true);
    for (let dy = -12; dy <= 12; dy += 1) {
      for (let dz = -12; dz <= 12; dz += 1) {
        const a: Vec3 = [mid[0] - half, mid[1] + dy, mid[2] + dz];
        const b: Vec3 = [mid[0] + half, mid[1] + dy, mid[2] + dz];
        if (cylinderFits(p.labels, a, b, 11.3 / 2, SACRAL_ALLOWED)) fits++;
      }
    }
    expect(fits).toBe(0);
  });

  it('narrows the superior pubic ramus to about 10 mm and keeps the femoral neck near 30 mm', () => {
    const p = phantom('sacralAla');
    for (const side of ['left', 'right'] as const) {
      const ramus = corridor(p, 'anteriorColumnRetrograde', side).narrowestWidthMm;
      expect(ramus).toBeGreaterThan(7);
      expect(ramus).toBeLessThan(13);
      const neck = corridor(p, 'femoralNeck', side).narrowestWidthMm;
      expect(neck).toBeGreaterThan(25);
      expect(neck).toBeLessThan(36);
    }
  });

  it('keeps cortex within 1200-1800 HU and trabecular bone within 150-350 HU (noise aside)', () => {
    const p = phantom('sacralAla');
    const { voxels: labels } = p.labels;
    const [ni, nj, nk] = p.labels.geometry.dims;
    const cortex: number[] = [], trabecular: number[] = [];
    const isBone = (l: number) => l === LABELS.sacrum || l === LABELS.hipLeft || l === LABELS.hipRight || l === LABELS.l5 || l === LABELS.lesion;
    for (let k = 3; k < nk - 3; k++) {
      for (let j = 3; j < nj - 3; j++) {
        for (let i = 3; i < ni - 3; i++) {
          const idx = i + ni * (j + nj * k);
          if (!isBone(labels[idx]!) || labels[idx] === LABELS.lesion) continue;
          // Surface voxel: a face neighbour outside bone. Deep voxel: the whole 5 x 5 x 5 neighbourhood is bone.
          let surface = false, deep = true;
          for (const off of [1, -1, ni, -ni, ni * nj, -ni * nj]) if (!isBone(labels[idx + off]!)) surface = true;
          for (let dk = -2; dk <= 2 && deep; dk++) {
            for (let dj = -2; dj <= 2 && deep; dj++) {
              for (let di = -2; di <= 2; di++) {
                if (!isBone(labels[idx + di + ni * (dj + nj * dk)]!)) { deep = false; break; }
              }
            }
          }
          if (surface) cortex.push(p.ct.voxels[idx]!);
          else if (deep) trabecular.push(p.ct.voxels[idx]!);
        }
      }
    }
    const pct = (a: number[], q: number) => [...a].sort((x, y) => x - y)[Math.floor(q * (a.length - 1))]!;
    expect(cortex.length).toBeGreaterThan(1000);
    expect(trabecular.length).toBeGreaterThan(1000);
    // Medians well inside, and 2nd-98th percentiles within the ranges widened by 3 noise sd (6 HU sd at 2 mm voxels).
    expect(pct(cortex, 0.5)).toBeGreaterThan(1350);
    expect(pct(cortex, 0.5)).toBeLessThan(1650);
    expect(pct(cortex, 0.02)).toBeGreaterThan(1200 - 20);
    expect(pct(cortex, 0.98)).toBeLessThan(1800 + 20);
    expect(pct(trabecular, 0.02)).toBeGreaterThan(150 - 20);
    expect(pct(trabecular, 0.98)).toBeLessThan(350 + 20);
  });

  it('writes the CBCT case as uncalibrated grey values with its mapping, in a truncated field of view', () => {
    const p = phantom('sacralAlaCbct');
    expect(p.ct.kind).toBe('cbct');
    expect(p.truth.greyMapping).toEqual({ slope: CBCT_GREY.slope, intercept: CBCT_GREY.intercept, huCalibrated: false });
    expect(p.ct.geometry.spacingMm[0]).toBeLessThan(1.5);
    const ct = phantom('sacralAla');
    const cbctFov = p.ct.geometry.dims[0] * p.ct.geometry.spacingMm[0];
    expect(cbctFov).toBeLessThan(ct.ct.geometry.dims[0] * ct.ct.geometry.spacingMm[0]);
    // Inverting the mapping gives HU-like values per tissue, within the cupping and truncation error.
    const toHu = (g: number) => (g - CBCT_GREY.intercept) / CBCT_GREY.slope;
    const trab = toHu(meanDeep(p, LABELS.sacrum));
    expect(trab).toBeGreaterThan(80);
    expect(trab).toBeLessThan(400);
    const lesion = toHu(meanHu(p, LABELS.lesion));
    expect(lesion).toBeGreaterThan(-100);
    expect(lesion).toBeLessThan(150);
    // The raw grey values are not HU: soft tissue sits near 1000, not near 0.
    expect(meanHu(p, LABELS.lesion)).toBeGreaterThan(800);
    // Corners of each slice are outside the reconstructed cylinder: 0.
    expect(p.ct.voxels[0]).toBe(0);
    // Noisier than the CT: neighbour differences inside the lesion/soft tissue.
    expect(noiseSd(p)).toBeGreaterThan(noiseSd(ct) * 2);
    // Truncated: the body reaches the edge of the cylinder on the left-right axis.
    const [ni, nj, nk] = p.ct.geometry.dims;
    const k = nk >> 1, j = nj >> 1;
    const edge = p.ct.voxels[3 + ni * (j + nj * k)]!;
    expect(toHu(edge)).toBeGreaterThan(-300);
  });
});

function meanHu(p: Phantom, label: number): number {
  let s = 0, n = 0;
  for (let i = 0; i < p.labels.voxels.length; i++) if (p.labels.voxels[i] === label) { s += p.ct.voxels[i]!; n++; }
  return s / n;
}

/** Mean value of voxels of `label` whose 2-voxel neighbourhood is all that label (trabecular interior). */
function meanDeep(p: Phantom, label: number): number {
  const [ni, nj] = p.labels.geometry.dims;
  let s = 0, n = 0;
  const v = p.labels.voxels;
  for (let i = 2 * ni * nj; i < v.length - 2 * ni * nj; i++) {
    if (v[i] !== label) continue;
    let deep = true;
    for (const off of [1, 2, -1, -2, ni, 2 * ni, -ni, -2 * ni, ni * nj, 2 * ni * nj, -ni * nj, -2 * ni * nj]) if (v[i + off] !== label) deep = false;
    if (deep) { s += p.ct.voxels[i]!; n++; }
  }
  return s / n;
}

/** Robust noise estimate: median absolute difference of x-neighbours inside muscle-like voxels (label 0, 0-120 HU-ish). */
function noiseSd(p: Phantom): number {
  const diffs: number[] = [];
  const v = p.ct.voxels, l = p.labels.voxels;
  const lo = p.truth.greyMapping.intercept + p.truth.greyMapping.slope * 20;
  const hi = p.truth.greyMapping.intercept + p.truth.greyMapping.slope * 90;
  for (let i = 0; i < v.length - 1; i += 7) {
    if (l[i] !== 0 || l[i + 1] !== 0) continue;
    if (v[i]! < lo - 60 || v[i]! > hi + 60) continue;
    diffs.push(Math.abs(v[i]! - v[i + 1]!) / p.truth.greyMapping.slope);
  }
  diffs.sort((a, b) => a - b);
  return diffs[diffs.length >> 1]!;
}

function samplePolyline(points: readonly Vec3[], stepMm: number): Vec3[] {
  const out: Vec3[] = [];
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s]!, b = points[s + 1]!;
    const n = Math.max(1, Math.ceil(distance(a, b) / stepMm));
    for (let t = 0; t <= n; t++) out.push([a[0] + ((b[0] - a[0]) * t) / n, a[1] + ((b[1] - a[1]) * t) / n, a[2] + ((b[2] - a[2]) * t) / n]);
  }
  return out;
}

function minDistanceToPolyline(p: Vec3, points: readonly Vec3[]): number {
  let best = Infinity;
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s]!, b = points[s + 1]!;
    const ab = sub([0, 0, 0], b, a);
    const t = Math.max(0, Math.min(1, dot(sub([0, 0, 0], p, a), ab) / dot(ab, ab)));
    best = Math.min(best, distance(p, scaleAndAdd([0, 0, 0], a, ab, t)));
  }
  return best;
}
