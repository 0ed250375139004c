import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { transformPoint, voxelVolumeMm3 } from '../volume/VolumeGeometry';

/**
 * Label-volume edits as compact diffs (voxel indices with the values before and
 * after), an undo/redo history of them, the sphere brush and eraser, and
 * measurements of a labelled region (volume in mL, principal diameters in mm).
 * Edits are applied in place to `labels.voxels` and bump `labels.generation`.
 */

/** One reversible edit: at `indices[n]` the label went from `before[n]` to `after[n]`. Plain data. */
export type LabelEdit = {
  readonly label: string;
  readonly indices: Int32Array;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
};

/** Builds an edit by writing `value` at each index where `accept(index, current)` holds; applies it. */
export function applyNewEdit(labels: Volume<Uint8Array>, label: string, candidates: Iterable<number> | Int32Array, value: number): LabelEdit {
  const v = labels.voxels;
  const idx: number[] = [];
  const before: number[] = [];
  for (const t of candidates as Iterable<number>) {
    const old = v[t]!;
    if (old === value) continue;
    idx.push(t);
    before.push(old);
    v[t] = value;
  }
  labels.generation++;
  return { label, indices: Int32Array.from(idx), before: Uint8Array.from(before), after: new Uint8Array(idx.length).fill(value) };
}

/**
 * Voxels gained (+) and lost (-) per label by applying an edit (`direction` 1) or undoing it (-1),
 * labels with no net change left out.
 */
export function editLabelDelta(edit: LabelEdit, direction: 1 | -1 = 1): Map<number, number> {
  const d = new Float64Array(256);
  for (let n = 0; n < edit.indices.length; n++) {
    d[edit.after[n]!]! += direction;
    d[edit.before[n]!]! -= direction;
  }
  const out = new Map<number, number>();
  for (let l = 0; l < 256; l++) if (d[l] !== 0) out.set(l, d[l]!);
  return out;
}

/** Re-applies an edit (redo). */
export function redoEdit(labels: Volume<Uint8Array>, edit: LabelEdit): void {
  const v = labels.voxels;
  for (let n = 0; n < edit.indices.length; n++) v[edit.indices[n]!] = edit.after[n]!;
  labels.generation++;
}

/** Reverts an edit (undo). */
export function undoEdit(labels: Volume<Uint8Array>, edit: LabelEdit): void {
  const v = labels.voxels;
  for (let n = edit.indices.length - 1; n >= 0; n--) v[edit.indices[n]!] = edit.before[n]!;
  labels.generation++;
}

/** Undo/redo stack of edits on one label volume. */
export type LabelHistory = {
  push(edit: LabelEdit): void;
  /** Reverts the last edit; returns it, or null when there is nothing to undo. */
  undo(): LabelEdit | null;
  redo(): LabelEdit | null;
  readonly depth: { undo: number; redo: number };
  /** Total voxels held by the diffs (memory is about 6 bytes each). */
  readonly storedVoxels: number;
};

export function createLabelHistory(labels: Volume<Uint8Array>, maxEdits = 100): LabelHistory {
  const done: LabelEdit[] = [];
  const undone: LabelEdit[] = [];
  return {
    push(edit) {
      if (edit.indices.length === 0) return;
      done.push(edit);
      if (done.length > maxEdits) done.shift();
      undone.length = 0;
    },
    undo() {
      const e = done.pop();
      if (!e) return null;
      undoEdit(labels, e);
      undone.push(e);
      return e;
    },
    redo() {
      const e = undone.pop();
      if (!e) return null;
      redoEdit(labels, e);
      done.push(e);
      return e;
    },
    get depth() {
      return { undo: done.length, redo: undone.length };
    },
    get storedVoxels() {
      let s = 0;
      for (const e of done) s += e.indices.length;
      for (const e of undone) s += e.indices.length;
      return s;
    },
  };
}

/** Indices of the voxels whose centres lie within `radiusMm` of `centerLps`. */
export function sphereVoxelIndices(labels: Volume<Uint8Array>, centerLps: Readonly<Vec3>, radiusMm: number): Int32Array {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  const c = transformPoint([0, 0, 0], g.lpsToIjk, centerLps);
  const ri = radiusMm / g.spacingMm[0], rj = radiusMm / g.spacingMm[1], rk = radiusMm / g.spacingMm[2];
  const out: number[] = [];
  const m = g.ijkToLps;
  const r2 = radiusMm * radiusMm;
  for (let k = Math.max(0, Math.floor(c[2] - rk - 1)); k <= Math.min(nk - 1, Math.ceil(c[2] + rk + 1)); k++) {
    for (let j = Math.max(0, Math.floor(c[1] - rj - 1)); j <= Math.min(nj - 1, Math.ceil(c[1] + rj + 1)); j++) {
      for (let i = Math.max(0, Math.floor(c[0] - ri - 1)); i <= Math.min(ni - 1, Math.ceil(c[0] + ri + 1)); i++) {
        const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]! - centerLps[0];
        const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]! - centerLps[1];
        const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]! - centerLps[2];
        if (x * x + y * y + z * z <= r2) out.push(i + ni * (j + nj * k));
      }
    }
  }
  return Int32Array.from(out);
}

export type BrushOptions = {
  /** Label painted by 'add' and removed by 'erase'. */
  label: number;
  /** 'add' paints `label`; 'erase' removes it (restoring `restoreLabel`). */
  mode: 'add' | 'erase';
  /** With 'add': only voxels whose current label is in this set are painted (e.g. bone + background near bone). Default: all. */
  paintOver?: readonly number[];
  /** With 'erase': the label written back. Default: the most frequent other non-zero label within twice the radius + 2 mm, else 0. */
  restoreLabel?: number;
};

/**
 * Sphere brush or eraser of `radiusMm` at `centerLps` on the label volume, in
 * place; returns the edit (push it on a {@link LabelHistory} to make it undoable).
 */
export function paintSphere(labels: Volume<Uint8Array>, centerLps: Readonly<Vec3>, radiusMm: number, options: BrushOptions): LabelEdit {
  if (!(radiusMm > 0) || !Number.isFinite(radiusMm)) throw new PlannerError('segmentation/bad-input', `brush radius ${radiusMm} mm must be positive`);
  const v = labels.voxels;
  const inSphere = sphereVoxelIndices(labels, centerLps, radiusMm);
  if (options.mode === 'add') {
    const allowed = options.paintOver ? new Set(options.paintOver) : null;
    const chosen = allowed ? Array.from(inSphere).filter((t) => allowed.has(v[t]!)) : inSphere;
    return applyNewEdit(labels, `brush +${radiusMm} mm`, chosen, options.label);
  }
  let restore = options.restoreLabel;
  if (restore === undefined) {
    const counts = new Float64Array(256);
    for (const t of sphereVoxelIndices(labels, centerLps, 2 * radiusMm + 2)) counts[v[t]!]!++;
    counts[0] = 0;
    counts[options.label] = 0;
    let best = 0;
    for (let l = 1; l < 256; l++) if (counts[l]! > counts[best]!) best = l;
    restore = best;
  }
  const chosen = Array.from(inSphere).filter((t) => v[t] === options.label);
  return applyNewEdit(labels, `eraser ${radiusMm} mm`, chosen, restore);
}

/** How far from the brush the bone brush looks for the part it extends (beyond its radius), mm. */
export const BONE_BRUSH_REACH_MM = 10;

export type BoneBrushResult = {
  edit: LabelEdit;
  /** The bone part painted ('add'), or null for the eraser (it removes every bone part). */
  partLabel: number | null;
  /** Voxels changed per bone part label: + added, - removed. */
  changedByPart: Map<number, number>;
};

/**
 * The bone brush: corrects the automatic bone labels where the threshold missed bone (fatty
 * marrow, a thin cortex at coarse resolution) or took something that is not bone.
 * - 'add' extends the bone part nearest to the centre (within `radiusMm + BONE_BRUSH_REACH_MM`),
 *   painting background voxels only (never the lesion, a structure or another part).
 *   No bone part within reach: `segmentation/bad-seed` (start next to the bone to extend).
 * - 'erase' sets every bone-part voxel in the sphere to background (never the lesion or a structure).
 * In place; push the edit on a {@link LabelHistory} to make it undoable.
 */
export function paintBone(labels: Volume<Uint8Array>, centerLps: Readonly<Vec3>, radiusMm: number, mode: 'add' | 'erase', boneLabels: readonly number[]): BoneBrushResult {
  if (!(radiusMm > 0) || !Number.isFinite(radiusMm)) throw new PlannerError('segmentation/bad-input', `brush radius ${radiusMm} mm must be positive`);
  const v = labels.voxels;
  const isBone = new Uint8Array(256);
  for (const l of boneLabels) isBone[l] = 1;
  const inSphere = sphereVoxelIndices(labels, centerLps, radiusMm);
  const changedByPart = new Map<number, number>();
  if (mode === 'erase') {
    const chosen: number[] = [];
    for (const t of inSphere) {
      const l = v[t]!;
      if (!isBone[l]) continue;
      chosen.push(t);
      changedByPart.set(l, (changedByPart.get(l) ?? 0) - 1);
    }
    return { edit: applyNewEdit(labels, `bone eraser ${radiusMm} mm`, chosen, 0), partLabel: null, changedByPart };
  }
  // The part of the bone voxel nearest to the centre (ties: the first in index order).
  const g = labels.geometry;
  const [ni, nj] = g.dims;
  const m = g.ijkToLps;
  let part = -1;
  let best = Infinity;
  for (const t of sphereVoxelIndices(labels, centerLps, radiusMm + BONE_BRUSH_REACH_MM)) {
    if (!isBone[v[t]!]) continue;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
    const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]! - centerLps[0];
    const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]! - centerLps[1];
    const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]! - centerLps[2];
    const d2 = x * x + y * y + z * z;
    if (d2 < best) {
      best = d2;
      part = v[t]!;
    }
  }
  if (part < 0) {
    throw new PlannerError('segmentation/bad-seed', `no bone within ${BONE_BRUSH_REACH_MM} mm of the bone brush: it extends the nearest bone part; start painting next to the bone`);
  }
  const chosen: number[] = [];
  for (const t of inSphere) if (v[t] === 0) chosen.push(t);
  if (chosen.length > 0) changedByPart.set(part, chosen.length);
  return { edit: applyNewEdit(labels, `bone brush +${radiusMm} mm`, chosen, part), partLabel: part, changedByPart };
}

export type RegionMeasure = {
  voxelCount: number;
  volumeMl: number;
  centroidLps: Vec3;
  /** Extents along the three principal axes, largest first, mm (voxel centres + one voxel). */
  diametersMm: [number, number, number];
  /** Unit principal axes (LPS), in the order of `diametersMm`. */
  axesLps: [Vec3, Vec3, Vec3];
};

/** Voxel box [lo, hi) in (i, j, k). */
export type IjkBox = { lo: readonly [number, number, number]; hi: readonly [number, number, number] };

/**
 * Volume, centroid and principal diameters of the voxels labelled `label`; null when there is none.
 * With `within`, only that box is scanned: the caller guarantees that no voxel of `label` lies
 * outside it (the voxels are visited in the same index order, so the figures are identical to a
 * scan of the whole volume, only cheaper).
 */
export function measureLabel(labels: Volume<Uint8Array>, label: number, within?: IjkBox): RegionMeasure | null {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  const v = labels.voxels;
  const m = g.ijkToLps;
  let n = 0, sx = 0, sy = 0, sz = 0, sxx = 0, syy = 0, szz = 0, sxy = 0, sxz = 0, syz = 0;
  const pts: number[] = [];
  const i0 = within ? Math.max(0, within.lo[0]) : 0, j0 = within ? Math.max(0, within.lo[1]) : 0, k0 = within ? Math.max(0, within.lo[2]) : 0;
  const i1 = within ? Math.min(ni, within.hi[0]) : ni, j1 = within ? Math.min(nj, within.hi[1]) : nj, k1 = within ? Math.min(nk, within.hi[2]) : nk;
  const add = (i: number, j: number, k: number) => {
    const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
    const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
    const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
    n++;
    sx += x; sy += y; sz += z;
    sxx += x * x; syy += y * y; szz += z * z; sxy += x * y; sxz += x * z; syz += y * z;
    pts.push(x, y, z);
  };
  if (i0 === 0 && j0 === 0 && k0 === 0 && i1 === ni && j1 === nj && k1 === nk) {
    // The whole grid: jump from one voxel of the label to the next with the native search (a
    // full-size grid without the label, e.g. after the bone segmentation, is one fast scan);
    // the same voxels in the same raster order as the loop below.
    const nij = ni * nj;
    for (let t = v.indexOf(label); t >= 0; t = v.indexOf(label, t + 1)) {
      const i = t % ni, j = ((t - i) / ni) % nj;
      add(i, j, (t - i - ni * j) / nij);
    }
  } else {
    for (let k = k0; k < k1; k++) for (let j = j0; j < j1; j++) for (let i = i0, t = i0 + ni * (j + nj * k); i < i1; i++, t++) {
      if (v[t] === label) add(i, j, k);
    }
  }
  if (n === 0) return null;
  const cx = sx / n, cy = sy / n, cz = sz / n;
  const cov = [
    sxx / n - cx * cx, sxy / n - cx * cy, sxz / n - cx * cz,
    sxy / n - cx * cy, syy / n - cy * cy, syz / n - cy * cz,
    sxz / n - cx * cz, syz / n - cy * cz, szz / n - cz * cz,
  ];
  const axes = symmetricEigenvectors(cov);
  const ext: { d: number; a: Vec3 }[] = axes.map((a) => {
    let lo = Infinity, hi = -Infinity;
    for (let p = 0; p < pts.length; p += 3) {
      const s = (pts[p]! - cx) * a[0] + (pts[p + 1]! - cy) * a[1] + (pts[p + 2]! - cz) * a[2];
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    // One voxel's extent along the axis: voxel centres span one voxel less than the region.
    const vox = Math.abs(a[0]) * g.spacingMm[0] + Math.abs(a[1]) * g.spacingMm[1] + Math.abs(a[2]) * g.spacingMm[2];
    return { d: hi - lo + vox, a };
  });
  ext.sort((p, q) => q.d - p.d);
  return {
    voxelCount: n,
    volumeMl: (n * voxelVolumeMm3(g)) / 1000,
    centroidLps: [cx, cy, cz],
    diametersMm: [ext[0]!.d, ext[1]!.d, ext[2]!.d],
    axesLps: [ext[0]!.a, ext[1]!.a, ext[2]!.a],
  };
}

/** Eigenvectors (unit, as columns) of a symmetric 3x3 (row-major) by cyclic Jacobi rotations. */
export function symmetricEigenvectors(a: number[]): [Vec3, Vec3, Vec3] {
  const A = a.slice();
  const V = [1, 0, 0, 0, 1, 0, 0, 0, 1];
  for (let sweep = 0; sweep < 50; sweep++) {
    const off = Math.abs(A[1]!) + Math.abs(A[2]!) + Math.abs(A[5]!);
    if (off < 1e-12 * (Math.abs(A[0]!) + Math.abs(A[4]!) + Math.abs(A[8]!) + 1e-300)) break;
    for (const [p, q] of [[0, 1], [0, 2], [1, 2]] as const) {
      const apq = A[3 * p + q]!;
      if (Math.abs(apq) < 1e-300) continue;
      const app = A[3 * p + p]!, aqq = A[3 * q + q]!;
      const theta = (aqq - app) / (2 * apq);
      const tt = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(tt * tt + 1), s = tt * c;
      for (let k = 0; k < 3; k++) {
        const akp = A[3 * k + p]!, akq = A[3 * k + q]!;
        A[3 * k + p] = c * akp - s * akq;
        A[3 * k + q] = s * akp + c * akq;
      }
      for (let k = 0; k < 3; k++) {
        const apk = A[3 * p + k]!, aqk = A[3 * q + k]!;
        A[3 * p + k] = c * apk - s * aqk;
        A[3 * q + k] = s * apk + c * aqk;
      }
      for (let k = 0; k < 3; k++) {
        const vkp = V[3 * k + p]!, vkq = V[3 * k + q]!;
        V[3 * k + p] = c * vkp - s * vkq;
        V[3 * k + q] = s * vkp + c * vkq;
      }
    }
  }
  return [
    [V[0]!, V[3]!, V[6]!],
    [V[1]!, V[4]!, V[7]!],
    [V[2]!, V[5]!, V[8]!],
  ];
}
