import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { createVolumeGeometry, isSameGrid } from '../volume/VolumeGeometry';
import { sampleTrilinearLps } from '../volume/sampleTrilinear';
import { assembleSeries } from './assembleSeries';
import { indexDicomFiles } from './indexDicomFiles';
import { toArrayBuffer } from './testing/dicomTools';
import { writeCtSeries } from './writeCtSeries';

describe('phantom through DICOM, checked against the generator truth', () => {
  it('lands on the truth geometry: femoral heads on bone, left head at larger LPS x, sacral canal not bone', async () => {
    const { ct, truth } = generatePhantom({ caseId: 'sacralAla', size: 'small' });
    const files = writeCtSeries(ct, { patientName: 'Phantom^SacralAla', patientId: 'PH', seriesDescription: 'Pelvis', uidSeed: 'truth' })
      .reverse() // file order must not matter
      .map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) }));
    const index = indexDicomFiles(files);
    const { volume, info, issues } = await assembleSeries(index, index.series[0]!.key, { shared: false });
    expect(issues).toEqual([]);
    expect(info.huCalibrated).toBe(true);
    const truthGeometry = createVolumeGeometry(truth.geometry);
    expect(isSameGrid(volume.geometry, truthGeometry, 1e-4)).toBe(true);
    const left = truth.femoralHeads.find((h) => h.side === 'left')!;
    const right = truth.femoralHeads.find((h) => h.side === 'right')!;
    expect(left.centerLps[0]).toBeGreaterThan(right.centerLps[0]);
    for (const head of [left, right]) expect(sampleTrilinearLps(volume, head.centerLps, -2000)).toBeGreaterThan(150);
    // The sacral canal holds nerves and fat, not bone.
    const canal = truth.sacralCanal.centerlineLps[Math.floor(truth.sacralCanal.centerlineLps.length / 2)]!;
    expect(sampleTrilinearLps(volume, canal, -2000)).toBeLessThan(150);
  });
});
