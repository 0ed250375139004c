import { z } from 'zod';
import { DEFAULT_PLAN_SETTINGS } from '../planning/types';

// No generated validators: zod's probe for `new Function` is reported as a violation by the
// app's Content-Security-Policy (no 'unsafe-eval'), even though zod catches it.
z.config({ jitless: true });

/**
 * Schema of the plan file (JSON), version 1. The file is
 *
 *   { format: 'pelvic-screw-plan', formatVersion: 1, software, savedAtIso,
 *     plan: { series, catalog, settings, structures, structureReview, screws, overrides },
 *     hash: { algorithm: 'SHA-256', hex } }
 *
 * and `hash.hex` is the SHA-256 of the canonical JSON (canonicalJson.ts) of
 * `plan` alone: the same plan saved twice, by another software version or at
 * another time, has the same hash, which the PDF prints on every page.
 *
 * Shapes mirror the planner's plain-data types (planning/types.ts: ScrewSpec,
 * ScrewCatalog, PlanSettings, Screw) plus what the report and a reopened
 * session need (skin entry, overrides with who and why, structure review
 * state, series identity and grid). Coordinates are LPS millimetres.
 */

export const PLAN_FILE_FORMAT = 'pelvic-screw-plan';
export const PLAN_FILE_VERSION = 1;

const finite = z.number();
const positive = z.number().positive();
const vec3 = z.tuple([finite, finite, finite]);
const nonEmpty = z.string().min(1);

export const corridorIdSchema = z.enum([
  'iliosacralS1', 'iliosacralS2', 'transsacralS1', 'transsacralS2', 'supraAcetabular',
  'anteriorColumnAntegrade', 'anteriorColumnRetrograde', 'iliacWing', 'femoralNeck',
]);

export const structureIdSchema = z.enum([
  'foramenS1Left', 'foramenS1Right', 'foramenS2Left', 'foramenS2Right',
  'foramenS3Left', 'foramenS3Right', 'foramenS4Left', 'foramenS4Right',
  'rootL5Left', 'rootL5Right', 'rootS1Left', 'rootS1Right', 'rootS2Left', 'rootS2Right',
  'sacralCanal', 'jointLeft', 'jointRight',
]);

export const sideSchema = z.enum(['left', 'right']);

/** Identity and grid of the planning series; import refuses a plan for another series. */
export const planSeriesSchema = z.strictObject({
  studyInstanceUid: nonEmpty,
  seriesInstanceUid: nonEmpty,
  frameOfReferenceUid: z.string().nullable(),
  description: z.string().nullable(),
  geometry: z.strictObject({
    dims: z.tuple([z.int().positive(), z.int().positive(), z.int().positive()]),
    spacingMm: z.tuple([positive, positive, positive]),
    originLps: vec3,
    direction: z.array(finite).length(9),
  }),
});

/** planning/types.ts ScrewSpec. */
export const screwSpecSchema = z.strictObject({
  id: nonEmpty,
  label: z.string(),
  diameterMm: positive,
  lengthsMm: z.array(positive).min(1),
  threadLengthMm: z.number().nonnegative(),
  headDiameterMm: positive,
  cannulated: z.boolean(),
});

export const catalogSchema = z.strictObject({
  version: z.literal(1),
  screws: z.array(screwSpecSchema).min(1),
});

/**
 * planning/types.ts PlanSettings. The fields of the first version are
 * required; fields added since have a default (the planner's), so that a plan
 * file saved before them still loads: `minLesionSpanMm` (added 2026-11). Its
 * hash is checked on the content as saved (toJson.ts), before the defaults.
 * Settings added later by the planner (numbers, strings or booleans) are kept.
 */
export const settingsSchema = z
  .object({
    safetyMarginMm: z.number().nonnegative(),
    purchaseMm: z.number().nonnegative(),
    screwSpacingMm: z.number().nonnegative(),
    femoralNeckTipMinMm: z.number().nonnegative(),
    femoralNeckTipMaxMm: z.number().nonnegative(),
    entryZoneMm: z.number().nonnegative(),
    maxJointGapMm: z.number().nonnegative(),
    minLesionSpanMm: z.number().nonnegative().default(DEFAULT_PLAN_SETTINGS.minLesionSpanMm),
  })
  .catchall(z.union([finite, z.string(), z.boolean()]));

/**
 * Review state of a segmented structure (the voxels themselves are not in the
 * JSON). `id` is a StructureId, 'lesion', or a bone part.
 */
export const structureStateSchema = z.strictObject({
  id: nonEmpty,
  status: z.enum(['automatic', 'confirmed', 'edited', 'absent']),
  reviewedBy: z.string().nullable(),
  /** Label value in the label volume (shared/ids.ts LABELS), when rasterised. */
  labelValue: z.int().nonnegative().nullable(),
  volumeMl: z.number().nonnegative().nullable(),
});

const unit3 = vec3;
const foramenIdSchema = z.enum([
  'foramenS1Left', 'foramenS1Right', 'foramenS2Left', 'foramenS2Right',
  'foramenS3Left', 'foramenS3Right', 'foramenS4Left', 'foramenS4Right',
]);
const rootIdSchema = z.enum(['rootL5Left', 'rootL5Right', 'rootS1Left', 'rootS1Right', 'rootS2Left', 'rootS2Right']);

/** anatomy/structures.ts TubeModel. */
export const tubeModelSchema = z.strictObject({
  id: z.union([rootIdSchema, z.literal('sacralCanal')]),
  centerlineLps: z.array(vec3).min(2),
  radiusMm: positive,
});

/**
 * anatomy/structures.ts CriticalStructures: the detected (and user-confirmed)
 * models of the foramina, sacral canal, roots and hip joint surfaces, LPS mm.
 * Small, so they go into the plan file whole.
 */
export const criticalStructuresSchema = z.strictObject({
  foramina: z.array(z.strictObject({ id: foramenIdSchema, centerLps: vec3, axisLps: unit3, radiusMm: positive, lengthMm: positive })),
  sacralCanal: tubeModelSchema.nullable(),
  roots: z.array(tubeModelSchema),
  joints: z.array(z.strictObject({
    id: z.enum(['jointLeft', 'jointRight']),
    side: sideSchema,
    centerLps: vec3,
    radiusMm: positive,
    capAxisLps: unit3,
    capHalfAngleDeg: z.number().min(0).max(180),
    rmsResidualMm: z.number().nonnegative(),
  })),
  notes: z.array(z.string()),
});

/** planning/types.ts Screw, plus the skin entry (null until computed). */
export const planScrewSchema = z.strictObject({
  id: nonEmpty,
  corridorId: corridorIdSchema,
  side: sideSchema.nullable(),
  entryLps: vec3,
  tipLps: vec3,
  diameterMm: positive,
  lengthMm: positive,
  catalogId: z.string(),
  skinEntryLps: vec3.nullable(),
});

/** A failed check the user accepted: who, why, when. */
export const overrideSchema = z.strictObject({
  screwId: nonEmpty,
  /** The planner's CheckRule, e.g. 'clearance'. */
  rule: nonEmpty,
  structureId: structureIdSchema.nullable(),
  by: nonEmpty,
  reason: nonEmpty,
  atIso: nonEmpty,
});

export const planContentSchema = z.strictObject({
  series: planSeriesSchema,
  catalog: catalogSchema,
  settings: settingsSchema,
  /** The critical-structure models the plan was checked against. */
  structures: criticalStructuresSchema,
  /** Review state of each segmented structure (automatic, confirmed, edited, absent; by whom). */
  structureReview: z.array(structureStateSchema),
  screws: z.array(planScrewSchema),
  overrides: z.array(overrideSchema),
});

export const planFileSchema = z.strictObject({
  format: z.literal(PLAN_FILE_FORMAT),
  formatVersion: z.literal(PLAN_FILE_VERSION),
  software: z.strictObject({ name: nonEmpty, version: nonEmpty }),
  savedAtIso: nonEmpty,
  plan: planContentSchema,
  hash: z.strictObject({ algorithm: z.literal('SHA-256'), hex: z.string().regex(/^[0-9a-f]{64}$/) }),
});

export type PlanSeries = z.infer<typeof planSeriesSchema>;
export type PlanScrew = z.infer<typeof planScrewSchema>;
export type PlanOverride = z.infer<typeof overrideSchema>;
export type StructureState = z.infer<typeof structureStateSchema>;
export type PlanStructures = z.infer<typeof criticalStructuresSchema>;
export type PlanContent = z.infer<typeof planContentSchema>;
export type PlanFile = z.infer<typeof planFileSchema>;
