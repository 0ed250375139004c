/**
 * DICOM folders the loader must survive, built from a small phantom series
 * (a 96 x 96 x 24 crop of the 'small' sacralAla phantom around the sacrum).
 * Each has a short description of the issue the loader should report.
 * Deterministic: same bytes every run.
 */
import { resolveCtSeriesMeta, SOP_CLASS, writeCtSeries, type CtSeriesMeta } from '../src/core/dicom/writeCtSeries';
import { createVolume, type Volume } from '../src/core/volume/Volume';
import { createVolumeGeometry } from '../src/core/volume/VolumeGeometry';
import { DEFAULT_SEED, generatePhantom } from './generatePhantom';

export type DicomFile = { name: string; bytes: Uint8Array };

export type BrokenInput = {
  name: 'missingSlice' | 'unevenSpacing' | 'gantryTilt' | 'twoSeries' | 'reversedFileOrder' | 'truncatedFile' | 'nonDicomFile' | 'mrSeries';
  files: DicomFile[];
  /** What the loader is expected to notice and do, in a sentence. */
  expected: string;
};

/** A crop of the small sacralAla phantom: 96 x 96 x 24 voxels, 2 mm, around the S1 level. */
export function createBrokenInputSource(seed = DEFAULT_SEED): Volume<Int16Array> {
  const { ct } = generatePhantom({ caseId: 'sacralAla', size: 'small', seed });
  const [ni, nj] = ct.geometry.dims;
  const size: [number, number, number] = [96, 96, 24];
  // Centre the crop on the S1 body (LPS about (0, 10, -15)).
  const i0 = Math.round((0 - ct.geometry.originLps[0]) / ct.geometry.spacingMm[0]) - size[0] / 2;
  const j0 = Math.round((10 - ct.geometry.originLps[1]) / ct.geometry.spacingMm[1]) - size[1] / 2;
  const k0 = Math.round((-15 - ct.geometry.originLps[2]) / ct.geometry.spacingMm[2]) - size[2] / 2;
  const voxels = new Int16Array(size[0] * size[1] * size[2]);
  for (let k = 0; k < size[2]; k++) {
    for (let j = 0; j < size[1]; j++) {
      const src = i0 + ni * (j0 + j + nj * (k0 + k));
      voxels.set(ct.voxels.subarray(src, src + size[0]), size[0] * (j + size[1] * k));
    }
  }
  const g = ct.geometry;
  const geometry = createVolumeGeometry({
    dims: size,
    spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2]],
    originLps: [g.originLps[0] + i0 * g.spacingMm[0], g.originLps[1] + j0 * g.spacingMm[1], g.originLps[2] + k0 * g.spacingMm[2]],
  });
  return createVolume('broken-source', 'ct', geometry, voxels);
}

function meta(name: string, extra: Partial<CtSeriesMeta> = {}): CtSeriesMeta {
  return {
    patientName: 'PHANTOM^BROKEN',
    patientId: 'PH-BROKEN',
    studyDescription: 'Synthetic pelvis phantom (not a patient): broken input',
    seriesDescription: name,
    uidSeed: `phantom/broken/${name}`,
    windowCenter: 400,
    windowWidth: 1800,
    ...extra,
  };
}

/** Every broken input, in memory. */
export function generateBrokenInputs(seed = DEFAULT_SEED): BrokenInput[] {
  const source = createBrokenInputSource(seed);
  const nk = source.geometry.dims[2];
  const out: BrokenInput[] = [];

  out.push({
    name: 'missingSlice',
    files: writeCtSeries(source, meta('missing slice'), { perSlice: (k) => (k === 11 ? 'skip' : undefined) }),
    expected: `one series of ${nk - 1} slices with a gap: slice 12 of ${nk} is missing (4 mm step where the others are 2 mm); report the gap, do not assume uniform spacing`,
  });

  {
    const g = source.geometry;
    const m = g.ijkToLps;
    out.push({
      name: 'unevenSpacing',
      files: writeCtSeries(source, meta('uneven spacing'), {
        perSlice: (k) => (k >= 12 ? { imagePositionLps: [m[12]!, m[13]!, m[14]! + k * g.spacingMm[2] + 1] } : undefined),
      }),
      expected: 'one series whose slice step is 2 mm except one 3 mm step between slices 12 and 13; report non-uniform spacing (resample or refuse), never place slices at a constant step',
    });
  }

  {
    // 15 degree gantry tilt: the slice axis is sheared along the column (y) direction.
    const tiltRad = (15 * Math.PI) / 180;
    const g = source.geometry;
    const kAxis = [0, Math.sin(tiltRad), Math.cos(tiltRad)];
    const tilted = createVolume('tilted', 'ct', createVolumeGeometry({
      dims: g.dims,
      spacingMm: [g.spacingMm[0], g.spacingMm[1], g.spacingMm[2] / Math.cos(tiltRad)],
      originLps: g.originLps,
      direction: [1, 0, 0, 0, 1, 0, kAxis[0]!, kAxis[1]!, kAxis[2]!],
    }), source.voxels);
    out.push({
      name: 'gantryTilt',
      files: writeCtSeries(tilted, meta('gantry tilt 15 deg')),
      expected: 'one series acquired with a 15 degree gantry tilt (GantryDetectorTilt 15, positions shifted 0.54 mm in y per slice): assemble a sheared volume (or resample) and report the tilt',
    });
  }

  {
    const metaA = meta('soft tissue kernel', { seriesNumber: 2, uidSeed: 'phantom/broken/twoSeries/a' });
    const resolvedA = resolveCtSeriesMeta(metaA);
    const a = writeCtSeries(source, metaA);
    // Same study and frame of reference, another series (and other SOP instance UIDs).
    const b = writeCtSeries(source, meta('bone kernel', {
      seriesNumber: 3, uidSeed: 'phantom/broken/twoSeries/b', studyInstanceUid: resolvedA.studyInstanceUid,
      frameOfReferenceUid: resolvedA.frameOfReferenceUid, windowCenter: 500, windowWidth: 2000,
    }));
    out.push({
      name: 'twoSeries',
      files: [...a.map((f) => ({ name: `A_${f.name}`, bytes: f.bytes })), ...b.map((f) => ({ name: `B_${f.name}`, bytes: f.bytes }))],
      expected: `two series (${nk} slices each, same study and frame of reference) in one folder: list both and let the user choose; never merge them into one volume`,
    });
  }

  {
    const files = writeCtSeries(source, meta('reversed file order'));
    out.push({
      name: 'reversedFileOrder',
      files: files.map((f, n) => ({ name: `IM${String(files.length - n).padStart(6, '0')}.dcm`, bytes: f.bytes })).reverse(),
      expected: 'one normal series whose file names run from head to feet (IM000001 is the most superior slice): order slices by ImagePositionPatient along the normal, not by name; the volume must equal the normal one',
    });
  }

  {
    const files = writeCtSeries(source, meta('truncated file'));
    const victim = files[7]!;
    files[7] = { name: victim.name, bytes: victim.bytes.slice(0, Math.floor(victim.bytes.length * 0.6)) };
    out.push({
      name: 'truncatedFile',
      files,
      expected: `one series with ${victim.name} cut to 60% of its bytes (pixel data incomplete): report that file as truncated and the series as missing slice 8`,
    });
  }

  {
    const files = writeCtSeries(source, meta('with a non-DICOM file'));
    const note = Uint8Array.from('Scan notes: pelvis, supine, feet first.\n', (c) => c.charCodeAt(0));
    out.push({
      name: 'nonDicomFile',
      files: [...files, { name: 'notes.txt', bytes: note }, { name: 'DICOMDIR_BROKEN', bytes: new Uint8Array(200) }],
      expected: `one complete series of ${nk} slices plus two files that are not DICOM (notes.txt and 200 zero bytes without the DICM preamble): skip them with a notice, load the series`,
    });
  }

  out.push({
    name: 'mrSeries',
    files: writeCtSeries(source, meta('MR T1 (not CT)', { uidSeed: 'phantom/broken/mr' }), {
      perSlice: () => ({ modality: 'MR', sopClassUid: SOP_CLASS.mrImage }),
    }),
    expected: 'one MR series (Modality MR, MR Image Storage): refuse to plan on it with a clear message (not CT), or load it for viewing only',
  });
  return out;
}
