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

/** What must agree between two plans: the screws and each corridor's verdict. */
function summary(plan: PlanResult) {
  return {
    screws: plan.screws.map((s) => s.screw),
    corridors: plan.corridors.map((c) => [c.corridorId, c.side, c.available, c.reason, c.screws.map((s) => s.screw)]),
  };
}

describe('planner pool', () => {
  it('sizes the pool from isolation: cores - 1 when shared, else one worker', () => {
    expect(poolSizeFor(true, 8)).toBe(7);
    expect(poolSizeFor(true, 1)).toBe(1);
    expect(poolSizeFor(false, 8)).toBe(1);
    expect(detectIsolation({ crossOriginIsolated: false, navigator: { hardwareConcurrency: 4 } })).toEqual({ shared: false, cores: 4, poolSize: 1 });
    expect(detectIsolation({ crossOriginIsolated: true, navigator: { hardwareConcurrency: 4 } }).poolSize).toBe(3);
  });

  it('gives the same plan from the engine, in-process, a shared pool of 2 and a transfer pool of 1', async () => {
    // One phantom on shared buffers serves every mode (the transfer pool copies it).
    const sharedCase = phantomCase('sacralAla', 'small', true);
    const plain = sharedCase;
    const engine = createPlannerEngine();
    engine.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    const direct = engine.plan({ generation: 1, corridors });
    expect(direct.screws.length).toBeGreaterThan(0);

    const inProcess = createInProcessPlanner();
    await inProcess.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    const a = await inProcess.plan({ corridors });

    const sharedPool = createPlannerPool({ size: 2, shared: true, spawn: channelSpawn() });
    expect(sharedPool.mode).toBe('worker-shared');
    await sharedPool.loadFields({ fields: sharedCase.fields, voxelStructureIds: voxelStructureIds(sharedCase.fields) });
    const progress: PlanProgress[] = [];
    const b = await sharedPool.plan({ corridors }, (p) => progress.push(p));

    const transferPool = createPlannerPool({ size: 4, shared: false, spawn: channelSpawn() });
    expect(transferPool.size).toBe(1);
    const before = plain.fields.boneDepth.voxels.length;
    await transferPool.loadFields({ fields: plain.fields, voxelStructureIds: voxelStructureIds(plain.fields) });
    expect(plain.fields.boneDepth.voxels.length).toBe(before); // the caller keeps its buffers (a copy was transferred)
    const c = await transferPool.plan({ corridors });

    expect(summary(a)).toEqual(summary(direct));
    expect(summary(b)).toEqual(summary(direct));
    expect(summary(c)).toEqual(summary(direct));
    expect(progress.at(-1)!.corridorsDone).toBe(corridors.length);
    expect(progress.at(-1)!.candidatesScored).toBe(b.candidatesScored);

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
