import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditHasher } from '../../src/audit/audit-chain';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { writeTransaction } from '../../src/database/write-transaction';
import { ControlledClock } from '../../src/shared/clock';
import { dropAuditAppendOnlyTriggers } from '../support/audit-tampering';
import { TEST_DATABASE_KINDS, TestDatabase, openMigratedDatabase } from '../support/test-databases';

const ROOT = join(__dirname, '..', '..');

/** The real `iso-cycle` entry point (src/main.ts, compiled in memory), as an operator runs it. */
function cli(db: TestDatabase, args: string[]) {
  const url = db.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : db.config.displayUrl;
  const run = spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), join(ROOT, 'src', 'main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, LOG_FORMAT: 'pretty' },
    encoding: 'utf8',
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

// The chain and its verification are tested on both databases (audit-trail.spec.ts); here only the
// command line's wiring and exit status, on one.
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('iso-cycle audit verify / export [%s]', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;

  beforeAll(async () => {
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    const trail = new AuditTrail(dataSource, new ControlledClock('2026-11-10T03:00:00Z'), new AuditHasher());
    for (let n = 1; n <= 3; n++) {
      await writeTransaction(dataSource, (m) => trail.record(m, { actor: { personId: null, login: 'system' }, action: 'report.saved', subject: { type: 'report', id: n }, cycleId: 'cycle-2026', detail: { n } }));
    }
  });
  afterAll(() => close());

  it('says the chain is intact and exits 0; exports a cycle as JSON lines', () => {
    const verify = cli(db, ['audit', 'verify']);
    expect(verify.status).toBe(0);
    expect(verify.stdout).toMatch(/^audit trail intact: 3 event\(s\), last hash [0-9a-f]{64}$/m);
    const exported = cli(db, ['audit', 'export', '--cycle', 'cycle-2026']);
    expect(exported.status).toBe(0);
    expect(exported.stdout.trim().split('\n').map((line) => JSON.parse(line).subject.id)).toEqual(['1', '2', '3']);
  });

  it('names the first broken link and exits 1 after tampering', async () => {
    await dropAuditAppendOnlyTriggers(dataSource);
    await dataSource.query(`UPDATE audit_events SET detail = '{"n":20}' WHERE seq = 2`);
    const verify = cli(db, ['audit', 'verify']);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toContain('iso-cycle: audit trail BROKEN at event 2: its content does not match its hash (the event was changed) (events 1–1 are intact)');
  });
});
