import type { CorridorId, Side } from '../shared/ids';

/**
 * Text forms of the report's numbers and names, shared by the PDF writer and
 * the tests that read the PDF back (so a test can look for exactly the string
 * the page must show). Lengths: one decimal, in mm. Angles: one decimal, in
 * degrees. No negative zero.
 */

/** One decimal, "-0.0" printed as "0.0". */
export function fixed1(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const s = value.toFixed(1);
  return s === '-0.0' ? '0.0' : s;
}

export function formatMm(value: number): string {
  return `${fixed1(value)} mm`;
}

/**
 * A clearance as the page and the screen show it: "3.4 mm", or "> 21 mm" when
 * the figure is only a LOWER BOUND (the structure lies beyond the box its
 * distance field covers: planning CheckResult.isLowerBound,
 * ScrewEvaluation.minClearanceIsLowerBound). A bound is floored to whole mm,
 * so the printed figure never claims more than was measured.
 */
export function formatClearanceMm(valueMm: number, isLowerBound = false): string {
  if (!isLowerBound || !Number.isFinite(valueMm)) return formatMm(valueMm);
  return `> ${Math.floor(valueMm)} mm`;
}

/** Degrees with the degree sign (WinAnsi 0xB0, printable with the standard PDF fonts). */
export function formatDeg(value: number): string {
  return `${fixed1(value)}\u00b0`;
}

/** LPS point as "(x, y, z)" with one decimal, mm. */
export function formatLps(p: readonly number[]): string {
  return `(${fixed1(p[0]!)}, ${fixed1(p[1]!)}, ${fixed1(p[2]!)})`;
}

/**
 * An LPS point in words, so no sign has to be read: "150.4 mm left, 42.3 mm
 * posterior, 13.1 mm inferior" (of the DICOM patient origin; 0.0 has no direction).
 */
export function describeLpsWords(p: readonly number[]): string {
  const word = (v: number, plus: string, minus: string): string => {
    const r = fixed1(Math.abs(v));
    return r === '0.0' ? `0.0 mm ${plus}/${minus}` : `${r} mm ${v > 0 ? plus : minus}`;
  };
  return `${word(p[0]!, 'left', 'right')}, ${word(p[1]!, 'posterior', 'anterior')}, ${word(p[2]!, 'superior', 'inferior')}`;
}

/** "12.0° cranial" / "3.5° caudal" / "0.0°": tip cranial to entry = cranial. */
export function describeCraniocaudal(deg: number): string {
  const r = fixed1(Math.abs(deg));
  if (r === '0.0') return `0.0\u00b0 (none)`;
  return `${r}\u00b0 ${deg > 0 ? 'cranial' : 'caudal'}`;
}

/** "20.0° to patient's left" / "... right" / "0.0° (vertical)". */
export function describeInPlane(deg: number): string {
  const r = fixed1(Math.abs(deg));
  if (r === '0.0') return `0.0\u00b0 (vertical)`;
  return `${r}\u00b0 to patient's ${deg > 0 ? 'left' : 'right'}`;
}

/** "LAO 12.0°" / "RAO 5.0°" / "AP 0.0°". */
export function describePrimary(deg: number): string {
  const r = fixed1(Math.abs(deg));
  if (r === '0.0') return 'AP 0.0\u00b0';
  return `${deg > 0 ? 'LAO' : 'RAO'} ${r}\u00b0`;
}

/** "CRA 12.0°" / "CAU 5.0°" / "CRA/CAU 0.0°". */
export function describeSecondary(deg: number): string {
  const r = fixed1(Math.abs(deg));
  if (r === '0.0') return 'CRA/CAU 0.0\u00b0';
  return `${deg > 0 ? 'CRA' : 'CAU'} ${r}\u00b0`;
}

/** Full corridor names (report and screen). */
export const CORRIDOR_LABELS: Readonly<Record<CorridorId, string>> = {
  iliosacralS1: 'Iliosacral S1',
  iliosacralS2: 'Iliosacral S2',
  transsacralS1: 'Transsacral S1',
  transsacralS2: 'Transsacral S2',
  supraAcetabular: 'Supra-acetabular (LC-II)',
  anteriorColumnAntegrade: 'Anterior column, antegrade',
  anteriorColumnRetrograde: 'Anterior column, retrograde',
  iliacWing: 'Iliac wing',
  femoralNeck: 'Femoral neck',
};

export function corridorLabel(id: CorridorId): string {
  return CORRIDOR_LABELS[id];
}

export function sideLabel(side: Side | null): string {
  return side === null ? 'midline' : side === 'left' ? "patient's left" : "patient's right";
}

export { structureLabel } from '../shared/ids';

/** The lesion line of the summary page: "4.7 ml, diameters 32 x 22 x 15 mm". */
export function formatLesion(volumeMl: number, diametersMm: readonly number[] | null): string {
  return `${volumeMl.toFixed(1)} ml${diametersMm ? `, diameters ${diametersMm.map((x) => x.toFixed(0)).join(' x ')} mm` : ''}`;
}
