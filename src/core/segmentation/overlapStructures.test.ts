import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import { buildFieldSet, createFieldSetCache } from '../fields/buildFieldSet';
import { createVolume } from '../volume/Volume';
import { allocVoxels } from '../volume/voxelBuffer';
import { PlannerError } from '../shared/errors';
import { fieldSetHash } from '../fields/testing/fieldSetHashes';
import type { StructuresJob } from './overlapStructures';
import { decodeModels, detectStructuresDuring, encodeModels, isStructuresJob, runStructuresJob } from './overlapStructures';
import { segmentBone } from './segmentBone';
import { createSegmentationEngine } from './segmentationEngine';

/**
 * The structure detection handed to a second thread (overlapStructures.ts) without threads:
 * the "helper" is simulated by running the posted job at a chosen moment, so every claim path
 * is exercised deterministically (the real worker_thread is in
 * src/compute/segmentationEdtHelper.test.ts). Whoever runs it, the models are deep-equal to a
 * detection in this thread, and the engine's fields are the serial ones bit for bit.
 */
describe('structures detected on a side thread', () => {
  const ph = generatePhantom({ caseId: 'sacralAla', size: 'small' });
  const seg = segmentBone(ph.ct, { shared: true });
  const serial = detectCriticalStructures(seg.labels);

  it('helper runs the job during the caller\'s work: the same models, and the caller\'s value', () => {
    let job: StructuresJob | null = null;
    const out = detectStructuresDuring(seg.labels, { post: (j) => (job = j) }, () => {
      expect(isStructuresJob(job)).toBe(true);
      expect(runStructuresJob(job!)).toBe(true);
      return 42;
    });
    expect(out.during).toBe(42);
    expect(out.structures).toEqual(serial);
    expect(JSON.stringify(out.structures)).toBe(JSON.stringify(serial));
    // Claimed once: a second helper call (a stale message) does nothing.
    expect(runStructuresJob(job!)).toBe(false);
  });

  it('helper never picks the job up: the caller runs it itself, and a late helper finds it claimed', () => {
    let job: StructuresJob | null = null;
    const out = detectStructuresDuring(seg.labels, { post: (j) => (job = j) }, () => 'x');
    expect(out.structures).toEqual(serial);
    expect(runStructuresJob(job!)).toBe(false);
  });

  it('labels not on shared memory, or no side thread: detection in this thread', () => {
    const plain = createVolume('plain', 'label', seg.labels.geometry, seg.labels.voxels.slice());
    let posted = 0;
    expect(detectStructuresDuring(plain, { post: () => posted++ }, () => 0).structures).toEqual(serial);
    expect(detectStructuresDuring(seg.labels, null, () => 0).structures).toEqual(serial);
    expect(posted).toBe(0);
  });

  it('a helper error reaches the caller typed, with its message', () => {
    // No bone label: the sacral detection reports it as data or throws; either way the same as in one thread.
    const empty = createVolume('empty', 'label', seg.labels.geometry, allocVoxels(Uint8Array, seg.labels.voxels.length, { shared: true }));
    let here: unknown = null, local: unknown = null;
    try {
      local = detectCriticalStructures(empty);
    } catch (e) {
      local = e;
    }
    try {
      here = detectStructuresDuring(empty, { post: (j) => runStructuresJob(j) }, () => 0).structures;
    } catch (e) {
      here = e;
    }
    if (local instanceof PlannerError) {
      expect(here).toBeInstanceOf(PlannerError);
      expect((here as PlannerError).code).toBe(local.code);
      expect((here as PlannerError).message).toBe(local.message);
    } else expect(here).toEqual(local);
  });

  it('-0, NaN and infinities survive the answer\'s encoding; plain numbers to the last bit', () => {
    const value = { a: [-0, 0, NaN, Infinity, -Infinity, 0.1 + 0.2, -1e-310, 5e-324], b: { $num: 3 }, c: null, d: 'text', e: ['\u0000#-0', '\u0000x', '\u0000'] };
    const back = decodeModels(encodeModels(value)) as typeof value;
    expect(Object.is(back.a[0], -0)).toBe(true);
    expect(Object.is(back.a[1], 0)).toBe(true);
    expect(back.a.slice(2)).toEqual([NaN, Infinity, -Infinity, 0.1 + 0.2, -1e-310, 5e-324]);
    expect(back.b).toEqual({ $num: 3 });
    expect(back.c).toBeNull();
    expect(back.d).toBe('text');
    expect(back.e).toEqual(['\u0000#-0', '\u0000x', '\u0000']);
  });

  it('engine with a side thread on labels without bone: the detection answers as in one thread, buildFields reports no bone', () => {
    const serialEngine = createSegmentationEngine({ shared: true });
    const engine = createSegmentationEngine({ shared: true, sideThread: { post: (j) => void runStructuresJob(j) } });
    const empty = createVolume('empty', 'label', seg.labels.geometry, new Uint8Array(seg.labels.voxels.length));
    for (const e of [serialEngine, engine]) {
      e.loadVolume(ph.ct);
      e.setLabels(empty);
    }
    expect(engine.detectStructures()).toEqual(serialEngine.detectStructures());
    expect(() => engine.buildFields()).toThrow(/segmentation\/no-bone/);
  });

  it('engine with a side thread: structures and fields identical to the serial engine, bone depth built during the detection', () => {
    const serialEngine = createSegmentationEngine({ shared: true });
    serialEngine.loadVolume(ph.ct);
    serialEngine.segmentBone();
    const s1 = serialEngine.detectStructures();
    const f1 = serialEngine.buildFields();
    let ran = 0;
    const engine = createSegmentationEngine({ shared: true, sideThread: { post: (j) => void (runStructuresJob(j) && ran++) } });
    engine.loadVolume(ph.ct);
    engine.segmentBone();
    const s2 = engine.detectStructures();
    const f2 = engine.buildFields();
    expect(ran).toBe(1);
    expect(s2).toEqual(s1);
    expect(fieldSetHash(f2)).toBe(fieldSetHash(f1));
    // The serial build from scratch gives the same fields too (the cache changes nothing).
    expect(fieldSetHash(buildFieldSet(engine.getLabels().labels, s2, { cache: createFieldSetCache() }))).toBe(fieldSetHash(f2));
  });
});
