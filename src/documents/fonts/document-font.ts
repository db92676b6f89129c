import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The serif every document is set in, embedded as data: URLs so that a PDF never depends on the
 * fonts of the machine that renders it (Debian's fonts-liberation 1.x has no Vietnamese glyphs, and
 * Chromium would silently fall back to DejaVu Sans for them).
 */
export interface DocumentFont {
  /** CSS family name used by the templates' stylesheet. */
  family: string;
  /** @font-face rules with every file inlined. */
  fontFaceCss: string;
}

/**
 * Stands for the font's @font-face rules in HTML rendered with them given apart
 * (TemplateCatalogue.renderHtml `fontFace: 'slot'`, PdfRenderOptions.fontFaceCss): a CSS comment.
 */
export const FONT_FACE_SLOT = '/*iso-cycle:font-face*/';

/** The self-contained document: the font's rules put back in their slot. */
export function withFontFace(html: string, fontFaceCss: string | undefined): string {
  return fontFaceCss === undefined ? html : html.replace(FONT_FACE_SLOT, () => fontFaceCss);
}

interface FontFace {
  weight: 400 | 700;
  style: 'normal' | 'italic';
  file: string;
  format: 'woff2' | 'woff' | 'truetype' | 'opentype';
  unicodeRange?: string;
}

/** Ranges of the @fontsource subsets (from @fontsource/tinos/*.css). */
const TINOS_SUBSETS: Record<string, string> = {
  latin: 'U+0000-00FF,U+0131,U+0152-0153,U+02BB-02BC,U+02C6,U+02DA,U+02DC,U+0304,U+0308,U+0329,U+2000-206F,U+20AC,U+2122,U+2191,U+2193,U+2212,U+2215,U+FEFF,U+FFFD',
  // latin-ext as published minus what the vietnamese subset covers (đ, ă, ơ, ư, ĩ, ũ, ₫…): ordinary
  // Vietnamese text then never loads it, one font file less per style and per render.
  'latin-ext':
    'U+0100-0101,U+0104-010F,U+0112-0127,U+012A-0167,U+016A-019F,U+01A2-01AE,U+01B1-02BA,U+02BD-02C5,U+02C7-02CC,U+02CE-02D7,U+02DD-02FF,U+1D00-1DBF,U+1E00-1E9F,U+1EFA-1EFF,U+2020,U+20A0-20AA,U+20AD-20C0,U+2113,U+2C60-2C7F,U+A720-A7FF',
  vietnamese: 'U+0102-0103,U+0110-0111,U+0128-0129,U+0168-0169,U+01A0-01A1,U+01AF-01B0,U+0300-0301,U+0303-0304,U+0308-0309,U+0323,U+0329,U+1EA0-1EF9,U+20AB',
};

const STYLES: Array<Pick<FontFace, 'weight' | 'style'>> = [
  { weight: 400, style: 'normal' },
  { weight: 700, style: 'normal' },
  { weight: 400, style: 'italic' },
  { weight: 700, style: 'italic' },
];

const MIME: Record<FontFace['format'], string> = { woff2: 'font/woff2', woff: 'font/woff', truetype: 'font/ttf', opentype: 'font/otf' };

function fontFaceCss(family: string, faces: FontFace[]): string {
  return faces
    .map((face) => {
      const data = readFileSync(face.file).toString('base64');
      const range = face.unicodeRange ? `unicode-range:${face.unicodeRange};` : '';
      return `@font-face{font-family:'${family}';font-weight:${face.weight};font-style:${face.style};font-display:block;src:url(data:${MIME[face.format]};base64,${data}) format('${face.format}');${range}}`;
    })
    .join('\n');
}

/**
 * Tinos (Apache 2.0): metric-compatible with Times New Roman, full Vietnamese coverage. The
 * @fontsource package splits it into subsets by Unicode range; latin + latin-ext + vietnamese cover
 * every Vietnamese letter and diacritic, in the four styles the documents use.
 */
export function tinosFont(): DocumentFont {
  const dir = join(dirname(require.resolve('@fontsource/tinos/package.json')), 'files');
  const faces: FontFace[] = [];
  for (const [subset, unicodeRange] of Object.entries(TINOS_SUBSETS)) {
    for (const { weight, style } of STYLES) {
      faces.push({ weight, style, format: 'woff2', unicodeRange, file: join(dir, `tinos-${subset}-${weight}-${style}.woff2`) });
    }
  }
  return { family: 'Tinos', fontFaceCss: fontFaceCss('Tinos', faces) };
}

/** File names of Times New Roman as shipped with Windows and the msttcorefonts package. */
const TIMES_FILES: Record<string, Pick<FontFace, 'weight' | 'style'>> = {
  'times.ttf': { weight: 400, style: 'normal' },
  'timesbd.ttf': { weight: 700, style: 'normal' },
  'timesi.ttf': { weight: 400, style: 'italic' },
  'timesbi.ttf': { weight: 700, style: 'italic' },
};

/**
 * The real Times New Roman, where the operator has a licence for it: a folder holding times.ttf,
 * timesbd.ttf, timesi.ttf and timesbi.ttf (any case). All four are required so that no style is
 * synthesised or falls back to another family.
 */
export function timesNewRomanFont(directory: string): DocumentFont {
  if (!existsSync(directory)) throw new Error(`Document font folder "${directory}" does not exist`);
  const present = new Map(readdirSync(directory).map((name) => [name.toLowerCase(), join(directory, name)]));
  const missing = Object.keys(TIMES_FILES).filter((name) => !present.has(name));
  if (missing.length > 0) throw new Error(`Document font folder "${directory}" lacks ${missing.join(', ')} (Times New Roman in four styles)`);
  const faces = Object.entries(TIMES_FILES).map(([name, style]) => ({ ...style, format: 'truetype' as const, file: present.get(name)! }));
  return { family: 'Times New Roman', fontFaceCss: fontFaceCss('Times New Roman', faces) };
}

/** The configured font: Times New Roman from a folder when one is given, Tinos otherwise. */
export function loadDocumentFont(timesNewRomanDirectory?: string): DocumentFont {
  return timesNewRomanDirectory ? timesNewRomanFont(timesNewRomanDirectory) : tinosFont();
}
