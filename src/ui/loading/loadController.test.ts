import { describe, expect, it } from 'vitest';
import { createVolume } from '../../core/volume/Volume';
import { createVolumeGeometry } from '../../core/volume/VolumeGeometry';
import { PlannerError } from '../../core/shared/errors';
import { createFakeViewer } from '../../viewer/createFakeViewer';
import { createAppEvents } from '../appEvents';
import type { DicomSource, IndexResult, LoadedSeries, LoadIssueView, SeriesChoice } from './DicomSource';
import { createLoadController, dedupeIssues } from './loadController';

const geometry = createVolumeGeometry({ dims: [8, 8, 4], spacingMm: [1, 1, 1], originLps: [0, 0, 0] });

function series(uid: string, issues: LoadIssueView[] = []): LoadedSeries {
  return {
    volume: createVolume(uid, 'ct', geometry, new Int16Array(256)),
    info: { seriesUid: uid, patientName: 'P', patientId: '1', studyDate: '', seriesDescription: uid, modality: 'CT', gridText: '' },
    issues,
  };
}

const choice = (uid: string, loadable = true): SeriesChoice => ({ seriesUid: uid, description: uid, modality: loadable ? 'CT' : 'MR', sliceCount: 4, loadable, sizeText: '' });
const warning = (code: string): LoadIssueView => ({ code, severity: 'warning', message: code, planningImpact: 'x' });

/** A source whose behaviour per drop is scripted by the first file's name. */
function scriptedSource(script: Record<string, { index: IndexResult; load?: (uid: string) => LoadedSeries | Error }>): DicomSource & { releases: number } {
  let current = '';
  const src = {
    releases: 0,
    async index(files: { name: string }[]) {
      current = files[0]!.name;
      return script[current]!.index;
    },
    async load(uid: string) {
      const r = script[current]!.load!(uid);
      if (r instanceof Error) throw r;
      return r;
    },
    release() {
      src.releases++;
    },
    dispose() {},
  };
  return src;
}

function setup(script: Parameters<typeof scriptedSource>[0], answers: { choose?: string | null; confirm?: boolean } = {}) {
  const viewer = createFakeViewer();
  const source = scriptedSource(script);
  const events = createAppEvents();
  const rejected: string[] = [];
  events.on('loadRejected', (e) => rejected.push(e.reason));
  let chooserCalls = 0;
  let confirmCalls = 0;
  const controller = createLoadController({
    viewer,
    source,
    events,
    chooseSeries: async () => {
      chooserCalls++;
      return answers.choose ?? null;
    },
    confirmWarnings: async () => {
      confirmCalls++;
      return answers.confirm ?? false;
    },
  });
  const drop = (name: string) => controller.loadFiles(async () => [{ name, bytes: new ArrayBuffer(4) }], name);
  return { viewer, source, controller, drop, rejected, calls: () => ({ chooserCalls, confirmCalls }) };
}

const good = { index: { series: [choice('A')], issues: [] }, load: () => series('A') };
const good2 = { index: { series: [choice('B')], issues: [] }, load: () => series('B') };

describe('loading flow', () => {
  it('opens a clean single series', async () => {
    const t = setup({ good });
    const out = await t.drop('good');
    expect(out.kind).toBe('shown');
    expect(t.viewer.info()?.seriesUid).toBe('A');
    expect(t.controller.getCurrent()?.seriesUid).toBe('A');
    expect(t.source.releases).toBe(1);
  });

  it('keeps the open volume when the drop holds no CT (e.g. an MR series)', async () => {
    const t = setup({ good, mr: { index: { series: [choice('M', false)], issues: [] } } });
    await t.drop('good');
    const before = t.viewer.getVolumeId();
    const out = await t.drop('mr');
    expect(out).toMatchObject({ kind: 'rejected' });
    expect((out as { reason: string }).reason).toMatch(/No CT series.*MR/);
    expect(t.viewer.getVolumeId()).toBe(before);
    expect(t.controller.getCurrent()?.seriesUid).toBe('A');
  });

  it('keeps the open volume when assembling fails, and reports the error code', async () => {
    const t = setup({ good, broken: { index: { series: [choice('X')], issues: [] }, load: () => new Error(new PlannerError('dicom/too-large', 'needs 3 GB').message) } });
    await t.drop('good');
    const before = t.viewer.getVolumeId();
    const out = await t.drop('broken');
    expect(out.kind).toBe('rejected');
    expect((out as { issues: LoadIssueView[] }).issues[0]!.code).toBe('dicom/too-large');
    expect(t.viewer.getVolumeId()).toBe(before);
  });

  it('asks which series to open when a drop holds several, and keeps the open one on cancel', async () => {
    const two = { index: { series: [choice('S1'), choice('S2'), choice('SR', false)], issues: [] }, load: (uid: string) => series(uid) };
    const cancel = setup({ good, two }, { choose: null });
    await cancel.drop('good');
    expect((await cancel.drop('two')).kind).toBe('rejected');
    expect(cancel.calls().chooserCalls).toBe(1);
    expect(cancel.viewer.info()?.seriesUid).toBe('A');

    const pick = setup({ two }, { choose: 'S2' });
    expect(await pick.drop('two')).toMatchObject({ kind: 'shown', seriesUid: 'S2' });
  });

  it('opens a series with warnings directly when nothing is open, and shows the warnings', async () => {
    const tilted = { index: { series: [choice('T')], issues: [] }, load: () => series('T', [warning('gantry-tilt')]) };
    const t = setup({ tilted });
    const out = await t.drop('tilted');
    expect(out).toMatchObject({ kind: 'shown' });
    expect((out as { issues: LoadIssueView[] }).issues.map((i) => i.code)).toEqual(['gantry-tilt']);
    expect(t.calls().confirmCalls).toBe(0);
  });

  it('asks before a series with warnings replaces the open one; declining keeps it', async () => {
    const gap = { index: { series: [choice('G')], issues: [] }, load: () => series('G', [warning('missing-slices')]) };
    const no = setup({ good, gap }, { confirm: false });
    await no.drop('good');
    expect((await no.drop('gap')).kind).toBe('rejected');
    expect(no.viewer.info()?.seriesUid).toBe('A');
    const yes = setup({ good, gap }, { confirm: true });
    await yes.drop('good');
    expect((await yes.drop('gap')).kind).toBe('shown');
    expect(yes.viewer.info()?.seriesUid).toBe('G');
  });

  it('asks before a gantry-tilted series replaces the open one, although the loader handled the tilt (info)', async () => {
    const tilt = { index: { series: [choice('T')], issues: [] }, load: () => series('T', [{ code: 'gantry-tilt', severity: 'info', message: 'tilt 12 degrees', planningImpact: '' }]) };
    const t = setup({ good, tilt }, { confirm: false });
    await t.drop('good');
    expect((await t.drop('tilt')).kind).toBe('rejected');
    expect(t.calls().confirmCalls).toBe(1);
    expect(t.viewer.info()?.seriesUid).toBe('A');
  });

  it('shows findings about stray files as warnings without blocking the series', async () => {
    const stray = { index: { series: [choice('A')], issues: [{ code: 'not-dicom', severity: 'error' as const, message: 'notes.txt', planningImpact: '' }] }, load: () => series('A') };
    const t = setup({ stray });
    const out = await t.drop('stray');
    expect(out.kind).toBe('shown');
    expect((out as { issues: LoadIssueView[] }).issues[0]).toMatchObject({ code: 'not-dicom', severity: 'warning' });
  });

  it('lets a newer drop supersede one still loading', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const t = setup({ good2 });
    const slow = t.controller.loadFiles(async () => {
      await gate;
      return [{ name: 'good2', bytes: new ArrayBuffer(1) }];
    }, 'slow');
    const fast = t.drop('good2');
    release();
    expect((await fast).kind).toBe('shown');
    expect((await slow).kind).toBe('superseded');
  });
});

describe('dedupeIssues', () => {
  it('keeps one copy of a finding reported by both indexing and assembly, at the higher severity', () => {
    const a = { code: 'missing-slices', severity: 'warning' as const, message: 'gap at 56', planningImpact: '' };
    const out = dedupeIssues([a, { ...a, severity: 'error' }, { ...a, message: 'gap at 80' }]);
    expect(out).toHaveLength(2);
    expect(out[0]!.severity).toBe('error');
  });
});
