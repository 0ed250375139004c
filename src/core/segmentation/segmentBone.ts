import type { Vec3 } from '../geometry/vec3';
import type { BonePartId } from '../shared/ids';
import { LABELS } from '../shared/ids';
import { PlannerError } from '../shared/errors';
import type { VoxelBox } from '../fields/distanceTransform';
import { allocEdtGrid } from '../fields/distanceTransform';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import { transformPoint, voxelVolumeMm3 } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';
import { allocVoxels } from '../volume/voxelBuffer';
import type { ComponentRuns } from './connectedComponents';
import { computeComponentRuns, writeComponentLabels } from './connectedComponents';
import { dilate6, fillHoles } from './morphology';
import type { BoneThresholds } from './thresholds';
import { BONE_THRESHOLD_HISTOGRAM, computeBoneThresholds } from './thresholds';
import { detectReconstructionFov, flattenFovShading, measureFovShading } from './segmentBoneFov';
import { fillPartsByClosing, fillSacralMarrow, marrowClosingRadiusMm } from './segmentBoneMarrow';
import { carveFusedFemoralHeads } from './segmentBoneJoints';
import { recutSacroiliacJoints, splitSacroiliacJoints } from './segmentBoneSacroiliac';
import { giveDetachedHipPiecesToSacrum, giveLowerSacrumItsSegments, giveLumbarArchesAboveSacrumBack } from './segmentBoneSacrum';
import { splitPubicSymphysis } from './segmentBonePubis';
import { isFieldCutHeadSphere, surelyNotFieldCutHead, surfaceOfRunComponent } from './segmentBoneCap';
import { acceptHipSplit, isFemurOfStats, searchSplit, writePieces, type PieceSums, statsOfRuns, statsOfSums, type ComponentStats, type Dims, type HipSplitRule, type SplitFound, type SplitJob, type SplitValidate } from './segmentBoneSplit';
import { canShareBoneSlabs, componentRunsOf, mergeSliceBoxes, runBoneSlabs, runBoneSlabTask, sharedHistogram, sharedWriteRunLabels, shareRuns, squaredDistanceAfterFirstPass, type SharedRuns } from './segmentBoneSlabs';

/**
 * Automatic bone segmentation of a pelvic CT or CBCT:
 * 0. on a CBCT whose reconstructed field cuts the body, the radial shading (cupping, the
 *    truncation band along the field's edge) is measured on the soft tissue ring by ring
 *    and subtracted ({@link flattenFovShading}); CTs are untouched;
 * 1. thresholds from the image's own histogram ({@link computeBoneThresholds});
 * 2. crop to the bone's bounding box, drop the table and small calcifications
 *    by connected components (size and plate shape);
 * 3. fill the trabecular interior and the medullary canals: 3D hole filling after
 *    a one-voxel closing, with the first and last slice not counting as outside
 *    (a femur cut by the field of view is still a closed tube);
 * 4. label the parts (sacrum, hip bones, femurs, L5) from their connected
 *    components, classified in the pelvis's own frame (midline from the bone's
 *    centroid, superior = +z); a component that holds two parts (bridged joint)
 *    is split at its narrowest neck by erosion of the inside distance, and the
 *    pieces grown back geodesically; a stack of vertebrae in one component is cut at its
 *    lowest disc (L5 below, the vertebrae above not labelled);
 * 5. on coarse images (voxels larger than the thickest cortex, e.g. 3 mm) each labelled part
 *    is closed on its own and what its closing encloses is added (segmentBoneMarrow.ts): the
 *    partial-volumed cortex no longer encloses the marrow there.
 */

export type BoneSegmentationOptions = {
  /** Allocate the label volume on a SharedArrayBuffer. */
  shared?: boolean;
  /** Components smaller than this are dropped as calcifications or noise. Default 2 mL. */
  minComponentMl?: number;
  /** Parts smaller than this are not labelled. Default 8 mL. */
  minPartMl?: number;
  /** Precomputed thresholds (else from the histogram). */
  thresholds?: BoneThresholds;
  /** Id of the label volume. */
  id?: string;
};

export type BonePartSummary = {
  id: BonePartId;
  label: number;
  volumeMl: number;
  centroidLps: Vec3;
};

export type BoneSegmentation = {
  /** Label volume on the CT grid (LABELS values of bone parts; 0 elsewhere). */
  labels: Volume<Uint8Array>;
  /** Box of the CT grid that holds all labelled bone. */
  box: VoxelBox;
  thresholds: BoneThresholds;
  parts: BonePartSummary[];
  /** Data-level remarks for the UI ("no femur found on the left", "joint bridged: split by erosion at 2 mm"). */
  notes: string[];
  /** Voxels of `labels` per label value (index 0..255; 0 itself not counted), as written. */
  voxelsPerLabel: Float64Array;
};

const PART_LABEL: Record<BonePartId, number> = {
  sacrum: LABELS.sacrum,
  hipLeft: LABELS.hipLeft,
  hipRight: LABELS.hipRight,
  femurLeft: LABELS.femurLeft,
  femurRight: LABELS.femurRight,
  l5: LABELS.l5,
};


/** Copies `(ct >= threshold)` on `box` into a dense mask. */
function thresholdCrop(ct: Volume<VoxelArray>, box: VoxelBox, threshold: number): Uint8Array {
  const [gi, gj] = ct.geometry.dims;
  const ni = box.max[0] - box.min[0], nj = box.max[1] - box.min[1], nk = box.max[2] - box.min[2];
  const out = new Uint8Array(ni * nj * nk);
  const v = ct.voxels;
  let p = 0;
  for (let k = box.min[2]; k < box.max[2]; k++) {
    for (let j = box.min[1]; j < box.max[1]; j++) {
      const q0 = box.min[0] + gi * (j + gj * k);
      for (let i = 0; i < ni; i++, p++) out[p] = v[q0 + i]! >= threshold ? 1 : 0;
    }
  }
  return out;
}

/**
 * Bounding box of voxels >= threshold; null if none: the slice-by-slice scan of the helper path
 * (segmentBoneSlabs.ts) run over every slice here, then merged.
 */
function thresholdBox(ct: Volume<VoxelArray>, threshold: number): VoxelBox | null {
  const [ni, nj, nk] = ct.geometry.dims;
  const out = new Int32Array(4 * nk);
  runBoneSlabTask({ kind: 'thresholdBox', voxels: ct.voxels, dims: [ni, nj, nk], threshold, out }, 0, nk);
  return mergeSliceBoxes(out, nk);
}

/** {@link thresholdBox} slice by slice on this thread and the EDT helper (the CT on shared memory): the same box. */
function sharedThresholdBox(ct: Volume<VoxelArray>, threshold: number): VoxelBox | null {
  const [ni, nj, nk] = ct.geometry.dims;
  const out = allocVoxels(Int32Array, 4 * nk, { shared: true });
  // 16 chunks: the slices of a chunk share their running box (fewer voxels read, as in one pass).
  runBoneSlabs({ kind: 'thresholdBox', voxels: ct.voxels, dims: [ni, nj, nk], threshold, out }, nk, ni * nj * nk, Math.max(1, Math.ceil(nk / 16)));
  return mergeSliceBoxes(out, nk);
}

/** {@link thresholdCrop} slice by slice on this thread and the EDT helper, into a mask on shared memory: the same bytes. */
function sharedThresholdCrop(ct: Volume<VoxelArray>, box: VoxelBox, threshold: number): Uint8Array {
  const [gi, gj] = ct.geometry.dims;
  const nk = box.max[2] - box.min[2];
  const n = (box.max[0] - box.min[0]) * (box.max[1] - box.min[1]) * nk;
  const out = allocVoxels(Uint8Array, n, { shared: true });
  runBoneSlabs({ kind: 'thresholdCrop', voxels: ct.voxels, gridDims: [gi, gj], box: { min: [...box.min], max: [...box.max] }, threshold, out }, nk, n);
  return out;
}

/**
 * morphology.ts {@link dilate6} slice by slice on this thread and the EDT helper (`mask` on shared
 * memory), into a new mask on shared memory: the same bytes. Chunks of about 16 slices (each chunk
 * reads the runs of the slices next to it too).
 */
function sharedDilate6(mask: Uint8Array, dims: Dims): Uint8Array {
  const out = allocVoxels(Uint8Array, mask.length, { shared: true });
  runBoneSlabs({ kind: 'dilate6', mask, dims: [dims[0], dims[1], dims[2]], out }, dims[2], mask.length, Math.max(1, Math.ceil(dims[2] / 16)));
  return out;
}

/**
 * Per-component centroid and LPS extents for components `firstId..count` of `labels` on the
 * crop grid. `within` (inclusive ijk box [i0, j0, k0, i1, j1, k1]) limits the scan when every
 * voxel of those components is known to lie in it (pieces of a split component): the sums are
 * of integers (exact in float64), so the figures are the same as from a full scan.
 */
function componentStats(labels: Int32Array, dims: Dims, count: number, cropToLps: Float64Array, voxelMl: number, firstId = 1, within?: ArrayLike<number>, offset?: readonly number[]): ComponentStats[] {
  const [ni, nj, nk] = dims;
  const n = new Float64Array(count + 1);
  const si = new Float64Array(count + 1), sj = new Float64Array(count + 1), sk = new Float64Array(count + 1);
  // Index-space bounds (the LPS extents are the transformed box corners: exact for grids
  // aligned with LPS up to axis flips, a slight over-estimate for oblique ones).
  const lo = new Int32Array(3 * (count + 1)).fill(0x7fffffff);
  const hi = new Int32Array(3 * (count + 1)).fill(-1);
  const i0 = within ? within[0]! : 0, j0 = within ? within[1]! : 0, k0 = within ? within[2]! : 0;
  const i1 = within ? within[3]! + 1 : ni, j1 = within ? within[4]! + 1 : nj, k1 = within ? within[5]! + 1 : nk;
  for (let k = k0; k < k1; k++) {
    for (let j = j0; j < j1; j++) {
      let t = i0 + ni * (j + nj * k);
      for (let i = i0; i < i1; i++, t++) {
        const c = labels[t]!;
        if (c < firstId) continue;
        n[c]!++;
        si[c]! += i;
        sj[c]! += j;
        sk[c]! += k;
        const o = 3 * c;
        if (i < lo[o]!) lo[o] = i;
        if (i > hi[o]!) hi[o] = i;
        if (j < lo[o + 1]!) lo[o + 1] = j;
        if (j > hi[o + 1]!) hi[o + 1] = j;
        if (k < lo[o + 2]!) lo[o + 2] = k;
        if (k > hi[o + 2]!) hi[o + 2] = k;
      }
    }
  }
  const sums = new Float64Array(3 * (count + 1));
  const boxes = new Int32Array(6 * (count + 1));
  for (let c = firstId; c <= count; c++) {
    sums[3 * c] = si[c]!;
    sums[3 * c + 1] = sj[c]!;
    sums[3 * c + 2] = sk[c]!;
    boxes.set([lo[3 * c]!, lo[3 * c + 1]!, lo[3 * c + 2]!, hi[3 * c]!, hi[3 * c + 1]!, hi[3 * c + 2]!], 6 * c);
  }
  return statsOfSums(n, sums, boxes, count, cropToLps, voxelMl, firstId, offset);
}

/**
 * Inclusive ijk bounding box of label `id` in the crop, in the layout of {@link Components.boxes} at offset 6 * id.
 * Scans `within` (a box known to hold every voxel of `id`, e.g. its stats' `ijk`) only.
 */
function boxesOf(labels: Int32Array, dims: Dims, id: number, within?: ArrayLike<number>): Int32Array {
  const [ni, nj, nk] = dims;
  let i0 = ni, j0 = nj, k0 = nk, i1 = -1, j1 = -1, k1 = -1;
  const a0 = within ? within[0]! : 0, b0 = within ? within[1]! : 0, c0 = within ? within[2]! : 0;
  const a1 = within ? within[3]! + 1 : ni, b1 = within ? within[4]! + 1 : nj, c1 = within ? within[5]! + 1 : nk;
  for (let k = c0; k < c1; k++) for (let j = b0; j < b1; j++) for (let i = a0, t = a0 + ni * (j + nj * k); i < a1; i++, t++) {
    if (labels[t] !== id) continue;
    if (i < i0) i0 = i;
    if (i > i1) i1 = i;
    if (j < j0) j0 = j;
    if (j > j1) j1 = j;
    if (k < k0) k0 = k;
    if (k > k1) k1 = k;
  }
  const out = new Int32Array(6 * (id + 1));
  out.set([i0, j0, k0, i1, j1, k1], 6 * id);
  return out;
}

/** Composes the ijk->LPS matrix of a crop that starts at `box.min`. */
function cropMatrix(ct: Volume<VoxelArray>, box: VoxelBox): Float64Array {
  const m = new Float64Array(ct.geometry.ijkToLps);
  const o = transformPoint([0, 0, 0], ct.geometry.ijkToLps, [box.min[0], box.min[1], box.min[2]]);
  m[12] = o[0];
  m[13] = o[1];
  m[14] = o[2];
  return m;
}

type Role = 'central' | 'left' | 'right';

/** Erosion radii (mm) of the sacrum's split off L5 and of a hip bone's off its femur (-1: the cortical shells). */
const SACRUM_RADII_MM = [1, 1.5, 2, 3, 4, 5, 6, 8] as const;
const HIP_RADII_MM = [1, 1.5, 2, 3, -1, 4, 5, 6] as const;

function roleOf(c: ComponentStats, midlineX: number, halfWidth: number): Role {
  const dx = c.centroidLps[0] - midlineX;
  // The sacrum and vertebrae straddle the midline; hip bones and femurs lie to one side.
  const straddles = c.minLps[0] < midlineX - 0.05 * halfWidth && c.maxLps[0] > midlineX + 0.05 * halfWidth;
  if (straddles && Math.abs(dx) < 0.3 * halfWidth) return 'central';
  return dx > 0 ? 'left' : 'right';
}

/**
 * The runs of the crop's first labelling (`labels` as written from them) and which of its ids
 * have been rewritten since (split, or cut at a disc): an id not rewritten still has exactly
 * the voxels of its runs.
 */
type OriginalRuns = { runs: ComponentRuns; rewritten: Uint8Array };


/**
 * Splits component `comp` of `labels` by eroding its inside distance at increasing
 * radii until it falls into >= 2 large pieces (segmentBoneSplit.ts searchSplit, or the search's
 * result `found` when it ran already); returns the piece labels written
 * into `labels` (new ids appended after `nextId`), their voxel counts, ijk sums and boxes
 * (the figures {@link componentStats} would find over the component's box), or null when
 * it does not split. `comp.ijk` must be the component's box on the current labels.
 */
function splitComponent(
  labels: Int32Array,
  /** Squared inside depth (mm^2) of the filled bone over the whole crop (computed on first use). */
  globalDepth2: () => Float32Array,
  dims: Dims,
  spacing: readonly [number, number, number],
  comp: ComponentStats,
  minPieceVoxels: number,
  nextId: number,
  radiiMm: readonly number[],
  validate?: SplitValidate,
  /** Enables the cortical-shell seeds (radius -1 in `radiiMm`). */
  cortex?: { ct: Volume<VoxelArray>; box: VoxelBox; threshold: number },
  /** The runs of the first labelling: the component's voxels are read from them while its id was never rewritten. */
  original?: OriginalRuns,
  /** The search's result for this component with these arguments, when it ran ahead (segmentBone's speculative splits). */
  found?: SplitFound | null,
): { ids: number[]; radiusMm: number; pieces: PieceSums } | null {
  const id = comp.id;
  const runs = original && id <= original.runs.count && original.rewritten[id] === 0 ? original.runs : null;
  const split = found !== undefined
    ? found
    : searchSplit(labels, globalDepth2(), dims, spacing, comp, minPieceVoxels, radiiMm, validate, cortex && { voxels: cortex.ct.voxels, gridDims: cortex.ct.geometry.dims, boxMin: cortex.box.min, threshold: cortex.threshold }, runs);
  if (!split) return null;
  const cb = comp.ijk;
  const bn: Dims = [cb[3]! - cb[0]! + 3, cb[4]! - cb[1]! + 3, cb[5]! - cb[2]! + 3];
  const ids = Array.from({ length: split.count }, (_, idx) => nextId + idx);
  if (original && comp.id <= original.runs.count) original.rewritten[comp.id] = 1;
  return { ids, radiusMm: split.radiusMm, pieces: writePieces(labels, dims, split.owner, bn, split.vox, split.rowVox, cb[0]! - 1, cb[1]! - 1, cb[2]! - 1, nextId, split.count) };
}

/**
 * Gives the voxels of ids >= `firstNew` in the box `ijk` the id `back[id]` (when not 0). With
 * `runs` (the first labelling, where `id` was one component, split since into those ids), only
 * the voxels of `id`'s runs are visited and the figures of the voxels labelled `id` afterwards
 * are returned (indexed by `id`); without, the box is scanned and null returned.
 */
function relabelPieces(labels: Int32Array, dims: Dims, runs: ComponentRuns | null, id: number, ijk: ArrayLike<number>, back: Int32Array, firstNew: number): PieceSums | null {
  const [ni, nj] = dims;
  if (!runs) {
    for (let k = ijk[2]!; k <= ijk[5]!; k++) for (let j = ijk[1]!; j <= ijk[4]!; j++) {
      for (let i = ijk[0]!, t = ijk[0]! + ni * (j + nj * k); i <= ijk[3]!; i++, t++) {
        const c = labels[t]!;
        if (c >= firstNew && back[c]) labels[t] = back[c]!;
      }
    }
    return null;
  }
  const n = new Float64Array(id + 1), sums = new Float64Array(3 * (id + 1)), boxes = new Int32Array(6 * (id + 1));
  const o = 6 * id;
  boxes[o] = boxes[o + 1] = boxes[o + 2] = 0x7fffffff;
  boxes[o + 3] = boxes[o + 4] = boxes[o + 5] = -1;
  for (let k = ijk[2]!; k <= ijk[5]!; k++) for (let j = ijk[1]!; j <= ijk[4]!; j++) {
    const row = j + nj * k;
    for (let r = runs.rowFirst[row]!; r < runs.rowFirst[row + 1]!; r++) {
      if (runs.runId[r] !== id) continue;
      for (let i = runs.runStart[r]!, t = i + ni * row; i < runs.runEnd[r]!; i++, t++) {
        let c = labels[t]!;
        if (c >= firstNew && back[c]) labels[t] = c = back[c]!;
        if (c !== id) continue;
        n[id]!++;
        sums[3 * id]! += i;
        sums[3 * id + 1]! += j;
        sums[3 * id + 2]! += k;
        if (i < boxes[o]!) boxes[o] = i;
        if (i > boxes[o + 3]!) boxes[o + 3] = i;
        if (j < boxes[o + 1]!) boxes[o + 1] = j;
        if (j > boxes[o + 4]!) boxes[o + 4] = j;
        if (k < boxes[o + 2]!) boxes[o + 2] = k;
        if (k > boxes[o + 5]!) boxes[o + 5] = k;
      }
    }
  }
  return { n, sums, boxes };
}

/** LPS centres (flat xyz) of the boundary voxels of label `id` in the crop, those on the crop slices `cutSlices` and in the crop columns `cutColumn` left out. */
function surfaceOfLabel(labels: Int32Array, dims: Dims, id: number, cropToLps: Float64Array, cutSlices: readonly number[], within?: ArrayLike<number>, offset: readonly number[] = [0, 0, 0], cutColumn?: (i: number, j: number) => boolean): number[] {
  const [ni, nj, nk] = dims;
  const b = boxesOf(labels, dims, id, within).subarray(6 * id);
  const out: number[] = [];
  const p: Vec3 = [0, 0, 0];
  const nij = ni * nj;
  const is = (i: number, j: number, k: number) => i >= 0 && j >= 0 && k >= 0 && i < ni && j < nj && k < nk && labels[i + ni * (j + nj * k)] === id;
  for (let k = b[2]!; k <= b[5]!; k++) {
    if (cutSlices.includes(k)) continue;
    for (let j = b[1]!; j <= b[4]!; j++) for (let i = b[0]!; i <= b[3]!; i++) {
      const t = i + ni * j + nij * k;
      if (labels[t] !== id || cutColumn?.(i, j)) continue;
      if (is(i - 1, j, k) && is(i + 1, j, k) && is(i, j - 1, k) && is(i, j + 1, k) && is(i, j, k - 1) && is(i, j, k + 1)) continue;
      transformPoint(p, cropToLps, [offset[0]! + i, offset[1]! + j, offset[2]! + k]);
      out.push(p[0], p[1], p[2]);
    }
  }
  return out;
}

/** segmentBoneCap.ts {@link isFieldCutHeadSphere} of component `c`. */
function isFieldCutHeadSurface(c: ComponentStats, surface: ArrayLike<number>, voxelMm: number): boolean {
  return isFieldCutHeadSphere(c.maxLps[2], surface, voxelMm);
}

/**
 * Adds to `filled` the cavities of the one-voxel closing (`holes`: the hole-filled closing;
 * overwritten with its cavities, hole-filled voxels not in `closed`) and the closing's own
 * voxels (in `closed`, not in `mask`) that touch such a cavity voxel (they bridge a cortical gap).
 */
export function addCavities(filled: Uint8Array, mask: Uint8Array, closed: Uint8Array, holes: Uint8Array, dims: Dims): void {
  // The slab task over every slice, its two phases one after the other (segmentBoneSlabs.ts:
  // the same bit operations, four voxels at a time where the four arrays start on a word).
  for (const phase of [0, 1] as const) runBoneSlabTask({ kind: 'addCavities', phase, filled, mask, closed, holes, dims: [dims[0], dims[1], dims[2]] }, 0, dims[2]);
}

/** Squared inside depth (mm^2) of the voxels of `runs` (the distance to the nearest voxel of the crop not in them). */
function insideDepth2(runs: ComponentRuns, dims: Dims, spacingMm: readonly [number, number, number], shared: SharedRuns | null = null): Float32Array {
  const depth2 = allocEdtGrid(dims[0] * dims[1] * dims[2]);
  // The transform's first pass (along i) written straight from the runs (segmentBoneSlabs.ts
  // depthFirstPassOfRuns: the numbers of seeding EDT_FAR on them and running the pass), with the
  // runs on shared memory slice by slice on both threads; then the passes along j and k.
  const task = { kind: 'fillRuns', ni: dims[0], nj: dims[1], out: depth2, firstPassH: spacingMm[0] } as const;
  if (shared) runBoneSlabs({ ...task, runs: shared }, dims[2], depth2.length);
  else runBoneSlabTask({ ...task, runs }, 0, dims[2]);
  squaredDistanceAfterFirstPass(depth2, dims, spacingMm);
  return depth2;
}

/** The crop of `lut[labels[t]]`, 0 outside the voxels of `runs` (which hold every labelled voxel). */
function mapLabels(labels: Int32Array, lut: Uint8Array, runs: ComponentRuns, dims: Dims): Uint8Array {
  const ni = dims[0];
  const out = new Uint8Array(labels.length);
  for (let row = 0; row < dims[1] * dims[2]; row++) {
    for (let r = runs.rowFirst[row]!, e = runs.rowFirst[row + 1]!; r < e; r++) {
      for (let t = row * ni + runs.runStart[r]!, te = row * ni + runs.runEnd[r]!; t < te; t++) out[t] = lut[labels[t]!]!;
    }
  }
  return out;
}

/**
 * Writes `lut[labels[t]]` of the voxels of `runs` (which hold every labelled voxel) into the grid
 * volume `out` at `box` where not 0; returns the voxel count per label value.
 */
function writeRunLabelsToGrid(labels: Int32Array, lut: Uint8Array, runs: ComponentRuns, dims: Dims, box: VoxelBox, gridDims: readonly number[], out: Uint8Array): Float64Array {
  const written = new Float64Array(256);
  const [ni, nj] = dims;
  const gi = gridDims[0]!, gj = gridDims[1]!;
  for (let row = 0; row < nj * dims[2]; row++) {
    const r0 = runs.rowFirst[row]!, r1 = runs.rowFirst[row + 1]!;
    if (r0 === r1) continue;
    const j = row % nj, k = (row - j) / nj;
    const q0 = box.min[0] + gi * (box.min[1] + j + gj * (box.min[2] + k));
    for (let r = r0; r < r1; r++) {
      for (let i = runs.runStart[r]!, e = runs.runEnd[r]!; i < e; i++) {
        const label = lut[labels[row * ni + i]!]!;
        if (label !== 0) {
          out[q0 + i] = label;
          written[label]!++;
        }
      }
    }
  }
  return written;
}

/** Writes the crop's non-zero labels into the grid volume `out` at `box`; returns the voxel count per label value. */
function writeCropToGrid(crop: Uint8Array, dims: Dims, box: VoxelBox, gridDims: readonly number[], out: Uint8Array): Float64Array {
  const written = new Float64Array(256);
  const gi = gridDims[0]!, gj = gridDims[1]!;
  let p = 0;
  for (let k = box.min[2]; k < box.max[2]; k++) for (let j = box.min[1]; j < box.max[1]; j++) {
    const q0 = box.min[0] + gi * (j + gj * k);
    for (let i = 0; i < dims[0]; i++, p++) {
      const label = crop[p]!;
      if (label !== 0) {
        out[q0 + i] = label;
        written[label]!++;
      }
    }
  }
  return written;
}

// segmentBone's voxel loops as module functions with plain arguments (every property read by the
// caller): segmentBone itself only sequences calls, so the compiler no longer recompiles the
// whole orchestrator (OSR inside one of its loops, deoptimized at the next) in every run.

/** The narrowed crop (`ni` x `nj` x `nk`, zeroed): 1 over the kept runs (`keep[id] === 1`) of the wide crop's rows (`wideNj` rows a slice), shifted by (-i0, -j0). */
function setKeptRunsNarrowed(narrowed: Uint8Array, ni: number, nj: number, nk: number, wideNj: number, i0: number, j0: number, rowFirst: Int32Array, runStart: Int32Array, runEnd: Int32Array, runId: Int32Array, keep: Uint8Array): void {
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) {
    const row = j0 + j + wideNj * k, base = ni * (j + nj * k) - i0;
    for (let r = rowFirst[row]!; r < rowFirst[row + 1]!; r++) {
      if (keep[runId[r]!] !== 1) continue;
      const a = base + runStart[r]!, b = base + runEnd[r]!;
      if (b - a < 16) for (let t = a; t < b; t++) narrowed[t] = 1;
      else narrowed.fill(1, a, b);
    }
  }
}

/** The runs not kept (`keep[id] !== 1`) cleared in `mask` (rows of `ni`, `nRows` rows). */
function clearDroppedRuns(mask: Uint8Array, ni: number, nRows: number, rowFirst: Int32Array, runStart: Int32Array, runEnd: Int32Array, runId: Int32Array, keep: Uint8Array): void {
  for (let row = 0; row < nRows; row++) {
    for (let r = rowFirst[row]!; r < rowFirst[row + 1]!; r++) if (keep[runId[r]!] !== 1) mask.fill(0, row * ni + runStart[r]!, row * ni + runEnd[r]!);
  }
}

/** Whether a cap voxel (CT ijk triples `v`, the crop at `bi, bj, bk` of dims `ni, nj, nk`) has a 6-neighbour that is 1 in `filled`. */
export function capTouchesFilled(v: number[], filled: Uint8Array, bi: number, bj: number, bk: number, ni: number, nj: number, nk: number): boolean {
  const nij = ni * nj;
  let touches = false;
  for (let q = 0; q < v.length && !touches; q += 3) {
    const t = v[q]! - bi + ni * (v[q + 1]! - bj + nj * (v[q + 2]! - bk)), i = v[q]! - bi, j = v[q + 1]! - bj, k = v[q + 2]! - bk;
    touches =
      (i > 0 && filled[t - 1] === 1) || (i < ni - 1 && filled[t + 1] === 1) ||
      (j > 0 && filled[t - ni] === 1) || (j < nj - 1 && filled[t + ni] === 1) ||
      (k > 0 && filled[t - nij] === 1) || (k < nk - 1 && filled[t + nij] === 1);
  }
  return touches;
}

/** `filled` = `value` at the cap voxels (CT ijk triples `v`, the crop at `bi, bj, bk`, `ni` x `nj` a slice). */
function setCapVoxels(v: number[], filled: Uint8Array, bi: number, bj: number, bk: number, ni: number, nj: number, value: number): void {
  for (let q = 0; q < v.length; q += 3) filled[v[q]! - bi + ni * (v[q + 1]! - bj + nj * (v[q + 2]! - bk))] = value;
}

/**
 * Segments and labels the pelvic bones of a CT or CBCT volume.
 * Returns a label volume on the CT grid (new buffer), the thresholds used and a
 * summary per part. Throws `segmentation/no-bone` when nothing bone-like is found.
 */
export function segmentBone(ct0: Volume<VoxelArray>, options: BoneSegmentationOptions = {}): BoneSegmentation {
  const g = ct0.geometry;
  const notes: string[] = [];
  // A padded reconstruction field that cuts the body (CBCT): flatten its radial shading
  // (cupping, the truncation band along the edge) before thresholding, measured on the
  // image's own soft tissue (segmentBoneFov.ts). The flattened copy is used for every
  // grey-value test below; the returned thresholds are on its scale.
  const fov = detectReconstructionFov(ct0);
  let ct = ct0;
  if (fov && !options.thresholds) {
    const raw = computeBoneThresholds(ct0);
    const shading = measureFovShading(ct0, fov, raw);
    // Only where the body is cut by the field: a CT padded outside its reconstruction circle
    // has air along the edge, and ring modes there would mix fat and muscle.
    if (shading.truncatedFraction >= 0.25 && shading.maxShiftGrey > 0.5 * raw.softTissueSigmaGrey) {
      // On shared memory when the helper takes slab work on the CT (the steps below then run on both threads).
      ct = flattenFovShading(ct0, fov, shading, { shared: canShareBoneSlabs(ct0.voxels) });
      notes.push(`cone-beam shading flattened: soft tissue drifts by up to ${shading.maxShiftGrey.toFixed(0)} grey values across the field of view`);
    }
  }
  // With the EDT helper and the CT on shared memory, the histogram's samples are counted on both threads (the same histogram).
  const v = ct.voxels;
  const histogram = !options.thresholds && canShareBoneSlabs(v) && !(v instanceof Float32Array) && !(v instanceof Int32Array)
    ? sharedHistogram(v, g.dims, BONE_THRESHOLD_HISTOGRAM.stride, BONE_THRESHOLD_HISTOGRAM.maxBins)
    : undefined;
  const thresholds = options.thresholds ?? computeBoneThresholds(ct, { histogram });
  // With an EDT helper thread and the CT on shared memory, the box, the crop and the one-voxel
  // closing's dilation are computed slice by slice on both threads (segmentBoneSlabs.ts: the same bytes).
  const slabs = canShareBoneSlabs(ct.voxels);
  const rawBox = slabs ? sharedThresholdBox(ct, thresholds.boneGrey) : thresholdBox(ct, thresholds.boneGrey);
  if (!rawBox) throw new PlannerError('segmentation/no-bone', `no voxel reaches the bone threshold ${thresholds.boneGrey.toFixed(0)}`);
  let box: VoxelBox = rawBox;
  let dims: Dims = [box.max[0] - box.min[0], box.max[1] - box.min[1], box.max[2] - box.min[2]];
  let n = dims[0] * dims[1] * dims[2];
  const voxelMl = voxelVolumeMm3(g) / 1000;
  let m = cropMatrix(ct, box);
  // Component figures (centroids, LPS extents) are computed in the frame of this first crop,
  // also after it is narrowed below (`off`: the narrowed crop's first voxel in it).
  const mRaw = m;
  let off: [number, number, number] = [0, 0, 0];
  const marrowRadiusMm = marrowClosingRadiusMm(g.spacingMm);
  /**
   * CT columns within a voxel and a half of a reconstructed field's edge (CBCT): the field
   * cuts the bone there, so a femoral-head cap's surface is taken without them.
   */
  const fovEdgeCt = fov ? (i: number, j: number) => fov.edgeDistanceMm[i + g.dims[0] * j]! <= 1.5 * Math.max(g.spacingMm[0], g.spacingMm[1]) : undefined;
  /** The voxels (CT ijk, flat) of each femoral-head cap kept under the component minimum (step 1). */
  const capVoxelsCt: number[][] = [];

  // 1. Threshold and drop small or plate-like components (table, calcifications).
  const usedThresholds: BoneThresholds = thresholds;
  if (thresholds.softTissueSigmaGrey > 0.02 * (thresholds.corticalGrey - thresholds.softTissuePeakGrey)) {
    // CBCT-like noise and cupping: trabecular bone overlaps soft tissue in grey value.
    notes.push('noisy image: trabecular bone overlaps soft tissue; check the bone outline');
  }
  let mask = slabs ? sharedThresholdCrop(ct, box, usedThresholds.boneGrey) : thresholdCrop(ct, box, usedThresholds.boneGrey);
  {
    const cc = computeComponentRuns(mask, dims);
    const stats = statsOfRuns(cc, m, voxelMl);
    const keep = new Uint8Array(cc.count + 1);
    const minMl = options.minComponentMl ?? 2;
    for (const c of stats) {
      const ext: Vec3 = [c.maxLps[0] - c.minLps[0], c.maxLps[1] - c.minLps[1], c.maxLps[2] - c.minLps[2]];
      // A table top (or one of its rails): thin antero-posteriorly, long or wide.
      const plate = ext[1] < 25 && Math.max(ext[0], ext[2]) > 60 && ext[1] < 0.25 * Math.max(ext[0], ext[2]);
      if (c.volumeMl >= minMl && !plate) keep[c.id] = 1;
      else if (plate) notes.push(`dropped a plate-like component (${c.volumeMl.toFixed(0)} mL, ${ext[0].toFixed(0)} x ${ext[1].toFixed(0)} mm): CT table`);
    }
    // A femoral-head cap cut by the field's lowest slice (a CBCT ending at the hip joints) may
    // be under the minimum: kept when its surface above the cut is a head's sphere
    // (segmentBoneCap.ts; the test the larger caps pass below). It stays out of the filling
    // (the joint space between it and the acetabulum would be a cavity closed by the field's
    // cut and fuse the two), is added back hole-filled after it and kept as a part in step 3.
    {
      const lowZ = Math.min(transformPoint([0, 0, 0], g.ijkToLps, [0, 0, 0])[2], transformPoint([0, 0, 0], g.ijkToLps, [0, 0, g.dims[2] - 1])[2]);
      const cut = [-box.min[2], g.dims[2] - 1 - box.min[2]];
      const fovEdge = fovEdgeCt ? (i: number, j: number) => fovEdgeCt(box.min[0] + i, box.min[1] + j) : undefined;
      // A component that surely fails the test (segmentBoneCap.ts surelyNotFieldCutHead, from its
      // runs: the CT table's plates, whose rows are far longer than a head) is not tested: same decisions.
      const candidates = stats.filter((c) => !keep[c.id] && c.voxels >= 10 && c.minLps[2] <= lowZ + 0.5 * g.spacingMm[2] + 1e-6 && (fovEdge !== undefined || !surelyNotFieldCutHead(cc, dims, c.id, c.ijk, m, cut, Math.max(...g.spacingMm))));
      if (slabs && !fovEdge && candidates.length >= 2) {
        // One candidate per slab on both threads (the CT table's two plates are candidates: the
        // same test of each, by the same code); the accepted caps' voxels listed here, in the same order.
        const accepted = allocVoxels(Uint8Array, candidates.length, { shared: true });
        let boxVoxels = 0;
        for (const c of candidates) boxVoxels += (c.ijk[3]! - c.ijk[0]! + 3) * (c.ijk[4]! - c.ijk[1]! + 3) * (c.ijk[5]! - c.ijk[2]! + 1);
        runBoneSlabs({
          kind: 'capTest',
          comps: candidates.map((c) => ({ ...componentRunsOf(cc, c.id, c.ijk, dims), id: c.id, ijk: Int32Array.from(c.ijk), maxLpsZ: c.maxLps[2] })),
          dims: [dims[0], dims[1], dims[2]],
          cropToLps: m,
          cutSlices: cut,
          voxelMm: Math.max(...g.spacingMm),
          out: accepted,
        }, candidates.length, boxVoxels, 1);
        candidates.forEach((c, s) => {
          if (!accepted[s]) return;
          keep[c.id] = 2;
          capVoxelsCt.push(surfaceOfRunComponent(cc, dims, c.id, c.ijk, m, cut).voxelsIjk().map((v, q) => v + box.min[q % 3]!));
        });
      } else for (const c of candidates) {
        const { surfaceLps, voxelsIjk } = surfaceOfRunComponent(cc, dims, c.id, c.ijk, m, cut, fovEdge);
        if (!isFieldCutHeadSurface(c, surfaceLps, Math.max(...g.spacingMm))) continue;
        keep[c.id] = 2;
        capVoxelsCt.push(voxelsIjk().map((v, q) => v + box.min[q % 3]!));
      }
    }
    // Narrow the crop in i and j to what is kept (the table spans the field's width) plus one
    // voxel of background where the crop had room: everything below is then done on fewer
    // voxels with the same result (that layer is background, as the dropped margin was, so
    // every cavity open to the old crop's sides is open to the new one's and every voxel keeps
    // its nearest background voxel). The slices (k) stay: the first and last are the field's.
    // Not on coarse voxels, whose per-part closings (segmentBoneMarrow.ts) reach further out.
    let i0 = dims[0], j0 = dims[1], i1 = -1, j1 = -1;
    for (const c of stats) {
      if (!keep[c.id]) continue;
      i0 = Math.min(i0, c.ijk[0]!);
      j0 = Math.min(j0, c.ijk[1]!);
      i1 = Math.max(i1, c.ijk[3]!);
      j1 = Math.max(j1, c.ijk[4]!);
    }
    i0 = Math.max(0, i0 - 1);
    j0 = Math.max(0, j0 - 1);
    i1 = Math.min(dims[0] - 1, i1 + 1);
    j1 = Math.min(dims[1] - 1, j1 + 1);
    if (marrowRadiusMm <= 0 && i1 >= i0 && (i1 - i0 + 1 < dims[0] || j1 - j0 + 1 < dims[1])) {
      const nd: Dims = [i1 - i0 + 1, j1 - j0 + 1, dims[2]];
      // The narrowed mask is the kept components' runs (the mask is 1 exactly on the runs, and
      // every kept run lies in [i0, i1] of a row in [j0, j1]): set over them into a zeroed array,
      // instead of clearing the dropped runs in the crop and copying the narrowed rows over. The
      // array is the wide crop's own first bytes (the runs hold all it says; its pages are
      // written already: no new buffer to allocate and fault in).
      const narrowed = mask.subarray(0, nd[0] * nd[1] * nd[2]);
      narrowed.fill(0);
      setKeptRunsNarrowed(narrowed, nd[0], nd[1], nd[2], dims[1], i0, j0, cc.rowFirst, cc.runStart, cc.runEnd, cc.runId, keep);
      box = { min: [box.min[0] + i0, box.min[1] + j0, box.min[2]], max: [box.min[0] + i1 + 1, box.min[1] + j1 + 1, box.max[2]] };
      off = [i0, j0, 0];
      dims = nd;
      n = nd[0] * nd[1] * nd[2];
      m = cropMatrix(ct, box);
      mask = narrowed;
    } else {
      // Not narrowed: the dropped components' runs cleared in the crop.
      clearDroppedRuns(mask, dims[0], dims[1] * dims[2], cc.rowFirst, cc.runStart, cc.runEnd, cc.runId, keep);
    }
  }

  // 2. Fill. Cavities are found on a one-voxel closing (so that a one-voxel gap in
  //    a thin cortex does not open the marrow to the outside), then added with the
  //    closing's voxels that touch them (the gaps themselves). The closing's other
  //    voxels (joint spaces, the bone surface) are NOT added: a 2-voxel joint gap stays open.
  //    The raw mask's own cavities are added too: a cavity of one or two voxels (a
  //    trabecular voxel below the threshold, common on thin slices where the noise per
  //    voxel is high) is swallowed by the closing, so it is neither a cavity of the closed
  //    mask nor a gap next to one, and would stay a hole in the bone (the bone depth drops to
  //    ~1 mm around it, inside the sacrum).
  let closed: Uint8Array, holes: Uint8Array, filled: Uint8Array;
  if (slabs && canShareBoneSlabs(mask)) {
    // The dilation slice by slice on both threads, then the two hole fillings one on each.
    closed = sharedDilate6(mask, dims);
    holes = allocVoxels(Uint8Array, n, { shared: true });
    filled = allocVoxels(Uint8Array, n, { shared: true });
    // The closing's filling first: this thread claims it (the larger), the helper the mask's;
    // each thread copies its own mask first (holes from the closing, filled from the mask).
    runBoneSlabs({ kind: 'fillHoles', masks: [holes, filled], from: [closed, mask], dims: [dims[0], dims[1], dims[2]], faces: 'sides' }, 2, 2 * n, 1);
  } else {
    closed = dilate6(mask, dims);
    holes = closed.slice();
    fillHoles(holes, dims, 'sides');
    filled = mask.slice();
    fillHoles(filled, dims, 'sides');
  }
  if (slabs && canShareBoneSlabs(filled, mask, closed, holes)) {
    // Slice by slice on both threads, the closing's cavities first, then its voxels next to them (the same bytes).
    for (const phase of [0, 1] as const) runBoneSlabs({ kind: 'addCavities', phase, filled, mask, closed, holes, dims: [dims[0], dims[1], dims[2]] }, dims[2], n);
  } else addCavities(filled, mask, closed, holes, dims);

  // The femoral-head caps kept in step 1, hole-filled on their own; a cap that would touch
  // the filled bone (it would join the hip part: a head labelled hip) is left out, as before.
  const capAt = (v: number[], q: number) => v[q]! - box.min[0] + dims[0] * (v[q + 1]! - box.min[1] + dims[1] * (v[q + 2]! - box.min[2]));
  for (let c = capVoxelsCt.length - 1; c >= 0; c--) {
    const v = capVoxelsCt[c]!;
    if (capTouchesFilled(v, filled, box.min[0], box.min[1], box.min[2], dims[0], dims[1], dims[2])) capVoxelsCt.splice(c, 1);
    else setCapVoxels(v, filled, box.min[0], box.min[1], box.min[2], dims[0], dims[1], 2);
  }
  for (const v of capVoxelsCt) setCapVoxels(v, filled, box.min[0], box.min[1], box.min[2], dims[0], dims[1], 1);


  // 3. Parts.
  const cc = computeComponentRuns(filled, dims);
  // With the helper: the runs copied onto shared memory once, the label crop written slice by slice on both threads.
  const ccShared = slabs ? shareRuns(cc) : null;
  let labels: Int32Array;
  if (ccShared) {
    labels = allocVoxels(Int32Array, n, { shared: true });
    runBoneSlabs({ kind: 'fillRuns', runs: ccShared, ni: dims[0], nj: dims[1], out: labels }, dims[2], n);
  } else labels = writeComponentLabels(cc, dims);
  const original: OriginalRuns = { runs: cc, rewritten: new Uint8Array(cc.count + 1) };
  // Inside depth of the filled bone (its voxels are the runs of `cc`), once for every split
  // below, when a split is tried.
  let depth2: Float32Array | null = null;
  const depthOf = (): Float32Array => (depth2 ??= insideDepth2(cc, dims, g.spacingMm, ccShared));
  let stats = statsOfSums(cc.sizes, cc.sums, cc.boxes, cc.count, mRaw, voxelMl, 1, off);
  const minPartMl = options.minPartMl ?? 8;
  // A cap the hole filling joined to other bone is no longer a part of its own.
  const capIds = new Set(capVoxelsCt.map((v) => labels[capAt(v, 0)]!).filter((id) => id > 0 && cc.sizes[id]! * voxelMl < minPartMl));
  stats = stats.filter((c) => c.volumeMl >= minPartMl || capIds.has(c.id));
  if (stats.every((c) => capIds.has(c.id))) throw new PlannerError('segmentation/no-bone', 'no bone component larger than ' + minPartMl + ' mL');
  let totalMl = 0, cx = 0, xmin = Infinity, xmax = -Infinity;
  for (const c of stats) {
    if (capIds.has(c.id)) continue;
    totalMl += c.volumeMl;
    cx += c.centroidLps[0] * c.volumeMl;
    if (c.minLps[0] < xmin) xmin = c.minLps[0];
    if (c.maxLps[0] > xmax) xmax = c.maxLps[0];
  }
  let midlineX = cx / totalMl;
  const halfWidth = Math.max(20, (xmax - xmin) / 2);
  // The midline is better given by the largest central-looking component when there is one.
  midlineX = 0.5 * (midlineX + (xmin + xmax) / 2);

  // Split components that mix roles (a bridged SI joint makes one central+lateral component;
  // a bridged hip joint makes one hip+femur component).
  let nextId = cc.count + 1;
  const minPieceVoxels = Math.ceil(minPartMl / voxelMl);
  const refined: ComponentStats[] = [];
  const pending: { c: ComponentStats; depth: number }[] = stats.map((c) => ({ c, depth: 0 }));
  while (pending.length > 0) {
    const { c, depth } = pending.shift()!;
    const width = c.maxLps[0] - c.minLps[0];
    const role = roleOf(c, midlineX, halfWidth);
    // A sacrum is narrower than the pelvis's half width and about symmetric; with a hip bone
    // attached it is wider and lopsided. A lateral part holding nearly half the bone is two parts.
    const leftReach = c.maxLps[0] - midlineX, rightReach = midlineX - c.minLps[0];
    const lopsided = Math.max(leftReach, rightReach) > 40 && Math.max(leftReach, rightReach) > 1.6 * Math.max(1, Math.min(leftReach, rightReach));
    const mixed = (role === 'central' && (width > 0.95 * halfWidth || lopsided)) || (role !== 'central' && c.volumeMl > 0.45 * totalMl);
    if (!mixed || depth >= 3) {
      refined.push(c);
      continue;
    }
    const split = splitComponent(labels, depthOf, dims, g.spacingMm, c, minPieceVoxels, nextId, [1, 1.5, 2, 3, 4, 5, 6], undefined, undefined, original);
    if (!split) {
      refined.push(c);
      notes.push(`a bone component of ${c.volumeMl.toFixed(0)} mL looks like several parts but did not split`);
      continue;
    }
    notes.push(`joint bridged: split a ${c.volumeMl.toFixed(0)} mL component into ${split.ids.length} at ${split.radiusMm} mm erosion`);
    const pieces = statsOfSums(split.pieces.n, split.pieces.sums, split.pieces.boxes, nextId + split.ids.length - 1, mRaw, voxelMl, nextId, off);
    nextId += split.ids.length;
    for (const s of pieces) pending.push({ c: s, depth: depth + 1 });
  }

  const marrowFloorGrey = thresholds.softTissuePeakGrey - 2 * thresholds.softTissueSigmaGrey;
  /**
   * Cuts a stack of vertebrae (one component: discs and facet joints bridged by partial
   * volume) at its lowest disc. The disc is found on the profile along the body axis
   * (superior, LPS +z) of the bone-threshold voxels in the anterior half of the component
   * (the vertebral bodies; the arches bridge the discs): the first dip below half the
   * running maximum, at least 15 mm above the bottom, with at least 15 mm of vertebra
   * above it. Voxels up to the dip's level keep the id (L5), those above get a new id
   * (vertebrae above L5, not labelled). Returns the part above, or null (one vertebra).
   */
  const cutVertebraStack = (comp: ComponentStats): ComponentStats | null => {
    const [ni, nj] = dims;
    const [gi, gj] = g.dims;
    const zi = mRaw[2]!, zj = mRaw[6]!, zk = mRaw[10]!, z0 = mRaw[14]!;
    const yi = mRaw[1]!, yj = mRaw[5]!, yk = mRaw[9]!, y0 = mRaw[13]!;
    const [oi, oj] = off;
    const dz = Math.min(...g.spacingMm);
    const zMin = comp.minLps[2] - dz, bins = Math.ceil((comp.maxLps[2] - zMin) / dz) + 2;
    const prof = new Float64Array(bins);
    const cy = comp.centroidLps[1];
    const cb = comp.ijk;
    for (let k = cb[2]!; k <= cb[5]!; k++) for (let j = cb[1]!; j <= cb[4]!; j++) for (let i = cb[0]!, t = cb[0]! + ni * (j + nj * k); i <= cb[3]!; i++, t++) {
      if (labels[t] !== comp.id) continue;
      if (yi * (i + oi) + yj * (j + oj) + yk * k + y0 >= cy) continue;
      if (ct.voxels[box.min[0] + i + gi * (box.min[1] + j + gj * (box.min[2] + k))]! < thresholds.boneGrey) continue;
      prof[Math.floor((zi * (i + oi) + zj * (j + oj) + zk * k + z0 - zMin) / dz)]!++;
    }
    const w = Math.floor(1.5 / dz);
    const sm = prof.map((_, b) => {
      let acc = 0, cnt = 0;
      for (let q = b - w; q <= b + w; q++) if (q >= 0 && q < bins) {
        acc += prof[q]!;
        cnt++;
      }
      return acc / cnt;
    });
    let bottom = 0;
    while (bottom < bins && sm[bottom]! === 0) bottom++;
    let top = bins - 1;
    while (top > 0 && sm[top]! === 0) top--;
    let runMax = 0, disc = -1;
    for (let b = bottom; b <= top; b++) {
      runMax = Math.max(runMax, sm[b]!);
      if ((b - bottom) * dz < 15 || sm[b]! >= 0.5 * runMax) continue;
      // Follow the dip to its lowest point.
      disc = b;
      while (disc + 1 <= top && sm[disc + 1]! <= sm[disc]!) disc++;
      break;
    }
    if (disc < 0 || (top - disc) * dz < 15) return null;
    const zCut = zMin + (disc + 1) * dz;
    const upper = nextId++;
    if (comp.id <= cc.count) original.rewritten[comp.id] = 1;
    for (let k = cb[2]!; k <= cb[5]!; k++) for (let j = cb[1]!; j <= cb[4]!; j++) for (let i = cb[0]!, t = cb[0]! + ni * (j + nj * k); i <= cb[3]!; i++, t++) {
      if (labels[t] !== comp.id) continue;
      if (zi * (i + oi) + zj * (j + oj) + zk * k + z0 >= zCut) labels[t] = upper;
    }
    return componentStats(labels, dims, upper, mRaw, voxelMl, upper, comp.ijk, off)[0] ?? null;
  };

  // Classify.
  const assignment = new Map<number, BonePartId>();
  const central = refined.filter((c) => roleOf(c, midlineX, halfWidth) === 'central').sort((a, b) => a.centroidLps[2] - b.centroidLps[2]);
  // Sacrum: the lowest large central component (vertebrae stack above it).
  let sacrum = central.find((c) => c.volumeMl >= 0.2 * Math.max(...central.map((q) => q.volumeMl)));
  const hasL5Above = (sac: ComponentStats) =>
    central.some((c) => c !== sac && c.minLps[2] > sac.centroidLps[2] && c.minLps[2] < sac.maxLps[2] + 25 && c.volumeMl >= 0.1 * sac.volumeMl);
  // The splits tried below (the sacrum's when no L5 is above it, each side's hip bone when no
  // femur is beside it) are searched ahead, all at once, one per slab on this thread and the EDT
  // helper (segmentBoneSplit.ts SplitTask): each search reads only its component's voxels (the
  // first labelling's runs, never rewritten), the depth and the CT, and writes its own arrays;
  // the pieces are written below in the same order as before. A search is used only when the
  // code below reaches the same split of the same component (else it searches there itself).
  const hipRule: HipSplitRule = {
    midlineX,
    imageLowZ: Math.min(transformPoint([0, 0, 0], g.ijkToLps, [0, 0, 0])[2], transformPoint([0, 0, 0], g.ijkToLps, [0, 0, g.dims[2] - 1])[2]),
    spacingZMm: g.spacingMm[2],
    voxelMm: Math.max(...g.spacingMm),
  };
  const cortexThreshold = (thresholds.softTissuePeakGrey + thresholds.corticalGrey) / 2;
  const sacrumMinPiece = (c: ComponentStats) => Math.max(Math.ceil(3 / voxelMl), Math.ceil(0.03 * c.voxels));
  const ahead = new Map<ComponentStats, SplitFound | null>();
  const foundCap = new Map<SplitFound, Vec3>();
  if (ccShared && !fovEdgeCt && canShareBoneSlabs(labels, ct.voxels)) {
    const specs: { comp: ComponentStats; minPiece: number; hip: boolean }[] = [];
    if (sacrum && !hasL5Above(sacrum)) specs.push({ comp: sacrum, minPiece: sacrumMinPiece(sacrum), hip: false });
    for (const side of ['left', 'right'] as const) {
      const lateral = refined.filter((c) => roleOf(c, midlineX, halfWidth) === side).sort((a, b) => b.volumeMl - a.volumeMl);
      const hip = lateral[0];
      if (hip && !lateral.some((c) => isFemurOfStats(c, hip, 0, midlineX))) specs.push({ comp: hip, minPiece: Math.ceil(3 / voxelMl), hip: true });
    }
    // Only components of the first labelling (their runs) whose pieces fit a two-byte owner array.
    const usable = specs.filter((q) => q.comp.id <= cc.count && !original.rewritten[q.comp.id] && Math.floor(q.comp.voxels / q.minPiece) < 0xffff);
    if (usable.length >= 2) {
      // The largest first: this thread claims the first slab, the helper the next.
      usable.sort((a, b) => b.comp.voxels - a.comp.voxels);
      const depth = depthOf();
      const jobs: SplitJob[] = usable.map((q) => {
        const b = q.comp.ijk;
        const boxVoxels = (b[3]! - b[0]! + 3) * (b[4]! - b[1]! + 3) * (b[5]! - b[2]! + 3);
        return {
          comp: { id: q.comp.id, voxels: q.comp.voxels, ijk: Int32Array.from(b) },
          minPieceVoxels: q.minPiece,
          radiiMm: q.hip ? [...HIP_RADII_MM] : [...SACRUM_RADII_MM],
          hip: q.hip ? { rule: hipRule, cropToLps: mRaw, offset: off, voxelMl, cutSlices: [-box.min[2], g.dims[2] - 1 - box.min[2]] } : undefined,
          cortexThreshold: q.hip ? cortexThreshold : undefined,
          out: {
            vox: allocVoxels(Int32Array, q.comp.voxels, { shared: true }),
            rowVox: allocVoxels(Int32Array, (b[4]! - b[1]! + 3) * (b[5]! - b[2]! + 3) + 1, { shared: true }),
            owner: allocVoxels(Uint16Array, boxVoxels, { shared: true }),
            result: new Float64Array(new SharedArrayBuffer(7 * 8)),
          },
        };
      });
      runBoneSlabs({
        kind: 'split',
        labels,
        depth,
        dims: [dims[0], dims[1], dims[2]],
        spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
        runs: ccShared,
        ct: { voxels: ct.voxels, gridDims: [g.dims[0], g.dims[1], g.dims[2]], boxMin: [box.min[0], box.min[1], box.min[2]] },
        jobs,
      }, jobs.length, usable.reduce((a, q) => a + q.comp.voxels, 0), 1);
      usable.forEach((q, s) => {
        const o = jobs[s]!.out, res = o.result;
        if (!res[0]) {
          ahead.set(q.comp, null);
          return;
        }
        const found: SplitFound = { radiusMm: res[1]!, count: res[2]!, owner: o.owner, vox: o.vox, rowVox: o.rowVox };
        ahead.set(q.comp, found);
        if (res[3]) foundCap.set(found, [res[4]!, res[5]!, res[6]!]);
      });
    }
  }
  if (sacrum && !hasL5Above(sacrum)) {
    // No vertebra just above the sacrum: L5 (and possibly the lumbar spine) is fused to it
    // through the facet joints or bridged discs. Split at the narrowest necks; the sacrum is
    // the lowest large piece, L5 the piece just above it, higher pieces other vertebrae.
    const sacrumRuns = sacrum.id <= cc.count && !original.rewritten[sacrum.id] ? cc : null;
    const split = splitComponent(labels, depthOf, dims, g.spacingMm, sacrum, sacrumMinPiece(sacrum), nextId, SACRUM_RADII_MM, undefined, undefined, original, original.rewritten[sacrum.id] ? undefined : ahead.get(sacrum));
    if (split) {
      const firstNew = nextId;
      const pieces = statsOfSums(split.pieces.n, split.pieces.sums, split.pieces.boxes, nextId + split.ids.length - 1, mRaw, voxelMl, nextId, off);
      nextId += split.ids.length;
      pieces.sort((a, b) => a.centroidLps[2] - b.centroidLps[2]);
      const maxVol = Math.max(...pieces.map((q) => q.volumeMl));
      const sIdx = pieces.findIndex((q) => q.volumeMl >= 0.5 * maxVol);
      const sacPiece = pieces[sIdx]!;
      const l5Piece = pieces[sIdx + 1];
      const isL5 = !!l5Piece && l5Piece.minLps[2] > sacPiece.centroidLps[2] && roleOf(l5Piece, midlineX, halfWidth) === 'central';
      // Relabel: pieces at or below the sacrum piece return to the sacrum's id; the L5 piece
      // and any higher vertebrae keep their own ids.
      const back = new Int32Array(nextId + 1);
      pieces.forEach((q, idx) => {
        back[q.id] = idx <= sIdx || !isL5 ? sacrum!.id : q.id;
      });
      // The pieces lie in the sacrum component's box; when the sacrum was a component of the
      // first labelling, they are its voxels (its runs), and the sacrum's new figures are
      // summed on the way.
      const rest = relabelPieces(labels, dims, sacrumRuns, sacrum.id, sacrum.ijk, back, firstNew);
      if (isL5) {
        const above = pieces.slice(sIdx + 1);
        notes.push(`L5 fused to the sacrum: split at ${split.radiusMm} mm erosion${above.length > 1 ? ` (${above.length - 1} more vertebrae above)` : ''}`);
        const rest1 = rest
          ? statsOfSums(rest.n, rest.sums, rest.boxes, sacrum.id, mRaw, voxelMl, sacrum.id, off)[0]!
          : componentStats(labels, dims, sacrum.id, mRaw, voxelMl, sacrum.id, sacrum.ijk, off)[0]!;
        refined.splice(refined.indexOf(sacrum), 1, rest1, ...above);
        central.splice(central.indexOf(sacrum), 1, rest1, ...above);
        sacrum = rest1;
      }
    }
  }
  if (sacrum) {
    assignment.set(sacrum.id, 'sacrum');
    const above = central.filter((c) => c !== sacrum && c.centroidLps[2] > sacrum.centroidLps[2]);
    let l5 = above.sort((a, b) => a.centroidLps[2] - b.centroidLps[2])[0];
    if (l5 && l5.minLps[2] > sacrum.minLps[2] + 10) {
      // The lumbar vertebrae above L5 may be one component with it (coarse voxels).
      const upper = cutVertebraStack(l5);
      if (upper) {
        const lower = componentStats(labels, dims, l5.id, mRaw, voxelMl, l5.id, l5.ijk, off)[0]!;
        refined.splice(refined.indexOf(l5), 1, lower, upper);
        notes.push(`vertebrae in one piece: L5 cut off at its upper disc (${upper.volumeMl.toFixed(0)} mL above not labelled)`);
        l5 = lower;
      }
      assignment.set(l5.id, 'l5');
    }
  } else notes.push('no sacrum found');
  for (const side of ['left', 'right'] as const) {
    const lateral = refined.filter((c) => roleOf(c, midlineX, halfWidth) === side).sort((a, b) => b.volumeMl - a.volumeMl);
    let hip = lateral[0];
    if (!hip) {
      notes.push(`no ${side} hip bone found`);
      continue;
    }
    const isFemurOf = (c: ComponentStats, h: ComponentStats, slackMm: number, volumeRule = true) => isFemurOfStats(c, h, slackMm, midlineX, volumeRule);
    /** Centroid of a femoral-head cap accepted by the split (field cut at the hip joint). */
    let fieldCutHeadLps: Vec3 | null = null;
    const imageLowZ = Math.min(transformPoint([0, 0, 0], g.ijkToLps, [0, 0, 0])[2], transformPoint([0, 0, 0], g.ijkToLps, [0, 0, g.dims[2] - 1])[2]);
    const isFieldCutHead = (c: ComponentStats, surface: number[]) =>
      c.minLps[2] <= imageLowZ + 0.5 * g.spacingMm[2] + 1e-6 && isFieldCutHeadSurface(c, surface, Math.max(...g.spacingMm));
    if (!lateral.some((c) => isFemurOf(c, hip!, 0))) {
      // The femoral head may be bridged to the acetabulum (partial volume across a thin
      // joint space): split the hip component when a piece below it looks like a femur.
      const h0 = hip;
      // The search ran ahead for this component (its voxels unchanged since: its id not rewritten).
      const pre = original.rewritten[h0.id] ? undefined : ahead.get(h0);
      const split = splitComponent(labels, depthOf, dims, g.spacingMm, h0, Math.ceil(3 / voxelMl), nextId, HIP_RADII_MM, {
        cropToLps: mRaw,
        offset: off,
        voxelMl,
        cutSlices: [-box.min[2], g.dims[2] - 1 - box.min[2]],
        cutColumn: fovEdgeCt ? (i, j) => fovEdgeCt(box.min[0] + i, box.min[1] + j) : undefined,
        // segmentBoneSplit.ts acceptHipSplit: a seed below the top piece is a femur, or a
        // femoral-head cap cut by the field's lowest slice (its centroid kept).
        accept: (seeds, r, surfaceLps) => {
          const a = acceptHipSplit(hipRule, seeds, r, surfaceLps);
          if (a.capCentroidLps) fieldCutHeadLps = a.capCentroidLps;
          return a.accepted;
        },
      }, { ct, box, threshold: cortexThreshold }, original, pre);
      // (A search that ran ahead accepted the same cap, if any: its centroid, as the accept above would have kept it.)
      if (pre && foundCap.has(pre)) fieldCutHeadLps = foundCap.get(pre)!;
      if (split) {
        const firstNew = nextId;
        const pieces = statsOfSums(split.pieces.n, split.pieces.sums, split.pieces.boxes, nextId + split.ids.length - 1, mRaw, voxelMl, firstNew, off);
        nextId += split.ids.length;
        notes.push(`${side} hip joint bridged: split ${split.radiusMm < 0 ? 'at the cortical shells' : `at ${split.radiusMm} mm erosion`}`);
        refined.splice(refined.indexOf(h0), 1, ...pieces);
        lateral.splice(lateral.indexOf(h0), 1, ...pieces);
        lateral.sort((a, b) => b.volumeMl - a.volumeMl);
        hip = pieces.reduce((a, b) => (b.maxLps[2] > a.maxLps[2] ? b : a));
        lateral.splice(lateral.indexOf(hip), 1);
        lateral.unshift(hip);
      }
    }
    assignment.set(hip.id, side === 'left' ? 'hipLeft' : 'hipRight');
    // Femur: a large component below the hip's centroid whose top reaches into the hip's height (head in the acetabulum).
    // It reaches at least as low as the ischium and lies lateral to the hip bone's centroid
    // (pulled medially by the pubis and ischium): a fracture fragment of the hip bone does not.
    let femur = lateral.find((c) => isFemurOf(c, hip!, 0));
    if (!femur && !fieldCutHeadLps) {
      // A cap already separate from the acetabulum (finer voxels: the joint space is open).
      const cutSlices = [-box.min[2], g.dims[2] - 1 - box.min[2]];
      const cutColumn = fovEdgeCt ? (i: number, j: number) => fovEdgeCt(box.min[0] + i, box.min[1] + j) : undefined;
      const cap = lateral.find((c) => isFemurOf(c, hip!, 0, false) && isFieldCutHead(c, surfaceOfLabel(labels, dims, c.id, mRaw, cutSlices, c.ijk, off, cutColumn)));
      if (cap) fieldCutHeadLps = cap.centroidLps;
    }
    if (!femur && fieldCutHeadLps) {
      // The cap the split was accepted for: the piece whose centroid is nearest its seed's.
      const at = fieldCutHeadLps;
      const d = (c: ComponentStats) => Math.hypot(c.centroidLps[0] - at[0], c.centroidLps[1] - at[1], c.centroidLps[2] - at[2]);
      femur = lateral.filter((c) => c !== hip).sort((a, b) => d(a) - d(b))[0];
      if (femur) notes.push(`${side} femur: only the top of the head is in the field (${femur.volumeMl.toFixed(0)} mL)`);
    }
    if (femur) assignment.set(femur.id, side === 'left' ? 'femurLeft' : 'femurRight');
    // Remaining large pieces on this side are fragments of the hip bone (fractures, a split wing).
    for (const c of lateral) {
      if (c === hip || c === femur || capIds.has(c.id)) continue;
      let overlaps = true;
      for (let a = 0; a < 3; a++) if (c.minLps[a]! > hip!.maxLps[a]! + 10 || c.maxLps[a]! < hip!.minLps[a]! - 10) overlaps = false;
      if (!overlaps) continue;
      assignment.set(c.id, side === 'left' ? 'hipLeft' : 'hipRight');
      notes.push(`a ${c.volumeMl.toFixed(0)} mL ${side} piece was added to the hip bone (fragment)`);
    }
  }

  // Write labels on the CT grid.
  // One summary per part: fragments added to a hip bone share its label, and the
  // volumes are counted on the labels as written (component figures predate the splits).
  const lut = new Uint8Array(nextId + 1);
  const byPart = new Map<BonePartId, { weightMl: number; centroid: [number, number, number] }>();
  for (const c of refined) {
    const id = assignment.get(c.id);
    if (!id) continue;
    lut[c.id] = PART_LABEL[id];
    const acc = byPart.get(id) ?? { weightMl: 0, centroid: [0, 0, 0] };
    for (let a = 0; a < 3; a++) acc.centroid[a]! += c.centroidLps[a]! * c.volumeMl;
    acc.weightMl += c.volumeMl;
    byPart.set(id, acc);
  }
  // Every labelled voxel is a voxel of `cc`'s runs (splits and the disc cut relabel only their
  // component's voxels). The part crop is needed by the coarse-voxel steps only.
  const partCrop = marrowRadiusMm > 0 ? mapLabels(labels, lut, cc, dims) : null;
  // Coarse voxels: the two hip pieces of a split pelvis meet at the pubic symphysis's cleft,
  // not wherever their grow-back met (segmentBonePubis.ts).
  const pubis = marrowRadiusMm > 0 ? splitPubicSymphysis(partCrop!, dims, g.spacingMm, m, ct, thresholds) : null;
  if (pubis) {
    const hipL = byPart.get('hipLeft'), hipR = byPart.get('hipRight');
    for (const [v, at, from, to] of [[pubis.toLeft, pubis.toLeftCentroidLps, hipR, hipL], [pubis.toRight, pubis.toRightCentroidLps, hipL, hipR]] as const) {
      if (v === 0) continue;
      const w = v * voxelMl;
      for (let a = 0; a < 3; a++) {
        if (from) from.centroid[a]! -= at[a]! * w;
        if (to) to.centroid[a]! += at[a]! * w;
      }
      if (from) from.weightMl -= w;
      if (to) to.weightMl += w;
    }
    if (pubis.toLeft + pubis.toRight > 0) notes.push(`pubic symphysis bridged: the hip bones parted at its cleft (${(pubis.toLeft * voxelMl).toFixed(0)} mL to the left hip, ${(pubis.toRight * voxelMl).toFixed(0)} mL to the right)`);
  }
  // Coarse voxels: a femoral head fused to its acetabulum (no joint gap at this voxel size)
  // is carved out of the hip part by its sphere, with the neck (segmentBoneJoints.ts).
  const carved = marrowRadiusMm > 0 ? carveFusedFemoralHeads(partCrop!, dims, g.spacingMm, m, ct, thresholds, minPieceVoxels) : [];
  for (const f of carved) {
    const w = f.voxels * voxelMl, hipAcc = byPart.get(f.side === 'left' ? 'hipLeft' : 'hipRight');
    if (hipAcc) for (let a = 0; a < 3; a++) hipAcc.centroid[a]! -= f.centroidLps[a]! * w;
    if (hipAcc) hipAcc.weightMl -= w;
    byPart.set(f.side === 'left' ? 'femurLeft' : 'femurRight', { weightMl: w, centroid: [f.centroidLps[0] * w, f.centroidLps[1] * w, f.centroidLps[2] * w] });
    notes.push(`${f.side} femoral head fused to the acetabulum: carved out by its sphere (radius ${f.head.radiusMm.toFixed(0)} mm${f.head.freeSurface ? `, refitted on the head's free surface, ${f.head.freeSurface.points} points` : ''}), ${w.toFixed(0)} mL with the neck`);
  }
  // Coarse voxels: the hip pieces grown back over the sacral alae are cut at the SI joint's plane.
  const siPlanes = marrowRadiusMm > 0 ? splitSacroiliacJoints(partCrop!, dims, g.spacingMm, m, ct, thresholds) : [];
  /** Hip voxels given to the sacrum: the parts' summaries follow. */
  const hipToSacrum = (side: 'left' | 'right', voxels: number, centroidLps: Vec3): void => {
    const w = voxels * voxelMl, hipAcc = byPart.get(side === 'left' ? 'hipLeft' : 'hipRight'), sacAcc = byPart.get('sacrum');
    for (let a = 0; a < 3; a++) {
      if (hipAcc) hipAcc.centroid[a]! -= centroidLps[a]! * w;
      if (sacAcc) sacAcc.centroid[a]! += centroidLps[a]! * w;
    }
    if (hipAcc) hipAcc.weightMl -= w;
    if (sacAcc) sacAcc.weightMl += w;
  };
  for (const si of siPlanes) {
    const w = si.moved * voxelMl;
    hipToSacrum(si.side, si.moved, si.movedCentroidLps);
    notes.push(`${si.side} SI joint bridged: ${w.toFixed(0)} mL medial of the joint's plane moved from the hip bone to the sacrum`);
  }
  // Coarse voxels: the lower sacrum and coccyx, grown over by the hip pieces, go back to the
  // sacrum (segmentBoneSacrum.ts: islands below the sacrum, slice by slice).
  if (marrowRadiusMm > 0) {
    const low = giveLowerSacrumItsSegments(partCrop!, dims, m);
    for (const [side, v, at] of [['left', low.fromLeft, low.centroidLeftLps], ['right', low.fromRight, low.centroidRightLps]] as const) {
      if (v === 0) continue;
      const w = v * voxelMl, hipAcc = byPart.get(side === 'left' ? 'hipLeft' : 'hipRight'), sacAcc = byPart.get('sacrum');
      for (let a = 0; a < 3; a++) {
        if (hipAcc) hipAcc.centroid[a]! -= at[a]! * w;
        if (sacAcc) sacAcc.centroid[a]! += at[a]! * w;
      }
      if (hipAcc) hipAcc.weightMl -= w;
      if (sacAcc) sacAcc.weightMl += w;
    }
    if (low.fromLeft + low.fromRight > 0) notes.push(`lower sacrum below the SI joints: ${((low.fromLeft + low.fromRight) * voxelMl).toFixed(0)} mL moved from the hip bones to the sacrum`);
    // Pieces of a hip label cut off from that hip bone and touching only the sacrum are the sacrum's (segmentBoneSacrum.ts).
    const detached = giveDetachedHipPiecesToSacrum(partCrop!, dims, m);
    for (const [side, v, at] of [['left', detached.fromLeft, detached.centroidLeftLps], ['right', detached.fromRight, detached.centroidRightLps]] as const) {
      if (v > 0) hipToSacrum(side, v, at);
    }
    if (detached.fromLeft + detached.fromRight > 0) notes.push(`hip-labelled pieces detached from their hip bone and touching only the sacrum given to the sacrum: ${detached.fromLeft + detached.fromRight} voxels`);
  }
  // Coarse voxels: the partial-volumed cortex no longer encloses the marrow; close each
  // part on its own and add what its closing encloses (segmentBoneMarrow.ts).
  if (marrowRadiusMm > 0) {
    const added = fillPartsByClosing(partCrop!, dims, g.spacingMm, marrowRadiusMm, ct, box, marrowFloorGrey, [...new Set([...lut, ...carved.map((f) => f.label)])].filter((l) => l > 0));
    let total = 0;
    for (const a of added.values()) total += a;
    if (total > 0) notes.push(`coarse voxels: marrow enclosed by a ${marrowRadiusMm.toFixed(1)} mm closing per part (${(total * voxelMl).toFixed(0)} mL added)`);
    // The hips' closings claim the ala's marrow next to the joint: medial of the joint line it is sacrum.
    for (const re of recutSacroiliacJoints(partCrop!, dims, m, siPlanes)) if (re.moved > 0) hipToSacrum(re.side, re.moved, re.centroidLps);
    // The sacrum's fatty marrow, opened to the outside by the foramina and the canal: what its
    // envelope holds except the channels (fat reaching outside the bone or the canal) and the
    // canal's band (segmentBoneMarrow.ts).
    const sacral = fillSacralMarrow(partCrop!, dims, g.spacingMm, m, ct, box, thresholds.softTissuePeakGrey - 3 * thresholds.softTissueSigmaGrey);
    const sacAcc = byPart.get('sacrum');
    if (sacral.added > 0 && sacAcc) {
      const w = sacral.added * voxelMl;
      for (let a = 0; a < 3; a++) sacAcc.centroid[a]! += sacral.centroidLps[a]! * w;
      sacAcc.weightMl += w;
      notes.push(`coarse voxels: sacral marrow within the sacrum's envelope added (${w.toFixed(0)} mL; ${(sacral.channelVoxels * voxelMl).toFixed(0)} mL of canal and foramina left out)`);
    }
    // The lumbar arches the sacrum grew up through the bridged L5/S1 facets (segmentBoneSacrum.ts).
    const arches = giveLumbarArchesAboveSacrumBack(partCrop!, dims, m);
    if (arches.toL5 + arches.toNone > 0) {
      const l5Acc = byPart.get('l5'), sAcc = byPart.get('sacrum');
      for (const [v, at, acc] of [[arches.toL5, arches.centroidToL5Lps, l5Acc], [arches.toNone, arches.centroidToNoneLps, undefined]] as const) {
        if (v === 0) continue;
        const w = v * voxelMl;
        for (let a = 0; a < 3; a++) {
          if (sAcc) sAcc.centroid[a]! -= at[a]! * w;
          if (acc) acc.centroid[a]! += at[a]! * w;
        }
        if (sAcc) sAcc.weightMl -= w;
        if (acc) acc.weightMl += w;
      }
      notes.push(`lumbar arches above L5's mid-height taken off the sacrum: ${(arches.toL5 * voxelMl).toFixed(0)} mL to L5, ${(arches.toNone * voxelMl).toFixed(0)} mL above L5 unlabelled`);
    }
  }
  const out = allocVoxels(Uint8Array, g.dims[0] * g.dims[1] * g.dims[2], { shared: options.shared ?? false });
  // With the helper (the label crop, its runs and the output on shared memory), slice by slice on both threads: the same bytes and counts.
  const written = partCrop
    ? writeCropToGrid(partCrop, dims, box, g.dims, out)
    : ccShared && canShareBoneSlabs(out, labels)
      ? sharedWriteRunLabels(labels, lut, ccShared, dims, box.min, g.dims, out)
      : writeRunLabelsToGrid(labels, lut, cc, dims, box, g.dims, out);
  const parts: BonePartSummary[] = [...byPart].map(([id, acc]) => ({
    id,
    label: PART_LABEL[id],
    volumeMl: written[PART_LABEL[id]]! * voxelMl,
    centroidLps: [acc.centroid[0] / acc.weightMl, acc.centroid[1] / acc.weightMl, acc.centroid[2] / acc.weightMl],
  }));
  return {
    labels: createVolume(options.id ?? `${ct0.id}-bone`, 'label', g, out),
    box,
    thresholds: usedThresholds,
    parts,
    notes,
    voxelsPerLabel: written,
  };
}
