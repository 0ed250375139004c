import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import type { Endpoint } from 'comlink';
import { errorCodeOf } from '../core/shared/errors';
import { createPlannerEngine, type CorridorRequest, type PlanProgress } from '../core/planning/plannerEngine';
import { phantomCase, voxelStructureIds } from '../core/planning/testing/phantomFields';
import type { PlanResult } from '../core/planning/types';
import { createInProcessPlanner } from './inProcess';
import { detectIsolation, poolSizeFor } from './isolation';
import { servePlannerEngine } from './plannerClient';
import { createPlannerPool } from './workerPool';

/** Worker stand-ins: the real engine served over node MessageChannels (structured clone, transfer, SAB, proxies). */
function channelSpawn() {
  return () => {
    const { port1, port2 } = new MessageChannel();
    servePlannerEngine(createPlannerEngine(), port1 as unknown as Endpoint);
    return { endpoint: port2 as unknown as Endpoint, terminate: () => { port1.close(); port2.close(); } };
  };
}

const corridors: CorridorRequest[] = [
  { corridorId: 'iliosacralS1', side: 'left' },
  { corridorId: 'transsacralS1', side: 'left' },
  { corridorId: 'transsacralS1', side: 'right' },
  { corridorId: 'supraAcetabular', side: 'left' },
];

/** Two plans must agree in everything but their request generation and wall time (deep-equal). */
function comparable(plan: PlanResult): PlanResult {
  return { ...plan, generation: 0, elapsedMs: 0 };
}

describe('planner pool', () => {
  it('sizes the pool from isolation: cores - 1 when shared, else one worker', () => {
    expect(poolSizeFor(true, 8)).toBe(7);
    expect(poolSizeFor(true, 1)).toBe(1);
    expect(poolSizeFor(false, 8)).toBe(1);
    expect(detectIsolation({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 4 } })).toEqual({ shared: false, cores: 4, poolSize: 1 });
    expect(detectIsolation({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 4 } }).poolSize).toBe(3);
  });

  it('gives the same plan (deep-equal, every corridor) from the engine, in-process, a shared pool of 2 (corridor scans split across the workers) and a transfer pool of 1', async () => {
    // One phantom on shared buffers serves every mode (the transfer pool copies it).
    const sharedCase = phantomCase('sacralAla', 'small', true);
    const plain = sharedCase;
    const engine = createPlannerEngine();
    engine.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    const direct = engine.plan({ generation: 1 });
    expect(direct.screws.length).toBeGreaterThan(0);
    expect(direct.corridors.filter((o) => o.candidatesScored > 0).length).toBeGreaterThan(2);

    const inProcess = createInProcessPlanner();
    await inProcess.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    const a = await inProcess.plan({});

    const kinds: string[] = [];
    const sharedPool = createPlannerPool({ size: 2, shared: true, spawn: channelSpawn(), trace: (e) => { if (e.kind === 'task') kinds.push(e.task); } });
    expect(sharedPool.mode).toBe('worker-shared');
    await sharedPool.loadFields({ fields: sharedCase.fields, voxelStructureIds: voxelStructureIds(sharedCase.fields) });
    const progress: PlanProgress[] = [];
    const b = await sharedPool.plan({}, (p) => progress.push(p));

    const transferPool = createPlannerPool({ size: 4, shared: false, spawn: channelSpawn() });
    expect(transferPool.size).toBe(1);
    const before = plain.fields.boneDepth.voxels.length;
    await transferPool.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    expect(plain.fields.boneDepth.voxels.length).toBe(before); // the caller keeps its buffers (a copy was transferred)
    const c = await transferPool.plan({});

    expect(comparable(a)).toEqual(comparable(direct));
    expect(comparable(b)).toEqual(comparable(direct));
    expect(comparable(c)).toEqual(comparable(direct));
    expect(progress.at(-1)!.corridorsDone).toBe(direct.corridors.length);
    expect(progress.at(-1)!.candidatesScored).toBe(b.candidatesScored);
    // Each searched corridor went scan shares -> refinement shares -> finish.
    expect(new Set(kinds)).toEqual(new Set(['scan', 'refine', 'finish']));

    // One corridor alone, the same way.
    kinds.length = 0;
    const one = await sharedPool.plan({ corridors: corridors.slice(0, 1) });
    expect(new Set(kinds)).toEqual(new Set(['scan', 'refine', 'finish']));
    expect(one.corridors).toEqual(engine.searchCorridors({ generation: 1, corridors: corridors.slice(0, 1) }));

    // Live check on the pool equals the engine's.
    const screw = direct.screws[0]!.screw;
    expect(await sharedPool.checkScrew({ screw })).toEqual(engine.checkScrew({ screw }));
    sharedPool.dispose();
    transferPool.dispose();
    inProcess.dispose();
  });

  for (const shared of [true, false]) {
    it(`a new request supersedes a stale one (shared=${shared})`, async () => {
      const { fields } = phantomCase('sacralAla', 'small', true);
      const pool = createPlannerPool({ size: 2, shared, spawn: channelSpawn() });
      await pool.loadFields({ fields, voxelStructureIds: voxelStructureIds(fields) });
      const first = pool.plan({ corridors });
      const second = pool.plan({ corridors: corridors.slice(0, 1) });
      const error = await first.catch((e: unknown) => e);
      expect(errorCodeOf(error)).toBe('worker/stale');
      const plan = await second;
      expect(plan.generation).toBe(2);
      expect(plan.corridors).toHaveLength(1);
      pool.dispose();
    });
  }
});
