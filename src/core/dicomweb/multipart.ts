/**
 * multipart/related bodies (RFC 2046 §5.1, RFC 2387) as WADO-RS sends them
 * (PS3.18 §8.7.3.3): parts separated by `--boundary` lines, each with MIME
 * headers, a blank line and the payload. Part bodies are views into the
 * input buffer (no copy): keep the input alive while the parts are used.
 *
 * A body without its closing delimiter (a cut connection that still ended
 * cleanly) is refused as `pacs/bad-response`: a half-received part must never
 * pass for a whole file.
 */
import { PlannerError } from '../shared/errors';
import { utf8Decode } from '../dicom/utf8';

export type MultipartPart = {
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The part's Content-Type ('' when absent). */
  contentType: string;
  /** A view into the input buffer. */
  body: Uint8Array;
};

/** Media type (lower case, without parameters) and its parameters (names lower-cased, quotes removed). */
export function parseContentType(value: string): { mediaType: string; params: Record<string, string> } {
  const [head = '', ...rest] = splitOutsideQuotes(value, ';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    const key = p.slice(0, eq).trim().toLowerCase();
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    params[key] = v;
  }
  return { mediaType: head.trim().toLowerCase(), params };
}

function splitOutsideQuotes(text: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let n = 0; n < text.length; n++) {
    const c = text[n];
    if (c === '"' && text[n - 1] !== '\\') quoted = !quoted;
    else if (c === sep && !quoted) {
      out.push(text.slice(start, n));
      start = n + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

function bad(message: string): PlannerError {
  return new PlannerError('pacs/bad-response', `the PACS sent a malformed multipart answer: ${message}`);
}

function ascii(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let n = 0; n < text.length; n++) out[n] = text.charCodeAt(n) & 0xff;
  return out;
}

/** Index of `needle` in `hay` at or after `from`, or -1. Native indexOf finds candidates for the first byte. */
function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = hay.length - needle.length;
  for (let n = hay.indexOf(first, from); n !== -1 && n <= last; n = hay.indexOf(first, n + 1)) {
    let m = 1;
    while (m < needle.length && hay[n + m] === needle[m]) m++;
    if (m === needle.length) return n;
  }
  return -1;
}

const CRLFCRLF = ascii('\r\n\r\n');

/**
 * Splits a multipart/related body. `contentType` is the response's
 * Content-Type header (it carries the boundary). Throws `pacs/bad-response`
 * when the header or the body is not a complete multipart message.
 */
export function parseMultipartRelated(body: Uint8Array, contentType: string): MultipartPart[] {
  const { mediaType, params } = parseContentType(contentType);
  if (mediaType !== 'multipart/related') throw bad(`Content-Type is "${contentType.slice(0, 100)}", expected multipart/related`);
  const boundary = params['boundary'];
  if (!boundary || boundary.length > 200) throw bad('no boundary in Content-Type');
  // The delimiter is CRLF--boundary; the first one may start the body without CRLF.
  const dash = ascii(`--${boundary}`);
  const delimiter = ascii(`\r\n--${boundary}`);
  let pos: number;
  if (startsWith(body, dash, 0)) pos = dash.length;
  else {
    const first = indexOfBytes(body, delimiter, 0);
    if (first < 0) throw bad('the first boundary is missing');
    pos = first + delimiter.length;
  }
  const parts: MultipartPart[] = [];
  for (;;) {
    // After a delimiter: "--" closes the message; otherwise optional whitespace then CRLF.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return parts;
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw bad(pos >= body.length ? 'the body ends after a boundary (connection cut?)' : 'a boundary is not followed by a line break');
    pos += 2;
    const headerEnd = startsWith(body, ascii('\r\n'), pos) ? pos : indexOfBytes(body, CRLFCRLF, pos);
    if (headerEnd < 0) throw bad(`part ${parts.length + 1} has no end of headers (body cut short?)`);
    const headers = headerEnd === pos ? {} : parseHeaders(utf8Decode(body.subarray(pos, headerEnd)));
    const bodyStart = headerEnd === pos ? pos + 2 : headerEnd + 4;
    const next = indexOfBytes(body, delimiter, bodyStart);
    if (next < 0) throw bad(`part ${parts.length + 1} is not terminated: the answer was cut short (${body.length} bytes received)`);
    parts.push({ headers, contentType: headers['content-type'] ?? '', body: body.subarray(bodyStart, next) });
    pos = next + delimiter.length;
    if (parts.length > 100000) throw bad('more than 100000 parts');
  }
}

function startsWith(hay: Uint8Array, needle: Uint8Array, at: number): boolean {
  if (at + needle.length > hay.length) return false;
  for (let n = 0; n < needle.length; n++) if (hay[at + n] !== needle[n]) return false;
  return true;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * A multipart/related body of DICOM Part 10 files for STOW-RS (PS3.18
 * §10.5.1.1): each part `Content-Type: application/dicom`. The boundary is
 * checked against every file (a boundary inside a payload would cut it).
 * Returns the body and the request's Content-Type header.
 */
export function buildMultipartRelated(files: readonly Uint8Array[], boundary: string): { body: Uint8Array; contentType: string } {
  if (!/^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/.test(boundary)) throw new PlannerError('pacs/bad-request', `"${boundary}" is not a valid multipart boundary`);
  const delimiter = ascii(`--${boundary}`);
  for (const [n, f] of files.entries()) {
    if (indexOf(f, delimiter) >= 0) throw new PlannerError('pacs/bad-request', `file ${n + 1} contains the multipart boundary; choose another boundary`);
  }
  const head = ascii(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const between = ascii(`\r\n--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`);
  const tail = ascii(`\r\n--${boundary}--\r\n`);
  const size = head.length + files.reduce((s, f) => s + f.length, 0) + between.length * Math.max(0, files.length - 1) + tail.length;
  const body = new Uint8Array(size);
  let at = 0;
  files.forEach((f, n) => {
    const sep = n === 0 ? head : between;
    body.set(sep, at);
    at += sep.length;
    body.set(f, at);
    at += f.length;
  });
  body.set(tail, at);
  return { body, contentType: `multipart/related; type="application/dicom"; boundary=${boundary}` };
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  outer: for (let n = haystack.indexOf(first); n >= 0 && n + needle.length <= haystack.length; n = haystack.indexOf(first, n + 1)) {
    for (let m = 1; m < needle.length; m++) if (haystack[n + m] !== needle[m]) continue outer;
    return n;
  }
  return -1;
}
