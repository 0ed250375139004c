import { PlannerError } from '../shared/errors';
import type { ScrewCatalog, ScrewSpec } from './types';

/**
 * The screw catalog: cannulated screws of 4.5, 6.5, 7.0 and 7.3 mm in 5 mm
 * steps from 30 to 180 mm (DESIGN 1). Editable by the user and saved with the
 * plan; {@link validateCatalog} is the gate for anything loaded or edited.
 */

export function standardLengthsMm(fromMm = 30, toMm = 180, stepMm = 5): number[] {
  const out: number[] = [];
  for (let l = fromMm; l <= toMm + 1e-9; l += stepMm) out.push(l);
  return out;
}

export function defaultCatalog(): ScrewCatalog {
  const spec = (diameterMm: number, threadLengthMm: number, headDiameterMm: number): ScrewSpec => ({
    id: `cannulated-${diameterMm.toFixed(1)}`,
    label: `${diameterMm.toFixed(1)} mm cannulated`,
    diameterMm,
    lengthsMm: standardLengthsMm(),
    threadLengthMm,
    headDiameterMm,
    cannulated: true,
  });
  return { version: 1, screws: [spec(4.5, 16, 7), spec(6.5, 32, 10), spec(7.0, 32, 11), spec(7.3, 32, 11.5)] };
}

/**
 * Checks a catalog (from a plan file or the editor) and returns a normalised
 * copy (lengths sorted, duplicates removed). Throws `planning/bad-input` with a
 * message that names the offending screw and field.
 */
export function validateCatalog(input: unknown): ScrewCatalog {
  const bad = (msg: string): never => {
    throw new PlannerError('planning/bad-input', `screw catalog: ${msg}`);
  };
  if (typeof input !== 'object' || input === null) bad('not an object');
  const c = input as { version?: unknown; screws?: unknown };
  if (c.version !== 1) bad(`unsupported version ${String(c.version)}`);
  if (!Array.isArray(c.screws) || c.screws.length === 0) bad('no screws');
  const ids = new Set<string>();
  const screws: ScrewSpec[] = (c.screws as unknown[]).map((raw, index) => {
    if (typeof raw !== 'object' || raw === null) return bad(`screw ${index} is not an object`);
    const s = raw as Record<string, unknown>;
    const where = `screw ${index}${typeof s.id === 'string' ? ` (${s.id})` : ''}`;
    if (typeof s.id !== 'string' || s.id.length === 0) bad(`${where}: id must be a non-empty string`);
    if (ids.has(s.id as string)) bad(`${where}: duplicate id`);
    ids.add(s.id as string);
    const num = (name: string, min: number, max: number): number => {
      const v = s[name];
      if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) bad(`${where}: ${name} must be a number in [${min}, ${max}], got ${String(v)}`);
      return v as number;
    };
    const diameterMm = num('diameterMm', 1, 16);
    const threadLengthMm = num('threadLengthMm', 0, 300);
    const headDiameterMm = num('headDiameterMm', diameterMm, 40);
    if (!Array.isArray(s.lengthsMm) || s.lengthsMm.length === 0) bad(`${where}: lengthsMm must be a non-empty list`);
    const lengths = (s.lengthsMm as unknown[]).map((l) => {
      if (typeof l !== 'number' || !Number.isFinite(l) || l < 5 || l > 300) bad(`${where}: length ${String(l)} mm out of [5, 300]`);
      return l as number;
    });
    const lengthsMm = [...new Set(lengths)].sort((a, b) => a - b);
    return {
      id: s.id as string,
      label: typeof s.label === 'string' ? s.label : (s.id as string),
      diameterMm,
      lengthsMm,
      threadLengthMm,
      headDiameterMm,
      cannulated: s.cannulated !== false,
    };
  });
  return { version: 1, screws };
}

/** Longest catalog length <= maxMm and >= minMm, or null. `lengthsMm` ascending. */
export function longestLengthWithin(spec: ScrewSpec, minMm: number, maxMm: number): number | null {
  for (let i = spec.lengthsMm.length - 1; i >= 0; i--) {
    const l = spec.lengthsMm[i]!;
    if (l <= maxMm + 1e-9) return l >= minMm - 1e-9 ? l : null;
  }
  return null;
}
