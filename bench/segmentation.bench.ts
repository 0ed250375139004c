/**
 * DESIGN §4: "bone segmentation + distance fields for a pelvis ROI: under 2 s";
 * issue #4 adds "lesion growing under 0.5 s".
 *
 * The sacralAla phantom (medium 256 x 256 x 200 and full 512 x 512 x 250) is
 * generated in memory (nothing written). Per stage, in the order the app runs
 * them (src/core/segmentation/segmentationEngine.ts):
 *   segmentBone -> detectCriticalStructures -> growLesion (one click at the
 *   truth's lesion centre) -> buildFieldSet (bone depth, lesion, structures).
 * Reference in the same run: one pass over the CT counting voxels above the
 * bone threshold (the cheapest thing any segmentation must do), so the ratio
 * says how many volume passes the pipeline costs.
 * The figure judged against the goal is segmentBone + detectCriticalStructures
 * + buildFieldSet (the lesion is timed separately, against its own goal).
 */
import { performance } from 'node:perf_hooks';
import { generatePhantom } from '../sample-dicom/generatePhantom';
import type { PhantomSize } from '../sample-dicom/truth';
import { detectCriticalStructures } from '../src/core/anatomy/detectCriticalStructures';
import { buildFieldSet } from '../src/core/fields/buildFieldSet';
import { growLesion } from '../src/core/segmentation/growLesion';
import { segmentBone } from '../src/core/segmentation/segmentBone';
import { keepAlive, medianMs, type BenchEntry, type BenchResult } from './harness';

/** Sizes to run; `BENCH_SEG_SIZES=medium` skips the full one. */
function sizes(): PhantomSize[] {
  const env = process.env['BENCH_SEG_SIZES'];
  if (!env) return ['medium', 'full'];
  return env.split(',').filter((s): s is PhantomSize => s === 'small' || s === 'medium' || s === 'full');
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const value = fn();
  return [value, performance.now() - t0];
}

export const segmentationBench: BenchEntry = {
  name: 'segmentation + fields (sacralAla phantom)',
  async run() {
    const results: BenchResult[] = [];
    for (const size of sizes()) {
      const [phantom, genMs] = timed(() => generatePhantom({ caseId: 'sacralAla', size }));
      const ct = phantom.ct;
      const [ni, nj, nk] = ct.geometry.dims;
      // Runs: full size is slow, so fewer repeats; the first run is also the warm-up.
      const runs = size === 'full' ? 2 : 3;
      const stages = { segment: [] as number[], structures: [] as number[], lesion: [] as number[], fields: [] as number[] };
      let threshold = 0;
      let notes = '';
      for (let r = 0; r < runs; r++) {
        const [seg, segMs] = timed(() => segmentBone(ct));
        const [structures, structMs] = timed(() => detectCriticalStructures(seg.labels));
        const lesionCentre = phantom.truth.lesion?.centerLps;
        const [grown, lesionMs] = lesionCentre ? timed(() => growLesion(ct, seg.labels, { seedLps: lesionCentre })) : [null, NaN];
        const [fields, fieldsMs] = timed(() => buildFieldSet(seg.labels, structures, { generation: seg.labels.generation }));
        stages.segment.push(segMs);
        stages.structures.push(structMs);
        stages.lesion.push(lesionMs);
        stages.fields.push(fieldsMs);
        threshold = seg.thresholds.boneGrey;
        const [fi, fj, fk] = fields.geometry.dims;
        notes = `bone threshold ${threshold.toFixed(0)}; ${seg.parts.length} parts; ${structures.foramina.length} foramina; lesion ${grown ? `${grown.status}, ${grown.measure?.volumeMl.toFixed(1) ?? 0} mL` : 'none'}; ROI ${fi}x${fj}x${fk} with ${Object.keys(fields.structures).length} structure fields`;
        keepAlive(fields.boneDepth.voxels[0]!);
      }
      // Reference: one pass over the CT (count of voxels at or above the bone threshold).
      const passMs = await medianMs(() => {
        const v = ct.voxels;
        let count = 0;
        for (let n = 0; n < v.length; n++) if (v[n]! >= threshold) count++;
        keepAlive(count);
      }, 5);
      // Best of the runs after the first (the first also compiles); with 2 runs, the second.
      const pick = (xs: number[]): number => {
        const rest = xs.length > 1 ? xs.slice(1) : xs;
        return [...rest].sort((a, b) => a - b)[Math.floor((rest.length - 1) / 2)]!;
      };
      const seg = pick(stages.segment), str = pick(stages.structures), les = pick(stages.lesion), fld = pick(stages.fields);
      const total = seg + str + fld;
      const label = `${size} ${ni}x${nj}x${nk}`;
      const fmtList = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');
      results.push({
        name: `${label}: segmentBone + structures + fields`,
        figure: total,
        unit: 'ms',
        reference: { name: 'one threshold-count pass over the CT', figure: passMs, unit: 'ms' },
        ratio: total / passMs,
        ratioMeaning: 'pipeline / one pass',
        goal: '< 2000 ms',
        met: total < 2000,
        notes: `segmentBone ${seg.toFixed(0)} ms, detectCriticalStructures ${str.toFixed(0)} ms, buildFieldSet ${fld.toFixed(0)} ms (runs: seg ${fmtList(stages.segment)}; str ${fmtList(stages.structures)}; fields ${fmtList(stages.fields)}); phantom generated in ${genMs.toFixed(0)} ms; ${notes}`,
      });
      if (Number.isFinite(les)) {
        results.push({
          name: `${label}: growLesion (one click at the truth's lesion centre)`,
          figure: les,
          unit: 'ms',
          reference: { name: 'one threshold-count pass over the CT', figure: passMs, unit: 'ms' },
          ratio: les / passMs,
          ratioMeaning: 'lesion / one pass',
          goal: '< 500 ms',
          met: les < 500,
          notes: `runs ${fmtList(stages.lesion)}`,
        });
      }
    }
    return results;
  },
};
