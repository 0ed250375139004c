import { PlannerError } from '../shared/errors';

/**
 * Cancellation for long planner runs. A request carries its `generation`;
 * the caller owns an Int32Array token (SharedArrayBuffer-backed when
 * cross-origin isolated) whose slot 0 holds the latest generation. The engine
 * polls it every few hundred candidates: once the token moved on, the request
 * is stale and is abandoned with `worker/stale`. Without shared memory the
 * token is a copy that never changes, and the pool cancels between chunks.
 */
export type CancelToken = { isCancelled(): boolean; throwIfCancelled(): void };

export function generationToken(token: Int32Array | undefined, generation: number): CancelToken {
  const isCancelled = (): boolean => token !== undefined && Atomics.load(token, 0) !== generation;
  return {
    isCancelled,
    throwIfCancelled(): void {
      if (isCancelled()) throw new PlannerError('worker/stale', `planner request ${generation} superseded by ${token ? Atomics.load(token, 0) : '?'}`);
    },
  };
}

export const NEVER_CANCELLED: CancelToken = { isCancelled: () => false, throwIfCancelled: () => undefined };
