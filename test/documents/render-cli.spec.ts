import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pdfFonts, pdfInfo, pdfPages } from './support/pdf-inspection';

const ROOT = join(__dirname, '..', '..');

/**
 * `iso-cycle render <kind> --data <file.json> --out <file.pdf>` run as an operator would (src/main.ts
 * compiled in memory, real Chromium). Two runs: each starts the application context.
 */
function cli(args: string[]) {
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), join(ROOT, 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_FORMAT: 'pretty' },
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

describe('iso-cycle render', () => {
  let dir: string;
  const sample = () => JSON.parse(readFileSync(join(ROOT, 'templates', 'letter', 'sample.json'), 'utf8')) as Record<string, any>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iso-render-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('writes the PDF of a kind from a data file: A4, the data\'s text, one embedded serif, metadata', () => {
    const data = sample();
    data.document.number = 7;
    data.subject = 'thử lệnh render từ tệp dữ liệu';
    const dataFile = join(dir, 'letter.json');
    const out = join(dir, 'letter.pdf');
    writeFileSync(dataFile, JSON.stringify(data));
    const run = cli(['render', 'letter', '--data', dataFile, '--out', out]);
    expect(run).toMatchObject({ status: 0 });
    expect(run.out).toContain(`${out}: letter, `);
    const pdf = readFileSync(out);
    const info = pdfInfo(pdf);
    expect(info.pageSizes.every((size) => /\(A4\)$/.test(size))).toBe(true);
    expect(info.fields.Title).toBe(`Công văn 07/${data.document.symbol}: V/v thử lệnh render từ tệp dữ liệu`);
    const text = pdfPages(pdf).flatMap((page) => page.lines.map((line) => line.text)).join('\n');
    expect(text).toContain(`Số: 07/${data.document.symbol}`);
    expect([...new Set(pdfFonts(pdf).map((font) => font.family))]).toEqual(['Tinos']);
  });

  test('data missing a field: exit 1, the field named, no file written', () => {
    const data = sample();
    delete data.signer.name;
    const dataFile = join(dir, 'broken.json');
    const out = join(dir, 'broken.pdf');
    writeFileSync(dataFile, JSON.stringify(data));
    const run = cli(['render', 'letter', '--data', dataFile, '--out', out]);
    expect(run.status).toBe(1);
    expect(run.out).toMatch(/Document "letter": the data has no field "name"/);
    expect(existsSync(out)).toBe(false);
  });
});
