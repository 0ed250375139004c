/**
 * Study browser for a DICOMweb PACS: server settings (address, user name,
 * password, transfer), a QIDO-RS search by patient ID, name, study date and
 * accession number, the studies found, the series of the chosen study (with
 * modality, description and slice count), and opening a series: WADO-RS
 * retrieval with progress, cancel, and on failure a message and a Retry button.
 * A series is handed to `openSeries` only when every slice arrived (the client
 * refuses partial series), so the same loading path as local files takes it.
 *
 * Self-contained: mounts into `container`, owns its DOM and listeners, and
 * `dispose()` removes them and cancels a retrieval in flight. Every text from
 * the PACS goes into the DOM as textContent, never as HTML. The password is
 * never stored; the address, user name and transfer are kept in
 * sessionStorage when `storage` is given.
 *
 * Exposes `data-pacs-state` on its root for tests:
 * idle | searching | studies | series | retrieving | opening | opened | error.
 */
import './pacsPanel.css';
import { errorCodeOf } from '../../core/shared/errors';
import { formatPersonName, type DicomWebClient, type SeriesListing, type StudySummary } from '../../core/dicomweb';
import { createBrowserDicomWebClient, type PacsSettings } from '../../compute/dicomwebClient';
import type { NamedFile } from '../loading/DicomSource';
import { h } from '../dom';

export type PacsPanelDeps = {
  /** Opens complete series files through the app's loading flow (e.g. loadController.loadFiles). */
  openSeries(files: NamedFile[], label: string): Promise<void>;
  /** DICOMweb address shown at first (e.g. '/dicom-web' when the app's server proxies the PACS). */
  defaultUrl?: string;
  /** Where to remember address, user name and transfer (never the password). */
  storage?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** Replaces the client factory (tests). */
  createClient?: (settings: PacsSettings) => DicomWebClient;
  /** Start expanded. Default false. */
  open?: boolean;
};

export type PacsPanel = {
  element: HTMLElement;
  /** The study and series last retrieved whole from the PACS (null before); the report goes back there. */
  lastOpened(): { studyUid: string; seriesUid: string } | null;
  /** A client with the panel's current settings (address, user, password as typed). Throws `pacs/bad-request` for an unusable address. */
  createClient(): DicomWebClient;
  dispose(): void;
};

type PanelState = 'idle' | 'searching' | 'studies' | 'series' | 'retrieving' | 'opening' | 'opened' | 'error';

const STORAGE_KEY = 'planner.pacs.settings';

function formatDate(d: string): string {
  return /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}` : d;
}

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', { class: 'pacs-field' }, h('span', { text: label }), input);
}

function input(type: string, testId: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return h('input', { attrs: { type, 'data-testid': testId, spellcheck: 'false', ...attrs } });
}

/** User-facing text of an error from the client: the message without its [code]. */
function messageOf(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  return raw.replace(/^\[[a-z]+(?:\/[a-z-]+)?\]\s*/, '');
}

export function createPacsPanel(container: HTMLElement, deps: PacsPanelDeps): PacsPanel {
  const stored = readStored(deps.storage ?? null);

  // --- settings --------------------------------------------------------------
  const url = input('text', 'pacs-url', { placeholder: 'https://pacs.example.org/dicom-web', autocomplete: 'url' });
  url.value = stored.url ?? deps.defaultUrl ?? '';
  const username = input('text', 'pacs-username', { autocomplete: 'username' });
  username.value = stored.username ?? '';
  const password = input('password', 'pacs-password', { autocomplete: 'current-password' });
  const transfer = h('select', { attrs: { 'data-testid': 'pacs-transfer' } });
  transfer.append(
    h('option', { text: 'as stored (decode here)', attrs: { value: 'as-stored' } }),
    h('option', { text: 'uncompressed (server decodes)', attrs: { value: 'uncompressed' } }),
  );
  transfer.value = stored.transfer === 'uncompressed' ? 'uncompressed' : 'as-stored';
  const settings = h(
    'fieldset',
    { class: 'pacs-settings' },
    h('legend', { text: 'Server' }),
    field('DICOMweb address', url),
    h('div', { class: 'pacs-row' }, field('User', username), field('Password', password)),
    field('Transfer', transfer),
  );

  // --- search ----------------------------------------------------------------
  const patientId = input('text', 'pacs-patient-id');
  const patientName = input('text', 'pacs-patient-name', { placeholder: 'DOE^JANE or prefix' });
  const dateFrom = input('date', 'pacs-date-from');
  const dateTo = input('date', 'pacs-date-to');
  const accession = input('text', 'pacs-accession');
  const searchButton = h('button', { class: 'btn btn-primary', text: 'Search', attrs: { type: 'submit', 'data-testid': 'pacs-search' } });
  const form = h(
    'form',
    { class: 'pacs-search' },
    h('div', { class: 'pacs-row' }, field('Patient ID', patientId), field('Patient name', patientName)),
    h('div', { class: 'pacs-row' }, field('Study date from', dateFrom), field('to', dateTo)),
    h('div', { class: 'pacs-row' }, field('Accession number', accession), searchButton),
  );

  // --- results and status ------------------------------------------------------
  const studiesBody = h('tbody');
  const studiesTable = h(
    'table',
    { class: 'pacs-table', attrs: { 'data-testid': 'pacs-studies', hidden: '' } },
    h('thead', {}, h('tr', {}, ...['Patient', 'ID', 'Date', 'Accession', 'Description', 'Modalities', 'Series'].map((t) => h('th', { text: t })))),
    studiesBody,
  );
  const seriesBody = h('tbody');
  const seriesTitle = h('div', { class: 'pacs-series-title' });
  const seriesTable = h(
    'table',
    { class: 'pacs-table', attrs: { 'data-testid': 'pacs-series' } },
    h('thead', {}, h('tr', {}, ...['#', 'Modality', 'Description', 'Slices', ''].map((t) => h('th', { text: t })))),
    seriesBody,
  );
  const seriesBox = h('div', { class: 'pacs-series-box', attrs: { hidden: '' } }, seriesTitle, seriesTable);
  const statusText = h('span', { class: 'pacs-status-text', attrs: { 'data-testid': 'pacs-status' } });
  const progress = h('progress', { attrs: { max: '1', value: '0', hidden: '', 'data-testid': 'pacs-progress' } });
  const cancelButton = h('button', { class: 'btn', text: 'Cancel', attrs: { type: 'button', hidden: '', 'data-testid': 'pacs-cancel' } });
  const retryButton = h('button', { class: 'btn btn-primary', text: 'Retry', attrs: { type: 'button', hidden: '', 'data-testid': 'pacs-retry' } });
  const status = h('div', { class: 'pacs-status', attrs: { role: 'status', 'aria-live': 'polite' } }, statusText, progress, cancelButton, retryButton);

  const body = h('div', { class: 'pacs-body' }, settings, form, status, studiesTable, seriesBox);
  const summary = h('summary', { class: 'btn', text: 'PACS', attrs: { 'data-testid': 'pacs-toggle' } });
  const root = h('details', { class: 'pacs-panel', attrs: { 'data-pacs-state': 'idle' } }, summary, body);
  if (deps.open) root.open = true;
  container.append(root);

  // --- behaviour -----------------------------------------------------------------
  let controller: AbortController | null = null;
  let retry: (() => void) | null = null;
  let opened: { studyUid: string; seriesUid: string } | null = null;
  let disposed = false;
  /** Bumped per action; answers of an older action are dropped. */
  let generation = 0;

  const setState = (state: PanelState): void => {
    root.setAttribute('data-pacs-state', state);
  };
  const say = (text: string, tone: 'info' | 'error' = 'info'): void => {
    statusText.textContent = text;
    status.setAttribute('data-tone', tone);
    status.setAttribute('role', tone === 'error' ? 'alert' : 'status');
  };
  const setBusy = (busy: boolean): void => {
    searchButton.disabled = busy;
    for (const b of seriesBody.querySelectorAll('button')) b.disabled = busy;
    cancelButton.hidden = !busy;
  };
  const fail = (error: unknown, again: (() => void) | null): void => {
    setBusy(false);
    progress.hidden = true;
    const code = errorCodeOf(error);
    say(code === 'pacs/cancelled' ? 'Cancelled. Nothing was loaded.' : messageOf(error), code === 'pacs/cancelled' ? 'info' : 'error');
    retry = again;
    retryButton.hidden = again === null;
    setState(code === 'pacs/cancelled' ? 'idle' : 'error');
  };

  const currentSettings = (): PacsSettings => ({
    url: url.value,
    username: username.value,
    password: password.value,
    transfer: transfer.value === 'uncompressed' ? 'uncompressed' : 'as-stored',
  });
  const makeClient = (): DicomWebClient => {
    const s = currentSettings();
    deps.storage?.setItem(STORAGE_KEY, JSON.stringify({ url: s.url, username: s.username, transfer: s.transfer }));
    return (deps.createClient ?? ((x: PacsSettings) => createBrowserDicomWebClient(x)))(s);
  };

  const begin = (): { mine: number; signal: AbortSignal } => {
    controller?.abort();
    controller = new AbortController();
    retry = null;
    retryButton.hidden = true;
    return { mine: ++generation, signal: controller.signal };
  };
  const stale = (mine: number): boolean => disposed || mine !== generation;

  async function search(): Promise<void> {
    const { mine, signal } = begin();
    setState('searching');
    setBusy(true);
    say('Searching the PACS…');
    seriesBox.hidden = true;
    try {
      const client = makeClient();
      const studies = await client.searchStudies(
        { patientId: patientId.value, patientName: patientName.value, studyDateFrom: dateFrom.value, studyDateTo: dateTo.value, accessionNumber: accession.value },
        { signal },
      );
      if (stale(mine)) return;
      setBusy(false);
      showStudies(client, studies);
      say(studies.length === 0 ? 'No study matches this search.' : `${studies.length} ${studies.length === 1 ? 'study' : 'studies'} found. Choose one to list its series.`);
      setState('studies');
    } catch (error) {
      if (!stale(mine)) fail(error, () => void search());
    }
  }

  function showStudies(client: DicomWebClient, studies: StudySummary[]): void {
    studiesBody.replaceChildren(
      ...studies.map((s) => {
        const row = h(
          'tr',
          { attrs: { 'data-study-uid': s.studyUid, tabindex: '0' } },
          h('td', { text: formatPersonName(s.patientName) }),
          h('td', { text: s.patientId }),
          h('td', { text: formatDate(s.studyDate) }),
          h('td', { text: s.accessionNumber }),
          h('td', { text: s.description }),
          h('td', { text: s.modalities.join(', ') }),
          h('td', { text: s.seriesCount === undefined ? '' : String(s.seriesCount) }),
        );
        const choose = (): void => {
          for (const r of studiesBody.children) r.removeAttribute('aria-selected');
          row.setAttribute('aria-selected', 'true');
          void listSeries(client, s);
        };
        row.addEventListener('click', choose);
        row.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') choose();
        });
        return row;
      }),
    );
    studiesTable.hidden = studies.length === 0;
  }

  async function listSeries(client: DicomWebClient, study: StudySummary): Promise<void> {
    const { mine, signal } = begin();
    setState('searching');
    setBusy(true);
    say('Listing the series…');
    try {
      const list = await client.searchSeries(study.studyUid, { signal });
      if (stale(mine)) return;
      setBusy(false);
      seriesTitle.textContent = `${formatPersonName(study.patientName)} · ${study.patientId} · ${formatDate(study.studyDate)} ${study.description}`;
      seriesBody.replaceChildren(...list.map((s) => seriesRow(client, study, s)));
      seriesBox.hidden = false;
      say(list.length === 0 ? 'This study has no series.' : `${list.length} series. Open a CT series to load it.`);
      setState('series');
    } catch (error) {
      if (!stale(mine)) fail(error, () => void listSeries(client, study));
    }
  }

  function seriesRow(client: DicomWebClient, study: StudySummary, s: SeriesListing): HTMLTableRowElement {
    const open = h('button', { class: 'btn', text: 'Open', attrs: { type: 'button', 'data-testid': 'pacs-open-series' } });
    open.addEventListener('click', () => void retrieve(client, study, s));
    const isCt = s.modality === 'CT';
    return h(
      'tr',
      { attrs: { 'data-series-uid': s.seriesUid, 'data-modality': s.modality } },
      h('td', { text: s.seriesNumber === undefined ? '' : String(s.seriesNumber) }),
      h('td', { text: s.modality, title: isCt ? '' : 'Not a CT series: the planner will refuse it' }),
      h('td', { text: s.description }),
      h('td', { text: s.instanceCount === undefined ? '' : String(s.instanceCount) }),
      h('td', {}, open),
    );
  }

  async function retrieve(client: DicomWebClient, study: StudySummary, s: SeriesListing): Promise<void> {
    const { mine, signal } = begin();
    setState('retrieving');
    setBusy(true);
    progress.hidden = false;
    progress.value = 0;
    const label = `PACS ${s.description || s.seriesUid}`;
    say(`Retrieving ${s.description || 'series'}…`);
    try {
      const series = await client.retrieveSeries(study.studyUid, s.seriesUid, {
        signal,
        onProgress: (p) => {
          if (stale(mine)) return;
          progress.max = p.total;
          progress.value = p.done;
          say(`Retrieving ${s.description || 'series'}: ${p.done} of ${p.total} slices, ${(p.bytes / 1048576).toFixed(1)} MB${p.retries > 0 ? `, ${p.retries} retried` : ''}`);
        },
      });
      if (stale(mine)) return;
      setBusy(false);
      cancelButton.hidden = true;
      progress.hidden = true;
      setState('opening');
      say(`All ${series.files.length} slices arrived. Opening…`);
      opened = { studyUid: study.studyUid, seriesUid: s.seriesUid };
      await deps.openSeries(series.files, label);
      if (stale(mine)) return;
      say(`Opened ${s.description || 'series'} (${series.files.length} slices) from the PACS.`);
      setState('opened');
      // Out of the way of the images; the status stays readable when reopened.
      root.open = false;
    } catch (error) {
      if (!stale(mine)) fail(error, () => void retrieve(client, study, s));
    }
  }

  const onSubmit = (e: Event): void => {
    e.preventDefault();
    void search();
  };
  const onCancel = (): void => controller?.abort();
  const onRetry = (): void => retry?.();
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape' && root.open) {
      root.open = false;
      summary.focus();
    }
  };
  root.addEventListener('keydown', onKey);
  form.addEventListener('submit', onSubmit);
  cancelButton.addEventListener('click', onCancel);
  retryButton.addEventListener('click', onRetry);

  return {
    element: root,
    lastOpened: () => opened,
    createClient: makeClient,
    dispose() {
      disposed = true;
      controller?.abort();
      form.removeEventListener('submit', onSubmit);
      cancelButton.removeEventListener('click', onCancel);
      retryButton.removeEventListener('click', onRetry);
      root.removeEventListener('keydown', onKey);
      root.remove();
    },
  };
}

function readStored(storage: Pick<Storage, 'getItem'> | null): { url?: string; username?: string; transfer?: string } {
  try {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return {};
    const v = JSON.parse(raw) as Record<string, unknown>;
    const pick = (k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
    const out: { url?: string; username?: string; transfer?: string } = {};
    const u = pick('url');
    const n = pick('username');
    const t = pick('transfer');
    if (u !== undefined) out.url = u;
    if (n !== undefined) out.username = n;
    if (t !== undefined) out.transfer = t;
    return out;
  } catch {
    return {};
  }
}
