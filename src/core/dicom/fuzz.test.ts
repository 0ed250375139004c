/**
 * Fuzzing the DICOM loader (parseInstance via indexDicomFiles, and
 * assembleSeries, with the real frame decoders) with mutated phantom files.
 *
 * Property: whatever the bytes, the loader either returns (issues as data, a
 * volume whose size matches its geometry and whose values are finite) or
 * throws a PlannerError with a code. Any other exception (TypeError,
 * RangeError, a codec's raw error, a string thrown by dicom-parser) fails.
 * Allocation is bounded with maxBytes so a mutated size cannot take the
 * machine down.
 *
 * CI runs a fixed number of cases with a fixed seed (a few seconds). A longer
 * run: `FUZZ_RUNS=20000 npx vitest run src/core/dicom/fuzz.test.ts`
 * (random seed, printed; reproduce with FUZZ_SEED=<seed>).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PlannerError, errorCodeOf } from '../shared/errors';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry } from '../volume/VolumeGeometry';
import { voxelCount } from '../volume/VolumeGeometry';
import { createFrameDecoder } from '../../compute/frameDecoders';
import { compressWith } from './testing/dicomTools';
import { assembleSeries, indexDicomFiles, writeCtSeries, type FrameDecoder } from './index';
import { cropSlices, smallPhantom } from '../dicomweb/testing/pacsFixtures';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1000);
const SEED = process.env['FUZZ_SEED'] !== undefined ? Number(process.env['FUZZ_SEED']) : process.env['FUZZ_RUNS'] !== undefined ? Date.now() % 2 ** 31 : 20261123;
const MAX_BYTES = 64 * 1024 * 1024;

type Corpus = { name: string; files: Uint8Array[] };
let corpora: Corpus[] = [];
let decoder: FrameDecoder;
let cases = 0;

/** A phantom slab reduced in-plane (every 4th pixel) so files stay small and fuzzing fast. */
function phantomSlab(k0: number, count: number): ReturnType<typeof createVolume<Int16Array>> {
  const slab = cropSlices(smallPhantom().ct, k0, k0 + count, 'fuzz-slab');
  const [ni, nj, nk] = slab.geometry.dims;
  const step = 4;
  const mi = Math.floor(ni / step);
  const mj = Math.floor(nj / step);
  const out = new Int16Array(mi * mj * nk);
  for (let k = 0; k < nk; k++) for (let j = 0; j < mj; j++) for (let i = 0; i < mi; i++) out[i + mi * (j + mj * k)] = slab.voxels[i * step + ni * (j * step + nj * k)]!;
  const g = slab.geometry;
  return createVolume(
    'fuzz',
    'ct',
    createVolumeGeometry({ dims: [mi, mj, nk], spacingMm: [g.spacingMm[0] * step, g.spacingMm[1] * step, g.spacingMm[2]], originLps: g.originLps, direction: g.direction }),
    out,
  );
}

beforeAll(() => {
  const volume = phantomSlab(55, 4);
  const meta = { patientName: 'FUZZ^PHANTOM', patientId: 'FZ-1', seriesDescription: 'fuzz', uidSeed: 'fuzz' };
  const plain = writeCtSeries(volume, meta).map((f) => f.bytes);
  const withRescale = writeCtSeries(volume, { ...meta, uidSeed: 'fuzz-rescale', rescaleSlope: 0.5, rescaleIntercept: -1024 }).map((f) => f.bytes);
  corpora = [
    { name: 'explicit LE', files: plain },
    { name: 'explicit LE, slope 0.5', files: withRescale },
    { name: 'JPEG Lossless', files: plain.slice(0, 3).map((b) => compressWith('dcmcjpeg', ['+e1'], b)) },
    { name: 'RLE', files: plain.slice(0, 3).map((b) => compressWith('dcmcrle', [], b)) },
    { name: 'JPEG 2000', files: plain.slice(0, 2).map((b) => compressWith('gdcmconv', ['--j2k'], b)) },
  ];
  decoder = createFrameDecoder();
});

/** One mutation of a file's bytes. Offsets are fractions so they fit any file. */
const mutationArb = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), value: fc.integer({ min: 0, max: 255 }) }),
  // Header region (meta header, identity, image pixel module): where lengths and sizes live.
  fc.record({ kind: fc.constant('flipHeader' as const), at: fc.integer({ min: 128, max: 1400 }), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: fc.integer({ min: 128, max: 1400 }),
    value: fc.constantFrom(0, 1, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff),
  }),
  fc.record({ kind: fc.constant('u16' as const), at: fc.integer({ min: 128, max: 1400 }), value: fc.constantFrom(0, 1, 2, 7, 8, 12, 15, 16, 32, 0x7fff, 0xffff) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.integer({ min: 0, max: 1400 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.integer({ min: 0, max: 1400 }), count: fc.integer({ min: 1, max: 16 }) }),
);
type Mutation = typeof mutationArb extends fc.Arbitrary<infer T> ? T : never;

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer);
  switch (m.kind) {
    case 'flip': {
      if (out.length > 0) out[Math.min(out.length - 1, Math.floor(m.at * out.length))] = m.value;
      return out;
    }
    case 'flipHeader':
      if (m.at < out.length) out[m.at] = m.value;
      return out;
    case 'u32':
      if (m.at + 4 <= out.length) view.setUint32(m.at, m.value, true);
      return out;
    case 'u16':
      if (m.at + 2 <= out.length) view.setUint16(m.at, m.value, true);
      return out;
    case 'truncate':
      return out.subarray(0, Math.floor(m.at * out.length));
    case 'insert': {
      const at = Math.min(m.at, out.length);
      const r = new Uint8Array(out.length + m.bytes.length);
      r.set(out.subarray(0, at));
      r.set(m.bytes, at);
      r.set(out.subarray(at), at + m.bytes.length);
      return r;
    }
    case 'delete': {
      const at = Math.min(m.at, out.length);
      const r = new Uint8Array(out.length - Math.min(m.count, out.length - at));
      r.set(out.subarray(0, at));
      r.set(out.subarray(at + m.count), at);
      return r;
    }
  }
}

const scenarioArb = fc.record({
  corpus: fc.nat(),
  /** Per file: mutations to apply (most files get none or one). */
  mutations: fc.array(fc.array(mutationArb, { maxLength: 3 }), { minLength: 4, maxLength: 4 }),
  /** Drop, duplicate or reorder files. */
  drop: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  duplicateFirst: fc.boolean(),
  reverse: fc.boolean(),
});

/** Runs the loader; returns 'ok' or the PlannerError code. Anything else is rethrown (fails the property). */
async function load(files: Uint8Array[]): Promise<string> {
  const inputs = files.map((b, n) => ({ name: `F${n}.dcm`, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer }));
  try {
    const index = indexDicomFiles(inputs);
    for (const issue of index.issues) expect(issue.message.length).toBeGreaterThan(0);
    for (const s of index.series.filter((x) => x.usable)) {
      const assembled = await assembleSeries(index, s.key, { shared: false, decoder, maxBytes: MAX_BYTES });
      const v = assembled.volume;
      expect(v.voxels.length).toBe(voxelCount(v.geometry));
      for (const x of v.geometry.spacingMm) expect(Number.isFinite(x) && x > 0).toBe(true);
      if (v.voxels instanceof Float32Array) for (let n = 0; n < v.voxels.length; n++) if (!Number.isFinite(v.voxels[n]!)) throw new Error(`non-finite voxel ${v.voxels[n]} at ${n}`);
    }
    return 'ok';
  } catch (error) {
    if (error instanceof PlannerError && errorCodeOf(error)) return error.code;
    throw error;
  }
}

describe(`fuzzing the DICOM loader (${RUNS} cases, seed ${SEED})`, () => {
  it('only PlannerErrors with a code, or a consistent volume, for mutated phantom files', async () => {
    const outcomes = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const corpus = corpora[s.corpus % corpora.length]!;
        let files = corpus.files.map((f, n) => (s.mutations[n] ?? []).reduce(mutate, f));
        files = files.filter((_, n) => !s.drop[n]);
        if (s.duplicateFirst && files.length > 0) files.push(files[0]!);
        if (s.reverse) files.reverse();
        const outcome = await load(files);
        cases++;
        const key = `${corpus.name}: ${outcome}`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    // Both branches must be exercised, or the property proves little.
    const okCount = [...outcomes].filter(([k]) => k.endsWith(': ok')).reduce((a, [, n]) => a + n, 0);
    expect(okCount).toBeGreaterThan(0);
    expect(okCount).toBeLessThan(cases);
    // eslint-disable-next-line no-console -- the counts go into the report
    console.log(`fuzz: ${cases} cases, seed ${SEED}\n${[...outcomes].sort().map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
  });

  it('unmutated corpora load (the fuzz starts from valid files)', async () => {
    for (const c of corpora) expect(await load(c.files), c.name).toBe('ok');
  });
});
