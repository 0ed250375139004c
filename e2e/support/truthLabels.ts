/**
 * A phantom's ground-truth label volume (sample-dicom/out/<case>/labels.nrrd)
 * and the label at an LPS point, for e2e checks of what the page shows
 * against the truth rather than against our own segmentation.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { readNrrd } from '../../src/core/io/nrrd';
import type { Volume } from '../../src/core/volume/Volume';
import { lpsToIjk } from '../../src/core/volume/VolumeGeometry';

export type Vec3 = [number, number, number];

export type TruthLabels = {
  labels: Volume<Uint8Array>;
  /** The TRUTH label of the voxel nearest to a point (0 outside the grid). */
  labelAt(pointLps: Vec3): number;
};

export function readTruthLabels(caseId: string): TruthLabels {
  const path = resolve(import.meta.dirname ?? '.', '../../sample-dicom/out', caseId, 'labels.nrrd');
  const labels = readNrrd(new Uint8Array(readFileSync(path))).volume as Volume<Uint8Array>;
  const [ni, nj, nk] = labels.geometry.dims;
  return {
    labels,
    labelAt(pointLps) {
      const ijk = lpsToIjk([0, 0, 0], labels.geometry, pointLps);
      const i = Math.round(ijk[0]), j = Math.round(ijk[1]), k = Math.round(ijk[2]);
      if (i < 0 || j < 0 || k < 0 || i >= ni || j >= nj || k >= nk) return 0;
      return labels.voxels[i + ni * (j + nj * k)]!;
    },
  };
}
