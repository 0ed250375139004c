/**
 * The loading flow: read -> index (worker) -> choose a series -> assemble
 * (worker) -> confirm warnings -> show. A drop that fails at any step, or
 * that the user declines, never replaces the volume already open.
 */
import type { ViewerPort } from '../../viewer/ViewerPort';
import type { AppEvents } from '../appEvents';
import type { DicomSource, LoadIssueView, LoadProgress, NamedFile, SeriesChoice } from './DicomSource';
import { issueFromError, requiresConfirmation } from './issueMessages';

export type LoadOutcome =
  | { kind: 'shown'; seriesUid: string; volumeId: string; issues: LoadIssueView[] }
  | { kind: 'rejected'; reason: string; issues: LoadIssueView[] }
  | { kind: 'superseded' };

export type LoadControllerDeps = {
  viewer: ViewerPort;
  source: DicomSource;
  events: AppEvents;
  /** Asks the user to pick one series; null = cancel. Called only when more than one is loadable. */
  chooseSeries(choices: SeriesChoice[]): Promise<string | null>;
  /** Asks whether to replace the open volume by one with warnings (or planning-relevant findings such as gantry tilt); not called when nothing is open. */
  confirmWarnings(issues: LoadIssueView[]): Promise<boolean>;
};

export type LoadController = {
  /** Loads files; `files` may be produced lazily (reading counts as progress). */
  loadFiles(read: (onProgress: (p: LoadProgress) => void) => Promise<NamedFile[]>, sourceLabel: string): Promise<LoadOutcome>;
  getCurrent(): { seriesUid: string; volumeId: string } | null;
  getAttempt(): number;
  dispose(): void;
};

export function createLoadController(deps: LoadControllerDeps): LoadController {
  const { viewer, source, events } = deps;
  let attempt = 0;
  let current: { seriesUid: string; volumeId: string } | null = null;
  let disposed = false;

  const rejectOutcome = (reason: string, issues: LoadIssueView[]): LoadOutcome => {
    events.emit('loadRejected', { reason, issues });
    return { kind: 'rejected', reason, issues };
  };

  return {
    async loadFiles(read, sourceLabel) {
      const mine = ++attempt;
      let settled = false;
      const stale = (): boolean => disposed || mine !== attempt;
      const progress = (p: LoadProgress): void => {
        if (!stale() && !settled) events.emit('loadProgress', p);
      };
      const reject = (reason: string, issues: LoadIssueView[]): LoadOutcome => {
        settled = true;
        return rejectOutcome(reason, issues);
      };
      events.emit('loadStarted', { source: sourceLabel, attempt: mine });
      try {
        const files = await read(progress);
        if (stale()) return { kind: 'superseded' };
        if (files.length === 0) return reject('The drop held no files.', []);
        const index = await source.index(files, progress);
        if (stale()) return { kind: 'superseded' };
        const loadable = index.series.filter((s) => s.loadable);
        const blocking = index.issues.filter((i) => i.severity === 'error');
        if (loadable.length === 0) {
          const issues = index.issues.length > 0 ? index.issues : [];
          const kinds = [...new Set(index.series.map((s) => s.modality))].join(', ');
          return reject(
            index.series.length > 0 ? `No CT series in this drop (found ${kinds}).` : 'No readable DICOM series in this drop.',
            issues.length > 0 ? issues : blocking,
          );
        }
        let seriesUid = loadable[0]!.seriesUid;
        if (loadable.length > 1) {
          const picked = await deps.chooseSeries(loadable);
          if (stale()) return { kind: 'superseded' };
          if (picked === null) return reject('No series chosen.', []);
          seriesUid = picked;
        }
        const loaded = await source.load(seriesUid, progress);
        if (stale()) return { kind: 'superseded' };
        // Findings about files outside the chosen series (a stray non-DICOM
        // file, say) are shown too, but do not block it.
        // The same finding may come from indexing and from assembly: show it once.
        const issues = dedupeIssues([...index.issues.map((i) => (i.severity === 'error' ? { ...i, severity: 'warning' as const } : i)), ...loaded.issues]);
        const loadedBlocking = loaded.issues.filter((i) => i.severity === 'error');
        if (loadedBlocking.length > 0) return reject('The series cannot be used for planning.', issues);
        const warnings = issues.filter(requiresConfirmation);
        if (current && warnings.length > 0) {
          const ok = await deps.confirmWarnings(warnings);
          if (stale()) return { kind: 'superseded' };
          if (!ok) return reject('Kept the open series.', issues);
        }
        progress({ phase: 'rendering', done: 0, total: 1 });
        await viewer.showVolume(loaded.volume, loaded.info);
        if (stale()) return { kind: 'superseded' };
        const volumeId = viewer.getVolumeId() ?? loaded.volume.id;
        current = { seriesUid, volumeId };
        settled = true;
        // The previous series' buffers are no longer referenced by the viewer;
        // let the source drop its indexed files as well.
        source.release();
        events.emit('volumeReady', { volumeId, seriesUid, info: loaded.info, issues, volume: loaded.volume, series: loaded.identity ?? null });
        return { kind: 'shown', seriesUid, volumeId, issues };
      } catch (error) {
        if (stale()) return { kind: 'superseded' };
        const issue = issueFromError(error);
        return reject(issue.message, [issue]);
      }
    },
    getCurrent: () => current,
    getAttempt: () => attempt,
    dispose() {
      disposed = true;
    },
  };
}

/** Drops repeated findings (same code and message), keeping the more severe copy's position. */
export function dedupeIssues(issues: readonly LoadIssueView[]): LoadIssueView[] {
  const seen = new Map<string, LoadIssueView>();
  const rank = { info: 0, warning: 1, error: 2 } as const;
  for (const i of issues) {
    const key = `${i.code}\u0000${i.message}`;
    const prev = seen.get(key);
    if (!prev || rank[i.severity] > rank[prev.severity]) seen.set(key, i);
  }
  return [...seen.values()];
}
