/**
 * The trajectory report (issue #7 "done when"), on the bundled sacralAla-medium phantom:
 *
 * 1. Plan through the plan panel (lesion seeded at the phantom's TRUTH lesion
 *    centre), accept; Export PDF and Export plan JSON from the report panel
 *    (real downloads). pdf.js extracts the PDF's text; the test recomputes the
 *    report model IN NODE from the downloaded plan JSON, the screws'
 *    evaluations and the same DICOM files (core buildReport), and every
 *    figure of that model (LPS points, slice/row/column, table positions,
 *    angles, depths, purchase, clearances, C-arm angles, room steps) must be
 *    on the page; the hash of the JSON is printed on every page. Pages are
 *    rendered with `pdftoppm -r 60` into e2e/artifacts for a human to look at.
 * 2. JSON round trip: clear the autosave, reload (empty plan), import the
 *    file: same plan, and exported again, same hash.
 * 3. A file for another series, and a corrupted file, are refused with the
 *    reason; the open plan stays (same revision, same document).
 * 4. With the PACS (Orthanc, basic auth, proxied on the app's origin as in
 *    pacs.spec.ts): the series opened from the PACS, the plan imported,
 *    Send to PACS; QIDO finds the DOC and SEG series in the study and WADO
 *    returns the exported PDF's bytes identical.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import dicomParser from 'dicom-parser';
import { expect, test, type BrowserContext, type Download, type Page } from '@playwright/test';
import { assembleSeries, indexDicomFiles } from '../src/core/dicom';
import type { SeriesReference } from '../src/core/dicom/types';
import type { ScrewEvaluation } from '../src/core/planning/types';
import { buildReport } from '../src/core/report/buildReport';
import { expectedStrings } from '../src/core/report/testing/pdfText';
import { computePlanHash, importPlanJson } from '../src/core/report/toJson';
import type { PlanContent, PlanFile } from '../src/core/report/planSchema';
import type { Volume } from '../src/core/volume/Volume';
import { reportOptionsFor } from '../src/ui/report/reportOptions';
import { ORTHANC_PORTS, startOrthanc, stopOrthancFromPidFile, uploadInstances, type RunningOrthanc } from './orthanc/orthanc';
import { ARTIFACTS, screenshot, waitForAnatomy } from './support/app';
import { pdfPagesText } from './support/pdfText';
import { truthLesionCenter, waitSessionReady } from './support/session';

const SAMPLE = 'sacralAla-medium';
const SAMPLE_DIR = resolve(import.meta.dirname ?? '.', '../sample-dicom/out', SAMPLE, 'dicom');
const OUT = join(ARTIFACTS, 'report');
const OPERATOR = 'Dr. E2E Operator';
const SOFTWARE_VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname ?? '.', '../package.json'), 'utf8')) as { version: string }).version;
type Vec3 = [number, number, number];

test.describe.configure({ mode: 'serial' });

/** Shared between the tests of this file (serial). */
let exported: { json: string; pdf: Uint8Array; hashHex: string } | null = null;

function sampleFiles(): { name: string; bytes: ArrayBuffer }[] {
  return readdirSync(SAMPLE_DIR).sort().map((name) => {
    const b = readFileSync(join(SAMPLE_DIR, name));
    return { name, bytes: b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer };
  });
}

/** The phantom CT and its DICOM reference, loaded in node through the same core loader as the app. */
async function loadSampleInNode(): Promise<{ volume: Volume; reference: SeriesReference }> {
  const index = indexDicomFiles(sampleFiles());
  const assembled = await assembleSeries(index, index.series[0]!.key, { shared: false });
  return { volume: assembled.volume, reference: assembled.info.reference! };
}

type PlanHookState = { revision: number; plan: PlanContent | null; evaluations: Record<string, ScrewEvaluation> };

/** The store's state; numbers that JSON cannot carry (Infinity) are kept. */
async function planState(page: Page): Promise<PlanHookState> {
  const text = await page.evaluate(() => {
    const s = (window as unknown as { __planner: { plan: { state(): unknown } } }).__planner.plan.state();
    return JSON.stringify(s, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { __number: String(v) } : v));
  });
  return JSON.parse(text, (_k, v: unknown) => (v && typeof v === 'object' && '__number' in v ? Number((v as { __number: string }).__number) : v)) as PlanHookState;
}

async function saveDownload(download: Download, name: string): Promise<Uint8Array> {
  mkdirSync(OUT, { recursive: true });
  const path = join(OUT, name);
  await download.saveAs(path);
  return new Uint8Array(readFileSync(path));
}

const panel = (page: Page) => page.locator('.report-panel');

/** Seeds the lesion at the truth centre (session hook: the lesion click is not under test here) and waits for the fields. */
async function seedLesion(page: Page): Promise<void> {
  await page.evaluate((q) => (window as unknown as { __planner: { session: { growLesion(p: Vec3): Promise<unknown> } } }).__planner.session.growLesion(q), truthLesionCenter(SAMPLE));
  await waitSessionReady(page);
}

/** Plan screws through the plan panel and accept the proposal; waits until every screw is checked (export enabled). */
async function planThroughPanel(page: Page): Promise<void> {
  const planBtn = page.locator('[data-action="plan"]');
  await expect(planBtn).toBeEnabled();
  await planBtn.click();
  await expect(page.locator('.plan-panel')).toHaveAttribute('data-plan-state', 'done', { timeout: 120_000 });
  await page.locator('[data-action="accept-plan"]').click();
  await expect(page.locator('#app')).toHaveAttribute('data-screw-count', /^[1-9]/);
  await expect(page.getByTestId('report-export-pdf')).toBeEnabled({ timeout: 120_000 });
}

async function importFile(page: Page, name: string, text: string): Promise<void> {
  await page.getByTestId('report-import-input').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text, 'utf8') });
}

test('export: every number of the PDF against the report model recomputed from the plan JSON; pages rendered', async ({ page }) => {
  test.setTimeout(600_000);
  await page.goto('/?sample=none');
  await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
  await page.goto(`/?sample=${SAMPLE}&no3d=1`);
  await waitForAnatomy(page, 'axial');
  await waitSessionReady(page);
  await seedLesion(page);
  await planThroughPanel(page);

  // The sample did not come from a PACS: Send is disabled and says why.
  await expect(page.getByTestId('report-send')).toBeDisabled();
  await expect(page.getByTestId('report-send')).toHaveAttribute('title', /open the series from the PACS/);
  await page.getByTestId('report-operator').fill(OPERATOR);
  await page.getByTestId('report-paper').selectOption('A4');
  const pdfDownload = page.waitForEvent('download');
  await page.getByTestId('report-export-pdf').click();
  const pdf = await saveDownload(await pdfDownload, 'report.pdf');
  await expect(panel(page)).toHaveAttribute('data-report-state', 'exported');
  const jsonDownload = page.waitForEvent('download');
  await page.getByTestId('report-export-json').click();
  const jsonBytes = await saveDownload(await jsonDownload, 'plan.json');
  const json = new TextDecoder().decode(jsonBytes);
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'report-panel-exported');

  // ---- the plan file: valid for this series, and its hash is the PDF's -----------------------------
  const state = await planState(page);
  const open = await loadSampleInNode();
  const g = open.volume.geometry;
  const file = importPlanJson(json, { seriesInstanceUid: state.plan!.series.seriesInstanceUid, geometry: { dims: g.dims, spacingMm: g.spacingMm, originLps: g.originLps, direction: Array.from(g.direction) } });
  await expect(panel(page)).toHaveAttribute('data-report-hash', file.hashHex);
  expect(file.plan.screws.map((s) => s.id)).toEqual(state.plan!.screws.map((s) => s.id));
  expect(file.plan.screws.every((s) => s.skinEntryLps !== null)).toBe(true);

  // ---- the model recomputed in node from the plan file, the evaluations and the same DICOM -----------
  // The lesion as the page's session has it (the report prints its volume and diameters, and a
  // caution when the outline was drawn rather than seen).
  const lesion = await page.evaluate(() => {
    const l = (window as unknown as { __planner: { session: { getStatus(): { lesion: { volumeMl: number; status: 'ok' | 'conservative' | 'bridged' | 'leak'; diametersMm?: [number, number, number] | null } | null } } } }).__planner.session.getStatus().lesion;
    return l ? { volumeMl: l.volumeMl, diametersMm: l.diametersMm ?? null, status: l.status } : null;
  });
  expect(lesion, 'a lesion was seeded').not.toBeNull();
  const options = { ...reportOptionsFor(open.reference, { paper: 'A4', anonymous: false, operator: OPERATOR, maxTiltDeg: 30 }, { name: 'pelvic-screw-planner', version: SOFTWARE_VERSION }, '2026-01-01T00:00:00Z'), lesion: lesion! };
  const node = await buildReport(file.plan, state.evaluations, open.volume, options);
  expect(node.json.hashHex).toBe(file.hashHex);
  const model = node.model;
  const pages = await pdfPagesText(pdf);
  const all = pages.join(' ');
  const missing = expectedStrings(model).filter((e) => !all.includes(e.replace(/\s+/g, ' ')));
  expect(missing, 'figures of the model that the PDF does not print').toEqual([]);
  // Every page carries the plan's hash; the summary page the operator and the patient.
  for (const [n, text] of pages.entries()) expect(text, `page ${n + 1}`).toContain(file.hashHex);
  expect(pages[0]).toContain(OPERATOR);
  expect(pages[0]).toContain(`Lesion ${lesion!.volumeMl.toFixed(1)} ml`);
  expect(pages[0]).toContain(open.reference.patientId);
  // A summary page, then each screw's pages (steps and figures, then its images), in order.
  const screwPages = model.screws.map((s) => pages.filter((t) => t.startsWith(`Screw ${s.number} of ${model.screws.length}:`)));
  expect(screwPages.every((p) => p.length >= 1)).toBe(true);
  expect(pages.length).toBe(1 + screwPages.reduce((a, p) => a + p.length, 0));
  // Each screw's own numbers on its own pages: LPS of skin entry, bone entry and tip with slice, row and column in order.
  for (const s of model.screws) {
    const page = screwPages[s.number - 1]!.join(' ');
    for (const p of [s.skinEntry, s.boneEntry, s.tip]) {
      const lps = `(${p.lps.map((v) => v.toFixed(1)).join(', ')})`;
      expect(page).toMatch(new RegExp(`${lps.replace(/[().]/g, (c) => `\\${c}`)} ${p.sliceNumber}( \\(img \\d+\\))? ${p.row} ${p.column} `));
    }
  }
  console.log(`report: ${pages.length} pages, ${model.screws.length} screw(s): ${model.screws.map((s) => `${s.corridor} ${s.side ?? ''} tilt ${s.angles.craniocaudalDeg.toFixed(1)} in-plane ${s.angles.inPlaneDeg.toFixed(1)} skin-tip ${s.skinToTipMm.toFixed(1)} mm`).join('; ')}`);

  // ---- anonymous: the same plan (same hash), without the patient's name and ID --------------------
  await page.getByTestId('report-anonymous').check();
  const anonDownload = page.waitForEvent('download');
  await page.getByTestId('report-export-pdf').click();
  const anonPages = await pdfPagesText(await saveDownload(await anonDownload, 'report-anonymous.pdf'));
  const anonText = anonPages.join(' ');
  expect(anonText).toContain(file.hashHex);
  expect(anonText).not.toContain(open.reference.patientId);
  for (const part of open.reference.patientName.split('^').filter((p) => p.length > 2)) expect(anonText).not.toContain(part);
  expect(all).toContain(open.reference.patientName.split('^')[0]!);
  await page.getByTestId('report-anonymous').uncheck();

  // ---- render the pages for a human ----------------------------------------------------------------
  execFileSync('/usr/bin/pdftoppm', ['-r', '60', '-png', join(OUT, 'report.pdf'), join(OUT, 'page')]);
  expect(readdirSync(OUT).filter((f) => /^page-\d+\.png$/.test(f)).length).toBe(pages.length);
  exported = { json, pdf, hashHex: file.hashHex };
});

test('JSON round trip: reload with no plan, import: same plan, same hash; another series and a corrupted file are refused and the plan stays', async ({ page }) => {
  test.setTimeout(600_000);
  expect(exported, 'the export test ran first').not.toBeNull();
  const { json, hashHex } = exported!;
  await page.goto('/?sample=none');
  await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
  await page.goto(`/?sample=${SAMPLE}&no3d=1`);
  await waitForAnatomy(page, 'axial');
  await expect(page.locator('#app')).toHaveAttribute('data-plan-restore', 'none');
  await expect(page.locator('#app')).toHaveAttribute('data-screw-count', '0');
  await waitSessionReady(page);
  await seedLesion(page);

  await importFile(page, 'plan.json', json);
  await expect(panel(page)).toHaveAttribute('data-report-state', 'imported');
  await expect(panel(page)).toHaveAttribute('data-report-hash', hashHex);
  const file = JSON.parse(json) as PlanFile;
  let state = await planState(page);
  expect(state.plan).toEqual(file.plan);
  expect(computePlanHash(state.plan!)).toBe(hashHex);
  // Checked again on this page's segmentation, then exported again: the same hash.
  await expect(page.getByTestId('report-export-json')).toBeEnabled({ timeout: 120_000 });
  const again = page.waitForEvent('download');
  await page.getByTestId('report-export-json').click();
  const text2 = new TextDecoder().decode(await saveDownload(await again, 'plan-reexported.json'));
  expect((JSON.parse(text2) as PlanFile).hash.hex).toBe(hashHex);
  expect((JSON.parse(text2) as PlanFile).plan).toEqual(file.plan);

  // ---- refused files: the open plan stays ------------------------------------------------------------
  state = await planState(page);
  const before = { revision: state.revision, plan: state.plan };
  // Another series: a valid file (its hash recomputed) whose series UID is not the open one.
  const foreignPlan: PlanContent = { ...file.plan, series: { ...file.plan.series, seriesInstanceUid: '2.25.999999', description: 'Other pelvis' } };
  const foreign = JSON.stringify({ ...file, plan: foreignPlan, hash: { algorithm: 'SHA-256', hex: computePlanHash(foreignPlan) } }, null, 2);
  await importFile(page, 'other-series.json', foreign);
  await expect(panel(page)).toHaveAttribute('data-report-state', 'refused');
  await expect(page.getByTestId('report-status')).toHaveText(
    `other-series.json was not imported: the plan was made on series 2.25.999999 ("Other pelvis"), not on the open series ${file.plan.series.seriesInstanceUid}. The open plan is unchanged.`,
  );
  await expect(page.getByTestId('report-status')).toHaveAttribute('role', 'alert');
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'report-panel-refused-series');
  state = await planState(page);
  expect({ revision: state.revision, plan: state.plan }).toEqual(before);

  // Corrupted: one tip coordinate changed after saving (hash no longer matches).
  const corruptFile = JSON.parse(json) as PlanFile;
  corruptFile.plan.screws[0]!.tipLps[0] += 3;
  await importFile(page, 'corrupted.json', JSON.stringify(corruptFile, null, 2));
  await expect(page.getByTestId('report-status')).toContainText('corrupted.json was not imported: the plan file was corrupted or edited after it was saved');
  await expect(page.getByTestId('report-status')).toContainText('The open plan is unchanged.');
  // Truncated: not even JSON.
  await importFile(page, 'truncated.json', json.slice(0, json.length / 2));
  await expect(page.getByTestId('report-status')).toContainText('truncated.json was not imported: the file is not valid JSON');
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'report-panel-refused-corrupt');
  state = await planState(page);
  expect({ revision: state.revision, plan: state.plan }).toEqual(before);
  await expect(panel(page)).toHaveAttribute('data-report-hash', hashHex);
});

// ---- with the PACS ---------------------------------------------------------------------------------------

const USER = 'radiologist';
const PASSWORD = 'correct horse battery';
const PID_FILE = resolve(import.meta.dirname ?? '.', '../.cache/orthanc/e2e.pid');
let orthanc: RunningOrthanc | null = null;

test.afterAll(async () => {
  await orthanc?.stop();
});

/** /dicom-web on the app's origin goes to Orthanc (server side), as a reverse proxy would; nothing else leaves. */
async function proxyPacs(context: BrowserContext, appOrigin: string, target: RunningOrthanc): Promise<string[]> {
  const foreign: string[] = [];
  await context.route('**/*', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    if (`${url.protocol}//${url.host}` !== appOrigin) {
      foreign.push(request.url());
      await route.abort('blockedbyclient');
      return;
    }
    if (!url.pathname.startsWith('/dicom-web/')) {
      await route.continue();
      return;
    }
    const response = await route.fetch({ url: `${target.baseUrl}${url.pathname}${url.search}`, headers: request.headers() });
    await route.fulfill({ response });
  });
  return foreign;
}

test('send to PACS: the PDF and the screws (SEG) arrive in the study; WADO returns the PDF bytes identical', async ({ page, context, baseURL }) => {
  test.setTimeout(600_000);
  expect(exported, 'the export test ran first').not.toBeNull();
  await stopOrthancFromPidFile(PID_FILE);
  orthanc = await startOrthanc({ ...ORTHANC_PORTS.e2e, users: { [USER]: PASSWORD }, pidFile: PID_FILE });
  const files = sampleFiles();
  await uploadInstances(orthanc, files.map((f) => new Uint8Array(f.bytes)));
  const first = dicomParser.parseDicom(new Uint8Array(files[0]!.bytes));
  const patientId = first.string('x00100020')!;
  const studyUid = first.string('x0020000d')!;
  const seriesUid = first.string('x0020000e')!;
  const foreign = await proxyPacs(context, new URL(baseURL!).origin, orthanc);

  await page.goto('/?sample=none');
  await page.evaluate(() => new Promise<void>((res) => { const r = indexedDB.deleteDatabase('pelvic-screw-planner'); r.onsuccess = r.onerror = r.onblocked = () => res(); }));
  await page.goto('/?sample=none&no3d=1');
  await expect(page.locator('#app')).toHaveAttribute('data-state', 'idle');
  await page.getByTestId('pacs-toggle').click();
  await page.getByTestId('pacs-username').fill(USER);
  await page.getByTestId('pacs-password').fill(PASSWORD);
  await page.getByTestId('pacs-patient-id').fill(patientId);
  await page.getByTestId('pacs-search').click();
  await page.getByTestId('pacs-studies').locator('tbody tr').first().click();
  await page.getByTestId('pacs-series').locator(`tr[data-series-uid="${seriesUid}"]`).getByTestId('pacs-open-series').click();
  await expect(page.locator('.pacs-panel')).toHaveAttribute('data-pacs-state', 'opened', { timeout: 170_000 });
  await waitForAnatomy(page, 'axial');
  await waitSessionReady(page);
  await seedLesion(page);
  await expect(page.getByTestId('report-send')).toBeDisabled();

  await importFile(page, 'plan.json', exported!.json);
  await expect(panel(page)).toHaveAttribute('data-report-state', 'imported');
  await expect(page.getByTestId('report-send')).toBeEnabled({ timeout: 120_000 });
  const pdfDownload = page.waitForEvent('download');
  await page.getByTestId('report-export-pdf').click();
  const pdf = await saveDownload(await pdfDownload, 'report-pacs.pdf');
  await page.getByTestId('report-send').click();
  await expect(panel(page)).toHaveAttribute('data-report-state', 'sent', { timeout: 120_000 });
  await expect(page.getByTestId('report-status')).toHaveText('Stored in the study on the PACS: the report (Encapsulated PDF) and the screws (DICOM SEG, one segment per screw).');
  await panel(page).scrollIntoViewIfNeeded();
  await screenshot(page, 'report-panel-sent');
  const [pdfSeries, segSeries] = (await panel(page).getAttribute('data-report-sent-series'))!.split(' ');

  // QIDO (server side, with the credentials): the study now holds the CT, the PDF and the SEG.
  const auth = { Authorization: orthanc.authorization!, Accept: 'application/dicom+json' };
  const seriesList = (await (await fetch(`${orthanc.dicomWebUrl}/studies/${studyUid}/series`, { headers: auth })).json()) as Record<string, { Value?: string[] }>[];
  const bySeries = new Map(seriesList.map((s) => [s['0020000E']!.Value![0]!, s['00080060']!.Value![0]!]));
  expect(bySeries.get(seriesUid)).toBe('CT');
  expect(bySeries.get(pdfSeries!)).toBe('DOC');
  expect(bySeries.get(segSeries!)).toBe('SEG');
  // WADO-RS of the PDF instance: the encapsulated document is the exported PDF, byte for byte.
  const instances = (await (await fetch(`${orthanc.dicomWebUrl}/studies/${studyUid}/series/${pdfSeries}/instances`, { headers: auth })).json()) as Record<string, { Value?: string[] }>[];
  expect(instances).toHaveLength(1);
  const sop = instances[0]!['00080018']!.Value![0]!;
  const r = await fetch(`${orthanc.dicomWebUrl}/studies/${studyUid}/series/${pdfSeries}/instances/${sop}`, { headers: { Authorization: orthanc.authorization!, Accept: 'multipart/related; type="application/dicom"; transfer-syntax=*' } });
  const body = new Uint8Array(await r.arrayBuffer());
  const { parseMultipartRelated } = await import('../src/core/dicomweb/multipart');
  const part = parseMultipartRelated(body, r.headers.get('content-type')!)[0]!.body;
  const ds = dicomParser.parseDicom(part);
  const el = ds.elements['x00420011']!;
  const stored = part.subarray(el.dataOffset, el.dataOffset + ds.uint32('x00420015')!);
  expect(Buffer.from(stored).equals(Buffer.from(pdf))).toBe(true);
  writeFileSync(join(OUT, 'from-pacs.pdf'), stored);
  expect(foreign).toEqual([]);
});
