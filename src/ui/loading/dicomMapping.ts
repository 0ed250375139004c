/**
 * From the DICOM module's plain data (src/core/dicom/types.ts) to what the
 * loading UI shows. Pure functions; no DOM.
 */
import type { LoadIssue, SeriesInfo, SeriesSummary } from '../../core/dicom/types';
import type { SeriesDisplayInfo } from '../../viewer/ViewerPort';
import type { LoadIssueView, SeriesChoice } from './DicomSource';
import { planningImpactFor } from './issueMessages';

export function toSeriesChoice(s: SeriesSummary): SeriesChoice {
  return {
    seriesUid: s.key,
    description: [s.number !== null ? `#${s.number}` : '', s.description].filter(Boolean).join(' ') || '(no description)',
    modality: s.cbctHint ? `${s.modality} (cone beam)` : s.modality,
    sliceCount: s.sliceCount,
    loadable: s.usable,
    sizeText: s.usable ? `${s.columns} x ${s.rows} x ${s.sliceCount}, ${s.spacingMm.map((v) => v.toFixed(2)).join(' x ')} mm` : s.unusableReason ?? 'not usable',
  };
}

/** Lists at most three file names, then "and N more". */
export function summarizeFiles(files: readonly string[]): string {
  if (files.length === 0) return '';
  const shown = files.slice(0, 3).join(', ');
  return files.length > 3 ? `${shown} and ${files.length - 3} more` : shown;
}

export function toIssueView(issue: LoadIssue): LoadIssueView {
  const where = summarizeFiles(issue.files);
  return {
    code: issue.code,
    severity: issue.severity,
    message: issue.message,
    planningImpact: planningImpactFor(issue.code).impact,
    ...(where ? { where } : {}),
  };
}

export function toDisplayInfo(info: SeriesInfo, dims: readonly [number, number, number]): SeriesDisplayInfo {
  return {
    seriesUid: info.uid,
    patientName: info.patientName.replace(/\^+/g, ' ').trim(),
    patientId: info.patientId,
    studyDate: info.studyDate,
    seriesDescription: info.description,
    modality: info.kind === 'cbct' ? `${info.modality} (cone beam${info.huCalibrated ? '' : ', not HU'})` : info.modality,
    gridText: `${dims.join(' x ')}, ${info.spacingMm.map((v) => v.toFixed(2)).join(' x ')} mm`,
  };
}
