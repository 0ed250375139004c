/**
 * Fault injection against the browser-side DICOMweb client, with a real
 * Orthanc behind a loopback proxy that breaks chosen answers
 * (e2e/orthanc/faultProxy.ts), and with Orthanc itself frozen (SIGSTOP) or
 * stopped by its PID mid-series. Every fault must end in either the whole
 * series (after retries) or a message and nothing at all: never a part of a
 * series posing as the whole.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOrthanc, uploadInstances, ORTHANC_PORTS, type RunningOrthanc } from '../../e2e/orthanc/orthanc';
import { startFaultProxy, type Fault, type FaultProxy, type ProxiedRequest } from '../../e2e/orthanc/faultProxy';
import { phantomSeries, type FixtureSeries } from '../core/dicomweb/testing/pacsFixtures';
import { errorCodeOf } from '../core/shared/errors';
import type { RetrievedSeries } from '../core/dicomweb';
import { createBrowserDicomWebClient, type PacsSettings } from './dicomwebClient';

const PROXY_PORT = 8855;
const STUDY = '2.25.4004';
const SERIES = '2.25.4004.1';
const SLICES = 30;

let orthanc: RunningOrthanc;
let proxy: FaultProxy;
let series: FixtureSeries;
/** Faults injected over the whole file, for the report. */
const faultLog: string[] = [];

const isInstanceGet = (r: ProxiedRequest): boolean => /\/instances\/[0-9.]+$/.test(r.path.split('?')[0]!);

/** Injects `fault` into the `nth` (0-based) instance retrieval, `times` times (Infinity = always). */
function faultOnNthInstance(nth: number, fault: Fault, times = 1): (r: ProxiedRequest) => Fault | undefined {
  let seen = 0;
  let targetPath: string | undefined;
  let injected = 0;
  return (r) => {
    if (!isInstanceGet(r)) return undefined;
    if (targetPath === undefined && seen++ === nth) targetPath = r.path;
    if (r.path === targetPath && injected < times) {
      injected++;
      faultLog.push(fault.kind);
      return fault;
    }
    return undefined;
  };
}

function client(settings: Partial<PacsSettings> = {}, stallTimeoutMs = 30_000) {
  return createBrowserDicomWebClient({ url: `${proxy.url}/dicom-web`, ...settings }, { stallTimeoutMs, retryDelaysMs: [10, 20, 40] });
}

function expectWhole(r: RetrievedSeries): void {
  expect(r.files).toHaveLength(SLICES);
  const sent = new Set(series.files.map((f) => Buffer.from(f.bytes).toString('base64')));
  for (const f of r.files) expect(sent.has(Buffer.from(f.bytes).toString('base64'))).toBe(true);
}

async function expectRefused(promise: Promise<RetrievedSeries>, code: string, message: RegExp): Promise<void> {
  const error = await promise.then(
    (r) => new Error(`expected a refusal, got ${r.files.length} files`),
    (e: unknown) => e,
  );
  expect(errorCodeOf(error), String(error)).toBe(code);
  expect((error as Error).message).toMatch(message);
}

describe('fault injection between the client and a real Orthanc', () => {
  beforeAll(async () => {
    orthanc = await startOrthanc(ORTHANC_PORTS.faultTest);
    series = phantomSeries(
      { patientName: 'FAULT^TEST', patientId: 'PAT-F', seriesDescription: 'Faults', studyInstanceUid: STUDY, seriesInstanceUid: SERIES, uidSeed: 'faults' },
      40,
      40 + SLICES,
    );
    await uploadInstances(orthanc, series.files.map((f) => f.bytes));
    proxy = await startFaultProxy({ port: PROXY_PORT, targetPort: ORTHANC_PORTS.faultTest.httpPort });
  });

  beforeEach(() => proxy.setPlan(() => undefined));

  afterAll(async () => {
    await proxy?.close();
    await orthanc?.stop();
    // eslint-disable-next-line no-console -- the count goes into the report
    console.log(`faults injected: ${faultLog.length} (${[...new Set(faultLog)].join(', ')})`);
  });

  it('passes a clean series through the proxy', async () => {
    expectWhole(await client().retrieveSeries(STUDY, SERIES));
  });

  it('retries a connection cut mid-slice and returns the whole series', async () => {
    proxy.setPlan(faultOnNthInstance(5, { kind: 'cut', afterBytes: 20_000 }));
    const r = await client().retrieveSeries(STUDY, SERIES);
    expectWhole(r);
    expect(r.retries).toBe(1);
  });

  it('refuses the series when the connection keeps being cut, then a retry by the user loads it whole', async () => {
    proxy.setPlan(faultOnNthInstance(5, { kind: 'cut', afterBytes: 20_000 }, Infinity));
    await expectRefused(
      client().retrieveSeries(STUDY, SERIES),
      'pacs/incomplete',
      /^\[pacs\/incomplete\] Only \d+ of 30 slices arrived from the PACS, so nothing was loaded .*could not be reached or stopped answering while sending slice \d+ of 30.*\(3 retries made\)/,
    );
    proxy.setPlan(() => undefined);
    expectWhole(await client().retrieveSeries(STUDY, SERIES));
  });

  it('retries a 500 once; refuses a PACS that keeps answering 503, quoting it', async () => {
    proxy.setPlan(faultOnNthInstance(2, { kind: 'status', status: 500, body: 'database busy' }));
    expectWhole(await client().retrieveSeries(STUDY, SERIES));
    proxy.setPlan(faultOnNthInstance(2, { kind: 'status', status: 503, body: 'maintenance' }, Infinity));
    await expectRefused(client().retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /HTTP 503 Service Unavailable\) while sending slice \d+ of 30\. The server said: "maintenance"/);
  });

  it('detects an answer cut short that still ends cleanly (no closing boundary)', async () => {
    proxy.setPlan(faultOnNthInstance(8, { kind: 'truncate', afterBytes: 30_000 }));
    expectWhole(await client().retrieveSeries(STUDY, SERIES));
    proxy.setPlan(faultOnNthInstance(8, { kind: 'truncate', afterBytes: 30_000 }, Infinity));
    await expectRefused(client().retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /malformed multipart answer: part 1 is not terminated: the answer was cut short/);
  });

  it('refuses a login page served instead of DICOM (search and retrieval)', async () => {
    proxy.setPlan((r) => (r.path.includes('/studies?') ? (faultLog.push('html'), { kind: 'html' }) : undefined));
    const error = await client().searchStudies({}).catch((e: unknown) => e);
    expect(errorCodeOf(error)).toBe('pacs/bad-response');
    expect((error as Error).message).toMatch(/answered with a web page instead of DICOM JSON for the study list: the address may point to a login page/);
    proxy.setPlan(faultOnNthInstance(0, { kind: 'html' }, Infinity));
    await expectRefused(client().retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /Content-Type is "text\/html; charset=utf-8", expected multipart\/related/);
  });

  it('refuses another instance sent in place of the one asked for', async () => {
    let other = '';
    proxy.setPlan((r) => {
      if (!isInstanceGet(r)) return undefined;
      if (other === '') {
        other = r.path; // the first instance path seen: sent in place of every other one
        return undefined;
      }
      if (r.path === other) return undefined;
      faultLog.push('swap');
      return { kind: 'swap', path: other };
    });
    await expectRefused(client().retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /the PACS sent instance [0-9.]+ instead of [0-9.]+/);
  });

  it('refuses, without retrying, a slice the PACS no longer has (404 between listing and retrieval)', async () => {
    proxy.setPlan(faultOnNthInstance(4, { kind: 'status', status: 404 }, Infinity));
    const before = proxy.requests.length;
    await expectRefused(client().retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /The PACS has no slice \d+ of 30 \(HTTP 404\)/);
    const target = proxy.injected.at(-1)!.path;
    expect(proxy.requests.slice(before).filter((r) => r.path === target)).toHaveLength(1);
  });

  it('times out a PACS that accepts a request and never answers, retries, and refuses if it goes on', async () => {
    proxy.setPlan(faultOnNthInstance(6, { kind: 'hang' }));
    // 2 s of silence: long enough that a slow but answering PACS on a loaded test machine is not
    // mistaken for a hung one (0.3 s flaked under parallel load), short enough for three retries.
    expectWhole(await client({}, 2000).retrieveSeries(STUDY, SERIES));
    proxy.setPlan(faultOnNthInstance(6, { kind: 'hang' }, Infinity));
    await expectRefused(client({}, 2000).retrieveSeries(STUDY, SERIES), 'pacs/incomplete', /The PACS stopped answering \(no data for 2 s\)\./);
  });

  it('cancels on request with pacs/cancelled, not a partial series', async () => {
    const controller = new AbortController();
    const promise = client().retrieveSeries(STUDY, SERIES, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 10) controller.abort();
      },
    });
    await expectRefused(promise, 'pacs/cancelled', /was cancelled/);
  });

  it('refuses the series when Orthanc freezes mid-series (SIGSTOP), then loads it whole after it resumes', async () => {
    let frozen = false;
    const promise = client({}, 400).retrieveSeries(STUDY, SERIES, {
      concurrency: 2,
      onProgress: (p) => {
        if (p.done === 12 && !frozen) {
          frozen = true;
          faultLog.push('sigstop');
          process.kill(orthanc.pid, 'SIGSTOP');
        }
      },
    });
    try {
      await expectRefused(promise, 'pacs/incomplete', /^\[pacs\/incomplete\] Only 1[2-9] of 30 slices arrived .*stopped answering/);
    } finally {
      process.kill(orthanc.pid, 'SIGCONT');
    }
    expectWhole(await client().retrieveSeries(STUDY, SERIES));
  });

  it('refuses the series when Orthanc is stopped mid-series', async () => {
    let stopping: Promise<void> | undefined;
    const promise = client().retrieveSeries(STUDY, SERIES, {
      concurrency: 1,
      onProgress: (p) => {
        if (p.done === 15 && !stopping) {
          faultLog.push('stop');
          stopping = orthanc.stop();
        }
      },
    });
    // Orthanc finishes the requests it holds while shutting down: some more slices may arrive, never all.
    await expectRefused(promise, 'pacs/incomplete', /^\[pacs\/incomplete\] Only (1[5-9]|2[0-9]) of 30 slices arrived .*(could not be reached|HTTP 502)/);
    await stopping;
  });
});
