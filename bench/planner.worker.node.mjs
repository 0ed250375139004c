// Bootstrap for the node planner worker: worker threads do not inherit tsx's loader, so load the TypeScript through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./planner.worker.node.ts', import.meta.url);
