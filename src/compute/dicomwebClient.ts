/**
 * Browser side of the DICOMweb client: the core client
 * (src/core/dicomweb/createDicomWebClient.ts) over the real `fetch`, with
 * - credentials: HTTP basic authentication from the PACS settings (sent as an
 *   Authorization header; cookies only when `useCookies` is set),
 * - a stall timeout: a PACS that accepts the connection but stops sending
 *   (no byte for `stallTimeoutMs`) fails the request instead of hanging the
 *   load forever; the core then retries it, and if it keeps failing the whole
 *   series is refused with a message (never a half volume),
 * - retries with growing waits (setTimeout), cancellation through AbortSignal,
 * - privacy: no cache (`no-store`), no Referer, and no redirects (a redirect
 *   could lead to a host the user did not configure; it fails instead).
 *
 * Works in browsers, workers and node 20 (tests) alike.
 */
import { PlannerError } from '../core/shared/errors';
import {
  basicAuthorization,
  createDicomWebClient,
  TRANSFER_SYNTAX_AS_STORED,
  TRANSFER_SYNTAX_EXPLICIT_LE,
  type DicomWebClient,
  type FetchLike,
  type HttpResponseLike,
} from '../core/dicomweb';

/** What the user sets in the PACS panel. Plain data (it may be kept in session storage, without the password). */
export type PacsSettings = {
  /** DICOMweb root: `https://pacs.example.org/dicom-web`, or `/dicom-web` behind this app's own server. */
  url: string;
  username?: string;
  password?: string;
  /** `as-stored` (default): compressed series come compressed and are decoded here; `uncompressed`: the server decompresses. */
  transfer?: 'as-stored' | 'uncompressed';
  /** Send cookies (single sign-on in front of the PACS). Default false. */
  useCookies?: boolean;
};

export type BrowserDicomWebOptions = {
  /** Defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /** A request with no new byte for this long fails (then is retried). Default 30 000 ms. */
  stallTimeoutMs?: number;
  /** Waits before retries 1, 2, 3... Default [250, 1000, 3000]. */
  retryDelaysMs?: readonly number[];
};

/** A fetch that fails with `pacs/unreachable` when no byte arrives for `stallTimeoutMs`. */
export function createStallGuardedFetch(fetchImpl: typeof fetch, stallTimeoutMs: number, init: Pick<RequestInit, 'credentials'>): FetchLike {
  return async (url, request) => {
    const controller = new AbortController();
    const outer = request.signal as AbortSignal | undefined;
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stalled = false;
    const stallError = (): PlannerError =>
      new PlannerError('pacs/unreachable', `The PACS stopped answering (no data for ${(stallTimeoutMs / 1000).toFixed(stallTimeoutMs < 1000 ? 1 : 0)} s).`);
    const arm = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, stallTimeoutMs);
    };
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    };
    arm();
    let response: Response;
    try {
      response = await fetchImpl(url, {
        method: request.method,
        headers: request.headers,
        ...(request.body ? { body: request.body as Uint8Array<ArrayBuffer> } : {}),
        signal: controller.signal,
        credentials: init.credentials ?? 'same-origin',
        cache: 'no-store',
        redirect: 'error',
        referrerPolicy: 'no-referrer',
      });
    } catch (error) {
      done();
      throw stalled ? stallError() : error;
    }
    arm();
    const readAll = async (): Promise<ArrayBuffer> => {
      try {
        const body = response.body;
        if (!body) return new ArrayBuffer(0);
        const reader = body.getReader();
        const chunks: Uint8Array[] = [];
        let length = 0;
        for (;;) {
          const { done: end, value } = await reader.read();
          if (end) break;
          arm();
          chunks.push(value);
          length += value.byteLength;
        }
        const out = new Uint8Array(length);
        let at = 0;
        for (const c of chunks) {
          out.set(c, at);
          at += c.byteLength;
        }
        return out.buffer;
      } catch (error) {
        throw stalled ? stallError() : error;
      } finally {
        done();
      }
    };
    const wrapped: HttpResponseLike = {
      ok: response.ok,
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      arrayBuffer: readAll,
      text: async () => new TextDecoder().decode(await readAll()),
    };
    return wrapped;
  };
}

/** The DICOMweb client the PACS panel uses. Throws `pacs/bad-request` for an unusable address or user name. */
export function createBrowserDicomWebClient(settings: PacsSettings, options: BrowserDicomWebOptions = {}): DicomWebClient {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const username = settings.username?.trim() ?? '';
  const authorization = username.length > 0 ? basicAuthorization(username, settings.password ?? '') : undefined;
  return createDicomWebClient({
    baseUrl: settings.url,
    fetch: createStallGuardedFetch(fetchImpl, options.stallTimeoutMs ?? 30_000, { credentials: settings.useCookies ? 'include' : 'same-origin' }),
    ...(authorization ? { authorization } : {}),
    transferSyntax: settings.transfer === 'uncompressed' ? TRANSFER_SYNTAX_EXPLICIT_LE : TRANSFER_SYNTAX_AS_STORED,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    retryDelaysMs: options.retryDelaysMs ?? [250, 1000, 3000],
  });
}
