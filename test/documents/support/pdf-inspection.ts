import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Reads rendered PDFs with the poppler tools (pdftotext -bbox-layout, pdffonts, pdfinfo) so that
 * tests check what a reader gets: positions in points (1/72 in) from the top-left corner.
 */
export interface PdfLine {
  page: number;
  text: string;
  xMin: number;
  yMin: number;
  xMax: number;
  yMax: number;
}

export interface PdfPage {
  number: number;
  width: number;
  height: number;
  lines: PdfLine[];
}

export const mm = (millimetres: number) => (millimetres * 72) / 25.4;
export const centreX = (line: Pick<PdfLine, 'xMin' | 'xMax'>) => (line.xMin + line.xMax) / 2;
/** Collapses white space, for text compared across line breaks. */
export const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

function withPdfFile<T>(pdf: Buffer, use: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-pdf-'));
  const path = join(dir, 'document.pdf');
  writeFileSync(path, pdf);
  try {
    return use(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const decode = (text: string) =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Every text line of every page, in the order pdftotext's layout analysis finds them. */
export function pdfPages(pdf: Buffer): PdfPage[] {
  const xml = withPdfFile(pdf, (path) => execFileSync('pdftotext', ['-bbox-layout', path, '-'], { maxBuffer: 256 * 1024 * 1024 }).toString('utf8'));
  const pages: PdfPage[] = [];
  const pageRe = /<page width="([\d.]+)" height="([\d.]+)">([\s\S]*?)<\/page>/g;
  for (let match = pageRe.exec(xml); match; match = pageRe.exec(xml)) {
    const number = pages.length + 1;
    const lines: PdfLine[] = [];
    const lineRe = /<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([\s\S]*?)<\/line>/g;
    for (let line = lineRe.exec(match[3]); line; line = lineRe.exec(match[3])) {
      const words = [...line[5].matchAll(/<word [^>]*>([\s\S]*?)<\/word>/g)].map((word) => decode(word[1]));
      lines.push({ page: number, text: words.join(' '), xMin: +line[1], yMin: +line[2], xMax: +line[3], yMax: +line[4] });
    }
    pages.push({ number, width: +match[1], height: +match[2], lines });
  }
  return pages;
}

export interface PdfFont {
  name: string;
  /** The family: the PostScript name without subset tag and style ("Tinos"). */
  family: string;
  type: string;
  embedded: boolean;
}

export function pdfFonts(pdf: Buffer): PdfFont[] {
  const output = withPdfFile(pdf, (path) => execFileSync('pdffonts', [path]).toString('utf8'));
  return output
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      // name, type (may contain spaces), encoding, emb, sub, uni, object, id
      const columns = line.trim().split(/\s+/);
      const name = columns[0];
      const embedded = columns[columns.length - 5] === 'yes';
      const family = name.replace(/^[A-Z]{6}\+/, '').replace(/[-,](Regular|Bold|Italic|BoldItalic|Roman|BoldMT|MT|ItalicMT|BoldItalicMT)$/i, '');
      return { name, family, type: columns.slice(1, columns.length - 6).join(' '), embedded };
    });
}

export interface PdfInfo {
  fields: Record<string, string>;
  /** Size of every page, e.g. "594.96 x 841.92 pts (A4)". */
  pageSizes: string[];
}

export function pdfInfo(pdf: Buffer): PdfInfo {
  return withPdfFile(pdf, (path) => {
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [path]).toString('utf8'))![1]);
    const output = execFileSync('pdfinfo', ['-f', '1', '-l', String(pages), path]).toString('utf8');
    const fields: Record<string, string> = {};
    const pageSizes: string[] = [];
    for (const line of output.split('\n')) {
      const size = /^Page\s+\d+ size:\s+(.*)$/.exec(line);
      if (size) pageSizes.push(size[1].trim());
      const field = /^([A-Za-z ]+):\s+(.*)$/.exec(line);
      if (field && !line.startsWith('Page ')) fields[field[1].trim()] = field[2].trim();
    }
    return { fields, pageSizes };
  });
}

/** The page geometry of Decree 30/2020 as the layout implements it (templates/_layout/base.css). */
export interface PageBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Header grid: left column 40 %, right column 60 % of the text width. */
  leftColumnCentre: number;
  rightColumnLeft: number;
  rightColumnCentre: number;
}

export function pageBox(page: Pick<PdfPage, 'width' | 'height'>): PageBox {
  const left = mm(30);
  const right = page.width - mm(15);
  const top = mm(20);
  const bottom = page.height - mm(20);
  const split = left + 0.4 * (right - left);
  return { left, right, top, bottom, leftColumnCentre: (left + split) / 2, rightColumnLeft: split, rightColumnCentre: (split + right) / 2 };
}

/** The first line whose text satisfies the test, searching every page in order. */
export function findLine(pages: PdfPage[], test: RegExp | ((text: string) => boolean)): PdfLine | undefined {
  const matches = typeof test === 'function' ? test : (text: string) => test.test(text);
  for (const page of pages) {
    const found = page.lines.find((line) => matches(line.text));
    if (found) return found;
  }
  return undefined;
}

/** Lines of a page in reading order: top to bottom, then left to right. */
export function readingOrder(lines: PdfLine[]): PdfLine[] {
  return [...lines].sort((a, b) => (Math.abs(a.yMin - b.yMin) < 2 ? a.xMin - b.xMin : a.yMin - b.yMin));
}
