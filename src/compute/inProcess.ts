/**
 * The planner on the calling thread, with the same interface as the worker
 * pool ({@link PlannerService}): for tests, for node, and as the last-resort
 * fallback when workers cannot start. A plan blocks this thread while it runs.
 */
import { createPlannerEngine, resolveSettings, type FieldsInfo, type FieldsPayload, type LiveCheckRequest, type PlanProgress } from '../core/planning/plannerEngine';
import type { PlanResult, ScrewEvaluation } from '../core/planning/types';
import type { PlannerService, ServicePlanRequest } from './workerPool';

export function createInProcessPlanner(): PlannerService {
  const engine = createPlannerEngine();
  const token = new Int32Array(1);
  let generation = 0;
  return {
    mode: 'in-process',
    size: 1,
    async loadFields(payload: FieldsPayload): Promise<FieldsInfo> {
      return engine.loadFields(payload);
    },
    async plan(request: ServicePlanRequest, onProgress?: (p: PlanProgress) => void): Promise<PlanResult> {
      const g = ++generation;
      token[0] = g;
      resolveSettings(request.settings);
      return engine.plan({ ...request, generation: g, cancelToken: token }, onProgress);
    },
    cancel(): void {
      // A plan here runs to its end synchronously before anything else can call: only a later one could be stale.
      token[0] = ++generation;
    },
    async checkScrew(request: LiveCheckRequest): Promise<ScrewEvaluation> {
      return engine.checkScrew(request);
    },
    dispose(): void {
      engine.dispose();
    },
  };
}
