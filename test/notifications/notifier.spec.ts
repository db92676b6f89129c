import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test, TestingModule } from '@nestjs/testing';
import { simpleParser } from 'mailparser';
import { DataSource, In } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { AppRuntime } from '../../src/app-runtime.service';
import { AppConfig } from '../../src/config/app-config';
import { loadAppConfig } from '../../src/config/load-app-config';
import { MigrationService } from '../../src/database/migration.service';
import { writeTransaction } from '../../src/database/write-transaction';
import { OutgoingMailEntity } from '../../src/notifications/mail-outbox.entity';
import { MailOutboxDispatcher, OUTBOX_LEASE_MS } from '../../src/notifications/mail-outbox-dispatcher';
import { NotificationEntity } from '../../src/notifications/notification.entity';
import { NotificationRequest, Notifier } from '../../src/notifications/notifier';
import { DataSetImporter } from '../../src/organization/import/data-set-importer.service';
import { PersonEntity } from '../../src/organization/person.entity';
import { Role } from '../../src/organization/roles';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../support/test-databases';
import { ReceivedMail, SmtpSink } from './smtp-sink';

/**
 * The Notifier and the mail outbox on a real database, sending to a real SMTP server in another
 * process (smtp-server, see smtp-sink-process.js), under a controlled clock. Two application instances in
 * turn on one database stand for a restart.
 *
 * The dedupe guard against racing calls is the unique index on (dedupe_key, person_id):
 * NOTIFY_DEDUPE_INDEX_OFF=1 drops both indexes before the race, and the race test goes red on
 * MariaDB (SQLite runs one write transaction at a time, so its calls cannot race).
 */
const DATA_SET = 'quang-ngai-2025';
const FROM = 'Sở KH&CN Quảng Ngãi <iso@skhcn.quangngai.gov.vn>';

async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The text part as sent: the transfer encoding undone by hand (no mail library), line ends back to \n. */
function decodedBody(mail: ReceivedMail): string {
  const raw = mail.raw.toString('latin1');
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  // SMTP's DATA ends on a line break of its own, not part of the text.
  const body = raw.slice(split + 4).replace(/\r\n$/, '');
  const encoding = /^Content-Transfer-Encoding: (.+)$/im.exec(headers)?.[1].trim().toLowerCase();
  let bytes: Buffer;
  if (encoding === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else if (encoding === 'quoted-printable') {
    const unfolded = body.replace(/=\r\n/g, '');
    const out: number[] = [];
    for (let i = 0; i < unfolded.length; i++) {
      if (unfolded[i] === '=' && /^[0-9A-F]{2}$/i.test(unfolded.slice(i + 1, i + 3))) {
        out.push(parseInt(unfolded.slice(i + 1, i + 3), 16));
        i += 2;
      } else out.push(unfolded.charCodeAt(i));
    }
    bytes = Buffer.from(out);
  } else bytes = Buffer.from(body, 'latin1');
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/\r\n/g, '\n');
}

describe.each(TEST_DATABASE_KINDS)('notifications and their e-mail [%s]', (kind) => {
  let db: TestDatabase;
  let sink: SmtpSink;
  let config: AppConfig;
  let runtimeDir: string;
  let app: TestingModule;
  let dataSource: DataSource;
  const clock = new ControlledClock('2026-11-10T01:00:00Z');

  const boot = async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ config, clock })] }).compile();
    moduleRef.useLogger(['error']);
    await moduleRef.init();
    return moduleRef;
  };
  const person = (login: string) => dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `${login}@${DATA_SET}` });
  const unit = (code: string) => dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });
  const rows = (dedupeKey: string) => dataSource.getRepository(NotificationEntity).find({ where: { dedupeKey }, order: { personId: 'ASC' } });
  const mails = (dedupeKey: string) => dataSource.getRepository(OutgoingMailEntity).find({ where: { dedupeKey }, order: { personId: 'ASC' } });
  const notifier = () => app.get(Notifier);
  const dispatcher = () => app.get(MailOutboxDispatcher);
  const headerOf = (mail: ReceivedMail, name: string) => new RegExp(`^${name}: (.*)$`, 'mi').exec(mail.raw.toString('latin1'))?.[1].trim();

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    sink = await SmtpSink.start();
    runtimeDir = mkdtempSync(join(tmpdir(), 'iso-cycle-runtime-'));
    const base = loadAppConfig({});
    config = { ...base, runtimeDir, database: db.config, mail: { transport: 'smtp', smtpUrl: sink.url, smtpDisplayUrl: sink.url, from: FROM } };
    app = await boot();
    await app.get(MigrationService).migrateUp();
    await app.get(DataSetImporter).importDataSet(DATA_SET);
    dataSource = app.get(DataSource);
  });
  afterAll(async () => {
    await app?.close();
    await sink?.stop();
    await db?.destroy();
    rmSync(runtimeDir, { recursive: true, force: true });
  });

  const request = (dedupeKey: string, recipients: NotificationRequest['recipients']): NotificationRequest => ({
    recipients,
    kind: 'deadline.reminder',
    title: 'Nhắc hạn nộp báo cáo ISO năm 2026 của UBND xã Tịnh Khê',
    body: 'Còn 3 ngày làm việc đến hạn nộp báo cáo (23 giờ 59 phút ngày 14/11/2026).\nĐề nghị đồng chí khẩn trương hoàn thành.',
    link: '/reports/1',
    unitId: 1,
    dedupeKey,
  });

  it('tells each person holding the roles once, e-mails those with an address, and writes nothing when the caller rolls back', async () => {
    const commune = await unit('21172');
    const deputy = await person('deputy.21172');
    await dataSource.getRepository(PersonEntity).update({ id: deputy.id }, { email: null });
    const clerk = await person('clerk.21172');
    await dataSource.getRepository(PersonEntity).update({ id: clerk.id }, { active: false });
    const agencyHead = await person('head.skhcn');
    const staff = await person('staff.21172');

    const count = await notifier().notify(request('t1', { personIds: [agencyHead.id, staff.id], unitRoles: [{ unitId: commune.id, roles: [Role.Staff, Role.Head, Role.Deputy, Role.Clerk] }] }));
    const head = await person('head.21172');
    const expected = [staff.id, head.id, deputy.id, agencyHead.id].sort((a, b) => a - b);
    expect(count).toBe(4);
    expect((await rows('t1')).map((r) => r.personId)).toEqual(expected);
    expect((await mails('t1')).map((m) => [m.personId, m.toAddress, m.status])).toEqual(
      expected.filter((id) => id !== deputy.id).map((id) => [id, id === staff.id ? 'staff.21172@quang-ngai-2025.invalid' : id === head.id ? 'head.21172@quang-ngai-2025.invalid' : 'head.skhcn@quang-ngai-2025.invalid', 'pending']),
    );

    await expect(
      writeTransaction(dataSource, async (manager) => {
        expect(await notifier().notify(request('t1-rolled-back', { personIds: [staff.id] }), manager)).toBe(1);
        throw new Error('the caller fails after notifying');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await rows('t1-rolled-back')).toEqual([]);
    expect(await mails('t1-rolled-back')).toEqual([]);

    await expect(notifier().notify(request('t1-bad', { personIds: [2147483000] }))).rejects.toThrow(/no person with id 2147483000/);
    await expect(notifier().notify({ ...request('t1-bad', { personIds: [staff.id] }), kind: 'Nhắc hạn' })).rejects.toThrow(/kind "Nhắc hạn" must be dotted lower case/);
    expect(await rows('t1-bad')).toEqual([]);
  });

  it('notifies nobody twice for one dedupe key: repeated, in a retried transaction, or racing', async () => {
    const commune = await unit('21025');
    const recipients = { unitRoles: [{ unitId: commune.id, roles: [Role.Staff, Role.Head] }] };
    expect(await notifier().notify(request('t2', recipients))).toBe(2);
    expect(await notifier().notify(request('t2', recipients))).toBe(0);
    expect(await writeTransaction(dataSource, (m) => notifier().notify(request('t2', recipients), m))).toBe(0);
    expect(await rows('t2')).toHaveLength(2);
    expect(await mails('t2')).toHaveLength(2);

    if (process.env.NOTIFY_DEDUPE_INDEX_OFF === '1') {
      const runner = dataSource.createQueryRunner();
      await runner.dropIndex('notifications', 'ux_notifications_dedupe');
      await runner.dropIndex('mail_outbox', 'ux_mail_outbox_dedupe');
      await runner.release();
    }
    const racing = { unitRoles: [{ unitId: commune.id, roles: [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk] }] };
    await Promise.all(Array.from({ length: 6 }, () => notifier().notify(request('t2-race', racing))));
    const raced = await rows('t2-race');
    expect(raced).toHaveLength(5);
    expect(new Set(raced.map((r) => r.personId)).size).toBe(5);
    expect(await mails('t2-race')).toHaveLength(5);
  });

  it('delivers every pending e-mail to the SMTP server after commit, Vietnamese subject, body and sender intact byte for byte', async () => {
    const before = sink.received().length;
    const pending = await dataSource.getRepository(OutgoingMailEntity).countBy({ status: 'pending' });
    expect(await dispatcher().dispatchDue()).toEqual({ sent: pending, retrying: 0, failed: 0 });
    const received = (await sink.waitFor(before + pending)).slice(before);
    expect(received).toHaveLength(pending);

    const staff = await person('staff.21172');
    const outgoing = (await mails('t1')).find((m) => m.personId === staff.id)!;
    expect(outgoing).toMatchObject({ status: 'sent', transport: 'smtp', attempts: 1, lastError: null });
    const mail = received.find((m) => m.envelope.to.includes('staff.21172@quang-ngai-2025.invalid'))!;
    expect(mail.envelope).toEqual({ from: 'iso@skhcn.quangngai.gov.vn', to: ['staff.21172@quang-ngai-2025.invalid'] });
    // The wire is 7-bit clean: Vietnamese travels encoded (RFC 2047 in headers, a transfer encoding in the body).
    expect([...mail.raw].every((byte) => byte < 0x80)).toBe(true);
    expect(headerOf(mail, 'Subject')).toMatch(/^=\?UTF-8\?[QB]\?/i);
    expect(mail.raw.toString('latin1')).toMatch(/Content-Type: text\/plain; charset=utf-8/i);
    expect(headerOf(mail, 'Message-ID')).toBe(outgoing.messageId);

    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('Nhắc hạn nộp báo cáo ISO năm 2026 của UBND xã Tịnh Khê');
    expect(parsed.from?.value).toEqual([{ name: 'Sở KH&CN Quảng Ngãi', address: 'iso@skhcn.quangngai.gov.vn' }]);
    expect(decodedBody(mail)).toBe(outgoing.body);
    expect(outgoing.body).toBe(
      'Còn 3 ngày làm việc đến hạn nộp báo cáo (23 giờ 59 phút ngày 14/11/2026).\nĐề nghị đồng chí khẩn trương hoàn thành.\n\nXem và xử lý: /reports/1\n\n—\nThư gửi tự động từ hệ thống theo dõi báo cáo ISO (iso-cycle); xin không trả lời thư này.',
    );
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');

    expect(await dispatcher().dispatchDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sink.received()).toHaveLength(before + pending);
  });

  it('sends nothing for a caller that has not committed, and nothing at all when it rolls back', async () => {
    const staff = await person('staff.21172');
    const before = sink.received().length;
    let notified!: () => void;
    let release!: () => void;
    const written = new Promise<void>((r) => (notified = r));
    const gate = new Promise<void>((r) => (release = r));
    const caller = writeTransaction(dataSource, async (manager) => {
      await notifier().notify(request('t3-uncommitted', { personIds: [staff.id] }), manager);
      notified();
      await gate;
      throw new Error('the caller fails after notifying');
    });
    await written;
    // From outside the caller's transaction, while it is open (on SQLite the dispatcher's claim waits for it).
    const dispatching = dispatcher().dispatchDue();
    await new Promise((r) => setTimeout(r, 300));
    release();
    await expect(caller).rejects.toThrow('the caller fails');
    expect(await dispatching).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(await mails('t3-uncommitted')).toEqual([]);
    expect(sink.received()).toHaveLength(before);
  });

  it('retries a temporary refusal after a backoff, and records a permanent refusal as failed without retrying', async () => {
    const [tempfail, refused] = [await person('staff.21211'), await person('head.21211')];
    await dataSource.getRepository(PersonEntity).update({ id: tempfail.id }, { email: 'tempfail.21211@quang-ngai-2025.invalid' });
    await dataSource.getRepository(PersonEntity).update({ id: refused.id }, { email: 'refused.21211@quang-ngai-2025.invalid' });
    await notifier().notify(request('t4', { personIds: [tempfail.id, refused.id] }));
    const before = sink.received().length;

    expect(await dispatcher().dispatchDue()).toEqual({ sent: 0, retrying: 1, failed: 1 });
    const [retrying, failed] = await mails('t4');
    expect(failed).toMatchObject({ personId: refused.id, status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(/550/);
    expect(retrying).toMatchObject({ personId: tempfail.id, status: 'pending', attempts: 1 });
    expect(retrying.lastError).toMatch(/451/);
    expect(retrying.nextAttemptAt.toISOString()).toBe(new Date(clock.now().getTime() + 60_000).toISOString());

    expect(await dispatcher().dispatchDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    clock.advance(60_000);
    expect(await dispatcher().dispatchDue()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect((await mails('t4')).map((m) => [m.status, m.attempts])).toEqual([['sent', 2], ['failed', 1]]);
    expect((await sink.waitFor(before + 1)).slice(before).map((m) => m.envelope.to)).toEqual([['tempfail.21211@quang-ngai-2025.invalid']]);
  });

  it('survives a restart: the next process sends what was pending, never resends a sent mail, and resends one taken by a process that died only after its lease', async () => {
    const commune = await unit('21205');
    await notifier().notify(request('t5-sent', { unitRoles: [{ unitId: commune.id, roles: [Role.Staff] }] }));
    expect((await dispatcher().dispatchDue()).sent).toBe(1);
    await notifier().notify(request('t5', { unitRoles: [{ unitId: commune.id, roles: [Role.Staff, Role.Head, Role.Deputy] }] }));
    // One mail taken by this process, which then dies mid-send: its claim is what the dispatcher writes first.
    const [taken] = await mails('t5');
    await dataSource.getRepository(OutgoingMailEntity).update({ id: taken.id }, { attempts: 1, nextAttemptAt: new Date(clock.now().getTime() + OUTBOX_LEASE_MS) });
    const before = sink.received().length;
    await app.close();

    app = await boot();
    dataSource = app.get(DataSource);
    await app.get(AppRuntime).start();
    const delivered = (await sink.waitFor(before + 2)).slice(before);
    expect(delivered.flatMap((m) => m.envelope.to).sort()).toEqual(['deputy.21205@quang-ngai-2025.invalid', 'head.21205@quang-ngai-2025.invalid']);
    // The mail the dead process took is not due before its lease ends; nothing else is pending.
    expect(await dispatcher().dispatchDue()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(sink.received()).toHaveLength(before + 2);
    expect((await mails('t5-sent')).map((m) => m.status)).toEqual(['sent']);

    clock.advance(OUTBOX_LEASE_MS);
    const late = (await sink.waitFor(before + 3)).slice(before + 2);
    expect(late.map((m) => m.envelope.to)).toEqual([['staff.21205@quang-ngai-2025.invalid']]);
    // The server has the message a moment before the dispatcher records it sent.
    await until(async () => (await mails('t5')).every((m) => m.status === 'sent'));
    expect((await mails('t5')).map((m) => [m.status, m.attempts])).toEqual([['sent', 2], ['sent', 1], ['sent', 1]]);

    // Every message the server ever received is a distinct outbox row: nothing was sent twice.
    const ids = sink.received().map((m) => headerOf(m, 'Message-ID'));
    expect(new Set(ids).size).toBe(ids.length);
    const sentRows = await dataSource.getRepository(OutgoingMailEntity).findBy({ status: 'sent', messageId: In(ids as string[]) });
    expect(sentRows).toHaveLength(ids.length);
  });
});
