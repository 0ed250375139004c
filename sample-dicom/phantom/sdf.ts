/**
 * Signed-distance primitives and operators for the phantom, in LPS millimetres.
 *
 * Convention: negative inside, positive outside. Capsules, spheres, round
 * cones and half-spaces are exact; ellipsoids use the usual first-order
 * approximation (sign exact, magnitude good within a few mm of the surface),
 * which is all rasterisation needs. Corridor widths are never read from these
 * magnitudes: they are measured by brute force on the label grid (corridors.ts).
 *
 * Every shape carries an axis-aligned box that contains its interior. Unions
 * skip a child when the point is further than `FAR_MM` from the child's box,
 * so a voxel pays only for the primitives near it (the generator's speed
 * comes from this, not from clever SDF code).
 */
import type { Vec3 } from '../../src/core/geometry/vec3';

export type Sdf = (x: number, y: number, z: number) => number;

/** Axis-aligned box [minX, minY, minZ, maxX, maxY, maxZ] in LPS mm. */
export type Box = [number, number, number, number, number, number];

export type Shape = { readonly sdf: Sdf; readonly box: Box };

/** Beyond this distance from a child's box a union treats the child as absent. */
export const FAR_MM = 6;
const BIG = 1e9;

export function boxUnion(a: Box, b: Box): Box {
  return [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.min(a[2], b[2]), Math.max(a[3], b[3]), Math.max(a[4], b[4]), Math.max(a[5], b[5])];
}

export function boxExpand(a: Box, mm: number): Box {
  return [a[0] - mm, a[1] - mm, a[2] - mm, a[3] + mm, a[4] + mm, a[5] + mm];
}

export function isInBox(b: Box, x: number, y: number, z: number): boolean {
  return x >= b[0] && y >= b[1] && z >= b[2] && x <= b[3] && y <= b[4] && z <= b[5];
}

/** Polynomial smooth minimum (fillet of radius about k). */
export function smin(a: number, b: number, k: number): number {
  if (k <= 0) return a < b ? a : b;
  const h = Math.max(k - Math.abs(a - b), 0) / k;
  return Math.min(a, b) - h * h * k * 0.25;
}

export function smax(a: number, b: number, k: number): number {
  return -smin(-a, -b, k);
}

export function sphere(c: Readonly<Vec3>, r: number): Shape {
  const [cx, cy, cz] = c;
  return {
    sdf: (x, y, z) => Math.hypot(x - cx, y - cy, z - cz) - r,
    box: [cx - r, cy - r, cz - r, cx + r, cy + r, cz + r],
  };
}

/** Capsule (segment a-b swept by a ball of radius r). Exact. */
export function capsule(a: Readonly<Vec3>, b: Readonly<Vec3>, r: number): Shape {
  return roundCone(a, b, r, r);
}

/**
 * Round cone: balls of radius ra at a and rb at b and their tangent cone
 * (exact; the closed form of Inigo Quilez's published `sdRoundCone`).
 */
export function roundCone(a: Readonly<Vec3>, b: Readonly<Vec3>, ra: number, rb: number): Shape {
  const bax = b[0] - a[0], bay = b[1] - a[1], baz = b[2] - a[2];
  const l2 = bax * bax + bay * bay + baz * baz;
  const rr = ra - rb;
  const a2 = l2 - rr * rr;
  const il2 = 1 / l2;
  const [ax, ay, az] = a;
  const sdf: Sdf = (x, y, z) => {
    const pax = x - ax, pay = y - ay, paz = z - az;
    const yv = pax * bax + pay * bay + paz * baz;
    const zv = yv - l2;
    const cx = pax * l2 - bax * yv, cy = pay * l2 - bay * yv, cz = paz * l2 - baz * yv;
    const x2 = cx * cx + cy * cy + cz * cz;
    const y2 = yv * yv * l2;
    const z2 = zv * zv * l2;
    const k = Math.sign(rr) * rr * rr * x2;
    if (Math.sign(zv) * a2 * z2 > k) return Math.sqrt(x2 + z2) * il2 - rb;
    if (Math.sign(yv) * a2 * y2 < k) return Math.sqrt(x2 + y2) * il2 - ra;
    return (Math.sqrt(x2 * a2 * il2) + yv * rr) * il2 - ra;
  };
  const box: Box = [
    Math.min(a[0] - ra, b[0] - rb), Math.min(a[1] - ra, b[1] - rb), Math.min(a[2] - ra, b[2] - rb),
    Math.max(a[0] + ra, b[0] + rb), Math.max(a[1] + ra, b[1] + rb), Math.max(a[2] + ra, b[2] + rb),
  ];
  return { sdf, box };
}

/** Axis-aligned ellipsoid (approximate distance: k0 (k0 - 1) / k1). */
export function ellipsoid(c: Readonly<Vec3>, r: Readonly<Vec3>): Shape {
  const [cx, cy, cz] = c;
  const [rx, ry, rz] = r;
  return {
    sdf: (x, y, z) => ellipsoidDistance(x - cx, y - cy, z - cz, rx, ry, rz),
    box: [cx - rx, cy - ry, cz - rz, cx + rx, cy + ry, cz + rz],
  };
}

export function ellipsoidDistance(px: number, py: number, pz: number, rx: number, ry: number, rz: number): number {
  const qx = px / rx, qy = py / ry, qz = pz / rz;
  const k0 = Math.sqrt(qx * qx + qy * qy + qz * qz);
  const k1 = Math.sqrt((qx / rx) * (qx / rx) + (qy / ry) * (qy / ry) + (qz / rz) * (qz / rz));
  if (k1 === 0) return -Math.min(rx, ry, rz);
  return (k0 * (k0 - 1)) / k1;
}

/** 2D ellipse distance (same approximation). */
export function ellipseDistance(px: number, py: number, rx: number, ry: number): number {
  const qx = px / rx, qy = py / ry;
  const k0 = Math.sqrt(qx * qx + qy * qy);
  const k1 = Math.sqrt((qx / rx) * (qx / rx) + (qy / ry) * (qy / ry));
  if (k1 === 0) return -Math.min(rx, ry);
  return (k0 * (k0 - 1)) / k1;
}

/**
 * Ellipsoid with arbitrary orthonormal axes u, v, w (radii ru, rv, rw).
 * The box is that of the bounding sphere's projection on each axis (tight enough).
 */
export function orientedEllipsoid(c: Readonly<Vec3>, u: Readonly<Vec3>, v: Readonly<Vec3>, w: Readonly<Vec3>, ru: number, rv: number, rw: number): Shape {
  const [cx, cy, cz] = c;
  const ext = (axis: number) => Math.abs(u[axis]!) * ru + Math.abs(v[axis]!) * rv + Math.abs(w[axis]!) * rw;
  const ex = ext(0), ey = ext(1), ez = ext(2);
  return {
    sdf: (x, y, z) => {
      const dx = x - cx, dy = y - cy, dz = z - cz;
      return ellipsoidDistance(dx * u[0] + dy * u[1] + dz * u[2], dx * v[0] + dy * v[1] + dz * v[2], dx * w[0] + dy * w[1] + dz * w[2], ru, rv, rw);
    },
    box: [cx - ex, cy - ey, cz - ez, cx + ex, cy + ey, cz + ez],
  };
}

/** Union of shapes with fillet k; children far from the point are skipped. */
export function union(shapes: readonly Shape[], k = 0): Shape {
  let box = shapes[0]!.box;
  for (const s of shapes) box = boxUnion(box, s.box);
  const boxes = shapes.map((s) => boxExpand(s.box, FAR_MM + k));
  const sdfs = shapes.map((s) => s.sdf);
  const n = shapes.length;
  const sdf: Sdf = (x, y, z) => {
    let d = BIG;
    for (let i = 0; i < n; i++) {
      const b = boxes[i]!;
      if (x < b[0] || y < b[1] || z < b[2] || x > b[3] || y > b[4] || z > b[5]) continue;
      const di = sdfs[i]!(x, y, z);
      d = k > 0 ? smin(d, di, k) : di < d ? di : d;
    }
    return d;
  };
  return { sdf, box };
}

/** a minus each of `cut` (sharp, or filleted with k); the box stays a's. */
export function subtract(a: Shape, cuts: readonly Shape[], k = 0): Shape {
  const boxes = cuts.map((s) => boxExpand(s.box, FAR_MM + k));
  const sdfs = cuts.map((s) => s.sdf);
  const n = cuts.length;
  const sdfA = a.sdf;
  return {
    box: a.box,
    sdf: (x, y, z) => {
      let d = sdfA(x, y, z);
      for (let i = 0; i < n; i++) {
        const b = boxes[i]!;
        if (x < b[0] || y < b[1] || z < b[2] || x > b[3] || y > b[4] || z > b[5]) continue;
        const c = -sdfs[i]!(x, y, z);
        d = k > 0 ? smax(d, c, k) : c > d ? c : d;
      }
      return d;
    },
  };
}

/** Keeps the part of `a` on the negative side of the plane (p - origin) . normal <= 0. */
export function clipHalfSpace(a: Shape, origin: Readonly<Vec3>, normal: Readonly<Vec3>, k = 0): Shape {
  const [ox, oy, oz] = origin;
  const [nx, ny, nz] = normal;
  const sdfA = a.sdf;
  return {
    box: a.box,
    sdf: (x, y, z) => {
      const c = (x - ox) * nx + (y - oy) * ny + (z - oz) * nz;
      const d = sdfA(x, y, z);
      return k > 0 ? smax(d, c, k) : c > d ? c : d;
    },
  };
}

/** Custom shape from a function and a box. */
export function shape(sdf: Sdf, box: Box): Shape {
  return { sdf, box };
}

/** Numerical gradient (central differences, step h mm), normalised. */
export function gradient(out: Vec3, sdf: Sdf, p: Readonly<Vec3>, h = 0.25): Vec3 {
  const gx = sdf(p[0] + h, p[1], p[2]) - sdf(p[0] - h, p[1], p[2]);
  const gy = sdf(p[0], p[1] + h, p[2]) - sdf(p[0], p[1] - h, p[2]);
  const gz = sdf(p[0], p[1], p[2] + h) - sdf(p[0], p[1], p[2] - h);
  const len = Math.hypot(gx, gy, gz) || 1;
  out[0] = gx / len;
  out[1] = gy / len;
  out[2] = gz / len;
  return out;
}

/**
 * Moves p along the gradient until sdf(p) = target (a few Newton steps on an
 * approximate SDF). Returns a new point.
 */
export function projectToLevel(sdf: Sdf, p: Readonly<Vec3>, targetMm: number, iterations = 12): Vec3 {
  const q: Vec3 = [p[0], p[1], p[2]];
  const g: Vec3 = [0, 0, 0];
  for (let it = 0; it < iterations; it++) {
    const d = sdf(q[0], q[1], q[2]) - targetMm;
    if (Math.abs(d) < 0.02) break;
    gradient(g, sdf, q);
    q[0] -= g[0] * d;
    q[1] -= g[1] * d;
    q[2] -= g[2] * d;
  }
  return q;
}
