// Bootstrap for the node EDT helper thread: worker threads do not inherit tsx's loader, so load the TypeScript through tsx's API.
import { tsImport } from 'tsx/esm/api';

await tsImport('./segmentationEdt.worker.node.ts', import.meta.url);
