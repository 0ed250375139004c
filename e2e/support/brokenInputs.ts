/**
 * Broken and unusual DICOM inputs for the loading e2e tests.
 *
 * Preferred source: the phantom generator's `--broken` output
 * (sample-dicom/out/broken/<name>/). When that is absent, the same set is
 * written here from the real TotalSegmentator CT with the project's DICOM
 * writer (per-slice overrides), into e2e/.cache/broken/<name>/.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { niftiToCtVolume } from '../../src/core/dicom/niftiToCtSeries';
import { writeCtSeries, SOP_CLASS } from '../../src/core/dicom/writeCtSeries';
import { createVolume } from '../../src/core/volume/Volume';
import { createVolumeGeometry } from '../../src/core/volume/VolumeGeometry';
import { REAL_DATA_DIR } from './realCtToDicom';

const here = dirname(fileURLToPath(import.meta.url));
export const PHANTOM_BROKEN_DIR = resolve(here, '../../sample-dicom/out/broken');
export const OWN_BROKEN_DIR = resolve(here, '../.cache/broken');

export type BrokenCase = 'missing-slice' | 'uneven-spacing' | 'gantry-tilt' | 'two-series' | 'reversed-order' | 'truncated-file' | 'non-dicom-file' | 'mr-series';
export const BROKEN_CASES: readonly BrokenCase[] = ['missing-slice', 'uneven-spacing', 'gantry-tilt', 'two-series', 'reversed-order', 'truncated-file', 'non-dicom-file', 'mr-series'];

/** Finds the phantom generator's folder for a case (its names may differ slightly), else ours. */
export function brokenCaseDir(name: BrokenCase, source: 'phantom-first' | 'own' = 'phantom-first'): string | null {
  if (source === 'phantom-first' && existsSync(PHANTOM_BROKEN_DIR)) {
    const key = name.split('-')[0]!;
    const match = readdirSync(PHANTOM_BROKEN_DIR).find((d) => !d.includes('.') && (d === name || d.toLowerCase().includes(key)));
    if (match) return join(PHANTOM_BROKEN_DIR, match);
  }
  const own = join(OWN_BROKEN_DIR, name);
  return existsSync(own) ? own : null;
}

function writeAll(dir: string, files: { name: string; bytes: Uint8Array }[]): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
}

/** Writes our own broken set (skipped when complete or when the real CT is missing). */
export function writeOwnBrokenInputs(): void {
  const marker = `${OWN_BROKEN_DIR}.complete`;
  const src = join(REAL_DATA_DIR, 'totalseg-example', 'ct.nii.gz');
  if (existsSync(marker) || !existsSync(src)) return;
  const ct = niftiToCtVolume(new Uint8Array(readFileSync(src)));
  const [, , nk] = ct.geometry.dims;
  const meta = (uidSeed: string, seriesDescription: string) => ({ patientName: 'BROKEN^INPUT', patientId: 'broken', seriesDescription, uidSeed });
  const mid = Math.floor(nk / 2);
  const d = ct.geometry.direction;
  const normal = [d[6]!, d[7]!, d[8]!];

  writeAll(join(OWN_BROKEN_DIR, 'missing-slice'), writeCtSeries(ct, meta('missing', 'missing slice'), { perSlice: (k) => (k === mid ? 'skip' : undefined) }));

  const m = ct.geometry.ijkToLps;
  const step = ct.geometry.spacingMm[2];
  writeAll(
    join(OWN_BROKEN_DIR, 'uneven-spacing'),
    writeCtSeries(ct, meta('uneven', 'uneven spacing'), {
      // From the middle on, slices are 1.5 x further apart.
      perSlice: (k) => {
        if (k <= mid) return undefined;
        const extra = (k - mid) * step * 0.5;
        const p: [number, number, number] = [m[8]! * k + m[12]! + normal[0]! * extra, m[9]! * k + m[13]! + normal[1]! * extra, m[10]! * k + m[14]! + normal[2]! * extra];
        return { imagePositionLps: p };
      },
    }),
  );

  // Gantry tilt of 12 degrees: the slice axis is sheared along the column direction.
  const tilt = (12 * Math.PI) / 180;
  const kAxis = [normal[0]! + Math.tan(tilt) * d[3]!, normal[1]! + Math.tan(tilt) * d[4]!, normal[2]! + Math.tan(tilt) * d[5]!];
  const len = Math.hypot(kAxis[0]!, kAxis[1]!, kAxis[2]!);
  const tilted = createVolume('tilted', 'ct', createVolumeGeometry({
    dims: ct.geometry.dims,
    spacingMm: [ct.geometry.spacingMm[0], ct.geometry.spacingMm[1], ct.geometry.spacingMm[2] * len],
    originLps: ct.geometry.originLps,
    direction: [...d.slice(0, 6), kAxis[0]! / len, kAxis[1]! / len, kAxis[2]! / len],
  }), ct.voxels);
  writeAll(join(OWN_BROKEN_DIR, 'gantry-tilt'), writeCtSeries(tilted, meta('tilt', 'gantry tilt 12 deg')));

  writeAll(join(OWN_BROKEN_DIR, 'two-series'), [
    ...writeCtSeries(ct, meta('two-a', 'soft tissue kernel')).map((f) => ({ ...f, name: `A_${f.name}` })),
    ...writeCtSeries(ct, { ...meta('two-b', 'bone kernel'), seriesNumber: 3 }).map((f) => ({ ...f, name: `B_${f.name}` })),
  ]);

  // Files and instance numbers in reverse order of position.
  writeAll(join(OWN_BROKEN_DIR, 'reversed-order'), writeCtSeries(ct, meta('reversed', 'reversed order'), { perSlice: (k) => ({ instanceNumber: nk - k }) }).map((f, k) => ({ ...f, name: `IM${String(nk - k).padStart(6, '0')}.dcm` })));

  const whole = writeCtSeries(ct, meta('truncated', 'truncated file'));
  whole[mid] = { name: whole[mid]!.name, bytes: whole[mid]!.bytes.subarray(0, Math.floor(whole[mid]!.bytes.length / 3)) };
  writeAll(join(OWN_BROKEN_DIR, 'truncated-file'), whole);

  writeAll(join(OWN_BROKEN_DIR, 'non-dicom-file'), [{ name: 'notes.txt', bytes: new TextEncoder().encode('Referral: pain in the left hip, lytic lesion on CT.\n') }]);

  writeAll(join(OWN_BROKEN_DIR, 'mr-series'), writeCtSeries(ct, meta('mr', 'T1 MR (not CT)'), { perSlice: () => ({ modality: 'MR', sopClassUid: SOP_CLASS.mrImage }) }));
  writeFileSync(marker, 'ok\n');
}
