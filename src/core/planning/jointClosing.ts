import type { FieldSet } from '../fields/FieldSet';
import { computeDistanceField } from '../fields/distanceTransform';
import { LABELS } from '../shared/ids';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import { allocVoxels } from '../volume/voxelBuffer';

/**
 * Bone depth with the joint gaps closed: the sacroiliac joints (a few mm of
 * cartilage between the ilium and the sacrum) are crossed on purpose by
 * iliosacral and transsacral screws, but in the plain bone-depth field the gap
 * is "outside bone", so every point near it looks close to the cortex. Here a
 * background voxel counts as bone when, along one of the grid axes, the
 * sacrum lies within `maxGapMm` on one side and a hip bone on the other.
 * Foramina, the canal, the hip joint and the outer surfaces stay open.
 * The signed field (positive inside) comes from the shared EDT.
 */
// Local copies: imported bindings are getters under some module loaders, and these run per voxel.
const SACRUM = LABELS.sacrum, HIP_LEFT = LABELS.hipLeft, HIP_RIGHT = LABELS.hipRight, L5 = LABELS.l5, LESION = LABELS.lesion;

function isHip(label: number): boolean {
  return label === HIP_LEFT || label === HIP_RIGHT;
}

export function closedBoneDepth(fields: FieldSet, maxGapMm: number, options: { shared?: boolean } = {}): Volume<Float32Array> {
  const g = fields.geometry;
  const [ni, nj, nk] = g.dims;
  const labels = fields.labels.voxels;
  const lesion = fields.lesion ? fields.lesion.voxels : null;
  const n = ni * nj * nk;
  const mask = allocVoxels(Uint8Array, n, { shared: false });
  const part = (v: number): number => {
    const l = labels[v]!;
    if (l >= SACRUM && l <= L5) return l;
    if (l === LESION || (lesion && lesion[v]! < 0)) return LESION;
    return 0;
  };
  for (let v = 0; v < n; v++) mask[v] = part(v) ? 1 : 0;
  const strides = [1, ni, ni * nj];
  const sizes = [ni, nj, nk];
  for (let axis = 0; axis < 3; axis++) {
    const gapVox = Math.max(1, Math.floor(maxGapMm / g.spacingMm[axis]!));
    const stride = strides[axis]!;
    const size = sizes[axis]!;
    for (let k = 0, v = 0; k < nk; k++) {
      for (let j = 0; j < nj; j++) {
        for (let i = 0; i < ni; i++, v++) {
          if (mask[v] === 1 || part(v) !== 0) continue;
          const pos = axis === 0 ? i : axis === 1 ? j : k;
          let a = 0, b = 0;
          for (let s = 1; s <= gapVox && pos - s >= 0; s++) {
            const p = part(v - s * stride);
            if (p) { a = p; break; }
          }
          if (!a) continue;
          for (let s = 1; s <= gapVox && pos + s < size; s++) {
            const p = part(v + s * stride);
            if (p) { b = p; break; }
          }
          // Only the sacroiliac joints close: a hip bone against the sacrum (or a lesion, which may fill
          // the sacral side of the joint).
          if (b && a !== b && ((isHip(a) && (b === SACRUM || b === LESION)) || (isHip(b) && (a === SACRUM || a === LESION)))) mask[v] = 2;
        }
      }
    }
  }
  const maskVolume = createVolume('closedBoneMask', 'label', g, mask);
  return computeDistanceField(maskVolume, { inside: [1, 2], signed: 'insidePositive', shared: options.shared ?? false, id: 'closedBoneDepth' });
}
