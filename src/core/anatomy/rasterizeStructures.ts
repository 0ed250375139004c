import type { Vec3 } from '../geometry/vec3';
import { pointSegmentDistanceSq } from '../geometry/segment';
import { LABELS } from '../shared/ids';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import { transformPoint, voxelCount } from '../volume/VolumeGeometry';
import type { CriticalStructures, JointSurfaceModel } from './structures';

/**
 * Display label values of the hip joint caps in a rasterised structure volume.
 * LABELS (shared/ids.ts) has no joint value (joints are models, never in the
 * label volumes we exchange), so these two live above its range and only in
 * volumes made here.
 */
export const JOINT_DISPLAY_LABELS = { jointLeft: 23, jointRight: 24 } as const;

/** Thickness of the rasterised joint cap shell, mm (the articular surface itself, for display). */
const JOINT_SHELL_MM = 1.5;

/**
 * Rasterises the critical-structure models onto a grid for display: the sacral
 * canal, each foramen channel and each root as the voxels whose centres lie
 * within the model's radius of its axis (LABELS values), and each joint's
 * articular cap as a thin shell (JOINT_DISPLAY_LABELS). Writes into `out`
 * (cleared first; allocated when absent) and returns it. Later structures
 * overwrite earlier ones where they overlap (canal, then roots, foramina, joints).
 * Cost: the bounding boxes of the models only.
 */
export function rasterizeStructures(geometry: VolumeGeometry, structures: CriticalStructures, out?: Uint8Array): Uint8Array {
  const n = voxelCount(geometry);
  const voxels = out ?? new Uint8Array(n);
  voxels.fill(0);
  const tube = (points: readonly Readonly<Vec3>[], radiusMm: number, label: number): void => {
    for (let s = 0; s + 1 < points.length; s++) capsule(geometry, voxels, points[s]!, points[s + 1]!, radiusMm, label);
    if (points.length === 1) capsule(geometry, voxels, points[0]!, points[0]!, radiusMm, label);
  };
  if (structures.sacralCanal) tube(structures.sacralCanal.centerlineLps, structures.sacralCanal.radiusMm, LABELS.sacralCanal);
  for (const r of structures.roots) tube(r.centerlineLps, r.radiusMm, LABELS[r.id]);
  for (const f of structures.foramina) {
    const back: Vec3 = [f.centerLps[0] - f.axisLps[0] * f.lengthMm, f.centerLps[1] - f.axisLps[1] * f.lengthMm, f.centerLps[2] - f.axisLps[2] * f.lengthMm];
    capsule(geometry, voxels, back, f.centerLps, f.radiusMm, LABELS[f.id]);
  }
  for (const j of structures.joints) jointCap(geometry, voxels, j, JOINT_DISPLAY_LABELS[j.id]);
  return voxels;
}

/** Voxel index box (inclusive, clamped) of the LPS axis-aligned box [lo, hi]. */
function ijkBox(geometry: VolumeGeometry, lo: Readonly<Vec3>, hi: Readonly<Vec3>): [number, number, number, number, number, number] | null {
  const [ni, nj, nk] = geometry.dims;
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  const p: Vec3 = [0, 0, 0];
  for (let c = 0; c < 8; c++) {
    transformPoint(p, geometry.lpsToIjk, [c & 1 ? hi[0] : lo[0], c & 2 ? hi[1] : lo[1], c & 4 ? hi[2] : lo[2]]);
    for (let a = 0; a < 3; a++) {
      if (p[a]! < min[a]!) min[a] = p[a]!;
      if (p[a]! > max[a]!) max[a] = p[a]!;
    }
  }
  const i0 = Math.max(0, Math.floor(min[0])), i1 = Math.min(ni - 1, Math.ceil(max[0]));
  const j0 = Math.max(0, Math.floor(min[1])), j1 = Math.min(nj - 1, Math.ceil(max[1]));
  const k0 = Math.max(0, Math.floor(min[2])), k1 = Math.min(nk - 1, Math.ceil(max[2]));
  if (i0 > i1 || j0 > j1 || k0 > k1) return null;
  return [i0, i1, j0, j1, k0, k1];
}

function forEachVoxelIn(geometry: VolumeGeometry, lo: Readonly<Vec3>, hi: Readonly<Vec3>, visit: (index: number, pLps: Vec3) => void): void {
  const box = ijkBox(geometry, lo, hi);
  if (!box) return;
  const [ni, nj] = geometry.dims;
  const m = geometry.ijkToLps;
  const p: Vec3 = [0, 0, 0];
  for (let k = box[4]; k <= box[5]; k++) {
    for (let j = box[2]; j <= box[3]; j++) {
      for (let i = box[0]; i <= box[1]; i++) {
        p[0] = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
        p[1] = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
        p[2] = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
        visit(i + ni * (j + nj * k), p);
      }
    }
  }
}

function capsule(geometry: VolumeGeometry, voxels: Uint8Array, a: Readonly<Vec3>, b: Readonly<Vec3>, radiusMm: number, label: number): void {
  const lo: Vec3 = [Math.min(a[0], b[0]) - radiusMm, Math.min(a[1], b[1]) - radiusMm, Math.min(a[2], b[2]) - radiusMm];
  const hi: Vec3 = [Math.max(a[0], b[0]) + radiusMm, Math.max(a[1], b[1]) + radiusMm, Math.max(a[2], b[2]) + radiusMm];
  const r2 = radiusMm * radiusMm;
  forEachVoxelIn(geometry, lo, hi, (index, p) => {
    if (pointSegmentDistanceSq(p, a, b) <= r2) voxels[index] = label;
  });
}

function jointCap(geometry: VolumeGeometry, voxels: Uint8Array, joint: JointSurfaceModel, label: number): void {
  const r = joint.radiusMm + JOINT_SHELL_MM;
  const c = joint.centerLps;
  const cosMax = Math.cos((joint.capHalfAngleDeg * Math.PI) / 180);
  const ax = joint.capAxisLps;
  forEachVoxelIn(geometry, [c[0] - r, c[1] - r, c[2] - r], [c[0] + r, c[1] + r, c[2] + r], (index, p) => {
    const dx = p[0] - c[0], dy = p[1] - c[1], dz = p[2] - c[2];
    const d = Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (d < 1e-9 || Math.abs(d - joint.radiusMm) > JOINT_SHELL_MM / 2) return;
    if ((dx * ax[0] + dy * ax[1] + dz * ax[2]) / d >= cosMax) voxels[index] = label;
  });
}
