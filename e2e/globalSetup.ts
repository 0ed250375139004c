/**
 * Before the e2e run: make sure the phantom series (bundled sample and the
 * broken inputs) and the real CTs as DICOM exist on disk. Generation is
 * skipped when the output is already there.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { writeOwnBrokenInputs } from './support/brokenInputs';
import { writeRealCtDicom } from './support/realCtToDicom';

export default function globalSetup(): void {
  const root = resolve(import.meta.dirname ?? '.', '..');
  const generator = resolve(root, 'sample-dicom/generate.ts');
  if (existsSync(generator)) {
    execFileSync('npx', ['tsx', generator, '--all', '--if-missing'], { cwd: root, stdio: 'inherit' });
  }
  writeRealCtDicom();
  writeOwnBrokenInputs();
}
