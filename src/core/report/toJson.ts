import { PlannerError } from '../shared/errors';
import { utf8Encode } from '../dicom/utf8';
import { canonicalJson } from './canonicalJson';
import {
  PLAN_FILE_FORMAT, PLAN_FILE_VERSION, planContentSchema, planFileSchema, type PlanContent, type PlanFile,
} from './planSchema';
import { sha256Hex } from './sha256';
import type { z } from 'zod';

/**
 * Plan file export and import (see planSchema.ts for the format). Import is a
 * pure function of the text and the open series: it returns a new plan or
 * throws, and never touches the plan that is open.
 */

/** SHA-256 (hex) of the canonical JSON of the plan content. */
export function computePlanHash(plan: PlanContent): string {
  return sha256Hex(utf8Encode(canonicalJson(plan)));
}

function describeIssues(error: z.ZodError, prefix: string, max = 3): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${prefix}${path}: ${issue.message}`;
  });
  const more = error.issues.length > max ? ` (and ${error.issues.length - max} more)` : '';
  return parts.join('; ') + more;
}

/**
 * Writes a plan file: validates the content (throws `report/bad-input` naming
 * the bad field, so we never write a file we would refuse to read), hashes it
 * and returns the JSON text (2-space indented) and the hash.
 */
export function exportPlanJson(
  plan: PlanContent,
  meta: { software: { name: string; version: string }; savedAtIso: string },
): { text: string; hashHex: string; file: PlanFile } {
  const parsed = planContentSchema.safeParse(plan);
  if (!parsed.success) throw new PlannerError('report/bad-input', `plan cannot be saved: ${describeIssues(parsed.error, 'plan')}`);
  const hashHex = computePlanHash(parsed.data);
  const file: PlanFile = {
    format: PLAN_FILE_FORMAT,
    formatVersion: PLAN_FILE_VERSION,
    software: { name: meta.software.name, version: meta.software.version },
    savedAtIso: meta.savedAtIso,
    plan: parsed.data,
    hash: { algorithm: 'SHA-256', hex: hashHex },
  };
  const check = planFileSchema.safeParse(file);
  if (!check.success) throw new PlannerError('report/bad-input', `plan cannot be saved: ${describeIssues(check.error, 'file')}`);
  return { text: `${JSON.stringify(file, null, 2)}\n`, hashHex, file };
}

/** The series that is open, to which an imported plan must belong. */
export type OpenSeriesIdentity = {
  seriesInstanceUid: string;
  /** When given, the plan's grid must match it (same UID re-exported with another grid is refused). */
  geometry?: {
    dims: readonly number[];
    spacingMm: readonly number[];
    originLps: readonly number[];
    direction: readonly number[];
  };
};

const GRID_TOLERANCE_MM = 0.01;
const DIRECTION_TOLERANCE = 1e-4;

/**
 * Reads a plan file. Throws:
 * - `plan/invalid-file` when the text is not JSON, not a plan file, of a
 *   version this software cannot read, fails the schema (the message names
 *   the first fields at fault), or its content does not match its hash
 *   (corrupted or edited after saving);
 * - `plan/wrong-series` when it was made on another series (or on a grid that
 *   differs from the open one).
 * Returns a fresh object; nothing of the open session is read or changed.
 */
export function importPlanJson(text: string, open: OpenSeriesIdentity): { file: PlanFile; plan: PlanContent; hashHex: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlannerError('plan/invalid-file', `the file is not valid JSON (${e instanceof Error ? e.message : String(e)}); it may be truncated or not a plan file`);
  }
  if (typeof raw !== 'object' || raw === null || (raw as { format?: unknown }).format !== PLAN_FILE_FORMAT) {
    throw new PlannerError('plan/invalid-file', `this is not a screw plan file (no "format": "${PLAN_FILE_FORMAT}")`);
  }
  const version = (raw as { formatVersion?: unknown }).formatVersion;
  if (version !== PLAN_FILE_VERSION) {
    const newer = typeof version === 'number' && version > PLAN_FILE_VERSION;
    throw new PlannerError(
      'plan/invalid-file',
      newer
        ? `the plan file has format version ${version}, written by a newer version of the software; this one reads version ${PLAN_FILE_VERSION}`
        : `the plan file has an unknown format version ${JSON.stringify(version)}; this software reads version ${PLAN_FILE_VERSION}`,
    );
  }
  const parsed = planFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new PlannerError('plan/invalid-file', `the plan file is damaged or incomplete: ${describeIssues(parsed.error, 'file')}`);
  }
  const file = parsed.data;
  // The hash covers the content as it was saved: settings added since (schema defaults) are not in it.
  const hashHex = computePlanHash((raw as { plan: PlanContent }).plan);
  if (hashHex !== file.hash.hex) {
    throw new PlannerError(
      'plan/invalid-file',
      `the plan file was corrupted or edited after it was saved: its content hashes to ${hashHex.slice(0, 12)}..., the file says ${file.hash.hex.slice(0, 12)}...`,
    );
  }
  const series = file.plan.series;
  if (series.seriesInstanceUid !== open.seriesInstanceUid) {
    throw new PlannerError(
      'plan/wrong-series',
      `the plan was made on series ${series.seriesInstanceUid}${series.description ? ` ("${series.description}")` : ''}, not on the open series ${open.seriesInstanceUid}`,
    );
  }
  if (open.geometry) {
    const g = series.geometry, o = open.geometry;
    const same =
      g.dims.every((d, i) => d === o.dims[i]) &&
      g.spacingMm.every((s, i) => Math.abs(s - o.spacingMm[i]!) <= GRID_TOLERANCE_MM) &&
      g.originLps.every((s, i) => Math.abs(s - o.originLps[i]!) <= GRID_TOLERANCE_MM) &&
      g.direction.every((s, i) => Math.abs(s - o.direction[i]!) <= DIRECTION_TOLERANCE);
    if (!same) {
      throw new PlannerError(
        'plan/wrong-series',
        `the plan's series ${series.seriesInstanceUid} has a ${g.dims.join(' x ')} grid at ${g.originLps.map((v) => v.toFixed(2)).join(', ')} mm; the open series has the same UID but a different grid (${o.dims.join(' x ')} at ${o.originLps.map((v) => v.toFixed(2)).join(', ')} mm)`,
      );
    }
  }
  return { file, plan: file.plan, hashHex };
}
