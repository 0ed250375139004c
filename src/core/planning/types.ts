import type { Vec3 } from '../geometry/vec3';
import type { CorridorId, Side, StructureId } from '../shared/ids';

/**
 * Plain-data types of the planner (they cross worker boundaries and are saved
 * with the plan). Coordinates are LPS millimetres; lengths and distances mm.
 */

/** One screw model of the catalog. */
export type ScrewSpec = {
  /** Stable id saved in plans, e.g. "cannulated-7.3". */
  id: string;
  label: string;
  /** Outer (thread) diameter in mm. */
  diameterMm: number;
  /** Available lengths in mm, ascending (5 mm steps from 30 to 180 by default). */
  lengthsMm: number[];
  /** Length of the threaded tip part in mm (partially threaded screws). */
  threadLengthMm: number;
  /** Head (or washer) diameter in mm. */
  headDiameterMm: number;
  cannulated: boolean;
};

/** The user-editable screw catalog, saved with the plan. */
export type ScrewCatalog = { version: 1; screws: ScrewSpec[] };

/** User settings of a plan (DESIGN 1 defaults in `DEFAULT_PLAN_SETTINGS`). */
export type PlanSettings = {
  /** Safety margin added to the screw radius against every critical structure, mm (default 2). */
  safetyMarginMm: number;
  /** Healthy-bone purchase required on each side of the lesion, mm (default 15). */
  purchaseMm: number;
  /** Minimum surface gap between two screws of one plan, mm (default 3). */
  screwSpacingMm: number;
  /** Femoral neck: tip this far below the subchondral bone, at least / at most (default 5 and 10 mm). */
  femoralNeckTipMinMm: number;
  femoralNeckTipMaxMm: number;
  /**
   * Where a screw enters bone it crosses the cortex: the first (this + 1.5 screw radii) mm
   * of the axis past the bone entry are exempt from the breach check (default 3; the
   * 1.5 radii let an entry up to ~45 deg off the surface normal seat the whole cylinder).
   */
  entryZoneMm: number;
  /** Widest gap between two bones a screw may cross at a joint (sacroiliac), mm (default 6). */
  maxJointGapMm: number;
  /**
   * Length of the screw AXIS that must run through the lesion, mm (default 8, about one
   * screw diameter): a screw that only grazes the lesion's edge does not fix it. For a
   * lesion smaller than twice this, the requirement is half the lesion's size
   * (equivalent-sphere diameter) instead, so that a small lesion can still be bridged
   * (checks/lesionSpan.ts).
   */
  minLesionSpanMm: number;
};

export const DEFAULT_PLAN_SETTINGS: Readonly<PlanSettings> = Object.freeze({
  safetyMarginMm: 2,
  purchaseMm: 15,
  screwSpacingMm: 3,
  femoralNeckTipMinMm: 5,
  femoralNeckTipMaxMm: 10,
  entryZoneMm: 3,
  maxJointGapMm: 6,
  minLesionSpanMm: 8,
});

/**
 * A planned screw: the axis from the bone entry point (`entryLps`, where the
 * head seats on the cortex) to the tip (`tipLps`); |tip - entry| = lengthMm.
 */
export type Screw = {
  id: string;
  corridorId: CorridorId;
  /** The entry side (patient's); null for midline corridors. */
  side: Side | null;
  entryLps: Vec3;
  tipLps: Vec3;
  diameterMm: number;
  lengthMm: number;
  /** Catalog entry this screw comes from ("" for a free-hand edit). */
  catalogId: string;
};

export type CheckRule = 'purchase' | 'lesionSpan' | 'corticalBreach' | 'tipPosition' | 'clearance' | 'screwSpacing' | 'skinPath' | 'structuresModelled';

/**
 * Why a critical structure has no model on this CT (so no clearance to it can be checked):
 * 'notFound' (the detection did not find it and the user has not added it) or 'absent' (the user
 * marked it absent). Structures with a model are not listed. Plain data (crosses to the workers).
 */
export type StructureWithoutModel = 'notFound' | 'absent';
export type StructuresWithoutModel = Partial<Record<StructureId, StructureWithoutModel>>;

/**
 * Result of one clinical rule for one screw: data, never an exception.
 * `ok` is decided on the conservative value: valueMm - toleranceMm >= requiredMm.
 * `marginMm` = valueMm - toleranceMm - requiredMm: by how much it passes (>= 0) or fails (< 0).
 */
export type CheckResult = {
  rule: CheckRule;
  ok: boolean;
  /** The measured figure in mm (field estimate). */
  valueMm: number;
  requiredMm: number;
  /** Discretisation uncertainty of `valueMm` (voxel size, sampling step), mm. */
  toleranceMm: number;
  marginMm: number;
  structureId?: StructureId;
  otherScrewId?: string;
  /** Where the worst value was found, LPS mm. */
  atLps?: Vec3;
  /** Human-readable one-liner, e.g. "clears foramenS1Left by 3.4 mm (needs 2 mm)". */
  detail: string;
  /** Extra figures of the rule (e.g. purchase near and far), mm. */
  figures?: Record<string, number>;
  /**
   * True when `valueMm` is only a LOWER BOUND of the true figure (clearance: the screw
   * stays beyond the structure field's sub-box, where the field holds its cap
   * `FieldSet.structureMarginMm`); print it as "> value". Absent = an estimate.
   */
  isLowerBound?: boolean;
};

/** Everything the checks say about one screw, plus figures for the report. */
export type ScrewEvaluation = {
  screwId: string;
  ok: boolean;
  checks: CheckResult[];
  purchaseNearMm: number;
  purchaseFarMm: number;
  /** Length of the axis inside the lesion, mm. */
  lesionSpanMm: number;
  /** Smallest structure clearance (surface to surface, mm) and which structure. */
  minClearanceMm: number;
  minClearanceStructure: StructureId | null;
  /** True when `minClearanceMm` is a lower bound (every structure is beyond its field's cap), see CheckResult.isLowerBound. */
  minClearanceIsLowerBound?: boolean;
  /** Smallest depth of the screw surface inside bone between entry zone and tip, mm (negative = breach). */
  minBoneCoverMm: number;
  /** Where the path from the bone entry backwards leaves the field grid (toward the skin), LPS mm. */
  pathExitLps: Vec3;
  /**
   * Limiting structures of the screw's corridor that have NO field in the field set, so no
   * clearance could be checked against them (e.g. foramina not detected): show them to the user.
   */
  uncheckedStructures?: StructureId[];
};

/** A screw proposed by the search with its score and evaluation. */
export type RankedScrew = { screw: Screw; score: number; evaluation: ScrewEvaluation; angleFromIdealDeg: number };

/** The explained outcome of one corridor for one lesion. */
export type CorridorOutcome = {
  corridorId: CorridorId;
  side: Side | null;
  available: boolean;
  /** Best screws first (at most a few, geometrically distinct). */
  screws: RankedScrew[];
  /** Why the corridor is unavailable (or a note when it is), e.g. "no S1 corridor: widest 6.8 mm for 7.3 + 2 x 2 mm". */
  reason: string;
  /** Widest screw diameter (mm) any candidate line through the lesion takes with the cortex alone / with the structure margins. */
  widestInBoneMm: number;
  widestWithMarginsMm: number;
  candidatesScored: number;
  /** How many candidate lines stopped at each stage (why the others failed), e.g. { narrow: 812, purchase: 40 }. */
  rejectCounts: Record<string, number>;
  /**
   * Corridors that take several parallel screws (femoral neck): the set that
   * goes together (2-3 screws, inverted triangle), empty otherwise. Every screw
   * keeps every margin; a screw of the set that does not reach the lesion fails
   * only its purchase and lesion-span rules, and the set holds at least one bridging screw.
   */
  parallelSet: RankedScrew[];
};

export type PlanResult = {
  generation: number;
  fieldsGeneration: number;
  corridors: CorridorOutcome[];
  /** The proposed set: screws that work together (spacing checked), best first. */
  screws: RankedScrew[];
  candidatesScored: number;
  elapsedMs: number;
};
