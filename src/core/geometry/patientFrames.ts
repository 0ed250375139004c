import type { Vec3 } from './vec3';

/**
 * Frames and angles for planning and for the procedure room.
 *
 * LPS (DICOM patient): +x patient left, +y posterior, +z superior, millimetres.
 *
 * An {@link AnatomicalFrame} is a right-handed orthonormal frame estimated from
 * the patient's own anatomy (see planning/pelvicFrame.ts), expressed in LPS:
 * `leftLps` x `posteriorLps` = `superiorLps`. Corridor templates give their
 * directions in this frame so that a tilted or rotated pelvis (or a scan in an
 * unusual position) moves the search cones with the bone, not with the scanner.
 */
export type AnatomicalFrame = {
  readonly originLps: Vec3;
  readonly leftLps: Vec3;
  readonly posteriorLps: Vec3;
  readonly superiorLps: Vec3;
};

/** The scanner's own LPS axes as a frame (used when no anatomy is available). */
export function scannerFrame(originLps: Readonly<Vec3> = [0, 0, 0]): AnatomicalFrame {
  return { originLps: [originLps[0], originLps[1], originLps[2]], leftLps: [1, 0, 0], posteriorLps: [0, 1, 0], superiorLps: [0, 0, 1] };
}

/** Direction given in frame components (left, posterior, superior) to LPS. */
export function frameDirectionToLps(out: Vec3, frame: AnatomicalFrame, l: number, p: number, s: number): Vec3 {
  const a = frame.leftLps, b = frame.posteriorLps, c = frame.superiorLps;
  out[0] = a[0] * l + b[0] * p + c[0] * s;
  out[1] = a[1] * l + b[1] * p + c[1] * s;
  out[2] = a[2] * l + b[2] * p + c[2] * s;
  return out;
}

/** Point given in frame coordinates (mm from the frame origin) to LPS. */
export function framePointToLps(out: Vec3, frame: AnatomicalFrame, l: number, p: number, s: number): Vec3 {
  frameDirectionToLps(out, frame, l, p, s);
  out[0] += frame.originLps[0];
  out[1] += frame.originLps[1];
  out[2] += frame.originLps[2];
  return out;
}

/** LPS point to frame coordinates (left, posterior, superior) in mm. */
export function lpsToFramePoint(out: Vec3, frame: AnatomicalFrame, pLps: Readonly<Vec3>): Vec3 {
  const x = pLps[0] - frame.originLps[0], y = pLps[1] - frame.originLps[1], z = pLps[2] - frame.originLps[2];
  const a = frame.leftLps, b = frame.posteriorLps, c = frame.superiorLps;
  out[0] = a[0] * x + a[1] * y + a[2] * z;
  out[1] = b[0] * x + b[1] * y + b[2] * z;
  out[2] = c[0] * x + c[1] * y + c[2] * z;
  return out;
}

/**
 * Room angles of a trajectory for an axial CT table, from a unit direction
 * `dirLps` pointing from the entry into the patient (entry -> tip).
 */
export type RoomAngles = {
  /**
   * Gantry tilt in degrees that puts the whole path in one (tilted) slice:
   * atan(dz / dy), the rotation of the slice plane about the patient's
   * left-right axis. Positive: the path rises cranially as it goes posteriorly
   * (tip more cranial than entry for an anterior entry). +/-90 when the path
   * has no anteroposterior component and any craniocaudal component (no tilt
   * can hold it; a laterally entered screw is then described by `elevationDeg`).
   */
  gantryTiltDeg: number;
  /**
   * In-plane angle in degrees inside that tilted slice, from the (tilted)
   * vertical anteroposterior axis. 0 = straight anteroposterior;
   * positive: the tip lies to the patient's LEFT of the entry.
   */
  inPlaneDeg: number;
  /** Craniocaudal angulation of the screw itself: asin(dz), positive = tip cranial to entry. */
  elevationDeg: number;
};

const RAD = 180 / Math.PI;

export function roomAngles(dirLps: Readonly<Vec3>): RoomAngles {
  const len = Math.hypot(dirLps[0], dirLps[1], dirLps[2]) || 1;
  const dx = dirLps[0] / len, dy = dirLps[1] / len, dz = dirLps[2] / len;
  let tilt: number;
  if (Math.abs(dy) < 1e-9) tilt = Math.abs(dz) < 1e-9 ? 0 : dz > 0 ? 90 : -90;
  else tilt = Math.atan(dz / dy) * RAD;
  const t = tilt / RAD;
  // Tilted AP axis inside the slice plane: (0, cos t, sin t).
  const along = Math.abs(dy * Math.cos(t) + dz * Math.sin(t));
  const inPlane = Math.atan2(dx, along) * RAD;
  const elevation = Math.asin(Math.max(-1, Math.min(1, dz))) * RAD;
  return { gantryTiltDeg: tilt, inPlaneDeg: inPlane, elevationDeg: elevation };
}
