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
import { parseMultipartRelated, parseContentType } from './multipart';
import { readPart10Header } from './part10Header';
import {
  buildInstancePath,
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

  return {
    baseUrl,

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
