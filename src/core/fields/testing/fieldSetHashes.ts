import { createHash } from 'node:crypto';
import type { CriticalStructures } from '../../anatomy/structures';
import { LABELS } from '../../shared/ids';
import type { Volume } from '../../volume/Volume';
import { createVolume } from '../../volume/Volume';
import type { Vec3 } from '../../geometry/vec3';
import { transformPoint } from '../../volume/VolumeGeometry';
import type { FieldSet } from '../FieldSet';

/**
 * Fingerprints of the structures and distance fields the pipeline hands to the planner,
 * kept so that a speed-up of detectCriticalStructures or buildFieldSet (or running them on
 * two threads at once) that alters a single bit cannot pass silently: sha256 (first 16 hex
 * digits) of
 * - `structures`: the JSON of the detected models (every coordinate to the last bit);
 * - `fields`: each field's grid (dims, ijk->LPS matrix) and Float32 bytes, in a fixed order
 *   (bone depth, lesion, structures by id), and the ROI label bytes.
 * Recorded on 24 Nov 2026 (05:15 UTC) with the code of commit e386ab9, before the
 * overlapped structures + bone depth. Change a figure here only with a commit that says
 * which output changed and why.
 */
export const FIELD_SET_HASHES = {
  // 25 Nov stop 21 (helper D2, the canal detection's midline on the sacrum's mirror plane): the
  // L5 roots' second centreline point moved from x 35.34 / -36.66 (the centroid, pulled 0.66 mm
  // right by the lesion in the left ala) to 36.00 / -36.00 (the phantom's bone is symmetric),
  // 0.60 mm at medium size; everything else of the structures identical, the fields follow.
  'sacralAla small': { structures: 'b1de199ff1febaa8', fields: '5d6b85843e3b90f2', fieldsWithLesion: '00e32eb01807a1b7' },
  'sacralAla medium': { structures: '139a10e32f667e71', fields: '4148e6f54c80c92d', fieldsWithLesion: 'e8c3285863430f2d' },
} as const;

function updateVolume(h: ReturnType<typeof createHash>, name: string, v: Volume<Float32Array | Uint8Array> | null | undefined): void {
  h.update(name);
  if (!v) {
    h.update('null');
    return;
  }
  h.update(v.geometry.dims.join(','));
  h.update(new Float64Array(v.geometry.ijkToLps));
  h.update(new Uint8Array(v.voxels.buffer, v.voxels.byteOffset, v.voxels.byteLength));
}

export function structuresHash(structures: CriticalStructures): string {
  return createHash('sha256').update(JSON.stringify(structures)).digest('hex').slice(0, 16);
}

export function fieldSetHash(fields: FieldSet): string {
  const h = createHash('sha256');
  updateVolume(h, 'boneDepth', fields.boneDepth);
  updateVolume(h, 'lesion', fields.lesion);
  for (const id of Object.keys(fields.structures).sort()) updateVolume(h, id, fields.structures[id as keyof typeof fields.structures]);
  updateVolume(h, 'labels', fields.labels);
  h.update(String(fields.structureMarginMm));
  return h.digest('hex').slice(0, 16);
}

/**
 * A copy of `labels` with a lesion ball (radius `radiusMm`) painted over the bone around
 * `centerLps` (only where there is bone: the lesion stays inside it), so a fingerprint covers
 * the lesion field without depending on growLesion.
 */
export function withLesionBall(labels: Volume<Uint8Array>, centerLps: Vec3, radiusMm: number): Volume<Uint8Array> {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  const out = labels.voxels.slice();
  const c = transformPoint([0, 0, 0], g.lpsToIjk, centerLps);
  const p: Vec3 = [0, 0, 0];
  const r = [radiusMm / g.spacingMm[0], radiusMm / g.spacingMm[1], radiusMm / g.spacingMm[2]];
  for (let k = Math.max(0, Math.floor(c[2] - r[2]!)); k <= Math.min(nk - 1, Math.ceil(c[2] + r[2]!)); k++) {
    for (let j = Math.max(0, Math.floor(c[1] - r[1]!)); j <= Math.min(nj - 1, Math.ceil(c[1] + r[1]!)); j++) {
      for (let i = Math.max(0, Math.floor(c[0] - r[0]!)); i <= Math.min(ni - 1, Math.ceil(c[0] + r[0]!)); i++) {
        const t = i + ni * (j + nj * k);
        if (out[t] === 0) continue;
        transformPoint(p, g.ijkToLps, [i, j, k]);
        if (Math.hypot(p[0] - centerLps[0], p[1] - centerLps[1], p[2] - centerLps[2]) <= radiusMm) out[t] = LABELS.lesion;
      }
    }
  }
  return createVolume(`${labels.id}-lesion-ball`, 'label', g, out);
}
