/**
 * Turns HTTP statuses and network failures into PlannerErrors whose message a
 * radiologist can act on, and decides which failures are worth a retry.
 */
import { PlannerError, errorCodeOf, type ErrorCode } from '../shared/errors';

/** What the failing request was for, in words for the message ("the study list", "slice 12 of 80"). */
export type RequestPurpose = string;

/** The PlannerError for an HTTP answer that is not 2xx. `detail` is a short excerpt of the body, if any. */
export function errorForStatus(status: number, statusText: string, purpose: RequestPurpose, detail = ''): PlannerError {
  const said = detail.trim().length > 0 ? ` The server said: "${oneLine(detail)}".` : '';
  if (status === 401) {
    return new PlannerError(
      'pacs/auth',
      `The PACS refused the user name or password (HTTP 401) while loading ${purpose}. Check the credentials in the PACS settings.`,
    );
  }
  if (status === 403) {
    return new PlannerError('pacs/auth', `The PACS denied access (HTTP 403) to ${purpose}. This account may not be allowed to read these studies.${said}`);
  }
  if (status === 404) {
    return new PlannerError('pacs/not-found', `The PACS has no ${purpose} (HTTP 404): it may have been deleted or moved, or the address does not end with the DICOMweb root (e.g. /dicom-web).`);
  }
  if (status === 406 || status === 415) {
    return new PlannerError('pacs/bad-response', `The PACS cannot send ${purpose} in a format this planner reads (HTTP ${status}).${said}`);
  }
  if (status === 408 || status === 429) {
    return new PlannerError('pacs/server-error', `The PACS is busy (HTTP ${status}) and did not send ${purpose}. Retry in a moment.`);
  }
  if (status >= 500) {
    return new PlannerError('pacs/server-error', `The PACS failed (HTTP ${status} ${statusText}) while sending ${purpose}.${said} Retry, or ask the PACS administrator.`);
  }
  if (status >= 400) {
    return new PlannerError('pacs/bad-request', `The PACS rejected the request for ${purpose} (HTTP ${status} ${statusText}).${said}`);
  }
  return new PlannerError('pacs/bad-response', `Unexpected answer from the PACS for ${purpose} (HTTP ${status} ${statusText}).`);
}

/**
 * The PlannerError for a request that rejected before an HTTP status arrived
 * or while the body was read: cancellation, a stall timeout, or a network
 * failure. PlannerErrors pass through unchanged.
 */
export function errorForFailure(error: unknown, purpose: RequestPurpose, aborted: boolean): PlannerError {
  if (error instanceof PlannerError) return error;
  const code = errorCodeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code) return new PlannerError(code, message.replace(/^\[[^\]]+\]\s*/, ''));
  if (aborted) return new PlannerError('pacs/cancelled', `Loading ${purpose} was cancelled.`);
  return new PlannerError(
    'pacs/unreachable',
    `The PACS could not be reached or stopped answering while sending ${purpose} (${oneLine(message) || 'network error'}). Check the address and the network, then retry.`,
  );
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['pacs/unreachable', 'pacs/server-error', 'pacs/bad-response']);

/** Network failures, 5xx/408/429 and malformed bodies are retried; auth, 4xx and cancellation are not. */
export function isRetryable(error: unknown): boolean {
  const code = errorCodeOf(error);
  return code !== undefined && RETRYABLE.has(code);
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}...` : flat;
}
