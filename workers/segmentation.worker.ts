// Segmentation off the main thread: bone, lesion, critical structures and fields (see src/compute/segmentationClient.ts).
import { serveSegmentationEngine, transferringSegmentationEngine } from '../src/compute/segmentationClient';
import { createSegmentationEngine } from '../src/core/segmentation/segmentationEngine';

const shared = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
const engine = createSegmentationEngine({ shared });
// Without shared memory, answers (label copies, field sets) are transferred, not cloned on the main thread.
serveSegmentationEngine(shared ? engine : transferringSegmentationEngine(engine));
