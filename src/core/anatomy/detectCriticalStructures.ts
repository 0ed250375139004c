import type { Volume } from '../volume/Volume';
import { detectJointSurfaces } from './jointSurface';
import { labelBoxes } from './labelBoxes';
import { detectSacralStructures } from './sacrum';
import type { CriticalStructures } from './structures';

/**
 * All critical structures from a bone label volume (our segmentation or an
 * imported one): sacral canal, anterior foramina S1-S4, S1/S2/L5 root
 * proposals and both hip joint surfaces. Plain data for the UI and the fields.
 */
export function detectCriticalStructures(labels: Volume<Uint8Array>): CriticalStructures {
  // One pass over the grid for the bounding boxes of every label (each detector used to scan it).
  const boxes = labelBoxes(labels);
  const sacral = detectSacralStructures(labels, { boxes });
  const joints = detectJointSurfaces(labels, boxes);
  return {
    foramina: sacral.foramina,
    sacralCanal: sacral.sacralCanal,
    roots: sacral.roots,
    joints: joints.joints,
    notes: [...sacral.notes, ...joints.notes],
  };
}
