import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatePhantom } from '../../../sample-dicom/generatePhantom';
import { createVolume } from '../volume/Volume';
import { assembleSeries } from './assembleSeries';
import { estimateHuCalibration } from './estimateHuCalibration';
import { indexDicomFiles } from './indexDicomFiles';
import { niftiToCtVolume } from './niftiToCtSeries';
import { toArrayBuffer } from './testing/dicomTools';
import { REAL_DATA_DIR } from './testing/realData';
import { writeCtSeries } from './writeCtSeries';

describe('HU calibration against ground truth', () => {
  // The phantom's truth says whether its grey values are HU; the DICOM carries no CBCT hint (neutral description).
  for (const caseId of ['sacralAla', 'sacralAlaCbct'] as const) {
    it(`${caseId}: huCalibrated matches the phantom truth from the image alone`, async () => {
      const { ct, truth } = generatePhantom({ caseId, size: 'small' });
      const files = writeCtSeries(ct, { patientName: 'P', patientId: 'P', seriesDescription: 'Pelvis', uidSeed: caseId }).map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) }));
      const index = indexDicomFiles(files);
      expect(index.series[0]!.cbctHint).toBe(false);
      const { info, issues, volume } = await assembleSeries(index, index.series[0]!.key, { shared: false });
      expect(info.huCalibrated).toBe(truth.greyMapping.huCalibrated);
      expect(info.kind).toBe(truth.greyMapping.huCalibrated ? 'ct' : 'cbct');
      expect(volume.kind).toBe(info.kind);
      const warning = issues.find((i) => i.code === 'not-hu-calibrated');
      if (truth.greyMapping.huCalibrated) expect(warning).toBeUndefined();
      else {
        expect(warning!.message).toMatch(/cone-beam CT without calibrated Hounsfield units \(\d+ % of the image sits near \d+, a value no body tissue has in HU\)/);
        // The window comes from the image: soft tissue (HU ~40 -> grey slope*40+intercept) lies inside it.
        const tissueGrey = truth.greyMapping.slope * 40 + truth.greyMapping.intercept;
        expect(Math.abs(tissueGrey - info.window.center)).toBeLessThan(info.window.width / 2);
      }
    });
  }

  it('the real CTs are not mistaken for grey values (air-containing abdomen, 0 HU-bath bone-only crop)', () => {
    const abdomen = estimateHuCalibration(niftiToCtVolume(new Uint8Array(readFileSync(`${REAL_DATA_DIR}/totalseg-example/ct.nii.gz`))).voxels);
    expect(abdomen.verdict).toBe('hu');
    const bath = estimateHuCalibration(niftiToCtVolume(new Uint8Array(readFileSync(`${REAL_DATA_DIR}/fracsegnet-002/ct.nii.gz`))).voxels);
    expect(bath.verdict).not.toBe('not-hu');
  });

  it('sees through padding spikes: a CT padded with -3024 outside the field of view is still HU', () => {
    const { ct } = generatePhantom({ caseId: 'sacralAla', size: 'small' });
    const padded = Int16Array.from(ct.voxels);
    const [ni, nj, nk] = ct.geometry.dims;
    // Outside the circular reconstruction field of view (about 21 % of each slice), as scanners write it.
    for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
      if (Math.hypot(i - ni / 2, j - nj / 2) > ni / 2) padded[i + ni * (j + nj * k)] = -3024;
    }
    expect(estimateHuCalibration(createVolume('p', 'ct', ct.geometry, padded).voxels).verdict).toBe('hu');
  });
});
