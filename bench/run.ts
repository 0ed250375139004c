/**
 * `npm run bench`: runs every benchmark entry (or those whose name contains
 * the first argument) and prints figures with their same-run references.
 */
import { printResults, type BenchEntry } from './harness';
import { samplingBench } from './sampling.bench';
import { plannerBench } from './planner.bench';
import { dicomLoadBench } from '../src/core/dicom/testing/dicomLoad.bench';
import { segmentationBench } from './segmentation.bench';
import { dropToFrameBench } from './browser/dropToFrame.bench';
import { sampleFirstRenderBench } from './browser/sampleFirstRender.bench';
import { surfaceBench } from './surface.bench';
import { sceneOrbitBench } from './browser/sceneOrbit';
import { liveCheckBench } from './browser/liveCheck.bench';

const entries: BenchEntry[] = [
  samplingBench,
  plannerBench,
  dicomLoadBench,
  segmentationBench,
  dropToFrameBench,
  sampleFirstRenderBench,
  surfaceBench,
  sceneOrbitBench,
  liveCheckBench,
];

async function main(): Promise<void> {
  const filter = process.argv[2]?.toLowerCase();
  console.log(`bench on ${process.platform} ${process.arch}, node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  for (const entry of entries) {
    if (filter && !entry.name.toLowerCase().includes(filter)) continue;
    console.log(`\n${entry.name}`);
    try {
      printResults(await entry.run());
    } catch (error) {
      console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  }
}

void main();
