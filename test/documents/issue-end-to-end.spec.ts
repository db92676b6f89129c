import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '../../src/config/config.module';
import { loadAppConfig } from '../../src/config/load-app-config';
import { DatabaseModule } from '../../src/database/database.module';
import { DocumentComposer } from '../../src/documents/document-composer';
import { ComposerIssueRenderer } from '../../src/documents/issuing/composer-issue-renderer';
import { IssueRenderer } from '../../src/documents/issuing/issue-renderer';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { IssuedDocumentEntity, IssueState } from '../../src/documents/issuing/issued-document.entity';
import { IssuingModule } from '../../src/documents/issuing/issuing.module';
import { IncomingRegisterEntryEntity } from '../../src/documents/registers/incoming-register-entry.entity';
import { DocumentStore, sha256Hex } from '../../src/documents/store/document-store';
import { StoreVerifier } from '../../src/documents/store/store-verifier';
import { TemplateCatalogue } from '../../src/documents/templates/template-catalogue';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { SeededUnits, approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

/** The text a reader gets from a PDF (poppler's pdftotext), page by page. */
function pdfText(pdf: Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'iso-e2e-pdf-'));
  try {
    writeFileSync(join(dir, 'd.pdf'), pdf);
    return execFileSync('pdftotext', ['-layout', join(dir, 'd.pdf'), '-']).toString('utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The approved content of a unit report: the kind's sample without what the pipeline owns. */
function reportContent(catalogue: TemplateCatalogue): Record<string, unknown> {
  const { issuer: _issuer, document: _document, typeName: _typeName, subject: _subject, ...content } = catalogue.sample('unit-report');
  return content;
}

/**
 * The production wiring (IssuingModule: composer, Chromium, filesystem store under the runtime
 * directory) on each database, with a controlled clock.
 */
describe.each(TEST_DATABASE_KINDS)('issuing with the real templates and Chromium [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let units: SeededUnits;
  let runtimeDir: string;
  let app: INestApplicationContext;
  // 05/01/2027 08:00 in Vietnam; the server runs in UTC, where it is 01:00.
  const clock = new ControlledClock('2027-01-05T01:00:00Z');

  beforeAll(async () => {
    let db;
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    units = await seedQuangNgai2025(dataSource);
    runtimeDir = mkdtempSync(join(tmpdir(), 'iso-e2e-'));
    const url = db.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : db.config.displayUrl;
    const config = loadAppConfig({ DATABASE_URL: url, RUNTIME_DIR: runtimeDir }, join(__dirname, '..', '..'));
    @Module({ imports: [ConfigModule.forRoot({ config, clock }), DatabaseModule, IssuingModule.forRoot({ documents: { pagePoolSize: 1 } })] })
    class IssuingTestModule {}
    app = await NestFactory.createApplicationContext(IssuingTestModule, { logger: ['error'] });
  });
  afterAll(async () => {
    await app.close();
    await close();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it('issues a report end to end, and re-rendering its stored data gives the same text', async () => {
    const catalogue = app.get(TemplateCatalogue);
    const store = app.get(DocumentStore);
    const renderer = app.get(IssueRenderer) as ComposerIssueRenderer;

    const issued = await app.get(IssuePipeline).issue(approvedReport(units, { templateKind: 'unit-report', content: reportContent(catalogue), subject: 'Kết quả duy trì, cải tiến HTQLCL năm 2026' }));
    expect([issued.state, issued.symbol, issued.issueDate]).toEqual([IssueState.Issued, '01/BC-SKHCN', '2027-01-05']);

    const stored = (await store.get(issued.id))!;
    expect(store.description).toBe(`filesystem ${join(runtimeDir, 'documents')}`);
    expect(sha256Hex(stored.pdf)).toBe(issued.sha256);
    expect(stored.templateVersion).toBe(renderer.templateVersion('unit-report'));
    expect(issued.templateVersion).toBe(stored.templateVersion);
    // The count the renderer reported is the stored file's (not read back from it).
    expect(issued.pages).toBe((await PDFDocument.load(stored.pdf)).getPageCount());
    expect(issued.pages).toBeGreaterThanOrEqual(2);

    const text = pdfText(stored.pdf);
    const flowing = text.replace(/\s+/g, ' ');
    expect(flowing).toContain('Số: 01/BC-SKHCN');
    expect(flowing).toContain('Quảng Ngãi, ngày 05 tháng 01 năm 2027');
    expect(flowing).toContain('SỞ KHOA HỌC VÀ CÔNG NGHỆ');

    // The stored data alone reproduces the document (text-identical; the bytes differ by creation time).
    const again = await app.get(DocumentComposer).compose(stored.kind, stored.data);
    expect(pdfText(again.pdf)).toBe(text);

    const incoming = await dataSource.getRepository(IncomingRegisterEntryEntity).findBy({ documentId: issued.id });
    expect(incoming.map((r) => [r.unitId, r.incomingNumber, r.symbol, r.sender, r.documentDate])).toEqual([[units.province.id, 1, '01/BC-SKHCN', 'Sở Khoa học và Công nghệ', '2027-01-05']]);
    expect((await dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: issued.id })).sha256).toBe(stored.sha256);
    expect((await app.get(StoreVerifier).verify()).mismatches).toEqual([]);
  }, 120_000);
});
