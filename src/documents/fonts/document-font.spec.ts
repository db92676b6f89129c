import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDocumentFont, timesNewRomanFont, tinosFont } from './document-font';

describe('document font', () => {
  test('Tinos: latin, latin-ext and vietnamese subsets in four styles, all inlined', () => {
    const font = tinosFont();
    expect(font.family).toBe('Tinos');
    const faces = font.fontFaceCss.split('\n');
    expect(faces).toHaveLength(12);
    for (const face of faces) expect(face).toMatch(/src:url\(data:font\/woff2;base64,[A-Za-z0-9+/=]{1000,}\)/);
    // The vietnamese subset covers ơ ư đ and the toned vowels U+1EA0–1EF9.
    expect(faces.filter((face) => face.includes('U+1EA0-1EF9'))).toHaveLength(4);
    for (const style of ['font-weight:400;font-style:normal', 'font-weight:700;font-style:normal', 'font-weight:400;font-style:italic', 'font-weight:700;font-style:italic']) {
      expect(faces.filter((face) => face.includes(style))).toHaveLength(3);
    }
    expect(loadDocumentFont().family).toBe('Tinos');
  });

  test('Times New Roman by configuration: a folder with its four files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-fonts-'));
    try {
      for (const name of ['times.ttf', 'TIMESBD.TTF', 'timesi.ttf']) writeFileSync(join(dir, name), 'x');
      expect(() => timesNewRomanFont(dir)).toThrow(/lacks timesbi\.ttf/);
      writeFileSync(join(dir, 'timesbi.ttf'), 'x');
      const font = loadDocumentFont(dir);
      expect(font.family).toBe('Times New Roman');
      expect(font.fontFaceCss.split('\n')).toHaveLength(4);
      expect(() => timesNewRomanFont(join(dir, 'none'))).toThrow(/does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
