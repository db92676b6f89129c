import { spawnSync } from 'node:child_process';
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { WORKBOOK_HEADER_ROWS } from '../../src/documents/registers/register-workbook';
import { RegistersService } from '../../src/documents/registers/registers.service';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, TestDatabase, openMigratedDatabase } from '../support/test-databases';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

const ROOT = join(__dirname, '..', '..');

/**
 * Runs the real CLI entry point (src/main.ts, compiled in memory) as an operator would. Each run
 * starts the application, so the file keeps to three runs; PDF printing of registers and bad
 * periods are tested at the service level (register-pdf.spec.ts, registers.spec.ts).
 */
function cli(db: TestDatabase, runtimeDir: string, args: string[]) {
  const url = db.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : db.config.displayUrl;
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), join(ROOT, 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, RUNTIME_DIR: runtimeDir, LOG_FORMAT: 'pretty' },
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

// The command reads the store and the documents through the same code on either database (the
// verifier itself is tested on both): one database kind is enough for the process-level test.
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('iso-cycle verify-store and export-register [%s]', (kind) => {
  let dataSource: DataSource;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let runtimeDir: string;

  beforeAll(async () => {
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    runtimeDir = mkdtempSync(join(tmpdir(), 'iso-verify-cli-'));
  });
  afterAll(async () => {
    await close();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it('passes an intact store and names the document whose file changed, exiting 1', async () => {
    const units = await seedQuangNgai2025(dataSource);
    const clock = new ControlledClock('2026-11-20T03:00:00Z');
    const store = new FilesystemDocumentStore(join(runtimeDir, 'documents'));
    const pipeline = new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), new FakeIssueRenderer(), store);
    const issued = await pipeline.issue(approvedReport(units));
    await pipeline.issue(approvedReport(units));

    const clean = cli(db, runtimeDir, ['verify-store']);
    expect(clean.out).toContain('2 document(s) checked, 0 mismatch(es)');
    expect(clean.status).toBe(0);

    const sha = issued.sha256!;
    writeFileSync(join(runtimeDir, 'documents', 'files', sha.slice(0, 2), `${sha}.pdf`), Buffer.from('%PDF-1.7 altered'));
    const tampered = cli(db, runtimeDir, ['verify-store']);
    expect(tampered.out).toContain(`MISMATCH 01/BC-SKHCN ${issued.id}: file hashes to`);
    expect(tampered.out).toContain('1 mismatch(es)');
    expect(tampered.status).toBe(1);
  }, 180_000);

  it('exports the outgoing register as XLSX holding the same rows as the service', async () => {
    const units = await seedQuangNgai2025(dataSource);
    const register = await new RegistersService(dataSource, new ControlledClock('2026-11-20T03:00:00Z')).outgoing(units.skhcn.id, 2026);
    expect(register.rows.length).toBeGreaterThan(0);

    const xlsx = join(runtimeDir, 'outgoing.xlsx');
    const written = cli(db, runtimeDir, ['export-register', 'skhcn', '2026', '--data-set', 'quang-ngai-2025', '--out', xlsx]);
    expect(written.out).toContain(`outgoing register of Sở Khoa học và Công nghệ, 2026, ${register.rows.length} entries`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    const sheet = workbook.worksheets[0];
    const rows = Array.from({ length: sheet.rowCount - WORKBOOK_HEADER_ROWS }, (_, i) => register.columns.map((_c, j) => String(sheet.getRow(WORKBOOK_HEADER_ROWS + 1 + i).getCell(j + 1).value ?? '')));
    expect(rows).toEqual(register.rows);
  }, 180_000);
});
