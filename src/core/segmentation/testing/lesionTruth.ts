import { EDT_FAR, squaredDistanceInPlace } from '../../fields/distanceTransform';
import { BONE_LABELS, LABELS } from '../../shared/ids';
import type { VolumeGeometry } from '../../volume/VolumeGeometry';

/**
 * Ground-truth figures of a grown lesion against a phantom's label volume (test support).
 * `grown`: our label volume after growLesion; `truth`: the phantom's labels.
 */
export type LesionTruthFigures = {
  grownVoxels: number;
  truthVoxels: number;
  dice: number;
  /** Grown voxels that are not truth lesion. */
  outsideLesion: number;
  /** Grown voxels in truth label 0 (soft tissue, canal, foramina, joint spaces: no bone at all). */
  outsideBone: number;
  /**
   * Grown voxels in a joint space: truth 0 within `jointMm` of the host part and of another bone
   * part (default 4 mm: the phantom SI gap is 3 mm between the hull of the sacrum and the hip,
   * wider where the sacrum lies inside its hull, plus discretisation).
   */
  inJointGap: number;
  /**
   * Grown voxels in truth 0 that do not touch (26-neighbourhood) a truth bone or lesion voxel:
   * soft tissue beyond the one-voxel partial-volume layer around the true bone outline.
   */
  beyondOutline: number;
};

function distanceTo(truth: Uint8Array, g: VolumeGeometry, pick: Uint8Array): Float32Array {
  const d = new Float32Array(truth.length);
  for (let t = 0; t < truth.length; t++) d[t] = pick[truth[t]!] ? 0 : EDT_FAR;
  squaredDistanceInPlace(d, g.dims, g.spacingMm);
  return d;
}

export function lesionTruthFigures(grown: Uint8Array, truth: Uint8Array, g: VolumeGeometry, hostLabel: number, jointMm = 4): LesionTruthFigures {
  let a = 0, b = 0, inter = 0, outsideLesion = 0, outsideBone = 0;
  for (let t = 0; t < truth.length; t++) {
    const x = grown[t] === LABELS.lesion, y = truth[t] === LABELS.lesion;
    if (x) a++;
    if (y) b++;
    if (x && y) inter++;
    if (x && !y) outsideLesion++;
    if (x && truth[t] === 0) outsideBone++;
  }
  const host = new Uint8Array(256);
  host[hostLabel] = 1;
  host[LABELS.lesion] = 1;
  const other = new Uint8Array(256);
  for (const l of BONE_LABELS) if (l !== hostLabel) other[l] = 1;
  const dHost = distanceTo(truth, g, host);
  const dOther = distanceTo(truth, g, other);
  const j2 = jointMm * jointMm + 1e-6;
  let inJointGap = 0;
  for (let t = 0; t < truth.length; t++) {
    if (grown[t] === LABELS.lesion && truth[t] === 0 && dHost[t]! <= j2 && dOther[t]! <= j2) inJointGap++;
  }
  const [ni, nj, nk] = g.dims;
  const solid = new Uint8Array(256);
  for (const l of BONE_LABELS) solid[l] = 1;
  solid[LABELS.lesion] = 1;
  let beyondOutline = 0;
  for (let t = 0; t < truth.length; t++) {
    if (grown[t] !== LABELS.lesion || truth[t] !== 0) continue;
    const i = t % ni, j = Math.floor(t / ni) % nj, k = Math.floor(t / (ni * nj));
    let touches = false;
    for (let dk = -1; dk <= 1 && !touches; dk++) for (let dj = -1; dj <= 1 && !touches; dj++) for (let di = -1; di <= 1; di++) {
      const a2 = i + di, b2 = j + dj, c2 = k + dk;
      if (a2 < 0 || b2 < 0 || c2 < 0 || a2 >= ni || b2 >= nj || c2 >= nk) continue;
      if (solid[truth[a2 + ni * (b2 + nj * c2)]!]) { touches = true; break; }
    }
    if (!touches) beyondOutline++;
  }
  return { grownVoxels: a, truthVoxels: b, dice: a + b === 0 ? 1 : (2 * inter) / (a + b), outsideLesion, outsideBone, inJointGap, beyondOutline };
}
