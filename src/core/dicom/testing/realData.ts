/**
 * Node-only helpers for the real CTs in /work/shared/data/real (see its README).
 * - `loadRealCase(name)`: CT (HU, LPS, scanner axes) and one label volume in
 *   LABELS convention (src/core/shared/ids.ts) on the CT's grid.
 * - `writeRealCtSeries(outDir)`: writes both CTs as DICOM series to disk for
 *   e2e tests; run directly: `npx tsx src/core/dicom/testing/realData.ts <outDir>`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readNifti } from '../../io/nifti';
import { LABELS } from '../../shared/ids';
import type { Volume } from '../../volume/Volume';
import { niftiToCtVolume } from '../niftiToCtSeries';
import { resampleLabelsNearest } from '../resampleLabelsNearest';
import { type CtSeriesMeta, writeCtSeries } from '../writeCtSeries';

export const REAL_DATA_DIR = '/work/shared/data/real';

export type RealCaseName = 'totalseg-example' | 'fracsegnet-002';

export const REAL_CASE_META: Record<RealCaseName, CtSeriesMeta> = {
  'totalseg-example': {
    patientName: 'TotalSegmentator^Example',
    patientId: 'REAL-TS-001',
    seriesDescription: 'Abdomen-pelvis CT 3.0 mm (TotalSegmentator example)',
    studyDescription: 'CT abdomen pelvis',
    uidSeed: 'real/totalseg-example',
    manufacturer: 'Converted from NIfTI',
  },
  'fracsegnet-002': {
    patientName: 'FracSegNet^Case002',
    patientId: 'REAL-FSN-002',
    seriesDescription: 'Pelvis bone-only CT 0.75 mm (FracSegNet 002)',
    studyDescription: 'CT pelvis',
    uidSeed: 'real/fracsegnet-002',
    manufacturer: 'Converted from NIfTI',
  },
};

function read(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** CT and labels (LABELS values) of one real case, labels on the CT's (reoriented) grid. */
export function loadRealCase(name: RealCaseName): { ct: Volume<Int16Array>; labels: Volume<Uint8Array> } {
  const dir = join(REAL_DATA_DIR, name);
  const ct = niftiToCtVolume(read(join(dir, 'ct.nii.gz')));
  if (name === 'fracsegnet-002') {
    const { volume } = readNifti(read(join(dir, 'labels.nii.gz')), { kind: 'label' });
    const map = (v: number): number => (v === 1 ? LABELS.sacrum : v >= 11 && v <= 13 ? LABELS.hipLeft : v === 21 ? LABELS.hipRight : 0);
    return { ct, labels: resampleLabelsNearest(volume, ct.geometry, { map, id: `${name}-labels` }) };
  }
  const parts: [string, number][] = [
    ['sacrum', LABELS.sacrum],
    ['hip_left', LABELS.hipLeft],
    ['hip_right', LABELS.hipRight],
    ['femur_left', LABELS.femurLeft],
    ['femur_right', LABELS.femurRight],
    ['vertebrae_L5', LABELS.l5],
  ];
  let labels: Volume<Uint8Array> | null = null;
  for (const [file, value] of parts) {
    const { volume } = readNifti(read(join(dir, 'labels', `${file}.nii.gz`)), { kind: 'label' });
    const mask = resampleLabelsNearest(volume, ct.geometry, { map: (v) => (v > 0.5 ? value : 0) });
    if (!labels) labels = { ...mask, id: `${name}-labels` };
    else for (let n = 0; n < mask.voxels.length; n++) if (mask.voxels[n]) labels.voxels[n] = mask.voxels[n]!;
  }
  return { ct, labels: labels! };
}

/** Writes both real CTs as DICOM series under outDir/<case>/IM*.dcm; returns the folders. */
export function writeRealCtSeries(outDir: string): string[] {
  const folders: string[] = [];
  for (const name of Object.keys(REAL_CASE_META) as RealCaseName[]) {
    const folder = join(outDir, name);
    mkdirSync(folder, { recursive: true });
    const ct = niftiToCtVolume(read(join(REAL_DATA_DIR, name, 'ct.nii.gz')));
    for (const f of writeCtSeries(ct, REAL_CASE_META[name])) writeFileSync(join(folder, f.name), f.bytes);
    folders.push(folder);
  }
  return folders;
}

const invokedDirectly = typeof process !== 'undefined' && process.argv[1] !== undefined && /realData\.ts$/.test(process.argv[1]);
if (invokedDirectly) {
  const out = process.argv[2];
  if (!out) {
    process.stderr.write('usage: npx tsx src/core/dicom/testing/realData.ts <outDir>\n');
    process.exit(2);
  }
  for (const folder of writeRealCtSeries(out)) process.stdout.write(`${folder}\n`);
}
