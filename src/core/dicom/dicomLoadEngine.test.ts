import { describe, expect, it } from 'vitest';
import { createVolume } from '../volume/Volume';
import { createVolumeGeometry, isSameGrid } from '../volume/VolumeGeometry';
import { createDicomLoadEngine, type DicomFileSource } from './dicomLoadEngine';
import { toArrayBuffer } from './testing/dicomTools';
import { writeCtSeries } from './writeCtSeries';

/** 200 x 180 pixels so that each file (~72 KB) is larger than the 64 KB header chunk. */
function files(seed: string, intercept = 0) {
  const geometry = createVolumeGeometry({ dims: [200, 180, 7], spacingMm: [0.8, 0.8, 1.5], originLps: [-80, -70, 20] });
  const voxels = new Int16Array(200 * 180 * 7);
  for (let n = 0; n < voxels.length; n++) voxels[n] = ((n * 2654435761) >>> 21) % 2500 - 1024;
  const volume = createVolume('s', 'ct', geometry, voxels);
  const written = writeCtSeries(volume, { patientName: 'Stream^Test', patientId: 'S', seriesDescription: 'stream', uidSeed: seed, rescaleIntercept: intercept }, { perSlice: (k) => (k === 3 ? 'skip' : undefined) });
  return { volume, written };
}

function sources(list: { name: string; bytes: Uint8Array }[], reads: string[]): DicomFileSource[] {
  return list.map((f) => ({
    name: f.name,
    size: f.bytes.byteLength,
    read: async (start: number, end: number) => {
      reads.push(`${f.name}:${start}-${Math.min(end, f.bytes.byteLength)}`);
      return toArrayBuffer(f.bytes.subarray(start, end));
    },
  }));
}

describe('createDicomLoadEngine().indexSources (streaming: headers first, pixels read into place)', () => {
  for (const intercept of [0, -1024]) {
    it(`gives the same series, issues and voxels as index() for a damaged drop (intercept ${intercept})`, async () => {
      const { written } = files(`stream${intercept}`, intercept);
      const truncated = { name: 'IM000007.dcm', bytes: written[5]!.bytes.slice(0, 70_000) };
      const text = { name: 'notes.txt', bytes: new Uint8Array(90_000).fill(65) };
      const drop = [...written.slice(0, 5), truncated, text];

      const buffered = createDicomLoadEngine();
      const a = await buffered.index(drop.map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) })));
      const va = await buffered.assemble(a.series[0]!.key, { shared: false });

      const reads: string[] = [];
      const streaming = createDicomLoadEngine();
      const b = await streaming.indexSources(sources(drop, reads));
      const vb = await streaming.assemble(b.series[0]!.key, { shared: false });

      expect(b.series).toEqual(a.series);
      expect(b.issues).toEqual(a.issues);
      expect(b.issues.map((i) => i.code).sort()).toEqual(['missing-slices', 'not-dicom', 'truncated']);
      expect(isSameGrid(vb.volume.geometry, va.volume.geometry, 0)).toBe(true);
      expect(Array.from(vb.volume.voxels)).toEqual(Array.from(va.volume.voxels));
      expect(vb.info.interpolatedSlices).toEqual(va.info.interpolatedSlices);
      // A good file is read twice: its 64 KB header, then exactly its pixel range.
      const firstReads = reads.filter((r) => r.startsWith('IM000001.dcm'));
      expect(firstReads).toHaveLength(2);
      expect(firstReads[0]).toBe('IM000001.dcm:0-65536');
      expect(firstReads[1]).toMatch(/^IM000001\.dcm:\d+-\d+$/);
      const [from, to] = firstReads[1]!.split(':')[1]!.split('-').map(Number);
      expect(to! - from!).toBe(200 * 180 * 2);
    });
  }

  it('releases every file\'s pixel bytes after assembly, and assembles again on request', async () => {
    const { written } = files('release');
    const reads: string[] = [];
    const engine = createDicomLoadEngine();
    const index = await engine.indexSources(sources(written, reads));
    const first = await engine.assemble(index.series[0]!.key, { shared: true });
    const second = await engine.assemble(index.series[0]!.key, { shared: false });
    expect(Array.from(second.volume.voxels)).toEqual(Array.from(first.volume.voxels));
    // 6 headers + 6 pixel reads per assembly.
    expect(reads).toHaveLength(6 + 6 + 6);
  });
});
