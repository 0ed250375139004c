/**
 * The curved sacral frame: local coordinates (u, v, s) that follow the sacrum.
 *
 * - u: patient left (= LPS x), mm.
 * - s: arc length down the sacral axis from the top of the alae (s = 0), mm.
 *   The axis is a circular arc in the mid-sagittal plane (sacral kyphosis,
 *   concave anteriorly) that starts at `topLps` with the S1 "up" direction
 *   tilted anteriorly by the sacral slope. Above the top (s < 0) the frame is
 *   the straight tangent extension (L5, the dural sac).
 * - v: signed distance from the arc toward anterior (Euclidean, exact).
 *
 * Distances along s at v != 0 are scaled by (R - v) / R, as on a real curved
 * sacrum, whose anterior surface is shorter than its dorsal one.
 */
import type { Vec3 } from '../../src/core/geometry/vec3';

export type SacralFrame = {
  readonly topLps: Vec3;
  readonly radiusMm: number;
  /** Unit vectors at s = 0: t0 down the sacrum, a0 anterior, both in the y-z plane. */
  readonly t0: Vec3;
  readonly a0: Vec3;
  /** Centre of the arc. */
  readonly centreLps: Vec3;
};

export function createSacralFrame(topLps: Vec3, sacralSlopeDeg: number, radiusMm: number): SacralFrame {
  const b = (sacralSlopeDeg * Math.PI) / 180;
  // "Up" of S1 is (0, -sin b, cos b): tilted toward anterior (-y). t0 = -up.
  const t0: Vec3 = [0, Math.sin(b), -Math.cos(b)];
  const a0: Vec3 = [0, -Math.cos(b), -Math.sin(b)];
  const centreLps: Vec3 = [topLps[0], topLps[1] + radiusMm * a0[1], topLps[2] + radiusMm * a0[2]];
  return { topLps, radiusMm, t0, a0, centreLps };
}

/** LPS -> (u, v, s) into out. */
export function toSacral(out: Vec3, f: SacralFrame, x: number, y: number, z: number): Vec3 {
  const dy = y - f.topLps[1], dz = z - f.topLps[2];
  const sLin = dy * f.t0[1] + dz * f.t0[2];
  out[0] = x - f.topLps[0];
  if (sLin < 0) {
    out[1] = dy * f.a0[1] + dz * f.a0[2];
    out[2] = sLin;
    return out;
  }
  const qy = y - f.centreLps[1], qz = z - f.centreLps[2];
  const rho = Math.hypot(qy, qz);
  const theta = Math.atan2(qy * f.t0[1] + qz * f.t0[2], -(qy * f.a0[1] + qz * f.a0[2]));
  out[1] = f.radiusMm - rho;
  out[2] = f.radiusMm * theta;
  return out;
}

/** (u, v, s) -> LPS. */
export function fromSacral(f: SacralFrame, u: number, v: number, s: number): Vec3 {
  if (s < 0) {
    return [f.topLps[0] + u, f.topLps[1] + s * f.t0[1] + v * f.a0[1], f.topLps[2] + s * f.t0[2] + v * f.a0[2]];
  }
  const th = s / f.radiusMm;
  const c = Math.cos(th), sn = Math.sin(th);
  // a(s) = cos a0 - sin t0; point = O - R a + v a = O + (v - R) a
  const ay = c * f.a0[1] - sn * f.t0[1];
  const az = c * f.a0[2] - sn * f.t0[2];
  return [f.topLps[0] + u, f.centreLps[1] + (v - f.radiusMm) * ay, f.centreLps[2] + (v - f.radiusMm) * az];
}

/** Piecewise-linear profile through (s, value) knots; clamped at both ends. */
export function profile(knots: readonly (readonly [number, number])[]): (s: number) => number {
  const n = knots.length;
  return (s) => {
    if (s <= knots[0]![0]) return knots[0]![1];
    for (let i = 1; i < n; i++) {
      const k1 = knots[i]!;
      if (s <= k1[0]) {
        const k0 = knots[i - 1]!;
        return k0[1] + ((k1[1] - k0[1]) * (s - k0[0])) / (k1[0] - k0[0]);
      }
    }
    return knots[n - 1]![1];
  };
}
