/**
 * Surface extraction (src/core/mesh) on the phantoms' ground-truth labels:
 * the bone surface (all bone labels) and the lesion, as the surface worker
 * computes them, against a plain pass over the same mask in the same run
 * (one lookup per voxel: the memory-bound floor of any extraction that reads
 * the labels once). Also prints what the mesh comes to (triangles before and
 * after decimation, closedness). Medium phantom, and the full-size one when
 * sample-dicom/out/<case>-full exists (it is not generated here).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readNrrd } from '../src/core/io/nrrd';
import { computeSurfaceMesh } from '../src/core/mesh/computeSurfaceMesh';
import { checkEdges } from '../src/core/mesh/meshMetrics';
import { BONE_LABELS, LABELS } from '../src/core/shared/ids';
import type { Volume } from '../src/core/volume/Volume';
import { keepAlive, medianMs, type BenchEntry, type BenchResult } from './harness';

const OUT = resolve(import.meta.dirname ?? '.', '../sample-dicom/out');

function cases(): string[] {
  const list = ['sacralAla-medium'];
  if (existsSync(OUT)) for (const name of readdirSync(OUT).sort()) if (name.endsWith('-full') && existsSync(join(OUT, name, 'labels.nrrd'))) list.push(name);
  return list;
}

export const surfaceBench: BenchEntry = {
  name: 'surface extraction (bone and lesion meshes)',
  async run() {
    const results: BenchResult[] = [];
    for (const name of cases()) {
      const file = join(OUT, name, 'labels.nrrd');
      if (!existsSync(file)) {
        results.push({ name: `${name}: bone surface`, figure: Number.NaN, unit: 'ms', notes: `skipped: ${file} missing (npm run sample)` });
        continue;
      }
      const labels = readNrrd(new Uint8Array(readFileSync(file))).volume as Volume<Uint8Array>;
      const member = new Uint8Array(256);
      for (const v of BONE_LABELS) member[v] = 1;
      const voxels = labels.voxels;
      const passMs = await medianMs(() => {
        let n = 0;
        for (let i = 0; i < voxels.length; i++) n += member[voxels[i]!]!;
        keepAlive(n);
      }, 5);
      let last: Awaited<ReturnType<typeof computeSurfaceMesh>> | null = null;
      const boneMs = await medianMs(async () => {
        last = await computeSurfaceMesh(labels, { labelValues: BONE_LABELS }, () => performance.now());
      }, 3);
      const bone = last!;
      const edges = bone.mesh ? checkEdges(bone.mesh.indices) : null;
      const t = bone.stats.timingsMs;
      results.push({
        name: `${name} (${labels.geometry.dims.join('x')}): bone surface`,
        figure: boneMs,
        unit: 'ms',
        reference: { name: 'plain pass over the bone mask', figure: passMs, unit: 'ms' },
        ratio: boneMs / passMs,
        ratioMeaning: 'surface time / mask pass time',
        notes: `${bone.stats.extractedTriangles} MC triangles -> ${bone.stats.triangles} after decimation (error ${bone.stats.decimationErrorMm.toFixed(2)} mm, retries ${bone.stats.decimationRetries}, pinched edges ${bone.stats.pinchedEdges}); ` +
          `2-manifold: ${edges ? edges.nonManifoldEdges === 0 && edges.misorientedEdges === 0 : 'n/a'}; stages extract ${t.extract.toFixed(0)} / smooth ${t.smooth.toFixed(0)} / decimate ${t.decimate.toFixed(0)} ms (last run)`,
        goal: '<= 300 000 triangles',
        met: bone.stats.triangles <= 300_000,
      });
      const lesionMs = await medianMs(async () => {
        last = await computeSurfaceMesh(labels, { labelValues: [LABELS.lesion] }, () => performance.now());
      }, 3);
      results.push({
        name: `${name}: lesion surface`,
        figure: lesionMs,
        unit: 'ms',
        reference: { name: 'plain pass over the bone mask', figure: passMs, unit: 'ms' },
        ratio: lesionMs / passMs,
        ratioMeaning: 'lesion surface time / mask pass time (the lesion is recomputed on every edit)',
        notes: `${last!.stats.triangles} triangles`,
      });
    }
    return results;
  },
};
