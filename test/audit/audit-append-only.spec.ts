import { DataSource } from 'typeorm';
import { AuditHasher } from '../../src/audit/audit-chain';
import { AuditTrail } from '../../src/audit/audit-trail.service';
import { writeTransaction } from '../../src/database/write-transaction';
import { ControlledClock } from '../../src/shared/clock';
import { dropAuditAppendOnlyTriggers } from '../support/audit-tampering';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';

/**
 * The database refuses to change or remove an audit event, or to move the chain head anywhere but
 * forward to an existing event (migration AuditAppendOnly). AUDIT_APPEND_ONLY_OFF=1 drops the
 * triggers first, and this file goes red.
 */
describe.each(TEST_DATABASE_KINDS)('the audit trail is append-only in the database [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let trail: AuditTrail;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    if (process.env.AUDIT_APPEND_ONLY_OFF === '1') await dropAuditAppendOnlyTriggers(dataSource);
    trail = new AuditTrail(dataSource, new ControlledClock('2026-11-10T03:00:00Z'), new AuditHasher());
    for (let n = 1; n <= 3; n++) {
      await writeTransaction(dataSource, (m) => trail.record(m, { actor: { personId: null, login: 'system' }, action: 'report.saved', subject: { type: 'report', id: n }, detail: { n } }));
    }
  });
  afterAll(() => close());

  const refused = async (sql: string, message: RegExp) => {
    await expect(dataSource.query(sql)).rejects.toThrow(message);
  };

  it('refuses to change an event, even one column of it', async () => {
    await refused(`UPDATE audit_events SET detail = '{"n":20}' WHERE seq = 2`, /audit_events is append-only: an audit event cannot be changed/);
    await refused(`UPDATE audit_events SET actor_login = 'someone-else'`, /cannot be changed/);
  });

  it('refuses to remove events', async () => {
    await refused('DELETE FROM audit_events WHERE seq = 3', /audit_events is append-only: an audit event cannot be removed/);
    await refused('DELETE FROM audit_events', /cannot be removed/);
  });

  it('refuses to move the chain head back, sideways or to an event that does not exist, or to remove it', async () => {
    await refused(`UPDATE audit_chain_head SET seq = 1`, /audit_chain_head may only move forward/);
    await refused(`UPDATE audit_chain_head SET hash = '${'f'.repeat(64)}'`, /may only move forward/);
    await refused(`UPDATE audit_chain_head SET seq = 9, hash = '${'f'.repeat(64)}'`, /may only move forward/);
    await refused('DELETE FROM audit_chain_head', /audit_chain_head cannot be removed/);
  });

  it('still appends, and the refused statements changed nothing', async () => {
    await writeTransaction(dataSource, (m) => trail.record(m, { actor: { personId: null, login: 'system' }, action: 'report.saved', subject: { type: 'report', id: 4 }, detail: { n: 4 } }));
    expect(await trail.verify()).toMatchObject({ intact: true, events: 4 });
    const [row] = await dataSource.query('SELECT detail FROM audit_events WHERE seq = 2');
    expect(row.detail).toBe('{"n":2}');
  });
});
