import type { Vec3 } from '../geometry/vec3';
import { edtWasm, fillTubeFieldWasm } from './edtWasm';

/**
 * Analytic distance (mm) from points to the critical-structure shapes, used to
 * fill the structure fields exactly instead of rasterising and transforming.
 * All inputs in LPS millimetres. No allocation in the hot functions.
 */

/** A polyline tube: distance is max(0, distance to the centreline - radius). */
export type TubeShape = { kind: 'tube'; pointsLps: readonly Vec3[]; radiusMm: number };

/**
 * The surface of a spherical cap (articular surface): points at distance
 * `radiusMm` from `centerLps` within `halfAngleRad` of `axisLps` (unit).
 * Distance is the exact Euclidean distance to that surface patch.
 */
export type CapShape = { kind: 'cap'; centerLps: Vec3; radiusMm: number; axisLps: Vec3; halfAngleRad: number };

export type StructureShape = TubeShape | CapShape;

/** Distance from (x, y, z) to the polyline (no radius). */
export function distanceToPolyline(points: readonly Vec3[], x: number, y: number, z: number): number {
  let best = Infinity;
  if (points.length === 1) {
    const p = points[0]!;
    return Math.hypot(x - p[0], y - p[1], z - p[2]);
  }
  for (let s = 0; s + 1 < points.length; s++) {
    const a = points[s]!, b = points[s + 1]!;
    const abx = b[0] - a[0], aby = b[1] - a[1], abz = b[2] - a[2];
    const apx = x - a[0], apy = y - a[1], apz = z - a[2];
    const len2 = abx * abx + aby * aby + abz * abz;
    let t = len2 > 0 ? (apx * abx + apy * aby + apz * abz) / len2 : 0;
    if (t < 0) t = 0;
    else if (t > 1) t = 1;
    const dx = apx - t * abx, dy = apy - t * aby, dz = apz - t * abz;
    const d2 = dx * dx + dy * dy + dz * dz;
    if (d2 < best) best = d2;
  }
  return Math.sqrt(best);
}

/** Distance from (x, y, z) to the cap surface. */
export function distanceToCap(c: CapShape, x: number, y: number, z: number): number {
  const vx = x - c.centerLps[0], vy = y - c.centerLps[1], vz = z - c.centerLps[2];
  const r = Math.hypot(vx, vy, vz);
  const ax = c.axisLps[0], ay = c.axisLps[1], az = c.axisLps[2];
  const along = vx * ax + vy * ay + vz * az;
  const perp = Math.sqrt(Math.max(0, r * r - along * along));
  const angle = Math.atan2(perp, along);
  if (angle <= c.halfAngleRad) return Math.abs(r - c.radiusMm);
  // Nearest point is on the rim circle: in the plane of (axis, v), at the cap angle.
  const rimAlong = c.radiusMm * Math.cos(c.halfAngleRad);
  const rimPerp = c.radiusMm * Math.sin(c.halfAngleRad);
  return Math.hypot(along - rimAlong, perp - rimPerp);
}

/** Distance from (x, y, z) to a shape, 0 inside a tube. */
export function distanceToShape(shape: StructureShape, x: number, y: number, z: number): number {
  if (shape.kind === 'tube') return Math.max(0, distanceToPolyline(shape.pointsLps, x, y, z) - shape.radiusMm);
  return distanceToCap(shape, x, y, z);
}

/** Axis-aligned LPS bounds [min, max] of a shape (its surface), without margin. */
export function shapeBoundsLps(shape: StructureShape): { minLps: Vec3; maxLps: Vec3 } {
  const minLps: Vec3 = [Infinity, Infinity, Infinity];
  const maxLps: Vec3 = [-Infinity, -Infinity, -Infinity];
  if (shape.kind === 'tube') {
    for (const p of shape.pointsLps) {
      for (let a = 0; a < 3; a++) {
        minLps[a] = Math.min(minLps[a]!, p[a]! - shape.radiusMm);
        maxLps[a] = Math.max(maxLps[a]!, p[a]! + shape.radiusMm);
      }
    }
  } else {
    for (let a = 0; a < 3; a++) {
      minLps[a] = shape.centerLps[a]! - shape.radiusMm;
      maxLps[a] = shape.centerLps[a]! + shape.radiusMm;
    }
  }
  return { minLps, maxLps };
}

/**
 * Fills `out` (dims voxels, i fastest) with the analytic distance to `shape` at the voxel centres
 * of the grid `ijkToLps` (column-major 4x4, LPS mm): the structure fields of buildFieldSet.ts.
 */
export function fillShapeField(out: Float32Array, dims: readonly [number, number, number], ijkToLps: Float64Array, shape: StructureShape): void {
  const [mi, mj, mk] = dims;
  const m = ijkToLps;
  const dxi = m[0]!, dyi = m[1]!, dzi = m[2]!;
  if (shape.kind === 'cap') {
    // distanceToCap with the cap's constants hoisted (no trigonometry per voxel).
    const [cx, cy, cz] = shape.centerLps;
    const [ax, ay, az] = shape.axisLps;
    const R = shape.radiusMm;
    const cosHalf = Math.cos(shape.halfAngleRad);
    const rimAlong = R * cosHalf, rimPerp = R * Math.sin(shape.halfAngleRad);
    let t = 0;
    for (let k = 0; k < mk; k++) {
      for (let j = 0; j < mj; j++) {
        let vx = m[4]! * j + m[8]! * k + m[12]! - cx;
        let vy = m[5]! * j + m[9]! * k + m[13]! - cy;
        let vz = m[6]! * j + m[10]! * k + m[14]! - cz;
        for (let i = 0; i < mi; i++, t++) {
          const r2 = vx * vx + vy * vy + vz * vz;
          const r = Math.sqrt(r2);
          const along = vx * ax + vy * ay + vz * az;
          if (along >= r * cosHalf) out[t] = Math.abs(r - R);
          else {
            const perp = Math.sqrt(Math.max(0, r2 - along * along));
            const da = along - rimAlong, dp = perp - rimPerp;
            out[t] = Math.sqrt(da * da + dp * dp);
          }
          vx += dxi;
          vy += dyi;
          vz += dzi;
        }
      }
    }
  } else {
    // Tube: segment data once; squared distance to the nearest segment per voxel.
    const pts = shape.pointsLps;
    const segs = Math.max(1, pts.length - 1);
    const seg = new Float64Array(7 * segs);
    for (let q = 0; q < segs; q++) {
      const a = pts[q]!, b = pts[Math.min(q + 1, pts.length - 1)]!;
      const bx = b[0] - a[0], by = b[1] - a[1], bz = b[2] - a[2];
      const len2 = bx * bx + by * by + bz * bz;
      seg.set([a[0], a[1], a[2], bx, by, bz, len2 > 0 ? 1 / len2 : 0], 7 * q);
    }
    const radius = shape.radiusMm;
    // The same loop in WebAssembly when this thread has the module (edtWasm.ts): the same bits.
    const wasm = edtWasm();
    if (wasm && fillTubeFieldWasm(wasm, out, dims, ijkToLps, seg, radius)) return;
    let t = 0;
    for (let k = 0; k < mk; k++) {
      for (let j = 0; j < mj; j++) {
        let x = m[4]! * j + m[8]! * k + m[12]!;
        let y = m[5]! * j + m[9]! * k + m[13]!;
        let z = m[6]! * j + m[10]! * k + m[14]!;
        for (let i = 0; i < mi; i++, t++) {
          let best = Infinity;
          for (let o = 0; o < 7 * segs; o += 7) {
            const px = x - seg[o]!, py = y - seg[o + 1]!, pz = z - seg[o + 2]!;
            const bx = seg[o + 3]!, by = seg[o + 4]!, bz = seg[o + 5]!;
            let u = (px * bx + py * by + pz * bz) * seg[o + 6]!;
            if (u < 0) u = 0;
            else if (u > 1) u = 1;
            const ex = px - u * bx, ey = py - u * by, ez = pz - u * bz;
            const d2 = ex * ex + ey * ey + ez * ez;
            if (d2 < best) best = d2;
          }
          const d = Math.sqrt(best) - radius;
          out[t] = d > 0 ? d : 0;
          x += dxi;
          y += dyi;
          z += dzi;
        }
      }
    }
  }
}
