import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DocumentDeliveryEntity } from '../../src/documents/issuing/document-delivery.entity';
import { ISSUE_STEPS, IssuePipeline, IssueStep } from '../../src/documents/issuing/issue-pipeline';
import { IssuedDocumentEntity, IssueState } from '../../src/documents/issuing/issued-document.entity';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { IncomingRegisterEntryEntity } from '../../src/documents/registers/incoming-register-entry.entity';
import { OutgoingRegisterEntryEntity } from '../../src/documents/registers/outgoing-register-entry.entity';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { sha256Hex } from '../../src/documents/store/document-store';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, TestDatabase, openMigratedDatabase } from '../support/test-databases';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

const NOW = '2026-11-20T03:00:00Z';

/** Runs the kill worker; resolves with the signal or exit code that ended it. */
function issueAndDie(db: TestDatabase, storeDir: string, approved: unknown, killAfter: IssueStep): Promise<string> {
  const child = spawn(process.execPath, [join(__dirname, 'support', 'pipeline-kill-worker.js')], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, WORKER_INPUT: JSON.stringify({ database: db.config, storeDir, approved, killAfter, now: NOW }) },
  });
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
}

/**
 * A real crash: one OS process per step, each killed with SIGKILL right after that step (no
 * cleanup of any kind), all at once on one database; then a fresh pipeline resumes them all.
 */
describe.each(TEST_DATABASE_KINDS)('issuing after a process is killed between two steps [%s]', (kind) => {
  let dataSource: DataSource;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let storeDir: string;

  beforeAll(async () => {
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    storeDir = mkdtempSync(join(tmpdir(), 'iso-kill-'));
  });
  afterAll(async () => {
    await close();
    rmSync(storeDir, { recursive: true, force: true });
  });

  it('resumes every document exactly once, whichever step the process died after', async () => {
    const units = await seedQuangNgai2025(dataSource);
    const steps = ISSUE_STEPS;
    const approvals = steps.map((step) => approvedReport(units, { subject: `Báo cáo, tiến trình chết sau bước ${step}`, recipients: [{ unitId: units.province.id, name: 'UBND tỉnh' }] }));
    const endings = await Promise.all(steps.map((step, i) => issueAndDie(db, storeDir, approvals[i], step)));
    expect(endings).toEqual(steps.map(() => 'SIGKILL'));

    const clock = new ControlledClock(NOW);
    const store = new FilesystemDocumentStore(storeDir);
    await new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), new FakeIssueRenderer(), store).resumeAll();

    const documents = await dataSource.getRepository(IssuedDocumentEntity).find({ order: { number: 'ASC' } });
    expect(documents.map((d) => d.state)).toEqual(steps.map(() => IssueState.Issued));
    expect(documents.map((d) => d.number)).toEqual(steps.map((_, i) => i + 1));
    for (const document of documents) {
      const stored = (await store.get(document.id))!;
      expect(sha256Hex(stored.pdf)).toBe(document.sha256);
      expect(await dataSource.getRepository(OutgoingRegisterEntryEntity).countBy({ documentId: document.id })).toBe(1);
      expect(await dataSource.getRepository(DocumentDeliveryEntity).countBy({ documentId: document.id })).toBe(1);
      expect(await dataSource.getRepository(IncomingRegisterEntryEntity).countBy({ documentId: document.id })).toBe(1);
    }
    const incomingNumbers = (await dataSource.getRepository(IncomingRegisterEntryEntity).findBy({ unitId: units.province.id })).map((r) => r.incomingNumber).sort((a, b) => a - b);
    expect(incomingNumbers).toEqual(steps.map((_, i) => i + 1));
  }, 240_000);
});
