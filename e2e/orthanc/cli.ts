/**
 * A local test PACS for development, by hand:
 *
 *   npx tsx e2e/orthanc/cli.ts start [--user NAME:PASSWORD] [--sample DIR]   # starts Orthanc on 127.0.0.1:8842, uploads DIR/*.dcm
 *   npx tsx e2e/orthanc/cli.ts stop                                          # stops it by the PID it wrote
 *
 * DIR defaults to sample-dicom/out/sacralAla-medium/dicom (`npm run sample`).
 * The app reaches it at /dicom-web with the dev server proxying that path
 * there (Orthanc sends no CORS headers): `PACS_URL=http://127.0.0.1:8842 npm start`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ORTHANC_PORTS, startOrthanc, stopOrthancFromPidFile, uploadInstances } from './orthanc';

const root = resolve(import.meta.dirname ?? '.', '../..');
const pidFile = join(root, '.cache/orthanc/dev.pid');

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  if (command === 'stop') {
    await stopOrthancFromPidFile(pidFile);
    console.log('stopped');
    return;
  }
  if (command !== 'start') {
    console.error('usage: tsx e2e/orthanc/cli.ts start [--user NAME:PASSWORD] [--sample DIR] | stop');
    process.exitCode = 2;
    return;
  }
  const user = option('--user');
  const users: Record<string, string> = {};
  if (user) {
    const colon = user.indexOf(':');
    if (colon <= 0) throw new Error('--user needs NAME:PASSWORD');
    users[user.slice(0, colon)] = user.slice(colon + 1);
  }
  const dir = resolve(option('--sample') ?? join(root, 'sample-dicom/out/sacralAla-medium/dicom'));
  await stopOrthancFromPidFile(pidFile);
  const orthanc = await startOrthanc({ ...ORTHANC_PORTS.e2e, users, pidFile });
  // The child must outlive this script.
  orthanc.child?.unref();
  if (existsSync(dir)) {
    const files = readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.dcm'));
    await uploadInstances(orthanc, files.map((f) => new Uint8Array(readFileSync(join(dir, f)))));
    console.log(`uploaded ${files.length} files from ${dir}`);
  } else {
    console.log(`no ${dir}: run \`npm run sample\` to have something to upload`);
  }
  console.log(`Orthanc PID ${orthanc.pid} at ${orthanc.dicomWebUrl} (store ${orthanc.storageDir}); stop: npx tsx e2e/orthanc/cli.ts stop`);
}

await main();
