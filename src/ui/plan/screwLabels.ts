/**
 * How screws and their status are named on screen: short corridor names,
 * side letters (the patient's side), and status icon + text so that the
 * status reads without colour.
 */
import type { CorridorId } from '../../core/shared/ids';
import type { PlanScrew } from '../../core/report/planSchema';
import { CORRIDOR_LABELS } from '../../core/report/format';
import type { ScrewStatus } from './PlanStore';

export const CORRIDOR_SHORT: Record<CorridorId, string> = {
  iliosacralS1: 'IS S1',
  iliosacralS2: 'IS S2',
  transsacralS1: 'TS S1',
  transsacralS2: 'TS S2',
  supraAcetabular: 'Supra-acetabular',
  anteriorColumnAntegrade: 'Ant. column (ante.)',
  anteriorColumnRetrograde: 'Ant. column (retro.)',
  iliacWing: 'Iliac wing',
  femoralNeck: 'Femoral neck',
};

/** Full corridor names, as the report prints them. */
export const CORRIDOR_LONG: Readonly<Record<CorridorId, string>> = CORRIDOR_LABELS;

export function sideLetter(side: 'left' | 'right' | null): string {
  return side === 'left' ? 'L' : side === 'right' ? 'R' : '';
}

/** "IS S1 L", numbered when one corridor and side holds several screws ("Femoral neck R 2"). */
export function screwLabel(screw: PlanScrew, all: readonly PlanScrew[]): string {
  const base = [CORRIDOR_SHORT[screw.corridorId], sideLetter(screw.side)].filter(Boolean).join(' ');
  const same = all.filter((s) => s.corridorId === screw.corridorId && s.side === screw.side);
  if (same.length < 2) return base;
  return `${base} ${same.indexOf(screw) + 1}`;
}

export const STATUS_TEXT: Record<ScrewStatus, string> = {
  pending: 'Checking',
  ok: 'All checks pass',
  overridden: 'Overridden',
  failed: 'Check failed',
};

/** Icons differ in shape, not only in colour. */
export const STATUS_ICON: Record<ScrewStatus, string> = {
  pending: '\u25CC', // dotted circle
  ok: '\u2714', // heavy check mark
  overridden: '\u26A0', // warning sign
  failed: '\u2716', // heavy multiplication x
};
