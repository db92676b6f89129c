import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { DataSource } from 'typeorm';
import { loadDocumentFont } from '../../src/documents/fonts/document-font';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { RegisterPdf, registerCatalogue } from '../../src/documents/registers/register-pdf';
import { RegistersService } from '../../src/documents/registers/registers.service';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

/** One page's text in drawing order (-raw): each table cell's text stays together. */
function pdfText(pdf: Buffer, page: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'iso-register-pdf-'));
  try {
    writeFileSync(join(dir, 'r.pdf'), pdf);
    return execFileSync('pdftotext', ['-raw', '-f', String(page), '-l', String(page), join(dir, 'r.pdf'), '-']).toString('utf8').replace(/\s+/g, ' ');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Printing does not depend on the database: one kind is enough.
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('registers as PDF [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let root: string;
  const chromium = new PuppeteerPdfRenderer({ executablePath: '/usr/bin/chromium', poolSize: 1 });

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    root = mkdtempSync(join(tmpdir(), 'iso-register-pdf-store-'));
  });
  afterAll(async () => {
    await chromium.close();
    await close();
    rmSync(root, { recursive: true, force: true });
  });

  it('prints the cover and every entry of the outgoing register on landscape pages', async () => {
    const units = await seedQuangNgai2025(dataSource);
    const clock = new ControlledClock('2026-01-05T02:00:00Z');
    const pipeline = new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), new FakeIssueRenderer(), new FilesystemDocumentStore(root));
    for (const [instant, subject] of [
      ['2026-01-05T02:00:00Z', 'Kết quả năm 2025'],
      ['2026-03-09T02:00:00Z', 'Kế hoạch kiểm tra năm 2026'],
      ['2026-11-14T02:00:00Z', 'Kết quả năm 2026'],
    ]) {
      clock.set(instant);
      await pipeline.issue(approvedReport(units, { subject }));
    }
    const register = await new RegistersService(dataSource, clock).outgoing(units.skhcn.id, 2026);
    const printed = await new RegisterPdf(registerCatalogue(loadDocumentFont(), 'Asia/Ho_Chi_Minh'), chromium).render(register);

    const cover = pdfText(printed.pdf, 1);
    for (const text of ['SỞ KHOA HỌC VÀ CÔNG NGHỆ', 'SỔ ĐĂNG KÝ VĂN BẢN ĐI', 'Năm: 2026', 'Từ ngày 05/01/2026 đến ngày 14/11/2026', 'Từ số 01 đến số 03', 'Quyển số: 01']) expect(cover).toContain(text);

    const document = await PDFDocument.load(printed.pdf);
    expect(printed.pageCount).toBe(document.getPageCount());
    const [coverPage, entriesPage] = document.getPages();
    expect(coverPage.getWidth()).toBeLessThan(coverPage.getHeight());
    expect(entriesPage.getWidth()).toBeGreaterThan(entriesPage.getHeight());
    const entries = Array.from({ length: printed.pageCount - 1 }, (_, i) => pdfText(printed.pdf, i + 2)).join(' ');
    expect(entries).toContain('(10)');
    for (const row of register.rows) {
      expect(entries).toContain(row[0]);
      expect(entries).toContain(row[2]);
    }
  });
});
