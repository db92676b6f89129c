import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AuditHasher, AuditLinkContent } from '../../src/audit/audit-chain';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { AuditExportCommand, AuditVerifyCommand } from '../../src/audit/audit-verify.command';
import { AuditRecord, AuditTrail, SYSTEM_ACTOR } from '../../src/audit/audit-trail.service';
import { canonicalJson } from '../../src/audit/canonical-json';
import { CliError } from '../../src/cli/fatal';
import { writeTransaction } from '../../src/database/write-transaction';
import { ControlledClock } from '../../src/shared/clock';
import { dropAuditAppendOnlyTriggers } from '../support/audit-tampering';
import { TEST_DATABASE_KINDS, TestDatabase, openMigratedDatabase } from '../support/test-databases';

/**
 * A hasher that protects nothing: each link's hash depends on its position only. Running this file
 * with AUDIT_CHAIN_OFF=1 swaps it in for the real one, and the tampering tests go red: they detect
 * tampering only because of the chain.
 */
class UnprotectedAuditHasher extends AuditHasher {
  override hash(link: AuditLinkContent): string {
    return createHash('sha256').update(String(link.seq)).digest('hex');
  }
}
const hasherUnderTest = () => (process.env.AUDIT_CHAIN_OFF === '1' ? new UnprotectedAuditHasher() : new AuditHasher());

const event = (n: number, extra: Partial<AuditRecord> = {}): AuditRecord => ({
  actor: { personId: null, login: `tester-${n}` },
  action: 'report.saved',
  subject: { type: 'report', id: `r-${n}` },
  unitId: null,
  cycleId: n % 2 === 0 ? 'cycle-2026' : 'cycle-2025',
  before: n === 1 ? undefined : { figures: { procedures: n - 1 } },
  after: { figures: { procedures: n } },
  detail: { note: `saved version ${n}`, vietnamese: 'Báo cáo kết quả' },
  ...extra,
});

describe.each(TEST_DATABASE_KINDS)('the audit trail [%s]', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let trail: AuditTrail;
  const clock = new ControlledClock('2026-11-14T16:59:59.123Z');

  const append = (record: AuditRecord) => writeTransaction(dataSource, (manager) => trail.record(manager, record));
  const events = () => dataSource.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' } });

  beforeAll(async () => {
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    // These tests tamper as an administrator would, past the database's append-only triggers
    // (tested in audit-append-only.spec.ts): only the chain can catch that.
    await dropAuditAppendOnlyTriggers(dataSource);
  });
  afterAll(() => close());
  // Every test starts from an empty chain.
  beforeEach(async () => {
    await dataSource.query('DELETE FROM audit_events');
    await dataSource.query(`UPDATE audit_chain_head SET seq = 0, hash = '${'0'.repeat(64)}' WHERE id = 1`);
    trail = new AuditTrail(dataSource, clock, hasherUnderTest());
  });

  it('appends events in a linear chain, each linked to the one before, and verifies it', async () => {
    for (let n = 1; n <= 5; n++) {
      await append(event(n));
      clock.advance(1000);
    }
    const stored = await events();
    expect(stored.map((e) => Number(e.seq))).toEqual([1, 2, 3, 4, 5]);
    expect(stored[0].prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < stored.length; i++) expect(stored[i].prevHash).toBe(stored[i - 1].hash);
    expect(stored[0].beforeDigest).toBeNull();
    expect(stored[1].beforeDigest).toBe(createHash('sha256').update(canonicalJson({ figures: { procedures: 1 } })).digest('hex'));
    expect(JSON.parse(stored[4].detail)).toEqual({ note: 'saved version 5', vietnamese: 'Báo cáo kết quả' });
    expect(stored[4].at.toISOString()).toBe('2026-11-14T17:00:03.123Z');
    expect(await trail.verify()).toEqual({ intact: true, events: 5, lastHash: stored[4].hash });
  });

  it('commits an event with the change it records, or not at all', async () => {
    await append(event(1));
    await expect(
      writeTransaction(dataSource, async (manager) => {
        await trail.record(manager, event(2));
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await append(event(3));
    expect((await events()).map((e) => [Number(e.seq), e.subjectId])).toEqual([[1, 'r-1'], [2, 'r-3']]);
    expect((await trail.verify()).intact).toBe(true);
    await expect(trail.record(dataSource.manager, event(4))).rejects.toThrow('must run inside the transaction');
  });

  it('stays linear when many appends race', async () => {
    const racers = Array.from({ length: 24 }, (_, i) => i + 1);
    // On MariaDB each transaction has its own connection; the head row lock orders them.
    const run = kind === 'mariadb' ? (n: number) => dataSource.transaction((m) => trail.record(m, event(n))) : (n: number) => append(event(n));
    await Promise.all(racers.map(run));
    const stored = await events();
    expect(stored.map((e) => Number(e.seq))).toEqual(racers);
    expect(new Set(stored.map((e) => e.subjectId)).size).toBe(24);
    expect((await trail.verify()).intact).toBe(true);
  });

  describe('tampering', () => {
    beforeEach(async () => {
      for (let n = 1; n <= 6; n++) await append(event(n));
    });

    it('detects an edited event and names it', async () => {
      await dataSource.query(`UPDATE audit_events SET detail = '{"note":"nothing happened"}' WHERE seq = 4`);
      expect(await trail.verify()).toEqual({ intact: false, events: 3, firstBroken: { seq: 4, reason: 'its content does not match its hash (the event was changed)' } });
    });

    it('detects an event edited with its hash recomputed: the next link no longer matches', async () => {
      const [row] = await dataSource.getRepository(AuditEventEntity).findBy({ seq: 3 });
      const forged = { ...row, actorLogin: 'someone-else' };
      await dataSource.getRepository(AuditEventEntity).update({ seq: 3 }, { actorLogin: forged.actorLogin, hash: new AuditHasher().hash(forged) });
      expect(await trail.verify()).toMatchObject({ intact: false, firstBroken: { seq: 4, reason: 'its prev_hash does not match the hash of event 3' } });
    });

    it('detects a removed event in the middle', async () => {
      await dataSource.query('DELETE FROM audit_events WHERE seq = 2');
      expect(await trail.verify()).toMatchObject({ intact: false, firstBroken: { seq: 3, reason: 'event 2 is missing: the sequence jumps from 1 to 3' } });
    });

    it('detects removed events at the end through the chain head', async () => {
      await dataSource.query('DELETE FROM audit_events WHERE seq >= 5');
      expect(await trail.verify()).toMatchObject({ intact: false, firstBroken: { seq: 5, reason: expect.stringContaining('events at the end were removed') } });
    });

    it('tells the operator through `iso-cycle audit verify`, exiting non-zero', async () => {
      const verify = () => withDatabaseUrl(db, () => new AuditVerifyCommand().run());
      const out = await captureStdout(verify);
      expect(out).toMatch(/^audit trail intact: 6 event\(s\), last hash [0-9a-f]{64}\n$/);
      await dataSource.query(`UPDATE audit_events SET action = 'report.deleted' WHERE seq = 5`);
      const failure = await verify().catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(CliError);
      expect((failure as CliError).message).toBe('audit trail BROKEN at event 5: its content does not match its hash (the event was changed) (events 1–4 are intact)');
      expect((failure as CliError).exitCode).toBe(1);
    });
  });

  it('would miss the tampering with a hasher that protects nothing (the detection rests on the chain)', async () => {
    const unprotected = new AuditTrail(dataSource, clock, new UnprotectedAuditHasher());
    for (let n = 1; n <= 3; n++) await writeTransaction(dataSource, (m) => unprotected.record(m, event(n)));
    await dataSource.query(`UPDATE audit_events SET detail = '{"note":"nothing happened"}' WHERE seq = 2`);
    expect((await unprotected.verify()).intact).toBe(true);
  });

  it('exports the events of one cycle as JSON lines that a reader can check line by line', async () => {
    for (let n = 1; n <= 5; n++) await append(event(n));
    const out = join(mkdtempSync(join(tmpdir(), 'iso-audit-')), 'cycle-2026.jsonl');
    await withDatabaseUrl(db, () => captureStdout(() => new AuditExportCommand().run([], { cycle: 'cycle-2026', out }), 'stderr'));
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.seq)).toEqual([2, 4]);
    for (const line of lines) {
      const link: AuditLinkContent = {
        seq: line.seq,
        at: new Date(line.at),
        actorPersonId: line.actor.personId,
        actorLogin: line.actor.login,
        action: line.action,
        subjectType: line.subject.type,
        subjectId: line.subject.id,
        unitId: line.unitId,
        cycleId: line.cycleId,
        beforeDigest: line.beforeDigest,
        afterDigest: line.afterDigest,
        detail: canonicalJson(line.detail),
        prevHash: line.prevHash,
      };
      expect(new AuditHasher().hash(link)).toBe(line.hash);
    }
    expect(SYSTEM_ACTOR).toEqual({ personId: null, login: 'system' });
  });
});

/** The CLI commands read DATABASE_URL, like the real CLI. */
async function withDatabaseUrl<T>(db: TestDatabase, work: () => Promise<T>): Promise<T> {
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = db.config.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : `mysql://${db.config.username}@${db.config.host}:${db.config.port}/${db.config.database}`;
  try {
    return await work();
  } finally {
    if (saved === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = saved;
  }
}

async function captureStdout(work: () => Promise<unknown>, stream: 'stdout' | 'stderr' = 'stdout'): Promise<string> {
  const target = process[stream];
  const original = target.write.bind(target);
  let captured = '';
  target.write = ((chunk: string | Uint8Array) => {
    captured += chunk.toString();
    return true;
  }) as typeof target.write;
  try {
    await work();
  } finally {
    target.write = original;
  }
  return captured;
}
