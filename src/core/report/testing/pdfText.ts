/**
 * Test helpers (node only): read a PDF's text back with poppler's pdftotext,
 * and list every figure of a report model in the form the PDF must print it.
 */
import { execFileSync } from 'node:child_process';
import {
  describeCraniocaudal, describeInPlane, describePrimary, describeSecondary, fixed1, formatClearanceMm, formatLesion, formatLps, formatMm, structureLabel,
} from '../format';
import type { ReportModel } from '../ReportModel';

/** Every number and named figure the model puts on the screw pages, as printed. */
export function expectedStrings(model: ReportModel): string[] {
  const out: string[] = [model.planHashHex, model.software.version];
  if (model.lesion) {
    out.push(formatLesion(model.lesion.volumeMl, model.lesion.diametersMm));
    if (model.lesion.caution) out.push(`CAUTION: ${model.lesion.caution}`);
  }
  for (const s of model.screws) {
    for (const p of [s.skinEntry, s.boneEntry, s.tip]) {
      out.push(formatLps(p.lps), String(p.sliceNumber), String(p.row), String(p.column), fixed1(p.tablePositionMm), fixed1(p.offFromSliceMm));
      if (p.instanceNumber !== null) out.push(`img ${p.instanceNumber}`);
    }
    out.push(
      describeCraniocaudal(s.angles.craniocaudalDeg), describeInPlane(s.angles.inPlaneDeg), describeInPlane(s.angles.axialInPlaneDeg),
      describeCraniocaudal(s.angles.elevationDeg), `${fixed1(s.angles.planeTiltDeg)}\u00b0`,
      formatMm(s.skinToBoneMm), formatMm(s.skinToTipMm), formatMm(s.boneEntryToTipMm), formatMm(s.diameterMm), formatMm(s.catalogLengthMm),
      `${s.slicesSpanned.first} to ${s.slicesSpanned.last}`,
      `${describePrimary(s.cArm.bullsEye.primaryDeg)}, ${describeSecondary(s.cArm.bullsEye.secondaryDeg)}`,
      `${describePrimary(s.cArm.progression.primaryDeg)}, ${describeSecondary(s.cArm.progression.secondaryDeg)}`,
      `${s.checkCounts.pass} passed, ${s.checkCounts.fail} failed, ${s.checkCounts.overridden} overridden`,
    );
    if (s.purchase) out.push(formatMm(s.purchase.nearMm), formatMm(s.purchase.farMm), formatMm(s.purchase.lesionSpanMm));
    if (s.cortexClearanceMm !== null) out.push(formatMm(s.cortexClearanceMm));
    for (const c of s.clearances) out.push(`${structureLabel(c.structure)} ${formatClearanceMm(c.clearanceMm, c.isLowerBound)} (needs ${formatMm(c.requiredMm)})`);
    for (const c of s.checks) {
      if (c.status === 'overridden') out.push(`overridden by ${c.overriddenBy!}: ${c.reason!}`);
    }
    for (const step of s.roomSteps) out.push(step);
    for (const x of s.uncheckedStructures) out.push(`${x.label} ${x.state === 'notFound' ? 'NOT CHECKED: not found' : 'not checked: marked absent'}`);
  }
  if (model.structures.length > 0) {
    const withModel = model.structures.filter((x) => x.state !== 'notFound' && x.state !== 'absent').length;
    out.push(`Critical structures ${withModel} of ${model.structures.length} modelled and checked against`);
  }
  return out;
}

export function pdfText(pdf: string, page?: number): string {
  const args = page ? ['-f', String(page), '-l', String(page)] : [];
  // -layout keeps each printed row on one line (two-column blocks and table rows read left to right).
  return execFileSync('/usr/bin/pdftotext', ['-layout', ...args, pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

