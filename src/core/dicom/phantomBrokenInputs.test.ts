import { describe, expect, it } from 'vitest';
import { createBrokenInputSource, generateBrokenInputs, type BrokenInput } from '../../../sample-dicom/brokenInputs';
import { errorCodeOf } from '../shared/errors';
import { isSameGrid } from '../volume/VolumeGeometry';
import { assembleSeries } from './assembleSeries';
import { indexDicomFiles } from './indexDicomFiles';
import { toArrayBuffer } from './testing/dicomTools';

/**
 * The phantom generator's broken inputs (sample-dicom/brokenInputs.ts), each
 * loaded the way the app does and checked against what its `expected`
 * sentence asks, and against the source volume they were cut from.
 */
const inputs = generateBrokenInputs();
const source = createBrokenInputSource();
const byName = (name: BrokenInput['name']): BrokenInput => inputs.find((i) => i.name === name)!;
const asFiles = (input: BrokenInput) => input.files.map((f) => ({ name: f.name, bytes: toArrayBuffer(f.bytes) }));
const [ni, nj, nk] = source.geometry.dims;
const plane = ni * nj;

async function loadFirst(input: BrokenInput) {
  const index = indexDicomFiles(asFiles(input));
  const usable = index.series.filter((s) => s.usable);
  const result = await assembleSeries(index, usable[0]!.key, { shared: false });
  return { index, ...result };
}

function slicesEqual(a: ArrayLike<number>, ka: number, b: ArrayLike<number>, kb: number): boolean {
  for (let n = 0; n < plane; n++) if (a[ka * plane + n] !== b[kb * plane + n]) return false;
  return true;
}

describe('phantom broken inputs through the loader', () => {
  it('covers the eight cases the generator writes', () => {
    expect(inputs.map((i) => i.name).sort()).toEqual(['gantryTilt', 'missingSlice', 'mrSeries', 'nonDicomFile', 'reversedFileOrder', 'truncatedFile', 'twoSeries', 'unevenSpacing']);
  });

  it('missingSlice: gap reported with its size, filled by interpolation on the true grid', async () => {
    const { volume, issues, info } = await loadFirst(byName('missingSlice'));
    const gap = issues.find((i) => i.code === 'missing-slices')!;
    expect(gap.message).toMatch(/1 slice\(s\) are missing: .*a 4 mm gap where the step is 2 mm/);
    expect(isSameGrid(volume.geometry, source.geometry, 1e-4)).toBe(true);
    expect(info.interpolatedSlices).toHaveLength(1);
    const k = info.interpolatedSlices[0]!;
    for (let s = 0; s < nk; s++) if (s !== k) expect(slicesEqual(volume.voxels, s, source.voxels, s)).toBe(true);
  });

  it('unevenSpacing: reported, never placed at a constant step without saying so', async () => {
    const { issues, volume } = await loadFirst(byName('unevenSpacing'));
    expect(issues.find((i) => i.code === 'uneven-spacing')!.message).toMatch(/Slice spacing is uneven: 1 step\(s\) between 3 and 3 mm where the usual step is 2 mm/);
    expect(volume.geometry.spacingMm[2]).toBeCloseTo(2, 6);
  });

  it('gantryTilt: sheared geometry with the 15 degree tilt, voxels as written', async () => {
    const { issues, info, volume } = await loadFirst(byName('gantryTilt'));
    expect(issues.find((i) => i.code === 'gantry-tilt')!.message).toMatch(/gantry tilt of 15 degrees/);
    expect(info.gantryTiltDeg).toBeCloseTo(15, 1);
    expect(volume.geometry.dims).toEqual(source.geometry.dims);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('twoSeries: both listed for the user to choose, never merged', () => {
    const index = indexDicomFiles(asFiles(byName('twoSeries')));
    expect(index.series.filter((s) => s.usable)).toHaveLength(2);
    expect(index.series.every((s) => s.sliceCount === nk)).toBe(true);
    expect(index.issues.find((i) => i.code === 'several-series')!.message).toMatch(/These files hold 2 series/);
  });

  it('reversedFileOrder: ordered by position, the volume equals the source', async () => {
    const { volume, issues } = await loadFirst(byName('reversedFileOrder'));
    expect(issues).toEqual([]);
    expect(isSameGrid(volume.geometry, source.geometry, 1e-4)).toBe(true);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('truncatedFile: that file named as cut short, the series loads with the gap reported', async () => {
    const input = byName('truncatedFile');
    const { index, issues } = await loadFirst(input);
    const truncated = index.issues.find((i) => i.code === 'truncated')!;
    expect(truncated.message).toMatch(/is cut short \(an incomplete copy or download\); it was skipped/);
    expect(issues.some((i) => i.code === 'missing-slices')).toBe(true);
  });

  it('nonDicomFile: both extra files skipped with a notice, the series loads whole', async () => {
    const { index, volume } = await loadFirst(byName('nonDicomFile'));
    const skipped = index.issues.filter((i) => i.code === 'not-dicom');
    expect(skipped.map((i) => i.files[0]).sort()).toEqual(['DICOMDIR_BROKEN', 'notes.txt']);
    expect(Array.from(volume.voxels)).toEqual(Array.from(source.voxels));
  });

  it('mrSeries: refused for planning with a clear message', () => {
    let error: unknown;
    try {
      indexDicomFiles(asFiles(byName('mrSeries')));
    } catch (e) {
      error = e;
    }
    expect(errorCodeOf(error)).toBe('dicom/not-ct');
    expect(String(error)).toMatch(/These files hold MR images only\. Screw planning needs a CT or cone-beam CT/);
  });
});
