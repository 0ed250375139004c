import type { Volume } from '../volume/Volume';
import { computeSurfaceMesh, type SurfaceMeshOptions, type SurfaceMeshResult } from './computeSurfaceMesh';

/** What workers/surface.worker.ts exposes (and tests or the in-process fallback call directly). */
export type SurfaceEngine = {
  /** The closed display surface of `options.labelValues` in LPS mm (see computeSurfaceMesh). */
  computeSurfaceMesh(labels: Volume<Uint8Array>, options: SurfaceMeshOptions): Promise<SurfaceMeshResult>;
};

/** `now` gives the stage timings (the worker passes performance.now; core reads no clock). */
export function createSurfaceEngine(options: { now?: () => number } = {}): SurfaceEngine {
  return {
    computeSurfaceMesh: (labels, meshOptions) => computeSurfaceMesh(labels, meshOptions, options.now),
  };
}
