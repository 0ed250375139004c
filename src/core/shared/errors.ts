/**
 * Typed errors for programmer mistakes and bad input.
 *
 * Expected clinical or data outcomes (no corridor, a missing slice that can be
 * interpolated, a failed clearance check) are returned as data, never thrown.
 * The `code` is repeated at the start of `message` because custom fields on
 * Error subclasses do not survive structured clone across a worker boundary.
 */
export type ErrorCode =
  | 'assert'
  | 'dicom/not-dicom'
  | 'dicom/truncated'
  | 'dicom/no-pixel-data'
  | 'dicom/unsupported-transfer-syntax'
  | 'dicom/bad-attributes'
  | 'dicom/no-series'
  | 'dicom/not-ct'
  | 'dicom/mixed-orientation'
  | 'dicom/too-large'
  | 'dicom/write'
  | 'volume/geometry'
  | 'volume/mismatch'
  | 'nifti/bad-header'
  | 'nrrd/bad-header'
  | 'segmentation/bad-seed'
  | 'segmentation/no-bone'
  | 'segmentation/bad-input'
  | 'seg/bad-file'
  | 'planning/bad-input'
  | 'planning/no-lesion'
  | 'plan/invalid-file'
  | 'plan/wrong-series'
  | 'report/bad-input'
  | 'worker/stale'
  | 'worker/cancelled'
  | 'pacs/unreachable'
  | 'pacs/auth'
  | 'pacs/bad-response'
  | 'pacs/bad-request'
  | 'pacs/not-found'
  | 'pacs/server-error'
  | 'pacs/incomplete'
  | 'pacs/cancelled'
  /** STOW-RS: the PACS refused to store some or all of the instances sent. */
  | 'pacs/rejected';

export class PlannerError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(`[${code}] ${message}`);
    this.name = 'PlannerError';
    this.code = code;
  }
}

/** Extracts the error code from an Error that may have crossed a worker boundary. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  if (error instanceof PlannerError) return error.code;
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /^\[([a-z]+(?:\/[a-z-]+)?)\]/.exec(message);
  return match ? (match[1] as ErrorCode) : undefined;
}

/** Cheap invariant guard; stays on in production. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new PlannerError('assert', message);
}
