/**
 * Main-thread side of the surface worker (workers/surface.worker.ts): spawn
 * it, wrap it with comlink. The label volume is posted as is: a
 * SharedArrayBuffer-backed one is shared (no copy), a plain one is cloned
 * once per request. The mesh arrays come back transferred (no copy), ready to
 * become three.js buffer attributes.
 *
 * `createInProcessSurfaces()` gives the same interface without a worker
 * (tests, and the fallback when workers are unavailable).
 */
import { type Endpoint, expose, type Remote, transfer, wrap } from 'comlink';
import type { SurfaceEngine } from '../core/mesh/surfaceEngine';
import { createSurfaceEngine } from '../core/mesh/surfaceEngine';

export type SurfaceClient = {
  engine: Pick<SurfaceEngine, 'computeSurfaceMesh'> | Remote<SurfaceEngine>;
  dispose(): void;
};

/** Serves `engine` on `endpoint` (default: the worker's global scope), transferring the mesh buffers back. */
export function serveSurfaceEngine(engine: SurfaceEngine, endpoint?: Endpoint): void {
  const served: SurfaceEngine = {
    async computeSurfaceMesh(labels, options) {
      const result = await engine.computeSurfaceMesh(labels, options);
      const m = result.mesh;
      return m ? transfer(result, [m.positionsLps.buffer, m.normals.buffer, m.indices.buffer] as ArrayBuffer[]) : result;
    },
  };
  if (endpoint) expose(served, endpoint);
  else expose(served);
}

export function spawnSurfaceWorker(): SurfaceClient {
  const worker = new Worker(new URL('../../workers/surface.worker.ts', import.meta.url), { type: 'module', name: 'surface' });
  return { engine: wrap<SurfaceEngine>(worker), dispose: () => worker.terminate() };
}

export function createInProcessSurfaces(): SurfaceClient {
  return { engine: createSurfaceEngine({ now: () => performance.now() }), dispose: () => undefined };
}
