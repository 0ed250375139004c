// Screw planning off the main thread: the planner engine served over comlink (see src/compute/workerPool.ts).
import { servePlannerEngine } from '../src/compute/plannerClient';
import { createPlannerEngine } from '../src/core/planning/plannerEngine';

servePlannerEngine(createPlannerEngine());
