/**
 * The planning session as the app runs it: the segmentation worker, and the
 * planner worker pool sized by compute/isolation.ts (or, with
 * `planner: 'inprocess'` / URL `?planner=inprocess`, the planner on the main
 * thread: for the e2e comparison and as the fallback when workers fail).
 * `poolSize` (URL `?plannerWorkers=N`) overrides the pool's size when the
 * page is cross-origin isolated: the e2e runs the split of one corridor
 * across two workers on a 2-core machine, where the default pool is one.
 */
import type { Endpoint } from 'comlink';
import { detectIsolation, type IsolationInfo } from '../../compute/isolation';
import { PlannerError } from '../../core/shared/errors';
import { createInProcessPlanner } from '../../compute/inProcess';
import { spawnSegmentation } from '../../compute/segmentationClient';
import { createPlannerPool } from '../../compute/workerPool';
import type { PlanningSession } from './PlanningSession';
import { createPlanningSession, type AsyncSegmentationEngine, type PlanningSessionOptions } from './createPlanningSession';

export type BrowserPlannerChoice = 'pool' | 'inprocess';

export function createBrowserPlanningSession(options: { planner: BrowserPlannerChoice; isolation?: IsolationInfo; poolSize?: number } & Pick<PlanningSessionOptions, 'paintDebounceMs'>): PlanningSession {
  const isolation = options.isolation ?? detectIsolation();
  return createPlanningSession({
    shared: isolation.shared,
    ...(options.paintDebounceMs !== undefined ? { paintDebounceMs: options.paintDebounceMs } : {}),
    createSegmentation: () => {
      const client = spawnSegmentation({ shared: isolation.shared });
      return { engine: client.engine as unknown as AsyncSegmentationEngine, loadVolume: client.loadVolume, ...(client.failed ? { failed: client.failed } : {}), dispose: client.dispose };
    },
    createPlanner: () => {
      if (options.planner === 'inprocess') return createInProcessPlanner();
      let fail!: (error: PlannerError) => void;
      const failed = new Promise<never>((_, reject) => (fail = reject));
      failed.catch(() => undefined);
      const pool = createPlannerPool({
        size: options.poolSize ?? isolation.poolSize,
        shared: isolation.shared,
        spawn: () => {
          const worker = new Worker(new URL('../../../workers/planner.worker.ts', import.meta.url), { type: 'module', name: 'planner' });
          worker.addEventListener('error', (event) => fail(new PlannerError('worker/cancelled', `a planner worker stopped (${event.message || 'script error or out of memory'})`)));
          return { endpoint: worker as unknown as Endpoint, terminate: () => worker.terminate() };
        },
      });
      return Object.assign(pool, { failed });
    },
  });
}
