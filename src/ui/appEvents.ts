/**
 * Typed application events (niivue `NiivueEventMap` style): one map from
 * event name to payload, so a listener's payload type follows from its name.
 */
import type { Vec3 } from '../core/geometry/vec3';
import type { MprViewId, SeriesDisplayInfo, SliceState, WindowLevel } from '../viewer/ViewerPort';
import type { Volume } from '../core/volume/Volume';
import type { LoadIssueView, LoadProgress, SeriesIdentity } from './loading/DicomSource';

export type AppEventMap = {
  loadStarted: { source: string; attempt: number };
  loadProgress: LoadProgress;
  /** A volume is shown in the viewer. */
  volumeReady: {
    volumeId: string;
    seriesUid: string;
    info: SeriesDisplayInfo;
    issues: LoadIssueView[];
    /** The volume shown (its voxels are shared with the viewer when cross-origin isolated). */
    volume: Volume;
    /** Study/series identity for the plan file; null when the source does not know it (synthetic data). */
    series: SeriesIdentity | null;
  };
  /** A load failed or was declined; the previous volume (if any) is still shown. */
  loadRejected: { reason: string; issues: LoadIssueView[] };
  sliceChanged: { view: MprViewId; slice: SliceState };
  crosshairMoved: { pointLps: Vec3 };
  windowChanged: { window: WindowLevel };
};

export type AppEventName = keyof AppEventMap;
export type AppEventListener<K extends AppEventName> = (payload: AppEventMap[K]) => void;

export type AppEvents = {
  on<K extends AppEventName>(name: K, listener: AppEventListener<K>): () => void;
  emit<K extends AppEventName>(name: K, payload: AppEventMap[K]): void;
  clear(): void;
};

export function createAppEvents(): AppEvents {
  const listeners = new Map<AppEventName, Set<(payload: never) => void>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    emit(name, payload) {
      const set = listeners.get(name);
      if (!set) return;
      for (const l of [...set]) (l as AppEventListener<typeof name>)(payload);
    },
    clear() {
      listeners.clear();
    },
  };
}
