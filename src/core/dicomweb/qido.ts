/**
 * QIDO-RS (PS3.18 §10.6): building search URLs and reading the DICOM JSON
 * model answers (PS3.18 Annex F.2) into plain summaries for the study browser.
 *
 * Answers come from a server we do not control: every value is checked for
 * type, and a malformed answer becomes a `pacs/bad-response` PlannerError,
 * never an exception from deep inside the parser.
 */
import { PlannerError } from '../shared/errors';

/** Search fields of the study browser. All optional; empty strings are ignored. */
export type StudyQuery = {
  /** Exact Patient ID (0010,0020), or with `*` / `?` wildcards. */
  patientId?: string;
  /** Patient name (0010,0010): a prefix match is made by adding `*` unless wildcards are present. */
  patientName?: string;
  /** First study date, YYYYMMDD or YYYY-MM-DD (as an `<input type=date>` gives it). */
  studyDateFrom?: string;
  /** Last study date, YYYYMMDD or YYYY-MM-DD. */
  studyDateTo?: string;
  /** Accession number (0008,0050). */
  accessionNumber?: string;
  /** Most studies to return (QIDO `limit`); default 100. */
  limit?: number;
};

export type StudySummary = {
  studyUid: string;
  /** As stored, components separated by ^ (Alphabetic group). */
  patientName: string;
  patientId: string;
  /** YYYYMMDD or '' */
  patientBirthDate: string;
  /** YYYYMMDD or '' */
  studyDate: string;
  accessionNumber: string;
  description: string;
  modalities: string[];
  /** undefined when the server does not report it. */
  seriesCount: number | undefined;
  instanceCount: number | undefined;
};

export type SeriesListing = {
  studyUid: string;
  seriesUid: string;
  modality: string;
  description: string;
  seriesNumber: number | undefined;
  /** Slices (instances) in the series, when the server reports it. */
  instanceCount: number | undefined;
};

export type InstanceRef = {
  studyUid: string;
  seriesUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  instanceNumber: number | undefined;
};

/** DICOM JSON tags (8 upper-case hex digits). */
export const TAG = {
  specificCharacterSet: '00080005',
  studyDate: '00080020',
  accessionNumber: '00080050',
  modalitiesInStudy: '00080061',
  modality: '00080060',
  sopClassUid: '00080016',
  sopInstanceUid: '00080018',
  studyDescription: '00081030',
  seriesDescription: '0008103E',
  patientName: '00100010',
  patientId: '00100020',
  patientBirthDate: '00100030',
  studyInstanceUid: '0020000D',
  seriesInstanceUid: '0020000E',
  seriesNumber: '00200011',
  instanceNumber: '00200013',
  numberOfStudyRelatedSeries: '00201206',
  numberOfStudyRelatedInstances: '00201208',
  numberOfSeriesRelatedInstances: '00201209',
} as const;

const UID_RE = /^[0-9]+(\.[0-9]+)*$/;

/** A DICOM UID (digits and dots, at most 64 characters): the only thing we ever put in a URL path. */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && UID_RE.test(uid);
}

/** YYYYMMDD from YYYYMMDD or YYYY-MM-DD; throws `pacs/bad-request` with the field name otherwise. */
export function normalizeDicomDate(value: string, field: string): string {
  const v = value.trim();
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!m) throw new PlannerError('pacs/bad-request', `${field} "${value}" is not a date (use YYYY-MM-DD)`);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new PlannerError('pacs/bad-request', `${field} "${value}" is not a valid date`);
  return `${m[1]}${m[2]}${m[3]}`;
}

function cleanText(value: string | undefined, field: string, maxLength: number): string {
  const v = (value ?? '').trim();
  if (v.length > maxLength) throw new PlannerError('pacs/bad-request', `${field} is longer than ${maxLength} characters`);
  // Backslash separates DICOM multi-values; control characters have no place in a query.
  if (/[\\\u0000-\u001f]/.test(v)) throw new PlannerError('pacs/bad-request', `${field} contains a character that cannot be searched (\\ or a control character)`);
  return v;
}

const STUDY_FIELDS = [TAG.studyDescription, TAG.modalitiesInStudy, TAG.numberOfStudyRelatedSeries, TAG.numberOfStudyRelatedInstances, TAG.patientBirthDate];
const SERIES_FIELDS = [TAG.seriesDescription, TAG.seriesNumber, TAG.numberOfSeriesRelatedInstances, TAG.modality];

/**
 * The QIDO-RS study search path relative to the DICOMweb root, e.g.
 * `studies?PatientID=123&StudyDate=20240101-20241231&limit=100&includefield=...`.
 * Values are percent-encoded; dates are validated; a date range with one end
 * open uses the QIDO `-YYYYMMDD` / `YYYYMMDD-` forms.
 */
export function buildStudySearchPath(query: StudyQuery): string {
  const params: string[] = [];
  const add = (key: string, value: string): void => {
    params.push(`${key}=${encodeURIComponent(value)}`);
  };
  const patientId = cleanText(query.patientId, 'Patient ID', 64);
  if (patientId) add('PatientID', patientId);
  const name = cleanText(query.patientName, 'Patient name', 64 * 5);
  if (name) add('PatientName', /[*?]/.test(name) ? name : `${name}*`);
  const accession = cleanText(query.accessionNumber, 'Accession number', 16);
  if (accession) add('AccessionNumber', accession);
  const from = query.studyDateFrom?.trim() ? normalizeDicomDate(query.studyDateFrom, 'Study date from') : '';
  const to = query.studyDateTo?.trim() ? normalizeDicomDate(query.studyDateTo, 'Study date to') : '';
  if (from && to && from > to) throw new PlannerError('pacs/bad-request', `Study date from (${from}) is after study date to (${to})`);
  if (from || to) add('StudyDate', from === to ? from : `${from}-${to}`);
  const limit = query.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new PlannerError('pacs/bad-request', `limit ${limit} must be an integer 1..10000`);
  add('limit', String(limit));
  for (const f of STUDY_FIELDS) add('includefield', f);
  return `studies?${params.join('&')}`;
}

/** `studies/{study}/series?includefield=...` */
export function buildSeriesSearchPath(studyUid: string): string {
  assertUid(studyUid, 'StudyInstanceUID');
  return `studies/${studyUid}/series?${SERIES_FIELDS.map((f) => `includefield=${f}`).join('&')}`;
}

/** `studies/{study}/series/{series}/instances?includefield=00200013` */
export function buildInstanceSearchPath(studyUid: string, seriesUid: string): string {
  assertUid(studyUid, 'StudyInstanceUID');
  assertUid(seriesUid, 'SeriesInstanceUID');
  return `studies/${studyUid}/series/${seriesUid}/instances?includefield=${TAG.instanceNumber}`;
}

/** `studies/{study}/series/{series}/instances/{sop}` (WADO-RS instance retrieval). */
export function buildInstancePath(ref: Pick<InstanceRef, 'studyUid' | 'seriesUid' | 'sopInstanceUid'>): string {
  assertUid(ref.studyUid, 'StudyInstanceUID');
  assertUid(ref.seriesUid, 'SeriesInstanceUID');
  assertUid(ref.sopInstanceUid, 'SOPInstanceUID');
  return `studies/${ref.studyUid}/series/${ref.seriesUid}/instances/${ref.sopInstanceUid}`;
}

function assertUid(uid: string, what: string): void {
  if (!isValidUid(uid)) throw new PlannerError('pacs/bad-request', `${what} "${uid.slice(0, 80)}" is not a DICOM UID`);
}

// ---- DICOM JSON model -------------------------------------------------------

type JsonAttribute = { vr?: unknown; Value?: unknown };

function bad(what: string): PlannerError {
  return new PlannerError('pacs/bad-response', `the PACS sent a malformed search answer: ${what}`);
}

function attribute(dataset: Record<string, unknown>, tag: string): JsonAttribute | undefined {
  const a = dataset[tag] ?? dataset[tag.toLowerCase()];
  if (a === undefined || a === null) return undefined;
  if (typeof a !== 'object' || Array.isArray(a)) throw bad(`attribute ${tag} is not an object`);
  return a as JsonAttribute;
}

function values(dataset: Record<string, unknown>, tag: string): unknown[] {
  const a = attribute(dataset, tag);
  if (!a || a.Value === undefined || a.Value === null) return [];
  if (!Array.isArray(a.Value)) throw bad(`attribute ${tag} has a Value that is not a list`);
  return a.Value;
}

/** First value as text ('' when absent). Numbers are accepted (IS/DS may come as numbers). */
export function stringValue(dataset: Record<string, unknown>, tag: string): string {
  const v = values(dataset, tag)[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  throw bad(`attribute ${tag} is not text`);
}

/** All values as text. */
export function stringValues(dataset: Record<string, unknown>, tag: string): string[] {
  return values(dataset, tag)
    .filter((v) => v !== null && v !== undefined)
    .map((v) => {
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isFinite(v)) return String(v);
      throw bad(`attribute ${tag} holds a value that is not text`);
    });
}

/** First value as a finite number, undefined when absent or not a number. */
export function numberValue(dataset: Record<string, unknown>, tag: string): number | undefined {
  const v = values(dataset, tag)[0];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Person name: the Alphabetic component group (PS3.18 F.2.2), or a plain string. */
export function personNameValue(dataset: Record<string, unknown>, tag: string): string {
  const v = values(dataset, tag)[0];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const alphabetic = (v as Record<string, unknown>)['Alphabetic'];
    if (alphabetic === undefined) return '';
    if (typeof alphabetic === 'string') return alphabetic;
  }
  throw bad(`person name ${tag} is not a name`);
}

/** "DOE^JANE^^DR" -> "DOE, JANE, DR" for display. */
export function formatPersonName(name: string): string {
  return name
    .split('^')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .join(', ');
}

function datasets(json: unknown, what: string): Record<string, unknown>[] {
  // An empty answer may come as 204 No Content -> '' -> null.
  if (json === null || json === undefined) return [];
  if (!Array.isArray(json)) throw bad(`${what} is not a list`);
  return json.map((d, n) => {
    if (typeof d !== 'object' || d === null || Array.isArray(d)) throw bad(`${what} entry ${n + 1} is not an object`);
    return d as Record<string, unknown>;
  });
}

function requiredUid(d: Record<string, unknown>, tag: string, what: string, n: number): string {
  const uid = stringValue(d, tag).trim();
  if (!isValidUid(uid)) throw bad(`${what} entry ${n + 1} has no valid UID in ${tag}`);
  return uid;
}

/** Studies from a QIDO-RS study search answer (parsed JSON). */
export function parseStudies(json: unknown): StudySummary[] {
  return datasets(json, 'the study list').map((d, n) => ({
    studyUid: requiredUid(d, TAG.studyInstanceUid, 'study', n),
    patientName: personNameValue(d, TAG.patientName),
    patientId: stringValue(d, TAG.patientId),
    patientBirthDate: stringValue(d, TAG.patientBirthDate),
    studyDate: stringValue(d, TAG.studyDate),
    accessionNumber: stringValue(d, TAG.accessionNumber),
    description: stringValue(d, TAG.studyDescription),
    modalities: stringValues(d, TAG.modalitiesInStudy),
    seriesCount: numberValue(d, TAG.numberOfStudyRelatedSeries),
    instanceCount: numberValue(d, TAG.numberOfStudyRelatedInstances),
  }));
}

/** Series of one study from a QIDO-RS series search answer, sorted by series number then description. */
export function parseSeriesList(json: unknown, studyUid: string): SeriesListing[] {
  const list = datasets(json, 'the series list').map((d, n) => ({
    studyUid,
    seriesUid: requiredUid(d, TAG.seriesInstanceUid, 'series', n),
    modality: stringValue(d, TAG.modality),
    description: stringValue(d, TAG.seriesDescription),
    seriesNumber: numberValue(d, TAG.seriesNumber),
    instanceCount: numberValue(d, TAG.numberOfSeriesRelatedInstances),
  }));
  return list.sort((a, b) => (a.seriesNumber ?? 1e9) - (b.seriesNumber ?? 1e9) || a.description.localeCompare(b.description));
}

/** Instances of one series from a QIDO-RS instance search answer, sorted by instance number. Duplicated SOP UIDs are refused. */
export function parseInstances(json: unknown, studyUid: string, seriesUid: string): InstanceRef[] {
  const seen = new Set<string>();
  const list = datasets(json, 'the instance list').map((d, n) => {
    const sopInstanceUid = requiredUid(d, TAG.sopInstanceUid, 'instance', n);
    if (seen.has(sopInstanceUid)) throw bad(`instance ${sopInstanceUid} is listed twice`);
    seen.add(sopInstanceUid);
    return {
      studyUid,
      seriesUid,
      sopInstanceUid,
      sopClassUid: stringValue(d, TAG.sopClassUid),
      instanceNumber: numberValue(d, TAG.instanceNumber),
    };
  });
  return list.sort((a, b) => (a.instanceNumber ?? 1e9) - (b.instanceNumber ?? 1e9));
}
