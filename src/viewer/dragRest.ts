/**
 * "The pointer rests" during a screw drag, measured against the drag's own pace (issue #6: the trajectory
 * reformats and the 3D scene follow the selected screw as it moves, but drawing them on every pointer event
 * makes every following event wait for that frame on a software rasteriser).
 *
 * Each plan update of the drag calls `update()`; `onRest` runs once no update came for REST_GAP_FACTOR times
 * the drag's usual gap between updates (75th percentile of the last REST_GAP_WINDOW) and at least
 * REST_MIN_MS. A fixed 120 or 300 ms fired between nearly every event on the loaded test machine, where
 * the events themselves came 0.4-0.6 s apart. `reset()` at a drag's start and end (forgets the pace,
 * cancels a pending rest). No DOM, no Cornerstone: used by viewer/trajectoryViews.ts and
 * ui/scene/sceneController.ts; the clock and timer are injectable for tests.
 */
export const REST_MIN_MS = 250;
export const REST_GAP_FACTOR = 3;
export const REST_GAP_WINDOW = 16;

export type DragRest = { update(): void; reset(): void; dispose(): void };
export type DragRestClock = {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const realClock: DragRestClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function createDragRest(onRest: () => void, clock: DragRestClock = realClock): DragRest {
  let timer: unknown = null;
  let lastUpdateMs: number | null = null;
  const gapsMs: number[] = [];
  const clear = (): void => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
  };
  return {
    update() {
      const now = clock.now();
      if (lastUpdateMs !== null) {
        gapsMs.push(now - lastUpdateMs);
        if (gapsMs.length > REST_GAP_WINDOW) gapsMs.shift();
      }
      lastUpdateMs = now;
      const sorted = [...gapsMs].sort((a, b) => a - b);
      const usualGapMs = sorted.length > 0 ? sorted[Math.floor(0.75 * (sorted.length - 1))]! : 0;
      clear();
      timer = clock.setTimeout(() => {
        timer = null;
        onRest();
      }, Math.max(REST_MIN_MS, REST_GAP_FACTOR * usualGapMs));
    },
    reset() {
      clear();
      lastUpdateMs = null;
      gapsMs.length = 0;
    },
    dispose() {
      clear();
    },
  };
}
