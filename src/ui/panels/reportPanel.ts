/**
 * Report panel (side panel): the trajectory report for the procedure room.
 *
 * - Paper (A4 / Letter), "leave the patient's name and ID out", the operator
 *   (printed as "Planned by") and the room's gantry limit.
 * - Export PDF and Export plan JSON: both from one `buildReport` of the plan
 *   in the store (core/report), so the PDF prints the hash of the JSON; no
 *   figure is read from the DOM.
 * - Import plan JSON: `importPlanJson` against the open series; a file for
 *   another series, or a damaged one, is refused with the reason and the open
 *   plan is not touched. An accepted file replaces the plan (one store reset;
 *   its screws are checked again).
 * - Send to PACS: the PDF as Encapsulated PDF and the screws as a SEG, by
 *   STOW-RS into the study the series came from. Enabled only when the open
 *   series was retrieved from the PACS (PACS panel); otherwise it says why.
 *
 * Export waits for every screw's check: a pending screw has no figures to print.
 *
 * Test hooks on the section: `data-report-state` = idle | building | exported |
 * imported | refused | sending | sent | error; `data-report-hash` = SHA-256 of the
 * last plan exported, imported or sent; `data-report-sent-series` = "pdfSeriesUid segSeriesUid".
 */
import './reportPanel.css';
import { version as SOFTWARE_VERSION } from '../../../package.json';
import type { SeriesReference } from '../../core/dicom/types';
import type { DicomWebClient } from '../../core/dicomweb';
import { buildReport, type BuildReportOptions, type BuiltReport } from '../../core/report/buildReport';
import type { PaperSize } from '../../core/report/toPdf';
import { writeEncapsulatedPdf, writeScrewSeg, type DicomStudyIdentity } from '../../core/report/toDicom';
import { importPlanJson } from '../../core/report/toJson';
import { errorCodeOf } from '../../core/shared/errors';
import type { Volume } from '../../core/volume/Volume';
import type { VoxelArray } from '../../core/volume/voxelBuffer';
import type { PlanStore } from '../plan/PlanStore';
import { browserDownload, h } from '../dom';
import { reportOptionsFor } from '../report/reportOptions';
import type { ReportLesionInput } from '../../core/report/ReportModel';

export const SOFTWARE = { name: 'pelvic-screw-planner', version: SOFTWARE_VERSION } as const;

/** The series on screen, as the report needs it. */
export type ReportSeries = {
  seriesUid: string;
  volume: Volume<VoxelArray>;
  /** Study/patient attributes and source images (absent for synthetic data). */
  reference: SeriesReference | null;
};

export type ReportPanelDeps = {
  store: PlanStore;
  getSeries(): ReportSeries | null;
  /** Where the open series came from, if from a PACS, and a client with the PACS panel's settings. */
  pacs: { lastOpened(): { studyUid: string; seriesUid: string } | null; createClient(): DicomWebClient } | null;
  /** Saves bytes as a file (default: a download through an object URL). */
  download?(fileName: string, bytes: Uint8Array, mimeType: string): void;
  /** ISO 8601 now (tests). */
  now?(): string;
  /** Remembers paper, anonymous, operator and gantry limit (never patient data). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** The lesion as the planning session has it now (printed with a caution when its outline was drawn, not seen); null: none. */
  getLesion?(): ReportLesionInput | null;
  /** Cautions about the segmentation as the session has it now (e.g. the sacrum's labels look incomplete); printed on the summary page. */
  getSegmentationCautions?(): string[];
};

export type ReportPanel = {
  element: HTMLElement;
  /** The series changed or the plan's checks moved on: re-evaluates what is enabled. */
  refresh(): void;
  dispose(): void;
};

type PanelState = 'idle' | 'building' | 'exported' | 'imported' | 'refused' | 'sending' | 'sent' | 'error';

const STORAGE_KEY = 'planner.report.settings';

function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw.replace(/^\[[a-z]+(?:\/[a-z-]+)?\]\s*/, '');
}

export function createReportPanel(container: HTMLElement, deps: ReportPanelDeps): ReportPanel {
  const { store } = deps;
  const download = deps.download ?? browserDownload;
  const now = deps.now ?? (() => new Date().toISOString());
  const stored = readStored(deps.storage ?? null);

  const paper = h('select', { attrs: { 'data-testid': 'report-paper', 'aria-label': 'Paper size' } });
  paper.append(h('option', { text: 'A4', attrs: { value: 'A4' } }), h('option', { text: 'Letter', attrs: { value: 'Letter' } }));
  paper.value = stored.paper === 'Letter' ? 'Letter' : 'A4';
  const anonymous = h('input', { attrs: { type: 'checkbox', 'data-testid': 'report-anonymous' } });
  anonymous.checked = stored.anonymous === true;
  const operator = h('input', { attrs: { type: 'text', 'data-testid': 'report-operator', placeholder: 'Your name', autocomplete: 'name', spellcheck: 'false' } });
  operator.value = stored.operator ?? '';
  const maxTilt = h('input', { attrs: { type: 'number', min: '0', max: '45', step: '1', 'data-testid': 'report-max-tilt' } });
  maxTilt.value = String(stored.maxTiltDeg ?? 30);

  const exportPdf = h('button', { class: 'btn btn-primary', text: 'Export PDF', attrs: { type: 'button', 'data-testid': 'report-export-pdf' } });
  const exportJson = h('button', { class: 'btn', text: 'Export plan JSON', attrs: { type: 'button', 'data-testid': 'report-export-json' } });
  const importInput = h('input', { attrs: { type: 'file', accept: '.json,application/json', hidden: '', 'data-testid': 'report-import-input' } });
  const importBtn = h('button', { class: 'btn', text: 'Import plan JSON…', attrs: { type: 'button', 'data-testid': 'report-import' } });
  const sendBtn = h('button', { class: 'btn', text: 'Send to PACS', attrs: { type: 'button', 'data-testid': 'report-send' } });
  const hint = h('div', { class: 'report-hint', attrs: { 'data-testid': 'report-hint' } });
  const statusText = h('div', { class: 'report-status', attrs: { 'data-testid': 'report-status', role: 'status', 'aria-live': 'polite' } });
  const hashLine = h('div', { class: 'report-hash', attrs: { 'data-testid': 'report-hash' } });

  const row = (label: string, control: HTMLElement, title?: string): HTMLElement =>
    h('label', { class: 'report-field', ...(title ? { title } : {}) }, h('span', { text: label }), control);
  const element = h(
    'section',
    { class: 'report-panel', attrs: { 'aria-label': 'Report', 'data-report-state': 'idle', 'data-report-hash': '' } },
    h('h2', { class: 'panel-title', text: 'Report' }),
    row('Paper', paper),
    h('label', { class: 'report-field report-check' }, anonymous, h('span', { text: "Leave the patient's name and ID out" })),
    row('Planned by', operator, 'Printed on the report as the planning physician'),
    row('Room gantry limit (°)', maxTilt, 'Largest gantry tilt of the CT in the procedure room; beyond it the report gives the untilted slices instead'),
    h('div', { class: 'report-actions' }, exportPdf, exportJson),
    h('div', { class: 'report-actions' }, importBtn, importInput, sendBtn),
    hint,
    statusText,
    hashLine,
  );
  container.append(element);

  let busy = false;
  let disposed = false;
  let cache: { key: string; evaluations: string; built: BuiltReport } | null = null;

  const setState = (state: PanelState): void => element.setAttribute('data-report-state', state);
  const say = (text: string, tone: 'info' | 'error' = 'info'): void => {
    statusText.textContent = text;
    statusText.setAttribute('data-tone', tone);
    statusText.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  };
  const showHash = (hashHex: string, what: string): void => {
    element.setAttribute('data-report-hash', hashHex);
    hashLine.textContent = `${what} SHA-256 ${hashHex.slice(0, 16)}… (printed on every page; match it with the file)`;
    hashLine.title = hashHex;
  };
  const persist = (): void => {
    deps.storage?.setItem(STORAGE_KEY, JSON.stringify({ paper: paper.value, anonymous: anonymous.checked, operator: operator.value, maxTiltDeg: Number(maxTilt.value) }));
  };

  /** Why export cannot run now, or null. */
  const exportBlocker = (): string | null => {
    const series = deps.getSeries();
    const plan = store.get().plan;
    if (!series || !plan) return 'Open a series and plan screws to make a report.';
    if (plan.series.seriesInstanceUid !== series.seriesUid) return 'The plan belongs to another series than the one on screen.';
    if (plan.screws.length === 0) return 'No screw in the plan yet: plan or place a screw first.';
    const pending = plan.screws.filter((s) => store.statusOf(s.id) === 'pending');
    if (pending.length > 0) return `Waiting for the check of ${pending.length} screw${pending.length === 1 ? '' : 's'}: the report prints each screw's check results.`;
    return null;
  };
  const sendBlocker = (): string | null => {
    const series = deps.getSeries();
    const opened = deps.pacs?.lastOpened() ?? null;
    if (!deps.pacs) return 'No PACS is configured.';
    if (!series || !opened || opened.seriesUid !== series.seriesUid) return 'Send to PACS: open the series from the PACS (PACS panel) to send the report back to its study.';
    if (!series.reference) return 'Send to PACS: the series has no DICOM identity to join its study.';
    return null;
  };

  const refresh = (): void => {
    if (disposed) return;
    const blocked = exportBlocker();
    const sendBlocked = blocked ?? sendBlocker();
    exportPdf.disabled = busy || blocked !== null;
    exportJson.disabled = busy || blocked !== null;
    importBtn.disabled = busy || deps.getSeries() === null || store.get().plan === null;
    sendBtn.disabled = busy || sendBlocked !== null;
    sendBtn.title = sendBlocked ?? 'Stores the PDF (Encapsulated PDF) and the screws (DICOM SEG) in the study on the PACS';
    const hintText = blocked ?? (sendBlocked ? 'Send to PACS is for a series opened from the PACS (PACS panel): the report goes back to its study.' : '');
    if (hint.textContent !== hintText) hint.textContent = hintText;
    if (hint.hidden !== (hintText === '')) hint.hidden = hintText === '';
  };

  const reportOptions = (): BuildReportOptions => {
    const lesion = deps.getLesion?.() ?? null;
    const segmentationCautions = deps.getSegmentationCautions?.() ?? [];
    return {
      ...reportOptionsFor(
        deps.getSeries()?.reference ?? null,
        { paper: (paper.value === 'Letter' ? 'Letter' : 'A4') as PaperSize, anonymous: anonymous.checked, operator: operator.value, maxTiltDeg: Number(maxTilt.value) },
        SOFTWARE,
        now(),
      ),
      ...(lesion && lesion.volumeMl > 0 ? { lesion } : {}),
      ...(segmentationCautions.length > 0 ? { segmentationCautions } : {}),
    };
  };

  /** One build per plan revision and settings; export PDF, export JSON and send share it. */
  const build = async (): Promise<BuiltReport> => {
    const series = deps.getSeries()!;
    const state = store.get();
    const options = reportOptions();
    const key = JSON.stringify([series.seriesUid, state.revision, { ...options, generatedAtIso: '' }]);
    // Compared by content: a re-run of the checks that gives the same figures (new fields after a
    // lesion edit, a session restart) must not make the PDF sent to the PACS differ from the one
    // exported a moment before (its generation time would change, nothing else).
    const evaluationsJson = JSON.stringify(state.evaluations);
    if (cache && cache.key === key && cache.evaluations === evaluationsJson) return cache.built;
    const built = await buildReport(state.plan!, state.evaluations, series.volume, options);
    cache = { key, evaluations: evaluationsJson, built };
    return built;
  };

  const run = async (label: string, action: () => Promise<void>): Promise<void> => {
    if (busy) return;
    busy = true;
    refresh();
    setState('building');
    say(label);
    try {
      await action();
    } catch (error) {
      if (!disposed) {
        setState('error');
        say(messageOf(error), 'error');
      }
    } finally {
      busy = false;
      refresh();
    }
  };

  const fileStem = (built: BuiltReport): string => `screw-plan-${built.json.hashHex.slice(0, 12)}`;

  const onExportPdf = (): void => {
    persist();
    void run('Making the report…', async () => {
      const built = await build();
      download(`${fileStem(built)}.pdf`, built.pdfBytes, 'application/pdf');
      showHash(built.json.hashHex, 'Plan');
      setState('exported');
      say(`Report exported (${built.model.screws.length} screw${built.model.screws.length === 1 ? '' : 's'}, ${paper.value}${anonymous.checked ? ', without patient name and ID' : ''}).`);
    });
  };
  const onExportJson = (): void => {
    persist();
    void run('Writing the plan file…', async () => {
      const built = await build();
      download(`${fileStem(built)}.json`, new TextEncoder().encode(built.json.text), 'application/json');
      showHash(built.json.hashHex, 'Plan');
      setState('exported');
      say('Plan file exported; its hash is the one printed on the report.');
    });
  };

  const onImportFile = (): void => {
    const file = importInput.files?.[0];
    importInput.value = '';
    if (!file) return;
    void run(`Reading ${file.name}…`, async () => {
      const text = await file.text();
      const series = deps.getSeries();
      if (!series) throw new Error('No series is open: open the planning series first, then import its plan.');
      const g = series.volume.geometry;
      let imported: ReturnType<typeof importPlanJson>;
      try {
        imported = importPlanJson(text, { seriesInstanceUid: series.seriesUid, geometry: { dims: g.dims, spacingMm: g.spacingMm, originLps: g.originLps, direction: Array.from(g.direction) } });
      } catch (error) {
        const code = errorCodeOf(error);
        if (code === 'plan/invalid-file' || code === 'plan/wrong-series') {
          setState('refused');
          say(`${file.name} was not imported: ${messageOf(error)}. The open plan is unchanged.`, 'error');
          return;
        }
        throw error;
      }
      store.reset(imported.plan);
      cache = null;
      showHash(imported.hashHex, 'Imported plan');
      setState('imported');
      const n = imported.plan.screws.length;
      say(`Imported ${file.name}: ${n} screw${n === 1 ? '' : 's'}, saved ${imported.file.savedAtIso} by ${imported.file.software.name} ${imported.file.software.version}. The screws are checked again on this segmentation.`);
    });
  };

  const onSend = (): void => {
    persist();
    const series = deps.getSeries();
    const opened = deps.pacs?.lastOpened();
    if (!series?.reference || !opened || !deps.pacs) return;
    const pacs = deps.pacs;
    const ref = series.reference;
    void run('Making the report for the PACS…', async () => {
      const built = await build();
      const client = pacs.createClient();
      const study: DicomStudyIdentity = {
        studyInstanceUid: opened.studyUid,
        patientName: ref.patientName,
        patientId: ref.patientId,
        patientBirthDate: ref.patientBirthDate,
        patientSex: ref.patientSex,
        studyDate: ref.studyDate,
        studyTime: ref.studyTime,
        studyId: ref.studyId,
        accessionNumber: ref.accessionNumber,
        referringPhysicianName: ref.referringPhysicianName,
        studyDescription: ref.studyDescription,
      };
      const createdAtIso = built.model.generatedAtIso;
      const pdf = writeEncapsulatedPdf(built.pdfBytes, {
        study, software: { ...SOFTWARE }, createdAtIso,
        documentTitle: `Screw trajectory report, plan ${built.json.hashHex.slice(0, 12)}`,
        containsIdentity: !built.model.anonymous,
        sourceInstances: ref.slices,
      });
      const seg = writeScrewSeg(built.plan, {
        study, software: { ...SOFTWARE }, createdAtIso,
        seriesDescription: `Planned screws, plan ${built.json.hashHex.slice(0, 12)}`,
        referencedSlices: ref.slices.map((s) => ({ sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, frameNumber: s.frameNumber })),
      });
      setState('sending');
      say('Sending the report and the screws to the PACS…');
      await client.storeInstances(opened.studyUid, [pdf.bytes, seg.bytes], { what: 'the report and the screws' });
      showHash(built.json.hashHex, 'Sent plan');
      element.setAttribute('data-report-sent-series', `${pdf.seriesInstanceUid} ${seg.seriesInstanceUid}`);
      setState('sent');
      say('Stored in the study on the PACS: the report (Encapsulated PDF) and the screws (DICOM SEG, one segment per screw).');
    });
  };

  const onImportClick = (): void => importInput.click();
  exportPdf.addEventListener('click', onExportPdf);
  exportJson.addEventListener('click', onExportJson);
  importBtn.addEventListener('click', onImportClick);
  importInput.addEventListener('change', onImportFile);
  sendBtn.addEventListener('click', onSend);
  for (const c of [paper, anonymous, operator, maxTilt]) c.addEventListener('change', persist);
  // The plan store changes twice per pointer move of a screw drag (the move, then its live check): the
  // buttons and the hint follow at most once per animation frame, so the 'pending' that lasts from a move
  // to its check (under a frame) is not written to them and taken back each time (issue #6).
  let refreshFrame = 0;
  const refreshSoon = (): void => {
    refreshFrame ||= requestAnimationFrame(() => {
      refreshFrame = 0;
      refresh();
    });
  };
  const unsubscribe = store.subscribe(refreshSoon);
  refresh();

  return {
    element,
    refresh,
    dispose() {
      disposed = true;
      unsubscribe();
      if (refreshFrame) cancelAnimationFrame(refreshFrame);
      exportPdf.removeEventListener('click', onExportPdf);
      exportJson.removeEventListener('click', onExportJson);
      importBtn.removeEventListener('click', onImportClick);
      importInput.removeEventListener('change', onImportFile);
      sendBtn.removeEventListener('click', onSend);
      element.remove();
    },
  };
}

function readStored(storage: Pick<Storage, 'getItem'> | null): { paper?: string; anonymous?: boolean; operator?: string; maxTiltDeg?: number } {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return {};
    const v = JSON.parse(raw) as Record<string, unknown>;
    return {
      ...(typeof v['paper'] === 'string' ? { paper: v['paper'] } : {}),
      ...(typeof v['anonymous'] === 'boolean' ? { anonymous: v['anonymous'] } : {}),
      ...(typeof v['operator'] === 'string' ? { operator: v['operator'] } : {}),
      ...(typeof v['maxTiltDeg'] === 'number' && Number.isFinite(v['maxTiltDeg']) ? { maxTiltDeg: v['maxTiltDeg'] } : {}),
    };
  } catch {
    return {};
  }
}
