/**
 * The Content-Security-Policy the production build needs, as the PACS
 * engineer recommends it (checked by e2e/csp.spec.ts against the built app):
 *
 * - script-src 'self' 'wasm-unsafe-eval': our bundles plus WebAssembly
 *   compilation for the image codecs (charls, openjpeg); no inline script, no
 *   eval. Without 'wasm-unsafe-eval' a JPEG 2000 series is refused (tested).
 * - worker-src 'self': our module workers (DICOM load, planner, fields) are
 *   same-origin files; no blob: workers were needed.
 * - connect-src 'self' + the PACS origins the site allows: every fetch goes to
 *   the app's own server (bundled sample, `/dicom-web` reverse proxy) or to a
 *   configured PACS; nothing else can leave the browser even if a bug tried.
 * - style-src 'self': the bundle's CSS files; styles set through the CSSOM
 *   (element.style) are not affected, so no 'unsafe-inline' is needed.
 * - img-src 'self' data: blob:: canvases exported to images (report), icons.
 * - object-src 'none', base-uri 'none', form-action 'none'.
 * As an HTTP header also `frame-ancestors 'none'` (ignored in a meta tag).
 */
export function contentSecurityPolicy(pacsOrigins: readonly string[] = [], asHeader = true): string {
  for (const o of pacsOrigins) {
    if (!/^https?:\/\/[a-z0-9.-]+(:\d+)?$/i.test(o)) throw new Error(`"${o}" is not an origin (scheme://host[:port])`);
  }
  const directives = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self'${pacsOrigins.map((o) => ` ${o}`).join('')}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ];
  if (asHeader) directives.push("frame-ancestors 'none'");
  return directives.join('; ');
}
