import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import { PlannerError } from '../shared/errors';
import {
  corridorLabel, describeCraniocaudal, describeInPlane, describePrimary, describeSecondary, fixed1, formatClearanceMm, formatDeg, formatLps, formatMm,
  formatLesion, sideLabel, structureLabel,
} from './format';
import { REPORT_IMAGE_ORDER, type ReportImageInput, type ReportModel, type ReportScrew } from './ReportModel';
import type { SeriesPoint } from './seriesCoordinates';

/**
 * The report as a PDF (pdf-lib, bytes out, no DOM): a summary page
 * (identifiers unless anonymous, series, conventions, the table of screws),
 * then one page per screw (room steps, points, angles, depths, purchase,
 * clearances, checks, C-arm angles, images with scale bars and orientation
 * letters), continued on a further page when it does not fit. Every page
 * carries the software version and the plan's SHA-256. Every number printed
 * comes from the {@link ReportModel}, formatted by format.ts.
 *
 * Text uses the standard Helvetica fonts (WinAnsi): characters outside that
 * set (e.g. a patient name in another script) print as '?'.
 * The output is deterministic: the document dates come from the model.
 */

export type PaperSize = 'A4' | 'Letter';

export type PdfOptions = { paper: PaperSize };

const PAPER: Record<PaperSize, [number, number]> = { A4: [595.28, 841.89], Letter: [612, 792] };

const MARGIN = 36;
const FOOTER_H = 30;
const BLACK = rgb(0, 0, 0);
const GREY = rgb(0.35, 0.35, 0.35);
const LIGHT = rgb(0.9, 0.9, 0.9);
const RED = rgb(0.75, 0, 0);
const GREEN = rgb(0, 0.45, 0.1);
const ORANGE = rgb(0.7, 0.4, 0);

type Fonts = { regular: PDFFont; bold: PDFFont; mono: PDFFont; charset: Set<number> };

/** Replaces what the WinAnsi standard fonts cannot print (and control characters) with '?'. */
function printable(text: string, fonts: Fonts): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && fonts.charset.has(cp) ? ch : cp === 0x09 || cp === 0x0a || cp === 0x0d ? ' ' : '?';
  }
  return out;
}

/** Drawing cursor on the current page; opens a continuation page when needed. */
class Layout {
  page!: PDFPage;
  y = 0;
  readonly pages: PDFPage[] = [];
  readonly width: number;
  readonly height: number;
  constructor(readonly doc: PDFDocument, readonly fonts: Fonts, readonly paper: [number, number], readonly model: ReportModel) {
    this.width = paper[0];
    this.height = paper[1];
  }
  get contentWidth(): number {
    return this.width - 2 * MARGIN;
  }
  newPage(title: string): void {
    this.page = this.doc.addPage(this.paper);
    this.pages.push(this.page);
    this.y = this.height - MARGIN;
    // Shrink a long title to the width, then wrap what still does not fit.
    let size = 13;
    while (size > 9 && this.width0(title, size, this.fonts.bold) > this.contentWidth) size -= 0.5;
    const lines = wrap(printable(title, this.fonts), this.contentWidth, size, this.fonts.bold);
    lines.forEach((ln, n) => {
      this.text(ln, MARGIN, size, this.fonts.bold);
      this.y -= n === lines.length - 1 ? size + 4 : size * 1.25;
    });
    this.page.drawLine({ start: { x: MARGIN, y: this.y + 4 }, end: { x: this.width - MARGIN, y: this.y + 4 }, thickness: 0.7, color: GREY });
    this.y -= 6;
  }
  /** Ensures `h` points remain above the footer; else continues on a new page. */
  ensure(h: number, continuationTitle: string): void {
    if (this.y - h < MARGIN + FOOTER_H) this.newPage(continuationTitle);
  }
  text(s: string, x: number, size: number, font: PDFFont = this.fonts.regular, color: RGB = BLACK): void {
    this.page.drawText(printable(s, this.fonts), { x, y: this.y - size, size, font, color });
  }
  width0(s: string, size: number, font: PDFFont = this.fonts.regular): number {
    return font.widthOfTextAtSize(printable(s, this.fonts), size);
  }
  /** Wraps `s` to `maxWidth` and draws it; advances y. */
  paragraph(s: string, x: number, maxWidth: number, size: number, font: PDFFont = this.fonts.regular, color: RGB = BLACK, continuationTitle = ''): void {
    for (const ln of wrap(printable(s, this.fonts), maxWidth, size, font)) {
      if (continuationTitle) this.ensure(size * 1.3, continuationTitle);
      this.text(ln, x, size, font, color);
      this.y -= size * 1.3;
    }
  }
}

function wrap(s: string, maxWidth: number, size: number, font: PDFFont): string[] {
  const words = s.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    const next = cur ? `${cur} ${w}` : w;
    if (cur && font.widthOfTextAtSize(next, size) > maxWidth) {
      lines.push(cur);
      cur = w;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Draws a table; `widths` in points; the first row is the header. Returns nothing; advances y. */
function table(L: Layout, rows: string[][], widths: number[], size: number, continuationTitle: string, colors?: (RGB | null)[][]): void {
  const rowH = size * 1.45;
  rows.forEach((row, r) => {
    L.ensure(rowH, continuationTitle);
    if (r === 0) L.page.drawRectangle({ x: MARGIN, y: L.y - rowH + 2, width: widths.reduce((a, b) => a + b, 0), height: rowH, color: LIGHT });
    let x = MARGIN + 2;
    row.forEach((cell, c) => {
      const font = r === 0 ? L.fonts.bold : L.fonts.regular;
      let s = printable(cell, L.fonts);
      while (s.length > 1 && font.widthOfTextAtSize(s, size) > widths[c]! - 4) s = s.slice(0, -2) + '.';
      L.text(s, x, size, font, colors?.[r]?.[c] ?? BLACK);
      x += widths[c]!;
    });
    L.y -= rowH;
  });
}

function footer(page: PDFPage, fonts: Fonts, model: ReportModel, pageNo: number, pageCount: number, width: number): void {
  const size = 7;
  const y1 = MARGIN - 4;
  page.drawLine({ start: { x: MARGIN, y: y1 + 14 }, end: { x: width - MARGIN, y: y1 + 14 }, thickness: 0.5, color: GREY });
  const left = printable(`${model.software.name} ${model.software.version} | plan SHA-256 ${model.planHashHex}`, fonts);
  page.drawText(left, { x: MARGIN, y: y1 + 4, size, font: fonts.mono, color: BLACK });
  const right = `page ${pageNo} of ${pageCount}`;
  page.drawText(right, { x: width - MARGIN - fonts.regular.widthOfTextAtSize(right, size), y: y1 + 4, size, font: fonts.regular, color: BLACK });
  const gen = printable(`Generated ${model.generatedAtIso}. Match the hash with the plan file before use. Coordinates LPS mm (x+ left, y+ posterior, z+ head).`, fonts);
  page.drawText(gen, { x: MARGIN, y: y1 - 5, size: 6.5, font: fonts.regular, color: GREY });
}

function pointRow(name: string, p: SeriesPoint): string[] {
  return [
    name,
    formatLps(p.lps),
    `${p.sliceNumber}${p.instanceNumber !== null ? ` (img ${p.instanceNumber})` : ''}${p.insideSeries ? '' : ' OUTSIDE'}`,
    String(p.row),
    String(p.column),
    fixed1(p.tablePositionMm),
    fixed1(p.offFromSliceMm),
  ];
}

function summaryPage(L: Layout): void {
  const m = L.model;
  const title = 'Screw trajectory report for the procedure room';
  L.newPage(title);
  const size = 9;
  const kv = (k: string, v: string): void => {
    L.ensure(size * 1.35, title);
    L.text(k, MARGIN, size, L.fonts.bold);
    L.text(v, MARGIN + 120, size);
    L.y -= size * 1.35;
  };
  if (m.anonymous) kv('Patient', 'identifiers left out (anonymous report)');
  else {
    kv('Patient name', m.patient.name ?? '-');
    kv('Patient ID', m.patient.id ?? '-');
    kv('Birth date', m.patient.birthDate ?? '-');
    kv('Accession number', m.study.accessionNumber ?? '-');
    kv('Study date', m.study.studyDate ?? '-');
  }
  if (m.study.description) kv('Study', m.study.description);
  kv('Study UID', m.study.studyInstanceUid);
  kv('Series', `${m.series.seriesNumber !== null ? `#${m.series.seriesNumber} ` : ''}${m.series.description ?? ''} (${m.series.modality})`);
  kv('Series UID', m.series.seriesInstanceUid);
  if (m.series.frameOfReferenceUid) kv('Frame of reference', m.series.frameOfReferenceUid);
  kv('Grid', `${m.series.dims.join(' x ')} voxels, ${m.series.spacingMm.map((s) => s.toFixed(3)).join(' x ')} mm (column x row x slice)`);
  kv('Patient position', `${m.series.patientPosition ?? 'unknown'} (${m.series.patientLie})`);
  if (m.plannedBy) kv('Planned by', m.plannedBy);
  kv('Plan SHA-256', m.planHashHex);
  if (m.lesion) {
    kv('Lesion', formatLesion(m.lesion.volumeMl, m.lesion.diametersMm));
    if (m.lesion.caution) {
      L.y -= 2;
      L.paragraph(`CAUTION: ${m.lesion.caution}`, MARGIN, L.contentWidth, 8.5, L.fonts.bold, ORANGE, title);
    }
  }
  for (const caution of m.segmentationCautions) {
    L.y -= 2;
    L.paragraph(`CAUTION: ${caution}`, MARGIN, L.contentWidth, 8.5, L.fonts.bold, ORANGE, title);
  }
  if (m.structures.length > 0) {
    // The structure review: what the clearances were checked against, and what they were not.
    const named = (state: ReportModel['structures'][number]['state']): string[] => m.structures.filter((x) => x.state === state).map((x) => x.label);
    const notFound = named('notFound'), absent = named('absent'), automatic = named('automatic');
    const reviewed = m.structures.length - notFound.length - absent.length - automatic.length;
    L.y -= 2;
    kv('Critical structures', `${m.structures.length - notFound.length - absent.length} of ${m.structures.length} modelled and checked against (${reviewed} confirmed or edited by the user)`);
    if (notFound.length > 0) {
      L.paragraph(`NOT FOUND on this CT, so clearance to them was NOT checked: ${notFound.join('; ')}. Find them on the images before placing a screw near them.`, MARGIN, L.contentWidth, 8.5, L.fonts.bold, RED, title);
      L.y -= 1;
    }
    if (automatic.length > 0) {
      L.paragraph(`Found automatically and not reviewed by the user: ${automatic.join('; ')}.`, MARGIN, L.contentWidth, 8.5, L.fonts.regular, ORANGE, title);
      L.y -= 1;
    }
    if (absent.length > 0) L.paragraph(`Marked absent by the user, not checked: ${absent.join('; ')}.`, MARGIN, L.contentWidth, 8.5, L.fonts.regular, BLACK, title);
  }
  L.y -= 6;
  L.text(`Screws (${m.screws.length})`, MARGIN, 11, L.fonts.bold);
  L.y -= 15;
  const header = ['#', 'Corridor, side', 'Screw mm', 'Skin slice/row/col', m.series.axial ? 'Table' : 'Normal pos.', 'Craniocaudal', 'In-plane', 'Skin-tip', 'ok/fail/ovr'];
  const rows = [header];
  const colors: (RGB | null)[][] = [header.map(() => null)];
  for (const s of m.screws) {
    rows.push([
      String(s.number),
      `${corridorLabel(s.corridor)}, ${s.side ?? 'mid'}`,
      `${fixed1(s.diameterMm)} x ${fixed1(s.catalogLengthMm)}`,
      `${s.skinEntry.sliceNumber} / ${s.skinEntry.row} / ${s.skinEntry.column}`,
      formatMm(s.skinEntry.tablePositionMm),
      `${describeCraniocaudal(s.angles.craniocaudalDeg)}${s.gantryTiltPossible ? '' : ' (!)'}`,
      describeInPlane(s.angles.inPlaneDeg).replace("to patient's ", ''),
      formatMm(s.skinToTipMm),
      `${s.checkCounts.pass} / ${s.checkCounts.fail} / ${s.checkCounts.overridden}`,
    ]);
    colors.push([null, null, null, null, null, s.gantryTiltPossible ? null : RED, null, null, s.checkCounts.fail > 0 ? RED : s.checkCounts.overridden > 0 ? ORANGE : GREEN]);
  }
  const w = L.contentWidth;
  table(L, rows, [16, 0.22 * w, 0.09 * w, 0.13 * w, 0.09 * w, 0.13 * w, 0.11 * w, 0.09 * w, w - 16 - 0.86 * w], 7.5, title, colors);
  if (m.screws.some((s) => !s.gantryTiltPossible)) {
    L.y -= 2;
    L.paragraph(`(!) needs more gantry tilt than the room's ${formatDeg(m.maxGantryTiltDeg)}: scan untilted; see the screw's page for the slices it crosses and its elevation.`, MARGIN, w, 7.5, L.fonts.regular, RED, title);
  }
  const failing = m.screws.filter((s) => s.checkCounts.fail > 0);
  if (failing.length) {
    L.y -= 4;
    L.paragraph(`WARNING: screw ${failing.map((s) => s.number).join(', ')} FAILS checks that were not overridden.`, MARGIN, w, 9, L.fonts.bold, RED, title);
  }
  L.y -= 8;
  L.ensure(30, title);
  L.text('Conventions', MARGIN, 10, L.fonts.bold);
  L.y -= 14;
  for (const c of m.conventions) {
    L.paragraph(`- ${c}`, MARGIN, w, 7.5, L.fonts.regular, BLACK, title);
    L.y -= 1;
  }
}

function screwPage(L: Layout, s: ReportScrew, images: Map<ReportImageInput, PDFImage>): void {
  const m = L.model;
  const title = `Screw ${s.number} of ${m.screws.length}: ${corridorLabel(s.corridor)}, ${sideLabel(s.side)} - ${formatMm(s.diameterMm)} x ${formatMm(s.catalogLengthMm)}${s.catalogLabel ? ` (${s.catalogLabel})` : ''}`;
  const cont = `${title} (continued)`;
  L.newPage(title);
  const w = L.contentWidth;
  const size = 8;
  // Room steps first: what the reader at the table needs.
  L.text('In the room', MARGIN, 10, L.fonts.bold);
  L.y -= 13;
  s.roomSteps.forEach((step, n) => L.paragraph(`${n + 1}. ${step}`, MARGIN + 4, w - 8, 8.5, L.fonts.regular, BLACK, cont));
  L.y -= 4;
  const header = ['Point', 'LPS (x, y, z) mm', 'Slice (image)', 'Row', 'Column', m.series.axial ? 'Table mm' : 'Normal pos. mm', 'Off-slice mm'];
  table(L, [header, pointRow('Skin entry', s.skinEntry), pointRow('Bone entry', s.boneEntry), pointRow('Tip', s.tip)],
    [0.13 * w, 0.3 * w, 0.16 * w, 0.08 * w, 0.09 * w, 0.11 * w, 0.13 * w], size, cont);
  L.y -= 6;
  // Two columns of figures.
  const colW = w / 2 - 6;
  const top = L.y;
  const lines = (x: number, items: [string, string, RGB?][]): number => {
    L.y = top;
    for (const [k, v, color] of items) {
      const kw = 0.42 * colW;
      const vLines = wrap(printable(v, L.fonts), colW - kw, size, L.fonts.regular);
      vLines.forEach((vl, n) => {
        if (n === 0) L.text(k, x, size, L.fonts.bold);
        L.text(vl, x + kw, size, L.fonts.regular, color ?? BLACK);
        L.y -= size * 1.3;
      });
    }
    return L.y;
  };
  const a = s.angles;
  const be = s.cArm.bullsEye, pr = s.cArm.progression;
  const left: [string, string, RGB?][] = [
    ['Craniocaudal (tilt)', `${describeCraniocaudal(a.craniocaudalDeg)} (signed ${formatDeg(a.craniocaudalDeg)})${s.gantryTiltPossible ? '' : `, beyond ${formatDeg(m.maxGantryTiltDeg)}`}`, s.gantryTiltPossible ? undefined : RED],
    ['Gantry top toward', s.gantryTopToward ? `patient's ${s.gantryTopToward} (${m.series.patientLie})` : `- (${m.series.patientLie === 'other' ? 'position not supine/prone' : 'no tilt'})`],
    ['Plane tilt', `${formatDeg(a.planeTiltDeg)} (+ = posterior part cranial)`],
    ['In-plane (tilted slice)', `${describeInPlane(a.inPlaneDeg)} (signed ${formatDeg(a.inPlaneDeg)})`],
    ['In-plane (axial slice)', describeInPlane(a.axialInPlaneDeg)],
    ['Elevation of the path', describeCraniocaudal(a.elevationDeg)],
    ['Slices crossed, no tilt', `${s.slicesSpanned.first} to ${s.slicesSpanned.last}`],
    ['Skin to bone', formatMm(s.skinToBoneMm)],
    ['Skin to tip', formatMm(s.skinToTipMm)],
    ['Bone entry to tip', `${formatMm(s.boneEntryToTipMm)} (catalog ${formatMm(s.catalogLengthMm)})`],
    ["C-arm bull's-eye", `${describePrimary(be.primaryDeg)}, ${describeSecondary(be.secondaryDeg)}`],
    ['C-arm progression', `${describePrimary(pr.primaryDeg)}, ${describeSecondary(pr.secondaryDeg)}`],
    ['Direction (LPS)', `${formatLps(s.directionLps.map((v) => v * 100))} / 100, skin to tip`],
  ];
  const right: [string, string, RGB?][] = [];
  if (s.purchase) {
    const req = m.requiredPurchaseMm;
    const col = (v: number): RGB | undefined => (req !== null && v < req ? RED : undefined);
    right.push(['Purchase, near side', `${formatMm(s.purchase.nearMm)}${req !== null ? ` (needs ${formatMm(req)})` : ''}`, col(s.purchase.nearMm)]);
    right.push(['Purchase, far side', `${formatMm(s.purchase.farMm)}${req !== null ? ` (needs ${formatMm(req)})` : ''}`, col(s.purchase.farMm)]);
    right.push(['Lesion spanned', formatMm(s.purchase.lesionSpanMm)]);
  } else right.push(['Purchase', 'no lesion on this path']);
  right.push(['Cortex clearance', s.cortexClearanceMm === null ? 'not measured' : formatMm(s.cortexClearanceMm), s.cortexClearanceMm !== null && s.cortexClearanceMm < 0 ? RED : undefined]);
  for (const c of s.clearances) {
    right.push([structureLabel(c.structure), `${formatClearanceMm(c.clearanceMm, c.isLowerBound)} (needs ${formatMm(c.requiredMm)})`, c.clearanceMm < c.requiredMm ? RED : undefined]);
  }
  for (const x of s.uncheckedStructures) {
    right.push([x.label, x.state === 'notFound' ? 'NOT CHECKED: not found' : 'not checked: marked absent', x.state === 'notFound' ? RED : ORANGE]);
  }
  const yl = lines(MARGIN, left);
  const yr = lines(MARGIN + colW + 12, right);
  L.y = Math.min(yl, yr) - 4;
  // Checks.
  L.ensure(24, cont);
  L.text(`Checks: ${s.checkCounts.pass} passed, ${s.checkCounts.fail} failed, ${s.checkCounts.overridden} overridden`, MARGIN, 9, L.fonts.bold, s.checkCounts.fail ? RED : BLACK);
  L.y -= 12;
  for (const c of s.checks) {
    const status = c.status === 'pass' ? 'PASS' : c.status === 'fail' ? 'FAIL' : 'OVERRIDDEN';
    const color = c.status === 'pass' ? GREEN : c.status === 'fail' ? RED : ORANGE;
    const figures = c.valueMm !== null ? ` [${formatClearanceMm(c.valueMm, c.isLowerBound)}${c.requiredMm !== null ? ` / needs ${formatMm(c.requiredMm)}` : ''}]` : '';
    const who = c.status === 'overridden' ? ` - overridden by ${c.overriddenBy ?? '?'}: ${c.reason ?? ''}` : '';
    L.ensure(size * 1.3, cont);
    L.text(status, MARGIN + 4, size, L.fonts.bold, color);
    L.paragraph(`${c.label}${figures}${who}`, MARGIN + 62, w - 62, size, L.fonts.regular, BLACK, cont);
  }
  L.y -= 4;
  drawImages(L, s, images, cont);
}

function niceBarMm(maxMm: number): number {
  for (const c of [200, 100, 50, 20, 10, 5, 2, 1]) if (c <= maxMm) return c;
  return maxMm;
}

function drawImages(L: Layout, s: ReportScrew, embedded: Map<ReportImageInput, PDFImage>, cont: string): void {
  const imgs = [...s.images].sort((a, b) => REPORT_IMAGE_ORDER.indexOf(a.kind) - REPORT_IMAGE_ORDER.indexOf(b.kind));
  if (!imgs.length) {
    L.paragraph('No images were supplied for this screw.', MARGIN, L.contentWidth, 8, L.fonts.regular, GREY, cont);
    return;
  }
  const gap = 8;
  const captionSize = 7, captionLead = 8.5;
  /** Side of a square cell with `cols` columns when `available` points of height are left. */
  const layoutFor = (cols: number, available: number): { cols: number; cell: number; captionH: number } => {
    const widest = (L.contentWidth - gap * (cols - 1)) / cols;
    const lines = Math.max(...imgs.map((im) => wrap(printable(im.caption, L.fonts), widest, captionSize, L.fonts.regular).length));
    const captionH = 6 + lines * captionLead;
    const rows = Math.ceil(imgs.length / cols);
    // 2 pt per row to spare: rows that fill the page exactly must not spill over by rounding.
    return { cols, cell: Math.min(widest, available / rows - captionH - 2), captionH };
  };
  const best = (available: number) => [2, 3].map((c) => layoutFor(c, available)).reduce((a, b) => (b.cell > a.cell ? b : a));
  // The images of a screw stay together and large enough to read a row/column or a skin mark:
  // when the rest of this page would make them smaller than MIN_CELL, they go to a page of their own.
  const MIN_CELL = 170;
  let plan = best(L.y - (MARGIN + FOOTER_H));
  if (plan.cell < MIN_CELL) {
    L.newPage(cont);
    plan = best(L.y - (MARGIN + FOOTER_H));
  }
  const { cols, captionH } = plan;
  const cell = Math.max(110, plan.cell);
  const cellW = cell, cellH = cell;
  for (let n = 0; n < imgs.length; n += cols) {
    L.ensure(cellH + captionH, cont);
    const rowTop = L.y;
    imgs.slice(n, n + cols).forEach((im, c) => {
      const pdfImage = embedded.get(im)!;
      const physW = pdfImage.width * (im.mmPerPixel?.x ?? 1), physH = pdfImage.height * (im.mmPerPixel?.y ?? 1);
      const scale = Math.min(cellW / physW, cellH / physH);
      const dw = physW * scale, dh = physH * scale;
      const x0 = MARGIN + c * (cellW + gap) + (cellW - dw) / 2;
      const y0 = rowTop - (cellH - dh) / 2 - dh;
      L.page.drawRectangle({ x: MARGIN + c * (cellW + gap), y: rowTop - cellH, width: cellW, height: cellH, color: rgb(0, 0, 0) });
      L.page.drawImage(pdfImage, { x: x0, y: y0, width: dw, height: dh });
      // Letters and scale text on a dark backing: readable over bright bone as well as over air.
      const backing = (x: number, y: number, w: number, h: number): void => {
        L.page.drawRectangle({ x: x - 1.5, y: y - 1.5, width: w + 3, height: h + 3, color: rgb(0, 0, 0), opacity: 0.65 });
      };
      const lab = (t: string, x: number, y: number): void => {
        const tw = L.fonts.bold.widthOfTextAtSize(t, 8);
        backing(x - tw / 2, y - 3.5, tw, 7.5);
        L.page.drawText(printable(t, L.fonts), { x: x - tw / 2, y: y - 3, size: 8, font: L.fonts.bold, color: rgb(1, 1, 0.6) });
      };
      lab(im.orientation.top, x0 + dw / 2, y0 + dh - 7);
      lab(im.orientation.bottom, x0 + dw / 2, y0 + 6);
      lab(im.orientation.left, x0 + 7, y0 + dh / 2);
      lab(im.orientation.right, x0 + dw - 7, y0 + dh / 2);
      // Annotations at pixel centres: pixel (px, py) -> PDF point, y flipped.
      for (const an of im.annotations ?? []) {
        const px = x0 + ((an.xPx + 0.5) / pdfImage.width) * dw, py = y0 + dh - ((an.yPx + 0.5) / pdfImage.height) * dh;
        L.page.drawText(printable(an.text, L.fonts), { x: px + 3, y: py + 2, size: 8, font: L.fonts.bold, color: rgb(1, 0.85, 0) });
      }
      if (im.mmPerPixel) {
        const ptPerMm = dw / physW;
        const barMm = niceBarMm((0.3 * physW));
        const barPt = barMm * ptPerMm;
        const bx = x0 + 8, by = y0 + 14;
        L.page.drawRectangle({ x: bx, y: by, width: barPt, height: 3, color: rgb(1, 1, 1), borderColor: rgb(0, 0, 0), borderWidth: 0.5 });
        backing(bx, by + 4.5, L.fonts.bold.widthOfTextAtSize(`${barMm} mm`, 7), 6.5);
        L.page.drawText(`${barMm} mm`, { x: bx, y: by + 5, size: 7, font: L.fonts.bold, color: rgb(1, 1, 1) });
      } else {
        L.page.drawText('no scale (perspective)', { x: x0 + 6, y: y0 + 6, size: 6.5, font: L.fonts.regular, color: rgb(1, 1, 1) });
      }
      L.y = rowTop - cellH - 2;
      const capLines = wrap(printable(im.caption, L.fonts), cellW, captionSize, L.fonts.regular);
      capLines.forEach((cl, i) => {
        L.page.drawText(cl, { x: MARGIN + c * (cellW + gap), y: L.y - captionSize - i * captionLead, size: captionSize, font: L.fonts.regular, color: BLACK });
      });
    });
    L.y = rowTop - cellH - captionH;
  }
}

/**
 * Writes the PDF. Throws `report/bad-input` when an image is not a PNG
 * pdf-lib can read. Deterministic for a given model.
 */
export async function reportToPdf(model: ReportModel, options: PdfOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const date = new Date(model.generatedAtIso);
  const when = Number.isFinite(date.getTime()) ? date : new Date(0);
  doc.setTitle(`Screw trajectory report ${model.planHashHex.slice(0, 12)}`, { showInWindowTitleBar: false });
  doc.setSubject(`Plan SHA-256 ${model.planHashHex}`);
  doc.setCreator(`${model.software.name} ${model.software.version}`);
  doc.setProducer(`${model.software.name} ${model.software.version} (pdf-lib)`);
  doc.setCreationDate(when);
  doc.setModificationDate(when);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const fonts: Fonts = {
    regular,
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
    mono: await doc.embedFont(StandardFonts.Courier),
    charset: new Set(regular.getCharacterSet()),
  };
  const embedded = new Map<ReportImageInput, PDFImage>();
  for (const s of model.screws) {
    for (const im of s.images) {
      try {
        embedded.set(im, await doc.embedPng(im.png));
      } catch (e) {
        throw new PlannerError('report/bad-input', `screw ${s.number}: image "${im.kind}" is not a readable PNG (${e instanceof Error ? e.message : String(e)})`);
      }
    }
  }
  const L = new Layout(doc, fonts, PAPER[options.paper], model);
  summaryPage(L);
  for (const s of model.screws) screwPage(L, s, embedded);
  L.pages.forEach((p, n) => footer(p, fonts, model, n + 1, L.pages.length, L.width));
  return doc.save({ useObjectStreams: false });
}
