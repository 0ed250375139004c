import type { StructureId } from '../shared/ids';
import type { Volume } from '../volume/Volume';
import type { VolumeGeometry } from '../volume/VolumeGeometry';

/**
 * The distance fields the planner and the collision checks sample, all on one
 * region-of-interest grid (`geometry`), all in millimetres, Float32.
 *
 * Sign conventions (fixed; every consumer relies on them):
 * - `boneDepth`: signed distance to the bone surface. Positive inside bone
 *   (how deep the point is), negative outside (how far it is from bone).
 * - `lesion`: signed distance to the lesion surface. Negative inside the lesion,
 *   positive outside. Null when no lesion is segmented.
 * - `structures[id]`: unsigned distance to the critical structure (0 inside it).
 *   A screw of radius r at axis point p clears structure S by `structures[S](p) - r`.
 *   Memory: seventeen full-ROI fields would cost over 1 GB on a pelvis, so each
 *   structure field lives on a SUB-BOX of `geometry` (same axes and spacing, an
 *   integer voxel offset) covering the structure plus `structureMarginMm`.
 *   Always sample a structure field through its own `volume.geometry`
 *   (e.g. `sampleTrilinearLps(field, p, Infinity)`); outside its box the true
 *   distance is at least `structureMarginMm`, so `outside = structureMarginMm`
 *   is a safe (never over-estimating) value for clearance checks.
 *
 * `labels` is the label volume (LABELS in shared/ids.ts) on the same grid, so
 * that a check can tell which bone part a point is in.
 * `generation` is bumped when any field is recomputed after an edit.
 */
export type FieldSet = {
  readonly geometry: VolumeGeometry;
  readonly boneDepth: Volume<Float32Array>;
  readonly lesion: Volume<Float32Array> | null;
  readonly structures: Partial<Record<StructureId, Volume<Float32Array>>>;
  /** Margin in mm around each structure covered by its field's sub-box (see above). Absent = fields cover the whole ROI. */
  readonly structureMarginMm?: number;
  readonly labels: Volume<Uint8Array>;
  generation: number;
};
