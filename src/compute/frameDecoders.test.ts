import { describe, expect, it } from 'vitest';
import { assembleSeries } from '../core/dicom/assembleSeries';
import { indexDicomFiles } from '../core/dicom/indexDicomFiles';
import { compressWith, dcmdump, toArrayBuffer } from '../core/dicom/testing/dicomTools';
import { writeCtSeries } from '../core/dicom/writeCtSeries';
import { TRANSFER_SYNTAX } from '../core/dicom/writePart10';
import { errorCodeOf } from '../core/shared/errors';
import { createVolume, type Volume } from '../core/volume/Volume';
import { createVolumeGeometry } from '../core/volume/VolumeGeometry';
import { createFrameDecoder } from './frameDecoders';

/** Phantom-like CT slices: air, soft tissue, cortical ring, trabecular noise, metal; full signed range used. */
function ctLike(): Volume<Int16Array> {
  const [ni, nj, nk] = [96, 80, 3];
  const voxels = new Int16Array(ni * nj * nk);
  let seed = 12345;
  const rand = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < nk; k++) for (let j = 0; j < nj; j++) for (let i = 0; i < ni; i++) {
    const x = (i - 48) / 40, y = (j - 40) / 32;
    const r = Math.hypot(x, y);
    const bone = Math.hypot((i - 48) / 12, (j - 40) / 10);
    let hu = r > 1 ? -1000 : 40;
    if (bone < 1) hu = bone > 0.8 ? 1500 : 250;
    if (i === 20 && j > 30 && j < 40) hu = 3071; // metal
    voxels[i + ni * (j + nj * k)] = Math.round(hu + (rand() - 0.5) * 60 - (r > 1 && rand() < 0.1 ? 24 : 0));
  }
  const geometry = createVolumeGeometry({ dims: [ni, nj, nk], spacingMm: [0.7, 0.7, 1.5], originLps: [-33, -28, 50] });
  return createVolume('ct-like', 'ct', geometry, voxels);
}

const CASES: { name: string; tool: 'dcmcjpeg' | 'dcmcjpls' | 'dcmcrle' | 'gdcmconv'; args: string[]; ts: string }[] = [
  { name: 'JPEG Lossless SV1 (.70)', tool: 'dcmcjpeg', args: ['+e1'], ts: TRANSFER_SYNTAX.jpegLossless70 },
  { name: 'JPEG Lossless Process 14 (.57)', tool: 'dcmcjpeg', args: ['+el'], ts: TRANSFER_SYNTAX.jpegLossless57 },
  { name: 'JPEG-LS lossless (.80)', tool: 'dcmcjpls', args: [], ts: TRANSFER_SYNTAX.jpegLsLossless },
  { name: 'JPEG 2000 lossless (.90)', tool: 'gdcmconv', args: ['--j2k'], ts: TRANSFER_SYNTAX.jpeg2000Lossless },
  { name: 'RLE Lossless', tool: 'dcmcrle', args: [], ts: TRANSFER_SYNTAX.rle },
];

describe('createFrameDecoder', () => {
  const decoder = createFrameDecoder();
  for (const c of CASES) {
    for (const flavour of ['signed', 'unsigned (intercept -1024)'] as const) {
      it(`decodes ${c.name}, ${flavour}, to the exact voxels written`, async () => {
        const source = ctLike();
        const unsigned = flavour !== 'signed';
        if (unsigned) for (let n = 0; n < source.voxels.length; n++) source.voxels[n] = Math.max(-1024, source.voxels[n]!);
        const meta = { patientName: 'Codec^Test', patientId: 'C1', seriesDescription: c.name, uidSeed: `codec-${c.ts}-${flavour}`, ...(unsigned ? { rescaleIntercept: -1024 } : {}) };
        // Unsigned: stored values are >= 0, so PixelRepresentation 0 reads the same bits as unsigned.
        const override = unsigned ? { extraElements: [{ tag: 0x00280103, vr: 'US' as const, value: 0 }] } : undefined;
        const files = writeCtSeries(source, meta, { perSlice: () => override }).map((f) => ({
          name: f.name,
          bytes: toArrayBuffer(compressWith(c.tool, c.args, f.bytes)),
        }));
        expect(dcmdump(new Uint8Array(files[0]!.bytes))).toContain(`(0002,0010) UI =`);
        const index = indexDicomFiles(files);
        expect(index.series[0]!.transferSyntaxUid).toBe(c.ts);
        const { volume } = await assembleSeries(index, index.series[0]!.key, { shared: false, decoder });
        expect(volume.geometry.dims).toEqual(source.geometry.dims);
        let differences = 0;
        for (let n = 0; n < source.voxels.length; n++) if (volume.voxels[n] !== source.voxels[n]) differences++;
        expect(differences).toBe(0);
      });
    }
  }

  it('names the file when a compressed frame is damaged', async () => {
    const files = writeCtSeries(ctLike(), { patientName: 'X', patientId: 'X', seriesDescription: 'x', uidSeed: 'damaged' }).map((f) => ({
      name: f.name,
      bytes: compressWith('dcmcrle', [], f.bytes),
    }));
    // Corrupt the RLE header of the second file's frame: it now claims 3 segments for 16-bit pixels.
    const bytes = files[1]!.bytes;
    const header = Buffer.from(bytes).indexOf(Buffer.from([0x02, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00]));
    expect(header).toBeGreaterThan(0);
    bytes[header] = 3;
    const index = indexDicomFiles(files.map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) })));
    const error = await assembleSeries(index, index.series[0]!.key, { shared: false, decoder }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('dicom/bad-attributes');
    expect(String(error)).toContain('IM000002.dcm: its compressed image (RLE Lossless) could not be decoded (RLE: 3 segments for 16-bit pixels)');
  });

  it('refuses a compressed series when no decoder is given, saying what to do', async () => {
    const files = writeCtSeries(ctLike(), { patientName: 'X', patientId: 'X', seriesDescription: 'x', uidSeed: 'nodec' }).map((f) => ({
      name: f.name,
      bytes: toArrayBuffer(compressWith('dcmcrle', [], f.bytes)),
    }));
    const index = indexDicomFiles(files);
    const error = await assembleSeries(index, index.series[0]!.key, { shared: false }).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('dicom/unsupported-transfer-syntax');
    expect(String(error)).toContain('no decoder for it is available here');
  });
});
