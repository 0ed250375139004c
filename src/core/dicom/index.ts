export * from './types';
export * from './writePart10';
export * from './createUid';
export * from './writeCtSeries';
export { parseInstance, transferSyntaxName, NATIVE_TRANSFER_SYNTAXES, COMPRESSED_TRANSFER_SYNTAXES } from './parseInstance';
export { indexDicomFiles, hasCbctHint, fitsInt16 } from './indexDicomFiles';
export { computeSeriesGrid } from './computeSeriesGrid';
export { assembleSeries, findSeriesGroup } from './assembleSeries';
export { estimateHuCalibration, type HuVerdict } from './estimateHuCalibration';
