import { createVolume, createVolumeGeometry, sampleTrilinearIjk, type Volume } from '../src/core/volume/index';
import { keepAlive, medianMs, type BenchEntry } from './harness';

/**
 * Trilinear sampling throughput against the raw memory reads it is made of
 * (8 neighbour loads per sample, no weights): the ratio says what the
 * interpolation costs on top of the loads.
 */
export const samplingBench: BenchEntry = {
  name: 'trilinear sampling',
  async run() {
    const n = 256;
    const geometry = createVolumeGeometry({ dims: [n, n, n], spacingMm: [0.8, 0.8, 1], originLps: [0, 0, 0] });
    const voxels = new Float32Array(n * n * n);
    for (let i = 0; i < voxels.length; i++) voxels[i] = (i * 2654435761) % 2000;
    const volume: Volume<Float32Array> = createVolume('bench', 'field', geometry, voxels);
    const count = 4_000_000;
    const points = new Float64Array(count * 3);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * (n - 1.001);
    for (let i = 0; i < points.length; i++) points[i] = rnd();
    let sink = 0;
    const trilinearMs = await medianMs(() => {
      let s = 0;
      for (let p = 0; p < count; p++) s += sampleTrilinearIjk(volume, points[3 * p]!, points[3 * p + 1]!, points[3 * p + 2]!, 0);
      sink += s;
    });
    const rawMs = await medianMs(() => {
      let s = 0;
      const nn = n * n;
      for (let p = 0; p < count; p++) {
        const base = (points[3 * p]! | 0) + n * (points[3 * p + 1]! | 0) + nn * (points[3 * p + 2]! | 0);
        s += voxels[base]! + voxels[base + 1]! + voxels[base + n]! + voxels[base + n + 1]! +
          voxels[base + nn]! + voxels[base + nn + 1]! + voxels[base + nn + n]! + voxels[base + nn + n + 1]!;
      }
      sink += s;
    });
    const perSec = count / (trilinearMs / 1000);
    keepAlive(sink);
    return [
      {
        name: 'trilinear samples per second (256^3 Float32, random points)',
        figure: perSec,
        unit: 'samples/s',
        reference: { name: 'raw 8-neighbour loads', figure: count / (rawMs / 1000), unit: 'samples/s' },
        ratio: trilinearMs / rawMs,
        ratioMeaning: 'trilinear time / raw load time',
      },
    ];
  },
};
