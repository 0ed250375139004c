/**
 * Camera orientation of each view in LPS, radiological convention (the
 * patient's left on the screen's right in axial and coronal views).
 *
 * `viewPlaneNormal` points from the focal point towards the camera (the
 * Cornerstone / vtk convention); the screen's right is `cross(viewUp, viewPlaneNormal)`.
 */
import { cross, type Vec3 } from '../core/geometry/vec3';
import type { EdgeLabels, ViewId } from './ViewerPort';

export type ViewOrientation = { viewPlaneNormal: Vec3; viewUp: Vec3 };

export const VIEW_ORIENTATIONS: Readonly<Record<ViewId, ViewOrientation>> = {
  // Looking from the feet (camera at -z), anterior up.
  axial: { viewPlaneNormal: [0, 0, -1], viewUp: [0, -1, 0] },
  // Looking from the patient's left (camera at +x), superior up: anterior on the left.
  sagittal: { viewPlaneNormal: [1, 0, 0], viewUp: [0, 0, 1] },
  // Looking from the front (camera at -y), superior up.
  coronal: { viewPlaneNormal: [0, -1, 0], viewUp: [0, 0, 1] },
  // 3D: from the front, like the coronal view.
  volume3d: { viewPlaneNormal: [0, -1, 0], viewUp: [0, 0, 1] },
};

const POSITIVE = ['L', 'P', 'S'] as const;
const NEGATIVE = ['R', 'A', 'I'] as const;

/**
 * Orientation letters of an LPS direction: the dominant axis first, then any
 * axis contributing more than `minComponent` (an oblique view gets "LP", "SA"…).
 */
export function orientationLetters(directionLps: Readonly<Vec3>, minComponent = 0.3): string {
  const order = [0, 1, 2].sort((a, b) => Math.abs(directionLps[b]!) - Math.abs(directionLps[a]!));
  let text = '';
  for (const axis of order) {
    const c = directionLps[axis]!;
    if (Math.abs(c) < minComponent && text.length > 0) continue;
    if (c === 0) continue;
    text += c > 0 ? POSITIVE[axis] : NEGATIVE[axis];
  }
  return text;
}

/** Letters on the four screen edges for a camera with this up vector and plane normal (LPS). */
export function edgeLabels(viewUp: Readonly<Vec3>, viewPlaneNormal: Readonly<Vec3>): EdgeLabels {
  const right = cross([0, 0, 0], viewUp, viewPlaneNormal);
  const left: Vec3 = [-right[0], -right[1], -right[2]];
  const down: Vec3 = [-viewUp[0], -viewUp[1], -viewUp[2]];
  return {
    left: orientationLetters(left),
    right: orientationLetters(right),
    top: orientationLetters(viewUp),
    bottom: orientationLetters(down),
  };
}
