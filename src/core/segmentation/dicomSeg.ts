import dcmjs from 'dcmjs';
import { createUid } from '../dicom/createUid';
import type { CriticalStructures } from '../anatomy/structures';
import { structureShapes } from '../fields/buildFieldSet';
import type { StructureShape } from '../fields/structureDistance';
import { distanceToShape, shapeBoundsLps } from '../fields/structureDistance';
import type { LabelName } from '../shared/ids';
import { LABELS } from '../shared/ids';
import { PlannerError } from '../shared/errors';
import type { Volume } from '../volume/Volume';
import { createVolume } from '../volume/Volume';
import type { VolumeGeometry } from '../volume/VolumeGeometry';
import { transformPoint } from '../volume/VolumeGeometry';
import { allocVoxels } from '../volume/voxelBuffer';

/**
 * DICOM Segmentation Storage (SEG, BINARY) export and import of our label volume
 * and of the critical structures (rasterised tubes), written with dcmjs.
 *
 * One segment per label present (bone parts, lesion, structure labels) and one
 * per structure tube when `structures` are given; frames only where a segment
 * has voxels, ordered by segment then slice. Each segment's SegmentLabel is our
 * label name (`sacrum`, `lesion`, `foramenS1Left`, ...), which is how import maps
 * segments back to label values. Codes: SNOMED CT where the concept is certain
 * (sacrum, femur, L5, lesion), a private scheme (99PSP) elsewhere.
 * Geometry: the frames' ImagePositionPatient/ImageOrientationPatient are those of
 * the label grid; import places each frame by its position on the target grid.
 *
 * Size: a frame is written only for a slice where its segment has voxels, but each
 * frame is a whole slice (Rows x Columns bits): sacralAla-medium (256 x 256 x 200,
 * 6 bone parts, lesion, 16 structure tubes) is 1334 frames, 11.0 MB. Not cropped
 * to the segments' extent (viewers such as OHIF's SEG loader assume frames the size
 * of the source images) and not deflated (1.2.840.10008.1.2.1.99 would make it
 * ~90 kB, but dciodvfy here and many PACS do not read it).
 */

type Code = { CodeValue: string; CodingSchemeDesignator: string; CodeMeaning: string };

const ANATOMY: Code = { CodeValue: '123037004', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Anatomical Structure' };
const ABNORMAL: Code = { CodeValue: '49755003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Morphologically Abnormal Structure' };

function typeCode(name: LabelName): Code {
  switch (name) {
    case 'sacrum': return { CodeValue: '54735007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Sacrum' };
    case 'femurLeft': case 'femurRight': return { CodeValue: '71341001', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Femur' };
    case 'l5': return { CodeValue: '49668003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'L5 vertebra' };
    case 'lesion': return { CodeValue: '52988006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Lesion' };
    default: return { CodeValue: name.slice(0, 16), CodingSchemeDesignator: '99PSP', CodeMeaning: name };
  }
}

const LABEL_NAMES = Object.keys(LABELS) as LabelName[];
const NAME_OF = new Map<number, LabelName>(LABEL_NAMES.map((k) => [LABELS[k] as number, k]));

export type SegExportOptions = {
  /** Rasterise these structure tubes as extra segments (foramina, canal, roots). */
  structures?: CriticalStructures;
  patientName?: string;
  patientId?: string;
  studyInstanceUid?: string;
  /** Series the segmentation was derived from (Referenced Series Sequence). */
  referencedSeriesInstanceUid?: string;
  /**
   * Source image of each slice k of the grid (same length as dims[2]): the SEG then
   * lists the series' images (Common Instance Reference) and each frame its source
   * image (Derivation Image), which viewers such as OHIF use to overlay it.
   */
  referencedSlices?: readonly { sopClassUid: string; sopInstanceUid: string; frameNumber?: number }[];
  frameOfReferenceUid?: string;
  studyDate?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  /** Seed for deterministic UIDs (tests, reproducible exports). */
  uidSeed?: string;
  softwareVersion?: string;
};

type SegmentSource = { name: LabelName; fill: (k: number, out: Uint8Array) => boolean };

/** Rasterises a tube or cap shape slice by slice (voxel centre inside the tube, or within half a voxel of the cap). */
function shapeSlicer(g: VolumeGeometry, shape: StructureShape): (k: number, out: Uint8Array) => boolean {
  const [ni, nj] = g.dims;
  const { minLps, maxLps } = shapeBoundsLps(shape);
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let c = 0; c < 8; c++) {
    const q = transformPoint([0, 0, 0], g.lpsToIjk, [c & 1 ? maxLps[0] : minLps[0], c & 2 ? maxLps[1] : minLps[1], c & 4 ? maxLps[2] : minLps[2]]);
    for (let a = 0; a < 3; a++) { lo[a] = Math.min(lo[a]!, q[a]!); hi[a] = Math.max(hi[a]!, q[a]!); }
  }
  const half = 0.5 * Math.min(g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]);
  const m = g.ijkToLps;
  return (k, out) => {
    out.fill(0);
    if (k < Math.floor(lo[2]!) || k > Math.ceil(hi[2]!)) return false;
    let any = false;
    for (let j = Math.max(0, Math.floor(lo[1]!)); j <= Math.min(nj - 1, Math.ceil(hi[1]!)); j++) {
      for (let i = Math.max(0, Math.floor(lo[0]!)); i <= Math.min(ni - 1, Math.ceil(hi[0]!)); i++) {
        const x = m[0]! * i + m[4]! * j + m[8]! * k + m[12]!;
        const y = m[1]! * i + m[5]! * j + m[9]! * k + m[13]!;
        const z = m[2]! * i + m[6]! * j + m[10]! * k + m[14]!;
        const d = distanceToShape(shape, x, y, z);
        if (shape.kind === 'tube' ? d <= 0 : d <= half) {
          out[i + ni * j] = 1;
          any = true;
        }
      }
    }
    return any;
  };
}

function dicomDateTime(): { date: string; time: string } {
  const d = new Date();
  const p = (v: number, w = 2) => String(v).padStart(w, '0');
  return { date: `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`, time: `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}` };
}

/**
 * Writes the label volume (and optional structure tubes) as a DICOM SEG Part 10
 * file. Throws `seg/bad-file` when there is nothing to write.
 */
export function writeDicomSeg(labels: Volume<Uint8Array>, options: SegExportOptions = {}): Uint8Array {
  const g = labels.geometry;
  const nij = g.dims[0] * g.dims[1];
  const v = labels.voxels;
  const present = new Uint8Array(256);
  for (let t = 0; t < v.length; t++) present[v[t]!] = 1;
  const sources: SegmentSource[] = [];
  for (const name of LABEL_NAMES) {
    const value = LABELS[name];
    if (value === 0 || !present[value]) continue;
    sources.push({
      name,
      fill: (k, out) => {
        let any = false;
        const base = k * nij;
        for (let t = 0; t < nij; t++) {
          const on = v[base + t] === value ? 1 : 0;
          out[t] = on;
          if (on) any = true;
        }
        return any;
      },
    });
  }
  if (options.structures) {
    const shapes = structureShapes(options.structures);
    for (const [id, shape] of Object.entries(shapes)) {
      if (!shape || present[LABELS[id as LabelName]]) continue;
      sources.push({ name: id as LabelName, fill: shapeSlicer(g, shape) });
    }
  }
  if (sources.length === 0) throw new PlannerError('seg/bad-file', `label volume ${labels.id} has no segment to export`);
  return writeSegSegments(
    g,
    sources.map((src) => ({
      label: src.name,
      algorithmType: 'AUTOMATIC',
      category: src.name === 'lesion' ? ABNORMAL : ANATOMY,
      type: typeCode(src.name),
      fill: src.fill,
    })),
    { ...options, contentDescription: 'Bone, lesion and critical structures' },
  );
}

/** A segment for {@link writeSegSegments}: its label, codes, and a rasteriser of slice k (returns whether any voxel is set). */
export type SegSegment = {
  label: string;
  algorithmType: 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';
  category: Code;
  type: Code;
  /** CIELab display colour scaled to 0..65535 (PS3.3 C.10.7.1.1), optional. */
  cieLab?: [number, number, number];
  fill: (k: number, out: Uint8Array) => boolean;
};

export type SegCode = Code;

/**
 * Writes any list of segments on the grid `g` as a BINARY DICOM SEG Part 10
 * file (frames only where a segment has voxels, ordered by segment then slice).
 * `writeDicomSeg` uses it for the label volume; the report uses it for screws.
 */
export function writeSegSegments(
  g: VolumeGeometry,
  segments: readonly SegSegment[],
  options: SegExportOptions & { contentDescription?: string; contentLabel?: string; contentCreatorName?: string; seriesInstanceUid?: string } = {},
): Uint8Array {
  const [ni, nj, nk] = g.dims;
  const nij = ni * nj;
  if (segments.length === 0) throw new PlannerError('seg/bad-file', 'no segment to export');
  const refs = options.referencedSlices;
  if (refs && refs.length !== nk) throw new PlannerError('seg/bad-file', `${refs.length} referenced slices for a grid of ${nk} slices`);

  // Frames: per segment, the slices where it has voxels.
  const slice = new Uint8Array(nij);
  const frames: { segment: number; k: number }[] = [];
  const bits: Uint8Array[] = [];
  segments.forEach((src, s) => {
    for (let k = 0; k < nk; k++) {
      if (!src.fill(k, slice)) continue;
      frames.push({ segment: s + 1, k });
      bits.push(slice.slice());
    }
  });
  const totalBits = frames.length * nij;
  const pixelBytes = new Uint8Array(Math.ceil(totalBits / 8) + (Math.ceil(totalBits / 8) % 2));
  let bit = 0;
  for (const b of bits) {
    for (let t = 0; t < nij; t++, bit++) if (b[t]) pixelBytes[bit >> 3]! |= 1 << (bit & 7);
  }

  const seed = options.uidSeed;
  const uid = (what: string) => createUid(seed === undefined ? undefined : `${seed}:${what}`);
  const sopInstanceUid = uid('sop');
  const { date, time } = dicomDateTime();
  const d = g.direction;
  const iop = [d[0]!, d[1]!, d[2]!, d[3]!, d[4]!, d[5]!].map((x) => +x.toFixed(6));
  const p: [number, number, number] = [0, 0, 0];
  const num = (x: number) => +x.toFixed(6);
  const dataset: Record<string, unknown> = {
    _vrMap: { PixelData: 'OB' },
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.66.4',
    SOPInstanceUID: sopInstanceUid,
    SpecificCharacterSet: 'ISO_IR 192',
    Modality: 'SEG',
    PatientName: options.patientName ?? 'Anonymous^',
    PatientID: options.patientId ?? 'ANON',
    PatientBirthDate: '',
    PatientSex: '',
    StudyInstanceUID: options.studyInstanceUid ?? uid('study'),
    StudyDate: options.studyDate ?? date,
    StudyTime: time,
    ReferringPhysicianName: '',
    StudyID: '1',
    AccessionNumber: '',
    SeriesInstanceUID: options.seriesInstanceUid ?? uid('series'),
    SeriesNumber: options.seriesNumber ?? 900,
    SeriesDescription: options.seriesDescription ?? 'Pelvic screw planner segmentation',
    FrameOfReferenceUID: options.frameOfReferenceUid ?? uid('frame'),
    PositionReferenceIndicator: '',
    Manufacturer: 'pelvic-screw-planner',
    ManufacturerModelName: 'pelvic-screw-planner',
    DeviceSerialNumber: '1',
    SoftwareVersions: options.softwareVersion ?? '0.1.0',
    InstanceNumber: 1,
    ContentDate: date,
    ContentTime: time,
    ContentLabel: options.contentLabel ?? 'SEGMENTATION',
    ContentDescription: options.contentDescription ?? 'Segmentation',
    ContentCreatorName: options.contentCreatorName ?? 'Planner^Automatic',
    ImageType: ['DERIVED', 'PRIMARY'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: nj,
    Columns: ni,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    NumberOfFrames: frames.length,
    SegmentSequence: segments.map((src, s) => ({
      SegmentNumber: s + 1,
      SegmentLabel: src.label,
      SegmentAlgorithmType: src.algorithmType,
      ...(src.algorithmType === 'MANUAL' ? {} : { SegmentAlgorithmName: 'pelvic-screw-planner' }),
      SegmentedPropertyCategoryCodeSequence: [src.category],
      SegmentedPropertyTypeCodeSequence: [src.type],
      ...(src.cieLab ? { RecommendedDisplayCIELabValue: src.cieLab } : {}),
    })),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: uid('dimorg') }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: uid('dimorg'),
        DimensionIndexPointer: 0x0062000b, // ReferencedSegmentNumber
        FunctionalGroupPointer: 0x0062000a, // SegmentIdentificationSequence
        DimensionDescriptionLabel: 'ReferencedSegmentNumber',
      },
      {
        DimensionOrganizationUID: uid('dimorg'),
        DimensionIndexPointer: 0x00200032, // ImagePositionPatient
        FunctionalGroupPointer: 0x00209113, // PlanePositionSequence
        DimensionDescriptionLabel: 'ImagePositionPatient',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: iop }],
        PixelMeasuresSequence: [{ PixelSpacing: [num(g.spacingMm[1]), num(g.spacingMm[0])], SliceThickness: num(g.spacingMm[2]), SpacingBetweenSlices: num(g.spacingMm[2]) }],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map((f) => {
      transformPoint(p, g.ijkToLps, [0, 0, f.k]);
      const source = refs?.[f.k];
      return {
        ...(source
          ? {
              DerivationImageSequence: [{
                DerivationCodeSequence: [{ CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' }],
                SourceImageSequence: [{
                  ReferencedSOPClassUID: source.sopClassUid,
                  ReferencedSOPInstanceUID: source.sopInstanceUid,
                  ...(source.frameNumber !== undefined && source.frameNumber > 1 ? { ReferencedFrameNumber: source.frameNumber } : {}),
                  PurposeOfReferenceCodeSequence: [{ CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' }],
                }],
              }],
            }
          : {}),
        FrameContentSequence: [{ DimensionIndexValues: [f.segment, f.k + 1] }],
        PlanePositionSequence: [{ ImagePositionPatient: [num(p[0]), num(p[1]), num(p[2])] }],
        SegmentIdentificationSequence: [{ ReferencedSegmentNumber: f.segment }],
      };
    }),
    PixelData: pixelBytes.buffer,
  };
  if (options.referencedSeriesInstanceUid) {
    const listed = new Map<string, string>();
    for (const r of refs ?? []) listed.set(r.sopInstanceUid, r.sopClassUid);
    dataset.ReferencedSeriesSequence = [{
      SeriesInstanceUID: options.referencedSeriesInstanceUid,
      ReferencedInstanceSequence: [...listed].map(([uid, cls]) => ({ ReferencedSOPClassUID: cls, ReferencedSOPInstanceUID: uid })),
    }];
  }
  const { DicomMetaDictionary, DicomDict } = dcmjs.data;
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: '1.2.840.10008.1.2.1',
    ImplementationClassUID: '2.25.302124587215730119361219496423911236351',
    ImplementationVersionName: 'PSP_0_1',
    _vrMap: {},
  };
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write({ fragmentMultiframe: false }) as ArrayBuffer);
}

export type SegImport = {
  /** Label volume on `geometry` (values from LABELS by segment name). */
  labels: Volume<Uint8Array>;
  segments: { number: number; name: string; label: number | null; frames: number }[];
  notes: string[];
};

/**
 * Reads a BINARY DICOM SEG onto the label grid `geometry`. Segments named after
 * a label (ours, or any SEG whose SegmentLabel matches a label name) get that
 * label; others are reported in `notes` and skipped. Frames whose position is
 * not on a slice of the grid are skipped with a note. Later segments overwrite
 * earlier ones where they overlap (bone first, lesion last in our files).
 */
export function readDicomSeg(
  bytes: Uint8Array,
  geometry: VolumeGeometry,
  /** `onlyLabels`: segments of other labels are skipped with a note (e.g. structure segments that would overwrite bone). */
  options: { shared?: boolean; id?: string; onlyLabels?: ReadonlySet<number> } = {},
): SegImport {
  const { DicomMessage, DicomMetaDictionary } = dcmjs.data;
  let ds: Record<string, any>;
  try {
    const copy = bytes.slice().buffer;
    const dict = DicomMessage.readFile(copy);
    ds = DicomMetaDictionary.naturalizeDataset(dict.dict);
  } catch (error) {
    throw new PlannerError('seg/bad-file', `not a readable DICOM file (${String(error)})`);
  }
  if (ds.SOPClassUID !== '1.2.840.10008.5.1.4.1.1.66.4') throw new PlannerError('seg/bad-file', `SOP class ${String(ds.SOPClassUID)} is not Segmentation Storage`);
  if (ds.SegmentationType !== 'BINARY') throw new PlannerError('seg/bad-file', `segmentation type ${String(ds.SegmentationType)} is not supported (BINARY only)`);
  const rows = Number(ds.Rows), cols = Number(ds.Columns);
  const [ni, nj, nk] = geometry.dims;
  if (rows !== nj || cols !== ni) throw new PlannerError('seg/bad-file', `frames are ${cols} x ${rows}, the grid is ${ni} x ${nj}`);
  const notes: string[] = [];
  const segSeq: any[] = toArray(ds.SegmentSequence);
  const labelOf = new Map<number, number | null>();
  const segments: SegImport['segments'] = [];
  for (const s of segSeq) {
    const name = String(s.SegmentLabel ?? '');
    const label = (LABELS as Record<string, number>)[name] ?? null;
    if (label === null) notes.push(`segment ${s.SegmentNumber} "${name}" has no matching label: skipped`);
    else if (options.onlyLabels && !options.onlyLabels.has(label)) notes.push(`segment ${s.SegmentNumber} "${name}" not imported here: skipped`);
    labelOf.set(Number(s.SegmentNumber), label !== null && options.onlyLabels && !options.onlyLabels.has(label) ? null : label);
    segments.push({ number: Number(s.SegmentNumber), name, label, frames: 0 });
  }
  const perFrame: any[] = toArray(ds.PerFrameFunctionalGroupsSequence);
  const pixelRaw = ds.PixelData;
  const pixel = new Uint8Array(Array.isArray(pixelRaw) ? pixelRaw[0] : pixelRaw);
  const out = allocVoxels(Uint8Array, ni * nj * nk, { shared: options.shared ?? false });
  const nij = ni * nj;
  const ijk: [number, number, number] = [0, 0, 0];
  // Order: write frames segment by segment in SegmentSequence order (later overwrite earlier).
  const order = perFrame.map((f, idx) => ({ f, idx, seg: Number(toArray(f.SegmentIdentificationSequence)[0]?.ReferencedSegmentNumber) }));
  order.sort((a, b) => a.seg - b.seg || a.idx - b.idx);
  for (const { f, idx, seg } of order) {
    const label = labelOf.get(seg);
    if (!label) continue;
    const pos = toArray(f.PlanePositionSequence)[0]?.ImagePositionPatient as number[] | undefined;
    if (!pos) { notes.push(`frame ${idx + 1} has no position: skipped`); continue; }
    transformPoint(ijk, geometry.lpsToIjk, [Number(pos[0]), Number(pos[1]), Number(pos[2])]);
    const k = Math.round(ijk[2]);
    if (Math.abs(ijk[0]) > 0.01 || Math.abs(ijk[1]) > 0.01 || Math.abs(ijk[2] - k) > 0.01 || k < 0 || k >= nk) {
      notes.push(`frame ${idx + 1} is not on a slice of the grid: skipped`);
      continue;
    }
    const s = segments.find((x) => x.number === seg);
    if (s) s.frames++;
    const bit0 = idx * nij;
    const base = k * nij;
    for (let t = 0; t < nij; t++) {
      const b = bit0 + t;
      if ((pixel[b >> 3]! >> (b & 7)) & 1) out[base + t] = label;
    }
  }
  return { labels: createVolume(options.id ?? 'seg-import', 'label', geometry, out), segments, notes };
}

function toArray(x: unknown): any[] {
  if (x === undefined || x === null) return [];
  return Array.isArray(x) ? x : [x];
}

/** Label value by segment name, for callers that build their own segment lists. */
export function labelNameOf(value: number): LabelName | undefined {
  return NAME_OF.get(value);
}
