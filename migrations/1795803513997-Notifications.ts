import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * People's e-mail addresses, in-app notifications, and the durable outbox of e-mails to send. Both
 * notification tables are unique by (dedupe_key, person_id): a retried job that notifies again with
 * the same key notifies nobody twice.
 */
export class Notifications1795803513997 implements MigrationInterface {
  name = 'Notifications1795803513997';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('people', new TableColumn(col.text('email', 254, true)));
    await runner.createTable(
      new Table({
        name: 'notifications',
        columns: [
          col.id(),
          col.int('person_id'),
          col.key('kind', 64),
          col.text('title', 300),
          col.longText(runner, 'body'),
          col.text('link', 500, true),
          col.int('cycle_id', true),
          col.int('unit_id', true),
          col.key('dedupe_key', 190),
          col.instant('created_at'),
          col.instant('read_at', true),
        ],
        foreignKeys: [{ columnNames: ['person_id'], referencedTableName: 'people', referencedColumnNames: ['id'] }],
        indices: [
          new TableIndex({ name: 'ux_notifications_dedupe', columnNames: ['dedupe_key', 'person_id'], isUnique: true }),
          new TableIndex({ name: 'ix_notifications_person', columnNames: ['person_id', 'read_at'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'mail_outbox',
        columns: [
          col.id(),
          col.int('person_id'),
          col.int('notification_id', true),
          col.key('dedupe_key', 190),
          col.text('to_address', 254),
          col.text('subject', 300),
          col.longText(runner, 'body'),
          col.key('status', 16),
          { ...col.int('attempts'), default: 0 },
          col.instant('next_attempt_at'),
          col.text('last_error', 1000, true),
          col.key('transport', 16, true),
          col.text('message_id', 255, true),
          col.instant('created_at'),
          col.instant('sent_at', true),
        ],
        foreignKeys: [{ columnNames: ['person_id'], referencedTableName: 'people', referencedColumnNames: ['id'] }],
        indices: [
          new TableIndex({ name: 'ux_mail_outbox_dedupe', columnNames: ['dedupe_key', 'person_id'], isUnique: true }),
          new TableIndex({ name: 'ix_mail_outbox_due', columnNames: ['status', 'next_attempt_at'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('mail_outbox');
    await runner.dropTable('notifications');
    await runner.dropColumn('people', 'email');
  }
}
