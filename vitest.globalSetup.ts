/**
 * Before the unit tests: the phantom series on disk (sample-dicom/out), for
 * the tests that load them through the DICOM reader as the app does.
 * Generation is skipped when the output of this generator version is there.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function globalSetup(): void {
  const root = import.meta.dirname ?? '.';
  execFileSync('npx', ['tsx', resolve(root, 'sample-dicom/generate.ts'), '--all', '--if-missing'], { cwd: root, stdio: 'inherit' });
}
