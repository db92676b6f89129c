import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/database/data-source-options';
import { DEMO_PASSWORD } from '../../../src/organization/import/demo-people';
import { formForYear } from '../../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../../src/reports/form/generate-report-values';
import { SmtpSink } from '../../notifications/smtp-sink';
import { ServerProcess, freePort } from '../../soak/soak-server';
import { ApiClient, ApiResponse } from '../../support/http-app';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../../support/test-databases';

/**
 * Scale-out on the zeebe engine (issue #12): two real application processes (`iso-cycle serve`,
 * each in its own OS process with its own runtime folder) on ONE MariaDB database, behind an
 * imaginary load balancer, against the Camunda REST stand-in running as a server in a process of its
 * own (its own engine, database and real clock, like a cluster). Started together (they take turns
 * through the start-up lock: one migration, one seed, one opening). A person's requests alternate
 * between the two processes as a load balancer without stickiness would send them.
 *
 * Checked: every report process started once; the flow completes with each report issued once and
 * every number series gap-free without duplicates; the inbox seen from both processes is the same;
 * the mail outbox's sender is one process (the `mail-outbox` lease holder) — killed with SIGKILL, the
 * other takes the lease over after it expired and sends what follows — and every mail reaches the
 * SMTP server exactly once. The SMTP server answers each message 4 s late (a slow relay) so that a
 * second sender would overlap with the first.
 *
 * SCALE_OUT_GUARDS_OFF=1 preloads a test-only switch into the application processes (leases always
 * "held", mails sent without being taken, support/scheduler-guards-off.js): the last step's mails are
 * then sent twice and this test must go red. Without the variable the test also runs that step
 * with the switch and asserts that the duplicate does appear (the guard is what prevents it).
 *
 * Last, the embedded engine still refuses a second process on one database: `serve` with
 * WORKFLOW_ENGINE=embedded on the stand-in's database (whose embedded engine holds the lock) exits
 * non-zero naming the lock (test/workflow/embedded/engine-lock.spec.ts tests the lock itself).
 */
const DATA_SET = 'tiny-2021';
const TINY = join(__dirname, '..', '..', 'fixtures', 'organizations', 'tiny-2021.json');
const ROOT = join(__dirname, '..', '..', '..');
const REGISTER_TS = join(ROOT, 'scripts', 'register-typescript.js');
const GUARDS_OFF = join(__dirname, 'support', 'scheduler-guards-off.js');
const LEASE_SECONDS = 6;
const SMTP_DELAY_MS = 4_000;
const FORCE_RED = process.env.SCALE_OUT_GUARDS_OFF === '1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (line: string) => process.stderr.write(`scale-out: ${line}\n`);

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

/** The Camunda REST stand-in in its own process. */
class StubProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly address: string,
  ) {}

  static async start(databaseUrl: string): Promise<StubProcess> {
    const child = spawn(process.execPath, ['-r', REGISTER_TS, join(__dirname, 'support', 'camunda-rest-stub-server.ts'), databaseUrl], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const address = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line).address));
      child.once('exit', (code) => reject(new Error(`the Camunda stub exited with ${code} before listening`)));
    });
    child.stdout!.resume();
    return new StubProcess(child, address);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** A person at a browser whose requests the load balancer sends to either process; the session cookie works on both. */
class Person {
  readonly client: ApiClient;

  constructor(readonly login: string) {
    this.client = new ApiClient('http://unused');
  }

  /** One request to the given process. */
  async on(server: ServerProcess, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const client = Object.assign(new ApiClient(server.baseUrl), { cookie: this.client.cookie, csrfToken: this.client.csrfToken });
    const response = method === 'LOGIN' ? await client.login(this.login, DEMO_PASSWORD) : await client.request(method, path, body === undefined ? {} : { body });
    this.client.cookie = client.cookie;
    this.client.csrfToken = client.csrfToken;
    return response;
  }

  async ok(server: ServerProcess, method: string, path: string, body?: unknown): Promise<any> {
    const response = await this.on(server, method, path, body);
    if (response.status < 200 || response.status >= 300) throw new Error(`${this.login}: ${method} ${path} on :${server.port} answered ${response.status} ${JSON.stringify(response.body).slice(0, 400)}`);
    return response.body;
  }

  /** Waits until this person's inbox (read on `server`) offers the task, and returns it. */
  task(server: ServerProcess, elementId: string, reportId: number): Promise<{ taskKey: string; assignee: string | null }> {
    return until(`${elementId} of report ${reportId} in ${this.login}'s inbox`, async () => {
      const inbox: { taskKey: string; elementId: string; subject: string; assignee: string | null }[] = await this.ok(server, 'GET', '/api/inbox');
      return inbox.find((t) => t.elementId === elementId && t.subject === `report:${reportId}`);
    });
  }
}

interface Unit {
  reportId: number;
  code: string;
  name: string;
  year: number;
  period: { start: string; end: string };
}

const describeMariadb = TEST_DATABASE_KINDS.includes('mariadb') ? describe : describe.skip;

describeMariadb('scale-out: two application processes on one MariaDB database and the zeebe engine [mariadb]', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let sink: SmtpSink;
  let stub: StubProcess;
  let stubDir: string;
  const runtimeDirs: string[] = [];
  const servers: ServerProcess[] = [];

  const databaseUrl = () => `mysql://${db.config.username}${db.config.password ? `:${encodeURIComponent(db.config.password)}` : ''}@${db.config.host}:${db.config.port}/${db.config.database}`;
  const q = async <T>(sql: string): Promise<T[]> => dataSource.query(sql);

  async function newServer(preload: string[] = []): Promise<ServerProcess> {
    const runtimeDir = mkdtempSync(join(tmpdir(), 'iso-cycle-scale-'));
    runtimeDirs.push(runtimeDir);
    const server = new ServerProcess(
      await freePort(),
      {
        DATABASE_URL: databaseUrl(), WORKFLOW_ENGINE: 'zeebe', ZEEBE_REST_ADDRESS: stub.address, RUNTIME_DIR: runtimeDir,
        // Documents in the database: nothing an instance needs is on its own disk.
        DOCUMENT_STORE: 'database', SEED_ORGANIZATION: TINY, SCHEDULER_LEASE_SECONDS: String(LEASE_SECONDS),
        MAIL_TRANSPORT: 'smtp', SMTP_URL: sink.url, MAIL_FROM: 'iso-cycle <no-reply@iso-cycle.invalid>', RATE_LIMIT_PER_IP: '100000',
      },
      preload,
    );
    servers.push(server);
    return server;
  }

  /** Every mail the SMTP server received, by Message-ID. */
  function receivedByMessageId(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const mail of sink.received()) {
      const id = /^Message-ID:\s*(\S+)/im.exec(mail.raw.toString('utf8'))?.[1] ?? '(none)';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  }

  /** Waits until the outbox has nothing pending; then what it holds and what the SMTP server received. */
  async function drainedOutbox() {
    await until('the mail outbox to drain', async () => Number((await q<{ n: string }>("SELECT COUNT(*) AS n FROM mail_outbox WHERE status = 'pending'"))[0].n) === 0, 120_000);
    // A second sender would still be in its (slow) SMTP exchange: give it time to land.
    await sleep(SMTP_DELAY_MS + 1_000);
    const rows = await q<{ message_id: string; status: string }>('SELECT message_id, status FROM mail_outbox ORDER BY id');
    const received = receivedByMessageId();
    return { rows, received, duplicates: [...received].filter(([, n]) => n > 1) };
  }

  /** Every outbox row sent, and received exactly once. */
  async function expectEachMailSentOnce(): Promise<number> {
    const { rows, received, duplicates } = await drainedOutbox();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.filter((r) => r.status !== 'sent')).toEqual([]);
    expect(duplicates).toEqual([]);
    expect(new Set(rows.map((r) => r.message_id))).toEqual(new Set(received.keys()));
    return rows.length;
  }

  /** Each report issued once; every number series gap-free from 1, without duplicates. */
  async function expectNumbersConsecutive(reportIds: number[]): Promise<void> {
    const issued = await q<{ id: number; issued_document_id: string; state: string }>(`SELECT r.id, r.issued_document_id, d.state FROM reports r JOIN issued_documents d ON d.id = r.issued_document_id WHERE r.id IN (${reportIds.join(',')})`);
    expect(issued.map((r) => Number(r.id)).sort()).toEqual([...reportIds].sort());
    // Outgoing numbers are the documents'; incoming numbers, the receiving units' registers.
    const docs = await q<{ unit_id: number; year: number; register: string; number: number }>(
      `SELECT unit_id, year, register, number FROM issued_documents WHERE number IS NOT NULL
       UNION ALL SELECT unit_id, year, 'incoming', incoming_number FROM incoming_register_entries ORDER BY unit_id, year, register, number`,
    );
    const series = new Map<string, number[]>();
    for (const d of docs) series.set(`${d.unit_id}/${d.year}/${d.register}`, [...(series.get(`${d.unit_id}/${d.year}/${d.register}`) ?? []), Number(d.number)]);
    for (const [key, numbers] of series) expect({ key, numbers }).toEqual({ key, numbers: numbers.map((_, i) => i + 1) });
    const counters = await q<{ unit_id: number; year: number; register: string; last_number: number }>('SELECT unit_id, year, register, last_number FROM document_number_counters');
    for (const c of counters) expect({ c: `${c.unit_id}/${c.year}/${c.register}`, last: Number(c.last_number) }).toEqual({ c: `${c.unit_id}/${c.year}/${c.register}`, last: series.get(`${c.unit_id}/${c.year}/${c.register}`)?.length ?? 0 });
  }

  const holderPid = async (): Promise<number | null> => {
    const [row] = await q<{ holder: string; expires_at: Date }>("SELECT holder, expires_at FROM scheduler_leases WHERE name = 'mail-outbox'");
    return row && new Date(row.expires_at).getTime() > Date.now() ? Number(row.holder.split(':')[1]) : null;
  };

  /** Staff and head of `unit` take its report from draft to approval, every step on the next process in `route`. */
  async function reportFlow(unit: Unit, route: ServerProcess[], options: { returnFirst: boolean }): Promise<void> {
    let hop = 0;
    const next = () => route[hop++ % route.length];
    const staff = new Person(`staff.${unit.code}@${DATA_SET}`);
    const head = new Person(`head.${unit.code}@${DATA_SET}`);
    await staff.ok(next(), 'LOGIN', '');
    await head.ok(next(), 'LOGIN', '');
    const values = generateReportValues(formForYear(unit.year), seededRandom(unit.reportId), unit.period, unit.name);
    for (let round = 1; round <= (options.returnFirst ? 2 : 1); round++) {
      await staff.task(next(), 'draft-report', unit.reportId);
      values.figures.training.courses = round;
      await staff.ok(next(), 'PUT', `/api/reports/${unit.reportId}/draft`, values);
      await staff.ok(next(), 'POST', `/api/reports/${unit.reportId}/submit`);
      const review = await head.task(next(), 'head-review', unit.reportId);
      if (review.assignee !== head.login) await head.ok(next(), 'POST', `/api/tasks/${review.taskKey}/claim`);
      const decision = options.returnFirst && round === 1 ? { decision: 'returned', comment: 'Đề nghị bổ sung số liệu đào tạo' } : { decision: 'approved' };
      await head.ok(next(), 'POST', `/api/reports/${unit.reportId}/review`, decision);
    }
    await until(`report ${unit.reportId} issued`, async () => (await staff.ok(next(), 'GET', `/api/reports/${unit.reportId}`)).report.status === 'issued', 120_000);
  }

  beforeAll(async () => {
    db = await createTestDatabase('mariadb');
    dataSource = createDataSource(db.config);
    sink = await SmtpSink.start(SMTP_DELAY_MS);
    stubDir = mkdtempSync(join(tmpdir(), 'iso-cycle-camunda-stub-'));
    stub = await StubProcess.start(`sqlite:${join(stubDir, 'camunda.sqlite')}`);
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    await stub?.stop();
    await sink?.stop();
    if (dataSource?.isInitialized) await dataSource.destroy();
    await db?.destroy();
    for (const dir of [...runtimeDirs, stubDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('runs the flow through either process, sends each mail once, hands the sender over after a SIGKILL, and goes red without its guards', async () => {
    const began = Date.now();
    // Started together, as an orchestrator starts replicas: one migrates, seeds and opens the demo cycle; the other waits its turn.
    let a = await newServer(FORCE_RED ? [GUARDS_OFF] : []);
    let b = await newServer(FORCE_RED ? [GUARDS_OFF] : []);
    const took = await Promise.all([a.start(180_000), b.start(180_000)]);
    log(`both up in ${took.join(' and ')} ms`);
    await dataSource.initialize();

    expect(await q('SELECT id FROM data_sets')).toHaveLength(1);
    expect(await q('SELECT id FROM cycles')).toHaveLength(1);
    const [{ n: migrations }] = await q<{ n: string }>('SELECT COUNT(*) AS n FROM schema_migrations');
    expect(Number(migrations)).toBe((await q('SELECT DISTINCT name FROM schema_migrations')).length);
    // One report process per report: neither process started the units' processes a second time.
    const reports = await q<{ id: number; process_instance_key: string; deadline_watch_key: string }>('SELECT id, process_instance_key, deadline_watch_key FROM reports');
    expect(reports.length).toBeGreaterThan(0);
    expect(reports.every((r) => r.process_instance_key && r.deadline_watch_key)).toBe(true);
    const stubDb = spawnSync('sqlite3', [join(stubDir, 'camunda.sqlite'), "SELECT bpmn_process_id || '=' || COUNT(*) FROM wf_instances GROUP BY bpmn_process_id"], { encoding: 'utf8' });
    expect(stubDb.status).toBe(0);
    const counts = Object.fromEntries(stubDb.stdout.trim().split('\n').map((line) => line.split('=')));
    expect({ reports: Number(counts['unit-report']), watches: Number(counts['report-deadline']) }).toEqual({ reports: reports.length, watches: reports.length });
    expect(Number(counts.consolidation)).toBe((await q('SELECT id FROM consolidations')).length);

    // Units that consolidate others report after their consolidation: the flow takes units without units below.
    const units = await q<{ id: number; code: string; name: string; year: number; period_start: string; period_end: string }>(
      `SELECT r.id, u.code, u.name_with_type AS name, c.year, c.period_start, c.period_end FROM reports r JOIN units u ON u.id = r.unit_id JOIN cycles c ON c.id = r.cycle_id
        WHERE r.division_review = 0 AND NOT EXISTS (SELECT 1 FROM units below WHERE below.reports_to_id = u.id) AND EXISTS (SELECT 1 FROM people p WHERE p.login = CONCAT('head.', u.code, '@${DATA_SET}')) ORDER BY r.id`,
    );
    const unit = (i: number): Unit => ({ reportId: Number(units[i].id), code: units[i].code, name: units[i].name, year: Number(units[i].year), period: { start: units[i].period_start, end: units[i].period_end } });
    expect(units.length).toBeGreaterThanOrEqual(4);

    // Two reports at once, every request on the other process than the last; the first is returned once.
    await Promise.all([reportFlow(unit(0), [a, b], { returnFirst: true }), reportFlow(unit(1), [b, a], { returnFirst: false })]);
    await expectNumbersConsecutive([unit(0).reportId, unit(1).reportId]);

    // The inbox is one projection in the database: the same seen from either process.
    const head = new Person(`head.${unit(2).code}@${DATA_SET}`);
    await head.ok(a, 'LOGIN', '');
    await sleep(3_000); // past an event sync interval
    expect(await head.ok(a, 'GET', '/api/inbox')).toEqual(await head.ok(b, 'GET', '/api/inbox'));

    if (!FORCE_RED) {
      const mails = await expectEachMailSentOnce();
      log(`${mails} mails sent once each`);

      // The sender is one process; SIGKILL it and the other takes the lease over once it expired.
      const holder = await until('a holder of the mail-outbox lease', holderPid);
      expect([a.pid, b.pid]).toContain(holder);
      const [victim, survivor] = holder === a.pid ? [a, b] : [b, a];
      const killedAt = Date.now();
      await victim.kill();
      // Dead: nothing renews it any more; this is when it runs out.
      const [{ expires_at: runsOut }] = await q<{ expires_at: Date }>("SELECT expires_at FROM scheduler_leases WHERE name = 'mail-outbox'");
      const next = await until('the lease taken over', async () => {
        const pid = await holderPid();
        return pid === survivor.pid ? pid : null;
      }, (LEASE_SECONDS + 15) * 1000);
      log(`lease passed from ${holder} to ${next} ${Date.now() - killedAt} ms after the SIGKILL (lease ${LEASE_SECONDS} s)`);
      // Taken over only once it had run out, not before.
      const [{ acquired_at: takenAt }] = await q<{ acquired_at: Date }>("SELECT acquired_at FROM scheduler_leases WHERE name = 'mail-outbox'");
      expect(new Date(takenAt).getTime()).toBeGreaterThanOrEqual(new Date(runsOut).getTime());

      // The killed one comes back (a replica restarted); a third report goes through both, its mails sent once.
      const restarted = await newServer();
      log(`restarted in ${await restarted.start(180_000)} ms`);
      await reportFlow(unit(2), [survivor, restarted], { returnFirst: true });
      await expectNumbersConsecutive([unit(0).reportId, unit(1).reportId, unit(2).reportId]);
      log(`${await expectEachMailSentOnce()} mails sent once each, after the hand-over`);
      expect(await holderPid()).toBe(survivor.pid);
      // Neither the projection (both processes sync the same tasks) nor the sender complained.
      for (const server of [a, b, restarted]) expect(server.log).not.toMatch(/inbox projection:|outbox dispatch failed|lease \S+ not (renewed|released)/);

      // The same step without the guards: the duplicate must appear.
      await survivor.stop();
      await restarted.stop();
      a = await newServer([GUARDS_OFF]);
      b = await newServer([GUARDS_OFF]);
      await Promise.all([a.start(180_000), b.start(180_000)]);
      const before = sink.received().length;
      await reportFlow(unit(3), [a, b], { returnFirst: true });
      const { duplicates } = await drainedOutbox();
      log(`without the guards: ${sink.received().length - before} messages received, ${duplicates.length} of them sent more than once`);
      // The check above (expectEachMailSentOnce) would be red now: the guard is what kept it green.
      expect(duplicates.length).toBeGreaterThan(0);
      log(`${Math.round((Date.now() - began) / 1000)} s in all`);
    } else {
      // SCALE_OUT_GUARDS_OFF=1: the ordinary check, which must fail.
      await expectEachMailSentOnce();
    }
  }, 1_200_000);

  it('the embedded engine still refuses a second process on one database', async () => {
    const port = String(await freePort());
    // The stand-in's own embedded engine holds the engine lock of its database.
    const result = spawnSync(process.execPath, ['-r', REGISTER_TS, join(ROOT, 'src', 'main.ts'), 'serve'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: `sqlite:${join(stubDir, 'camunda.sqlite')}`, WORKFLOW_ENGINE: 'embedded', SEED_ORGANIZATION: TINY, RUNTIME_DIR: stubDir, PORT: port, LOG_FORMAT: 'pretty' },
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.status).not.toBeNull();
    expect(`${result.stderr}${result.stdout}`).toMatch(/Another embedded workflow engine is running against this database \(holder [^)]+\)/);
  }, 240_000);
});
