import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { PlannerError } from '../shared/errors';
import { createVolume, type Volume } from '../volume/Volume';
import { createVolumeGeometry, ijkToLps } from '../volume/VolumeGeometry';
import type { VoxelArray } from '../volume/voxelBuffer';
import { readNrrd, writeNrrd } from './nrrd';

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const concat = (a: Uint8Array, b: Uint8Array) => {
  const o = new Uint8Array(a.length + b.length);
  o.set(a);
  o.set(b, a.length);
  return o;
};

function obliqueVolume<T extends VoxelArray>(voxels: T): Volume<T> {
  const c = Math.cos(0.3), s = Math.sin(0.3);
  const geometry = createVolumeGeometry({
    dims: [5, 4, 3],
    spacingMm: [0.7, 1.3, 2.5],
    originLps: [-12.25, 40.5, -300.125],
    direction: [c, s, 0, -s, c, 0, 0, 0, 1],
  });
  return createVolume('v', 'ct', geometry, voxels);
}

function fill<T extends VoxelArray>(a: T, f: (i: number) => number): T {
  for (let i = 0; i < a.length; i++) a[i] = f(i);
  return a;
}

describe('nrrd', () => {
  it.each([
    ['uint8', () => fill(new Uint8Array(60), (i) => (i * 37) % 256)],
    ['int16', () => fill(new Int16Array(60), (i) => i * 523 - 15000)],
    ['uint16', () => fill(new Uint16Array(60), (i) => i * 1000)],
    ['int32', () => fill(new Int32Array(60), (i) => i * 100000 - 3000000)],
    ['float', () => fill(new Float32Array(60), (i) => i * 0.25 - 3.5)],
  ] as const)('round-trips %s voxels and oblique LPS geometry, gzip and raw', (_name, make) => {
    for (const encoding of ['gzip', 'raw'] as const) {
      const v = obliqueVolume(make());
      const back = readNrrd(writeNrrd(v, { encoding }), { kind: 'ct' }).volume;
      expect(back.voxels.constructor).toBe(v.voxels.constructor);
      expect(Array.from(back.voxels)).toEqual(Array.from(v.voxels));
      expect(back.geometry.dims).toEqual(v.geometry.dims);
      for (let a = 0; a < 3; a++) expect(back.geometry.spacingMm[a]).toBeCloseTo(v.geometry.spacingMm[a]!, 10);
      for (let a = 0; a < 9; a++) expect(back.geometry.direction[a]).toBeCloseTo(v.geometry.direction[a]!, 12);
      const p = ijkToLps([0, 0, 0], back.geometry, [4, 3, 2]);
      const q = ijkToLps([0, 0, 0], v.geometry, [4, 3, 2]);
      for (let a = 0; a < 3; a++) expect(p[a]).toBeCloseTo(q[a]!, 9);
    }
  });

  it('writes the header 3D Slicer expects for a label map', () => {
    const v = createVolume('l', 'label', createVolumeGeometry({ dims: [2, 2, 2], spacingMm: [1, 2, 3], originLps: [10, 20, 30] }), new Uint8Array(8));
    const bytes = writeNrrd(v, { keyValues: { Segment0_Name: 'sacrum' } });
    const text = String.fromCharCode(...bytes.subarray(0, 400));
    const header = text.slice(0, text.indexOf('\n\n'));
    expect(header.split('\n')[0]).toBe('NRRD0004');
    expect(header).toContain('type: uint8');
    expect(header).toContain('dimension: 3');
    expect(header).toContain('space: left-posterior-superior');
    expect(header).toContain('sizes: 2 2 2');
    expect(header).toContain('space directions: (1,0,0) (0,2,0) (0,0,3)');
    expect(header).toContain('kinds: domain domain domain');
    expect(header).toContain('endian: little');
    expect(header).toContain('encoding: gzip');
    expect(header).toContain('space origin: (10,20,30)');
    expect(header).toContain('Segment0_Name:=sacrum');
    // gzip member right after the blank line.
    const start = text.indexOf('\n\n') + 2;
    expect([bytes[start], bytes[start + 1]]).toEqual([0x1f, 0x8b]);
    const r = readNrrd(bytes);
    expect(r.volume.kind).toBe('label');
    expect(r.keyValues['Segment0_Name']).toBe('sacrum');
  });

  it('converts a RAS-space file to LPS', () => {
    const header = [
      'NRRD0004', 'type: short', 'dimension: 3', 'space: right-anterior-superior', 'sizes: 2 1 1',
      'space directions: (-0.5,0,0) (0,-0.5,0) (0,0,2)', 'kinds: domain domain domain', 'endian: little', 'encoding: raw',
      'space origin: (100,50,-20)', '', '',
    ].join('\n');
    const data = new Uint8Array(new Int16Array([-1000, 400]).buffer);
    const v = readNrrd(concat(ascii(header), data)).volume;
    // RAS (100, 50) is LPS (-100, -50); the RAS axis -x is LPS +x.
    expect(v.geometry.originLps).toEqual([-100, -50, -20]);
    expect(v.geometry.direction).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(v.geometry.spacingMm).toEqual([0.5, 0.5, 2]);
    expect(Array.from(v.voxels)).toEqual([-1000, 400]);
  });

  it('reads big-endian data and old-style spacings', () => {
    const header = ['NRRD0004', 'type: int16', 'dimension: 3', 'sizes: 2 1 1', 'spacings: 0.8 0.9 1.5', 'endian: big', 'encoding: gzip', '', ''].join('\n');
    const data = gzipSync(new Uint8Array([0x01, 0x02, 0xff, 0xfe]));
    const v = readNrrd(concat(ascii(header), data)).volume;
    expect(Array.from(v.voxels)).toEqual([0x0102, -2]);
    expect(v.geometry.spacingMm).toEqual([0.8, 0.9, 1.5]);
  });

  it('rejects what it cannot read faithfully, naming the problem', () => {
    expect(() => readNrrd(ascii('P5\n2 2\n255\n'))).toThrow(/not a NRRD file/);
    const base = ['NRRD0004', 'type: uint8', 'dimension: 3', 'sizes: 2 2 2', 'encoding: raw'];
    expect(() => readNrrd(ascii([...base, 'data file: x.raw', '', ''].join('\n')))).toThrow(/detached/);
    expect(() => readNrrd(concat(ascii([...base, '', ''].join('\n')), new Uint8Array(5)))).toThrow(/5 bytes, the header promises 8/);
    expect(() => readNrrd(ascii(['NRRD0004', 'type: uint8', 'dimension: 4', 'sizes: 1 2 2 2', 'encoding: raw', '', ''].join('\n')))).toThrow(/only 3D/);
    expect(() => readNrrd(ascii([...base, 'space: scanner-xyz', '', ''].join('\n')))).toThrow(PlannerError);
    try {
      readNrrd(ascii('nope'));
    } catch (e) {
      expect((e as PlannerError).code).toBe('nrrd/bad-header');
    }
  });
});

// Cross-check with teem (the NRRD reference implementation; Debian teem-apps, see scripts/ensure-system-deps.sh).
const UNU = '/usr/bin/teem-unu';
describe.skipIf(!existsSync(UNU))('nrrd against teem-unu', () => {
  it('teem reads our gzip label file and writes one we read back identically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nrrd-'));
    try {
      const voxels = fill(new Int16Array(60), (i) => i * 97 - 2000);
      const v = obliqueVolume(voxels);
      writeFileSync(join(dir, 'ours.nrrd'), writeNrrd(v));
      const minmax = execFileSync(UNU, ['minmax', join(dir, 'ours.nrrd')], { encoding: 'utf8' });
      expect(minmax).toContain('min: -2000');
      expect(minmax).toContain(`max: ${59 * 97 - 2000}`);
      // teem re-encodes (raw, big-endian) and keeps the space fields; we must read the same volume back.
      execFileSync(UNU, ['save', '-i', join(dir, 'ours.nrrd'), '-f', 'nrrd', '-e', 'raw', '-en', 'big', '-o', join(dir, 'teem.nrrd')]);
      const back = readNrrd(new Uint8Array(readFileSync(join(dir, 'teem.nrrd'))), { kind: 'ct' }).volume;
      expect(Array.from(back.voxels)).toEqual(Array.from(voxels));
      for (let a = 0; a < 16; a++) expect(back.geometry.ijkToLps[a]).toBeCloseTo(v.geometry.ijkToLps[a]!, 9);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
