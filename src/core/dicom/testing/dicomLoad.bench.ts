/**
 * DESIGN §4: "load a 512 x 512 x 400 CT series from local files to a ready
 * volume, within 1.5x the time to read the same bytes from disk".
 *
 * Writes the series to a temporary folder, then measures in the same run:
 * - reference: reading every file's bytes (readFileSync), page-cached and, when
 *   GNU dd can drop the cache for these files only (`iflag=nocache`), cold;
 * - figure: read + indexDicomFiles + assembleSeries (SharedArrayBuffer), the whole load.
 * Two encodings: slope 1 / intercept 0 (copy path) and intercept -1024 (rescale path).
 * Register in bench/run.ts: `import { dicomLoadBench } from '../src/core/dicom/testing/dicomLoad.bench';`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchEntry, BenchResult } from '../../../../bench/harness';
import { medianMs } from '../../../../bench/harness';
import { createVolume } from '../../volume/Volume';
import { createVolumeGeometry } from '../../volume/VolumeGeometry';
import { assembleSeries } from '../assembleSeries';
import { indexDicomFiles } from '../indexDicomFiles';
import { writeCtSeries } from '../writeCtSeries';

function readAll(dir: string): { name: string; bytes: ArrayBuffer }[] {
  return readdirSync(dir).map((name) => {
    const b = readFileSync(join(dir, name));
    return { name, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
}

/** Drops the page cache for these files only; false if dd cannot. */
function dropCache(dir: string): boolean {
  for (const name of readdirSync(dir)) {
    const r = spawnSync('dd', [`if=${join(dir, name)}`, 'iflag=nocache', 'count=0', 'status=none']);
    if (r.status !== 0) return false;
  }
  return true;
}

export const dicomLoadBench: BenchEntry = {
  name: 'DICOM load (512 x 512 x 400 from local files)',
  async run() {
    const [ni, nj, nk] = [512, 512, 400];
    const geometry = createVolumeGeometry({ dims: [ni, nj, nk], spacingMm: [0.7, 0.7, 1], originLps: [-180, -180, 0] });
    const voxels = new Int16Array(ni * nj * nk);
    for (let n = 0; n < voxels.length; n++) voxels[n] = (((n * 2654435761) >>> 20) % 3000) - 1024;
    const results: BenchResult[] = [];
    for (const intercept of [0, -1024]) {
      const dir = mkdtempSync(join(tmpdir(), 'dicom-bench-'));
      try {
        for (const f of writeCtSeries(createVolume('bench', 'ct', geometry, voxels), { patientName: 'Bench', patientId: 'B', seriesDescription: 'bench', uidSeed: `bench${intercept}`, rescaleIntercept: intercept })) {
          writeFileSync(join(dir, f.name), f.bytes);
        }
        const load = async (): Promise<void> => {
          const index = indexDicomFiles(readAll(dir));
          await assembleSeries(index, index.series[0]!.key, { shared: true });
        };
        const warmReadMs = await medianMs(() => readAll(dir), 3);
        const warmLoadMs = await medianMs(load, 3);
        const label = intercept === 0 ? 'slope 1, intercept 0' : 'intercept -1024 (rescale)';
        results.push({
          name: `load, ${label}, page-cached files`,
          figure: warmLoadMs,
          unit: 'ms',
          reference: { name: 'read the same bytes (page-cached)', figure: warmReadMs, unit: 'ms' },
          ratio: warmLoadMs / warmReadMs,
          ratioMeaning: 'load / read',
          goal: '<= 1.5',
          met: warmLoadMs / warmReadMs <= 1.5,
        });
        if (dropCache(dir)) {
          const t0 = performance.now();
          readAll(dir);
          const coldReadMs = performance.now() - t0;
          dropCache(dir);
          const t1 = performance.now();
          await load();
          const coldLoadMs = performance.now() - t1;
          results.push({
            name: `load, ${label}, cold files`,
            figure: coldLoadMs,
            unit: 'ms',
            reference: { name: 'read the same bytes (cold)', figure: coldReadMs, unit: 'ms' },
            ratio: coldLoadMs / coldReadMs,
            ratioMeaning: 'load / read',
            goal: '<= 1.5',
            met: coldLoadMs / coldReadMs <= 1.5,
          });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return results;
  },
};
