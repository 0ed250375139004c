import type { CriticalStructures } from '../anatomy/structures';
import type { StructureId } from '../shared/ids';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import { transformPoint } from '../volume/VolumeGeometry';
import { allocVoxels } from '../volume/voxelBuffer';
import type { InsideSpec, VoxelBox } from './distanceTransform';
import type { ShapeFieldsTask } from './distanceTransform';
import { clampBox, computeDistanceField, insideLookup, runSlabs, runSlabTask, subGridGeometry } from './distanceTransform';
import type { FieldSet } from './FieldSet';
import type { StructureShape } from './structureDistance';
import { fillShapeField, shapeBoundsLps } from './structureDistance';
import { updateSignedField } from './updateSignedField';
import { boxOfLabelSet } from '../anatomy/labelBoxes';

export type BuildFieldSetOptions = {
  /** Margin in mm around the labelled bone and lesion for the ROI grid. Default 20. */
  roiMarginMm?: number;
  /** Explicit ROI on the label grid (overrides the automatic one). */
  roi?: VoxelBox;
  /** Margin in mm around each structure for its field's sub-box. Default 25. */
  structureMarginMm?: number;
  /** Allocate every field on SharedArrayBuffers. */
  shared?: boolean;
  /** Generation to stamp on the field set (e.g. the labels' generation). Default 0. */
  generation?: number;
  /**
   * Fields of the previous build, reused when their input did not change (see
   * {@link FieldSetCache}). Owned by the caller (one per label volume).
   */
  cache?: FieldSetCache;
  /**
   * Only the signed fields (bone depth, lesion), no structure field, and the cache's
   * structure fields left as they are: a build ahead of time (segmentationEngine.ts, while
   * the structures are being detected) whose fields the next build takes from `cache`.
   */
  signedFieldsOnly?: boolean;
  /**
   * Every edit of `labels`' voxels bumps `labels.generation` (the segmentation engine's labels:
   * labelEdits.ts, growLesion.ts; Volume.ts's contract). With `cache`, the ROI, the crop of the
   * labels and the bits of the previous build are then reused when the labels (the same voxel
   * array) are still at the generation it cropped (the build after `signedFieldsOnly` does not
   * crop again). Default false: the labels are cropped on every build.
   */
  editsBumpGeneration?: boolean;
};

/** The labels cropped to the ROI and the bits of the inside sets, as one build made them. */
export type RoiCrop = {
  roi: VoxelBox;
  labelsRoi: Volume<Uint8Array>;
  boneBits: Uint8Array;
  lesionBits: Uint8Array;
  lesionCount: number;
};

/**
 * What one build leaves for the next, so that a lesion click does not recompute
 * the bone depth (its inside set, bone + lesion, is unchanged when the lesion
 * grows inside the bone) nor the structure fields (unchanged models):
 * - the ROI and the label grid the fields were built on;
 * - one bit per ROI voxel of the bone-depth inside set and of the lesion, and the
 *   fields computed from them;
 * - each structure field keyed by its shape and margin.
 * A field is reused only when its input is bit-for-bit the same and its buffer is
 * still there (a field set transferred to another thread detaches it: then it is
 * recomputed). Fields are never written after they are built, so sharing one
 * between two field sets is safe. Memory: two bits per ROI voxel.
 */
export type FieldSetCache = {
  key: string;
  boneBits: Uint8Array | null;
  boneDepth: Volume<Float32Array> | null;
  lesionBits: Uint8Array | null;
  lesion: Volume<Float32Array> | null;
  structures: Map<string, Volume<Float32Array> | null>;
  /** Fields reused by the last build (for the bench and tests). */
  lastReused: string[];
  /** The last build's crop, the labels' voxel array and generation it was made from, and how its ROI was asked for (see `editsBumpGeneration`). */
  crop: (RoiCrop & { voxels: Uint8Array; generation: number; spec: string }) | null;
};

export function createFieldSetCache(): FieldSetCache {
  return { key: '', boneBits: null, boneDepth: null, lesionBits: null, lesion: null, structures: new Map(), lastReused: [], crop: null };
}

function usable(v: Volume<Float32Array> | null, n: number): v is Volume<Float32Array> {
  return v !== null && v.voxels.length === n;
}

/** Bounding box of the voxels whose bit differs between `a` and `b` (same length); null when none. */
function flippedBox(a: Uint8Array, b: Uint8Array, dims: readonly [number, number, number]): VoxelBox | null {
  const [ni, nj] = dims;
  let i0 = Infinity, j0 = Infinity, k0 = Infinity, i1 = -1, j1 = -1, k1 = -1;
  for (let w = 0; w < a.length; w++) {
    const x = a[w]! ^ b[w]!;
    if (x === 0) continue;
    for (let bit = 0; bit < 8; bit++) {
      if (!(x & (1 << bit))) continue;
      const t = 8 * w + bit;
      const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
      if (i < i0) i0 = i;
      if (i > i1) i1 = i;
      if (j < j0) j0 = j;
      if (j > j1) j1 = j;
      if (k < k0) k0 = k;
      if (k > k1) k1 = k;
    }
  }
  return i1 < 0 ? null : { min: [i0, j0, k0], max: [i1 + 1, j1 + 1, k1 + 1] };
}

/** Margin (mm) of the local box of an incremental field update (updateSignedField). */
const UPDATE_MARGIN_MM = 30;

/** Label values that count as bone for the bone-depth field: the bone parts and the lesion inside them. */
export const BONE_DEPTH_LABELS: readonly number[] = [...BONE_LABELS, LABELS.lesion];

/**
 * Box of voxels whose label is in `lut`, grown by `marginMm`; null when there is none.
 * From the per-label boxes of one pass that skips background words (anatomy/labelBoxes.ts
 * boxOfLabelSet: the union of the boxes of the labels in `lut` is the box of their voxels).
 */
export function computeLabelBox(labels: Volume<Uint8Array>, lut: Uint8Array, marginMm: number): VoxelBox | null {
  const b = boxOfLabelSet(labels.voxels, labels.geometry.dims, lut);
  if (!b) return null;
  const s = labels.geometry.spacingMm;
  const mi = Math.ceil(marginMm / s[0]), mj = Math.ceil(marginMm / s[1]), mk = Math.ceil(marginMm / s[2]);
  return clampBox({ min: [b[0] - mi, b[1] - mj, b[2] - mk], max: [b[3] + 1 + mi, b[4] + 1 + mj, b[5] + 1 + mk] }, labels.geometry);
}

/** Converts structure models to analytic shapes keyed by structure id. */
export function structureShapes(structures: CriticalStructures): Partial<Record<StructureId, StructureShape>> {
  const out: Partial<Record<StructureId, StructureShape>> = {};
  for (const f of structures.foramina) {
    const inner: [number, number, number] = [
      f.centerLps[0] - f.axisLps[0] * f.lengthMm,
      f.centerLps[1] - f.axisLps[1] * f.lengthMm,
      f.centerLps[2] - f.axisLps[2] * f.lengthMm,
    ];
    out[f.id] = { kind: 'tube', pointsLps: [inner, [...f.centerLps]], radiusMm: f.radiusMm };
  }
  if (structures.sacralCanal) out.sacralCanal = { kind: 'tube', pointsLps: structures.sacralCanal.centerlineLps, radiusMm: structures.sacralCanal.radiusMm };
  for (const r of structures.roots) out[r.id] = { kind: 'tube', pointsLps: r.centerlineLps, radiusMm: r.radiusMm };
  for (const j of structures.joints) {
    out[j.id] = { kind: 'cap', centerLps: j.centerLps, radiusMm: j.radiusMm, axisLps: j.capAxisLps, halfAngleRad: (j.capHalfAngleDeg * Math.PI) / 180 };
  }
  return out;
}

/**
 * Fills a Float32 field with the analytic distance to `shape` on the sub-box of
 * `grid` that covers the shape plus `marginMm` (clamped to the grid). Returns null
 * when that box misses the grid entirely.
 */
export function computeShapeField(grid: VolumeGeometry, shape: StructureShape, marginMm: number, options: { shared?: boolean; id?: string } = {}): Volume<Float32Array> | null {
  const g = shapeFieldGeometry(grid, shape, marginMm);
  if (!g) return null;
  const [mi, mj, mk] = g.dims;
  const out = allocVoxels(Float32Array, mi * mj * mk, { shared: options.shared ?? false });
  fillShapeField(out, [mi, mj, mk], g.ijkToLps, shape);
  return createVolume(options.id ?? 'structure', 'field', g, out);
}

/** The sub-grid of `grid` a structure field covers (the shape plus `marginMm`, clamped); null when it misses the grid. */
export function shapeFieldGeometry(grid: VolumeGeometry, shape: StructureShape, marginMm: number): VolumeGeometry | null {
  const { minLps, maxLps } = shapeBoundsLps(shape);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const p: [number, number, number] = [0, 0, 0];
  for (let c = 0; c < 8; c++) {
    const q: [number, number, number] = [
      c & 1 ? maxLps[0] + marginMm : minLps[0] - marginMm,
      c & 2 ? maxLps[1] + marginMm : minLps[1] - marginMm,
      c & 4 ? maxLps[2] + marginMm : minLps[2] - marginMm,
    ];
    transformPoint(p, grid.lpsToIjk, q);
    for (let a = 0; a < 3; a++) {
      lo[a] = Math.min(lo[a]!, p[a]!);
      hi[a] = Math.max(hi[a]!, p[a]!);
    }
  }
  const [ni, nj, nk] = grid.dims;
  const box: VoxelBox = {
    min: [Math.max(0, Math.floor(lo[0]!)), Math.max(0, Math.floor(lo[1]!)), Math.max(0, Math.floor(lo[2]!))],
    max: [Math.min(ni, Math.ceil(hi[0]!) + 1), Math.min(nj, Math.ceil(hi[1]!) + 1), Math.min(nk, Math.ceil(hi[2]!) + 1)],
  };
  if (box.max[0] <= box.min[0] || box.max[1] <= box.min[1] || box.max[2] <= box.min[2]) return null;
  return subGridGeometry(grid, box);
}

/**
 * The labels cropped to the ROI (bone + lesion + the margin, or `options.roi`) and one bit per
 * ROI voxel of the bone-depth inside set (`boneLut`) and of the lesion. Throws
 * `segmentation/no-bone` when the labels hold no bone.
 */
export function cropLabels(labels: Volume<Uint8Array>, boneLut: Uint8Array, shared: boolean, options: BuildFieldSetOptions): RoiCrop {
  const roi = options.roi ? clampBox(options.roi, labels.geometry) : computeLabelBox(labels, boneLut, options.roiMarginMm ?? 20);
  if (!roi) throw new PlannerError('segmentation/no-bone', `label volume ${labels.id} holds no bone label`);
  const geometry = subGridGeometry(labels.geometry, roi);
  const [ni, nj, nk] = geometry.dims;
  const n = ni * nj * nk;
  const roiLabels = allocVoxels(Uint8Array, n, { shared });
  const boneBits = new Uint8Array((n + 7) >> 3);
  const lesionBits = new Uint8Array((n + 7) >> 3);
  const [gi, gj] = labels.geometry.dims;
  const src = labels.voxels;
  const lesionLabel = LABELS.lesion;
  let p = 0, lesionCount = 0;
  // Rows copied whole; the bits looked at only for labelled voxels (background is in neither set:
  // the lesion label is not 0), the background skipped eight voxels at a time where the row's
  // bytes are 8-aligned (a Float64 whose bytes are all 0 is +0: `x === 0` and not -0).
  const skipBackground = !boneLut[0];
  const eights = skipBackground && src.byteOffset % 8 === 0 ? new Float64Array(src.buffer, src.byteOffset, src.length >> 3) : null;
  // Sets the bits of a labelled voxel `v` at ROI index `t`; 1 when it is a lesion voxel.
  const mark = (v: number, t: number): number => {
    if (boneLut[v]) boneBits[t >> 3] |= 1 << (t & 7);
    if (v !== lesionLabel) return 0;
    lesionBits[t >> 3] |= 1 << (t & 7);
    return 1;
  };
  for (let k = roi.min[2]; k < roi.max[2]; k++) {
    for (let j = roi.min[1]; j < roi.max[1]; j++) {
      const q0 = roi.min[0] + gi * (j + gj * k);
      roiLabels.set(src.subarray(q0, q0 + ni), p);
      if (!eights) {
        for (let i = 0; i < ni; i++, p++) {
          const v = src[q0 + i]!;
          if (v === 0 && skipBackground) continue;
          if (boneLut[v]) boneBits[p >> 3] |= 1 << (p & 7);
          if (v === lesionLabel) {
            lesionBits[p >> 3] |= 1 << (p & 7);
            lesionCount++;
          }
        }
        continue;
      }
      // Voxels one by one up to the first 8-aligned one and in the tail; whole words between,
      // an all-zero word (Float64 +0) being eight background voxels.
      const q1 = q0 + ni;
      const head = Math.min(q1, (q0 + 7) & ~7);
      let q = q0;
      for (; q < head; q++, p++) if (src[q] !== 0) lesionCount += mark(src[q]!, p);
      for (; q + 8 <= q1; q += 8, p += 8) {
        const x = eights[q >> 3]!;
        if (x === 0 && Object.is(x, 0)) continue;
        for (let e = 0; e < 8; e++) if (src[q + e] !== 0) lesionCount += mark(src[q + e]!, p + e);
      }
      for (; q < q1; q++, p++) if (src[q] !== 0) lesionCount += mark(src[q]!, p);
    }
  }
  return { roi, labelsRoi: createVolume(`${labels.id}-roi`, 'label', geometry, roiLabels), boneBits, lesionBits, lesionCount };
}

/**
 * Builds the {@link FieldSet} from a label volume (bone parts, lesion) and the
 * critical-structure models:
 * - ROI: the labelled bone and lesion plus `roiMarginMm`;
 * - `boneDepth`: signed EDT of bone parts + lesion, positive inside (mm);
 * - `lesion`: signed EDT of the lesion, negative inside; null when no lesion voxel;
 * - one unsigned analytic field per structure on its own sub-box (FieldSet contract).
 * Throws `segmentation/no-bone` when the labels hold no bone.
 */
export function buildFieldSet(labels: Volume<Uint8Array>, structures: CriticalStructures, options: BuildFieldSetOptions = {}): FieldSet {
  const shared = options.shared ?? false;
  const boneLut = insideLookup(BONE_DEPTH_LABELS);
  const cache = options.cache;
  // The previous build's crop when the labels cannot have changed since (same array, same generation).
  const spec = `${options.roi ? JSON.stringify(options.roi) : `margin ${options.roiMarginMm ?? 20}`}:${shared}`;
  const prior = cache?.crop;
  const reuseCrop = options.editsBumpGeneration === true && prior != null && prior.voxels === labels.voxels && prior.generation === labels.generation && prior.spec === spec && prior.labelsRoi.voxels.length > 0;
  const crop = reuseCrop ? prior : cropLabels(labels, boneLut, shared, options);
  const { roi, labelsRoi, boneBits, lesionBits, lesionCount } = crop;
  const geometry = labelsRoi.geometry;
  const [ni, nj, nk] = geometry.dims;
  const n = ni * nj * nk;
  const lesionLabel = LABELS.lesion;
  const reused: string[] = [];
  const key = `${labels.geometry.dims.join(',')}:${roi.min.join(',')}:${roi.max.join(',')}:${Array.from(labels.geometry.ijkToLps).join(',')}:${shared}`;
  if (cache && cache.key !== key) {
    cache.key = key;
    cache.boneBits = cache.lesionBits = null;
    cache.boneDepth = cache.lesion = null;
    cache.structures.clear();
  }
  /**
   * A signed field from the cache: as it is when its inside set is unchanged, updated
   * locally when a few voxels changed side (updateSignedField), else computed afresh.
   */
  const signedField = (name: 'boneDepth' | 'lesion', old: Volume<Float32Array> | null, oldBits: Uint8Array | null, bits: Uint8Array, inside: InsideSpec, signed: 'insidePositive' | 'insideNegative'): Volume<Float32Array> => {
    if (cache && usable(old, n) && oldBits && oldBits.length === bits.length) {
      // The same bits object: the crop was reused, so nothing flipped.
      const box = oldBits === bits ? null : flippedBox(oldBits, bits, geometry.dims);
      if (!box) {
        reused.push(name);
        return old;
      }
      const updated = updateSignedField(old, labelsRoi, { inside, signed, flippedBox: box, marginMm: UPDATE_MARGIN_MM, shared, id: name });
      if (updated) {
        reused.push(`${name} (updated locally)`);
        return updated;
      }
    }
    return computeDistanceField(labelsRoi, { inside, signed, shared, id: name });
  };
  const boneDepth = signedField('boneDepth', cache?.boneDepth ?? null, cache?.boneBits ?? null, boneBits, boneLut, 'insidePositive');
  const lesion = lesionCount > 0 ? signedField('lesion', cache?.lesion ?? null, cache?.lesionBits ?? null, lesionBits, lesionLabel, 'insideNegative') : null;
  const structureMarginMm = options.structureMarginMm ?? 25;
  const shapes = options.signedFieldsOnly ? {} : structureShapes(structures);
  const fields: Partial<Record<StructureId, Volume<Float32Array>>> = {};
  const nextStructures = new Map<string, Volume<Float32Array> | null>();
  // The fields not in the cache are allocated here and filled afterwards, all at once: split
  // across this thread and the EDT helper when there is one (independent fields, same code).
  const fill: ShapeFieldsTask = { kind: 'shapeFields', fields: [] };
  let fillVoxels = 0;
  for (const id of Object.keys(shapes) as StructureId[]) {
    const shape = shapes[id]!;
    const shapeKey = `${id}:${structureMarginMm}:${JSON.stringify(shape)}`;
    const cached = cache?.structures.get(shapeKey);
    let f: Volume<Float32Array> | null;
    if (cached !== undefined && (cached === null || cached.voxels.length > 0)) {
      f = cached;
      reused.push(id);
    } else {
      const g = shapeFieldGeometry(geometry, shape, structureMarginMm);
      if (g) {
        const dims: [number, number, number] = [g.dims[0], g.dims[1], g.dims[2]];
        const out = allocVoxels(Float32Array, dims[0] * dims[1] * dims[2], { shared });
        fill.fields.push({ shape, dims, ijkToLps: g.ijkToLps, out });
        fillVoxels += out.length;
        f = createVolume(id, 'field', g, out);
      } else f = null;
    }
    nextStructures.set(shapeKey, f);
    if (f) fields[id] = f;
  }
  // Costliest first (voxels x tube segments; a cap costs about two segments a voxel): the two
  // threads then end close together. The order changes no value.
  const cost = (f: ShapeFieldsTask['fields'][number]): number => f.out.length * (f.shape.kind === 'tube' ? Math.max(1, f.shape.pointsLps.length - 1) : 2);
  fill.fields.sort((a, b) => cost(b) - cost(a));
  if (shared) runSlabs(fill, fill.fields.length, fillVoxels);
  else runSlabTask(fill, 0, fill.fields.length);
  if (cache) {
    cache.boneBits = boneBits;
    cache.boneDepth = boneDepth;
    cache.lesionBits = lesionCount > 0 ? lesionBits : null;
    cache.lesion = lesion;
    if (!options.signedFieldsOnly) cache.structures = nextStructures;
    cache.lastReused = reused;
    cache.crop = options.editsBumpGeneration === true ? { ...crop, voxels: labels.voxels, generation: labels.generation, spec } : null;
  }
  return {
    geometry,
    boneDepth,
    lesion,
    structures: fields,
    structureMarginMm,
    labels: labelsRoi,
    generation: options.generation ?? 0,
  };
}
