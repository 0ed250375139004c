import { describe, expect, it } from 'vitest';
import type { SeriesReference } from '../../core/dicom/types';
import { reportOptionsFor } from './reportOptions';

const reference: SeriesReference = {
  studyInstanceUid: '2.25.1', seriesInstanceUid: '2.25.1.2', frameOfReferenceUid: '2.25.1.9', seriesNumber: 4, modality: 'CT',
  patientName: 'DOE^JANE^^DR', patientId: 'P-1', patientBirthDate: '19600101', patientSex: 'F', studyDate: '20250214', studyTime: '101500',
  studyId: 'S1', accessionNumber: 'ACC-1', referringPhysicianName: '', studyDescription: 'CT pelvis', seriesDescription: 'Bone 1 mm', patientPosition: 'FFP',
  slices: [1, 2, 3].map((n) => ({ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `2.25.1.2.${n}`, instanceNumber: 10 + n, frameNumber: 1 })),
};
const software = { name: 'p', version: '1.2.3' };

describe('reportOptionsFor', () => {
  it('takes the patient, study, lie and image numbers from the DICOM reference and the rest from the form', () => {
    const o = reportOptionsFor(reference, { paper: 'Letter', anonymous: true, operator: '  Dr A  ', maxTiltDeg: 25 }, software, '2026-01-01T00:00:00Z');
    expect(o).toEqual({
      paper: 'Letter', anonymous: true, plannedBy: 'Dr A', software, generatedAtIso: '2026-01-01T00:00:00Z',
      patient: { name: 'DOE JANE DR', id: 'P-1', birthDate: '19600101' },
      study: { accessionNumber: 'ACC-1', studyDate: '20250214', description: 'CT pelvis' },
      series: { modality: 'CT', patientPosition: 'FFP', seriesNumber: 4, instanceNumbers: [11, 12, 13] },
      maxGantryTiltDeg: 25,
    });
  });

  it('leaves out what is unknown: no reference (synthetic data), an image without number, no operator, a gantry limit out of range', () => {
    const o = reportOptionsFor(null, { paper: 'A4', anonymous: false, operator: ' ', maxTiltDeg: Number.NaN }, software, 'x');
    expect(o).toEqual({ paper: 'A4', anonymous: false, software, generatedAtIso: 'x', patient: {}, study: {}, series: { modality: 'CT', patientPosition: null, seriesNumber: null, instanceNumbers: null } });
    const gap = { ...reference, patientPosition: '', slices: [...reference.slices, { ...reference.slices[0]!, instanceNumber: null }] };
    const p = reportOptionsFor(gap, { paper: 'A4', anonymous: false, operator: '', maxTiltDeg: 120 }, software, 'x');
    expect(p.series).toEqual({ modality: 'CT', patientPosition: null, seriesNumber: 4, instanceNumbers: null });
    expect(p.maxGantryTiltDeg).toBeUndefined();
  });
});
