/**
 * Writes the real CTs of /work/shared/data/real (NIfTI) as DICOM CT series,
 * through the DICOM module's niftiToCtSeriesFiles, so the e2e tests
 * open them through the same loading path as a user's files.
 * Output: e2e/.cache/real/<case>/IM000001.dcm … (git-ignored). Skips a case
 * whose folder is already complete (marker file `<case>.complete` beside it,
 * not inside, so the folder holds only DICOM).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { niftiToCtSeriesFiles } from '../../src/core/dicom/niftiToCtSeries';

const here = dirname(fileURLToPath(import.meta.url));
export const REAL_DATA_DIR = process.env['PLANNER_REAL_DATA'] ?? '/work/shared/data/real';
export const REAL_DICOM_DIR = resolve(here, '../.cache/real');

export const REAL_CASES = [
  { name: 'totalseg-example', description: 'Abdomen-pelvis CT (TotalSegmentator example)' },
  { name: 'fracsegnet-002', description: 'Pelvic fracture CT, bone only (FracSegNet 002)' },
] as const;

export type RealCaseName = (typeof REAL_CASES)[number]['name'];

/** Writes every case that is not written yet; returns the folder of each. */
export function writeRealCtDicom(): Record<RealCaseName, string> {
  const out = {} as Record<RealCaseName, string>;
  for (const c of REAL_CASES) {
    const dir = join(REAL_DICOM_DIR, c.name);
    out[c.name] = dir;
    const src = join(REAL_DATA_DIR, c.name, 'ct.nii.gz');
    if (!existsSync(src)) continue;
    const marker = `${dir}.complete`;
    if (existsSync(marker)) continue;
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    // The DICOM module's helper: NIfTI (RAS) -> LPS, flipped to scanner axes, one file per axial slice.
    const files = niftiToCtSeriesFiles(new Uint8Array(readFileSync(src)), {
      patientName: `REAL^${c.name}`,
      patientId: c.name,
      seriesDescription: c.description,
      uidSeed: `e2e-real-${c.name}`,
    });
    for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
    writeFileSync(marker, `${files.length}\n`);
  }
  return out;
}

export function listDicomFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}
