import dicomParser from 'dicom-parser';
import { describe, expect, it } from 'vitest';
import { generateBrokenInputs, type BrokenInput } from './brokenInputs';

const inputs = generateBrokenInputs();
const byName = (name: BrokenInput['name']) => inputs.find((b) => b.name === name)!;

type Parsed = { name: string; series: string; sop: string; modality: string; z: number; y: number; tilt: number | undefined; instance: number };

function parse(b: BrokenInput): { parsed: Parsed[]; failed: string[] } {
  const parsed: Parsed[] = [];
  const failed: string[] = [];
  for (const f of b.files) {
    try {
      const ds = dicomParser.parseDicom(f.bytes);
      const pixel = ds.elements['x7fe00010'];
      if (!pixel || pixel.dataOffset + pixel.length > f.bytes.length) throw new Error('pixel data incomplete');
      const ipp = ds.string('x00200032')!.split('\\').map(Number);
      const tilt = ds.string('x00181120');
      parsed.push({
        name: f.name, series: ds.string('x0020000e')!, sop: ds.string('x00080018')!, modality: ds.string('x00080060')!,
        y: ipp[1]!, z: ipp[2]!, tilt: tilt === undefined ? undefined : Number(tilt), instance: Number(ds.string('x00200013')),
      });
    } catch {
      failed.push(f.name);
    }
  }
  return { parsed, failed };
}

describe('generateBrokenInputs', () => {
  it('builds every broken input the loader must survive, each with an expectation', () => {
    expect(inputs.map((b) => b.name).sort()).toEqual(
      ['gantryTilt', 'missingSlice', 'mrSeries', 'nonDicomFile', 'reversedFileOrder', 'truncatedFile', 'twoSeries', 'unevenSpacing'],
    );
    for (const b of inputs) {
      expect(b.expected.length).toBeGreaterThan(20);
      expect(new Set(b.files.map((f) => f.name)).size).toBe(b.files.length);
    }
  });

  it('is deterministic', () => {
    const again = generateBrokenInputs();
    for (let n = 0; n < inputs.length; n++) {
      expect(again[n]!.files.map((f) => f.bytes.length)).toEqual(inputs[n]!.files.map((f) => f.bytes.length));
      expect(Buffer.from(again[n]!.files[3]!.bytes).equals(Buffer.from(inputs[n]!.files[3]!.bytes))).toBe(true);
    }
  });

  it('leaves a 4 mm gap for the missing slice and one 3 mm step for uneven spacing', () => {
    const steps = (b: BrokenInput) => {
      const z = parse(b).parsed.map((p) => p.z).sort((a, c) => a - c);
      return z.slice(1).map((v, n) => Math.round((v - z[n]!) * 100) / 100);
    };
    const missing = steps(byName('missingSlice'));
    expect(missing.filter((s) => s === 4)).toHaveLength(1);
    expect(missing.filter((s) => s === 2)).toHaveLength(missing.length - 1);
    const uneven = steps(byName('unevenSpacing'));
    expect(uneven.filter((s) => s === 3)).toHaveLength(1);
    expect(uneven.filter((s) => s === 2)).toHaveLength(uneven.length - 1);
  });

  it('writes the gantry tilt into the tag and into the positions', () => {
    const p = parse(byName('gantryTilt')).parsed.sort((a, b) => a.z - b.z);
    expect(p[0]!.tilt).toBeCloseTo(15, 3);
    const dy = p[1]!.y - p[0]!.y, dz = p[1]!.z - p[0]!.z;
    expect((Math.atan2(dy, dz) * 180) / Math.PI).toBeCloseTo(15, 3);
    expect(dz).toBeCloseTo(2, 6);
  });

  it('puts two distinct series in one folder, reverses file names, truncates one file, adds non-DICOM files, makes an MR series', () => {
    const two = parse(byName('twoSeries')).parsed;
    expect(new Set(two.map((p) => p.series)).size).toBe(2);
    expect(new Set(two.map((p) => p.sop)).size).toBe(two.length);

    const rev = byName('reversedFileOrder');
    const rp = parse(rev).parsed;
    const first = rp.find((p) => p.name === 'IM000001.dcm')!;
    expect(first.z).toBe(Math.max(...rp.map((p) => p.z)));

    const trunc = parse(byName('truncatedFile'));
    expect(trunc.failed).toHaveLength(1);

    const non = parse(byName('nonDicomFile'));
    expect(non.failed.sort()).toEqual(['DICOMDIR_BROKEN', 'notes.txt']);

    const mr = parse(byName('mrSeries')).parsed;
    expect(mr.every((p) => p.modality === 'MR')).toBe(true);
  });
});
