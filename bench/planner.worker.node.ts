// A planner worker for node (worker_threads), served over comlink's node adapter: bench/planner.bench.ts runs a pool of these.
import { parentPort } from 'node:worker_threads';
import nodeEndpoint from 'comlink/dist/umd/node-adapter.js';
import { servePlannerEngine } from '../src/compute/plannerClient';
import { createPlannerEngine } from '../src/core/planning/plannerEngine';

if (!parentPort) throw new Error('planner.worker.node.ts must run as a worker thread');
servePlannerEngine(createPlannerEngine(), nodeEndpoint(parentPort));
