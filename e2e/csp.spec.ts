/**
 * The production build under the recommended Content-Security-Policy
 * (e2e/orthanc/contentSecurityPolicy.ts): `vite build` into a temporary
 * folder, served by a small loopback server with COOP/COEP and the CSP
 * header, `/dicom-web` reverse-proxied to a real Orthanc. The bundled sample
 * must open, a PACS search must work and a JPEG 2000 series from the PACS
 * must open (wasm codec) with zero CSP violations, and a
 * request to a foreign host must be blocked by the policy itself.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { expect, test } from '@playwright/test';
import { contentSecurityPolicy } from './orthanc/contentSecurityPolicy';
import { startOrthanc, uploadInstances, type RunningOrthanc } from './orthanc/orthanc';
import { generatePhantom } from '../sample-dicom/generatePhantom';
import { writeCtSeries } from '../src/core/dicom/writeCtSeries';
import { compressWith } from '../src/core/dicom/testing/dicomTools';
import { waitForAnatomy, waitForLoad } from './support/app';

const PORT = 5197;
const ORTHANC = { httpPort: 8847, dicomPort: 4347 };
const root = resolve(import.meta.dirname ?? '.', '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.map': 'application/json',
  '.dcm': 'application/dicom',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

let outDir: string;
let server: Server;
let orthanc: RunningOrthanc;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  outDir = mkdtempSync(join(tmpdir(), 'planner-dist-'));
  execFileSync('npx', ['vite', 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' });
  orthanc = await startOrthanc(ORTHANC);
  const { ct } = generatePhantom({ caseId: 'sacralAla', size: 'small' });
  const meta = { patientName: 'CSP^TEST', patientId: 'CSP-1', studyInstanceUid: '2.25.770001', uidSeed: 'csp' };
  const files = writeCtSeries(ct, { ...meta, seriesDescription: 'csp plain', seriesInstanceUid: '2.25.770001.1', seriesNumber: 1 }).slice(40, 48);
  await uploadInstances(orthanc, files.map((f) => f.bytes));
  // JPEG 2000: decoding it needs the openjpeg wasm codec, so 'wasm-unsafe-eval' is exercised.
  const j2k = writeCtSeries(ct, { ...meta, seriesDescription: 'csp j2k', seriesInstanceUid: '2.25.770001.2', seriesNumber: 2, uidSeed: 'csp-j2k' }).slice(40, 48);
  await uploadInstances(orthanc, j2k.map((f) => compressWith('gdcmconv', ['--j2k'], f.bytes)));
  const csp = contentSecurityPolicy();
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${PORT}`);
    const common = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Content-Security-Policy': csp,
    };
    if (url.pathname.startsWith('/dicom-web/')) {
      const up = httpRequest(
        { host: '127.0.0.1', port: ORTHANC.httpPort, path: url.pathname + url.search, method: req.method, headers: { ...req.headers, host: `127.0.0.1:${ORTHANC.httpPort}` } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, { ...r.headers, ...common });
          r.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      req.pipe(up);
      return;
    }
    const path = url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname);
    const file = normalize(join(outDir, path));
    if (!file.startsWith(outDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...common });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', ...common });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(PORT, '127.0.0.1', r));
});

test.afterAll(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await orthanc?.stop();
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

test('the built app opens the sample and searches the PACS with zero CSP violations, and the CSP blocks a foreign host', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (globalThis as unknown as { __csp: string[] }).__csp ??= [];
      (globalThis as unknown as { __csp: string[] }).__csp.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  // Even if the policy failed, nothing would reach another host: abort anything foreign.
  await page.context().route('**/*', (route) => (new URL(route.request().url()).host === `127.0.0.1:${PORT}` ? route.continue() : route.abort('blockedbyclient')));

  await page.goto(`http://127.0.0.1:${PORT}/?no3d=1`);
  const state = await waitForLoad(page, 1);
  expect(state['loadOutcome']).toBe('shown');
  await waitForAnatomy(page, 'axial');
  expect(await page.evaluate(() => globalThis.crossOriginIsolated)).toBe(true);

  await page.getByTestId('pacs-toggle').click();
  await page.getByTestId('pacs-patient-id').fill('CSP-1');
  await page.getByTestId('pacs-search').click();
  await expect(page.locator('.pacs-panel')).toHaveAttribute('data-pacs-state', 'studies');
  await expect(page.getByTestId('pacs-studies').locator('tbody tr')).toHaveCount(1);
  await page.getByTestId('pacs-studies').locator('tbody tr').first().click();
  await page.getByTestId('pacs-series').locator('tr[data-series-uid="2.25.770001.2"]').getByTestId('pacs-open-series').click();
  // The open sample has no warnings to confirm; the new series replaces it.
  const j2kState = await waitForLoad(page, 2);
  expect(j2kState['loadOutcome']).toBe('shown');
  expect(j2kState['seriesUid']).toBe('2.25.770001.2');

  const seen = await page.evaluate(() => (globalThis as unknown as { __csp?: string[] }).__csp ?? []);
  expect([...seen, ...violations]).toEqual([]);

  // The policy itself refuses a foreign host (connect-src).
  const blocked = await page.evaluate(async () => {
    try {
      await fetch('http://198.51.100.7/exfiltrate');
      return 'sent';
    } catch {
      return 'refused';
    }
  });
  expect(blocked).toBe('refused');
  const after = await page.evaluate(() => (globalThis as unknown as { __csp?: string[] }).__csp ?? []);
  expect(after.some((v) => v.startsWith('connect-src') && v.includes('198.51.100.7'))).toBe(true);
});
