// Segmentation off the main thread: bone, lesion, critical structures and fields (see src/compute/segmentationClient.ts).
import { serveSegmentationEngine } from '../src/compute/segmentationClient';
import { createSegmentationEngine } from '../src/core/segmentation/segmentationEngine';

serveSegmentationEngine(createSegmentationEngine({ shared: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true }));
