// Bone and lesion surfaces off the main thread (see src/compute/surfaceClient.ts).
import { serveSurfaceEngine } from '../src/compute/surfaceClient';
import { createSurfaceEngine } from '../src/core/mesh/surfaceEngine';

serveSurfaceEngine(createSurfaceEngine({ now: () => performance.now() }));
