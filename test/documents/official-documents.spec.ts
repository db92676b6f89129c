import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposedDocument, DocumentComposer } from '../../src/documents/document-composer';
import { createTestComposer } from './render-support';
import { centreX, findLine, normalise, pageBox, PdfLine, PdfPage, pdfFonts, pdfInfo, pdfPages, mm } from './support/pdf-inspection';

/**
 * Every kind rendered from its sample.json, checked as a reader would: fonts, paper, margins,
 * the positions of the Decree 30/2020 components, page numbers, metadata.
 */
const { catalogue, renderer, composer } = createTestComposer();
const KINDS = ['consolidated-report', 'letter', 'ministry-report', 'request-to-report-letter', 'unit-report', 'urge-letter'];
const LETTERS = ['letter', 'request-to-report-letter', 'urge-letter'];

interface Rendered {
  document: ComposedDocument;
  pages: PdfPage[];
}
const rendered = new Map<string, Rendered>();

beforeAll(async () => {
  await Promise.all(
    KINDS.map(async (kind) => {
      const document = await composer.compose(kind, catalogue.sample(kind));
      rendered.set(kind, { document, pages: pdfPages(document.pdf) });
    }),
  );
});

afterAll(() => renderer.close());

/** Page numbers sit in the top margin; everything else is the document's text. */
const isPageNumber = (page: PdfPage, line: PdfLine) => /^\d+$/.test(line.text) && line.yMax < pageBox(page).top;
const textLines = (page: PdfPage) => page.lines.filter((line) => !isPageNumber(page, line));

test('the catalogue lists exactly the kinds of issues 5 and 8', () => {
  expect(catalogue.kinds()).toEqual(KINDS);
});

describe.each(KINDS)('%s from its sample data', (kind) => {
  const get = () => rendered.get(kind)!;

  test('embeds one serif family only (Tinos), every font embedded', () => {
    const fonts = pdfFonts(get().document.pdf);
    expect(fonts.length).toBeGreaterThan(0);
    expect(fonts.filter((font) => !font.embedded)).toEqual([]);
    expect([...new Set(fonts.map((font) => font.family))]).toEqual(['Tinos']);
  });

  test('is A4 on every page and carries title, author, subject and keywords', () => {
    const { document } = get();
    const info = pdfInfo(document.pdf);
    expect(info.pageSizes).toHaveLength(document.pageCount);
    for (const size of info.pageSizes) expect(size).toMatch(/^594\.\d+ x 841\.\d+ pts \(A4\)$/);
    expect(info.fields.Title).toBe(document.metadata.title);
    expect(info.fields.Author).toBe(document.metadata.author);
    expect(info.fields.Subject).toBe(document.metadata.subject);
    expect(info.fields.Keywords).toBe(document.metadata.keywords.join(' '));
    expect(document.metadata.keywords[0]).toMatch(/^\d{2,}\/[A-ZĐa-z]+-[A-ZĐa-z]+$/);
  });

  test('keeps every line inside the margins (top and bottom 20 mm, left 30 mm, right 15 mm)', () => {
    for (const page of get().pages) {
      const box = pageBox(page);
      for (const line of textLines(page)) {
        expect({ text: line.text, page: page.number, xMin: line.xMin >= box.left - 1, xMax: line.xMax <= box.right + 1, yMin: line.yMin >= box.top - 1.5, yMax: line.yMax <= box.bottom + 1.5 }).toEqual({
          text: line.text,
          page: page.number,
          xMin: true,
          xMax: true,
          yMin: true,
          yMax: true,
        });
      }
    }
  });

  test('sets the national name and motto centred in the right column, the number in the left column, the date line in the right column', () => {
    const [first] = get().pages;
    const box = pageBox(first);
    const national = findLine([first], /^CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM$/)!;
    const motto = findLine([first], /^Độc lập - Tự do - Hạnh phúc$/)!;
    const number = findLine([first], /^Số: /)!;
    const date = findLine([first], /, ngày \d{2} tháng \d{1,2} năm \d{4}$/)!;
    expect(Math.abs(centreX(national) - box.rightColumnCentre)).toBeLessThan(2);
    expect(Math.abs(centreX(motto) - box.rightColumnCentre)).toBeLessThan(2);
    expect(Math.abs(centreX(date) - box.rightColumnCentre)).toBeLessThan(2);
    expect(date.xMin).toBeGreaterThan(box.rightColumnLeft);
    expect(Math.abs(centreX(number) - box.leftColumnCentre)).toBeLessThan(2);
    expect(number.xMax).toBeLessThan(box.rightColumnLeft);
    // National name on the first text line of the page, the motto under it, number and date on one row.
    expect(national.yMin).toBeLessThan(box.top + 4);
    expect(motto.yMin).toBeGreaterThan(national.yMax - 1);
    expect(number.yMin).toBeGreaterThan(motto.yMax);
    expect(Math.abs(number.yMax - date.yMax)).toBeLessThan(3);
  });

  test('puts the components in order and the signer block on the page where the body ends', () => {
    const { pages } = get();
    const [first] = pages;
    const date = findLine([first], /, ngày \d{2} tháng \d{1,2} năm \d{4}$/)!;
    const start = LETTERS.includes(kind) ? findLine([first], /^Kính gửi:/)! : findLine([first], /^BÁO CÁO$/)!;
    expect(start.yMin).toBeGreaterThan(date.yMax);
    const end = findLine(pages, (text) => text.endsWith('./.'))!;
    expect(end).toBeDefined();
    const recipients = findLine(pages, /^Nơi nhận:$/)!;
    const archive = findLine(pages, /^- Lưu: VT, [^ ]+\.\S*$/)!;
    // The signer's name, or (a draft left for the signer to sign, as the ministry report) the last title line.
    const signer = catalogue.sample(kind).signer as { name: string };
    const signerName = findLine(pages, (text) => text === (signer.name || 'PHÓ CHỦ TỊCH'))!;
    expect(recipients.page).toBe(end.page);
    expect(signerName.page).toBe(end.page);
    expect(recipients.yMin).toBeGreaterThan(end.yMax);
    expect(archive.yMin).toBeGreaterThan(recipients.yMax);
    const box = pageBox(pages[end.page - 1]);
    expect(centreX(signerName)).toBeGreaterThan((box.left + box.right) / 2);
    expect(recipients.xMin).toBeLessThan(box.left + 1);
    // Nothing of the body after its closing mark: only the closing block follows.
    expect(pages.slice(end.page).flatMap(textLines)).toEqual([]);
  });

  test('never breaks a word of a table heading across lines (narrow figure columns)', () => {
    const html = catalogue.renderHtml(kind, catalogue.sample(kind));
    const headings = [...html.matchAll(/<th\b[^>]*>([\s\S]*?)<\/th>/g)].map((match) => match[1].replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&'));
    const printed = new Set(get().pages.flatMap((page) => page.lines.flatMap((line) => line.text.split(/\s+/))));
    const words = new Set(headings.flatMap((heading) => heading.split(/[\s/]+/)).filter((word) => word.length > 1));
    // A word broken in its cell prints as two pieces on two lines ("HTQLC" / "L"); the whole word may
    // still appear elsewhere (a row label), so look for the pieces.
    const broken = [...words].filter((word) =>
      [...word].some((_, i) => i > 0 && printed.has(word.slice(0, i)) && printed.has(word.slice(i)) && !words.has(word.slice(0, i)) && !words.has(word.slice(i))),
    );
    expect(broken).toEqual([]);
  });

  test('numbers pages from page 2, centred in the top margin', () => {
    const { pages } = get();
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages[0].lines.filter((line) => isPageNumber(pages[0], line))).toEqual([]);
    for (const page of pages.slice(1)) {
      const box = pageBox(page);
      const numbers = page.lines.filter((line) => isPageNumber(page, line));
      expect(numbers.map((line) => line.text)).toEqual([String(page.number)]);
      expect(Math.abs(centreX(numbers[0]) - (box.left + box.right) / 2)).toBeLessThan(2);
      expect(numbers[0].yMin).toBeGreaterThan(mm(3));
    }
  });
});

describe('letter 4607/UBND-KGVX reproduced from data', () => {
  /** The reference, split into its components (blank-line separated blocks of the markdown). */
  function referenceComponents() {
    const text = readFileSync(join(__dirname, 'fixtures', '4607-UBND-KGVX.md'), 'utf8').split(/\n---\n/)[1];
    const blocks = text
      .split(/\n\s*\n/)
      .map((block) => block.replace(/\*/g, '').trim())
      .filter((block) => block !== '');
    const [issuer, numberAndSubject, national, date, addresseeLabel, addressees, ...rest] = blocks;
    const recipientsAt = rest.indexOf('Nơi nhận:');
    const [numberLine, ...subjectLines] = numberAndSubject.split('\n');
    const [nationalName, motto] = national.split('\n');
    return {
      issuer: normalise(issuer),
      number: numberLine,
      subject: normalise(subjectLines.join(' ')),
      nationalName,
      motto,
      date,
      addressees: normalise(`${addresseeLabel} ${addressees}`),
      body: rest.slice(0, recipientsAt).map(normalise),
      recipients: rest[recipientsAt + 1].split('\n'),
      signer: [...rest[recipientsAt + 2].split('\n'), rest[recipientsAt + 3]],
    };
  }

  test('matches the reference text component by component', () => {
    const reference = referenceComponents();
    const { pages } = rendered.get('letter')!;
    const [first] = pages;
    const box = pageBox(first);
    const inLeft = (line: PdfLine) => line.xMax < box.rightColumnLeft;
    const number = findLine([first], /^Số: /)!;
    const date = findLine([first], /, ngày /)!;
    const addresseeLabel = findLine([first], /^Kính gửi:/)!;
    const header = first.lines.filter((line) => line.yMax <= addresseeLabel.yMin);

    expect(normalise(header.filter((l) => inLeft(l) && l.yMax <= number.yMin).map((l) => l.text).join(' '))).toBe(reference.issuer);
    expect(number.text).toBe(reference.number);
    expect(normalise(header.filter((l) => inLeft(l) && l.yMin >= number.yMax).map((l) => l.text).join(' '))).toBe(reference.subject);
    expect(header.filter((l) => !inLeft(l) && l.yMax <= date.yMin).map((l) => l.text)).toEqual([reference.nationalName, reference.motto]);
    expect(date.text).toBe(reference.date);

    // After the header: "Kính gửi" and its list, the body, then recipients (left) and signer (right).
    const flow = pages.flatMap((page) => page.lines.filter((line) => !(/^\d+$/.test(line.text) && line.yMax < pageBox(page).top)));
    const afterHeader = flow.slice(flow.indexOf(addresseeLabel));
    const closingAt = afterHeader.findIndex((line) => line.text === 'Nơi nhận:');
    const bodyLines = afterHeader.slice(0, closingAt);
    const addresseeLines = bodyLines.filter((line) => line.page === 1 && line.yMin < bodyLines.find((l) => l.text.startsWith('Hiện nay'))!.yMin);
    expect(normalise(addresseeLines.map((l) => l.text).join(' '))).toBe(reference.addressees);

    // Paragraphs: a line starting at the first-line indent (1.27 cm) opens a new one.
    const paragraphs: string[] = [];
    for (const line of bodyLines.slice(addresseeLines.length)) {
      const indented = line.xMin > box.left + mm(12.7) - 2 && line.xMin < box.left + mm(12.7) + 4;
      if (indented || paragraphs.length === 0) paragraphs.push(line.text);
      else paragraphs[paragraphs.length - 1] += ` ${line.text}`;
    }
    expect(paragraphs.map(normalise)).toEqual(reference.body);

    const closing = afterHeader.slice(closingAt);
    const closingPage = pages[closing[0].page - 1];
    const middle = (pageBox(closingPage).left + pageBox(closingPage).right) / 2;
    expect(closing.filter((l) => l.xMax < middle).map((l) => l.text)).toEqual(['Nơi nhận:', ...reference.recipients]);
    expect(closing.filter((l) => l.xMin > middle).map((l) => l.text)).toEqual(reference.signer);
  });
});

describe('a consolidated report with many units', () => {
  const UNITS = 150;
  let pages: PdfPage[];

  beforeAll(async () => {
    const data = catalogue.sample('consolidated-report') as { unitTable: { groups: Array<{ title: string; units: unknown[] }> } };
    const status = ['Đúng hạn', 'Trễ hạn'];
    data.unitTable.groups = [
      {
        title: 'B. UBND các xã, phường, thị trấn',
        units: Array.from({ length: UNITS }, (_, i) => ({
          name: `UBND xã Thử Nghiệm ${i + 1}`,
          values: [`${i + 1}/BC-UBND ngày ${String((i % 9) + 1).padStart(2, '0')}/11/2026`, 100 + i, 99 + i, 110 + i, i % 10, status[i % 2]],
        })),
      },
    ];
    pages = pdfPages((await composer.compose('consolidated-report', data)).pdf);
  });

  test('runs the per-unit table over several pages, repeating its header, never splitting a row', () => {
    const tablePages = pages.filter((page) => page.lines.some((line) => /Thử Nghiệm \d+/.test(line.text)));
    expect(tablePages.length).toBeGreaterThanOrEqual(4);
    const seen = new Set<number>();
    for (const page of tablePages) {
      const box = pageBox(page);
      const heading = page.lines.find((line) => line.text === 'Cơ quan, đơn vị')!;
      expect({ page: page.number, header: heading !== undefined }).toEqual({ page: page.number, header: true });
      const body = page.lines.filter((line) => line.yMin > heading.yMin + 40 && line.yMax < box.bottom + 2);
      for (const line of body) for (const match of line.text.matchAll(/Nghiệm (\d+)/g)) seen.add(Number(match[1]));
      if (page === tablePages[0]) continue;
      // The first line under the repeated header starts a row: its TT number stands at the same height.
      const top = Math.min(...body.map((line) => line.yMin));
      const rowStart = body.find((line) => Math.abs(line.yMin - top) < 2 && /^\d+(\s|$)/.test(line.text) && line.xMin < box.left + mm(9));
      expect({ page: page.number, firstLine: body.find((l) => l.yMin === top)!.text, startsARow: rowStart !== undefined }).toEqual({
        page: page.number,
        firstLine: body.find((l) => l.yMin === top)!.text,
        startsARow: true,
      });
    }
    expect(seen.size).toBe(UNITS);
  });

  test('lists the late and missing units after the table', () => {
    const lastRow = findLine(pages, /Nghiệm 150\b/)!;
    const lateTitle = findLine(pages, /^3\. Cơ quan, đơn vị trễ hạn hoặc chưa báo cáo$/)!;
    expect(lateTitle.page * 10000 + lateTitle.yMin).toBeGreaterThan(lastRow.page * 10000 + lastRow.yMin);
    expect(findLine(pages, /Chưa báo cáo/)).toBeDefined();
  });
});

describe('a consolidated report printed in parts (a long per-unit table, print-parts.ts)', () => {
  // 150 rows in parts of 40: cut between the first two groups, then twice inside a group.
  const partsComposer = new DocumentComposer(catalogue, renderer, { rowsPerPrintPart: 40 });
  const wholeComposer = new DocumentComposer(catalogue, renderer, { rowsPerPrintPart: Infinity });
  let inParts: ComposedDocument;
  let whole: ComposedDocument;
  let partPages: PdfPage[];
  let wholePages: PdfPage[];

  beforeAll(async () => {
    const data = catalogue.sample('consolidated-report') as { unitTable: { groups: Array<{ title: string; units: unknown[] }> } };
    data.unitTable.groups = [30, 70, 50].map((size, g) => ({
      title: `${'ABC'[g]}. Các đơn vị báo cáo nhóm ${g + 1}`,
      units: Array.from({ length: size }, (_, i) => ({ name: `Xã Thử ${g + 1}-${i + 1}`, values: [`${i + 1}/BC-UBND ngày 05/11/2026`, 100 + i, 99 + i, 110 + i, i % 10, 'Đúng hạn'] })),
    }));
    [inParts, whole] = await Promise.all([partsComposer.compose('consolidated-report', data), wholeComposer.compose('consolidated-report', data)]);
    [partPages, wholePages] = [pdfPages(inParts.pdf), pdfPages(whole.pdf)];
  });

  /** Each row as printed: its group and place in it, and the number in its TT cell. */
  const rows = (pages: PdfPage[]) =>
    pages.flatMap((page) =>
      page.lines.flatMap((line) => {
        const match = /^(?:(\d+) )?Xã Thử (\d+)-(\d+)/.exec(line.text);
        if (!match) return [];
        // pdftotext reads the TT cell as a line of its own, or as the start of the name's line.
        const tt = match[1] ?? page.lines.find((cell) => /^\d+$/.test(cell.text) && cell.xMin < pageBox(page).left + mm(9) && Math.abs(cell.yMin - line.yMin) < 2)?.text;
        return [`${match[2]}-${match[3]} #${tt}`];
      }),
    );

  test('prints every row once, in order, numbered on across the cuts, as the whole document does', () => {
    const printed = rows(partPages);
    expect(printed).toHaveLength(150);
    expect(printed).toEqual(rows(wholePages));
    expect(printed.filter((row) => row.split(' #')[0].split('-')[1] !== row.split(' #')[1])).toEqual([]);
  });

  test('numbers its pages on from part to part, from page 2, and carries the header once', () => {
    expect(partPages.length).toBe(inParts.pageCount);
    expect(partPages[0].lines.filter((line) => isPageNumber(partPages[0], line))).toEqual([]);
    for (const page of partPages.slice(1)) expect({ page: page.number, numbers: page.lines.filter((line) => isPageNumber(page, line)).map((line) => line.text) }).toEqual({ page: page.number, numbers: [String(page.number)] });
    expect(partPages.flatMap((page) => page.lines).filter((line) => line.text === 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM')).toHaveLength(1);
  });

  test('repeats the table header on every page of the table, and a cut group goes on under its title', () => {
    const tablePages = partPages.filter((page) => page.lines.some((line) => /Xã Thử \d+-\d+/.test(line.text)));
    expect(tablePages.filter((page) => !page.lines.some((line) => line.text === 'Cơ quan, đơn vị')).map((page) => page.number)).toEqual([]);
    expect(partPages.flatMap((page) => page.lines).filter((line) => line.text.endsWith('(tiếp theo)')).map((line) => line.text)).toEqual([
      'B. Các đơn vị báo cáo nhóm 2 (tiếp theo)',
      'C. Các đơn vị báo cáo nhóm 3 (tiếp theo)',
    ]);
  });

  test('says everything the whole document says, the closing sections and the signer block after the table', () => {
    const texts = (pages: PdfPage[]) => new Set(pages.flatMap((page) => textLines(page).map((line) => line.text)).filter((text) => !text.endsWith('(tiếp theo)')));
    expect([...texts(partPages)].sort()).toEqual([...texts(wholePages)].sort());
    const lastRow = findLine(partPages, /Xã Thử 3-50\b/)!;
    const lateTitle = findLine(partPages, /^3\. Cơ quan, đơn vị trễ hạn hoặc chưa báo cáo$/)!;
    expect(lateTitle.page * 10000 + lateTitle.yMin).toBeGreaterThan(lastRow.page * 10000 + lastRow.yMin);
    expect(inParts.signatureArea?.pageIndex).toBe(inParts.pageCount - 1);
    expect(inParts.signatureArea?.rect).toEqual(whole.signatureArea?.rect);
  });

  test('keeps the metadata; the joined file is untagged, its parts\' structure trees not carried', () => {
    expect(inParts.metadata).toEqual(whole.metadata);
    const info = pdfInfo(inParts.pdf).fields;
    expect([info.Title, info.Author, info.Tagged]).toEqual([inParts.metadata.title, inParts.metadata.author, 'no']);
    expect(inParts.pdf.includes('StructTreeRoot')).toBe(false);
    expect(pdfInfo(whole.pdf).fields.Tagged).toBe('yes'); // a document printed whole stays tagged
  });
});

test('a wide per-unit table may be set on landscape pages', async () => {
  const data = catalogue.sample('consolidated-report') as { unitTable: { landscape: boolean } };
  data.unitTable.landscape = true;
  const sizes = pdfInfo((await composer.compose('consolidated-report', data)).pdf).pageSizes;
  expect(sizes[0]).toMatch(/^594\.\d+ x 841\.\d+/);
  expect(sizes.filter((size) => /^841\.\d+ x 594\.\d+ pts \(A4\)$/.test(size)).length).toBeGreaterThan(0);
});

test('a draft renders with "DỰ THẢO" on every page, without a number and without day and month', async () => {
  const document = await composer.compose('letter', catalogue.sample('letter'), { draft: true });
  const pages = pdfPages(document.pdf);
  for (const page of pages) {
    const mark = page.lines.find((line) => line.text === 'DỰ THẢO')!;
    expect(mark).toBeDefined();
    expect(mark.yMax).toBeLessThan(pageBox(page).top);
  }
  const numberArea = normalise(pages[0].lines.filter((line) => line.text.startsWith('Số:') || line.text.includes('/UBND-KGVX')).map((l) => l.text).join(' '));
  expect(numberArea).toMatch(/^Số:\s*\/UBND-KGVX$/);
  const dateStart = findLine(pages, /^Quảng Ngãi, ngày/)!;
  const dateLine = pages[0].lines.filter((line) => Math.abs(line.yMin - dateStart.yMin) < 3 && line.xMin >= dateStart.xMin).sort((a, b) => a.xMin - b.xMin);
  expect(normalise(dateLine.map((line) => line.text).join(' '))).toBe('Quảng Ngãi, ngày tháng năm 2021');
  expect(document.metadata.keywords).toEqual(['DỰ THẢO', 'UBND-KGVX']);
  expect(pdfInfo(document.pdf).fields.Title).toMatch(/^DỰ THẢO - Công văn V\/v /);
});

describe('the ministry report, drafted for the provincial People\'s Committee to sign', () => {
  interface Row {
    label: string;
    unit: string;
    value: number;
  }
  const sample = catalogue.sample('ministry-report') as {
    totals: Array<{ title: string; rows: Row[] }>;
    levels: Array<{ label: string; expected: number; submitted: number; announced: number }>;
    levelTotal: { expected: number; submitted: number; announced: number };
  };
  let pages: PdfPage[];
  let draft: ComposedDocument;

  beforeAll(async () => {
    draft = await composer.compose('ministry-report', sample, { draft: true });
    pages = pdfPages(draft.pdf);
  });

  test('carries "DỰ THẢO" on every page, no number, the People\'s Committee as issuer and the Ministry as addressee', () => {
    for (const page of pages) expect(page.lines.find((line) => line.text === 'DỰ THẢO')?.yMax).toBeLessThan(pageBox(page).top);
    const [first] = pages;
    const box = pageBox(first);
    const number = findLine([first], /^Số:/)!;
    const left = first.lines.filter((line) => line.xMax < box.rightColumnLeft && line.yMax <= number.yMin).map((line) => line.text);
    expect(left).toEqual(['ỦY BAN NHÂN DÂN', 'TỈNH QUẢNG NGÃI']);
    expect(normalise(first.lines.filter((line) => Math.abs(line.yMin - number.yMin) < 3 && line.xMax < box.rightColumnLeft).map((l) => l.text).join(' '))).toBe('Số: /BC-UBND');
    expect(findLine([first], /^BÁO CÁO$/)).toBeDefined();
    expect(findLine([first], (text) => normalise(text) === 'Kính gửi: Bộ Khoa học và Công nghệ.')).toBeDefined();
    for (const text of ['I. TÌNH HÌNH ÁP DỤNG HỆ THỐNG QUẢN LÝ CHẤT LƯỢNG', 'III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN', 'IV. KIẾN NGHỊ, ĐỀ XUẤT']) {
      expect({ text, found: findLine(pages, (line) => line === text) !== undefined }).toEqual({ text, found: true });
    }
    expect(draft.metadata.keywords).toEqual(['DỰ THẢO', 'BC-UBND']);
  });

  test('is signed "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH" with the name left blank, recipients ending "- Lưu: VT, KGVX."', () => {
    const last = pages[pages.length - 1];
    const middle = (pageBox(last).left + pageBox(last).right) / 2;
    const tm = findLine([last], /^TM\. ỦY BAN NHÂN DÂN$/)!;
    const signerLines = last.lines.filter((line) => line.xMin > middle && line.yMin >= tm.yMin).map((line) => line.text);
    expect(signerLines).toEqual(['TM. ỦY BAN NHÂN DÂN', 'KT. CHỦ TỊCH', 'PHÓ CHỦ TỊCH']);
    const recipients = last.lines.filter((line) => line.xMax < middle && line.yMin >= tm.yMin - 2).map((line) => line.text);
    expect(recipients[0]).toBe('Nơi nhận:');
    expect(recipients[1]).toBe('- Như trên;');
    expect(recipients[recipients.length - 1]).toBe('- Lưu: VT, KGVX.');
  });

  /** The line in the row that starts at `start` (same height, top-aligned cells), right of `xMin`. */
  const cellsOf = (start: PdfLine) =>
    pages[start.page - 1].lines.filter((line) => line !== start && Math.abs(line.yMin - start.yMin) < 2).sort((a, b) => a.xMin - b.xMin);

  test('prints every total in a cell of its own, on its row, readable back as printed', () => {
    const value = (n: number) => (n > 0 && n < 10 ? `0${n}` : n.toLocaleString('de-DE'));
    let checked = 0;
    sample.totals.forEach((group, g) =>
      group.rows.forEach((row, r) => {
        const tt = findLine(pages, (text) => text === `${g + 1}.${r + 1}`)!;
        const cells = cellsOf(tt);
        const printed = cells[cells.length - 1].text;
        expect({ row: row.label, printed, readBack: Number(printed.replace(/\./g, '')) }).toEqual({ row: row.label, printed: value(row.value), readBack: row.value });
        expect(normalise(cells.map((cell) => cell.text).join(' '))).toContain(row.label.split(' ').slice(0, 3).join(' '));
        checked++;
      }),
    );
    expect(checked).toBe(sample.totals.flatMap((group) => group.rows).length);
  });

  test('sets the situation table one level per row, with its totals', () => {
    const total = findLine(pages, /^Tổng cộng$/)!;
    expect(cellsOf(total).map((cell) => cell.text)).toEqual([sample.levelTotal.expected, sample.levelTotal.submitted, sample.levelTotal.announced].map(String));
    for (const level of sample.levels) {
      const label = findLine(pages, (text) => level.label.startsWith(text) && text.length > 10)!;
      expect(cellsOf(label).map((cell) => cell.text)).toEqual(expect.arrayContaining([level.expected, level.submitted, level.announced].map(String)));
    }
  });
});
