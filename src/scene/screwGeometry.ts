/**
 * Screw shape for the 3D scene: a lathe profile (radius, height) from the tip
 * (height 0) to the top of the head. The threaded part next to the tip is a
 * row of ring grooves (buttress profile: steep flank towards the head, as in
 * cancellous bone screws), the shaft is plain, and the head sits at the bone
 * entry, on the bone side of nothing: its underside is at the screw's length.
 */
import { LatheGeometry, Vector2 } from 'three';

export type ScrewShape = {
  lengthMm: number;
  /** Thread (major) diameter. */
  diameterMm: number;
  /** Threaded length from the tip; default min(length / 2, 32 mm). */
  threadLengthMm?: number;
  /** Default 1.6 x the thread diameter. */
  headDiameterMm?: number;
};

const PITCH_MM = 2.75;
export const HEAD_HEIGHT_MM = 4;

/** Profile points (x = radius, y = height above the tip), tip to head top. */
export function computeScrewProfile(shape: ScrewShape): Vector2[] {
  const L = Math.max(1, shape.lengthMm);
  const rMajor = shape.diameterMm / 2;
  const rMinor = rMajor * 0.62;
  const rShaft = rMajor * 0.68;
  const rHead = (shape.headDiameterMm ?? shape.diameterMm * 1.6) / 2;
  const thread = Math.min(L - 1, Math.max(0, shape.threadLengthMm ?? Math.min(L / 2, 32)));
  const pts: Vector2[] = [new Vector2(0, 0), new Vector2(rMinor * 0.55, 0), new Vector2(rMinor, Math.min(1.2, L / 4))];
  // Rings: flank rising towards the head over 70% of the pitch, steep fall after.
  let y = Math.min(1.2, L / 4);
  while (y + PITCH_MM <= thread) {
    pts.push(new Vector2(rMajor, y + 0.7 * PITCH_MM), new Vector2(rMajor, y + 0.82 * PITCH_MM), new Vector2(rMinor, y + PITCH_MM));
    y += PITCH_MM;
  }
  pts.push(new Vector2(rShaft, Math.max(y, thread) + 0.3));
  pts.push(new Vector2(rShaft, L));
  pts.push(new Vector2(rHead, L), new Vector2(rHead, L + HEAD_HEIGHT_MM * 0.6), new Vector2(rHead * 0.75, L + HEAD_HEIGHT_MM));
  pts.push(new Vector2(0, L + HEAD_HEIGHT_MM));
  return pts;
}

/** Lathe geometry around +Y (tip at the origin). */
export function createScrewGeometry(shape: ScrewShape, radialSegments = 20): LatheGeometry {
  return new LatheGeometry(computeScrewProfile(shape), radialSegments);
}
