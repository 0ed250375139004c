/**
 * A real PACS for tests: Debian's Orthanc 1.10 with the DICOMweb plugin,
 * started as a plain child process on loopback only, with a throw-away store.
 *
 * - Loopback only: Orthanc binds every interface and has no option against
 *   it, so the process runs with an LD_PRELOAD shim (bindLoopback.c, compiled
 *   here with the system C compiler) that rewrites wildcard bind() calls to
 *   127.0.0.1 / ::1. `startOrthanc` then reads /proc/net/tcp{,6} to prove the
 *   listening sockets are on loopback, and fails otherwise.
 * - Stopped by its own PID (never by name): `stop()` sends SIGTERM, then
 *   SIGKILL to that PID if it has not exited after a grace period, and removes
 *   the store. A pid file lets a separate teardown process do the same.
 *
 * Node only (tests, Playwright global setup, `tsx e2e/orthanc/cli.ts`).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';
export const GDCM_PLUGIN = '/usr/share/orthanc/plugins/libOrthancGdcm.so';

/** Fixed ports owned by the PACS tests (HTTP, DICOM). One pair per test file so vitest forks never collide. */
export const ORTHANC_PORTS = {
  e2e: { httpPort: 8842, dicomPort: 4342 },
  clientTest: { httpPort: 8843, dicomPort: 4343 },
  authTest: { httpPort: 8844, dicomPort: 4344 },
  faultTest: { httpPort: 8845, dicomPort: 4345 },
  browserClientTest: { httpPort: 8846, dicomPort: 4346 },
} as const;

export type OrthancOptions = {
  httpPort: number;
  dicomPort: number;
  /** HTTP basic authentication users (username -> password). None: authentication off. */
  users?: Record<string, string>;
  /**
   * Load libOrthancGdcm.so (server-side JPEG 2000 transcoding). Default false:
   * on this machine (Orthanc 1.10.1, GDCM plugin 1.5, GDCM 3.0.21) Orthanc
   * crashes with SIGSEGV after a few WADO-RS requests that make it transcode
   * (JPEG Lossless or JPEG 2000 to Explicit VR LE). Without it, DCMTK
   * transcodes JPEG Lossless and JPEG 2000 answers HTTP 500.
   */
  gdcm?: boolean;
  /** Write the PID here as well (for a teardown in another process). */
  pidFile?: string;
};

export type RunningOrthanc = {
  pid: number;
  /** http://127.0.0.1:<httpPort> (no trailing slash) */
  baseUrl: string;
  /** `${baseUrl}/dicom-web` */
  dicomWebUrl: string;
  httpPort: number;
  dicomPort: number;
  storageDir: string;
  logFile: string;
  /** Basic auth header value for the first configured user, if any. */
  authorization: string | undefined;
  /** The child process (undefined when attached through a pid file). */
  child: ChildProcess | undefined;
  /** SIGTERM then SIGKILL by PID; removes the store. Safe to call twice. */
  stop(): Promise<void>;
};

function missingTool(path: string, pkg: string): Error {
  return new Error(`${path} is not installed: run \`apt-get install -y ${pkg}\` (or \`npm run system-deps\`) and re-run the tests`);
}

/** Compiles bindLoopback.c once per source version into .cache/orthanc/ and returns the .so path. */
export function buildBindShim(): string {
  const source = join(here, 'bindLoopback.c');
  const text = readFileSync(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const outDir = join(repoRoot, '.cache', 'orthanc');
  const out = join(outDir, `bindLoopback-${hash}.so`);
  if (existsSync(out)) return out;
  mkdirSync(outDir, { recursive: true });
  const compiler = ['/usr/bin/cc', '/usr/bin/gcc'].find((c) => existsSync(c));
  if (!compiler) throw missingTool('/usr/bin/cc', 'gcc');
  const tmpOut = `${out}.${process.pid}.tmp`;
  execFileSync(compiler, ['-shared', '-fPIC', '-O2', '-Wall', '-o', tmpOut, source, '-ldl'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Rename is atomic: parallel test files may compile at the same moment.
  execFileSync('/bin/mv', ['-f', tmpOut, out]);
  return out;
}

export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** Listening TCP sockets (IPv4 and IPv6) on `port`, as "address" strings read from /proc/net. */
export function listeningAddresses(port: number): string[] {
  const out: string[] = [];
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== '0A') continue; // 0A = LISTEN
      const [addrHex, portHex] = (cols[1] ?? '').split(':');
      if (portHex !== hexPort || !addrHex) continue;
      out.push(decodeProcAddress(addrHex));
    }
  }
  return out;
}

function decodeProcAddress(hex: string): string {
  if (hex.length === 8) {
    // Little-endian IPv4.
    const b = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).reverse();
    return b.join('.');
  }
  if (hex === '00000000000000000000000001000000') return '::1';
  if (/^0+$/.test(hex)) return '::';
  return `ipv6:${hex}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops a process by PID: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopByPid(pid: number, graceMs = 5000): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  for (let waited = 0; waited < graceMs; waited += 50) {
    if (!isAlive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
  while (isAlive(pid)) await sleep(20);
}

/**
 * Starts Orthanc on 127.0.0.1:`httpPort` / `dicomPort` with an empty temporary
 * store and the DICOMweb plugin at /dicom-web/. Resolves when /system answers.
 * Fails (and cleans up) if the ports are taken, Orthanc exits, or it binds a
 * non-loopback address.
 */
export async function startOrthanc(options: OrthancOptions): Promise<RunningOrthanc> {
  if (!existsSync(ORTHANC_BINARY)) throw missingTool(ORTHANC_BINARY, 'orthanc');
  if (!existsSync(DICOMWEB_PLUGIN)) throw missingTool(DICOMWEB_PLUGIN, 'orthanc-dicomweb');
  const useGdcm = options.gdcm ?? false;
  if (useGdcm && !existsSync(GDCM_PLUGIN)) throw missingTool(GDCM_PLUGIN, 'orthanc-gdcm');
  for (const port of [options.httpPort, options.dicomPort]) {
    const taken = listeningAddresses(port);
    if (taken.length > 0) {
      throw new Error(`port ${port} is already in use (${taken.join(', ')}): another test PACS is still running? Stop it by its PID.`);
    }
  }
  const shim = buildBindShim();
  const storageDir = mkdtempSync(join(tmpdir(), 'orthanc-test-'));
  const users = options.users ?? {};
  const userNames = Object.keys(users);
  const config = {
    Name: 'PlannerTestPACS',
    StorageDirectory: join(storageDir, 'db'),
    IndexDirectory: join(storageDir, 'db'),
    HttpPort: options.httpPort,
    DicomPort: options.dicomPort,
    DicomAet: 'PLANNERTEST',
    RemoteAccessAllowed: false,
    AuthenticationEnabled: userNames.length > 0,
    RegisteredUsers: users,
    HttpDescribeErrors: true,
    TcpNoDelay: true,
    KeepAlive: true,
    HttpThreadsCount: 8,
    ConcurrentJobs: 1,
    SaveJobs: false,
    StorageCompression: false,
    OverwriteInstances: true,
    // Nothing outbound: no modalities, peers or update checks.
    DicomModalities: {},
    OrthancPeers: {},
    Plugins: useGdcm ? [DICOMWEB_PLUGIN, GDCM_PLUGIN] : [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: '/dicom-web/', EnableWado: false, Ssl: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
    Gdcm: { Enable: useGdcm },
  };
  const configFile = join(storageDir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const logFile = join(storageDir, 'orthanc.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(ORTHANC_BINARY, [configFile], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LD_PRELOAD: shim, TCP_NODELAY: '1', HOME: storageDir },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  const pid = child.pid;
  if (pid === undefined) {
    rmSync(storageDir, { recursive: true, force: true });
    throw new Error(`could not start ${ORTHANC_BINARY}`);
  }
  if (options.pidFile) writeFileSync(options.pidFile, `${pid}\n${storageDir}\n`);
  let exited: number | string | null = null;
  child.on('exit', (code, signal) => {
    exited = code ?? signal ?? 'exit';
  });
  const authorization = userNames.length > 0 ? basicAuthorization(userNames[0]!, users[userNames[0]!]!) : undefined;
  const baseUrl = `http://127.0.0.1:${options.httpPort}`;
  // If the test process exits without stop() (a crash), take the server down with it, by its PID.
  const onExit = (): void => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  if (!options.pidFile) process.once('exit', onExit);
  // One stop for all callers: a second call waits for the first to finish (store removed).
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      await stopByPid(pid);
      rmSync(storageDir, { recursive: true, force: true });
      if (options.pidFile) rmSync(options.pidFile, { force: true });
    })());
  try {
    // Ready when /system answers; Orthanc takes about 0.15 s. Fails fast if the process exits.
    for (;;) {
      if (exited !== null) throw new Error(`Orthanc exited (${exited}) during start-up; log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      try {
        const r = await fetch(`${baseUrl}/system`, { headers: authorization ? { Authorization: authorization } : {} });
        await r.arrayBuffer();
        if (r.ok) break;
      } catch {
        /* not listening yet */
      }
      await sleep(50);
    }
    const bound = [...listeningAddresses(options.httpPort), ...listeningAddresses(options.dicomPort)];
    const notLoopback = bound.filter((a) => a !== '127.0.0.1' && a !== '::1');
    if (notLoopback.length > 0) throw new Error(`Orthanc is listening on ${notLoopback.join(', ')}: the loopback shim did not apply`);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid,
    baseUrl,
    dicomWebUrl: `${baseUrl}/dicom-web`,
    httpPort: options.httpPort,
    dicomPort: options.dicomPort,
    storageDir,
    logFile,
    authorization,
    child,
    stop,
  };
}

/** Stops an Orthanc started in another process, from the pid file `startOrthanc` wrote. */
export async function stopOrthancFromPidFile(pidFile: string): Promise<void> {
  if (!existsSync(pidFile)) return;
  const [pidText, storageDir] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidText);
  // Only our own Orthanc: the PID may have been reused since the file was written.
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
  if (Number.isInteger(pid) && pid > 1 && cmdline.startsWith(ORTHANC_BINARY)) await stopByPid(pid);
  if (storageDir && storageDir.startsWith(join(tmpdir(), 'orthanc-test-'))) rmSync(storageDir, { recursive: true, force: true });
  rmSync(pidFile, { force: true });
}

/**
 * Uploads Part 10 files with POST /instances over one keep-alive connection
 * (sequentially). Returns the Orthanc instance ids.
 */
export async function uploadInstances(orthanc: Pick<RunningOrthanc, 'baseUrl' | 'authorization'>, files: readonly Uint8Array[]): Promise<string[]> {
  const ids: string[] = [];
  for (const bytes of files) {
    const headers: Record<string, string> = { 'Content-Type': 'application/dicom' };
    if (orthanc.authorization) headers['Authorization'] = orthanc.authorization;
    const r = await fetch(`${orthanc.baseUrl}/instances`, { method: 'POST', headers, body: bytes as Uint8Array<ArrayBuffer> });
    const text = await r.text();
    if (!r.ok) throw new Error(`upload to Orthanc failed: HTTP ${r.status} ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as { ID?: string; Status?: string };
    if (!body.ID) throw new Error(`upload to Orthanc: unexpected answer ${text.slice(0, 300)}`);
    ids.push(body.ID);
  }
  return ids;
}

/** Deletes one instance through Orthanc's REST API (to make a series incomplete on purpose). */
export async function deleteInstance(orthanc: Pick<RunningOrthanc, 'baseUrl' | 'authorization'>, orthancId: string): Promise<void> {
  const r = await fetch(`${orthanc.baseUrl}/instances/${orthancId}`, {
    method: 'DELETE',
    headers: orthanc.authorization ? { Authorization: orthanc.authorization } : {},
  });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`delete from Orthanc failed: HTTP ${r.status}`);
}
