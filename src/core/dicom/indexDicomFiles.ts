import { PlannerError } from '../shared/errors';
import { computeSeriesGrid } from './computeSeriesGrid';
import { COMPRESSED_TRANSFER_SYNTAXES, NATIVE_TRANSFER_SYNTAXES, parseInstance, type ParseResult, unsupportedTransferSyntaxMessage } from './parseInstance';
import type { DicomFileInput, DicomIndex, DicomInstance, LoadIssue, SeriesGroup, SeriesSummary } from './types';
import { SOP_CLASS } from './writeCtSeries';

/** Names that mark cone-beam CT systems or reconstructions (Manufacturer, model, description, ImageType). */
const CBCT_HINTS = /\b(CBCT|CONE[ -]?BEAM|DYNA ?CT|XPER ?CT|SYNGO DYNA|ARTIS|AXIOM|ALLURA|AZURION|O-ARM|CIOS|LOOP-X|VISION RFD|INNOVA|PROPELLER)\b/i;

/** Modalities / SOP classes we plan on. */
const CT_SOP_CLASSES = new Set<string>([SOP_CLASS.ctImage, SOP_CLASS.enhancedCtImage, '1.2.840.10008.5.1.4.1.1.2.2' /* legacy converted enhanced CT */]);

/** CT by modality or SOP class (CT Image, Enhanced CT, Legacy Converted Enhanced CT). */
export function isCt(instance: DicomInstance): boolean {
  return instance.modality === 'CT' || CT_SOP_CLASSES.has(instance.sopClassUid);
}

/** True when the attributes say this is (probably) cone-beam CT, not calibrated helical CT. */
export function hasCbctHint(instance: DicomInstance): boolean {
  const text = [instance.manufacturer, instance.manufacturerModelName, instance.seriesDescription, ...instance.imageType].join(' ');
  return CBCT_HINTS.test(text) || instance.modality === 'XA' || (instance.rescaleType !== '' && instance.rescaleType !== 'HU');
}

/**
 * Orientation clusters: two orientations belong together when both their row
 * and column cosines agree within about 0.5 degrees (dot product > 0.99996).
 * A tolerance, not rounding, so that jitter in the last decimals (rounded DS
 * strings) can never split one series into parts with false gaps.
 */
function orientationCluster(clusters: number[][], o: readonly number[], spacing: readonly [number, number]): number {
  const sameSpacing = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-3 + 1e-4 * Math.abs(a);
  for (let c = 0; c < clusters.length; c++) {
    const q = clusters[c]!;
    const rowDot = o[0]! * q[0]! + o[1]! * q[1]! + o[2]! * q[2]!;
    const colDot = o[3]! * q[3]! + o[4]! * q[4]! + o[5]! * q[5]!;
    // Same pixel spacing too: slices of another field of view in one series must not share one grid.
    if (rowDot > 0.99996 && colDot > 0.99996 && sameSpacing(spacing[0], q[6]!) && sameSpacing(spacing[1], q[7]!)) return c;
  }
  clusters.push([...o.slice(0, 6), spacing[0], spacing[1]]);
  return clusters.length - 1;
}

/**
 * Parses files and groups them into series. Never throws for a problem with
 * one file or one series: those come back in `issues` (with the files named)
 * and the rest is indexed. Throws PlannerError only when nothing usable is
 * left: 'dicom/not-ct' when the files hold only non-CT images, else
 * 'dicom/no-series', with what the user can do.
 *
 * Grouping: SeriesInstanceUID, then FrameOfReferenceUID, orientation and
 * image size (a series that mixes them is split, the largest part keeps the
 * plain UID as its key). Each group is sorted and checked (computeSeriesGrid).
 */
export function indexDicomFiles(
  files: readonly DicomFileInput[],
  options: { onProgress?: (done: number, total: number) => void } = {},
): DicomIndex {
  const results: ParseResult[] = [];
  const progressEvery = Math.max(1, Math.floor(files.length / 50));
  for (let f = 0; f < files.length; f++) {
    const file = files[f]!;
    if (options.onProgress && f % progressEvery === 0) options.onProgress(f, files.length);
    results.push(parseInstance(file.name, new Uint8Array(file.bytes)));
  }
  options.onProgress?.(files.length, files.length);
  return indexParsedInstances(results);
}

/**
 * The grouping, checks and refusals of indexDicomFiles, on instances already
 * parsed (e.g. from their headers only, for a streaming load). Same contract.
 */
export function indexParsedInstances(results: readonly ParseResult[]): DicomIndex {
  const issues: LoadIssue[] = [];
  const byKey = new Map<string, DicomInstance[]>();
  const order: string[] = [];
  const clustersBySeries = new Map<string, number[][]>();
  for (const result of results) {
    if (result.issue) {
      issues.push(result.issue);
      continue;
    }
    const instance = result.instance;
    const fileName = instance.fileName;
    const ts = instance.transferSyntaxUid;
    if (!NATIVE_TRANSFER_SYNTAXES.includes(ts) && !COMPRESSED_TRANSFER_SYNTAXES.includes(ts)) {
      issues.push({
        code: 'unsupported-transfer-syntax',
        severity: 'error',
        message: unsupportedTransferSyntaxMessage(fileName, ts),
        files: [fileName],
      });
      continue;
    }
    if (instance.samplesPerPixel !== 1 || !/^MONOCHROME[12]$/.test(instance.photometricInterpretation) || ![8, 16].includes(instance.bitsAllocated)) {
      issues.push({
        code: 'unsupported-pixel-format',
        severity: 'error',
        message: `${fileName} is a ${instance.photometricInterpretation} image with ${instance.bitsAllocated}-bit samples, not a greyscale CT slice; it was skipped.`,
        files: [fileName],
      });
      continue;
    }
    const f0 = instance.frames[0]!;
    let clusters = clustersBySeries.get(instance.seriesInstanceUid);
    if (!clusters) {
      clusters = [];
      clustersBySeries.set(instance.seriesInstanceUid, clusters);
    }
    const k = [
      instance.seriesInstanceUid,
      instance.frameOfReferenceUid,
      `o${orientationCluster(clusters, f0.orientation, f0.pixelSpacingMm)}`,
      `${instance.rows}x${instance.columns}`,
    ].join('|');
    let list = byKey.get(k);
    if (!list) {
      list = [];
      byKey.set(k, list);
      order.push(k);
    }
    list.push(instance);
  }


  // Split series -> keys. The largest part of a SeriesInstanceUID keeps the UID.
  const partsByUid = new Map<string, string[]>();
  for (const k of order) {
    const uid = k.split('|')[0]!;
    const parts = partsByUid.get(uid) ?? [];
    parts.push(k);
    partsByUid.set(uid, parts);
  }
  const groups: SeriesGroup[] = [];
  for (const [uid, parts] of partsByUid) {
    const sorted = [...parts].sort((a, b) => frameCount(byKey.get(b)!) - frameCount(byKey.get(a)!));
    sorted.forEach((k, n) => {
      const instances = byKey.get(k)!;
      groups.push(buildGroup(n === 0 ? uid : `${uid}#${n + 1}`, instances));
    });
    if (sorted.length > 1) {
      const main = byKey.get(sorted[0]!)!;
      const others = sorted.slice(1).flatMap((k) => byKey.get(k)!);
      const sameFor = sorted.every((k) => k.split('|')[1] === sorted[0]!.split('|')[1]);
      const sameOrientation = sorted.every((k) => k.split('|')[2] === sorted[0]!.split('|')[2]);
      issues.push({
        code: 'mixed-orientation',
        severity: 'warning',
        message: `Series "${main[0]!.seriesDescription || uid}" mixes images with ${!sameOrientation ? 'different orientations or pixel spacings' : !sameFor ? 'different frames of reference' : 'different image sizes'} (for example a scout or a second reconstruction). It was split into ${sorted.length} parts; the largest (${frameCount(main)} images) is offered first. Choose the part that is the planning CT.`,
        files: others.map((i) => i.fileName).slice(0, 20),
        seriesKey: uid,
      });
    }
  }

  for (const g of groups) issues.push(...g.issues);
  const usable = groups.filter((g) => g.summary.usable);
  if (groups.length > 1) {
    // Different patients in one drop is a wrong-patient hazard: say so, with names and IDs.
    const patients = new Map<string, string>();
    for (const g of groups) {
      const id = `${g.summary.patientId}|${g.summary.patientName}`;
      if (!patients.has(id)) patients.set(id, `${g.summary.patientName || 'no name'} (ID ${g.summary.patientId || 'none'})`);
    }
    const several = patients.size > 1;
    issues.push({
      code: 'several-series',
      severity: several ? 'warning' : 'info',
      message: several
        ? `These files hold ${groups.length} series from ${patients.size} DIFFERENT PATIENTS: ${[...patients.values()].join(', ')}. Check the patient name and ID before you choose the series to plan on.`
        : `These files hold ${groups.length} series${usable.length !== groups.length ? ` (${usable.length} usable for planning)` : ''}: choose the one to plan on.`,
      files: [],
    });
  }
  if (usable.length === 0) {
    if (groups.length > 0 && groups.every((g) => !isCt(g.instances[0]!))) {
      const modalities = [...new Set(groups.map((g) => g.summary.modality || 'unknown'))].join(', ');
      throw new PlannerError(
        'dicom/not-ct',
        `These files hold ${modalities} images only. Screw planning needs a CT or cone-beam CT of the pelvis: load the CT series of the patient.`,
      );
    }
    const reasons = issues.filter((i) => i.severity === 'error').slice(0, 3).map((i) => i.message).join(' ');
    throw new PlannerError(
      'dicom/no-series',
      results.length === 0
        ? 'No files were given. Drop the folder that holds the CT series (DICOM files).'
        : `None of the ${results.length} file(s) gives a usable CT series. ${reasons} Load the folder that holds the complete CT series (DICOM files), exported uncompressed or lossless.`,
    );
  }
  // Usable series first, then by number of slices.
  const orderIdx = groups.map((_, n) => n).sort((a, b) => {
    const ga = groups[a]!, gb = groups[b]!;
    if (ga.summary.usable !== gb.summary.usable) return ga.summary.usable ? -1 : 1;
    return gb.summary.sliceCount - ga.summary.sliceCount;
  });
  const sortedGroups = orderIdx.map((n) => groups[n]!);
  return { series: sortedGroups.map((g) => g.summary), issues, groups: sortedGroups };
}

function frameCount(instances: readonly DicomInstance[]): number {
  return instances.reduce((sum, i) => sum + i.frames.length, 0);
}

function buildGroup(key: string, instances: DicomInstance[]): SeriesGroup {
  const first = instances[0]!;
  const issues: LoadIssue[] = [];
  let unusableReason: string | null = null;
  let grid: SeriesGroup['grid'] = null;
  if (!isCt(first)) {
    unusableReason = `This is a ${first.modality || 'non-CT'} series ("${first.seriesDescription}"). Screw planning needs CT or cone-beam CT, whose values measure bone density; MR and other images cannot be used.`;
    issues.push({ code: 'not-ct', severity: 'error', message: unusableReason, files: instances.map((i) => i.fileName).slice(0, 20), seriesKey: key });
  } else {
    const result = computeSeriesGrid(instances, key);
    grid = result.grid;
    unusableReason = result.unusableReason;
    issues.push(...result.issues);
  }
  const slope = first.frames[0]!.rescaleSlope;
  const intercept = first.frames[0]!.rescaleIntercept;
  const bytesPerVoxel = fitsInt16(first, slope, intercept) ? 2 : 4;
  const dims = grid?.dims ?? [first.columns, first.rows, frameCount(instances)];
  const summary: SeriesSummary = {
    key,
    uid: first.seriesInstanceUid,
    studyUid: first.studyInstanceUid,
    frameOfReferenceUid: first.frameOfReferenceUid,
    modality: first.modality,
    description: first.seriesDescription,
    patientName: first.patientName,
    patientId: first.patientId,
    studyDate: first.studyDate,
    accessionNumber: first.accessionNumber,
    number: first.seriesNumber,
    rows: first.rows,
    columns: first.columns,
    sliceCount: dims[2],
    frameCount: frameCount(instances),
    fileCount: instances.length,
    spacingMm: grid ? grid.spacingMm : [first.frames[0]!.pixelSpacingMm[1], first.frames[0]!.pixelSpacingMm[0], 0],
    estimatedBytes: dims[0] * dims[1] * dims[2] * bytesPerVoxel,
    usable: unusableReason === null,
    unusableReason,
    cbctHint: hasCbctHint(first),
    transferSyntaxUid: first.transferSyntaxUid,
    sliceThicknessMm: first.frames[0]!.sliceThicknessMm,
    manufacturer: first.manufacturer,
    manufacturerModelName: first.manufacturerModelName,
  };
  return { summary, instances, grid, issues };
}

/**
 * Whether every possible stored value, rescaled, fits Int16 exactly (integral
 * slope and intercept, range from BitsStored and PixelRepresentation).
 */
export function fitsInt16(instance: DicomInstance, slope: number, intercept: number): boolean {
  if (!Number.isInteger(slope) || !Number.isInteger(intercept)) return false;
  const bits = Math.min(instance.bitsStored, instance.bitsAllocated);
  const lo = instance.pixelRepresentation === 1 ? -(2 ** (bits - 1)) : 0;
  const hi = instance.pixelRepresentation === 1 ? 2 ** (bits - 1) - 1 : 2 ** bits - 1;
  const a = lo * slope + intercept;
  const b = hi * slope + intercept;
  return Math.min(a, b) >= -32768 && Math.max(a, b) <= 32767;
}
