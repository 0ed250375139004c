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

export function closedBoneDepth(fields: FieldSet, maxGapMm: number, options: { shared?: boolean; localBoxes?: boolean } = {}): Volume<Float32Array> {
  const g = fields.geometry;
  const [ni, nj, nk] = g.dims;
  const labels = fields.labels.voxels;
  const lesion = fields.lesion ? fields.lesion.voxels : null;
  const bone = fields.boneDepth.voxels;
  const n = ni * nj * nk;
  const part = new Uint8Array(n);
  const mask = allocVoxels(Uint8Array, n, { shared: false });
  for (let v = 0; v < n; v++) {
    const l = labels[v]!;
    const p = l >= SACRUM && l <= L5 ? l : l === LESION || (lesion !== null && lesion[v]! < 0) ? LESION : 0;
    part[v] = p;
    mask[v] = p ? 1 : 0;
  }
  // Gap voxels, and a box per side (the hip bone involved) around them.
  const boxes = [[ni, nj, nk, -1, -1, -1], [ni, nj, nk, -1, -1, -1]];
  let gaps = 0;
  const strides = [1, ni, ni * nj];
  const sizes = [ni, nj, nk];
  for (let axis = 0; axis < 3; axis++) {
    const gapVox = Math.max(1, Math.floor(maxGapMm / g.spacingMm[axis]!));
    const stride = strides[axis]!;
    const size = sizes[axis]!;
    for (let k = 0, v = 0; k < nk; k++) {
      for (let j = 0; j < nj; j++) {
        for (let i = 0; i < ni; i++, v++) {
          if (mask[v] !== 0 || bone[v]! < -maxGapMm) continue; // bone, or too far from any bone to be in a gap
          const pos = axis === 0 ? i : axis === 1 ? j : k;
          let a = 0, b = 0;
          for (let s = 1; s <= gapVox && pos - s >= 0; s++) {
            const p = part[v - s * stride]!;
            if (p) { a = p; break; }
          }
          if (!a) continue;
          for (let s = 1; s <= gapVox && pos + s < size; s++) {
            const p = part[v + s * stride]!;
            if (p) { b = p; break; }
          }
          // Only the sacroiliac joints close: a hip bone against the sacrum (or a lesion, which may fill
          // the sacral side of the joint).
          if (!(b && a !== b && ((isHip(a) && (b === SACRUM || b === LESION)) || (isHip(b) && (a === SACRUM || a === LESION))))) continue;
          mask[v] = 2;
          gaps++;
          const box = boxes[a === HIP_RIGHT || b === HIP_RIGHT ? 1 : 0]!;
          if (i < box[0]!) box[0] = i;
          if (j < box[1]!) box[1] = j;
          if (k < box[2]!) box[2] = k;
          if (i > box[3]!) box[3] = i;
          if (j > box[4]!) box[4] = j;
          if (k > box[5]!) box[5] = k;
        }
      }
    }
  }
  if (gaps === 0) return fields.boneDepth;
  const maskVolume = createVolume('closedBoneMask', 'label', g, mask);
  if (options.localBoxes === false) {
    return computeDistanceField(maskVolume, { inside: [1, 2], signed: 'insidePositive', shared: options.shared ?? false, id: 'closedBoneDepth' });
  }
  // Local: the closed depth differs from the plain one only near the gaps. Recompute it in a core box
  // around each joint (gaps + CORE_MM), from an EDT on the core grown by REACH_MM: any depth below
  // REACH_MM is then exact in the core (a nearer non-bone voxel would lie inside the grown box).
  // Outside the cores the plain bone depth stands in (never deeper than the closed one: conservative).
  const out = allocVoxels(Float32Array, n, { shared: options.shared ?? false });
  out.set(bone);
  for (const box of boxes) {
    if (box[3]! < 0) continue;
    const core = grow(box, CORE_MM, g.spacingMm, g.dims);
    const reach = grow(core, REACH_MM, g.spacingMm, g.dims);
    const roi = { min: [reach[0]!, reach[1]!, reach[2]!] as const, max: [reach[3]! + 1, reach[4]! + 1, reach[5]! + 1] as const };
    const local = computeDistanceField(maskVolume, { inside: [1, 2], signed: 'insidePositive', roi, id: 'closedBoneDepthLocal' });
    const [li, lj] = local.geometry.dims;
    for (let k = core[2]!; k <= core[5]!; k++) {
      for (let j = core[1]!; j <= core[4]!; j++) {
        let v = core[0]! + ni * (j + nj * k);
        let q = core[0]! - reach[0]! + li * (j - reach[1]! + lj * (k - reach[2]!));
        for (let i = core[0]!; i <= core[3]!; i++, v++, q++) {
          const d = local.voxels[q]!;
          if (Number.isFinite(d)) out[v] = d; // no non-bone voxel in reach: keep the plain depth
        }
      }
    }
  }
  return createVolume('closedBoneDepth', 'field', g, out);
}

/** Margin around the gap voxels where the closed depth is recomputed, and the extra reach that makes depths below it exact, mm. */
const CORE_MM = 10;
const REACH_MM = 20;

function grow(box: readonly number[], mm: number, spacing: readonly number[], dims: readonly number[]): number[] {
  const out: number[] = [];
  for (let a = 0; a < 3; a++) {
    const d = Math.ceil(mm / spacing[a]!);
    out[a] = Math.max(0, box[a]! - d);
    out[a + 3] = Math.min(dims[a]! - 1, box[a + 3]! + d);
  }
  return out;
}
