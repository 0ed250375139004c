/**
 * The lesion and bone labels in and out of files (DICOM SEG, NRRD) for the
 * segmentation panel: export on the CT grid referencing the CT, import with
 * refusal of a file made for another grid or series (typed `seg/bad-file` /
 * `volume/mismatch` errors whose message says what to do; nothing is changed).
 *
 * Import keeps what a label volume means here: bone parts and the lesion.
 * Structure segments (foramina, canal, roots) are models in this planner, not
 * labels: they are left out with a note. A file without bone (e.g. a lesion
 * drawn in 3D Slicer) keeps the current bone and replaces only the lesion.
 */
import dcmjs from 'dcmjs';
import type { CriticalStructures } from '../anatomy/structures';
import type { SeriesReference } from '../dicom/types';
import { readNrrd, writeNrrd } from '../io/nrrd';
import { PlannerError } from '../shared/errors';
import { BONE_LABELS, LABELS } from '../shared/ids';
import { createVolume, type Volume } from '../volume/Volume';
import { isSameGrid } from '../volume/VolumeGeometry';
import { readDicomSeg, writeDicomSeg } from './dicomSeg';

export type LabelExportIdentity = {
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  frameOfReferenceUid?: string | null;
  reference?: SeriesReference;
};

/** DICOM SEG of the labels and the rasterised structure models, referencing the CT series. */
export function exportLabelsSeg(labels: Volume<Uint8Array>, structures: CriticalStructures | null, identity: LabelExportIdentity | null): Uint8Array {
  const ref = identity?.reference;
  const slices = ref?.slices.length === labels.geometry.dims[2] ? ref.slices.map((s) => ({ sopClassUid: s.sopClassUid, sopInstanceUid: s.sopInstanceUid, frameNumber: s.frameNumber })) : undefined;
  return writeDicomSeg(labels, {
    ...(structures ? { structures } : {}),
    ...(ref ? { patientName: ref.patientName, patientId: ref.patientId, studyDate: ref.studyDate } : {}),
    ...(identity?.studyInstanceUid ? { studyInstanceUid: identity.studyInstanceUid } : {}),
    ...(identity?.seriesInstanceUid ? { referencedSeriesInstanceUid: identity.seriesInstanceUid } : {}),
    ...(identity?.frameOfReferenceUid ? { frameOfReferenceUid: identity.frameOfReferenceUid } : {}),
    ...(slices ? { referencedSlices: slices } : {}),
    seriesDescription: 'Pelvic screw planner: bone, lesion, critical structures',
  });
}

/** NRRD (gzip) of the label volume on the CT grid. */
export function exportLabelsNrrd(labels: Volume<Uint8Array>): Uint8Array {
  return writeNrrd(labels, { keyValues: { PelvicScrewPlannerLabels: Object.entries(LABELS).map(([k, v]) => `${v}=${k}`).join(' ') } });
}

export type LabelImport = {
  labels: Volume<Uint8Array>;
  lesionVoxels: number;
  /** What was kept, skipped or merged, in plain words. */
  notes: string[];
};

const isDicom = (b: Uint8Array): boolean => b.length > 132 && b[128] === 0x44 && b[129] === 0x49 && b[130] === 0x43 && b[131] === 0x4d;

/** Series the SEG says it was made from (Referenced Series Sequence), if it says. */
function referencedSeriesOf(bytes: Uint8Array): string | null {
  try {
    const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
    const ds = DicomMetaDictionary.naturalizeDataset(DicomMessage.readFile(bytes.slice().buffer).dict) as Record<string, unknown>;
    const seq = ds['ReferencedSeriesSequence'];
    const first = (Array.isArray(seq) ? seq[0] : seq) as { SeriesInstanceUID?: string } | undefined;
    return first?.SeriesInstanceUID ? String(first.SeriesInstanceUID) : null;
  } catch {
    return null;
  }
}

/**
 * Reads a DICOM SEG or NRRD label file for the grid of `current` (the session's
 * labels) and the series `seriesUid`, and merges it as the module comment says.
 * Throws when the file is for another grid or series, or holds nothing usable.
 */
export function importLabelFile(bytes: Uint8Array, fileName: string, current: Volume<Uint8Array>, seriesUid: string | null): LabelImport {
  const g = current.geometry;
  const notes: string[] = [];
  let read: Volume<Uint8Array>;
  if (isDicom(bytes)) {
    const ref = referencedSeriesOf(bytes);
    if (ref && seriesUid && ref !== seriesUid) {
      throw new PlannerError('volume/mismatch', `${fileName} was made on another series (${ref}), not the one on screen: open that series to import it. Nothing was changed.`);
    }
    let seg: ReturnType<typeof readDicomSeg>;
    try {
      seg = readDicomSeg(bytes, g, { id: `import:${fileName}`, onlyLabels: new Set<number>([...BONE_LABELS, LABELS.lesion]) });
    } catch (error) {
      const detail = (error instanceof Error ? error.message : String(error)).replace(/^\[[^\]]+\]\s*/, '');
      if (/^frames are/.test(detail)) throw new PlannerError('volume/mismatch', `${fileName} is on another grid (${detail}): it belongs to another series. Nothing was changed.`);
      throw new PlannerError('seg/bad-file', `${fileName}: ${detail}. Nothing was changed.`);
    }
    if (seg.segments.some((x) => (x.name in LABELS && x.name !== 'lesion' && !BONE_LABELS.includes(LABELS[x.name as keyof typeof LABELS] as (typeof BONE_LABELS)[number])) || /^joint(Left|Right)$/.test(x.name))) {
      notes.push('Structure segments were not imported: the planner keeps its structure models (edit them in the list).');
    }
    const placed = seg.segments.reduce((n, s) => n + (s.label === null ? 0 : s.frames), 0);
    if (placed === 0) {
      throw new PlannerError('volume/mismatch', `${fileName}: none of its frames lies on a slice of the image on screen (another grid or series). Nothing was changed.`);
    }
    const skipped = seg.notes.filter((n) => n.includes('not on a slice')).length;
    if (skipped > 0) throw new PlannerError('volume/mismatch', `${fileName}: ${skipped} frame(s) are not on the slices of the image on screen (another grid). Nothing was changed.`);
    // Our own exports carry the joint caps as segments without a label value: structure models too.
    const unknown = seg.segments.filter((x) => x.label === null && !(x.name in LABELS) && !/^joint(Left|Right)$/.test(x.name)).map((x) => `"${x.name}"`);
    if (unknown.length > 0) notes.push(`Skipped segment${unknown.length > 1 ? 's' : ''} the planner does not know: ${unknown.join(', ')}.`);
    notes.push(...seg.notes.filter((n) => !n.startsWith('segment ')));
    read = seg.labels;
  } else {
    let vol: Volume;
    try {
      vol = readNrrd(bytes, { kind: 'label', id: `import:${fileName}` }).volume;
    } catch (error) {
      throw new PlannerError('seg/bad-file', `${fileName} is neither a DICOM SEG nor a readable NRRD (${error instanceof Error ? error.message : String(error)}). Nothing was changed.`);
    }
    if (!(vol.voxels instanceof Uint8Array)) throw new PlannerError('seg/bad-file', `${fileName} is not an 8-bit label map. Nothing was changed.`);
    if (!isSameGrid(vol.geometry, g)) {
      const d = vol.geometry.dims, e = g.dims;
      throw new PlannerError('volume/mismatch', `${fileName} is on another grid (${d.join(' × ')} voxels) than the image on screen (${e.join(' × ')}): it belongs to another series. Nothing was changed.`);
    }
    read = vol as Volume<Uint8Array>;
  }
  // Keep bone and lesion; merge onto the current bone when the file has none.
  const src = read.voxels;
  const bone = new Uint8Array(256);
  for (const b of BONE_LABELS) bone[b] = 1;
  let hasBone = false;
  let structureVoxels = 0;
  for (let t = 0; t < src.length; t++) {
    const v = src[t]!;
    if (bone[v]) hasBone = true;
    else if (v !== 0 && v !== LABELS.lesion) structureVoxels++;
  }
  if (structureVoxels > 0) notes.push('Structure segments were not imported: the planner keeps its structure models (edit them in the list).');
  const out = new Uint8Array(src.length);
  let lesionVoxels = 0;
  if (hasBone) {
    for (let t = 0; t < src.length; t++) {
      const v = src[t]!;
      if (v === LABELS.lesion) lesionVoxels++;
      out[t] = bone[v] || v === LABELS.lesion ? v : 0;
    }
  } else {
    const cur = current.voxels;
    for (let t = 0; t < src.length; t++) {
      if (src[t] === LABELS.lesion) {
        out[t] = LABELS.lesion;
        lesionVoxels++;
      } else out[t] = cur[t] === LABELS.lesion ? 0 : cur[t]!;
    }
    notes.push('The file has no bone: the current bone is kept and only the lesion is replaced.');
  }
  if (!hasBone && lesionVoxels === 0) throw new PlannerError('seg/bad-file', `${fileName} holds neither bone nor lesion labels. Nothing was changed.`);
  return { labels: createVolume(read.id, 'label', g, out), lesionVoxels, notes };
}
