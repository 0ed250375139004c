import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { wrap, type Endpoint } from 'comlink';
import { createPlannerEngine } from '../core/planning/plannerEngine';
import { createSegmentationEngine, type SegmentationEngine } from '../core/segmentation/segmentationEngine';
import { makeSyntheticPelvis } from '../core/segmentation/testing/syntheticPelvis';
import { fieldSetBuffers, servePlannerEngine } from './plannerClient';
import { serveSegmentationEngine, transferringSegmentationEngine, volumeForTransfer } from './segmentationClient';
import { createPlannerPool } from './workerPool';

/**
 * Transfer mode without copies on the main thread: the worker hands label
 * copies and field sets over (transferred), and the pool passes a handed-over
 * field set on as it is. Checked over node MessageChannels (real structured
 * clone and transfer).
 */
describe('transfer mode hand-over', () => {
  it('label states and fields arrive intact; the engine keeps its own labels (undo works); handOver detaches the caller\'s field buffers', async () => {
    const lesion = { centerLps: [75, 20, 120] as [number, number, number], radiusMm: 10 };
    const { ct } = makeSyntheticPelvis({ noiseSigma: 8, spacingMm: [3, 3, 3], lesion });
    const local = createSegmentationEngine();
    local.loadVolume(ct);
    const boneLocal = local.segmentBone().labels.voxels.slice();
    const grownLocal = local.growLesion({ seedLps: lesion.centerLps }).labels.voxels.slice();
    const fieldsLocal = local.buildFields({ generation: 3 });

    const channel = new MessageChannel();
    serveSegmentationEngine(transferringSegmentationEngine(createSegmentationEngine()), channel.port1 as unknown as Endpoint);
    const remote = wrap<SegmentationEngine>(channel.port2 as unknown as Endpoint);
    await remote.loadVolume(volumeForTransfer(ct));
    expect((await remote.segmentBone()).labels.voxels).toEqual(boneLocal);
    const grown = await remote.growLesion({ seedLps: lesion.centerLps });
    expect(grown.labels.voxels).toEqual(grownLocal);
    const fields = await remote.buildFields({ generation: 3 });
    expect(fields.generation).toBe(3);
    expect(fields.boneDepth.voxels).toEqual(fieldsLocal.boneDepth.voxels);
    expect(fields.lesion!.voxels).toEqual(fieldsLocal.lesion!.voxels);
    expect(Object.keys(fields.structures).sort()).toEqual(Object.keys(fieldsLocal.structures).sort());
    // The worker's engine kept its labels: undo restores the bone-only labels.
    expect((await remote.undo())!.labels.voxels).toEqual(boneLocal);

    const pool = createPlannerPool({
      size: 1,
      shared: false,
      spawn: () => {
        const { port1, port2 } = new MessageChannel();
        servePlannerEngine(createPlannerEngine(), port1 as unknown as Endpoint);
        return { endpoint: port2 as unknown as Endpoint, terminate: () => { port1.close(); port2.close(); } };
      },
    });
    const buffers = fieldSetBuffers(fields);
    expect(buffers.every((b) => b.byteLength > 0)).toBe(true);
    const info = await pool.loadFields({ fields }, { handOver: true });
    expect(info.fieldsGeneration).toBe(3);
    expect(buffers.every((b) => b.byteLength === 0)).toBe(true); // transferred, not copied
    const expected = createPlannerEngine();
    expected.loadFields({ fields: fieldsLocal });
    const a = await pool.plan({ corridors: [{ corridorId: 'iliosacralS1', side: 'left' }] });
    const b = expected.plan({ generation: 1, corridors: [{ corridorId: 'iliosacralS1', side: 'left' }] });
    expect(a.corridors.map((c) => [c.available, c.reason, c.screws.map((s) => s.screw)])).toEqual(b.corridors.map((c) => [c.available, c.reason, c.screws.map((s) => s.screw)]));
    pool.dispose();
    channel.port1.close();
    channel.port2.close();
  });
});
