import type { FieldSet } from '../fields/FieldSet';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import type { StructureId } from '../shared/ids';
import { allocVoxels } from '../volume/voxelBuffer';
import type { Volume } from '../volume/Volume';
import { PlannerError } from '../shared/errors';

/**
 * The planner's hot-path view of a {@link FieldSet}: three fields interleaved
 * in one Int16 buffer on the ROI grid (millimetres x {@link GRID_UNITS_PER_MM},
 * i.e. 1/32 mm steps, clamped to +/-1023 mm: 6 bytes a voxel), so that one
 * trilinear weight computation fetches all three (the search samples them
 * together millions of times per plan):
 *
 * - channel 0 `containment`: signed depth inside bone in mm, max(boneDepth, -lesion)
 *   (boneDepth or its override: the planner passes bone depth with the joint gaps closed).
 *   The lytic lesion counts as inside the bone envelope (a screw crosses it on
 *   purpose); positive inside, negative outside. max() of two signed distances
 *   is a lower bound of the distance to the union's surface: conservative.
 * - channel 1 `lesion`: signed distance to the lesion (negative inside); +FAR when there is none.
 * - channel 2 `critical`: unsigned distance to the nearest critical structure
 *   among those selected (min over their fields). Outside a structure's
 *   sub-box its value is `structureMarginMm`, a safe lower bound (FieldSet contract).
 *
 * Built once per field generation; plain data (it can be posted to a worker,
 * and is SharedArrayBuffer-backed when `shared`).
 */
export type PlannerGrid = {
  readonly geometry: VolumeGeometry;
  /** Interleaved channels, mm x GRID_UNITS_PER_MM. */
  readonly data: Int16Array;
  readonly generation: number;
  /** Structures folded into channel 2. */
  readonly structureIds: readonly StructureId[];
  /** Value used for `critical` where no structure field reaches. */
  readonly criticalFarMm: number;
};

export const GRID_CHANNELS = 3;
/** Fixed-point scale of the grid: 32 units per mm (resolution 0.03 mm, range +/-1023 mm). */
export const GRID_UNITS_PER_MM = 32;
/** Quantisation error of a grid value, mm (half a unit). */
export const GRID_QUANTUM_MM = 0.5 / GRID_UNITS_PER_MM;
const SCALE = 32;
const INV_SCALE = 1 / 32;

function quantize(mm: number): number {
  const q = Math.round(mm * SCALE);
  return q > 32767 ? 32767 : q < -32767 ? -32767 : q; // also clamps +/-Infinity
}
/** Stand-in for "very far" that stays finite in Float32 arithmetic. */
export const FAR_MM = 1e4;
/** Containment value reported outside the ROI grid: well outside bone. */
export const OUTSIDE_GRID_DEPTH_MM = -1e3;

/**
 * Builds the interleaved grid from a FieldSet. `structureIds` defaults to every
 * structure field present. Cost: one pass over the ROI plus one over each
 * structure sub-box.
 */
export function buildPlannerGrid(
  fields: FieldSet,
  options: {
    shared?: boolean;
    structureIds?: readonly StructureId[];
    /** Replaces boneDepth in channel 0 (e.g. bone depth with the sacroiliac joint gaps closed), same grid. */
    boneDepthOverride?: Volume<Float32Array>;
    /** Per-structure extra tolerance subtracted from its distance before the min (mm). */
    structureOffsetMm?: Partial<Record<StructureId, number>>;
  } = {},
): PlannerGrid {
  const geometry = fields.geometry;
  const [ni, nj, nk] = geometry.dims;
  const n = ni * nj * nk;
  const data = allocVoxels(Int16Array, n * GRID_CHANNELS, { shared: options.shared ?? false });
  const far = quantize(fields.structureMarginMm ?? FAR_MM);
  const bone = (options.boneDepthOverride ?? fields.boneDepth).voxels;
  if (bone.length !== n) throw new PlannerError('volume/mismatch', 'bone depth override is not on the field set grid');
  const lesion = fields.lesion ? fields.lesion.voxels : null;
  const criticalFarMm = fields.structureMarginMm ?? FAR_MM;
  for (let v = 0, o = 0; v < n; v++, o += 3) { // GRID_CHANNELS
    const b = bone[v]!;
    const l = lesion ? lesion[v]! : FAR_MM;
    data[o] = quantize(-l > b ? -l : b);
    data[o + 1] = quantize(l);
    data[o + 2] = far;
  }
  const ids = options.structureIds ?? (Object.keys(fields.structures) as StructureId[]);
  const used: StructureId[] = [];
  for (const id of ids) {
    const field = fields.structures[id];
    if (!field) continue;
    used.push(id);
    const g = field.geometry;
    // Sub-box placement: integer voxel offset of the field's origin in the ROI grid.
    const m = geometry.lpsToIjk;
    const ox = g.originLps[0], oy = g.originLps[1], oz = g.originLps[2];
    const i0 = Math.round(m[0]! * ox + m[4]! * oy + m[8]! * oz + m[12]!);
    const j0 = Math.round(m[1]! * ox + m[5]! * oy + m[9]! * oz + m[13]!);
    const k0 = Math.round(m[2]! * ox + m[6]! * oy + m[10]! * oz + m[14]!);
    const [si, sj, sk] = g.dims;
    const src = field.voxels;
    const offset = options.structureOffsetMm?.[id] ?? 0;
    // The sub-box's columns inside the ROI (the same voxels the per-voxel bounds test kept).
    const iFrom = Math.max(0, -i0), iTo = Math.min(si, ni - i0);
    for (let k = 0; k < sk; k++) {
      const kk = k + k0;
      if (kk < 0 || kk >= nk) continue;
      for (let j = 0; j < sj; j++) {
        const jj = j + j0;
        if (jj < 0 || jj >= nj) continue;
        const row = si * (j + sj * k);
        const base = (i0 + ni * (jj + nj * kk)) * 3 + 2; // GRID_CHANNELS = 3, channel 2
        for (let i = iFrom; i < iTo; i++) {
          const x = src[row + i]! - offset;
          // At or beyond the far value the channel keeps what it has (it starts at far and only decreases; quantize is
          // monotone): most of a full-ROI structure field is skipped without the rounding.
          if (x >= criticalFarMm) continue;
          const o = base + i * 3;
          const d = quantize(x);
          if (d < data[o]!) data[o] = d;
        }
      }
    }
  }
  return { geometry, data, generation: fields.generation, structureIds: used, criticalFarMm };
}

/**
 * Trilinear sample of the three channels at an LPS point, written to
 * out[0..2] (containment, lesion, critical). Outside the grid: well outside
 * bone, far from the lesion, `criticalFarMm`. Hot path: allocation-free.
 */
export function sampleGridLps(grid: PlannerGrid, x: number, y: number, z: number, out: Float64Array): void {
  const m = grid.geometry.lpsToIjk;
  const i = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
  const j = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
  const k = m[2]! * x + m[6]! * y + m[10]! * z + m[14]!;
  sampleGridIjk(grid, i, j, k, out);
}

/** As {@link sampleGridLps} at a continuous voxel index. */
export function sampleGridIjk(grid: PlannerGrid, i: number, j: number, k: number, out: Float64Array): void {
  const dims = grid.geometry.dims;
  const ni = dims[0], nj = dims[1], nk = dims[2];
  if (!(i >= 0 && j >= 0 && k >= 0 && i <= ni - 1 && j <= nj - 1 && k <= nk - 1) || ni < 2 || nj < 2 || nk < 2) {
    out[0] = -1e3; // OUTSIDE_GRID_DEPTH_MM
    out[1] = 1e4; // FAR_MM
    out[2] = grid.criticalFarMm;
    return;
  }
  let i0 = i | 0, j0 = j | 0, k0 = k | 0;
  if (i0 > ni - 2) i0 = ni - 2;
  if (j0 > nj - 2) j0 = nj - 2;
  if (k0 > nk - 2) k0 = nk - 2;
  const fi = i - i0, fj = j - j0, fk = k - k0;
  const gi = 1 - fi, gj = 1 - fj, gk = 1 - fk;
  const w000 = gi * gj * gk, w100 = fi * gj * gk, w010 = gi * fj * gk, w110 = fi * fj * gk;
  const w001 = gi * gj * fk, w101 = fi * gj * fk, w011 = gi * fj * fk, w111 = fi * fj * fk;
  // Three channels unrolled (GRID_CHANNELS = 3); module constants are read once (hot path).
  const sJ = ni * 3, sK = ni * nj * 3;
  const o = (i0 + ni * (j0 + nj * k0)) * 3;
  const d = grid.data;
  const a = o, b = o + 3, c = o + sJ, e = o + sJ + 3, f = o + sK, g = o + sK + 3, h = o + sK + sJ, q = o + sK + sJ + 3;
  out[0] = (w000 * d[a]! + w100 * d[b]! + w010 * d[c]! + w110 * d[e]! + w001 * d[f]! + w101 * d[g]! + w011 * d[h]! + w111 * d[q]!) * INV_SCALE;
  out[1] = (w000 * d[a + 1]! + w100 * d[b + 1]! + w010 * d[c + 1]! + w110 * d[e + 1]! + w001 * d[f + 1]! + w101 * d[g + 1]! + w011 * d[h + 1]! + w111 * d[q + 1]!) * INV_SCALE;
  out[2] = (w000 * d[a + 2]! + w100 * d[b + 2]! + w010 * d[c + 2]! + w110 * d[e + 2]! + w001 * d[f + 2]! + w101 * d[g + 2]! + w011 * d[h + 2]! + w111 * d[q + 2]!) * INV_SCALE;
}

/**
 * Samples the three channels at `count`-bounded steps i0 + s di (s = 0, 1, ...)
 * in voxel-index space into buf (3 values per sample), stopping after a run of
 * more than `gapSamples` samples outside the containment (channel 0 <= 0).
 * Returns the number of samples written. The same values as
 * {@link sampleGridIjk} at each point, bit for bit (same arithmetic), with the
 * grid's constants read once per march instead of once per sample: the
 * planner's search spends most of its time here.
 */
export function marchGridIjk(
  grid: PlannerGrid, i0: number, j0: number, k0: number, di: number, dj: number, dk: number,
  maxSamples: number, gapSamples: number, buf: Float64Array,
): number {
  const dims = grid.geometry.dims;
  const ni = dims[0], nj = dims[1], nk = dims[2];
  const d = grid.data;
  const outside = !(ni >= 2 && nj >= 2 && nk >= 2);
  const farCritical = grid.criticalFarMm;
  const iMax = ni - 1, jMax = nj - 1, kMax = nk - 1;
  const sJ = ni * 3, sK = ni * nj * 3;
  let outsideRun = 0;
  let s = 0;
  for (; s < maxSamples; s++) {
    const i = i0 + di * s, j = j0 + dj * s, k = k0 + dk * s;
    const o3 = s * 3;
    let c0: number;
    if (outside || !(i >= 0 && j >= 0 && k >= 0 && i <= iMax && j <= jMax && k <= kMax)) {
      c0 = -1e3; // OUTSIDE_GRID_DEPTH_MM
      buf[o3] = c0;
      buf[o3 + 1] = 1e4; // FAR_MM
      buf[o3 + 2] = farCritical;
    } else {
      let a0 = i | 0, b0 = j | 0, e0 = k | 0;
      if (a0 > ni - 2) a0 = ni - 2;
      if (b0 > nj - 2) b0 = nj - 2;
      if (e0 > nk - 2) e0 = nk - 2;
      const fi = i - a0, fj = j - b0, fk = k - e0;
      const gi = 1 - fi, gj = 1 - fj, gk = 1 - fk;
      const w000 = gi * gj * gk, w100 = fi * gj * gk, w010 = gi * fj * gk, w110 = fi * fj * gk;
      const w001 = gi * gj * fk, w101 = fi * gj * fk, w011 = gi * fj * fk, w111 = fi * fj * fk;
      const a = (a0 + ni * (b0 + nj * e0)) * 3;
      const b = a + 3, c = a + sJ, e = a + sJ + 3, f = a + sK, g = a + sK + 3, h = a + sK + sJ, q = a + sK + sJ + 3;
      c0 = (w000 * d[a]! + w100 * d[b]! + w010 * d[c]! + w110 * d[e]! + w001 * d[f]! + w101 * d[g]! + w011 * d[h]! + w111 * d[q]!) * INV_SCALE;
      buf[o3] = c0;
      buf[o3 + 1] = (w000 * d[a + 1]! + w100 * d[b + 1]! + w010 * d[c + 1]! + w110 * d[e + 1]! + w001 * d[f + 1]! + w101 * d[g + 1]! + w011 * d[h + 1]! + w111 * d[q + 1]!) * INV_SCALE;
      buf[o3 + 2] = (w000 * d[a + 2]! + w100 * d[b + 2]! + w010 * d[c + 2]! + w110 * d[e + 2]! + w001 * d[f + 2]! + w101 * d[g + 2]! + w011 * d[h + 2]! + w111 * d[q + 2]!) * INV_SCALE;
    }
    if (c0 > 0) outsideRun = 0;
    else if (++outsideRun > gapSamples) return s + 1;
  }
  return s;
}
