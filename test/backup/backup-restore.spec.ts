import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { BackupCommand, RestoreCommand } from '../../src/backup/backup.command';
import { BackupError, BackupManifest, BackupService } from '../../src/backup/backup.service';
import { drainMailOutbox } from '../support/mail-outbox';
import { AppConfig } from '../../src/config/app-config';
import { CliError } from '../../src/cli/fatal';
import { createDataSource } from '../../src/database/data-source-options';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { databaseDigest } from '../support/database-digest';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase, userTables } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';

/**
 * `iso-cycle backup` / `restore` (docs/security.md, "Backups"): a database with real work in it — a
 * report drafted, submitted, approved and issued as a PDF, an evidence file, audit events — is
 * backed up, restored into a fresh database and an empty runtime folder, and verified: the same rows
 * in every table, the audit chain intact to the same head, every document and evidence file matching
 * its hash. A restore refuses a database that is not fresh and a damaged backup, changing nothing.
 */
describe.each(TEST_DATABASE_KINDS)('backup and restore [%s]', (kind) => {
  let t: TestApp;
  let backupDir: string;
  let manifest: BackupManifest;
  const clock = new ControlledClock('2026-11-20T03:00:00Z');
  const fresh: { db: TestDatabase; runtimeDir: string }[] = [];
  const freshTarget = async () => {
    const target = { db: await createTestDatabase(kind), runtimeDir: mkdtempSync(join(tmpdir(), 'iso-restore-')) };
    fresh.push(target);
    return { ...t.config, database: target.db.config, runtimeDir: target.runtimeDir } as AppConfig;
  };

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true, clock });
    const cycle = await insertCycle(t.dataSource, DATA_SET);
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    const reportId = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    await t.app.get(InboxProjection).settled();
    const staff = new ApiClient(t.baseUrl);
    await staff.login(`staff.21211@${DATA_SET}`, DEMO_PASSWORD);
    const values = generateReportValues(formForYear(2026), seededRandom(7), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    expect((await staff.request('PUT', `/api/reports/${reportId}/draft`, { body: values })).status).toBe(200);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(Buffer.from('%PDF-1.4\n% biên bản họp xem xét của lãnh đạo\n'))], { type: 'application/pdf' }), 'Biên bản họp.pdf');
    expect((await fetch(`${t.baseUrl}/api/reports/${reportId}/evidence`, { method: 'POST', body: form, headers: { cookie: staff.cookie!, 'x-csrf-token': staff.csrfToken! } })).status).toBe(201);
    expect((await staff.request('POST', `/api/reports/${reportId}/submit`)).status).toBe(201);
    const head = new ApiClient(t.baseUrl);
    await head.login(`head.21211@${DATA_SET}`, DEMO_PASSWORD);
    expect((await head.request('POST', `/api/reports/${reportId}/review`, { body: { decision: 'approved' } })).status).toBe(201);
    await t.app.get(WorkflowEngine).whenIdle();
    // The submission's notifications are mailed in the background: sent before the backup, not after it.
    await drainMailOutbox(t.dataSource);
    backupDir = join(mkdtempSync(join(tmpdir(), 'iso-backup-')), 'backup');
  });
  afterAll(async () => {
    await t.close();
    for (const target of fresh) {
      await target.db.destroy();
      rmSync(target.runtimeDir, { recursive: true, force: true });
    }
    rmSync(join(backupDir, '..'), { recursive: true, force: true });
  });

  it('backs up the database and the files it names, described by a manifest', async () => {
    manifest = await new BackupService(t.config, clock).backup(backupDir);
    expect(manifest.database.kind).toBe(kind === 'sqlite' ? 'sqlite' : 'mysql');
    expect(manifest.tables.reports).toBe(1);
    expect(manifest.tables.issued_documents).toBeGreaterThanOrEqual(1);
    expect(manifest.audit.seq).toBeGreaterThanOrEqual(5);
    expect(manifest.files.filter((f) => f.path.endsWith('.pdf'))).toHaveLength(manifest.tables.issued_documents);
    expect(manifest.files.filter((f) => f.path.startsWith('evidence/'))).toHaveLength(1);
    expect(readdirSync(backupDir).sort()).toEqual([manifest.database.file, 'documents', 'evidence', 'manifest.json'].sort());
    await expect(new BackupService(t.config, clock).backup(backupDir)).rejects.toThrow(/is not empty: back up into a new folder/);
  });

  it('restores into a fresh database and an empty runtime folder: the same rows, the chain intact, every file matching its hash', async () => {
    const target = await freshTarget();
    const report = await new BackupService(target, clock).restore(backupDir);
    expect(report.problems).toEqual([]);
    expect(report.auditEvents).toBe(manifest.audit.seq);
    expect(report.documents).toBe(manifest.tables.issued_documents);
    expect(report.evidence).toBe(1);
    const restored = createDataSource(target.database);
    await restored.initialize();
    try {
      // All but the migrations bookkeeping and what the live source touches on its own: sessions, and
      // the engine lock's heartbeat and the scheduler leases' renewals (a restored lock or lease names a dead owner and is taken over like after a crash).
      const live = ['schema_migrations', 'login_throttle', 'sessions', 'wf_engine_lock', 'scheduler_leases'];
      const tables = (await userTables(t.dataSource)).filter((table) => !live.includes(table));
      expect(await userTables(restored)).toEqual(await userTables(t.dataSource));
      const differing: string[] = [];
      for (const table of tables) if ((await databaseDigest(restored, [table])) !== (await databaseDigest(t.dataSource, [table]))) differing.push(table);
      expect(differing).toEqual([]);
    } finally {
      await restored.destroy();
    }
  });

  it('refuses a database that is not fresh, and a damaged backup, naming the problem', async () => {
    const target = await freshTarget();
    await expect(new BackupService(t.config, clock).restore(backupDir)).rejects.toThrow(kind === 'sqlite' ? /exists: restore into a new database file/ : /is not empty: restore into a fresh database/);
    const pdf = manifest.files.find((f) => f.path.endsWith('.pdf'))!;
    const path = join(backupDir, pdf.path);
    const original = readFileSync(path);
    writeFileSync(path, Buffer.concat([original, Buffer.from('x')]));
    try {
      const failure = await new BackupService(target, clock).restore(backupDir).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(BackupError);
      expect((failure as Error).message).toBe(`${path} is missing or does not match its SHA-256 in the manifest: the backup is damaged`);
      expect(readdirSync(target.runtimeDir)).toEqual([]);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('names what does not verify after a restore: an audit event changed in the backup breaks the chain', async () => {
    const target = await freshTarget();
    const forged = join(backupDir, '..', 'forged');
    cpSync(backupDir, forged, { recursive: true });
    const file = join(forged, manifest.database.file);
    if (kind === 'sqlite') {
      const copy = new Database(file);
      copy.exec('DROP TRIGGER audit_events_no_update');
      copy.prepare("UPDATE audit_events SET actor_login = 'someone-else' WHERE seq = 2").run();
      copy.close();
    } else {
      const lines = readFileSync(file, 'utf8').split('\n').map((line) => {
        if (!line) return line;
        const entry = JSON.parse(line);
        if (entry.t === 'audit_events' && Number(entry.r.seq) === 2) entry.r.actor_login = 'someone-else';
        return JSON.stringify(entry);
      });
      writeFileSync(file, lines.join('\n'));
    }
    const forgedManifest = { ...manifest, database: { ...manifest.database, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') } };
    writeFileSync(join(forged, 'manifest.json'), JSON.stringify(forgedManifest));
    const report = await new BackupService(target, clock).restore(forged);
    expect(report.problems).toEqual(['audit trail broken at event 2: its content does not match its hash (the event was changed)']);
  });

  it('runs as `iso-cycle backup --out` and `iso-cycle restore --from`, refusals as exit 1 with the reason', async () => {
    const target = await freshTarget();
    const out = join(backupDir, '..', 'cli-backup');
    const asCli = <T>(config: AppConfig, work: () => Promise<T>) => withEnvironment({ DATABASE_URL: urlOf(config), RUNTIME_DIR: config.runtimeDir }, work);
    const printed = await asCli(t.config, () => captureStdout(() => new BackupCommand().run([], { out })));
    expect(printed).toMatch(/^backup of .* in .*cli-backup: \d+ tables, \d+ rows, \d+ audit events, \d+ files\n$/);
    const restored = await asCli(target, () => captureStdout(() => new RestoreCommand().run([], { from: out })));
    expect(restored).toMatch(/restored into .*: \d+ tables, \d+ rows, audit trail \d+ event\(s\), 1 document file\(s\), 1 evidence file\(s\); 0 problem\(s\)\n$/);
    const again = await asCli(target, () => new RestoreCommand().run([], { from: out })).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CliError);
    expect((again as CliError).exitCode).toBe(1);
    await expect(new BackupCommand().run([], {})).rejects.toThrow('backup: --out <dir> is required');
  });
});

function urlOf(config: AppConfig): string {
  const db = config.database;
  return db.kind === 'sqlite' ? `sqlite:${db.sqlitePath}` : `mysql://${db.username}${db.password ? `:${encodeURIComponent(db.password)}` : ''}@${db.host}:${db.port}/${db.database}`;
}

async function withEnvironment<T>(values: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  Object.assign(process.env, values);
  try {
    return await work();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function captureStdout(work: () => Promise<unknown>): Promise<string> {
  const original = process.stdout.write.bind(process.stdout);
  let captured = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  try {
    await work();
  } finally {
    process.stdout.write = original;
  }
  return captured;
}
