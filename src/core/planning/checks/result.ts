import type { CheckResult, CheckRule } from '../types';

/** Builds a CheckResult with ok and marginMm derived from the conservative value. */
export function makeResult(
  rule: CheckRule,
  valueMm: number,
  requiredMm: number,
  toleranceMm: number,
  detail: (r: { ok: boolean; marginMm: number }) => string,
  extra: Partial<CheckResult> = {},
  forceFail = false,
): CheckResult {
  const marginMm = valueMm - toleranceMm - requiredMm;
  const ok = !forceFail && marginMm >= 0;
  return { rule, ok, valueMm, requiredMm, toleranceMm, marginMm, ...extra, detail: detail({ ok, marginMm }) };
}

export function mm(x: number): string {
  return `${Number.isFinite(x) ? x.toFixed(1) : String(x)} mm`;
}

import { LABELS } from '../../shared/ids';

const LABEL_NAMES: string[] = [];
for (const [name, value] of Object.entries(LABELS)) LABEL_NAMES[value] = name;

/** Name of a label value ("sacrum", "hipLeft", ...), or "label N". */
export function labelName(value: number): string {
  return LABEL_NAMES[value] ?? `label ${value}`;
}
