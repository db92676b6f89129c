import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/** The hash that the first audit event links to. */
const GENESIS_HASH = '0'.repeat(64);

/** Server-side sessions, login throttling, and the hash-chained audit trail (docs/security.md). */
export class IdentityAccessAudit1764233000000 implements MigrationInterface {
  name = 'IdentityAccessAudit1764233000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          // SHA-256 (hex) of the cookie's secret: a leaked table gives no usable session.
          { ...col.key('id'), isPrimary: true },
          col.int('person_id'),
          col.instant('created_at'),
          col.instant('last_seen_at'),
          col.instant('expires_at'),
          col.text('client_address', 64, true),
          col.text('user_agent', 255, true),
        ],
        foreignKeys: [{ columnNames: ['person_id'], referencedTableName: 'people', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ix_sessions_person', columnNames: ['person_id'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'login_throttle',
        columns: [{ ...col.key('throttle_key', 200), isPrimary: true }, col.int('failures'), col.instant('window_started_at'), col.instant('locked_until', true)],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          // Position in the chain: 1, 2, 3… without gaps (assigned under the chain head's lock).
          { ...col.bigint('seq'), isPrimary: true },
          col.instant('at'),
          col.int('actor_person_id', true),
          col.text('actor_login', 120),
          col.key('action', 100),
          col.key('subject_type', 64),
          col.key('subject_id', 64),
          col.int('unit_id', true),
          col.key('cycle_id', 64, true),
          col.key('before_digest', 64, true),
          col.key('after_digest', 64, true),
          col.longText(runner, 'detail'),
          col.key('prev_hash', 64),
          col.key('hash', 64),
        ],
        indices: [
          // A second event claiming the same predecessor would fork the chain: the database refuses it.
          new TableIndex({ name: 'ux_audit_events_prev_hash', columnNames: ['prev_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_audit_events_cycle', columnNames: ['cycle_id', 'seq'] }),
          new TableIndex({ name: 'ix_audit_events_unit', columnNames: ['unit_id', 'seq'] }),
          new TableIndex({ name: 'ix_audit_events_subject', columnNames: ['subject_type', 'subject_id'] }),
        ],
      }),
    );
    // One row: the last link. Appends lock it, so the chain stays linear under concurrency.
    await runner.createTable(new Table({ name: 'audit_chain_head', columns: [{ ...col.int('id'), isPrimary: true }, col.bigint('seq'), col.key('hash', 64)] }));
    await runner.query(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['audit_chain_head', 'audit_events', 'login_throttle', 'sessions']) await runner.dropTable(table);
  }
}
