/**
 * The report options from the report panel's form and the series' DICOM
 * reference: pure (no DOM), so the e2e test recomputes the same report in
 * node from the same inputs.
 */
import type { SeriesReference } from '../../core/dicom/types';
import type { BuildReportOptions } from '../../core/report/buildReport';
import type { PaperSize } from '../../core/report/toPdf';

export type ReportForm = {
  paper: PaperSize;
  anonymous: boolean;
  /** Printed as "Planned by" ('' = not printed). */
  operator: string;
  /** Room gantry limit, degrees (ignored unless within 0..90). */
  maxTiltDeg: number;
};

export function reportOptionsFor(
  reference: SeriesReference | null,
  form: ReportForm,
  software: { name: string; version: string },
  generatedAtIso: string,
): BuildReportOptions {
  const operatorName = form.operator.trim();
  const tilt = form.maxTiltDeg;
  return {
    paper: form.paper,
    anonymous: form.anonymous,
    ...(operatorName ? { plannedBy: operatorName } : {}),
    software: { ...software },
    generatedAtIso,
    patient: reference ? { name: reference.patientName.replace(/\^+/g, ' ').trim(), id: reference.patientId, birthDate: reference.patientBirthDate } : {},
    study: reference ? { accessionNumber: reference.accessionNumber, studyDate: reference.studyDate, description: reference.studyDescription } : {},
    series: {
      modality: reference?.modality || 'CT',
      patientPosition: reference?.patientPosition || null,
      seriesNumber: reference?.seriesNumber ?? null,
      instanceNumbers: reference && reference.slices.every((s) => s.instanceNumber !== null) ? reference.slices.map((s) => s.instanceNumber!) : null,
    },
    ...(Number.isFinite(tilt) && tilt >= 0 && tilt <= 90 ? { maxGantryTiltDeg: tilt } : {}),
  };
}
