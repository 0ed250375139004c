/**
 * A DicomSource that ignores the files and returns a synthetic pelvis-like
 * CT, for developing the viewer without the DICOM worker (open the app with
 * `?source=synthetic`). Deliberately asymmetric: a dense bead sits in the
 * patient's LEFT anterior superior corner, so orientation is checkable by eye
 * and in e2e (it must appear at the screen's right in axial and coronal views).
 */
import { allocVoxels } from '../../core/volume/voxelBuffer';
import { createVolume } from '../../core/volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../../core/volume/VolumeGeometry';
import type { DicomSource, LoadedSeries, LoadProgress } from '../loading/DicomSource';

export const SYNTHETIC_BEAD_LPS = [60, -40, 50] as const;

export function createSyntheticCt(id: string, shared: boolean): LoadedSeries {
  const dims = [160, 128, 90] as const;
  const geometry = createVolumeGeometry({ dims, spacingMm: [1.5, 1.5, 1.5], originLps: [-119.25, -95.25, -66.75], direction: [1, 0, 0, 0, 1, 0, 0, 0, 1] });
  const voxels = allocVoxels(Int16Array, dims[0] * dims[1] * dims[2], { shared });
  const p: [number, number, number] = [0, 0, 0];
  for (let k = 0; k < dims[2]; k++) {
    for (let j = 0; j < dims[1]; j++) {
      for (let i = 0; i < dims[0]; i++) {
        ijkToLps(p, geometry, [i, j, k]);
        const [x, y, z] = p;
        let v = -1000;
        if ((x / 115) ** 2 + (y / 85) ** 2 < 1) v = 40 + ((i * 7 + j * 13 + k * 3) % 17) - 8; // soft tissue with texture
        // Iliac wings: tilted bone slabs either side, cortex shell and trabecular core.
        for (const side of [-1, 1]) {
          const dx = x - side * 70, dy = y - 5 + 0.3 * (z - 20), dz = z - 20;
          const r = (dx / 28) ** 2 + (dy / 55) ** 2 + (dz / 45) ** 2;
          if (r < 1) v = r > 0.75 ? 900 : 250;
          // Femoral heads below.
          const fh = Math.hypot(x - side * 85, y + 10, z + 45);
          if (fh < 22) v = fh > 18 ? 850 : 300;
        }
        // Sacrum: a wedge posterior in the midline.
        const sx = x / 45, sy = (y - 45) / 25, sz = (z - 10) / 50;
        if (sx * sx + sy * sy + sz * sz < 1) v = sx * sx + sy * sy + sz * sz > 0.7 ? 800 : 220;
        // Orientation bead: patient left (+x), anterior (-y), superior (+z).
        if (Math.hypot(x - SYNTHETIC_BEAD_LPS[0], y - SYNTHETIC_BEAD_LPS[1], z - SYNTHETIC_BEAD_LPS[2]) < 6) v = 2500;
        voxels[i + dims[0] * (j + dims[1] * k)] = v;
      }
    }
  }
  return {
    volume: createVolume(id, 'ct', geometry, voxels),
    info: {
      seriesUid: `2.25.${id.length}${Date.now()}`,
      patientName: 'SYNTHETIC^PELVIS',
      patientId: 'SYN-001',
      studyDate: '20260101',
      seriesDescription: 'Synthetic pelvis (dev)',
      modality: 'CT',
      gridText: `${dims.join(' x ')}, 1.50 x 1.50 x 1.50 mm`,
    },
    issues: [],
  };
}

export function createSyntheticSource(shared: boolean): DicomSource {
  let n = 0;
  return {
    async index(files, onProgress: (p: LoadProgress) => void) {
      onProgress({ phase: 'indexing', done: files.length, total: files.length });
      return { series: [{ seriesUid: 'synthetic', description: 'Synthetic pelvis', modality: 'CT', sliceCount: 90, loadable: true, sizeText: '160 x 128 x 90' }], issues: [] };
    },
    async load(_uid, onProgress) {
      onProgress({ phase: 'assembling', done: 90, total: 90 });
      return createSyntheticCt(`synthetic-${++n}`, shared);
    },
    release() {},
    dispose() {},
  };
}
