import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import { wrap, type Endpoint } from 'comlink';
import { createSegmentationEngine, type SegmentationEngine } from '../core/segmentation/segmentationEngine';
import { makeSyntheticPelvis } from '../core/segmentation/testing/syntheticPelvis';
import { serveSegmentationEngine, volumeForTransfer } from './segmentationClient';
import { LABELS } from '../core/shared/ids';

describe('segmentation engine over comlink', () => {
  it('segments, grows a lesion, undoes, builds fields: same results remote and in-process', async () => {
    const lesion = { centerLps: [75, 20, 120] as [number, number, number], radiusMm: 10 };
    const { ct } = makeSyntheticPelvis({ noiseSigma: 8, spacingMm: [3, 3, 3], lesion });
    const local = createSegmentationEngine();
    local.loadVolume(ct);
    const boneOnly = local.segmentBone().labels.voxels.slice();
    const ga = local.growLesion({ seedLps: lesion.centerLps });

    const channel = new MessageChannel();
    serveSegmentationEngine(createSegmentationEngine(), channel.port1 as unknown as Endpoint);
    const remote = wrap<SegmentationEngine>(channel.port2 as unknown as Endpoint);
    await remote.loadVolume(volumeForTransfer(ct));
    expect(ct.voxels.length).toBeGreaterThan(0); // the caller keeps its buffer
    const b = await remote.segmentBone();
    expect(b.labels.voxels).toEqual(boneOnly);
    const gb = await remote.growLesion({ seedLps: lesion.centerLps });
    expect(gb.lesion!.voxelCount).toBe(ga.lesion!.voxelCount);
    const undone = await remote.undo();
    expect(undone!.lesion).toBeNull();
    const redone = await remote.redo();
    expect(redone!.lesion!.voxelCount).toBe(ga.lesion!.voxelCount);
    await remote.detectStructures();
    const fields = await remote.buildFields();
    expect(fields.lesion).not.toBeNull();
    expect(fields.labels.voxels.includes(LABELS.lesion)).toBe(true);
    channel.port1.close();
    channel.port2.close();
  });
});
