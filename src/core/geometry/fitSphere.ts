import type { Vec3 } from './vec3';

/**
 * Least-squares sphere fit (the hip-joint surface from the femoral head, and
 * segmentBone's test of a femoral-head cap cut by the field).
 */

export type SphereFit = { centerLps: Vec3; radiusMm: number; rmsResidualMm: number };

/**
 * Algebraic least-squares sphere through points (x, y, z triples, LPS mm):
 * solves |p|^2 + D.p + E = 0 in the least-squares sense (4x4 normal equations),
 * then reports the RMS geometric residual. Null for fewer than 4 points or a
 * degenerate (coplanar) set.
 */
export function fitSphere(points: ArrayLike<number>): SphereFit | null {
  const n = Math.floor(points.length / 3);
  if (n < 4) return null;
  // Centre the points for conditioning.
  let mx = 0, my = 0, mz = 0;
  for (let p = 0; p < n; p++) {
    mx += points[3 * p]!;
    my += points[3 * p + 1]!;
    mz += points[3 * p + 2]!;
  }
  mx /= n; my /= n; mz /= n;
  const A = new Float64Array(16);
  const b = new Float64Array(4);
  for (let p = 0; p < n; p++) {
    const x = points[3 * p]! - mx, y = points[3 * p + 1]! - my, z = points[3 * p + 2]! - mz;
    const row = [x, y, z, 1];
    const rhs = -(x * x + y * y + z * z);
    for (let r = 0; r < 4; r++) {
      b[r]! += row[r]! * rhs;
      for (let c = 0; c < 4; c++) A[4 * r + c]! += row[r]! * row[c]!;
    }
  }
  const sol = solve4(A, b);
  if (!sol) return null;
  const cx = -sol[0]! / 2, cy = -sol[1]! / 2, cz = -sol[2]! / 2;
  const r2 = cx * cx + cy * cy + cz * cz - sol[3]!;
  if (!(r2 > 0)) return null;
  const radius = Math.sqrt(r2);
  let ss = 0;
  for (let p = 0; p < n; p++) {
    const d = Math.hypot(points[3 * p]! - mx - cx, points[3 * p + 1]! - my - cy, points[3 * p + 2]! - mz - cz) - radius;
    ss += d * d;
  }
  return { centerLps: [cx + mx, cy + my, cz + mz], radiusMm: radius, rmsResidualMm: Math.sqrt(ss / n) };
}

/** Gaussian elimination with partial pivoting on a 4x4 system; null if singular. */
function solve4(A: Float64Array, b: Float64Array): Float64Array | null {
  const M = new Float64Array(20);
  for (let r = 0; r < 4; r++) {
    for (let c = 0; c < 4; c++) M[5 * r + c] = A[4 * r + c]!;
    M[5 * r + 4] = b[r]!;
  }
  for (let c = 0; c < 4; c++) {
    let piv = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(M[5 * r + c]!) > Math.abs(M[5 * piv + c]!)) piv = r;
    if (Math.abs(M[5 * piv + c]!) < 1e-12) return null;
    if (piv !== c) for (let k = 0; k < 5; k++) { const t = M[5 * c + k]!; M[5 * c + k] = M[5 * piv + k]!; M[5 * piv + k] = t; }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = M[5 * r + c]! / M[5 * c + c]!;
      for (let k = c; k < 5; k++) M[5 * r + k]! -= f * M[5 * c + k]!;
    }
  }
  const x = new Float64Array(4);
  for (let r = 0; r < 4; r++) x[r] = M[5 * r + 4]! / M[5 * r + r]!;
  return x;
}
