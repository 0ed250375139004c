/**
 * A DICOMweb client over an injected `fetch`: QIDO-RS searches (studies,
 * series, instances) and WADO-RS retrieval of whole series as Part 10 files,
 * ready for the same loading path as local files (indexDicomFiles /
 * assembleSeries in src/core/dicom).
 *
 * Retrieval is per instance (PS3.18 §10.4.1.1.3, Accept
 * `multipart/related; type="application/dicom"`), a few in flight, so that
 * progress is per slice and a failed slice is retried alone. A series is
 * returned whole or not at all: every instance the QIDO list names must
 * arrive, be a Part 10 file and carry the SOP Instance UID that was asked for;
 * otherwise `pacs/incomplete` (or the cause: auth, cancelled) is thrown and no
 * file is handed over, so a half volume never poses as a whole one.
 *
 * Only URLs built from the configured base URL are requested: URLs found in
 * answers (RetrieveURL, BulkDataURI) are never followed, so nothing goes to a
 * host the user did not configure.
 */
import { PlannerError } from '../shared/errors';
import { errorForFailure, errorForStatus, isRetryable } from './classifyError';
import { normalizeBaseUrl, type AbortSignalLike, type FetchLike, type HttpResponseLike } from './http';
import { buildMultipartRelated, parseMultipartRelated, parseContentType } from './multipart';
import { readPart10Header } from './part10Header';
import {
  buildInstancePath,
  isValidUid,
  stringValue,
  buildInstanceSearchPath,
  buildSeriesSearchPath,
  buildStudySearchPath,
  parseInstances,
  parseSeriesList,
  parseStudies,
  type InstanceRef,
  type SeriesListing,
  type StudyQuery,
  type StudySummary,
} from './qido';
import { utf8Decode } from '../dicom/utf8';
import { createUid } from '../dicom/createUid';
import dicomParser from 'dicom-parser';

/** "Message: Details" from a JSON error body (Orthanc sends one), else ''. */
function jsonErrorDetail(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const parts = [body['Message'], body['Details']].filter((v): v is string => typeof v === 'string' && v.length > 0);
    return parts.join(': ');
  } catch {
    return '';
  }
}

/** Parses the whole data set; throws `pacs/bad-response` if it ends early. */
function checkWholeFile(bytes: Uint8Array, purpose: string): void {
  try {
    dicomParser.parseDicom(bytes);
  } catch (error) {
    const why = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unreadable';
    throw new PlannerError('pacs/bad-response', `${purpose} arrived damaged or cut short (${why})`);
  }
}

/** Any transfer syntax the server holds (no server-side transcoding; the loader decodes). */
export const TRANSFER_SYNTAX_AS_STORED = '*';
/** Explicit VR Little Endian: ask the server to decompress. */
export const TRANSFER_SYNTAX_EXPLICIT_LE = '1.2.840.10008.1.2.1';

export type DicomWebClientConfig = {
  /** DICOMweb root, e.g. `https://pacs.example.org/dicom-web` or `/dicom-web` (same origin). */
  baseUrl: string;
  fetch: FetchLike;
  /** `Authorization` header value (see `basicAuthorization`), sent with every request. */
  authorization?: string;
  /** Transfer syntax asked for in WADO-RS; default `*` (as stored). */
  transferSyntax?: string;
  /** Waits between retries. Core has no timers: the browser side passes a setTimeout-based sleep. Default: no wait. */
  sleep?: (ms: number) => Promise<void>;
  /** Wait before retry n (1-based) is `retryDelaysMs[n-1]` (last value repeated). Default [250, 1000, 3000]. */
  retryDelaysMs?: readonly number[];
};

export type RequestOptions = { signal?: AbortSignalLike };

export type RetrieveProgress = {
  /** Instances received and checked. */
  done: number;
  total: number;
  /** Bytes of Part 10 data received so far. */
  bytes: number;
  /** Retries made so far (after network errors, 5xx, cut answers). */
  retries: number;
};

export type RetrieveOptions = RequestOptions & {
  onProgress?: (progress: RetrieveProgress) => void;
  /** Requests in flight; default 4. */
  concurrency?: number;
  /** Retries per instance after a retryable failure; default 3. */
  retries?: number;
};

/** Part 10 file as the DICOM loader takes it (`DicomFileInput`). */
export type RetrievedFile = { name: string; bytes: ArrayBuffer };

export type RetrievedSeries = {
  studyUid: string;
  seriesUid: string;
  /** One Part 10 file per instance, in instance-number order. */
  files: RetrievedFile[];
  instances: InstanceRef[];
  /** Transfer syntaxes of the received files (e.g. JPEG Lossless when stored compressed). */
  transferSyntaxUids: string[];
  bytes: number;
  retries: number;
};

export interface DicomWebClient {
  readonly baseUrl: string;
  searchStudies(query: StudyQuery, options?: RequestOptions): Promise<StudySummary[]>;
  searchSeries(studyUid: string, options?: RequestOptions): Promise<SeriesListing[]>;
  searchInstances(studyUid: string, seriesUid: string, options?: RequestOptions): Promise<InstanceRef[]>;
  /** One instance as Part 10 bytes (a view of the response; copy it to keep it apart). */
  retrieveInstance(ref: InstanceRef, options?: RequestOptions): Promise<Uint8Array>;
  /** The whole series, or a PlannerError: never part of it. */
  retrieveSeries(studyUid: string, seriesUid: string, options?: RetrieveOptions): Promise<RetrievedSeries>;
  /**
   * STOW-RS: stores Part 10 files in the study (POST /studies/{uid},
   * multipart/related; type="application/dicom"). Resolves when the PACS
   * confirms every instance; throws `pacs/rejected` naming the instances it
   * refused (nothing is retried: the caller may send again, same UIDs).
   */
  storeInstances(studyUid: string, files: readonly Uint8Array[], options?: StoreOptions): Promise<StoreResult>;
}

export type StoreOptions = RequestOptions & {
  /** Words for messages, e.g. "the report" (default "the instances"). */
  what?: string;
};

export type StoreResult = {
  /** SOP Instance UIDs sent, in order, all confirmed stored. */
  stored: string[];
  /** HTTP status of the answer (200, or 202 with warnings). */
  status: number;
  /** Warnings the PACS gave for stored instances (e.g. coerced attributes), if any. */
  warnings: string[];
};

/** STOW-RS FailureReason (0008,1197) codes, PS3.18 Table I.2-1 / PS3.4 B.2.3, in words. */
function failureReasonText(code: number | undefined): string {
  switch (code) {
    case 0x0110: return 'processing failure';
    case 0x0122: return 'SOP class not supported';
    case 0x0124: return 'not authorized';
    case 0xa700: return 'out of resources';
    case 0xa900: return 'data set does not match SOP class';
    case 0xc000: return 'cannot understand';
    case 0xc122: return 'referenced transfer syntax not supported';
    case 0xa770: return 'study instance UID mismatch';
    case undefined: return 'no reason given';
    default: return `reason 0x${code.toString(16).toUpperCase()}`;
  }
}

const MAX_JSON_BYTES = 64 * 1024 * 1024;

/** Creates a client. Throws `pacs/bad-request` for an unusable base URL. */
export function createDicomWebClient(config: DicomWebClientConfig): DicomWebClient {
  const baseUrl = normalizeBaseUrl(config.baseUrl);
  const transferSyntax = config.transferSyntax ?? TRANSFER_SYNTAX_AS_STORED;
  if (transferSyntax !== '*' && !/^[0-9]+(\.[0-9]+)*$/.test(transferSyntax)) {
    throw new PlannerError('pacs/bad-request', `transfer syntax "${transferSyntax}" is neither * nor a UID`);
  }
  const delays = config.retryDelaysMs ?? [250, 1000, 3000];
  const sleep = config.sleep ?? (() => Promise.resolve());

  const headers = (accept: string): Record<string, string> => {
    const h: Record<string, string> = { Accept: accept };
    if (config.authorization) h['Authorization'] = config.authorization;
    return h;
  };

  /** GET with status classification; the body must be read by the caller inside `read`. */
  async function get<T>(path: string, accept: string, purpose: string, signal: AbortSignalLike | undefined, read: (r: HttpResponseLike) => Promise<T>): Promise<T> {
    if (signal?.aborted) throw new PlannerError('pacs/cancelled', `Loading ${purpose} was cancelled.`);
    let response: HttpResponseLike;
    try {
      response = await config.fetch(`${baseUrl}/${path}`, { method: 'GET', headers: headers(accept), ...(signal ? { signal } : {}) });
    } catch (error) {
      throw errorForFailure(error, purpose, signal?.aborted === true);
    }
    if (!response.ok) {
      let detail = '';
      try {
        detail = (await response.text()).slice(0, 400);
      } catch {
        /* the status says enough */
      }
      // An HTML error page says nothing useful to a radiologist; a JSON one (Orthanc) may.
      if (/^\s*</.test(detail)) detail = '';
      else if (/^\s*\{/.test(detail)) detail = jsonErrorDetail(detail);
      throw errorForStatus(response.status, response.statusText, purpose, detail);
    }
    try {
      return await read(response);
    } catch (error) {
      throw errorForFailure(error, purpose, signal?.aborted === true);
    }
  }

  async function getJson(path: string, purpose: string, signal: AbortSignalLike | undefined): Promise<unknown> {
    return get(path, 'application/dicom+json, application/json;q=0.9', purpose, signal, async (r) => {
      if (r.status === 204) return [];
      const type = parseContentType(r.headers.get('content-type') ?? '').mediaType;
      const declared = Number(r.headers.get('content-length') ?? '0');
      if (declared > MAX_JSON_BYTES) throw new PlannerError('pacs/bad-response', `${purpose}: the answer is too large (${declared} bytes)`);
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (bytes.length > MAX_JSON_BYTES) throw new PlannerError('pacs/bad-response', `${purpose}: the answer is too large (${bytes.length} bytes)`);
      if (type === 'text/html') {
        throw new PlannerError(
          'pacs/bad-response',
          `The PACS answered with a web page instead of DICOM JSON for ${purpose}: the address may point to a login page or a viewer, not to the DICOMweb root.`,
        );
      }
      const text = utf8Decode(bytes).trim();
      if (text.length === 0) return [];
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new PlannerError('pacs/bad-response', `${purpose}: the PACS answer is not JSON (${bytes.length} bytes, type "${type || 'none'}")`);
      }
    });
  }

  async function fetchInstanceOnce(ref: InstanceRef, purpose: string, signal: AbortSignalLike | undefined): Promise<Uint8Array> {
    const accept = `multipart/related; type="application/dicom"; transfer-syntax=${transferSyntax}`;
    return get(buildInstancePath(ref), accept, purpose, signal, async (r) => {
      const contentType = r.headers.get('content-type') ?? '';
      const body = new Uint8Array(await r.arrayBuffer());
      // Content-Length is not compared: it counts encoded (gzip) bytes. A cut
      // with Content-Length fails inside fetch; a cut that ends cleanly loses
      // the multipart closing delimiter, or fails the full parse below.
      let file: Uint8Array;
      if (parseContentType(contentType).mediaType === 'application/dicom') {
        // A single-part answer some servers send: no delimiter proves it whole, so parse it all.
        checkWholeFile(body, purpose);
        file = body;
      } else {
        const parts = parseMultipartRelated(body, contentType);
        if (parts.length !== 1) throw new PlannerError('pacs/bad-response', `${purpose}: expected 1 DICOM file, the PACS sent ${parts.length}`);
        const partType = parseContentType(parts[0]!.contentType).mediaType;
        if (partType !== '' && partType !== 'application/dicom') {
          throw new PlannerError('pacs/bad-response', `${purpose}: the PACS sent "${partType}" instead of a DICOM file`);
        }
        file = parts[0]!.body;
      }
      const header = readPart10Header(file, purpose);
      if (header.sopInstanceUid !== ref.sopInstanceUid) {
        throw new PlannerError('pacs/bad-response', `${purpose}: the PACS sent instance ${header.sopInstanceUid} instead of ${ref.sopInstanceUid}`);
      }
      return file;
    });
  }

  async function store(studyUid: string, files: readonly Uint8Array[], options: StoreOptions): Promise<StoreResult> {
    const what = options.what ?? 'the instances';
    const signal = options.signal;
    if (!isValidUid(studyUid)) throw new PlannerError('pacs/bad-request', `"${studyUid}" is not a valid Study Instance UID`);
    if (files.length === 0) throw new PlannerError('pacs/bad-request', `nothing to store for ${what}`);
    const sent = files.map((f, n) => readPart10Header(f, `file ${n + 1} of ${what}`).sopInstanceUid);
    let multipart: { body: Uint8Array; contentType: string } | null = null;
    for (let attempt = 0; multipart === null; attempt++) {
      try {
        multipart = buildMultipartRelated(files, `psp-${createUid().slice(5)}`);
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
    if (signal?.aborted) throw new PlannerError('pacs/cancelled', `Sending ${what} was cancelled.`);
    const h: Record<string, string> = { Accept: 'application/dicom+json, application/json;q=0.9', 'Content-Type': multipart.contentType };
    if (config.authorization) h['Authorization'] = config.authorization;
    let response: HttpResponseLike;
    try {
      response = await config.fetch(`${baseUrl}/studies/${studyUid}`, { method: 'POST', headers: h, body: multipart.body, ...(signal ? { signal } : {}) });
    } catch (error) {
      throw errorForFailure(error, `the answer to sending ${what}`, signal?.aborted === true);
    }
    let text = '';
    try {
      text = utf8Decode(new Uint8Array(await response.arrayBuffer()));
    } catch (error) {
      if (response.ok) throw errorForFailure(error, `the answer to sending ${what}`, signal?.aborted === true);
    }
    let answer: Record<string, unknown> | null = null;
    if (/^\s*\{/.test(text)) {
      try {
        answer = JSON.parse(text) as Record<string, unknown>;
      } catch {
        answer = null;
      }
    }
    const failed: string[] = [];
    const confirmed = new Set<string>();
    const warnings: string[] = [];
    const items = (tag: string): Record<string, unknown>[] => {
      const a = answer?.[tag] as { Value?: unknown } | undefined;
      return Array.isArray(a?.Value) ? (a.Value as Record<string, unknown>[]) : [];
    };
    for (const item of items('00081198')) {
      const uid = stringValue(item, '00081155');
      const reason = (item['00081197'] as { Value?: number[] } | undefined)?.Value?.[0];
      failed.push(`${uid || 'an instance'} (${failureReasonText(reason)})`);
    }
    for (const item of items('00081199')) {
      confirmed.add(stringValue(item, '00081155'));
      const warning = (item['00081196'] as { Value?: number[] } | undefined)?.Value?.[0];
      if (warning !== undefined) warnings.push(`${stringValue(item, '00081155')}: warning 0x${warning.toString(16).toUpperCase()}`);
    }
    if (response.status === 401) {
      throw new PlannerError('pacs/auth', `The PACS refused the user name or password (HTTP 401) when ${what} was sent. Check the credentials in the PACS settings.`);
    }
    if (response.status === 403) {
      throw new PlannerError('pacs/auth', `The PACS does not allow this account to store ${what} (HTTP 403). Ask the PACS administrator for write access.`);
    }
    if (response.status === 409 || failed.length > 0) {
      throw new PlannerError(
        'pacs/rejected',
        `The PACS refused to store ${what} (HTTP ${response.status})${failed.length > 0 ? `: ${failed.join('; ')}` : ''}.${/^\s*\{/.test(text) ? '' : text.trim() ? ` The server said: "${text.trim().slice(0, 160)}".` : ''}`,
      );
    }
    if (!response.ok) {
      const detail = /^\s*</.test(text) ? '' : /^\s*\{/.test(text) ? jsonErrorDetail(text) : text.slice(0, 400);
      throw errorForStatus(response.status, response.statusText, `the answer to sending ${what}`, detail);
    }
    // A PACS that lists what it stored must list every instance sent.
    if (confirmed.size > 0) {
      const missing = sent.filter((uid) => !confirmed.has(uid));
      if (missing.length > 0) throw new PlannerError('pacs/rejected', `The PACS did not confirm ${missing.length} of the ${sent.length} instances of ${what} (${missing.join(', ')}).`);
    }
    return { stored: sent, status: response.status, warnings };
  }

  return {
    baseUrl,

    storeInstances(studyUid, files, options = {}) {
      return store(studyUid, files, options);
    },

    async searchStudies(query, options = {}) {
      const path = buildStudySearchPath(query);
      return parseStudies(await getJson(path, 'the study list', options.signal));
    },

    async searchSeries(studyUid, options = {}) {
      return parseSeriesList(await getJson(buildSeriesSearchPath(studyUid), 'the series list', options.signal), studyUid);
    },

    async searchInstances(studyUid, seriesUid, options = {}) {
      return parseInstances(await getJson(buildInstanceSearchPath(studyUid, seriesUid), 'the list of slices', options.signal), studyUid, seriesUid);
    },

    retrieveInstance(ref, options = {}) {
      return fetchInstanceOnce(ref, `instance ${ref.sopInstanceUid}`, options.signal);
    },

    async retrieveSeries(studyUid, seriesUid, options = {}) {
      const { signal, onProgress } = options;
      const concurrency = Math.max(1, Math.min(16, Math.floor(options.concurrency ?? 4)));
      const maxRetries = Math.max(0, Math.floor(options.retries ?? 3));
      const instances = await this.searchInstances(studyUid, seriesUid, signal ? { signal } : {});
      if (instances.length === 0) throw new PlannerError('pacs/not-found', 'The PACS lists no images in this series.');
      const total = instances.length;
      const files: (Uint8Array | undefined)[] = new Array(total);
      const syntaxes = new Set<string>();
      let done = 0;
      let bytes = 0;
      let retries = 0;
      let failure: PlannerError | undefined;
      let next = 0;
      onProgress?.({ done, total, bytes, retries });

      const fetchWithRetry = async (n: number): Promise<void> => {
        const ref = instances[n]!;
        const purpose = `slice ${n + 1} of ${total}`;
        for (let attempt = 0; ; attempt++) {
          try {
            const file = await fetchInstanceOnce(ref, purpose, signal);
            // Own the bytes: the multipart view keeps the whole response alive otherwise.
            files[n] = file.byteOffset === 0 && file.byteLength === file.buffer.byteLength ? file : file.slice();
            syntaxes.add(readPart10Header(file, purpose).transferSyntaxUid);
            return;
          } catch (error) {
            const e = errorForFailure(error, purpose, signal?.aborted === true);
            if (signal?.aborted || failure || attempt >= maxRetries || !isRetryable(e)) throw e;
            retries++;
            await sleep(delays[Math.min(attempt, delays.length - 1)] ?? 0);
            if (signal?.aborted) throw new PlannerError('pacs/cancelled', `Loading ${purpose} was cancelled.`);
          }
        }
      };

      const worker = async (): Promise<void> => {
        while (!failure && next < total) {
          const n = next++;
          try {
            await fetchWithRetry(n);
          } catch (error) {
            failure ??= errorForFailure(error, `slice ${n + 1} of ${total}`, signal?.aborted === true);
            return;
          }
          done++;
          bytes += files[n]!.byteLength;
          onProgress?.({ done, total, bytes, retries });
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));

      if (failure) {
        const code = failure.code;
        if (code === 'pacs/auth' || code === 'pacs/cancelled' || code === 'pacs/bad-request') throw failure;
        let reason = failure.message.replace(/^\[[^\]]+\]\s*/, '');
        if (transferSyntax !== TRANSFER_SYNTAX_AS_STORED && (code === 'pacs/server-error' || code === 'pacs/bad-response')) {
          reason += ' The PACS may be unable to decompress this series: set the transfer to "as stored" in the PACS settings and retry.';
        }
        throw new PlannerError(
          'pacs/incomplete',
          `Only ${done} of ${total} slices arrived from the PACS, so nothing was loaded (a partial series would show a volume with missing anatomy). ${reason}${retries > 0 ? ` (${retries} retries made)` : ''}`,
        );
      }
      // Whole or nothing: every listed instance present.
      const missing = files.findIndex((f) => f === undefined);
      if (missing >= 0) throw new PlannerError('pacs/incomplete', `slice ${missing + 1} of ${total} is missing after retrieval; nothing was loaded`);
      const out: RetrievedFile[] = files.map((f, n) => ({
        name: `pacs/${seriesUid}/${String(n + 1).padStart(5, '0')}_${instances[n]!.sopInstanceUid}.dcm`,
        bytes: (f!.byteOffset === 0 && f!.byteLength === f!.buffer.byteLength ? f!.buffer : f!.slice().buffer) as ArrayBuffer,
      }));
      return { studyUid, seriesUid, files: out, instances, transferSyntaxUids: [...syntaxes], bytes, retries };
    },
  };
}
