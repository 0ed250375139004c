/**
 * Text of a PDF as pdf.js reads it (node, no worker): per page, the text
 * items in content order joined by single spaces, whitespace collapsed, so a
 * printed table row reads left to right as one line of text.
 */
import { resolve } from 'node:path';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const STANDARD_FONTS = `${resolve(import.meta.dirname ?? '.', '../../node_modules/pdfjs-dist/standard_fonts')}/`;

export async function pdfPagesText(bytes: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: bytes.slice(), isEvalSupported: false, useSystemFonts: false, disableFontFace: true, standardFontDataUrl: STANDARD_FONTS }).promise;
  const pages: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    const parts: string[] = [];
    for (const item of content.items) if ('str' in item) parts.push(item.str);
    pages.push(parts.join(' ').replace(/\s+/g, ' ').trim());
  }
  await doc.destroy();
  return pages;
}
