import type { Vec3 } from '../geometry/vec3';
import { PlannerError } from '../shared/errors';
import { STRUCTURE_IDS, type CorridorId, type Side, type StructureId } from '../shared/ids';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import {
  describeCraniocaudal, describeInPlane, describeLpsWords, describePrimary, describeSecondary, fixed1, formatDeg, formatLps, formatMm, structureLabel,
} from './format';
import {
  computeBullsEyeView, computePathAngles, computeProgressionView, gantryTopToward, patientLieOf,
  type CArmView, type PathAngles, type PatientLie,
} from './roomAngles';
import { computeSeriesPoint, sliceNormalLps, type SeriesPoint } from './seriesCoordinates';

/**
 * The trajectory report for the procedure room (DESIGN §5): everything the
 * PDF prints, computed once here from plain input so that the page never reads
 * a number from the DOM. Coordinates are LPS millimetres (+x patient left,
 * +y posterior, +z superior); angles degrees with the sign conventions of
 * {@link PathAngles} and {@link CArmView}; slice/row/column as in
 * {@link SeriesPoint} (all 1-based).
 */

export const REPORT_MODEL_VERSION = 1;

/** Which image of a screw page. */
export type ReportImageKind = 'inlineA' | 'inlineB' | 'bullsEye' | 'axialSkinEntry' | 'overview3d';

export const REPORT_IMAGE_ORDER: readonly ReportImageKind[] = ['inlineA', 'inlineB', 'bullsEye', 'axialSkinEntry', 'overview3d'];

/**
 * An image for a screw page, rendered elsewhere (viewer, or
 * {@link computeTrajectoryImages}) as PNG bytes. The PDF draws the scale bar
 * and the orientation letters itself from these fields.
 */
export type ReportImageInput = {
  kind: ReportImageKind;
  png: Uint8Array;
  /** Millimetres per pixel across (x, to the right) and down (y); null for a perspective 3D view (no scale bar). */
  mmPerPixel: { x: number; y: number } | null;
  /** Patient-direction letters at the image edges, e.g. { top: 'A', bottom: 'P', left: 'R', right: 'L' }. */
  orientation: { top: string; bottom: string; left: string; right: string };
  caption: string;
  /** Short labels to print over the image (e.g. screw numbers), at pixel positions (x right, y down, from the top-left pixel centre). */
  annotations?: { xPx: number; yPx: number; text: string }[];
};

export type CheckStatus = 'pass' | 'fail' | 'overridden';

/** A clinical check as the report shows it (see the planner's CheckResult). */
export type ReportCheckInput = {
  id: string;
  /** Human-readable one-liner, e.g. "clears S1 foramen, left by 3.4 mm (needs 2.0 mm)". */
  label: string;
  status: CheckStatus;
  valueMm: number | null;
  requiredMm: number | null;
  /** `valueMm` is only a lower bound (a clearance beyond its structure field's box): printed "> N mm". */
  isLowerBound?: boolean;
  /** Who overrode a failed check, and why (both required when status is 'overridden'). */
  overriddenBy?: string;
  reason?: string;
};

export type ReportClearanceInput = {
  structure: StructureId;
  /** Surface-to-surface clearance of the screw to the structure, mm (a lower bound when `isLowerBound`). */
  clearanceMm: number;
  /**
   * The structure lies beyond the box its distance field covers: the true clearance is at
   * least `clearanceMm` (printed "> N mm", see formatClearanceMm). Absent = measured.
   */
  isLowerBound?: boolean;
  /** Required clearance (the safety margin), mm. */
  requiredMm: number;
};

export type ReportScrewInput = {
  id: string;
  corridor: CorridorId;
  side: Side | null;
  /** Where the path meets the skin, where it enters bone (the screw head), and the screw tip; LPS mm, collinear. */
  skinEntryLps: Vec3;
  boneEntryLps: Vec3;
  tipLps: Vec3;
  /**
   * False when the path left the image before it reached the skin (see
   * computeSkinEntry): `skinEntryLps` is then where it leaves the image, and
   * the report says the skin lies further out. Default true.
   */
  skinEntryFound?: boolean;
  diameterMm: number;
  catalogLengthMm: number;
  catalogLabel?: string;
  /** Healthy-bone purchase on each side of the lesion, mm (null when the screw crosses no lesion). */
  purchase: { nearMm: number; farMm: number; lesionSpanMm: number } | null;
  clearances: ReportClearanceInput[];
  /** Smallest depth of the screw surface inside bone between the entry zone and the tip, mm (negative = breach); null when unknown. */
  cortexClearanceMm: number | null;
  checks: ReportCheckInput[];
  images: ReportImageInput[];
};

export type ReportSeriesInput = {
  geometry: VolumeGeometry;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid?: string;
  seriesNumber?: number | null;
  seriesDescription?: string;
  modality: string;
  /** DICOM PatientPosition (0018,5100), e.g. "HFS"; decides the gantry wording. */
  patientPosition?: string | null;
  /** InstanceNumber of each slice, by volume slice index k (optional). */
  instanceNumbers?: readonly number[] | null;
};

export type ReportInput = {
  software: { name: string; version: string };
  /** When the report was made (ISO 8601); core reads no clock. */
  generatedAtIso: string;
  /** SHA-256 (hex, 64 characters) of the plan file this report prints, see toJson.ts. */
  planHashHex: string;
  /** Leave the patient's name, ID, birth date, the accession number and the study date out. */
  anonymous: boolean;
  patient: { name?: string; id?: string; birthDate?: string };
  study: { accessionNumber?: string; studyDate?: string; description?: string };
  series: ReportSeriesInput;
  /** Who made the plan (printed), optional. */
  plannedBy?: string;
  /** Largest gantry tilt of the room's CT, degrees (default 30). */
  maxGantryTiltDeg?: number;
  /** Required healthy-bone purchase on each side of the lesion, mm (printed next to the measured values). */
  requiredPurchaseMm?: number;
  /** The lesion as segmented when the report was made (absent: no lesion label). */
  lesion?: ReportLesionInput | null;
  /**
   * What the room must know about the segmentation the plan was checked against (sentences, e.g.
   * the sacrum's bone labels looked incomplete: sacrumCoverageCaution). Printed as cautions on the
   * summary page. Absent: none.
   */
  segmentationCautions?: readonly string[];
  /**
   * Where each critical structure the planner can model stood when the plan was checked (the
   * structure review, DESIGN §1 step 3), one entry per structure. A structure 'notFound' or
   * 'absent' has no model: no clearance to it was checked, and the report says so on the summary
   * and on every screw's page. Absent: the report says nothing about the review (older callers).
   */
  structures?: readonly ReportStructureInput[];
  screws: ReportScrewInput[];
};

/**
 * A critical structure's standing: 'confirmed' or 'edited' by the user, 'automatic' (found by the
 * detection, not reviewed), 'absent' (the user says it is not there), 'notFound' (the detection
 * did not find it and nobody added it).
 */
export type ReportStructureState = 'confirmed' | 'edited' | 'automatic' | 'absent' | 'notFound';

export type ReportStructureInput = { id: StructureId; state: ReportStructureState };

export type ReportStructure = { id: StructureId; label: string; state: ReportStructureState };

/**
 * How the lesion outline came about, as the planning session reports it:
 * 'ok' grown from a click or drawn/corrected by the user; 'conservative' a
 * core smaller than the lesion (the full grey window spilled into marrow);
 * 'bridged' closed across destroyed cortex between the remaining bone edges
 * (not seen in the image); 'leak' the last click wrote nothing (the label is
 * whatever was there before).
 */
export type ReportLesionStatus = 'ok' | 'conservative' | 'bridged' | 'leak';

export type ReportLesionInput = {
  volumeMl: number;
  /** Principal diameters, largest first, mm (null when unknown). */
  diametersMm: readonly [number, number, number] | null;
  status: ReportLesionStatus;
};

export type ReportLesion = {
  volumeMl: number;
  diametersMm: [number, number, number] | null;
  status: ReportLesionStatus;
  /** A sentence the room must read before trusting the purchase figures; null when the outline is the user's or grown cleanly. */
  caution: string | null;
};

export type ReportScrew = {
  /** 1-based number of the screw in the report. */
  number: number;
  id: string;
  corridor: CorridorId;
  side: Side | null;
  diameterMm: number;
  catalogLengthMm: number;
  catalogLabel: string | null;
  skinEntry: SeriesPoint;
  /** False: the skin lies beyond the image; skinEntry is where the path leaves the image and skin depths are minimums. */
  skinEntryFound: boolean;
  boneEntry: SeriesPoint;
  tip: SeriesPoint;
  /** Unit direction from skin entry to tip, LPS. */
  directionLps: Vec3;
  angles: PathAngles;
  /** Gantry tilt magnitude that puts the path in one plane, degrees (= |craniocaudalDeg|). */
  gantryTiltDeg: number;
  /** Whether that tilt is within the room's gantry range. */
  gantryTiltPossible: boolean;
  /** Which way the top of the gantry goes (null: no tilt, or a position neither supine nor prone). */
  gantryTopToward: 'head' | 'feet' | null;
  /** First and last slice numbers (1-based) of the planning series the path crosses from skin entry to tip. */
  slicesSpanned: { first: number; last: number };
  skinToBoneMm: number;
  skinToTipMm: number;
  boneEntryToTipMm: number;
  purchase: { nearMm: number; farMm: number; lesionSpanMm: number } | null;
  /** Sorted by clearance, smallest first. */
  clearances: ReportClearanceInput[];
  /**
   * Structures with no model in the plan ('notFound' or 'absent' in the review) and so no clearance
   * for this screw: printed as not checked. Empty when the review was not given.
   */
  uncheckedStructures: ReportStructure[];
  cortexClearanceMm: number | null;
  checks: ReportCheckInput[];
  checkCounts: { pass: number; fail: number; overridden: number };
  cArm: { bullsEye: CArmView; progression: CArmView };
  /** What to do in the room, in order, as sentences built from the numbers above. */
  roomSteps: string[];
  images: ReportImageInput[];
};

export type ReportModel = {
  version: typeof REPORT_MODEL_VERSION;
  software: { name: string; version: string };
  generatedAtIso: string;
  planHashHex: string;
  anonymous: boolean;
  /** Null fields are left out of the page (anonymous, or unknown). */
  patient: { name: string | null; id: string | null; birthDate: string | null };
  study: { accessionNumber: string | null; studyDate: string | null; description: string | null; studyInstanceUid: string };
  series: {
    seriesInstanceUid: string;
    frameOfReferenceUid: string | null;
    seriesNumber: number | null;
    description: string | null;
    modality: string;
    patientPosition: string | null;
    patientLie: PatientLie;
    dims: [number, number, number];
    spacingMm: [number, number, number];
    /**
     * The slice normal is within 45 degrees of the patient's long axis (an axial
     * series, gantry-tilted or not): only then is the slice position a table
     * position. Otherwise the page calls it the position along the slice normal.
     */
    axial: boolean;
  };
  plannedBy: string | null;
  maxGantryTiltDeg: number;
  requiredPurchaseMm: number | null;
  lesion: ReportLesion | null;
  /** Cautions about the segmentation (see ReportInput), printed on the summary page; empty: none. */
  segmentationCautions: string[];
  /** The structure review as given (ReportInput.structures), in the planner's order; empty: not given. */
  structures: ReportStructure[];
  /** The conventions, as printed on the summary page. */
  conventions: string[];
  screws: ReportScrew[];
};

const STRUCTURE_STATES: readonly ReportStructureState[] = ['confirmed', 'edited', 'automatic', 'absent', 'notFound'];

/** The review's entries, checked (known ids and states, each structure once) and put in the planner's order. */
function structuresOf(input: readonly ReportStructureInput[] | undefined): ReportStructure[] {
  if (!input) return [];
  const byId = new Map<StructureId, ReportStructureState>();
  for (const x of input) {
    if (!STRUCTURE_IDS.includes(x.id)) bad(`structure review: "${String(x.id)}" is not a structure the planner knows`);
    if (!STRUCTURE_STATES.includes(x.state)) bad(`structure review: ${x.id} has an unknown state "${String(x.state)}"`);
    if (byId.has(x.id)) bad(`structure review: ${x.id} is listed twice`);
    byId.set(x.id, x.state);
  }
  return STRUCTURE_IDS.filter((id) => byId.has(id)).map((id) => ({ id, label: structureLabel(id), state: byId.get(id)! }));
}

/** Skin entry, bone entry and tip must lie on one line within this distance, mm. */
export const COLLINEAR_TOLERANCE_MM = 0.5;

function bad(message: string): never {
  throw new PlannerError('report/bad-input', message);
}

function checkVec(name: string, v: Readonly<Vec3>): void {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((c) => Number.isFinite(c))) bad(`${name} must be three finite numbers (LPS mm)`);
}

/** The conventions block, worded for the room; printed on the summary page. */
export function reportConventions(maxGantryTiltDeg: number): string[] {
  return [
    'Coordinates: DICOM patient LPS, millimetres: x + = patient LEFT, y + = POSTERIOR, z + = SUPERIOR (head).',
    'Slice, row, column: 1-based, nearest, in the planning series as displayed (slice 1 = first slice of the series; row 1 = top, column 1 = left of the stored image; axial: column 1 = patient right, row 1 = anterior). Image no. = DICOM InstanceNumber.',
    'Table position: the slice\'s ImagePositionPatient along the slice normal (row x column cosines), mm; for an axial series, the slice z (+ = head).',
    `Craniocaudal angle = gantry tilt that puts the whole path in one scan plane (rotation about the patient's left-right axis). CRANIAL: the tip is toward the head from the entry, i.e. the scan plane, followed from the skin inward, runs toward the head. Room gantry limit: ${fixed1(maxGantryTiltDeg)}\u00b0.`,
    'In-plane angle: in that (tilted) scan plane, from the anteroposterior vertical; LEFT / RIGHT = the tip lies to the patient\'s left / right of the entry. Elevation: true angle of the path out of the axial plane.',
    'C-arm (DICOM positioner angles: where the DETECTOR is, relative to the patient; AP 0 = detector in front of the patient): LAO = detector toward the patient\'s left, RAO = right (over 90 = behind the patient, e.g. above a prone patient\'s back); CRA = detector toward the head, CAU = toward the feet. Bull\'s-eye: beam along the screw, detector on the entry side (tube away from the operator) unless that is over 30 degrees below the horizontal. Progression: beam perpendicular to the plane of the screw and the long axis (no CRA/CAU), detector on the upper side.',
    'Depths are along the path from the skin entry, mm. Clearances are surface to surface (screw surface to structure), mm; "> N mm" = the structure is further than the planner measures around it (at least N mm).',
  ];
}

/** The caution printed for an outline the planner drew rather than saw (see ReportLesionStatus). */
export function lesionCaution(status: ReportLesionStatus): string | null {
  switch (status) {
    case 'bridged':
      return 'The lesion outline was bridged across destroyed cortex: across the gap it is drawn between the remaining bone edges, not seen in the image, and it was not corrected by hand. Check the outline and the purchase figures against the images before use.';
    case 'conservative':
      return 'The lesion outline is a conservative core (the full grey window spilled into the marrow) and was not corrected by hand: the lesion may be larger than drawn, so the healthy-bone purchase figures may be too high. Check them against the images.';
    case 'leak':
      return 'The last click in the lesion reached the soft tissue through a cortical break and was not used: the lesion label is what was drawn before it. Check the outline against the images.';
    case 'ok':
      return null;
  }
}

function lesionOf(l: ReportLesionInput): ReportLesion {
  if (!(Number.isFinite(l.volumeMl) && l.volumeMl >= 0)) bad(`lesion volumeMl ${l.volumeMl} must be a finite number >= 0`);
  if (l.diametersMm && !l.diametersMm.every((d) => Number.isFinite(d) && d >= 0)) bad('lesion diametersMm must be three finite numbers >= 0');
  if (!['ok', 'conservative', 'bridged', 'leak'].includes(l.status)) bad(`lesion status '${String(l.status)}' is not one of ok, conservative, bridged, leak`);
  return { volumeMl: l.volumeMl, diametersMm: l.diametersMm ? [l.diametersMm[0], l.diametersMm[1], l.diametersMm[2]] : null, status: l.status, caution: lesionCaution(l.status) };
}

/**
 * Builds the report model. Pure: allocates the result, keeps references to
 * the input's PNG bytes (does not copy them). Throws `report/bad-input` when
 * the input is inconsistent (non-finite points, points not on one line or not
 * in skin -> bone -> tip order, an override without who and why, a hash that
 * is not SHA-256 hex).
 */
export function createReportModel(input: ReportInput): ReportModel {
  const maxTilt = input.maxGantryTiltDeg ?? 30;
  if (!(maxTilt >= 0 && maxTilt <= 90)) bad(`maxGantryTiltDeg ${maxTilt} must be within [0, 90]`);
  if (!/^[0-9a-f]{64}$/.test(input.planHashHex)) bad('planHashHex must be 64 lowercase hex characters (SHA-256)');
  const geometry = input.series.geometry;
  const lie = patientLieOf(input.series.patientPosition);
  const normal: Vec3 = [0, 0, 0];
  sliceNormalLps(normal, geometry);
  const axial = Math.abs(normal[2]) >= Math.SQRT1_2;
  const structures = structuresOf(input.structures);
  const withoutModel = structures.filter((x) => x.state === 'notFound' || x.state === 'absent');
  const ids = new Set<string>();
  const screws = input.screws.map((s, index): ReportScrew => {
    const where = `screw ${index + 1} (${s.id})`;
    if (ids.has(s.id)) bad(`${where}: duplicate id`);
    ids.add(s.id);
    checkVec(`${where} skinEntryLps`, s.skinEntryLps);
    checkVec(`${where} boneEntryLps`, s.boneEntryLps);
    checkVec(`${where} tipLps`, s.tipLps);
    if (!(s.diameterMm > 0) || !(s.catalogLengthMm > 0)) bad(`${where}: diameter and catalog length must be positive`);
    const dx = s.tipLps[0] - s.skinEntryLps[0], dy = s.tipLps[1] - s.skinEntryLps[1], dz = s.tipLps[2] - s.skinEntryLps[2];
    const skinToTipMm = Math.hypot(dx, dy, dz);
    if (!(skinToTipMm > 0)) bad(`${where}: skin entry and tip coincide`);
    const dir: Vec3 = [dx / skinToTipMm, dy / skinToTipMm, dz / skinToTipMm];
    const bx = s.boneEntryLps[0] - s.skinEntryLps[0], by = s.boneEntryLps[1] - s.skinEntryLps[1], bz = s.boneEntryLps[2] - s.skinEntryLps[2];
    const along = bx * dir[0] + by * dir[1] + bz * dir[2];
    const offAxis = Math.hypot(bx - along * dir[0], by - along * dir[1], bz - along * dir[2]);
    if (offAxis > COLLINEAR_TOLERANCE_MM) bad(`${where}: bone entry is ${offAxis.toFixed(2)} mm off the skin-entry-to-tip line`);
    if (along < -COLLINEAR_TOLERANCE_MM || along > skinToTipMm + COLLINEAR_TOLERANCE_MM) bad(`${where}: bone entry is not between the skin entry and the tip`);
    for (const c of s.checks) {
      if (c.status === 'overridden' && (!c.overriddenBy?.trim() || !c.reason?.trim())) {
        bad(`${where}: check "${c.id}" is overridden without who overrode it and why`);
      }
    }
    const angles = computePathAngles({ craniocaudalDeg: 0, planeTiltDeg: 0, inPlaneDeg: 0, axialInPlaneDeg: 0, elevationDeg: 0 }, dir);
    const skinEntry = computeSeriesPoint(geometry, s.skinEntryLps, input.series.instanceNumbers);
    const boneEntry = computeSeriesPoint(geometry, s.boneEntryLps, input.series.instanceNumbers);
    const tip = computeSeriesPoint(geometry, s.tipLps, input.series.instanceNumbers);
    const gantryTiltDeg = Math.abs(angles.craniocaudalDeg);
    const counts = { pass: 0, fail: 0, overridden: 0 };
    for (const c of s.checks) counts[c.status]++;
    const screw: ReportScrew = {
      number: index + 1,
      id: s.id,
      corridor: s.corridor,
      side: s.side,
      diameterMm: s.diameterMm,
      catalogLengthMm: s.catalogLengthMm,
      catalogLabel: s.catalogLabel ?? null,
      skinEntry,
      skinEntryFound: s.skinEntryFound ?? true,
      boneEntry,
      tip,
      directionLps: dir,
      angles,
      gantryTiltDeg,
      gantryTiltPossible: gantryTiltDeg <= maxTilt + 1e-9,
      gantryTopToward: gantryTopToward(angles.planeTiltDeg, lie),
      slicesSpanned: { first: Math.min(skinEntry.sliceNumber, tip.sliceNumber), last: Math.max(skinEntry.sliceNumber, tip.sliceNumber) },
      skinToBoneMm: Math.hypot(bx, by, bz),
      skinToTipMm,
      boneEntryToTipMm: Math.hypot(s.tipLps[0] - s.boneEntryLps[0], s.tipLps[1] - s.boneEntryLps[1], s.tipLps[2] - s.boneEntryLps[2]),
      purchase: s.purchase ? { ...s.purchase } : null,
      clearances: [...s.clearances].sort((a, b) => a.clearanceMm - b.clearanceMm).map((c) => ({ ...c })),
      // A clearance measured to a structure the review calls missing was checked after all (a model
      // added after the review was taken): only those with no clearance are printed as unchecked.
      uncheckedStructures: withoutModel.filter((x) => !s.clearances.some((c) => c.structure === x.id)).map((x) => ({ ...x })),
      cortexClearanceMm: s.cortexClearanceMm,
      checks: s.checks.map((c) => ({ ...c })),
      checkCounts: counts,
      cArm: { bullsEye: computeBullsEyeView(dir, lie), progression: computeProgressionView(dir, lie) },
      roomSteps: [],
      images: s.images,
    };
    screw.roomSteps = describeRoomSteps(screw, lie, maxTilt, axial);
    return screw;
  });
  const anon = input.anonymous;
  const orNull = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v);
  return {
    version: REPORT_MODEL_VERSION,
    software: { ...input.software },
    generatedAtIso: input.generatedAtIso,
    planHashHex: input.planHashHex,
    anonymous: anon,
    patient: anon
      ? { name: null, id: null, birthDate: null }
      : { name: orNull(input.patient.name), id: orNull(input.patient.id), birthDate: orNull(input.patient.birthDate) },
    study: {
      accessionNumber: anon ? null : orNull(input.study.accessionNumber),
      studyDate: anon ? null : orNull(input.study.studyDate),
      description: orNull(input.study.description),
      studyInstanceUid: input.series.studyInstanceUid,
    },
    series: {
      seriesInstanceUid: input.series.seriesInstanceUid,
      frameOfReferenceUid: input.series.frameOfReferenceUid ?? null,
      seriesNumber: input.series.seriesNumber ?? null,
      description: orNull(input.series.seriesDescription),
      modality: input.series.modality,
      patientPosition: input.series.patientPosition ?? null,
      patientLie: lie,
      dims: [geometry.dims[0], geometry.dims[1], geometry.dims[2]],
      spacingMm: [geometry.spacingMm[0], geometry.spacingMm[1], geometry.spacingMm[2]],
      axial,
    },
    plannedBy: orNull(input.plannedBy),
    maxGantryTiltDeg: maxTilt,
    requiredPurchaseMm: input.requiredPurchaseMm ?? null,
    lesion: input.lesion ? lesionOf(input.lesion) : null,
    segmentationCautions: (input.segmentationCautions ?? []).map((c) => {
      if (typeof c !== 'string' || c.trim() === '') bad('a segmentation caution must be a non-empty sentence');
      return c;
    }),
    structures,
    conventions: reportConventions(maxTilt),
    screws,
  };
}

function slicePhrase(p: SeriesPoint): string {
  return `slice ${p.sliceNumber}${p.instanceNumber !== null ? `, image no. ${p.instanceNumber}` : ''}`;
}

/**
 * The room steps for one screw, in order: table, skin mark, gantry, aim,
 * depths, C-arm. Every number in them is one of the model's.
 */
function describeRoomSteps(s: ReportScrew, lie: PatientLie, maxTilt: number, axial: boolean): string[] {
  const steps: string[] = [];
  const e = s.skinEntry;
  if (!s.skinEntryFound) {
    steps.push(
      `The skin lies beyond the image: the path leaves the image at ${formatLps(e.lps)} mm (${slicePhrase(e)}, row ${e.row}, column ${e.column}); find the skin entry on a scan with the grid before marking.`,
    );
  } else steps.push(
    `${axial ? 'Table at' : 'Planning series is not axial: slice position along its normal'} ${formatMm(e.tablePositionMm)} (${slicePhrase(e)}); skin entry at row ${e.row}, column ${e.column} of that slice, LPS ${formatLps(e.lps)} mm, i.e. ${describeLpsWords(e.lps)} in DICOM patient coordinates` +
      (e.insideSeries ? '.' : ' - OUTSIDE the planning series: check the images before marking.'),
  );
  const a = s.angles;
  if (fixed1(s.gantryTiltDeg) === '0.0') {
    steps.push('Gantry: no tilt (0.0\u00b0); the whole path lies in one axial slice.');
  } else if (s.gantryTiltPossible) {
    const top = s.gantryTopToward
      ? ` (patient ${lie}: top of the gantry toward the patient's ${s.gantryTopToward === 'head' ? 'head' : 'feet'})`
      : '';
    steps.push(
      `Gantry tilt ${formatDeg(s.gantryTiltDeg)}: craniocaudal ${describeCraniocaudal(a.craniocaudalDeg)}, the scan plane runs from the skin entry inward toward the ${a.craniocaudalDeg > 0 ? 'head' : 'feet'}${top}. The tilted plane through the entry has another table position than the axial slice: confirm the entry on a tilted scan with the skin grid.`,
    );
  } else {
    steps.push(
      `Gantry: the path would need ${formatDeg(s.gantryTiltDeg)} of tilt, beyond the ${formatDeg(maxTilt)} limit: scan untilted; the path crosses slices ${s.slicesSpanned.first} to ${s.slicesSpanned.last}; elevation ${describeCraniocaudal(a.elevationDeg)}, axial in-plane ${describeInPlane(a.axialInPlaneDeg)}.`,
    );
  }
  if (s.gantryTiltPossible) {
    // Which way along the vertical, so that "from the vertical" cannot be read upside down.
    const dy = s.directionLps[1];
    const sense = Math.abs(dy) < 1e-6
      ? ''
      : `, the needle pointing ${dy < 0 ? 'anteriorly' : 'posteriorly'}${lie === 'other' ? '' : ` (${(dy < 0) === (lie === 'supine') ? 'up' : 'down'}, patient ${lie})`}`;
    steps.push(
      fixed1(a.inPlaneDeg) === '0.0'
        ? `In the scan plane, aim straight along the vertical (in-plane 0.0\u00b0)${sense}.`
        : `In the scan plane, aim ${describeInPlane(a.inPlaneDeg)} of the vertical${sense}.`,
    );
  }
  const atLeast = s.skinEntryFound ? '' : 'at least ';
  steps.push(
    `Depth: skin to bone ${atLeast}${formatMm(s.skinToBoneMm)}, skin to tip ${atLeast}${formatMm(s.skinToTipMm)}; screw ${formatMm(s.diameterMm)} x ${formatMm(s.catalogLengthMm)} (bone entry to tip ${formatMm(s.boneEntryToTipMm)}).`,
  );
  const be = s.cArm.bullsEye, pr = s.cArm.progression;
  steps.push(
    `C-arm bull's-eye ${describePrimary(be.primaryDeg)} ${describeSecondary(be.secondaryDeg)}; progression ${describePrimary(pr.primaryDeg)} ${describeSecondary(pr.secondaryDeg)}.`,
  );
  return steps;
}
