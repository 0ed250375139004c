import type { z } from 'zod';
import type { Vec3 } from '../geometry/vec3';
import type { CheckResult, PlanSettings, Screw, ScrewCatalog, ScrewEvaluation, StructuresWithoutModel } from '../planning/types';
import type { StructureId } from '../shared/ids';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import type { SkinEntryResult } from './computeSkinEntry';
import { listStructureIds, type CriticalStructures } from '../anatomy/structures';
import { STRUCTURE_IDS } from '../shared/ids';
import type { catalogSchema, PlanContent, PlanOverride, PlanScrew, PlanStructures, StructureState } from './planSchema';
import type { ReportCheckInput, ReportClearanceInput, ReportImageInput, ReportScrewInput, ReportStructureInput } from './ReportModel';

/**
 * Adapters from the planner's plain data (planning/types.ts) to the report's
 * input and to the plan file, so the UI only passes what it holds.
 */

// Compile-time guard: the plan file's catalog is exactly the planner's ScrewCatalog.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const catalogMatches: Same<z.infer<typeof catalogSchema>, ScrewCatalog> = true;
const screwMatches: Same<Omit<PlanScrew, 'skinEntryLps'>, Screw> = true;
const structuresMatch: Same<PlanStructures, CriticalStructures> = true;
void catalogMatches;
void screwMatches;
void structuresMatch;

/** Check figures at or beyond this size are sentinels, not measurements, mm. */
const SENTINEL_MM = 1000;

/** Stable id of a check result: the rule, plus the structure or the other screw it concerns. */
export function checkIdOf(c: Pick<CheckResult, 'rule' | 'structureId' | 'otherScrewId'>): string {
  return `${c.rule}${c.structureId ? `:${c.structureId}` : ''}${c.otherScrewId ? `:${c.otherScrewId}` : ''}`;
}

/** The override of a failed check, if the plan holds one (same screw, rule and structure). */
export function findOverride(overrides: readonly PlanOverride[], screwId: string, c: CheckResult): PlanOverride | null {
  return overrides.find((o) => o.screwId === screwId && o.rule === c.rule && (o.structureId ?? null) === (c.structureId ?? null)) ?? null;
}

/** A planner CheckResult as the report shows it: pass, fail, or overridden (with who and why). */
export function reportCheckFromPlanner(screwId: string, c: CheckResult, overrides: readonly PlanOverride[]): ReportCheckInput {
  const o = c.ok ? null : findOverride(overrides, screwId, c);
  return {
    id: checkIdOf(c),
    label: c.detail,
    status: c.ok ? 'pass' : o ? 'overridden' : 'fail',
    // The planner uses huge values as "nothing found" sentinels (e.g. no other bone on the skin path): no figure to print.
    valueMm: Number.isFinite(c.valueMm) && Math.abs(c.valueMm) < SENTINEL_MM ? c.valueMm : null,
    requiredMm: Number.isFinite(c.requiredMm) && Math.abs(c.requiredMm) < SENTINEL_MM ? c.requiredMm : null,
    ...(c.isLowerBound ? { isLowerBound: true } : {}),
    ...(o ? { overriddenBy: o.by, reason: o.reason } : {}),
  };
}

/**
 * One screw of the report from the planner's screw and evaluation, the skin
 * entry (computeSkinEntry) and the images. Bone entry = `screw.entryLps`
 * (where the head seats), catalog length = `screw.lengthMm`, purchase from
 * the evaluation (null when the axis spans no lesion), clearances from the
 * 'clearance' checks, cortex clearance = `minBoneCoverMm`.
 */
export function reportScrewFromPlanner(
  screw: Screw,
  evaluation: ScrewEvaluation,
  skin: SkinEntryResult,
  options: { overrides?: readonly PlanOverride[]; images?: ReportImageInput[]; catalog?: ScrewCatalog } = {},
): ReportScrewInput {
  const overrides = options.overrides ?? [];
  const clearances: ReportClearanceInput[] = evaluation.checks
    .filter((c) => c.rule === 'clearance' && c.structureId)
    .map((c) => ({ structure: c.structureId!, clearanceMm: c.valueMm, requiredMm: c.requiredMm, ...(c.isLowerBound ? { isLowerBound: true } : {}) }));
  const label = options.catalog?.screws.find((s) => s.id === screw.catalogId)?.label;
  return {
    id: screw.id,
    corridor: screw.corridorId,
    side: screw.side,
    skinEntryLps: [...skin.skinEntryLps] as Vec3,
    skinEntryFound: skin.found,
    boneEntryLps: [...screw.entryLps] as Vec3,
    tipLps: [...screw.tipLps] as Vec3,
    diameterMm: screw.diameterMm,
    catalogLengthMm: screw.lengthMm,
    ...(label ? { catalogLabel: label } : {}),
    purchase: evaluation.lesionSpanMm > 0
      ? { nearMm: evaluation.purchaseNearMm, farMm: evaluation.purchaseFarMm, lesionSpanMm: evaluation.lesionSpanMm }
      : null,
    clearances,
    cortexClearanceMm: Number.isFinite(evaluation.minBoneCoverMm) ? evaluation.minBoneCoverMm : null,
    checks: evaluation.checks.map((c) => reportCheckFromPlanner(screw.id, c, overrides)),
    images: options.images ?? [],
  };
}

/** The plan file's content from what the session holds. Copies; keeps no reference to the inputs. */
export function planContentFromSession(session: {
  series: { studyInstanceUid: string; seriesInstanceUid: string; frameOfReferenceUid?: string | null; description?: string | null; geometry: VolumeGeometry };
  catalog: ScrewCatalog;
  settings: PlanSettings;
  structures: CriticalStructures;
  structureReview: readonly StructureState[];
  screws: readonly { screw: Screw; skinEntryLps: Vec3 | null }[];
  overrides: readonly PlanOverride[];
}): PlanContent {
  const g = session.series.geometry;
  return {
    series: {
      studyInstanceUid: session.series.studyInstanceUid,
      seriesInstanceUid: session.series.seriesInstanceUid,
      frameOfReferenceUid: session.series.frameOfReferenceUid ?? null,
      description: session.series.description ?? null,
      geometry: {
        dims: [g.dims[0], g.dims[1], g.dims[2]],
        spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
        originLps: [g.originLps[0], g.originLps[1], g.originLps[2]],
        direction: Array.from(g.direction),
      },
    },
    catalog: structuredCloneJson(session.catalog),
    settings: { ...session.settings },
    structures: structuredCloneJson(session.structures),
    structureReview: session.structureReview.map((s) => ({ ...s })),
    screws: session.screws.map(({ screw, skinEntryLps }): PlanScrew => ({
      id: screw.id, corridorId: screw.corridorId, side: screw.side,
      entryLps: [...screw.entryLps] as Vec3, tipLps: [...screw.tipLps] as Vec3,
      diameterMm: screw.diameterMm, lengthMm: screw.lengthMm, catalogId: screw.catalogId,
      skinEntryLps: skinEntryLps ? ([...skinEntryLps] as Vec3) : null,
    })),
    overrides: session.overrides.map((o) => ({ ...o })),
  };
}

function structuredCloneJson<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/**
 * The structure review as the report prints it, from the plan itself (so the PDF and the plan file
 * agree): every structure the planner can model, in its order. One with a model in the plan is
 * 'confirmed' or 'edited' as its review entry says, else 'automatic' (found, not reviewed); one
 * without a model is 'absent' when the user said so, else 'notFound'. Clearance was checked only
 * to those with a model.
 */
export function structureStatusOfPlan(plan: Pick<PlanContent, 'structures' | 'structureReview'>): ReportStructureInput[] {
  const modelled = new Set(listStructureIds(plan.structures));
  const review = new Map(plan.structureReview.map((r) => [r.id, r.status]));
  return STRUCTURE_IDS.map((id): ReportStructureInput => {
    const status = review.get(id);
    if (modelled.has(id)) return { id, state: status === 'confirmed' ? 'confirmed' : status === 'edited' ? 'edited' : 'automatic' };
    return { id, state: status === 'absent' ? 'absent' : 'notFound' };
  });
}

/**
 * The planner's `structuresWithoutModel` (its structuresModelled rule) from the plan: every structure
 * of `STRUCTURE_IDS` with no model in the plan, 'absent' when the user marked it so, else 'notFound'
 * (structureStatusOfPlan). Plain data, for the plan and live-check requests.
 */
export function structuresWithoutModelOfPlan(plan: Pick<PlanContent, 'structures' | 'structureReview'>): StructuresWithoutModel {
  const out: StructuresWithoutModel = {};
  for (const s of structureStatusOfPlan(plan)) if (s.state === 'absent' || s.state === 'notFound') out[s.id as StructureId] = s.state;
  return out;
}
