// Segmentation off the main thread: bone, lesion, critical structures and fields (see src/compute/segmentationClient.ts).
import { segmentationWorkerApi, serveSegmentationEngine } from '../src/compute/segmentationClient';
import type { StructuresSideThread } from '../src/core/segmentation/overlapStructures';
import { createSegmentationEngine } from '../src/core/segmentation/segmentationEngine';

const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
// Filled when the helper thread is attached: the structures are then detected there while this thread builds the bone depth.
const sideThread: StructuresSideThread = { post: null };
const engine = createSegmentationEngine({ shared, sideThread });
// Without shared memory, answers (label copies, field sets) are transferred, not cloned on the main thread.
// With it, a helper thread can take half of every distance transform (attachEdtHelper).
serveSegmentationEngine(segmentationWorkerApi(engine, shared, sideThread));
