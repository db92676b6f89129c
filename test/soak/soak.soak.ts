import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditHasher } from '../../src/audit/audit-chain';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { digestOf } from '../../src/audit/canonical-json';
import { createDataSource } from '../../src/database/data-source-options';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { StoreVerifier } from '../../src/documents/store/store-verifier';
import { SystemClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../support/test-databases';
import { ServerProcess, freePort } from './soak-server';
import { Ledger, SoakUnit, SoakUser, newLedger, runHead, runStaff } from './soak-users';

/**
 * The soak test (`npm run test:soak`, issue 10): the real application (`iso-cycle serve`) in its own
 * process, many simulated people doing real report work through HTTP at once — saving drafts,
 * submitting, claiming and reviewing, returning and approving, the approvals issuing PDFs — while the
 * server is killed with SIGKILL at random moments and started again, at least MIN_KILLS times. Then:
 * every write the server acknowledged (2xx) is in the database; no task lost or doubled; every
 * report issued exactly once with gap-free document numbers; the audit chain intact; every stored
 * PDF matching its SHA-256.
 *
 * Bounded: each database's run stops at SOAK_SECONDS (default 300) and fails if the work is not done.
 * SOAK_FAULT=write-behind preloads a test-only fault into the server (writes answered before they are
 * done, see write-behind-fault.js): the test must then fail.
 */
const UNITS = Number(process.env.SOAK_UNITS ?? 16);
const MIN_KILLS = Number(process.env.SOAK_KILLS ?? 4);
const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const FAULT = process.env.SOAK_FAULT;
const DATA_SET = 'quang-ngai-2025';

const log = (line: string) => process.stderr.write(`soak: ${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function databaseUrl(db: TestDatabase): string {
  if (db.config.kind === 'sqlite') return `sqlite:${db.config.sqlitePath}`;
  const auth = db.config.password ? `${db.config.username}:${encodeURIComponent(db.config.password)}` : db.config.username;
  return `mysql://${auth}@${db.config.host}:${db.config.port}/${db.config.database}`;
}

describe.each(TEST_DATABASE_KINDS)('soak: concurrent users while the server is killed and restarted [%s]', (kind) => {
  let db: TestDatabase;
  let runtimeDir: string;
  let server: ServerProcess;
  let dataSource: DataSource;
  const ledger: Ledger = newLedger();
  let units: SoakUnit[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    runtimeDir = mkdtempSync(join(tmpdir(), 'iso-cycle-soak-'));
    server = new ServerProcess(
      await freePort(),
      // Every simulated person comes from 127.0.0.1: the address limit is raised, the session limit stays the default.
      { DATABASE_URL: databaseUrl(db), RUNTIME_DIR: runtimeDir, SEED_ORGANIZATION: DATA_SET, RATE_LIMIT_PER_IP: '100000' },
      FAULT === 'write-behind' ? [join(__dirname, 'write-behind-fault.js')] : [],
    );
  });
  afterAll(async () => {
    await server?.stop();
    // The server's own log, across its lives, for whoever reads a failure.
    mkdirSync('var', { recursive: true });
    writeFileSync(join('var', `soak-${kind}-server.log`), server?.log ?? '');
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.destroy();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write, loses and doubles nothing, through at least ${MIN_KILLS} SIGKILLs`, async () => {
    const began = Date.now();
    let deadline = began + SOAK_SECONDS * 1000;
    // First start: migrations, the demo data set, and this year's cycle with a report per unit.
    log(`first start in ${await server.start(Math.max(10_000, deadline - Date.now()))} ms`);
    dataSource = createDataSource(db.config);
    await dataSource.initialize();
    units = await chooseUnits(dataSource, UNITS);
    expect(units).toHaveLength(UNITS);

    let workDone = false;
    const person = (login: string, role: (user: SoakUser, unit: SoakUnit, ledger: Ledger) => Promise<void>, unit: SoakUnit) => async () => {
      const user = new SoakUser(server.baseUrl, `${login}.${unit.unitCode}@${DATA_SET}`, ledger, () => deadline);
      await user.signIn();
      await role(user, unit, ledger).catch((error: Error) => Promise.reject(new Error(`${login}.${unit.unitCode}: ${error.message}`)));
    };
    const work = Promise.all(units.flatMap((unit) => [person('staff', runStaff, unit)(), person('head', runHead, unit)()])).finally(() => (workDone = true));

    // The killer: after each start, once the users got a random few writes acknowledged (or 30 s
    // passed), at a random moment — until the work is done and MIN_KILLS reached. Counting writes,
    // not seconds, keeps the kills inside the work however slow the machine is. Two things keep the
    // work going between kills on a database that serves everyone side by side (MariaDB): a life lasts
    // until at least one step beyond a draft save (a submit, claim or review) was acknowledged — the
    // first writes after a start are everyone's first save at once, and counting them alone cut every
    // life before anyone's save, save, submit was through (0 submits in 12 lives; SQLite's one-writer
    // queue serves the first comers to the end) — and the random number of writes grows with each
    // kill, so the lives get longer and the work ends however slow the steps are (the engine's steps
    // run one at a time; on MariaDB they took 0.3–2 s each on a loaded machine).
    const acknowledged = () => ledger.saves.length + ledger.submits.length + ledger.claims.length + ledger.reviews.length;
    const steps = () => ledger.submits.length + ledger.claims.length + ledger.reviews.length;
    const killer = (async () => {
      while ((!workDone || server.kills < MIN_KILLS) && Date.now() < deadline) {
        const target = acknowledged() + 2 + Math.floor(Math.random() * 10 * (server.kills + 1));
        const stepsBefore = steps();
        const upSince = Date.now();
        while (!workDone && (acknowledged() < target || steps() === stepsBefore) && Date.now() - upSince < 30_000) await sleep(50);
        await sleep(Math.random() * 300);
        if (workDone && server.kills >= MIN_KILLS) break;
        await server.kill();
        const took = await server.start(Math.max(10_000, deadline - Date.now()));
        log(`killed (${server.kills}), up again in ${took} ms; ${ledger.saves.length} saves, ${ledger.reviews.length} reviews so far`);
      }
    })().catch((error) => {
      deadline = 0; // stop the users: the server did not come back
      throw error;
    });
    await Promise.all([work, killer]);

    // The approvals go on through the issue pipeline; wait until every report is issued.
    const reportIds = units.map((u) => u.reportId);
    while (Date.now() < deadline) {
      const rows: { n: number | string }[] = await dataSource.query(`SELECT COUNT(*) AS n FROM reports WHERE status = 'issued' AND id IN (${reportIds.join(',')})`);
      if (Number(rows[0].n) === reportIds.length) break;
      await sleep(500);
    }
    await server.stop();
    process.stdout.write(
      `soak [${kind}]: ${units.length} reports, ${units.length * 2} people, ${server.kills} SIGKILLs, ${ledger.saves.length} saves, ${ledger.submits.length} submits, ` +
        `${ledger.claims.length} claims, ${ledger.reviews.length} reviews acknowledged; ${ledger.unanswered} requests cut off, ${ledger.throttled} throttled; ${Math.round((Date.now() - began) / 1000)} s\n`,
    );

    expect(server.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    await checkEverything(dataSource, units, ledger, runtimeDir);
    // The bound plus time for the last start to be cut short, the checks and the clean stop.
  }, (SOAK_SECONDS + 240) * 1000);
});

/**
 * Units of the demo cycle whose report is not started, reviewed by the head alone (no division review),
 * with no units reporting to them: a consolidating unit drafts only once its consolidation has closed
 * the period, which nobody does here (the standing agency's staff waited for a draft task forever).
 */
async function chooseUnits(dataSource: DataSource, count: number): Promise<SoakUnit[]> {
  const rows: { id: number; code: string; name: string; year: number; period_start: string; period_end: string }[] = await dataSource.query(
    `SELECT r.id, u.code, u.name_with_type AS name, c.year, c.period_start, c.period_end
       FROM reports r JOIN units u ON u.id = r.unit_id JOIN cycles c ON c.id = r.cycle_id
      WHERE r.status = 'not-started' AND r.division_review = 0 AND u.data_set_id = '${DATA_SET}'
        AND NOT EXISTS (SELECT 1 FROM units below WHERE below.reports_to_id = u.id)
        AND EXISTS (SELECT 1 FROM people p WHERE p.login = ${dataSource.options.type === 'mysql' ? `CONCAT('staff.', u.code, '@${DATA_SET}')` : `'staff.' || u.code || '@${DATA_SET}'`})
        AND EXISTS (SELECT 1 FROM people p WHERE p.login = ${dataSource.options.type === 'mysql' ? `CONCAT('head.', u.code, '@${DATA_SET}')` : `'head.' || u.code || '@${DATA_SET}'`})
      ORDER BY r.id`,
  );
  // Spread over the list, so that districts, communes and departments all take part.
  const step = Math.max(1, Math.floor(rows.length / count));
  return rows
    .filter((_, i) => i % step === 0)
    .slice(0, count)
    .map((row, i) => ({
      reportId: Number(row.id),
      unitCode: row.code,
      unitName: row.name,
      year: Number(row.year),
      period: { start: row.period_start, end: row.period_end },
      returnFirst: i % 2 === 0,
    }));
}

async function checkEverything(dataSource: DataSource, units: SoakUnit[], ledger: Ledger, runtimeDir: string): Promise<void> {
  const ids = units.map((u) => u.reportId).join(',');
  const q = <T = any>(sql: string): Promise<T[]> => dataSource.query(sql);
  const problems: string[] = [];

  // Every report issued, exactly once.
  const reports = await q<{ id: number; status: string; current_version: number; approved_version: number | null; issued_document_id: string | null }>(
    `SELECT id, status, current_version, approved_version, issued_document_id FROM reports WHERE id IN (${ids})`,
  );
  for (const r of reports) if (r.status !== 'issued' || !r.issued_document_id) problems.push(`report ${r.id} ended ${r.status}, not issued`);

  // Every acknowledged draft save is recorded: the audit event with the digest of what was sent.
  const saved = await q<{ subject_id: string; after_digest: string }>(`SELECT subject_id, after_digest FROM audit_events WHERE action = 'report.draft-saved' AND subject_id IN (${units.map((u) => `'${u.reportId}'`).join(',')})`);
  const savedSet = new Set(saved.map((e) => `${e.subject_id}:${e.after_digest}`));
  for (const save of ledger.saves) if (!savedSet.has(`${save.reportId}:${save.digest}`)) problems.push(`acknowledged draft save of report ${save.reportId} (${save.digest.slice(0, 12)}) is not in the database`);

  // Versions: 1..n without gaps, each exactly a draft the server acknowledged; the approved one the last acknowledged save.
  const valuesColumn = dataSource.options.type === 'mysql' ? '`values`' : '"values"';
  const versions = await q<{ report_id: number; version_no: number; vals: string }>(`SELECT report_id, version_no, ${valuesColumn} AS vals FROM report_versions WHERE report_id IN (${ids}) ORDER BY report_id, version_no`);
  const acked = new Set(ledger.saves.map((s) => `${s.reportId}:${s.digest}`));
  for (const unit of units) {
    const mine = versions.filter((v) => Number(v.report_id) === unit.reportId);
    const numbers = mine.map((v) => Number(v.version_no));
    if (numbers.join(',') !== numbers.map((_, i) => i + 1).join(',')) problems.push(`report ${unit.reportId}: versions ${numbers.join(',')} are not 1..n`);
    for (const v of mine) {
      const digest = digestOf(JSON.parse(v.vals));
      if (!acked.has(`${unit.reportId}:${digest}`)) problems.push(`report ${unit.reportId} version ${v.version_no} holds a draft no save was acknowledged for`);
    }
    const lastSave = [...ledger.saves].reverse().find((s) => s.reportId === unit.reportId);
    const report = reports.find((r) => Number(r.id) === unit.reportId);
    const approved = mine.find((v) => Number(v.version_no) === Number(report?.approved_version));
    if (!approved || !lastSave || digestOf(JSON.parse(approved.vals)) !== lastSave.digest) problems.push(`report ${unit.reportId}: the approved version is not the last acknowledged draft`);
    const expectedVersions = unit.returnFirst ? 2 : 1;
    if (mine.length !== expectedVersions) problems.push(`report ${unit.reportId}: ${mine.length} versions, expected ${expectedVersions}`);
    if (ledger.submits.filter((s) => s.reportId === unit.reportId).length > mine.length) problems.push(`report ${unit.reportId}: more acknowledged submits than versions`);
  }

  // Reviews: every acknowledged one present with its decision; one per version.
  const reviews = await q<{ report_id: number; version_no: number; decision: string }>(`SELECT report_id, version_no, decision FROM report_reviews WHERE report_id IN (${ids})`);
  for (const review of ledger.reviews) {
    if (!reviews.some((r) => Number(r.report_id) === review.reportId && Number(r.version_no) === review.versionNo && r.decision === review.decision)) problems.push(`acknowledged review of report ${review.reportId} v${review.versionNo} (${review.decision}) is missing`);
  }
  const reviewKeys = reviews.map((r) => `${r.report_id}:${r.version_no}`);
  if (new Set(reviewKeys).size !== reviewKeys.length) problems.push('a version was reviewed twice');
  if (reviews.length !== versions.length) problems.push(`${reviews.length} reviews for ${versions.length} versions`);

  // Claims: the task is held by whoever was told they had it.
  const claimed = ledger.claims.length === 0 ? [] : await q<{ task_key: string; assignee: string | null }>(`SELECT task_key, assignee FROM inbox_tasks WHERE task_key IN (${ledger.claims.map((c) => `'${c.taskKey}'`).join(',')})`);
  for (const claim of ledger.claims) {
    const task = claimed.find((t) => t.task_key === claim.taskKey);
    if (!task || task.assignee !== claim.login) problems.push(`acknowledged claim of task ${claim.taskKey} by ${claim.login}: the task is ${task ? `held by ${task.assignee}` : 'missing'}`);
  }

  // Tasks: none lost, none doubled — per report, one completed draft task per version, one completed review task per review, nothing left open.
  const tasks = await q<{ subject: string; element_id: string; state: string; n: number }>(
    `SELECT subject, element_id, state, COUNT(*) AS n FROM inbox_tasks WHERE subject IN (${units.map((u) => `'report:${u.reportId}'`).join(',')}) GROUP BY subject, element_id, state`,
  );
  for (const unit of units) {
    const count = (element: string, state: string) => Number(tasks.find((t) => t.subject === `report:${unit.reportId}` && t.element_id === element && t.state === state)?.n ?? 0);
    const versionsOf = versions.filter((v) => Number(v.report_id) === unit.reportId).length;
    if (count('draft-report', 'completed') !== versionsOf) problems.push(`report ${unit.reportId}: ${count('draft-report', 'completed')} completed draft tasks for ${versionsOf} versions`);
    if (count('head-review', 'completed') !== versionsOf) problems.push(`report ${unit.reportId}: ${count('head-review', 'completed')} completed review tasks for ${versionsOf} versions`);
    for (const t of tasks.filter((t) => t.subject === `report:${unit.reportId}` && t.state === 'open')) problems.push(`report ${unit.reportId}: ${t.n} open ${t.element_id} task(s) left`);
  }
  const engineOpen = await q<{ n: number }>(`SELECT COUNT(*) AS n FROM wf_user_tasks t JOIN reports r ON r.process_instance_key = t.instance_id WHERE r.id IN (${ids}) AND t.state <> 'completed' AND t.state <> 'cancelled'`).catch(() => [{ n: 0 }]);
  if (Number(engineOpen[0].n) !== 0) problems.push(`${engineOpen[0].n} user tasks still open in the engine for issued reports`);

  // Documents: one per report, numbers gap-free in every series, each counter at its last number.
  const issued = await q<{ id: string; unit_id: number; year: number; register: string; number: number | null }>(`SELECT d.id, d.unit_id, d.year, d.register, d.number FROM issued_documents d WHERE d.id IN (SELECT issued_document_id FROM reports WHERE id IN (${ids}))`);
  if (issued.length !== units.length) problems.push(`${issued.length} issued documents for ${units.length} reports`);
  const all = await q<{ unit_id: number; year: number; register: string; number: number }>('SELECT unit_id, year, register, number FROM issued_documents WHERE number IS NOT NULL ORDER BY unit_id, year, register, number');
  const series = new Map<string, number[]>();
  for (const d of all) series.set(`${d.unit_id}/${d.year}/${d.register}`, [...(series.get(`${d.unit_id}/${d.year}/${d.register}`) ?? []), Number(d.number)]);
  const counters = await q<{ unit_id: number; year: number; register: string; last_number: number }>('SELECT unit_id, year, register, last_number FROM document_number_counters');
  for (const [key, numbers] of series) {
    if (numbers.join(',') !== numbers.map((_, i) => i + 1).join(',')) problems.push(`document numbers of series ${key} are ${numbers.join(',')}: not 1..n`);
    const counter = counters.find((c) => `${c.unit_id}/${c.year}/${c.register}` === key);
    if (Number(counter?.last_number) !== numbers.length) problems.push(`series ${key}: counter at ${counter?.last_number}, ${numbers.length} numbers issued`);
  }

  // The audit chain, and the audit events of the report work matching the rows.
  const audit = await new AuditTrail(dataSource, new SystemClock(), new AuditHasher()).verify();
  if (!audit.intact) problems.push(`audit chain broken at event ${audit.firstBroken.seq}: ${audit.firstBroken.reason}`);
  const submittedEvents = await q<{ n: number }>(`SELECT COUNT(*) AS n FROM audit_events WHERE action = 'report.submitted' AND subject_id IN (${units.map((u) => `'${u.reportId}'`).join(',')})`);
  if (Number(submittedEvents[0].n) !== versions.length) problems.push(`${submittedEvents[0].n} report.submitted events for ${versions.length} versions`);

  // Every stored PDF matches its SHA-256.
  const store = await new StoreVerifier(dataSource, new FilesystemDocumentStore(join(runtimeDir, 'documents'))).verify();
  for (const m of store.mismatches) problems.push(`stored document ${m.symbol ?? m.documentId}: ${m.problem}`);
  if (store.checked < units.length) problems.push(`only ${store.checked} stored documents checked`);

  expect(problems).toEqual([]);
}
