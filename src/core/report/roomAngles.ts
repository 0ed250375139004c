import type { Vec3 } from '../geometry/vec3';

/**
 * Angles of a straight path for the procedure room, in the patient's frame
 * (LPS: +x = patient LEFT, +y = POSTERIOR, +z = SUPERIOR). Every angle is in
 * degrees and computed from the unit direction of the path from the skin
 * entry toward the tip (`dirLps`). Nothing here depends on the planning
 * series' orientation: a gantry-tilted or oblique series gives the same angles.
 *
 * CT room (gantry tilt = rotation of the scan plane about the patient's
 * left-right axis; the table runs along the patient's long axis):
 * - `craniocaudalDeg`: the gantry tilt that puts the whole path in one scan
 *   plane, signed after the needle: atan2(dz, |dy|). Positive = CRANIAL: the
 *   tip is cranial to the entry, i.e. the scan plane, followed from the skin
 *   entry inward, runs toward the patient's head. Negative = caudal.
 *   |craniocaudalDeg| is the tilt magnitude. For a path with no
 *   anteroposterior component and some craniocaudal one it is +/-90: no gantry
 *   tilt holds it (see `elevationDeg` and the slices it spans instead).
 * - `planeTiltDeg`: the same plane described without the needle: atan(dz/dy),
 *   positive when the plane's POSTERIOR part is cranial to its anterior part.
 *   For a supine patient (anterior up) a positive value means the TOP of the
 *   gantry tilts toward the FEET; for a prone patient (posterior up), toward
 *   the HEAD (see {@link gantryTopToward}).
 * - `inPlaneDeg`: inside that tilted plane, the angle of the path from the
 *   (tilted) anteroposterior vertical: atan2(dx, |dy cos t + dz sin t|).
 *   0 = straight anteroposterior (or posteroanterior); positive = the tip lies
 *   to the patient's LEFT of the entry; +/-90 = horizontal (left-right).
 * - `axialInPlaneDeg`: the same angle measured in an untilted axial slice
 *   (projection of the path on the axial plane): atan2(dx, |dy|).
 * - `elevationDeg`: the angle of the path itself out of the axial plane:
 *   asin(dz), positive = tip cranial to entry. It equals `craniocaudalDeg`
 *   when the path has no left-right component.
 */
export type PathAngles = {
  craniocaudalDeg: number;
  planeTiltDeg: number;
  inPlaneDeg: number;
  axialInPlaneDeg: number;
  elevationDeg: number;
};

const DEG = 180 / Math.PI;
const EPS = 1e-12;

/**
 * Room angles of a path from its direction (need not be unit length; must
 * not be zero). Output first, allocation-free.
 */
export function computePathAngles(out: PathAngles, dirLps: Readonly<Vec3>): PathAngles {
  const len = Math.hypot(dirLps[0], dirLps[1], dirLps[2]);
  const dx = dirLps[0] / len, dy = dirLps[1] / len, dz = dirLps[2] / len;
  const sagittal = Math.hypot(dy, dz);
  let tiltRad: number;
  if (sagittal < EPS) tiltRad = 0; // pure left-right path: lies in every tilted plane; no tilt
  else if (Math.abs(dy) < EPS) tiltRad = dz > 0 ? Math.PI / 2 : -Math.PI / 2;
  else tiltRad = Math.atan(dz / dy);
  out.planeTiltDeg = tiltRad * DEG;
  out.craniocaudalDeg = sagittal < EPS ? 0 : Math.atan2(dz, Math.abs(dy)) * DEG;
  const along = Math.abs(dy * Math.cos(tiltRad) + dz * Math.sin(tiltRad));
  out.inPlaneDeg = Math.atan2(dx, along) * DEG;
  out.axialInPlaneDeg = Math.hypot(dx, dy) < EPS ? 0 : Math.atan2(dx, Math.abs(dy)) * DEG;
  out.elevationDeg = Math.asin(Math.max(-1, Math.min(1, dz))) * DEG;
  return out;
}

/** Patient position on the table, from DICOM PatientPosition (0018,5100). */
export type PatientLie = 'supine' | 'prone' | 'other';

/** 'HFS' / 'FFS' = supine, 'HFP' / 'FFP' = prone, decubitus and unknown = other. */
export function patientLieOf(patientPosition: string | null | undefined): PatientLie {
  const p = (patientPosition ?? '').trim().toUpperCase();
  if (p === 'HFS' || p === 'FFS') return 'supine';
  if (p === 'HFP' || p === 'FFP') return 'prone';
  return 'other';
}

/**
 * Which way the top of the gantry goes for a scan-plane tilt `planeTiltDeg`
 * (see {@link PathAngles.planeTiltDeg}), or null when it cannot be said:
 * no tilt, or a patient neither supine nor prone (in decubitus the gantry's
 * tilt axis is not the patient's left-right axis).
 */
export function gantryTopToward(planeTiltDeg: number, lie: PatientLie): 'head' | 'feet' | null {
  if (lie === 'other' || Math.abs(planeTiltDeg) < 0.05) return null;
  // Supine: the top of the gantry is on the patient's anterior side; prone: posterior.
  const posteriorCranial = planeTiltDeg > 0;
  if (lie === 'supine') return posteriorCranial ? 'feet' : 'head';
  return posteriorCranial ? 'head' : 'feet';
}

/**
 * C-arm angles of one view, in the patient-relative convention of DICOM
 * Positioner Primary/Secondary Angle: the position of the image DETECTOR
 * seen from the isocentre, with the unit vector from isocentre to detector
 * u = (sin a cos b, -cos a cos b, sin b) in LPS, a = primary, b = secondary.
 * - `primaryDeg` a: rotation about the patient's long axis; positive = LAO
 *   (detector toward the patient's left), negative = RAO. 0 = AP (detector
 *   in front of the patient). |a| > 90 puts the detector behind the patient
 *   (e.g. above the back of a prone patient).
 * - `secondaryDeg` b: rotation toward the head; positive = CRANIAL (detector
 *   toward the patient's head), negative = CAUDAL.
 * The X-ray beam travels from the source to the detector, along `detectorDirLps`.
 */
export type CArmView = {
  primaryDeg: number;
  secondaryDeg: number;
  /** Unit vector from the isocentre to the detector (= beam direction), LPS. */
  detectorDirLps: Vec3;
};

/** C-arm angles of a detector direction `uLps` (unit or not). */
export function cArmViewOfDetector(uLps: Readonly<Vec3>): CArmView {
  const len = Math.hypot(uLps[0], uLps[1], uLps[2]);
  const ux = uLps[0] / len, uy = uLps[1] / len, uz = uLps[2] / len;
  const secondary = Math.asin(Math.max(-1, Math.min(1, uz))) * DEG;
  const primary = Math.hypot(ux, uy) < 1e-9 ? 0 : Math.atan2(ux, -uy) * DEG;
  return { primaryDeg: primary + 0, secondaryDeg: secondary + 0, detectorDirLps: [ux + 0, uy + 0, uz + 0] };
}

/** The room's up direction in LPS for a patient lie: anterior when supine (also assumed for 'other'), posterior when prone. */
function upLps(lie: PatientLie): Vec3 {
  return lie === 'prone' ? [0, 1, 0] : [0, -1, 0];
}

/** How far below the horizontal the detector may go on the entry side (C-arms rotate to about 120 degrees LAO/RAO). */
const MAX_DETECTOR_BELOW_HORIZONTAL_DEG = 30;

/**
 * Bull's-eye view ("down the barrel"): the beam runs along the screw, so the
 * screw projects to a dot. The detector goes on the ENTRY side (tube away
 * from the operator, the radiation-safety rule), unless that puts it more
 * than 30 degrees below the horizontal for the patient's lie (supine:
 * anterior is up; prone: posterior is up); then on the tip side (the same
 * projection line, mirrored image).
 */
export function computeBullsEyeView(dirLps: Readonly<Vec3>, lie: PatientLie = 'supine'): CArmView {
  const len = Math.hypot(dirLps[0], dirLps[1], dirLps[2]);
  const entrySide: Vec3 = [-dirLps[0] / len, -dirLps[1] / len, -dirLps[2] / len];
  const up = upLps(lie);
  const elevation = entrySide[0] * up[0] + entrySide[1] * up[1] + entrySide[2] * up[2];
  const ok = elevation >= -Math.sin(MAX_DETECTOR_BELOW_HORIZONTAL_DEG / DEG) - 1e-12;
  return cArmViewOfDetector(ok ? entrySide : [-entrySide[0], -entrySide[1], -entrySide[2]]);
}

/**
 * Progression view: the beam is perpendicular to the plane that contains the
 * screw and the patient's long axis (beam = dir x superior), so the screw is
 * seen at its full length, with its craniocaudal angulation, and the C-arm
 * needs no cranial/caudal angulation (secondary 0). The detector is on the
 * upper side for the patient's lie; for a beam that is exactly horizontal
 * (a screw in a sagittal plane) on the patient's left. A screw along the long
 * axis gets a lateral view.
 */
export function computeProgressionView(dirLps: Readonly<Vec3>, lie: PatientLie = 'supine'): CArmView {
  // d x (0, 0, 1) = (dy, -dx, 0)
  let bx = dirLps[1], by = -dirLps[0];
  if (Math.hypot(bx, by) < 1e-9 * Math.hypot(dirLps[0], dirLps[1], dirLps[2])) { bx = 1; by = 0; }
  const up = upLps(lie);
  const dotUp = bx * up[0] + by * up[1];
  const l = Math.hypot(bx, by);
  const flip = Math.abs(dotUp) > 1e-9 * l ? dotUp < 0 : bx < 0;
  return cArmViewOfDetector(flip ? [-bx, -by, 0] : [bx, by, 0]);
}
