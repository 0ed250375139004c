import { describe, expect, it } from 'vitest';
import { MessageChannel } from 'node:worker_threads';
import type { Endpoint } from 'comlink';
import { errorCodeOf } from '../core/shared/errors';
import { createVolume } from '../core/volume/Volume';
import { createVolumeGeometry, isSameGrid } from '../core/volume/VolumeGeometry';
import { isShared } from '../core/volume/voxelBuffer';
import { writeCtSeries } from '../core/dicom/writeCtSeries';
import { toArrayBuffer } from '../core/dicom/testing/dicomTools';
import { createDicomLoader, createDicomLoadWorkerApi, serveDicomLoadApi, type LoadProgress } from './dicomLoadClient';

function series(seed: string) {
  const geometry = createVolumeGeometry({ dims: [20, 16, 8], spacingMm: [0.9, 0.9, 1.25], originLps: [10, -20, 300] });
  const voxels = new Int16Array(20 * 16 * 8);
  for (let n = 0; n < voxels.length; n++) voxels[n] = n % 7 === 0 ? -1000 : (n * 13) % 1500;
  const volume = createVolume('src', 'ct', geometry, voxels);
  const files = writeCtSeries(volume, { patientName: 'Client^Test', patientId: 'C', seriesDescription: 'ax', uidSeed: seed }).map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) }));
  return { volume, files };
}

/** A worker stand-in: the real worker API served over a node MessageChannel (structured clone, transfer, proxies). */
function channelSpawn() {
  return () => {
    const { port1, port2 } = new MessageChannel();
    serveDicomLoadApi(createDicomLoadWorkerApi(), port1 as unknown as Endpoint);
    return { endpoint: port2 as unknown as Endpoint, terminate: () => { port1.close(); port2.close(); } };
  };
}

describe('createDicomLoader', () => {
  for (const mode of ['in-process', 'worker (MessageChannel)'] as const) {
    for (const shared of [false, true]) {
      it(`${mode}, shared=${shared}: indexes with progress and returns the same volume`, async () => {
        const { volume, files } = series(`client-${mode}-${shared}`);
        const loader = createDicomLoader(mode === 'in-process' ? { useWorker: false, shared } : { spawn: channelSpawn(), shared });
        const progress: LoadProgress[] = [];
        const index = await loader.index(files, (p) => progress.push(p));
        expect(index.series).toHaveLength(1);
        expect(progress.filter((p) => p.phase === 'reading')).toHaveLength(8);
        expect(progress.some((p) => p.phase === 'parsing' && p.done === 8 && p.total === 8)).toBe(true);
        const result = await loader.assemble(index.series[0]!.key, {}, (p) => progress.push(p));
        expect(progress.some((p) => p.phase === 'assembling' && p.done === 8)).toBe(true);
        expect(Array.from(result.volume.voxels)).toEqual(Array.from(volume.voxels));
        expect(isSameGrid(result.volume.geometry, volume.geometry, 1e-9)).toBe(true);
        expect(isShared(result.volume.voxels)).toBe(shared);
        if (mode !== 'in-process') expect(files[0]!.bytes.byteLength).toBe(0); // transferred, not copied
        loader.dispose();
      });
    }
  }

  it('reads browser File objects (several in flight) in order, and falls back in-process where Worker does not exist', async () => {
    const { volume, files } = series('client-files');
    const asFiles = files.map((f) => new File([f.bytes], f.name));
    const loader = createDicomLoader({ shared: false });
    expect(typeof Worker).toBe('undefined');
    expect(loader.mode).toBe('in-process');
    const index = await loader.index(asFiles.reverse());
    const result = await loader.assemble(index.series[0]!.key);
    expect(Array.from(result.volume.voxels)).toEqual(Array.from(volume.voxels));
    loader.dispose();
  });

  for (const mode of ['in-process', 'worker (MessageChannel)'] as const) {
    it(`${mode}, streaming: File inputs stream (headers first, pixels into place) to the same volume`, async () => {
      // 200 x 180 pixels: files larger than the 64 KB header chunk, so the streaming path is taken.
      const geometry = createVolumeGeometry({ dims: [200, 180, 5], spacingMm: [0.8, 0.8, 2], originLps: [0, 0, 0] });
      const voxels = new Int16Array(200 * 180 * 5).map((_, n) => ((n * 7919) % 3000) - 1000);
      const written = writeCtSeries(createVolume('f', 'ct', geometry, voxels), { patientName: 'F', patientId: 'F', seriesDescription: 'files', uidSeed: `files-${mode}` });
      const asFiles = written.map((f) => new File([toArrayBuffer(f.bytes)], f.name)).reverse();
      const loader = createDicomLoader(mode === 'in-process' ? { useWorker: false, shared: true, streaming: true } : { spawn: channelSpawn(), shared: true, streaming: true });
      const progress: LoadProgress[] = [];
      const index = await loader.index(asFiles, (p) => progress.push(p));
      expect(progress.some((p) => p.phase === 'parsing' && p.done === 5)).toBe(true);
      expect(progress.some((p) => p.phase === 'reading')).toBe(false); // nothing read up front
      const result = await loader.assemble(index.series[0]!.key);
      expect(Array.from(result.volume.voxels)).toEqual(Array.from(voxels));
      expect(isShared(result.volume.voxels)).toBe(true);
      loader.dispose();
    });
  }

  it('forwards a PlannerError across the worker boundary with its code and message', async () => {
    const loader = createDicomLoader({ spawn: channelSpawn(), shared: false });
    const error = await loader.index([{ name: 'readme.txt', bytes: new ArrayBuffer(64) }]).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('dicom/no-series');
    expect(String(error)).toContain('readme.txt is not a DICOM file');
    const tooBig = series('big');
    const index = await loader.index(tooBig.files);
    const refused = await loader.assemble(index.series[0]!.key, { maxBytes: 100 }).catch((e: unknown) => e);
    expect(errorCodeOf(refused)).toBe('dicom/too-large');
    loader.dispose();
  });
});
