import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  beginText,
  concatTransformationMatrix,
  drawObject,
  endText,
  moveText,
  PDFDocument,
  PDFFont,
  PDFObjectCopier,
  PDFOperator,
  PDFRef,
  popGraphicsState,
  pushGraphicsState,
  setFillingRgbColor,
  setFontAndSize,
  showText,
} from 'pdf-lib';

type Rect = [number, number, number, number];

const MM = 72 / 25.4;
/** Decree 30/2020 Appendix I: the unit's signature information is set in size 10. */
export const INFO_FONT_SIZE = 10;
const INFO_LINE = INFO_FONT_SIZE * 1.2;
const INFO_LINES = 2;

/** Where each image and the information lines go inside the signer block's signature area. */
export interface SignerBlockLayout {
  /** The person's signature image, scaled to fit, centred in the area above the information lines. */
  signature: Rect;
  /** The unit's seal at its real size, covering the left third of the signature image, centred on it. */
  seal: Rect;
  /** The band under the images, where the unit's name and the signing time are printed. */
  info: Rect;
}

/**
 * Decree 30/2020 Appendix I: the signature image (7b) in the signature position; the seal (8) at
 * real size over about one third of the signature image, on its left; the unit's signature
 * information (name, time in ISO 8601 with the Vietnam offset) in size 10.
 */
export function signerBlockLayout(area: Rect, signatureImage: { width: number; height: number }, sealDiameterMm: number): SignerBlockLayout {
  const [x1, y1, x2, y2] = area;
  const width = x2 - x1;
  const info: Rect = [x1, y1, x2, y1 + INFO_LINE * INFO_LINES + 2];
  const bandHeight = y2 - info[3] - 2;
  const scale = Math.min((width * 0.5) / signatureImage.width, bandHeight / signatureImage.height);
  const w = signatureImage.width * scale;
  const h = signatureImage.height * scale;
  const cx = (x1 + x2) / 2;
  const cy = info[3] + 1 + bandHeight / 2;
  const signature: Rect = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  const d = sealDiameterMm * MM;
  const sealRight = signature[0] + w / 3;
  const seal: Rect = [sealRight - d, cy - d / 2, sealRight, cy + d / 2];
  return { signature, seal, info };
}

/** Fonts for the information lines: each character is set in the first face that has it. */
export class AppearanceFonts {
  private constructor(private readonly faces: Buffer[]) {}

  /**
   * The documents' font: the real Times New Roman when a folder is configured (times.ttf), else
   * Tinos, whose @fontsource files split the Vietnamese repertoire over three subsets (WOFF:
   * fontkit's subsetting of WOFF2 fails inside a timer and never settles).
   */
  static load(timesNewRomanDir?: string): AppearanceFonts {
    if (timesNewRomanDir) return new AppearanceFonts([readFileSync(join(timesNewRomanDir, 'times.ttf'))]);
    const dir = join(dirname(require.resolve('@fontsource/tinos/package.json')), 'files');
    return new AppearanceFonts(['latin', 'latin-ext', 'vietnamese'].map((subset) => readFileSync(join(dir, `tinos-${subset}-400-normal.woff`))));
  }

  async embedIn(document: PDFDocument): Promise<PDFFont[]> {
    // Loaded on first use (~120 ms to require), not by every process at start: most never sign.
    document.registerFontkit((await import('@pdf-lib/fontkit')).default);
    return Promise.all(this.faces.map((face) => document.embedFont(face, { subset: true })));
  }
}

interface Run {
  font: PDFFont;
  text: string;
}

/** Splits text into runs of one font each (NFC first: Vietnamese letters as the fonts' precomposed glyphs). */
function runsOf(text: string, fonts: PDFFont[]): Run[] {
  const runs: Run[] = [];
  for (const char of text.normalize('NFC')) {
    const code = char.codePointAt(0)!;
    const font = fonts.find((f) => (f as unknown as { embedder: { font: { hasGlyphForCodePoint(c: number): boolean } } }).embedder.font.hasGlyphForCodePoint(code)) ?? fonts[0];
    const last = runs[runs.length - 1];
    if (last && last.font === font) last.text += char;
    else runs.push({ font, text: char });
  }
  return runs;
}

const widthOf = (runs: Run[], size: number) => runs.reduce((sum, run) => sum + run.font.widthOfTextAtSize(run.text, size), 0);

/** Breaks a line at spaces so that it fits `width` (the unit's full name can be long). */
function wrap(text: string, fonts: PDFFont[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && widthOf(runsOf(candidate, fonts), INFO_FONT_SIZE) > width) {
      lines.push(line);
      line = word;
    } else line = candidate;
  }
  if (line) lines.push(line);
  return lines;
}

function imageOperators(name: string, box: Rect, origin: [number, number]): PDFOperator[] {
  return [pushGraphicsState(), concatTransformationMatrix(box[2] - box[0], 0, 0, box[3] - box[1], box[0] - origin[0], box[1] - origin[1]), drawObject(name), popGraphicsState()];
}

/** A Form XObject of the given size from operators and resources. */
function formXObject(document: PDFDocument, width: number, height: number, operators: PDFOperator[], resources: Record<string, Record<string, PDFRef>>): PDFRef {
  const stream = document.context.formXObject(operators, { BBox: [0, 0, width, height], Resources: resources });
  return document.context.register(stream);
}

/** Decoded images, by content: pdf-lib decodes a PNG in JavaScript (about a second for a seal), the same images sign every document. */
const decodedImages = new Map<string, Promise<{ document: PDFDocument; ref: PDFRef }>>();
const DECODED_IMAGES_MAX = 64;

/** The PNG as an image XObject (with its transparency as SMask) in `document`, decoded once per process. */
async function embedPng(document: PDFDocument, png: Buffer): Promise<PDFRef> {
  const key = createHash('sha256').update(png).digest('hex');
  let decoded = decodedImages.get(key);
  if (!decoded) {
    decoded = (async () => {
      const scratch = await PDFDocument.create();
      const image = await scratch.embedPng(png);
      await image.embed();
      return { document: scratch, ref: image.ref };
    })();
    decoded.catch(() => decodedImages.delete(key));
    if (decodedImages.size >= DECODED_IMAGES_MAX) decodedImages.delete(decodedImages.keys().next().value!);
    decodedImages.set(key, decoded);
  }
  const { document: scratch, ref } = await decoded;
  return PDFObjectCopier.for(scratch.context, document.context).copy(ref);
}

/** The person's signature widget: the signature image filling its rectangle. */
export async function signatureImageAppearance(document: PDFDocument, png: Buffer, width: number, height: number): Promise<PDFRef> {
  const image = await embedPng(document, png);
  return formXObject(document, width, height, imageOperators('Im0', [0, 0, width, height], [0, 0]), { XObject: { Im0: image } });
}

/**
 * The unit's signature widget over `rect`: the seal image in `seal` and, in `info`, the unit's
 * name and the signing time, black, size 10, centred.
 */
export async function sealAppearance(document: PDFDocument, fonts: AppearanceFonts, rect: Rect, layout: { seal: Rect; info: Rect }, sealPng: Buffer, lines: string[]): Promise<PDFRef> {
  const origin: [number, number] = [rect[0], rect[1]];
  const image = await embedPng(document, sealPng);
  const faces = await fonts.embedIn(document);
  const operators: PDFOperator[] = [];
  const infoWidth = layout.info[2] - layout.info[0];
  const wrapped = lines.flatMap((line) => wrap(line, faces, infoWidth));
  const used = new Set<PDFFont>();
  let baseline = layout.info[1] + 2 + (wrapped.length - 1) * INFO_LINE + 2;
  for (const line of wrapped) {
    const runs = runsOf(line, faces);
    let x = layout.info[0] + (infoWidth - widthOf(runs, INFO_FONT_SIZE)) / 2 - origin[0];
    for (const run of runs) {
      used.add(run.font);
      operators.push(beginText(), setFillingRgbColor(0, 0, 0), setFontAndSize(`F${faces.indexOf(run.font)}`, INFO_FONT_SIZE), moveText(x, baseline - origin[1]), showText(run.font.encodeText(run.text)), endText());
      x += run.font.widthOfTextAtSize(run.text, INFO_FONT_SIZE);
    }
    baseline -= INFO_LINE;
  }
  // The seal goes over the text's band edge and over the signature: drawn last.
  operators.push(...imageOperators('Seal', layout.seal, origin));
  for (const face of used) await face.embed();
  const fontResources = Object.fromEntries(faces.flatMap((face, i) => (used.has(face) ? [[`F${i}`, face.ref]] : [])));
  return formXObject(document, rect[2] - rect[0], rect[3] - rect[1], operators, { XObject: { Seal: image }, Font: fontResources });
}
