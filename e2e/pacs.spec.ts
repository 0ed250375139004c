/**
 * The app against a real PACS: Debian's Orthanc with the DICOMweb plugin on
 * 127.0.0.1 (e2e/orthanc/orthanc.ts, basic authentication on), holding the
 * small sacralAla phantom. Orthanc sends no CORS headers, so the browser talks
 * to `/dicom-web` on the app's own origin and the test forwards those
 * requests to Orthanc server-side (as a reverse proxy in front of the app
 * would). Orthanc is stopped by its PID after the tests, passed or failed.
 *
 * Every request of the browser context is checked: anything that is not the
 * app's own origin (or data:/blob:) is aborted and fails the test. One study
 * has HTML in its patient name: rendered as HTML it would fetch an image from
 * a non-loopback address and trip that check.
 */
import { resolve } from 'node:path';
import { expect, test, type BrowserContext, type Page, type Route } from '@playwright/test';
import { generatePhantom } from '../sample-dicom/generatePhantom';
import { writeCtSeries } from '../src/core/dicom/writeCtSeries';
import { ORTHANC_PORTS, startOrthanc, stopOrthancFromPidFile, uploadInstances, type RunningOrthanc } from './orthanc/orthanc';
import { appData, waitForAnatomy, waitForLoad } from './support/app';

const USER = 'radiologist';
const PASSWORD = 'correct horse battery';
const PID_FILE = resolve(import.meta.dirname ?? '.', '../.cache/orthanc/e2e.pid');
const PATIENT_ID = 'PELVIS-E2E-1';
const SERIES_UID = '2.25.880001.2';
// A person name cannot hold '=' (it separates component groups), so the image goes in the description.
const HOSTILE_NAME = '<b>EVIL</b>^HOSTILE';
const HOSTILE_DESCRIPTION = '<img src="http://198.51.100.7/pwned.png">';

let orthanc: RunningOrthanc;
let sliceCount = 0;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  // A run killed earlier may have left its Orthanc: stop it by the PID it wrote.
  await stopOrthancFromPidFile(PID_FILE);
  orthanc = await startOrthanc({ ...ORTHANC_PORTS.e2e, users: { [USER]: PASSWORD }, pidFile: PID_FILE });
  const { ct } = generatePhantom({ caseId: 'sacralAla', size: 'small' });
  const files = writeCtSeries(ct, {
    patientName: 'PELVIS^E2E',
    patientId: PATIENT_ID,
    accessionNumber: 'ACC-E2E-1',
    studyDate: '20250214',
    studyDescription: 'CT pelvis, lytic lesion left ala',
    seriesDescription: 'Pelvis 2 mm axial',
    seriesNumber: 2,
    studyInstanceUid: '2.25.880001',
    seriesInstanceUid: SERIES_UID,
    uidSeed: 'e2e-pacs',
  });
  sliceCount = files.length;
  await uploadInstances(orthanc, files.map((f) => f.bytes));
  const hostile = writeCtSeries(ct, {
    patientName: HOSTILE_NAME,
    patientId: 'HOSTILE-1',
    studyDescription: HOSTILE_DESCRIPTION,
    seriesDescription: '<b>bold</b>',
    uidSeed: 'e2e-hostile',
  }).slice(0, 3);
  await uploadInstances(orthanc, hostile.map((f) => f.bytes));
});

test.afterAll(async () => {
  await orthanc?.stop();
});

type Network = { foreign: string[]; pacsRequests: string[]; fault: ((route: Route, n: number) => Promise<boolean>) | null };

/**
 * Routes every request of the context: /dicom-web/** goes to Orthanc
 * (server-side), the app's own origin passes, everything else is aborted and recorded.
 */
async function guardNetwork(context: BrowserContext, appOrigin: string): Promise<Network> {
  const net: Network = { foreign: [], pacsRequests: [], fault: null };
  context.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(appOrigin) && !u.startsWith('data:') && !u.startsWith('blob:')) net.foreign.push(u);
  });
  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (`${url.protocol}//${url.host}` !== appOrigin) {
      await route.abort('blockedbyclient');
      return;
    }
    if (!url.pathname.startsWith('/dicom-web/')) {
      await route.continue();
      return;
    }
    const n = net.pacsRequests.push(url.pathname + url.search) - 1;
    if (net.fault && (await net.fault(route, n))) return;
    const response = await route.fetch({ url: `${orthanc.baseUrl}${url.pathname}${url.search}`, headers: request.headers() });
    await route.fulfill({ response });
  });
  return net;
}

async function openPanel(page: Page, password: string): Promise<void> {
  await page.goto('/?sample=none&no3d=1');
  await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
  await page.getByTestId('pacs-toggle').click();
  await expect(page.getByTestId('pacs-url')).toHaveValue('/dicom-web');
  await page.getByTestId('pacs-username').fill(USER);
  await page.getByTestId('pacs-password').fill(password);
}

const panel = (page: Page) => page.locator('.pacs-panel');

test('finds the phantom by patient ID, lists its series and opens it; nothing leaves for another host', async ({ page, context, baseURL }) => {
  const net = await guardNetwork(context, new URL(baseURL!).origin);
  await openPanel(page, PASSWORD);

  // All studies first: the hostile patient name must render as text.
  await page.getByTestId('pacs-search').click();
  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'studies');
  await expect(page.getByTestId('pacs-studies').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('pacs-studies')).toContainText('<b>EVIL</b>, HOSTILE');
  await expect(page.getByTestId('pacs-studies')).toContainText(HOSTILE_DESCRIPTION);
  expect(await page.locator('.pacs-panel img, .pacs-panel b').count()).toBe(0);

  // Search by patient ID, date range and accession number.
  await page.getByTestId('pacs-patient-id').fill(PATIENT_ID);
  await page.getByTestId('pacs-date-from').fill('2025-01-01');
  await page.getByTestId('pacs-date-to').fill('2025-12-31');
  await page.getByTestId('pacs-accession').fill('ACC-E2E-1');
  await page.getByTestId('pacs-search').click();
  const rows = page.getByTestId('pacs-studies').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('PELVIS, E2E');
  await expect(rows.first()).toContainText('2025-02-14');
  await rows.first().click();
  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'series');
  const series = page.getByTestId('pacs-series').locator(`tr[data-series-uid="${SERIES_UID}"]`);
  await expect(series).toContainText('CT');
  await expect(series).toContainText('Pelvis 2 mm axial');
  await expect(series).toContainText(String(sliceCount));

  await series.getByTestId('pacs-open-series').click();
  const state = await waitForLoad(page, 1);
  expect(state['loadOutcome']).toBe('shown');
  expect(state['seriesUid']).toBe(SERIES_UID);
  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'opened');
  await expect(page.getByTestId('pacs-status')).toHaveText(`Opened Pelvis 2 mm axial (${sliceCount} slices) from the PACS.`);
  await waitForAnatomy(page, 'axial');

  // One QIDO for each search and the series list, one for the instance list, one WADO per slice.
  expect(net.pacsRequests.filter((p) => /\/instances\/[0-9.]+$/.test(p))).toHaveLength(sliceCount);
  expect(net.foreign).toEqual([]);
});

test('a wrong password gives a clear message', async ({ page, context, baseURL }) => {
  const net = await guardNetwork(context, new URL(baseURL!).origin);
  await openPanel(page, 'wrong password');
  await page.getByTestId('pacs-patient-id').fill(PATIENT_ID);
  await page.getByTestId('pacs-search').click();
  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'error');
  await expect(page.getByTestId('pacs-status')).toHaveText(
    'The PACS refused the user name or password (HTTP 401) while loading the study list. Check the credentials in the PACS settings.',
  );
  await expect(page.locator('.pacs-status')).toHaveAttribute('role', 'alert');
  // The password is never kept.
  const stored = await page.evaluate(() => sessionStorage.getItem('planner.pacs.settings') ?? '');
  expect(stored).not.toContain('wrong password');
  expect(net.foreign).toEqual([]);
});

test('a connection cut mid-series gives a message and a retry, never a half volume', async ({ page, context, baseURL }) => {
  const net = await guardNetwork(context, new URL(baseURL!).origin);
  let cut = true;
  let instance = 0;
  let cutPath = '';
  net.fault = async (route, _n) => {
    const path = new URL(route.request().url()).pathname;
    if (!/\/instances\/[0-9.]+$/.test(path) || !cut) return false;
    if (cutPath === '' && instance++ === 40) cutPath = path;
    if (path !== cutPath) return false;
    await route.abort('connectionreset');
    return true;
  };
  await openPanel(page, PASSWORD);
  await page.getByTestId('pacs-patient-id').fill(PATIENT_ID);
  await page.getByTestId('pacs-search').click();
  await page.getByTestId('pacs-studies').locator('tbody tr').first().click();
  await page.getByTestId('pacs-series').locator(`tr[data-series-uid="${SERIES_UID}"]`).getByTestId('pacs-open-series').click();

  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'error');
  await expect(page.getByTestId('pacs-status')).toContainText(
    new RegExp(`^Only \\d+ of ${sliceCount} slices arrived from the PACS, so nothing was loaded \\(a partial series would show a volume with missing anatomy\\)\\. The PACS could not be reached or stopped answering while sending slice \\d+ of ${sliceCount}`),
  );
  await expect(page.getByTestId('pacs-retry')).toBeVisible();
  // Nothing reached the loader: no load was started, no volume is open.
  const before = await appData(page);
  expect(before['loadAttempt'] ?? '0').toBe('0');
  expect(before['volumeId'] ?? '').toBe('');

  cut = false;
  await page.getByTestId('pacs-retry').click();
  const state = await waitForLoad(page, 1);
  expect(state['loadOutcome']).toBe('shown');
  expect(state['seriesUid']).toBe(SERIES_UID);
  await expect(panel(page)).toHaveAttribute('data-pacs-state', 'opened');
  expect(net.foreign).toEqual([]);
});

test('stopping the PACS ends by its PID', async () => {
  const pid = orthanc.pid;
  await orthanc.stop();
  let alive = true;
  try {
    process.kill(pid, 0);
  } catch {
    alive = false;
  }
  expect(alive).toBe(false);
});
