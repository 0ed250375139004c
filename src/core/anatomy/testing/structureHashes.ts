/**
 * Fingerprints of detectCriticalStructures' output on fixed label volumes, kept so that a
 * speed-up of the detection (or of what it calls: morphology, components, distance
 * transforms) that moves a single coordinate by one bit cannot pass silently: sha256 (first
 * 16 hex digits) of the JSON of the models, with -0, NaN and the infinities written out.
 * Node only (reads the phantoms' truth labels from sample-dicom/out and the real cases from
 * /work/shared/data/real).
 *
 * Recorded on 24 Nov 2026 (08:00 UTC) with the detection code of commit 2163f70, before the
 * speed work of that morning (holes on their own box, the near-surface layer by probing the
 * ball instead of a distance transform of the sacrum's box). Change a figure here only with a
 * commit that says which output changed and why.
 *
 * Changed on 24 Nov 2026 (stop 18, the hip joint fix of jointSurface.ts): the joints of the
 * femoralNeck truth labels (its lesion is an enclosed hole in the femur label, now filled:
 * the left head was 55 mm off; now the same models as supraAcetabular, whose anatomy it
 * shares) and of the CBCT phantom's truth labels (heads cut by the field of view). Every
 * other fingerprint is unchanged.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadRealCase } from '../../dicom/testing/realData';
import { readNifti } from '../../io/nifti';
import { readNrrd } from '../../io/nrrd';
import type { Volume } from '../../volume/Volume';
import { createVolume } from '../../volume/Volume';
import { createVolumeGeometry } from '../../volume/VolumeGeometry';
import type { CriticalStructures } from '../structures';

export const STRUCTURE_HASHES = {
  'sacralAla-small truth': 'b57f535682c4702c', // 8 foramina, 2 joints (25 Nov D2: mirror-plane midline; L5 roots 0.03 mm)
  'sacralAla-medium truth': '7e66315a9444ac99', // 8 foramina, 2 joints (25 Nov D2: L5 roots 0.03 mm)
  'supraAcetabular-small truth': '9d1790e6f1e986b2', // 8 foramina, 2 joints
  'supraAcetabular-medium truth': '50979860279b7d8a', // 8 foramina, 2 joints
  'femoralNeck-small truth': '9d1790e6f1e986b2', // 8 foramina, 2 joints
  'femoralNeck-medium truth': '50979860279b7d8a', // 8 foramina, 2 joints
  'dysmorphic-small truth': '85ea1a6ad2b0dbf8', // 8 foramina, 2 joints
  'dysmorphic-medium truth': '7e4c43857c45e302', // 8 foramina, 2 joints
  'sacralAlaCbct-small truth': '4b4cf5d346aa1c4f', // 8 foramina, 2 joints (25 Nov D2: L5 roots 0.03 mm)
  'sacralAlaCbct-medium truth': '609fbfb912d662c9', // 8 foramina, 2 joints (25 Nov D2: L5 roots 0.03 mm)
  'fracsegnet-002 expert': 'c8865e0aa4e504e0', // 25 Nov D2: canal up to 2.1 mm, roots 1.1 mm
  'totalseg-example truth': '2ce0750efaaf7310', // 25 Nov D2: roots 0.01 mm
  'dysmorphic-small segmentBone': '5bdd48c5f1acd618', // 25 Nov D2: roots 0.02 mm
  'sacralAla-small truth flipIJ': '1f97d6633c1f033c', // 8 foramina, 6 roots, 2 joints (25 Nov D2: roots 0.03 mm)
  'sacralAla-small truth tiltY': '3a01e5313cc3d426', // 7 foramina, 5 roots, 2 joints (25 Nov D2: canal on the tilted grid's midline, was 6 foramina, 4 roots)
  'femoralNeck-medium truth flipIJ': '5277c58916d11fb1', // 8 foramina, 6 roots, 2 joints
  'femoralNeck-medium truth tiltY': 'd1e159b27165d13b', // 7 foramina, 5 roots, 2 joints (25 Nov D2: was 4 roots)
} as const;

/** sha256 (16 hex digits) of the models' JSON, -0 / NaN / infinities kept apart from 0 / null. */
export function structuresFingerprint(s: CriticalStructures): string {
  const text = JSON.stringify(s, (_key, v: unknown) => {
    if (typeof v !== 'number') return v;
    if (Object.is(v, -0)) return '-0';
    return Number.isFinite(v) ? v : String(v);
  });
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const PHANTOM_DIR = join(import.meta.dirname, '../../../../sample-dicom/out');

/** The phantom's truth labels as written to disk (sample-dicom/out/<case>-<size>/labels.nrrd). */
export function phantomTruthLabels(series: string): Volume<Uint8Array> {
  return readNrrd(new Uint8Array(readFileSync(join(PHANTOM_DIR, series, 'labels.nrrd')))).volume as Volume<Uint8Array>;
}

/** fracsegnet-002's expert labels (sacrum 1, hips 2 and 3) on the NIfTI's own grid, as anatomy.real.test.ts reads them. */
export function fracsegnetExpertLabels(): Volume<Uint8Array> {
  const dir = '/work/shared/data/real/fracsegnet-002';
  const ct = readNifti(new Uint8Array(readFileSync(`${dir}/ct.nii.gz`)), { kind: 'ct' }).volume;
  const raw = readNifti(new Uint8Array(readFileSync(`${dir}/labels.nii.gz`)), { kind: 'label' }).volume.voxels;
  const expert = new Uint8Array(raw.length);
  for (let q = 0; q < expert.length; q++) {
    const v = raw[q]!;
    expert[q] = v === 1 ? 1 : v >= 11 && v <= 13 ? 2 : v === 21 ? 3 : 0;
  }
  return createVolume('fracsegnet-002-expert', 'label', ct.geometry, expert);
}

/** totalseg-example's reference labels (sacrum, hips, femurs, L5) on its CT grid. */
export function totalsegTruthLabels(): Volume<Uint8Array> {
  return loadRealCase('totalseg-example').labels;
}

/**
 * The same labels on other grids, for the detectors' general paths (the fast ones assume
 * axes near LPS): `flipIJ` reverses i and j with the direction (-1, -1, 1), the same anatomy;
 * `tiltY` keeps the voxels and tilts the axes by `deg` about y (the i axis gains a z part:
 * a tilted pelvis).
 */
export function onOtherGrid(labels: Volume<Uint8Array>, how: 'flipIJ' | 'tiltY', deg = 8): Volume<Uint8Array> {
  const g = labels.geometry;
  const [ni, nj, nk] = g.dims;
  if (how === 'tiltY') {
    const c = Math.cos((deg * Math.PI) / 180), s = Math.sin((deg * Math.PI) / 180);
    const geometry = createVolumeGeometry({ dims: g.dims, spacingMm: g.spacingMm, originLps: g.originLps, direction: [c, 0, s, 0, 1, 0, -s, 0, c] });
    return createVolume(`${labels.id}-tilted`, 'label', geometry, labels.voxels);
  }
  const out = new Uint8Array(labels.voxels.length);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) out[ni - 1 - i + ni * (nj - 1 - j + nj * k)] = labels.voxels[i + ni * (j + nj * k)]!;
  const geometry = createVolumeGeometry({
    dims: g.dims, spacingMm: g.spacingMm, direction: [-1, 0, 0, 0, -1, 0, 0, 0, 1],
    originLps: [g.originLps[0] + (ni - 1) * g.spacingMm[0], g.originLps[1] + (nj - 1) * g.spacingMm[1], g.originLps[2]],
  });
  return createVolume(`${labels.id}-flipped`, 'label', geometry, out);
}
