import { detectCriticalStructures } from '../anatomy/detectCriticalStructures';
import type { CriticalStructures } from '../anatomy/structures';
import type { ErrorCode } from '../shared/errors';
import { PlannerError, errorCodeOf } from '../shared/errors';
import type { Volume } from '../volume/Volume';

/**
 * The critical-structure detection on a second thread while this thread does something
 * else that needs only the same labels (issue #4: bone segmentation + fields in workers,
 * on both cores). The segmentation worker runs the bone-depth field (segmentationEngine.ts
 * `detectStructures`) while its helper thread (workers/segmentationEdt.worker.ts, the
 * distance-transform helper) detects the structures; when the helper is done it joins the
 * bone depth's distance-transform passes (parallelEdt.ts), so both cores stay busy.
 *
 * Protocol (shared memory, like parallelEdt.ts): the job is claimed with a compare-exchange
 * on a small SharedArrayBuffer, so exactly one thread runs it. The caller posts the job, does
 * its own work, then claims the job itself if the helper has not (a helper that is busy,
 * slow or never started only means the detection runs here afterwards: one thread's time,
 * never a hang); otherwise it waits for the helper's answer. The answer is the JSON of the
 * models (numbers that JSON cannot carry, -0, NaN and the infinities, are encoded) written
 * into a shared buffer: the same models, to the last bit, as a detection in this thread.
 * The labels must be on shared memory and must not change until the answer is read (the
 * caller holds the engine for the whole call).
 */

/** A structure detection posted to the helper (structured-cloneable: the arrays share memory). */
export type StructuresJob = {
  kind: 'structures';
  /** [claim (0 free, 1 helper, 2 caller), done, answer bytes, status]. */
  ctrl: Int32Array;
  labels: Volume<Uint8Array>;
  /** Answer: the JSON's UTF-16 code units. */
  out: Uint16Array;
};

const CLAIM = 0;
const DONE = 1;
const LENGTH = 2;
const STATUS = 3;
const STATUS_OK = 1;
const STATUS_ERROR = 2;
const STATUS_OVERFLOW = 3;

/** Answer capacity (code units): the models of a pelvis are a few kilobytes of JSON. */
const ANSWER_UNITS = 1 << 20;

export function isStructuresJob(job: unknown): job is StructuresJob {
  return typeof job === 'object' && job !== null && (job as { kind?: unknown }).kind === 'structures';
}

/** The second thread: what to post jobs to (null: none, detection in this thread). */
export type StructuresSideThread = { post: ((job: StructuresJob) => void) | null; stallMs?: number };

/**
 * JSON with -0, NaN and the infinities kept (exported for tests): such a number is written as
 * the string "\u0000#" + its text, and a string that starts with "\u0000" gets one more in front,
 * so the encoding is unambiguous.
 */
export const encodeModels = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'string') return v.startsWith('\u0000') ? `\u0000${v}` : v;
    if (typeof v !== 'number') return v;
    if (Object.is(v, -0)) return '\u0000#-0';
    if (!Number.isFinite(v)) return `\u0000#${String(v)}`;
    return v;
  });

export const decodeModels = (text: string): unknown =>
  JSON.parse(text, (_key, v: unknown) => {
    if (typeof v !== 'string' || !v.startsWith('\u0000')) return v;
    return v.startsWith('\u0000#') ? Number(v.slice(2)) : v.slice(1);
  });

/** The helper thread's side: runs the job if nobody has claimed it. Returns whether it ran it. */
export function runStructuresJob(job: StructuresJob): boolean {
  if (Atomics.compareExchange(job.ctrl, CLAIM, 0, 1) !== 0) return false;
  let text: string;
  let status = STATUS_OK;
  try {
    text = encodeModels(detectCriticalStructures(job.labels));
  } catch (error) {
    status = STATUS_ERROR;
    text = JSON.stringify({ code: errorCodeOf(error) ?? 'assert', message: error instanceof Error ? error.message : String(error) });
  }
  if (text.length > job.out.length) status = STATUS_OVERFLOW;
  else for (let c = 0; c < text.length; c++) job.out[c] = text.charCodeAt(c);
  Atomics.store(job.ctrl, LENGTH, text.length);
  Atomics.store(job.ctrl, STATUS, status);
  Atomics.store(job.ctrl, DONE, 1);
  Atomics.notify(job.ctrl, DONE);
  return true;
}

/**
 * Detects the structures of `labels` on the side thread while `during()` runs here, and
 * returns both. Without a side thread, or with labels not on shared memory: `during()`, then
 * the detection here (the same results, in the same order of effects).
 */
export function detectStructuresDuring<T>(labels: Volume<Uint8Array>, side: StructuresSideThread | null, during: () => T): { structures: CriticalStructures; during: T } {
  const post = side?.post;
  if (!post || typeof SharedArrayBuffer === 'undefined' || !(labels.voxels.buffer instanceof SharedArrayBuffer)) {
    const value = during();
    return { structures: detectCriticalStructures(labels), during: value };
  }
  const job: StructuresJob = {
    kind: 'structures',
    ctrl: new Int32Array(new SharedArrayBuffer(16)),
    labels,
    out: new Uint16Array(new SharedArrayBuffer(2 * ANSWER_UNITS)),
  };
  post(job);
  let value: T;
  try {
    value = during();
  } catch (error) {
    // Keep the helper off the labels once this call returns: claim the job if it has not started.
    Atomics.compareExchange(job.ctrl, CLAIM, 0, 2);
    if (Atomics.load(job.ctrl, CLAIM) === 1) waitDone(job, side.stallMs ?? 120_000);
    throw error;
  }
  // Not started by the helper: run it here.
  if (Atomics.compareExchange(job.ctrl, CLAIM, 0, 2) === 0) return { structures: detectCriticalStructures(labels), during: value };
  waitDone(job, side.stallMs ?? 120_000);
  const status = Atomics.load(job.ctrl, STATUS);
  // Answer too large for the buffer (never seen): detect here.
  if (status === STATUS_OVERFLOW) return { structures: detectCriticalStructures(labels), during: value };
  const text = textOf(job.out, Atomics.load(job.ctrl, LENGTH));
  if (status === STATUS_ERROR) {
    const e = JSON.parse(text) as { code: ErrorCode; message: string };
    // The helper's message already starts with "[code]": keep the text the user sees the same as in one thread.
    const error = new PlannerError(e.code, '');
    error.message = e.message;
    throw error;
  }
  return { structures: decodeModels(text) as CriticalStructures, during: value };
}

function textOf(units: Uint16Array, length: number): string {
  let text = '';
  for (let c = 0; c < length; c += 4096) text += String.fromCharCode(...units.slice(c, Math.min(length, c + 4096)));
  return text;
}

function waitDone(job: StructuresJob, stallMs: number): void {
  while (Atomics.load(job.ctrl, DONE) === 0) {
    if (Atomics.wait(job.ctrl, DONE, 0, stallMs) === 'timed-out' && Atomics.load(job.ctrl, DONE) === 0) {
      throw new PlannerError('worker/cancelled', `the helper thread detecting the nerve channels and joints gave no answer for ${Math.round(stallMs / 1000)} s (it may have run out of memory): reload the page to restart the segmentation`);
    }
  }
}
