/**
 * The few HTTP capabilities the DICOMweb client needs, as small structural
 * interfaces: core compiles against ES2022 only (no DOM `fetch`, `Response`,
 * `AbortSignal`), so the browser side injects `fetch` through `FetchLike`.
 * The real `fetch` of browsers and node 20 satisfies these shapes.
 */
import { PlannerError } from '../shared/errors';
import { utf8Encode } from '../dicom/utf8';

/** The part of `AbortSignal` the client reads. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** The part of `Response` the client reads. */
export interface HttpResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
  text(): Promise<string>;
}

export type HttpRequestInit = {
  /** GET for QIDO/WADO; POST for STOW-RS (with `body`). */
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Uint8Array;
  signal?: AbortSignalLike;
};

/** `fetch(url, init)`; rejects on network failure (TypeError in browsers and node). */
export type FetchLike = (url: string, init: HttpRequestInit) => Promise<HttpResponseLike>;

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function base64(bytes: Uint8Array): string {
  let out = '';
  for (let n = 0; n < bytes.length; n += 3) {
    const a = bytes[n]!;
    const b = n + 1 < bytes.length ? bytes[n + 1]! : 0;
    const c = n + 2 < bytes.length ? bytes[n + 2]! : 0;
    const triple = (a << 16) | (b << 8) | c;
    out += BASE64[(triple >> 18) & 63]! + BASE64[(triple >> 12) & 63]!;
    out += n + 1 < bytes.length ? BASE64[(triple >> 6) & 63]! : '=';
    out += n + 2 < bytes.length ? BASE64[triple & 63]! : '=';
  }
  return out;
}

/**
 * `Authorization` header value for HTTP basic authentication (RFC 7617,
 * UTF-8 charset). A colon in the user name cannot be sent and is refused.
 */
export function basicAuthorization(username: string, password: string): string {
  if (username.includes(':')) throw new PlannerError('pacs/bad-request', 'the PACS user name cannot contain ":"');
  return `Basic ${base64(utf8Encode(`${username}:${password}`))}`;
}

/**
 * Normalises the configured server address: `http(s)://host[:port]/path` or a
 * path on this origin (`/dicom-web`, e.g. behind a reverse proxy). Trailing
 * slashes are removed. Refuses other schemes and credentials in the URL (send
 * them as settings instead: browsers refuse `user:pass@` URLs in fetch).
 */
export function normalizeBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  if (trimmed.length === 0) throw new PlannerError('pacs/bad-request', 'Enter the DICOMweb address of the PACS, e.g. https://pacs.example.org/dicom-web');
  const absolute = /^(https?):\/\/([^/?#]*)/i.exec(trimmed);
  if (absolute) {
    const authority = absolute[2]!;
    if (authority.includes('@')) {
      throw new PlannerError('pacs/bad-request', 'Put the user name and password in their own fields, not in the PACS address');
    }
    if (authority.length === 0) throw new PlannerError('pacs/bad-request', `"${url}" has no host name`);
  } else if (!trimmed.startsWith('/') || trimmed.startsWith('//')) {
    throw new PlannerError('pacs/bad-request', `"${url}" is not a DICOMweb address: it must start with http://, https:// or / (a path on this server)`);
  }
  if (/[?#]/.test(trimmed)) throw new PlannerError('pacs/bad-request', `"${url}": the PACS address must not contain ? or #`);
  return trimmed;
}

/** The origin (`scheme://host:port`) of an absolute base URL, or '' for a same-origin path. */
export function originOf(baseUrl: string): string {
  const m = /^(https?:\/\/[^/?#]+)/i.exec(baseUrl);
  return m ? m[1]!.toLowerCase() : '';
}
