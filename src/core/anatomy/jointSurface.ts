import type { Vec3 } from '../geometry/vec3';
import { LABELS } from '../shared/ids';
import { allocEdtGrid, EDT_FAR, squaredDistanceInPlace } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import type { JointSurfaceModel } from './structures';
import { fitSphere, type SphereFit } from '../geometry/fitSphere';
import { labelBoxes } from './labelBoxes';

/**
 * Hip joint surface from the femoral head: least-squares sphere fit to the
 * head's surface voxels, and the articular cap around the direction away from
 * the neck.
 */

/** Least superior component of a head's cap axis (unit vector, LPS). */
const AXIS_MIN_SUPERIOR = 0.25;
/** Radii accepted for an adult femoral head (about 20-28 mm; the phantoms' 22-25 mm). */
const HEAD_RADIUS_RANGE_MM: readonly [number, number] = [15, 35];

/**
 * Fits the joint surface of each femur in `labels` (LABELS.femurLeft / femurRight):
 * 1. the head centre is first guessed as the femur's deepest voxel (largest inside
 *    distance) in its upper 70 mm, the depth as the radius;
 * 2. surface voxels within 35 % of that radius of the sphere are fitted, then
 *    refitted with those within 2.5 mm of the fit (drops the neck and the fovea);
 * 3. the cap axis points from the neck (femur voxels 1.2 to 2 radii from the
 *    centre) towards the centre; the cap spans 100 degrees around it;
 * 4. a fit is proposed only with an adult head's radius and a cap axis pointing up;
 *    otherwise a note says that side's joint is to be placed by hand.
 * Femur voxels on the image's edge count as background for the depth and the femur's
 * enclosed holes are filled first (README, "Hip joint surfaces where the femur is cut off").
 */
export function detectJointSurfaces(labels: Volume<Uint8Array>, boxes: Int32Array = labelBoxes(labels)): { joints: JointSurfaceModel[]; notes: string[] } {
  const joints: JointSurfaceModel[] = [];
  const notes: string[] = [];
  for (const side of ['left', 'right'] as const) {
    const label = side === 'left' ? LABELS.femurLeft : LABELS.femurRight;
    const fit = fitFemoralHead(labels, label, boxes);
    if (!fit) {
      notes.push(`no ${side} femoral head to fit`);
      continue;
    }
    // A sphere that is not a head is not proposed: the user places that joint. Its radius is
    // not an adult head's (a head cut by the field of view fitted on its cut face), or its
    // cap axis does not point up: the neck runs from the head down to the shaft in every
    // patient (and laterally, but an implant or a short label can leave little of it), and a
    // sphere pulled into the neck by an implant's streaks in the label has its axis down.
    if (fit.radiusMm < HEAD_RADIUS_RANGE_MM[0] || fit.radiusMm > HEAD_RADIUS_RANGE_MM[1]) {
      notes.push(`${side} femoral head not found: the sphere fitted to the ${side} femur has a radius of ${fit.radiusMm.toFixed(0)} mm, not an adult head's ${HEAD_RADIUS_RANGE_MM[0]}-${HEAD_RADIUS_RANGE_MM[1]} mm (the head cut by the field of view?); add the ${side} hip joint by hand`);
      continue;
    }
    if (fit.capAxisLps[2] < AXIS_MIN_SUPERIOR) {
      notes.push(`${side} femoral head not found: the sphere fitted to the ${side} femur does not sit above its neck (an implant or a lesion in the label?); add the ${side} hip joint by hand`);
      continue;
    }
    joints.push({ id: side === 'left' ? 'jointLeft' : 'jointRight', side, ...fit, capHalfAngleDeg: 100 });
  }
  return { joints, notes };
}

function fitFemoralHead(labels: Volume<Uint8Array>, label: number, boxes: Int32Array): { centerLps: Vec3; radiusMm: number; rmsResidualMm: number; capAxisLps: Vec3 } | null {
  const g = labels.geometry;
  const [gi, gj, gk] = g.dims;
  const v = labels.voxels;
  const m = g.ijkToLps;
  // Bounding box of the femur (labelBoxes).
  const ob = 6 * label;
  let i0 = boxes[ob]!, j0 = boxes[ob + 1]!, k0 = boxes[ob + 2]!, i1 = boxes[ob + 3]!, j1 = boxes[ob + 4]!, k1 = boxes[ob + 5]!;
  if (i1 < 0) return null;
  i0 = Math.max(0, i0 - 1); j0 = Math.max(0, j0 - 1); k0 = Math.max(0, k0 - 1);
  i1 = Math.min(gi - 1, i1 + 1); j1 = Math.min(gj - 1, j1 + 1); k1 = Math.min(gk - 1, k1 + 1);
  const dims: [number, number, number] = [i1 - i0 + 1, j1 - j0 + 1, k1 - k0 + 1];
  const [ni, nj, nk] = dims;
  const n = ni * nj * nk;
  const inside = new Uint8Array(n);
  const sq = allocEdtGrid(n);
  // Rows (j, k) holding a femur voxel.
  const rowAny = new Uint8Array(nj * nk);
  femurMask(v, label, [gi, gj, gk], [i0, j0, k0], dims, inside, sq, rowAny);
  fillEnclosed(inside, sq, rowAny, dims, [i0, j0, k0], g.dims);
  squaredDistanceInPlace(sq, dims, g.spacingMm);
  const lps = (i: number, j: number, k: number): Vec3 => [
    m[0]! * (i + i0) + m[4]! * (j + j0) + m[8]! * (k + k0) + m[12]!,
    m[1]! * (i + i0) + m[5]! * (j + j0) + m[9]! * (k + k0) + m[13]!,
    m[2]! * (i + i0) + m[6]! * (j + j0) + m[10]! * (k + k0) + m[14]!,
  ];
  // z of a voxel, the same expression as lps(i, j, k)[2] (no array per voxel).
  const zOf = (i: number, j: number, k: number): number => m[2]! * (i + i0) + m[6]! * (j + j0) + m[10]! * (k + k0) + m[14]!;
  // When z does not depend on i (m[2] = 0, any grid without a rotation about the i axis),
  // zOf(i, j, k) is the same number for every i of a row (m[2] * (i + i0) is the same zero):
  // the z tests below are then made once per row.
  const zPerRow = m[2] === 0;
  // Upper 70 mm (superior = +z in LPS).
  let zTop = -Infinity;
  if (zPerRow) {
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) if (rowAny[j + nj * k]) zTop = Math.max(zTop, zOf(0, j, k));
  } else {
    for (let k = 0, p = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) if (inside[p]) zTop = Math.max(zTop, zOf(i, j, k));
  }
  const best = deepestVoxel(inside, sq, rowAny, dims, zPerRow, zOf, zTop);
  if (best < 0) return null;
  const bestD = sq[best]!;
  const bi = best % ni, bj = Math.floor(best / ni) % nj, bk = Math.floor(best / (ni * nj));
  let centre = lps(bi, bj, bk);
  let radius = Math.sqrt(bestD);
  // Surface voxels (a 6-neighbour outside the femur) less than 1.6 radii from the centre:
  // only those of the voxel box around that ball are visited (in the same order).
  const surf = surfaceNearBall(inside, rowAny, dims, ballBox(g.lpsToIjk, centre, 1.7 * radius, [i0, j0, k0], dims), lps, centre, radius);
  let fit: SphereFit | null = null;
  let tol = 0.35 * radius;
  for (let iter = 0; iter < 4; iter++) {
    const sel: number[] = [];
    for (let s = 0; s < surf.length; s += 3) {
      const d = Math.hypot(surf[s]! - centre[0], surf[s + 1]! - centre[1], surf[s + 2]! - centre[2]) - radius;
      if (Math.abs(d) <= tol) sel.push(surf[s]!, surf[s + 1]!, surf[s + 2]!);
    }
    const f = fitSphere(sel);
    if (!f) break;
    fit = f;
    centre = f.centerLps;
    radius = f.radiusMm;
    tol = Math.max(2.5, 1.5 * Math.max(...g.spacingMm));
  }
  if (!fit) return null;
  // Surface voxels sit half a voxel inside the true surface: add it back.
  const half = 0.5 * Math.min(g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]);
  // Neck direction: femur voxels 1.2-2 radii from the centre, in the voxel box around that
  // shell; Math.hypot (the distance tested) only where the squared distance is not clearly
  // outside the shell (a relative 1e-9 covers the roundings of either).
  const [ax, ay, az, cnt] = neckSum(inside, rowAny, dims, ballBox(g.lpsToIjk, centre, 2.1 * radius, [i0, j0, k0], dims), m, [i0, j0, k0], zOf, centre, radius);
  let axis: Vec3 = [0, 0, 1];
  if (cnt > 0) {
    const dx = centre[0] - ax / cnt, dy = centre[1] - ay / cnt, dz = centre[2] - az / cnt;
    const len = Math.hypot(dx, dy, dz);
    if (len > 0) axis = [dx / len, dy / len, dz / len];
  }
  return { centerLps: fit.centerLps, radiusMm: fit.radiusMm + half, rmsResidualMm: fit.rmsResidualMm, capAxisLps: axis };
}

/**
 * The femur's voxels on its box (box origin `origin`, `dims`) of the label grid (`gridDims`: its ni,
 * nj): `inside` 1 on the femur, `sq` the depth transform's seeds (EDT_FAR on the femur, 0 elsewhere),
 * `rowAny` 1 for each row (j, k) holding a femur voxel. Its own function (as the other loops over a
 * box below): a hot loop in a small function is optimised on its first call without recompiling
 * the whole caller (the detection runs once per segmentation, cold).
 */
function femurMask(v: Uint8Array, label: number, gridDims: readonly [number, number, number], origin: readonly [number, number, number], dims: readonly [number, number, number], inside: Uint8Array, sq: Float32Array, rowAny: Uint8Array): void {
  const [gi, gj, gk] = gridDims;
  const [i0, j0, k0] = origin;
  const [ni, nj, nk] = dims;
  for (let k = 0, p = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const src = i0 + gi * (j + j0 + gj * (k + k0));
    for (let i = 0; i < ni; i++, p++) {
      const isF = v[src + i] === label;
      inside[p] = isF ? 1 : 0;
      // A femur voxel on the image's own edge is where the scan stops, not bone going on:
      // it is a seed like background, so a femur cut off by the field (a scan ending just
      // below the heads) is not deeper there than in the head.
      const atEdge = i + i0 === 0 || i + i0 === gi - 1 || j + j0 === 0 || j + j0 === gj - 1 || k + k0 === 0 || k + k0 === gk - 1;
      sq[p] = isF && !atEdge ? EDT_FAR : 0;
      if (isF) rowAny[j + nj * k] = 1;
    }
  }
}

/**
 * Index of the femur's deepest voxel (largest `sq`, the first in raster order among equals) whose z
 * is at least `zTop` - 70 mm; -1 when none is deeper than 0.
 */
function deepestVoxel(inside: Uint8Array, sq: Float32Array, rowAny: Uint8Array, dims: readonly [number, number, number], zPerRow: boolean, zOf: (i: number, j: number, k: number) => number, zTop: number): number {
  const [ni, nj, nk] = dims;
  let best = -1, bestD = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    if (!rowAny[j + nj * k] || (zPerRow && zOf(0, j, k) < zTop - 70)) continue;
    for (let i = 0, p = ni * (j + nj * k); i < ni; i++, p++) {
      if (!inside[p] || sq[p]! <= bestD) continue;
      if (!zPerRow && zOf(i, j, k) < zTop - 70) continue;
      best = p;
      bestD = sq[p]!;
    }
  }
  return best;
}

/**
 * The LPS coordinates (x, y, z in turn) of the femur's surface voxels (a 6-neighbour outside the
 * femur) of the voxel box `near` (inclusive) whose distance to `centre` is within 0.6 `radius` of
 * `radius`, in raster order.
 */
function surfaceNearBall(inside: Uint8Array, rowAny: Uint8Array, dims: readonly [number, number, number], near: readonly number[], lps: (i: number, j: number, k: number) => Vec3, centre: Readonly<Vec3>, radius: number): number[] {
  const [ni, nj, nk] = dims;
  const surf: number[] = [];
  for (let k = near[2]!; k <= near[5]!; k++) for (let j = near[1]!; j <= near[4]!; j++) {
    if (!rowAny[j + nj * k]) continue;
    for (let i = near[0]!, p = i + ni * (j + nj * k); i <= near[3]!; i++, p++) {
      if (!inside[p]) continue;
      // A 6-neighbour outside the femur makes a surface voxel. One outside the box is outside
      // the image (the box is a voxel wider than the femur elsewhere): the field's cut face is
      // not the bone's surface.
      const open =
        (i > 0 && !inside[p - 1]) || (i < ni - 1 && !inside[p + 1]) ||
        (j > 0 && !inside[p - ni]) || (j < nj - 1 && !inside[p + ni]) ||
        (k > 0 && !inside[p - ni * nj]) || (k < nk - 1 && !inside[p + ni * nj]);
      if (!open) continue;
      const q = lps(i, j, k);
      if (Math.abs(Math.hypot(q[0] - centre[0], q[1] - centre[1], q[2] - centre[2]) - radius) < radius * 0.6) surf.push(q[0], q[1], q[2]);
    }
  }
  return surf;
}

/**
 * Sums of the LPS coordinates and count of the femur voxels of the voxel box `shell` (inclusive)
 * 1.2 to 2 radii from `centre` (the neck): Math.hypot (the distance tested) only where the squared
 * distance is not clearly outside the shell (a relative 1e-9 covers the roundings of either).
 */
function neckSum(inside: Uint8Array, rowAny: Uint8Array, dims: readonly [number, number, number], shell: readonly number[], m: Float64Array, origin: readonly [number, number, number], zOf: (i: number, j: number, k: number) => number, centre: Readonly<Vec3>, radius: number): [number, number, number, number] {
  const [ni, nj] = dims;
  const [i0, j0, k0] = origin;
  let ax = 0, ay = 0, az = 0, cnt = 0;
  const lo2 = 1.44 * radius * radius * (1 - 1e-9), hi2 = 4 * radius * radius * (1 + 1e-9);
  for (let k = shell[2]!; k <= shell[5]!; k++) for (let j = shell[1]!; j <= shell[4]!; j++) {
    if (!rowAny[j + nj * k]) continue;
    for (let i = shell[0]!, p = i + ni * (j + nj * k); i <= shell[3]!; i++, p++) {
      if (!inside[p]) continue;
      const qx = m[0]! * (i + i0) + m[4]! * (j + j0) + m[8]! * (k + k0) + m[12]!;
      const qy = m[1]! * (i + i0) + m[5]! * (j + j0) + m[9]! * (k + k0) + m[13]!;
      const qz = zOf(i, j, k);
      const ex = qx - centre[0], ey = qy - centre[1], ez = qz - centre[2];
      const e2 = ex * ex + ey * ey + ez * ez;
      if (e2 < lo2 || e2 > hi2) continue;
      const d = Math.hypot(qx - centre[0], qy - centre[1], qz - centre[2]);
      if (d < 1.2 * radius || d > 2 * radius) continue;
      ax += qx; ay += qy; az += qz; cnt++;
    }
  }
  return [ax, ay, az, cnt];
}

/**
 * The voxel box (inclusive, in the coordinates of a box at `origin`, clamped to `dims`) that
 * holds every voxel within `reachMm` of `centerLps`: the ijk bounds of the corners of the
 * cube around that ball, one voxel wider for rounding.
 */
function ballBox(lpsToIjk: Float64Array, centerLps: Readonly<Vec3>, reachMm: number, origin: readonly [number, number, number], dims: readonly [number, number, number]): [number, number, number, number, number, number] {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const t = lpsToIjk;
  for (let corner = 0; corner < 8; corner++) {
    const x = centerLps[0] + (corner & 1 ? reachMm : -reachMm);
    const y = centerLps[1] + (corner & 2 ? reachMm : -reachMm);
    const z = centerLps[2] + (corner & 4 ? reachMm : -reachMm);
    for (let a = 0; a < 3; a++) {
      const c = t[a]! * x + t[4 + a]! * y + t[8 + a]! * z + t[12 + a]! - origin[a]!;
      if (c < lo[a]!) lo[a] = c;
      if (c > hi[a]!) hi[a] = c;
    }
  }
  const box: [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
  for (let a = 0; a < 3; a++) {
    box[a] = Math.max(0, Math.floor(lo[a]!) - 1);
    box[a + 3] = Math.min(dims[a]! - 1, Math.ceil(hi[a]!) + 1);
  }
  return box;
}

/**
 * Fills the femur's enclosed holes in the box (background 6-connected to no face of the box:
 * the box is a voxel wider than the femur except at the image's edge): a void in the label,
 * such as an implant's or its streaks', is inside the head, not its surface, and must not
 * make the head look shallow. Filled voxels become femur in `inside` and `sq` (EDT_FAR, or 0
 * on the image's edge like the femur there) and mark their row in `rowAny`.
 */
function fillEnclosed(inside: Uint8Array, sq: Float32Array, rowAny: Uint8Array, dims: readonly [number, number, number], origin: readonly [number, number, number], imageDims: readonly [number, number, number]): void {
  const [ni, nj, nk] = dims;
  const reached = reachFromFaces(inside, dims);
  for (let k = 0, p = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) {
    if (inside[p] || reached[p]) continue;
    inside[p] = 1;
    const atEdge = i + origin[0] === 0 || i + origin[0] === imageDims[0] - 1 || j + origin[1] === 0 || j + origin[1] === imageDims[1] - 1 || k + origin[2] === 0 || k + origin[2] === imageDims[2] - 1;
    sq[p] = atEdge ? 0 : EDT_FAR;
    rowAny[j + nj * k] = 1;
  }
}

/**
 * The voxels of a box (i fastest) that are not `solid` and are 6-connected through such voxels
 * to a face of the box: 1 in the result. A scanline flood: each popped seed is widened to its
 * run of free, unreached voxels along i, and every run of free, unreached voxels next to it in
 * the four neighbouring rows (j +- 1, k +- 1) gets one seed.
 */
export function reachFromFaces(solid: Uint8Array, dims: readonly [number, number, number]): Uint8Array {
  const [ni, nj, nk] = dims;
  const slice = ni * nj;
  const reached = new Uint8Array(ni * nj * nk);
  const stack: number[] = [];
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const row = ni * (j + nj * k);
    if (k === 0 || k === nk - 1 || j === 0 || j === nj - 1) {
      for (let i = 0; i < ni; i++) if (!solid[row + i]) stack.push(row + i);
    } else {
      if (!solid[row]) stack.push(row);
      if (!solid[row + ni - 1]) stack.push(row + ni - 1);
    }
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    if (reached[p]) continue;
    const rowIndex = Math.floor(p / ni);
    const row = rowIndex * ni;
    const j = rowIndex % nj, k = Math.floor(rowIndex / nj);
    let a = p, b = p;
    while (a > row && !solid[a - 1] && !reached[a - 1]) a--;
    while (b < row + ni - 1 && !solid[b + 1] && !reached[b + 1]) b++;
    reached.fill(1, a, b + 1);
    for (let side = 0; side < 4; side++) {
      const d = side === 0 ? -ni : side === 1 ? ni : side === 2 ? -slice : slice;
      if ((side === 0 && j === 0) || (side === 1 && j === nj - 1) || (side === 2 && k === 0) || (side === 3 && k === nk - 1)) continue;
      let inRun = false;
      for (let q = a + d; q <= b + d; q++) {
        const free = !solid[q] && !reached[q];
        if (free && !inRun) stack.push(q);
        inRun = free;
      }
    }
  }
  return reached;
}
