import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from './support/columns';

/**
 * Leases for work that must run in one application process at a time when several share the
 * database (the mail outbox's sender, cycle openings): one row per kind of work, with its holder
 * and when the lease runs out unless renewed.
 */
export class SchedulerLeases1795815043756 implements MigrationInterface {
  name = 'SchedulerLeases1795815043756';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'scheduler_leases',
        columns: [
          { ...col.key('name', 64), isPrimary: true },
          col.text('holder', 200),
          col.instant('expires_at'),
          col.instant('acquired_at'),
          col.instant('renewed_at'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('scheduler_leases');
  }
}
