import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, TestDatabase, openMigratedDatabase } from '../support/test-databases';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

const ROOT = join(__dirname, '..', '..');

/** Runs the real CLI entry point (src/main.ts, compiled in memory) as an operator would. */
function verifyStore(db: TestDatabase, runtimeDir: string) {
  const url = db.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : db.config.displayUrl;
  const run = spawnSync(process.execPath, ['-r', join(__dirname, 'support', 'register-ts.js'), join(ROOT, 'src', 'main.ts'), 'verify-store'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, RUNTIME_DIR: runtimeDir, LOG_FORMAT: 'pretty' },
    encoding: 'utf8',
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}` };
}

// The command reads the store and the documents through the same code on either database (the
// verifier itself is tested on both): one database kind is enough for the process-level test.
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('iso-cycle verify-store [%s]', (kind) => {
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

    const clean = verifyStore(db, runtimeDir);
    expect(clean.out).toContain('2 document(s) checked, 0 mismatch(es)');
    expect(clean.status).toBe(0);

    const sha = issued.sha256!;
    writeFileSync(join(runtimeDir, 'documents', 'files', sha.slice(0, 2), `${sha}.pdf`), Buffer.from('%PDF-1.7 altered'));
    const tampered = verifyStore(db, runtimeDir);
    expect(tampered.out).toContain(`MISMATCH 01/BC-SKHCN ${issued.id}: file hashes to`);
    expect(tampered.out).toContain('1 mismatch(es)');
    expect(tampered.status).toBe(1);
  }, 180_000);
});
