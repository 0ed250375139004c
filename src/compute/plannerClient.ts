/**
 * Typed comlink plumbing for the planner worker: the worker side serves a
 * {@link PlannerEngine} (workers/planner.worker.ts is three lines), the main
 * side gets a typed remote. Also the transfer rule for field sets: when
 * memory is not shared, the field buffers are COPIED once and the copies
 * transferred, so the caller keeps its own (the viewer and the live checks
 * still need them).
 */
import { type Endpoint, expose, type Remote, transfer, wrap } from 'comlink';
import type { FieldSet } from '../core/fields/FieldSet';
import type { PlannerEngine } from '../core/planning/plannerEngine';
import type { Volume } from '../core/volume/Volume';
import { isShared } from '../core/volume/voxelBuffer';

export type PlannerRemote = Remote<PlannerEngine>;

/** Serves `engine` on `endpoint` (default: the worker's global scope). */
export function servePlannerEngine(engine: PlannerEngine, endpoint?: Endpoint): void {
  if (endpoint) expose(engine, endpoint);
  else expose(engine);
}

export function wrapPlannerEngine(endpoint: Endpoint): PlannerRemote {
  return wrap<PlannerEngine>(endpoint);
}

/** True when every buffer of the field set is a SharedArrayBuffer (posting it shares, never copies). */
export function isFieldSetShared(fields: FieldSet): boolean {
  const all = [fields.boneDepth, fields.labels, ...(fields.lesion ? [fields.lesion] : []), ...Object.values(fields.structures)];
  return all.every((v) => v !== undefined && isShared(v.voxels));
}

function cloneVolume<T extends Volume['voxels']>(v: Volume<T>, buffers: ArrayBuffer[]): Volume<T> {
  const copy = v.voxels.slice() as T;
  buffers.push(copy.buffer as ArrayBuffer);
  return { ...v, voxels: copy };
}

/**
 * A copy of `fields` whose buffers can be transferred to one worker, plus the
 * transfer list. The caller's field set is untouched.
 */
export function fieldSetForTransfer(fields: FieldSet): { fields: FieldSet; transfer: ArrayBuffer[] } {
  const buffers: ArrayBuffer[] = [];
  const structures: FieldSet['structures'] = {};
  for (const [id, v] of Object.entries(fields.structures)) if (v) structures[id as keyof FieldSet['structures']] = cloneVolume(v, buffers);
  const copy: FieldSet = {
    ...fields,
    boneDepth: cloneVolume(fields.boneDepth, buffers),
    lesion: fields.lesion ? cloneVolume(fields.lesion, buffers) : null,
    labels: cloneVolume(fields.labels, buffers),
    structures,
  };
  return { fields: copy, transfer: buffers };
}

/** Every distinct buffer behind a field set (for a transfer list). */
export function fieldSetBuffers(fields: FieldSet): ArrayBuffer[] {
  const volumes = [fields.boneDepth, fields.labels, ...(fields.lesion ? [fields.lesion] : []), ...Object.values(fields.structures)];
  const buffers = new Set<ArrayBuffer>();
  for (const v of volumes) if (v) buffers.add(v.voxels.buffer as ArrayBuffer);
  return [...buffers];
}

/** Marks a payload for transfer through comlink. */
export function withTransfer<T>(value: T, buffers: ArrayBuffer[]): T {
  return transfer(value, buffers);
}
