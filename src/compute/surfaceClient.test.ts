import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { wrap, type Endpoint } from 'comlink';
import { createVolume } from '../core/volume/Volume';
import { createVolumeGeometry } from '../core/volume/VolumeGeometry';
import { createSurfaceEngine, type SurfaceEngine } from '../core/mesh/surfaceEngine';
import { serveSurfaceEngine } from './surfaceClient';

describe('surface client', () => {
  it('serves the engine over a message port and returns the same mesh as in-process', async () => {
    const g = createVolumeGeometry({ dims: [20, 20, 20], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });
    const voxels = new Uint8Array(8000);
    for (let k = 5; k < 15; k++) for (let j = 6; j < 13; j++) for (let i = 4; i < 16; i++) voxels[i + 20 * (j + 20 * k)] = 3;
    const labels = createVolume('box', 'label', g, voxels);
    const { port1, port2 } = new MessageChannel();
    serveSurfaceEngine(createSurfaceEngine(), port1 as unknown as Endpoint);
    const remote = wrap<SurfaceEngine>(port2 as unknown as Endpoint);
    const viaPort = await remote.computeSurfaceMesh(labels, { labelValues: [3], cellMm: 1 });
    const direct = await createSurfaceEngine().computeSurfaceMesh(labels, { labelValues: [3], cellMm: 1 });
    expect(viaPort.mesh!.positionsLps).toEqual(direct.mesh!.positionsLps);
    expect(viaPort.mesh!.indices).toEqual(direct.mesh!.indices);
    expect(viaPort.stats.triangles).toBe(direct.stats.triangles);
    port1.close();
    port2.close();
  });
});
