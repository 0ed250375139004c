import dicomParser from 'dicom-parser';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNrrd } from '../src/core/io/nrrd';
import { PHANTOM_GENERATOR_VERSION, generatePhantom } from './generatePhantom';
import type { PhantomTruth } from './truth';
import { writePhantomSeries, type SeriesManifest } from './writePhantomSeries';

describe('writePhantomSeries', () => {
  it('writes a series directory whose manifest, DICOM, labels and truth agree with the phantom', () => {
    const p = generatePhantom({ caseId: 'sacralAlaCbct', size: 'small' });
    const dir = mkdtempSync(join(tmpdir(), 'phantom-'));
    try {
      const m = writePhantomSeries(p, dir, { preview: true });
      const onDisk = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as SeriesManifest;
      expect(onDisk).toEqual(m);
      expect(m.generatorVersion).toBe(PHANTOM_GENERATOR_VERSION);
      expect(m.dicom).toHaveLength(p.ct.geometry.dims[2]);
      for (const f of m.dicom) expect(existsSync(join(dir, f)), f).toBe(true);
      expect(existsSync(join(dir, 'preview-axial.png'))).toBe(true);

      // Slice 10: position, spacing and pixels as generated (CBCT grey values stored as is).
      const [ni, nj] = p.ct.geometry.dims;
      const ds = dicomParser.parseDicom(new Uint8Array(readFileSync(join(dir, m.dicom[10]!))));
      const ipp = ds.string('x00200032')!.split('\\').map(Number);
      expect(ipp[2]).toBeCloseTo(p.ct.geometry.originLps[2] + 10 * p.ct.geometry.spacingMm[2], 4);
      expect(ds.uint16('x00280010')).toBe(nj);
      expect(ds.uint16('x00280011')).toBe(ni);
      expect(ds.string('x0008103e')).toMatch(/CBCT.*not HU/);
      const px = ds.elements['x7fe00010']!;
      const pixels = new Int16Array(ds.byteArray.buffer.slice(ds.byteArray.byteOffset + px.dataOffset, ds.byteArray.byteOffset + px.dataOffset + px.length));
      expect(Array.from(pixels.subarray(0, 5000))).toEqual(Array.from(p.ct.voxels.subarray(10 * ni * nj, 10 * ni * nj + 5000)));

      const labels = readNrrd(new Uint8Array(readFileSync(join(dir, m.labels)))).volume;
      expect(labels.geometry.dims).toEqual(p.labels.geometry.dims);
      expect(Buffer.from(labels.voxels.buffer).equals(Buffer.from(p.labels.voxels.buffer))).toBe(true);

      const truth = JSON.parse(readFileSync(join(dir, m.truth), 'utf8')) as PhantomTruth;
      expect(truth).toEqual(p.truth);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
