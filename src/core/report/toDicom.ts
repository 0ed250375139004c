import { createUid } from '../dicom/createUid';
import { writePart10, type DataElement } from '../dicom/writePart10';
import { writeSegSegments, type SegSegment } from '../segmentation/dicomSeg';
import { PlannerError } from '../shared/errors';
import { createVolumeGeometry, transformPoint } from '../volume/VolumeGeometry';
import { fixed1 } from './format';
import type { PlanContent } from './planSchema';

/**
 * The report back to the PACS (DESIGN §5, issue 7), in the planning study:
 *
 * - the PDF as a DICOM **Encapsulated PDF** instance (PS3.3 A.45.1: Patient,
 *   General Study, Encapsulated Document Series, General Equipment, SC
 *   Equipment, Encapsulated Document, SOP Common), written with our own
 *   Part 10 writer;
 * - the screws as a DICOM **Segmentation** (BINARY), one segment per screw:
 *   the screw's cylinder (diameter x bone entry to tip) rasterised on the CT
 *   grid, so it overlays the planning series in 3D Slicer (Segment Editor /
 *   QuantitativeReporting) and OHIF (cornerstone segmentation) without any
 *   plugin. A SEG was chosen over a Comprehensive 3D SR with SCOORD3D
 *   polylines: both viewers load and display SEG by default, while SCOORD3D
 *   in an SR is shown by neither reliably (OHIF's SR viewport draws 2D SCOORD
 *   measurements; Slicer needs an extension for TID 1500 and ignores 3D
 *   polylines); the SEG also shows the screw's width, not just its axis.
 *
 * Both share the study's identity (same StudyInstanceUID, patient and study
 * attributes as the planning series) and get new series.
 */

/** What the new instances must share with the planning study (type 2 attributes may be empty strings). */
export type DicomStudyIdentity = {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  studyId?: string;
  accessionNumber?: string;
  referringPhysicianName?: string;
  studyDescription?: string;
};

export type DicomWriteMeta = {
  study: DicomStudyIdentity;
  software: { name: string; version: string };
  /** When the object is made (ISO 8601, UTC); core reads no clock. */
  createdAtIso: string;
  seriesNumber?: number;
  seriesDescription?: string;
  /** Seed for deterministic UIDs (tests); random otherwise. */
  uidSeed?: string;
};

export const ENCAPSULATED_PDF_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.104.1';
export const SEGMENTATION_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';

/** Document title code: a private scheme (no standard code names a screw plan report). */
export const REPORT_CONCEPT_CODE = { CodeValue: 'SCREWPLAN', CodingSchemeDesignator: '99PSP', CodeMeaning: 'Screw trajectory plan report' } as const;

function dicomDateTime(iso: string): { date: string; time: string; dateTime: string } {
  const d = new Date(iso);
  if (!Number.isFinite(d.getTime())) throw new PlannerError('report/bad-input', `"${iso}" is not an ISO 8601 date`);
  const p = (v: number, w = 2): string => String(v).padStart(w, '0');
  const date = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return { date, time, dateTime: `${date}${time}+0000` };
}

const uidMaker = (seed: string | undefined) => (what: string): string => createUid(seed === undefined ? undefined : `${seed}:${what}`);

/** Cuts a LO value (64 characters max). */
function lo(text: string): string {
  return text.length <= 64 ? text : text.slice(0, 64);
}

/**
 * The PDF as an Encapsulated PDF Part 10 file (Explicit VR Little Endian).
 * `containsIdentity`: the PDF prints the patient's name or ID (Burned In
 * Annotation YES); false for an anonymous report. The header always carries
 * the study's patient attributes: the instance belongs to that study.
 */
export function writeEncapsulatedPdf(
  pdfBytes: Uint8Array,
  meta: DicomWriteMeta & {
    documentTitle: string;
    containsIdentity: boolean;
    /** The images the document was made from (its pictures are reformats of the planning CT): Source Instance Sequence. */
    sourceInstances?: readonly { sopClassUid: string; sopInstanceUid: string }[];
  },
): { bytes: Uint8Array; sopInstanceUid: string; seriesInstanceUid: string } {
  if (pdfBytes.length < 5 || String.fromCharCode(...pdfBytes.subarray(0, 5)) !== '%PDF-') {
    throw new PlannerError('report/bad-input', 'the document to encapsulate is not a PDF (no %PDF- header)');
  }
  const uid = uidMaker(meta.uidSeed);
  const sopInstanceUid = uid('pdf-sop');
  const seriesInstanceUid = uid('pdf-series');
  const { date, time, dateTime } = dicomDateTime(meta.createdAtIso);
  const s = meta.study;
  // Each source image once (a multi-frame image serves several slices).
  const sources = [...new Map((meta.sourceInstances ?? []).map((r) => [r.sopInstanceUid, r])).values()];
  const elements: DataElement[] = [
    // SOP Common
    { tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' },
    { tag: 0x00080012, vr: 'DA', value: date },
    { tag: 0x00080013, vr: 'TM', value: time },
    { tag: 0x00080016, vr: 'UI', value: ENCAPSULATED_PDF_SOP_CLASS },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
    // Patient
    { tag: 0x00100010, vr: 'PN', value: s.patientName },
    { tag: 0x00100020, vr: 'LO', value: s.patientId },
    { tag: 0x00100030, vr: 'DA', value: s.patientBirthDate ?? '' },
    { tag: 0x00100040, vr: 'CS', value: s.patientSex ?? '' },
    // General Study
    { tag: 0x0020000d, vr: 'UI', value: s.studyInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: s.studyDate ?? '' },
    { tag: 0x00080030, vr: 'TM', value: s.studyTime ?? '' },
    { tag: 0x00080090, vr: 'PN', value: s.referringPhysicianName ?? '' },
    { tag: 0x00200010, vr: 'SH', value: s.studyId ?? '' },
    { tag: 0x00080050, vr: 'SH', value: s.accessionNumber ?? '' },
    ...(s.studyDescription ? [{ tag: 0x00081030, vr: 'LO' as const, value: lo(s.studyDescription) }] : []),
    // Encapsulated Document Series
    { tag: 0x00080060, vr: 'CS', value: 'DOC' },
    { tag: 0x0020000e, vr: 'UI', value: seriesInstanceUid },
    { tag: 0x00200011, vr: 'IS', value: meta.seriesNumber ?? 901 },
    { tag: 0x0008103e, vr: 'LO', value: lo(meta.seriesDescription ?? 'Screw trajectory report (PDF)') },
    // General Equipment
    { tag: 0x00080070, vr: 'LO', value: lo(meta.software.name) },
    { tag: 0x00081090, vr: 'LO', value: lo(meta.software.name) },
    { tag: 0x00181020, vr: 'LO', value: lo(meta.software.version) },
    // SC Equipment: a document made on a workstation.
    { tag: 0x00080064, vr: 'CS', value: 'WSD' },
    // Encapsulated Document
    { tag: 0x00200013, vr: 'IS', value: 1 },
    { tag: 0x00080023, vr: 'DA', value: date },
    { tag: 0x00080033, vr: 'TM', value: time },
    { tag: 0x0008002a, vr: 'DT', value: dateTime },
    { tag: 0x00280301, vr: 'CS', value: meta.containsIdentity ? 'YES' : 'NO' },
    { tag: 0x00420010, vr: 'ST', value: meta.documentTitle },
    {
      tag: 0x0040a043,
      vr: 'SQ',
      value: [[
        { tag: 0x00080100, vr: 'SH', value: REPORT_CONCEPT_CODE.CodeValue },
        { tag: 0x00080102, vr: 'SH', value: REPORT_CONCEPT_CODE.CodingSchemeDesignator },
        { tag: 0x00080104, vr: 'LO', value: REPORT_CONCEPT_CODE.CodeMeaning },
      ]],
    },
    ...(sources.length > 0
      ? [{
          tag: 0x00420013,
          vr: 'SQ' as const,
          value: sources.map((r) => [
            { tag: 0x00081150, vr: 'UI' as const, value: r.sopClassUid },
            { tag: 0x00081155, vr: 'UI' as const, value: r.sopInstanceUid },
          ]),
        }]
      : []),
    { tag: 0x00420012, vr: 'LO', value: 'application/pdf' },
    // The writer pads the OB value to an even length with a NUL; the length says where the PDF ends.
    { tag: 0x00420011, vr: 'OB', value: pdfBytes },
    { tag: 0x00420015, vr: 'UL', value: pdfBytes.length },
  ];
  return { bytes: writePart10(elements), sopInstanceUid, seriesInstanceUid };
}

/** CIELab (PS3.3 C.10.7.1.1 scaling) of the report's screw yellow. */
const SCREW_CIELAB: [number, number, number] = [Math.round((88 / 100) * 65535), Math.round(((0 + 128) / 255) * 65535), Math.round(((85 + 128) / 255) * 65535)];

/**
 * The plan's screws as a BINARY SEG on the planning grid: one segment per
 * screw, label "Screw <n> <corridor> <side> <diameter> x <length> mm" (n as in
 * the report), voxels whose centre lies inside the cylinder of the screw's
 * diameter from bone entry to tip. Throws `report/bad-input` for a plan
 * without screws.
 */
export function writeScrewSeg(
  plan: PlanContent,
  meta: DicomWriteMeta & { referencedSlices?: readonly { sopClassUid: string; sopInstanceUid: string; frameNumber?: number }[] },
): { bytes: Uint8Array; seriesInstanceUid: string } {
  if (plan.screws.length === 0) throw new PlannerError('report/bad-input', 'the plan has no screw to send');
  const pg = plan.series.geometry;
  const g = createVolumeGeometry({ dims: pg.dims, spacingMm: pg.spacingMm, originLps: pg.originLps, direction: pg.direction });
  const [ni, nj] = g.dims;
  const segments: SegSegment[] = plan.screws.map((screw, n) => {
    const a = screw.entryLps, b = screw.tipLps;
    const d = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    const len = Math.hypot(d[0]!, d[1]!, d[2]!);
    if (!(len > 0)) throw new PlannerError('report/bad-input', `screw ${n + 1} (${screw.id}): entry and tip coincide`);
    const u = d.map((c) => c / len);
    const r = screw.diameterMm / 2;
    // Voxel index bounds of the cylinder (its box widened by the radius).
    const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    const q: [number, number, number] = [0, 0, 0];
    for (const p of [a, b]) for (let c = 0; c < 8; c++) {
      transformPoint(q, g.lpsToIjk, [p[0] + (c & 1 ? r : -r), p[1] + (c & 2 ? r : -r), p[2] + (c & 4 ? r : -r)]);
      for (let x = 0; x < 3; x++) { lo[x] = Math.min(lo[x]!, q[x]!); hi[x] = Math.max(hi[x]!, q[x]!); }
    }
    const m = g.ijkToLps;
    const side = screw.side ? ` ${screw.side}` : '';
    return {
      label: `Screw ${n + 1} ${screw.corridorId}${side} ${fixed1(screw.diameterMm)} x ${fixed1(screw.lengthMm)} mm`.slice(0, 64),
      algorithmType: 'SEMIAUTOMATIC',
      // SNOMED CT: Physical object / Bone screw.
      category: { CodeValue: '260787004', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Physical object' },
      type: { CodeValue: '68183006', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Bone screw' },
      cieLab: SCREW_CIELAB,
      fill: (k, out) => {
        out.fill(0);
        if (k < Math.floor(lo[2]!) || k > Math.ceil(hi[2]!)) return false;
        let any = false;
        for (let j = Math.max(0, Math.floor(lo[1]!)); j <= Math.min(nj - 1, Math.ceil(hi[1]!)); j++) {
          for (let i = Math.max(0, Math.floor(lo[0]!)); i <= Math.min(ni - 1, Math.ceil(hi[0]!)); i++) {
            const vx = m[0]! * i + m[4]! * j + m[8]! * k + m[12]! - a[0];
            const vy = m[1]! * i + m[5]! * j + m[9]! * k + m[13]! - a[1];
            const vz = m[2]! * i + m[6]! * j + m[10]! * k + m[14]! - a[2];
            const t = vx * u[0]! + vy * u[1]! + vz * u[2]!;
            if (t < 0 || t > len) continue;
            const ox = vx - u[0]! * t, oy = vy - u[1]! * t, oz = vz - u[2]! * t;
            if (ox * ox + oy * oy + oz * oz <= r * r) {
              out[i + ni * j] = 1;
              any = true;
            }
          }
        }
        return any;
      },
    };
  });
  const uid = uidMaker(meta.uidSeed);
  const seriesInstanceUid = uid('seg-series');
  const seriesSeed = meta.uidSeed === undefined ? undefined : `${meta.uidSeed}:seg`;
  const s = meta.study;
  const { date } = dicomDateTime(meta.createdAtIso);
  const bytes = writeSegSegments(g, segments, {
    patientName: s.patientName,
    patientId: s.patientId,
    studyInstanceUid: s.studyInstanceUid,
    // The planning series is referenced only with its images (an empty image list is not valid DICOM).
    ...(meta.referencedSlices ? { referencedSeriesInstanceUid: plan.series.seriesInstanceUid, referencedSlices: meta.referencedSlices } : {}),
    ...(plan.series.frameOfReferenceUid ? { frameOfReferenceUid: plan.series.frameOfReferenceUid } : {}),
    studyDate: s.studyDate || date,
    seriesDescription: lo(meta.seriesDescription ?? 'Planned screws'),
    seriesNumber: meta.seriesNumber ?? 902,
    ...(seriesSeed !== undefined ? { uidSeed: seriesSeed } : {}),
    softwareVersion: meta.software.version,
    contentLabel: 'SCREWS',
    contentDescription: 'Planned screws (cylinders)',
    contentCreatorName: 'Planner^Screw',
    seriesInstanceUid,
  });
  return { bytes, seriesInstanceUid };
}
