/**
 * The planning session as the app runs it: the segmentation worker, and the
 * planner worker pool sized by compute/isolation.ts (or, with
 * `planner: 'inprocess'` / URL `?planner=inprocess`, the planner on the main
 * thread: for the e2e comparison and as the fallback when workers fail).
 */
import { detectIsolation, type IsolationInfo } from '../../compute/isolation';
import { createInProcessPlanner } from '../../compute/inProcess';
import { spawnSegmentation } from '../../compute/segmentationClient';
import { createPlannerPool } from '../../compute/workerPool';
import type { PlanningSession } from './PlanningSession';
import { createPlanningSession, type AsyncSegmentationEngine, type PlanningSessionOptions } from './createPlanningSession';

export type BrowserPlannerChoice = 'pool' | 'inprocess';

export function createBrowserPlanningSession(options: { planner: BrowserPlannerChoice; isolation?: IsolationInfo } & Pick<PlanningSessionOptions, 'paintDebounceMs'>): PlanningSession {
  const isolation = options.isolation ?? detectIsolation();
  return createPlanningSession({
    shared: isolation.shared,
    ...(options.paintDebounceMs !== undefined ? { paintDebounceMs: options.paintDebounceMs } : {}),
    createSegmentation: () => {
      const client = spawnSegmentation({ shared: isolation.shared });
      return { engine: client.engine as unknown as AsyncSegmentationEngine, loadVolume: client.loadVolume, ...(client.failed ? { failed: client.failed } : {}), dispose: client.dispose };
    },
    createPlanner: () => (options.planner === 'inprocess'
      ? createInProcessPlanner()
      : createPlannerPool({ size: isolation.poolSize, shared: isolation.shared })),
  });
}
