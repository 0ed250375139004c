/**
 * Whether this page can share memory with its workers, and how many planner
 * workers to start. SharedArrayBuffer needs cross-origin isolation
 * (COOP/COEP headers, see vite.config.ts); without it buffers are transferred
 * to a single worker instead.
 */
export type IsolationInfo = {
  /** crossOriginIsolated and SharedArrayBuffer available. */
  shared: boolean;
  /** Logical cores reported by the browser (navigator.hardwareConcurrency), at least 1. */
  cores: number;
  /** Planner workers to start: cores - 1 (leave one for the UI) when shared, else 1. */
  poolSize: number;
};

export function poolSizeFor(shared: boolean, cores: number): number {
  return shared ? Math.max(1, Math.floor(cores) - 1) : 1;
}

export function detectIsolation(scope: { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } } = globalThis as never): IsolationInfo {
  const shared = scope.crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
  const cores = Math.max(1, scope.navigator?.hardwareConcurrency ?? 2);
  return { shared, cores, poolSize: poolSizeFor(shared, cores) };
}
