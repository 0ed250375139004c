/**
 * Test fixtures (node only): phantom CT series as Part 10 files for the PACS
 * tests, cropped to a slab of slices so uploads stay fast, plus compressed
 * copies made with dcmtk / gdcm.
 */
import { generatePhantom, type Phantom } from '../../../../sample-dicom/generatePhantom';
import { createVolume, type Volume } from '../../volume/Volume';
import { createVolumeGeometry } from '../../volume/VolumeGeometry';
import { writeCtSeries, type CtSeriesMeta } from '../../dicom/writeCtSeries';
import { compressWith } from '../../dicom/testing/dicomTools';

let phantomCache: Phantom | undefined;

/** The small sacralAla phantom (generated once per test process). */
export function smallPhantom(): Phantom {
  phantomCache ??= generatePhantom({ caseId: 'sacralAla', size: 'small' });
  return phantomCache;
}

/** Slices k0..k1-1 of a volume as a new Volume with the matching origin. */
export function cropSlices(volume: Volume<Int16Array>, k0: number, k1: number, id: string): Volume<Int16Array> {
  const g = volume.geometry;
  const [ni, nj] = g.dims;
  const m = g.ijkToLps;
  const originLps = [m[8]! * k0 + m[12]!, m[9]! * k0 + m[13]!, m[10]! * k0 + m[14]!] as const;
  const geometry = createVolumeGeometry({ dims: [ni, nj, k1 - k0], spacingMm: g.spacingMm, originLps, direction: g.direction });
  return createVolume(id, volume.kind, geometry, volume.voxels.slice(ni * nj * k0, ni * nj * k1));
}

export type FixtureSeries = {
  volume: Volume<Int16Array>;
  meta: CtSeriesMeta;
  files: { name: string; bytes: Uint8Array }[];
};

/** A slab of the phantom as a CT series with the given identity. */
export function phantomSeries(meta: CtSeriesMeta, k0 = 50, k1 = 70): FixtureSeries {
  const volume = cropSlices(smallPhantom().ct, k0, k1, `fixture-${meta.uidSeed ?? meta.seriesDescription}`);
  return { volume, meta, files: writeCtSeries(volume, meta) };
}

export type Compression = 'jpegLossless' | 'jpeg2000';

/** dcmcjpeg +e1 (JPEG Lossless SV1, 1.2.840.10008.1.2.4.70) or gdcmconv --j2k (JPEG 2000 lossless, .90). */
export function compressSeries(files: readonly { name: string; bytes: Uint8Array }[], how: Compression): { name: string; bytes: Uint8Array }[] {
  return files.map((f) => ({
    name: f.name,
    bytes: how === 'jpegLossless' ? compressWith('dcmcjpeg', ['+e1'], f.bytes) : compressWith('gdcmconv', ['--j2k'], f.bytes),
  }));
}
