import { PlannerError } from '../shared/errors';

/**
 * Canonical JSON for hashing, after RFC 8785 (JSON Canonicalization Scheme):
 * object keys sorted by UTF-16 code units, no whitespace, numbers in
 * ECMAScript's shortest round-trip form (what JSON.stringify writes), strings
 * escaped as JSON.stringify does. Properties whose value is `undefined` are
 * left out (as JSON.stringify does). Non-finite numbers, `undefined` in
 * arrays, functions, typed arrays and other non-JSON values are refused with
 * `report/bad-input`: a hash of something JSON cannot carry would not survive
 * the file.
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts, '$');
  return parts.join('');
}

function write(value: unknown, out: string[], path: string): void {
  if (value === null) { out.push('null'); return; }
  switch (typeof value) {
    case 'boolean': out.push(value ? 'true' : 'false'); return;
    case 'string': out.push(JSON.stringify(value)); return;
    case 'number':
      if (!Number.isFinite(value)) throw new PlannerError('report/bad-input', `${path}: ${value} cannot be written to JSON`);
      out.push(JSON.stringify(value));
      return;
    case 'object': break;
    default: throw new PlannerError('report/bad-input', `${path}: a ${typeof value} cannot be written to JSON`);
  }
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.push(',');
      if (value[i] === undefined) throw new PlannerError('report/bad-input', `${path}[${i}]: undefined in an array`);
      write(value[i], out, `${path}[${i}]`);
    }
    out.push(']');
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new PlannerError('report/bad-input', `${path}: only plain objects and arrays can be hashed`);
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  out.push('{');
  keys.forEach((k, n) => {
    if (n > 0) out.push(',');
    out.push(JSON.stringify(k), ':');
    write(record[k], out, `${path}.${k}`);
  });
  out.push('}');
}
