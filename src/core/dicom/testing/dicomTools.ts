/**
 * Test helpers (node only): run dcmtk / dicom3tools / gdcm on files we write.
 * A missing tool fails the test with the Debian package to install; it never skips.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE_OF: Record<string, string> = {
  dciodvfy: 'dicom3tools',
  dcmdump: 'dcmtk',
  dcmcjpeg: 'dcmtk',
  dcmcjpls: 'dcmtk',
  dcmcrle: 'dcmtk',
  dcmconv: 'dcmtk',
  gdcmconv: 'libgdcm-tools',
};

export function requireTool(name: keyof typeof PACKAGE_OF | string): string {
  const path = `/usr/bin/${name}`;
  if (!existsSync(path)) {
    throw new Error(`${name} is not installed: run \`apt-get install -y ${PACKAGE_OF[name] ?? name}\` (Debian) and re-run the tests`);
  }
  return path;
}

export function withTempDir<T>(run: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-test-'));
  try {
    return run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dciodvfy output lines that report errors (it prints warnings too). */
export function dciodvfyErrors(bytes: Uint8Array): string[] {
  const tool = requireTool('dciodvfy');
  return withTempDir((dir) => {
    const file = join(dir, 'in.dcm');
    writeFileSync(file, bytes);
    const result = spawnSync(tool, [file], { encoding: 'utf8' });
    const text = `${result.stdout}\n${result.stderr}`;
    return text.split('\n').filter((line) => /^Error/.test(line.trim()));
  });
}

export function dcmdump(bytes: Uint8Array, args: string[] = []): string {
  const tool = requireTool('dcmdump');
  return withTempDir((dir) => {
    const file = join(dir, 'in.dcm');
    writeFileSync(file, bytes);
    return execFileSync(tool, [...args, file], { encoding: 'utf8' });
  });
}

/**
 * Runs a compressor (`dcmcjpeg`, `dcmcjpls`, `dcmcrle`, or `gdcmconv`) on `bytes` and
 * returns the compressed file. `args` go before the input and output paths.
 */
export function compressWith(tool: 'dcmcjpeg' | 'dcmcjpls' | 'dcmcrle' | 'gdcmconv' | 'dcmconv', args: string[], bytes: Uint8Array): Uint8Array {
  const path = requireTool(tool);
  return withTempDir((dir) => {
    const input = join(dir, 'in.dcm');
    const output = join(dir, 'out.dcm');
    writeFileSync(input, bytes);
    execFileSync(path, [...args, input, output], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return new Uint8Array(readFileSync(output));
  });
}

/** An ArrayBuffer holding exactly `bytes` (what a browser File gives us). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
