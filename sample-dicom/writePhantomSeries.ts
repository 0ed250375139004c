/**
 * Writes a generated phantom to disk in the layout the app and the e2e tests
 * load (see README.md): DICOM series, labels.nrrd, truth.json, manifest.json.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeCtSeries } from '../src/core/dicom/writeCtSeries';
import { writeNrrd } from '../src/core/io/nrrd';
import { PHANTOM_GENERATOR_VERSION, type Phantom } from './generatePhantom';
import { renderPreview } from './phantom/preview';
import type { PhantomCaseId, PhantomSize } from './truth';

export type SeriesManifest = {
  version: 1;
  /** PHANTOM_GENERATOR_VERSION that wrote the directory. */
  generatorVersion: number;
  caseId: PhantomCaseId;
  size: PhantomSize;
  seed: number;
  /** Relative to the manifest, in slice order. */
  dicom: string[];
  labels: string;
  truth: string;
  description: string;
};

/**
 * Writes one phantom as a directory: dicom/IM*.dcm, labels.nrrd, truth.json,
 * optional preview PNGs, and manifest.json last (its presence means complete).
 * Replaces the directory if it exists.
 */
export function writePhantomSeries(p: Phantom, dir: string, options: { preview?: boolean } = {}): SeriesManifest {
  const preview = options.preview ?? false;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'dicom'), { recursive: true });
  const { caseId, size, seed } = p.truth;
  const cbct = caseId === 'sacralAlaCbct';
  const description = cbct
    ? `Phantom ${caseId} ${size}: CBCT, grey = ${p.truth.greyMapping.slope} HU + ${p.truth.greyMapping.intercept} (not HU)`
    : `Phantom ${caseId} ${size}: CT`;
  const files = writeCtSeries(p.ct, {
    patientName: `PHANTOM^${caseId.toUpperCase()}`,
    patientId: `PH-${caseId}`,
    studyDescription: 'Synthetic pelvis phantom (not a patient)',
    seriesDescription: description.slice(0, 64),
    studyDate: '20260101',
    manufacturer: 'pelvic-screw-planner phantom',
    uidSeed: `phantom/${caseId}/${size}/${seed}`,
    windowCenter: cbct ? Math.round(p.truth.greyMapping.slope * 400 + p.truth.greyMapping.intercept) : 400,
    windowWidth: cbct ? Math.round(p.truth.greyMapping.slope * 1800) : 1800,
  });
  for (const f of files) writeFileSync(join(dir, 'dicom', f.name), f.bytes);
  writeFileSync(join(dir, 'labels.nrrd'), writeNrrd(p.labels));
  writeFileSync(join(dir, 'truth.json'), JSON.stringify(p.truth, null, 1));
  if (preview) {
    const window = cbct ? { center: 1300, width: 1400 } : { center: 300, width: 1500 };
    writeFileSync(join(dir, 'preview-axial.png'), renderPreview(p.ct, p.labels, [10, -15, -60, -95, -120].map((z) => ({ axis: 'axial' as const, atMm: z })), window));
    writeFileSync(join(dir, 'preview-coronal-sagittal.png'), renderPreview(p.ct, p.labels, [{ axis: 'coronal', atMm: 10 }, { axis: 'sagittal', atMm: 0 }, { axis: 'sagittal', atMm: 40 }], window));
  }
  const manifest: SeriesManifest = {
    version: 1, generatorVersion: PHANTOM_GENERATOR_VERSION, caseId, size, seed,
    dicom: files.map((f) => `dicom/${f.name}`),
    labels: 'labels.nrrd', truth: 'truth.json', description,
  };
  // Last: its presence means the directory is complete (--if-missing relies on it).
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

