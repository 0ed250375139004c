import type { Vec3 } from '../geometry/vec3';
import type { ScrewEvaluation } from '../planning/types';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import type { VoxelArray } from '../volume/voxelBuffer';
import { computeSkinEntry, type SkinEntryResult } from './computeSkinEntry';
import { reportScrewFromPlanner, structureStatusOfPlan } from './fromPlanner';
import type { PlanContent, PlanScrew } from './planSchema';
import { createReportModel, COLLINEAR_TOLERANCE_MM, type ReportInput, type ReportModel, type ReportScrewInput } from './ReportModel';
import { exportPlanJson } from './toJson';
import { reportToPdf, type PaperSize } from './toPdf';
import { computeOverviewProjection, computeTrajectoryImages } from './trajectoryImages';

/**
 * The whole report of an open plan in one call, for the report panel and for
 * tests: skin entries on the CT, images, report model, PDF and plan file.
 *
 * The plan file and the PDF describe the SAME plan: a screw whose skin entry
 * is not in the plan yet (null, or no longer on its axis after an edit) gets
 * the one found on the CT, and that completed plan is what is hashed, written
 * to JSON and printed. Exporting the completed plan again gives the same hash.
 */

export type BuildReportOptions = {
  paper: PaperSize;
  /** Leave the patient's name, ID, birth date, accession number and study date out. */
  anonymous: boolean;
  plannedBy?: string;
  software: { name: string; version: string };
  /** When the report is made (ISO 8601); core reads no clock. */
  generatedAtIso: string;
  patient?: ReportInput['patient'];
  study?: ReportInput['study'];
  series?: {
    modality?: string;
    /** DICOM PatientPosition, e.g. HFS (decides the gantry wording). */
    patientPosition?: string | null;
    seriesNumber?: number | null;
    instanceNumbers?: readonly number[] | null;
  };
  maxGantryTiltDeg?: number;
  /** The lesion as the session has it (volume, diameters, how its outline came about). */
  lesion?: ReportInput['lesion'];
  /** Cautions about the segmentation the plan was checked against (ReportInput.segmentationCautions). */
  segmentationCautions?: ReportInput['segmentationCautions'];
  /** Side of the square trajectory images, pixels (default 224). */
  imageSizePx?: number;
};

export type BuiltReport = {
  pdfBytes: Uint8Array;
  /** The plan file (text) and its SHA-256, printed on every page of the PDF. */
  json: { text: string; hashHex: string };
  model: ReportModel;
  /** The plan as written to the file (skin entries completed). */
  plan: PlanContent;
};

/** Distance of `p` from the line through a and b, and its signed position along b - a (0 at a), mm. */
function lineOffset(p: Readonly<Vec3>, a: Readonly<Vec3>, b: Readonly<Vec3>): { offMm: number; alongMm: number } {
  const d: Vec3 = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
  const len = Math.hypot(d[0], d[1], d[2]);
  const v: Vec3 = [p[0] - a[0], p[1] - a[1], p[2] - a[2]];
  const along = (v[0] * d[0] + v[1] * d[1] + v[2] * d[2]) / len;
  const off = Math.hypot(v[0] - (d[0] / len) * along, v[1] - (d[1] / len) * along, v[2] - (d[2] / len) * along);
  return { offMm: off, alongMm: along };
}

/**
 * The skin entry to print for a screw: the plan's, when it still lies on the
 * screw's axis outward of the bone entry; otherwise the first air along the
 * axis on the CT (computeSkinEntry).
 */
export function skinEntryForScrew(ct: Volume<VoxelArray>, screw: PlanScrew): SkinEntryResult {
  const stored = screw.skinEntryLps;
  if (stored) {
    // Along tip -> entry, the skin lies beyond the entry.
    const { offMm, alongMm } = lineOffset(stored, screw.tipLps, screw.entryLps);
    const entryAlong = Math.hypot(screw.entryLps[0] - screw.tipLps[0], screw.entryLps[1] - screw.tipLps[1], screw.entryLps[2] - screw.tipLps[2]);
    if (offMm <= COLLINEAR_TOLERANCE_MM / 2 && alongMm >= entryAlong) {
      // airThreshold: not measured here (the plan's point is kept as it is).
      return { found: true, skinEntryLps: [...stored] as Vec3, skinToBoneMm: alongMm - entryAlong, airThreshold: Number.NaN };
    }
  }
  return computeSkinEntry(ct, screw.entryLps, screw.tipLps);
}

function checkGrid(plan: PlanContent, ct: Volume<VoxelArray>): void {
  const g = ct.geometry, p = plan.series.geometry;
  const same = p.dims.every((d, i) => d === g.dims[i])
    && p.spacingMm.every((s, i) => Math.abs(s - g.spacingMm[i]!) <= 0.01)
    && p.originLps.every((s, i) => Math.abs(s - g.originLps[i]!) <= 0.01)
    && p.direction.every((s, i) => Math.abs(s - g.direction[i]!) <= 1e-4);
  if (!same) {
    throw new PlannerError('report/bad-input', `the plan was made on a ${p.dims.join(' x ')} grid, the volume given has ${g.dims.join(' x ')} (or another position): the report must be made on the planning series`);
  }
}

/**
 * Builds the report of `plan` on the CT it was planned on. Throws
 * `report/bad-input` when a screw has no evaluation yet (still being
 * checked), when the volume is not the plan's grid, or when the model refuses
 * the input; the message says which screw.
 */
export async function buildReport(
  plan: PlanContent,
  evaluations: Readonly<Record<string, ScrewEvaluation>>,
  ct: Volume<VoxelArray>,
  options: BuildReportOptions,
): Promise<BuiltReport> {
  checkGrid(plan, ct);
  if (plan.screws.length === 0) throw new PlannerError('report/bad-input', 'the plan has no screw: plan or place a screw first');
  const size = options.imageSizePx ?? 224;
  const skins = plan.screws.map((s) => skinEntryForScrew(ct, s));
  const completed: PlanContent = {
    ...plan,
    screws: plan.screws.map((s, n) => ({ ...s, skinEntryLps: skins[n]!.found ? ([...skins[n]!.skinEntryLps] as Vec3) : null })),
  };
  const json = exportPlanJson(completed, { software: options.software, savedAtIso: options.generatedAtIso });
  const screws: ReportScrewInput[] = completed.screws.map((s, n) => {
    const evaluation = evaluations[s.id];
    if (!evaluation) throw new PlannerError('report/bad-input', `screw ${n + 1} (${s.id}) is still being checked: export once every screw shows its result`);
    const skin = skins[n]!;
    return reportScrewFromPlanner(s, evaluation, skin, {
      overrides: completed.overrides,
      catalog: completed.catalog,
      images: computeTrajectoryImages(ct, { skinEntryLps: skin.skinEntryLps, boneEntryLps: s.entryLps, tipLps: s.tipLps, diameterMm: s.diameterMm }, { sizePx: size }),
    });
  });
  const overview = computeOverviewProjection(ct, screws.map((s) => ({ skinEntryLps: s.skinEntryLps, boneEntryLps: s.boneEntryLps, tipLps: s.tipLps, diameterMm: s.diameterMm })), { maxSizePx: 320 });
  for (const s of screws) s.images.push(overview);
  const series = options.series ?? {};
  const model = createReportModel({
    software: options.software,
    generatedAtIso: options.generatedAtIso,
    planHashHex: json.hashHex,
    anonymous: options.anonymous,
    patient: options.patient ?? {},
    study: options.study ?? {},
    series: {
      geometry: ct.geometry,
      studyInstanceUid: completed.series.studyInstanceUid,
      seriesInstanceUid: completed.series.seriesInstanceUid,
      ...(completed.series.frameOfReferenceUid ? { frameOfReferenceUid: completed.series.frameOfReferenceUid } : {}),
      ...(completed.series.description ? { seriesDescription: completed.series.description } : {}),
      seriesNumber: series.seriesNumber ?? null,
      modality: series.modality ?? 'CT',
      patientPosition: series.patientPosition ?? null,
      instanceNumbers: series.instanceNumbers ?? null,
    },
    ...(options.plannedBy ? { plannedBy: options.plannedBy } : {}),
    ...(options.maxGantryTiltDeg !== undefined ? { maxGantryTiltDeg: options.maxGantryTiltDeg } : {}),
    requiredPurchaseMm: completed.settings.purchaseMm,
    ...(options.lesion ? { lesion: options.lesion } : {}),
    ...(options.segmentationCautions?.length ? { segmentationCautions: options.segmentationCautions } : {}),
    structures: structureStatusOfPlan(completed),
    screws,
  });
  const pdfBytes = await reportToPdf(model, { paper: options.paper });
  return { pdfBytes, json: { text: json.text, hashHex: json.hashHex }, model, plan: completed };
}
