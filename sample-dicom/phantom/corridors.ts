/**
 * Brute-force measurement of a bony corridor on a label volume: the diameter
 * of the widest straight cylinder that spans a given segment entirely inside
 * allowed labels (bone of the parts involved, the lesion it must bridge, the
 * SI joint it crosses).
 *
 * For each candidate direction near the reference axis, every line parallel
 * to it through a fine 2D grid of the cross-section is walked voxel by voxel
 * (nearest label) over the whole segment; a line that meets anything else is
 * "blocked". The widest cylinder of that direction is then twice the largest
 * distance from a free line to a blocked one (exact 2D Euclidean distance
 * transform, Felzenszwalb & Huttenlocher 2012), less half a pixel. Directions
 * are searched coarse to fine within `tiltMaxDeg` of the reference.
 *
 * Accuracy: the label grid's own (voxel-sized) staircase, plus half the
 * cross-section pixel. This is the width that the image can show, which is
 * what a planner working on the image must find.
 */
import type { Vec3 } from '../../src/core/geometry/vec3';
import { cross, normalize, scaleAndAdd, sub } from '../../src/core/geometry/vec3';
import type { VolumeGeometry } from '../../src/core/volume/VolumeGeometry';
import type { CorridorDefinition } from './anatomy';

export type CorridorMeasurement = {
  widthMm: number;
  /** Best axis, from the bone entry (extended outward from the segment start while inside allowed labels) to the segment end. */
  axisStartLps: Vec3;
  axisEndLps: Vec3;
  directionLps: Vec3;
};

export type MeasureOptions = {
  tiltMaxDeg?: number;
  /** Cross-section pixel, mm. Defaults to half the smallest voxel spacing, at least 0.4 mm. */
  pixelMm?: number;
  /** Extend the axis end outward too (transsacral corridors: cortex to cortex). */
  extendEnd?: boolean;
};

export function measureCorridor(labels: Uint8Array, geometry: VolumeGeometry, def: CorridorDefinition, options: MeasureOptions = {}): CorridorMeasurement {
  const allowed = new Uint8Array(256);
  for (const l of def.allowedLabels) allowed[l] = 1;
  const h = options.pixelMm ?? Math.max(0.4, Math.min(...geometry.spacingMm) / 2);
  const tiltMax = options.tiltMaxDeg ?? 6;
  const d0 = normalize([0, 0, 0], sub([0, 0, 0], def.endLps, def.startLps));
  const lengthMm = Math.hypot(def.endLps[0] - def.startLps[0], def.endLps[1] - def.startLps[1], def.endLps[2] - def.startLps[2]);
  const mid: Vec3 = [(def.startLps[0] + def.endLps[0]) / 2, (def.startLps[1] + def.endLps[1]) / 2, (def.startLps[2] + def.endLps[2]) / 2];
  const [u0, w0] = perpendicularFrame(d0);

  const evaluate = (aDeg: number, bDeg: number) => {
    const ta = Math.tan((aDeg * Math.PI) / 180), tb = Math.tan((bDeg * Math.PI) / 180);
    const d = normalize([0, 0, 0], [d0[0] + ta * u0[0] + tb * w0[0], d0[1] + ta * u0[1] + tb * w0[1], d0[2] + ta * u0[2] + tb * w0[2]]);
    const [e1, e2] = perpendicularFrame(d);
    const r = crossSectionClearance(labels, geometry, allowed, mid, d, e1, e2, lengthMm, def.searchHalfMm, h);
    return { ...r, d, e1, e2 };
  };

  let best = evaluate(0, 0);
  let bestA = 0, bestB = 0;
  let step = tiltMax / 2;
  while (step >= 0.74) {
    let improved = true;
    while (improved) {
      improved = false;
      for (const [da, db] of [[step, 0], [-step, 0], [0, step], [0, -step], [step, step], [-step, -step], [step, -step], [-step, step]] as const) {
        const a = bestA + da, b = bestB + db;
        if (Math.hypot(a, b) > tiltMax + 1e-9) continue;
        const r = evaluate(a, b);
        if (r.radiusMm > best.radiusMm + 1e-9) {
          best = r;
          bestA = a;
          bestB = b;
          improved = true;
        }
      }
    }
    step /= 2;
  }

  const centre = scaleAndAdd([0, 0, 0], scaleAndAdd([0, 0, 0], mid, best.e1, best.offsetA), best.e2, best.offsetB);
  const start = scaleAndAdd([0, 0, 0], centre, best.d, -lengthMm / 2);
  const end = scaleAndAdd([0, 0, 0], centre, best.d, lengthMm / 2);
  const axisStartLps = extendWhileAllowed(labels, geometry, allowed, start, best.d, -1, h / 2);
  const axisEndLps = options.extendEnd ? extendWhileAllowed(labels, geometry, allowed, end, best.d, 1, h / 2) : end;
  return { widthMm: Math.max(0, 2 * best.radiusMm), axisStartLps, axisEndLps, directionLps: best.d };
}

function perpendicularFrame(d: Vec3): [Vec3, Vec3] {
  const helper: Vec3 = Math.abs(d[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
  const e1 = normalize([0, 0, 0], cross([0, 0, 0], d, helper));
  const e2 = normalize([0, 0, 0], cross([0, 0, 0], d, e1));
  return [e1, e2];
}

function labelAt(labels: Uint8Array, g: VolumeGeometry, x: number, y: number, z: number): number {
  const m = g.lpsToIjk;
  const i = Math.round(m[0]! * x + m[4]! * y + m[8]! * z + m[12]!);
  const j = Math.round(m[1]! * x + m[5]! * y + m[9]! * z + m[13]!);
  const k = Math.round(m[2]! * x + m[6]! * y + m[10]! * z + m[14]!);
  const [ni, nj, nk] = g.dims;
  if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return -1;
  return labels[i + ni * (j + nj * k)]!;
}

function extendWhileAllowed(labels: Uint8Array, g: VolumeGeometry, allowed: Uint8Array, from: Vec3, d: Vec3, sign: number, stepMm: number): Vec3 {
  const p: Vec3 = [from[0], from[1], from[2]];
  for (let t = 0; t < 200; t += stepMm) {
    const x = from[0] + sign * d[0] * t, y = from[1] + sign * d[1] * t, z = from[2] + sign * d[2] * t;
    const l = labelAt(labels, g, x, y, z);
    if (l < 0 || !allowed[l]) break;
    p[0] = x; p[1] = y; p[2] = z;
  }
  return p;
}

/**
 * Largest clearance (radius, mm) of a line parallel to d over the segment
 * [mid - L/2 d, mid + L/2 d], and the offset (along e1, e2) where it is reached.
 */
function crossSectionClearance(
  labels: Uint8Array, g: VolumeGeometry, allowed: Uint8Array, mid: Vec3, d: Vec3, e1: Vec3, e2: Vec3,
  lengthMm: number, halfMm: number, h: number,
): { radiusMm: number; offsetA: number; offsetB: number } {
  const half = Math.ceil(halfMm / h);
  const n = 2 * half + 1;
  const padded = n + 2; // a ring of blocked pixels around the window (unknown beyond it = blocked)
  const blocked = new Uint8Array(padded * padded).fill(1);
  const m = g.lpsToIjk;
  const [ni, nj, nk] = g.dims;
  const stepMm = Math.min(h, Math.min(...g.spacingMm) / 2);
  const nSteps = Math.ceil(lengthMm / stepMm);
  const dt = lengthMm / nSteps;
  // ijk increments.
  const di = (m[0]! * d[0] + m[4]! * d[1] + m[8]! * d[2]) * dt;
  const dj = (m[1]! * d[0] + m[5]! * d[1] + m[9]! * d[2]) * dt;
  const dk = (m[2]! * d[0] + m[6]! * d[1] + m[10]! * d[2]) * dt;
  const nij = ni * nj;
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < n; a++) {
      const oa = (a - half) * h, ob = (b - half) * h;
      const x = mid[0] + oa * e1[0] + ob * e2[0] - (lengthMm / 2) * d[0];
      const y = mid[1] + oa * e1[1] + ob * e2[1] - (lengthMm / 2) * d[1];
      const z = mid[2] + oa * e1[2] + ob * e2[2] - (lengthMm / 2) * d[2];
      let fi = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
      let fj = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
      let fk = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
      let free = 1;
      for (let s = 0; s <= nSteps; s++, fi += di, fj += dj, fk += dk) {
        const i = Math.round(fi), j = Math.round(fj), k = Math.round(fk);
        if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk || !allowed[labels[i + ni * j + nij * k]!]) {
          free = 0;
          break;
        }
      }
      if (free) blocked[(a + 1) + padded * (b + 1)] = 0;
    }
  }
  const dist2 = edt2d(blocked, padded, padded);
  let bestD2 = -1, ba = 0, bb = 0;
  for (let b = 0; b < n; b++) {
    for (let a = 0; a < n; a++) {
      const v = dist2[(a + 1) + padded * (b + 1)]!;
      // Prefer the most central pixel among equals (stable, symmetric results).
      if (v > bestD2 || (v === bestD2 && (a - half) ** 2 + (b - half) ** 2 < (ba - half) ** 2 + (bb - half) ** 2)) {
        bestD2 = v; ba = a; bb = b;
      }
    }
  }
  const radiusMm = bestD2 > 0 ? Math.sqrt(bestD2) * h - h / 2 : 0;
  return { radiusMm, offsetA: (ba - half) * h, offsetB: (bb - half) * h };
}

/** Squared distance (in pixels) from each pixel to the nearest pixel with sites[p] = 1. */
export function edt2d(sites: Uint8Array, w: number, hgt: number): Float64Array {
  const INF = 1e20;
  const out = new Float64Array(w * hgt);
  const n = Math.max(w, hgt);
  const f = new Float64Array(n), dd = new Float64Array(n), v = new Int32Array(n), zz = new Float64Array(n + 1);
  for (let p = 0; p < w * hgt; p++) out[p] = sites[p] ? 0 : INF;
  // Columns then rows.
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < hgt; y++) f[y] = out[x + w * y]!;
    edt1d(f, hgt, dd, v, zz);
    for (let y = 0; y < hgt; y++) out[x + w * y] = dd[y]!;
  }
  for (let y = 0; y < hgt; y++) {
    for (let x = 0; x < w; x++) f[x] = out[x + w * y]!;
    edt1d(f, w, dd, v, zz);
    for (let x = 0; x < w; x++) out[x + w * y] = dd[x]!;
  }
  return out;
}

/** 1D squared-distance transform of sampled function f (lower envelope of parabolas). */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    while (s <= z[k]!) {
      k--;
      s = (f[q]! + q * q - (f[v[k]!]! + v[k]! * v[k]!)) / (2 * q - 2 * v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q) k++;
    const r = q - v[k]!;
    d[q] = r * r + f[v[k]!]!;
  }
}
