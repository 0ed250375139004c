/**
 * Phantom generator CLI (node, via tsx). Writes under sample-dicom/out/ (git-ignored):
 *
 *   <case>-<size>/dicom/IM000001.dcm ...   the CT (or CBCT) series
 *   <case>-<size>/labels.nrrd              label volume, same grid (gzip NRRD, LPS)
 *   <case>-<size>/truth.json               PhantomTruth (sample-dicom/truth.ts)
 *   <case>-<size>/manifest.json            file list the app fetches; written last
 *   broken/<name>/...                      inputs the loader must survive (--broken)
 *   broken/index.json                      what each broken input should make the loader report
 *   index.json                             every series directory present
 *
 * Usage:
 *   tsx sample-dicom/generate.ts                  the bundled sample: sacralAla medium
 *   tsx sample-dicom/generate.ts --if-missing     the same, skipping what exists from this generator version
 *   tsx sample-dicom/generate.ts --case dysmorphic --size small
 *   tsx sample-dicom/generate.ts --all            every case, small and medium
 *   tsx sample-dicom/generate.ts --all --size full   every case at benchmark size
 *   tsx sample-dicom/generate.ts --broken         the broken inputs
 *   options: --seed N, --preview (PNG planes beside each series), --out DIR
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateBrokenInputs } from './brokenInputs';
import { DEFAULT_SEED, generatePhantom, PHANTOM_CASES, PHANTOM_GENERATOR_VERSION, PHANTOM_SIZES } from './generatePhantom';
import { writePhantomSeries } from './writePhantomSeries';
import type { PhantomCaseId, PhantomSize } from './truth';

type Args = { ifMissing: boolean; cases: PhantomCaseId[]; sizes: PhantomSize[]; broken: boolean; seed: number; preview: boolean; outDir: string; series: boolean };

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv: string[]): Args {
  let ifMissing = false, broken = false, all = false, preview = false;
  let caseId: string | undefined, size: string | undefined, seed = DEFAULT_SEED, outDir = join(here, 'out');
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--if-missing') ifMissing = true;
    else if (a === '--broken') broken = true;
    else if (a === '--all') all = true;
    else if (a === '--preview') preview = true;
    else if (a === '--case') caseId = value();
    else if (a === '--size') size = value();
    else if (a === '--seed') seed = Number(value());
    else if (a === '--out') outDir = value();
    else throw new Error(`unknown argument ${a}`);
  }
  if (caseId !== undefined && !PHANTOM_CASES.includes(caseId as PhantomCaseId)) throw new Error(`--case must be one of ${PHANTOM_CASES.join(', ')}`);
  if (size !== undefined && !PHANTOM_SIZES.includes(size as PhantomSize)) throw new Error(`--size must be one of ${PHANTOM_SIZES.join(', ')}`);
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  const cases = caseId ? [caseId as PhantomCaseId] : all ? [...PHANTOM_CASES] : ['sacralAla' as const];
  const sizes = size ? [size as PhantomSize] : all ? ['small' as const, 'medium' as const] : ['medium' as const];
  // --broken alone writes only the broken inputs.
  const series = !(broken && !all && caseId === undefined && size === undefined);
  return { ifMissing, cases, sizes, broken, seed, preview, outDir, series };
}

export function seriesDirName(caseId: PhantomCaseId, size: PhantomSize, seed: number): string {
  return seed === DEFAULT_SEED ? `${caseId}-${size}` : `${caseId}-${size}-seed${seed}`;
}

/** True when the JSON file exists and was written by this generator version. */
function isCurrent(path: string): boolean {
  if (!existsSync(path)) return false;
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { generatorVersion?: unknown }).generatorVersion === PHANTOM_GENERATOR_VERSION;
  } catch {
    return false;
  }
}

function writeIndex(outDir: string): void {
  const series = readdirSync(outDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(outDir, d.name, 'manifest.json')))
    .map((d) => `${d.name}/manifest.json`)
    .sort();
  writeFileSync(join(outDir, 'index.json'), JSON.stringify({ version: 1, default: 'sacralAla-medium/manifest.json', series }, null, 1));
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.outDir, { recursive: true });
  if (args.series) {
    for (const caseId of args.cases) {
      for (const size of args.sizes) {
        const dir = join(args.outDir, seriesDirName(caseId, size, args.seed));
        if (args.ifMissing && isCurrent(join(dir, 'manifest.json'))) {
          process.stdout.write(`exists   ${dir}\n`);
          continue;
        }
        const t0 = performance.now();
        const p = generatePhantom({ caseId, size, seed: args.seed });
        const t1 = performance.now();
        const m = writePhantomSeries(p, dir, { preview: args.preview });
        const t2 = performance.now();
        const widths = p.truth.corridors.filter((c) => !c.side || c.side === 'left').map((c) => `${c.id}${c.side ? `(${c.side})` : ''} ${c.narrowestWidthMm.toFixed(1)}`).join(', ');
        process.stdout.write(`wrote    ${dir}: ${p.ct.geometry.dims.join('x')}, ${m.dicom.length} slices; generated in ${((t1 - t0) / 1000).toFixed(1)} s, written in ${((t2 - t1) / 1000).toFixed(1)} s\n         corridors mm: ${widths}\n`);
      }
    }
  }
  if (args.broken) {
    const root = join(args.outDir, 'broken');
    if (args.ifMissing && isCurrent(join(root, 'index.json'))) {
      process.stdout.write(`exists   ${root}\n`);
    } else {
      rmSync(root, { recursive: true, force: true });
      const inputs = generateBrokenInputs(args.seed);
      for (const b of inputs) {
        const dir = join(root, b.name);
        mkdirSync(dir, { recursive: true });
        for (const f of b.files) writeFileSync(join(dir, f.name), f.bytes);
      }
      // Descriptions live outside the folders so that each folder holds only what a user would drop in.
      const index = { generatorVersion: PHANTOM_GENERATOR_VERSION, inputs: inputs.map((b) => ({ name: b.name, expected: b.expected, files: b.files.map((f) => f.name) })) };
      writeFileSync(join(root, 'index.json'), JSON.stringify(index, null, 1));
      process.stdout.write(`wrote    ${root}: ${inputs.map((b) => b.name).join(', ')}\n`);
    }
  }
  writeIndex(args.outDir);
}

main();
