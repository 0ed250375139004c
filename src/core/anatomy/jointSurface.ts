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

/**
 * Fits the joint surface of each femur in `labels` (LABELS.femurLeft / femurRight):
 * 1. the head centre is first guessed as the femur's deepest voxel (largest inside
 *    distance) in its upper 70 mm, the depth as the radius;
 * 2. surface voxels within 35 % of that radius of the sphere are fitted, then
 *    refitted with those within 2.5 mm of the fit (drops the neck and the fovea);
 * 3. the cap axis points from the neck (femur voxels 1.2 to 2 radii from the
 *    centre) towards the centre; the cap spans 100 degrees around it.
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
  let p = 0;
  for (let k = k0; k <= k1; k++) for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++, p++) {
    const isF = v[i + gi * (j + gj * k)] === label;
    inside[p] = isF ? 1 : 0;
    sq[p] = isF ? EDT_FAR : 0;
  }
  squaredDistanceInPlace(sq, dims, g.spacingMm);
  const lps = (i: number, j: number, k: number): Vec3 => [
    m[0]! * (i + i0) + m[4]! * (j + j0) + m[8]! * (k + k0) + m[12]!,
    m[1]! * (i + i0) + m[5]! * (j + j0) + m[9]! * (k + k0) + m[13]!,
    m[2]! * (i + i0) + m[6]! * (j + j0) + m[10]! * (k + k0) + m[14]!,
  ];
  // Upper 70 mm (superior = +z in LPS).
  let zTop = -Infinity;
  p = 0;
  // z of a voxel, the same expression as lps(i, j, k)[2] (no array per voxel).
  const zOf = (i: number, j: number, k: number): number => m[2]! * (i + i0) + m[6]! * (j + j0) + m[10]! * (k + k0) + m[14]!;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) if (inside[p]) zTop = Math.max(zTop, zOf(i, j, k));
  let best = -1, bestD = 0;
  p = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) {
    if (!inside[p] || sq[p]! <= bestD) continue;
    if (zOf(i, j, k) < zTop - 70) continue;
    best = p;
    bestD = sq[p]!;
  }
  if (best < 0) return null;
  const bi = best % ni, bj = Math.floor(best / ni) % nj, bk = Math.floor(best / (ni * nj));
  let centre = lps(bi, bj, bk);
  let radius = Math.sqrt(bestD);
  // Surface voxels (a 6-neighbour outside the femur).
  const surf: number[] = [];
  p = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) {
    if (!inside[p]) continue;
    if (inside[p - 1] && inside[p + 1] && inside[p - ni] && inside[p + ni] && inside[p - ni * nj] && inside[p + ni * nj]) continue;
    const q = lps(i, j, k);
    if (Math.abs(Math.hypot(q[0] - centre[0], q[1] - centre[1], q[2] - centre[2]) - radius) < radius * 0.6) surf.push(q[0], q[1], q[2]);
  }
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
  // Neck direction: femur voxels 1.2-2 radii from the centre.
  let ax = 0, ay = 0, az = 0, cnt = 0;
  p = 0;
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++, p++) {
    if (!inside[p]) continue;
    const qx = m[0]! * (i + i0) + m[4]! * (j + j0) + m[8]! * (k + k0) + m[12]!;
    const qy = m[1]! * (i + i0) + m[5]! * (j + j0) + m[9]! * (k + k0) + m[13]!;
    const qz = zOf(i, j, k);
    const d = Math.hypot(qx - centre[0], qy - centre[1], qz - centre[2]);
    if (d < 1.2 * radius || d > 2 * radius) continue;
    ax += qx; ay += qy; az += qz; cnt++;
  }
  let axis: Vec3 = [0, 0, 1];
  if (cnt > 0) {
    const dx = centre[0] - ax / cnt, dy = centre[1] - ay / cnt, dz = centre[2] - az / cnt;
    const len = Math.hypot(dx, dy, dz);
    if (len > 0) axis = [dx / len, dy / len, dz / len];
  }
  return { centerLps: fit.centerLps, radiusMm: fit.radiusMm + half, rmsResidualMm: fit.rmsResidualMm, capAxisLps: axis };
}
