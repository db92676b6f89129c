import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * The cycle beyond its opening: deadline rules and per-report deadline facts (overrides, lateness
 * raised by the engine's timers, sending, paper reports), consolidations with their closing snapshot,
 * the deadline alarms raised (one row each, so a retried job never alarms twice), urge letters and
 * the unnumbered drafts the system prepares for others to sign.
 */
export class CycleDeadlinesAndConsolidation1795803306170 implements MigrationInterface {
  name = 'CycleDeadlinesAndConsolidation1795803306170';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumns('cycles', [
      new TableColumn({ ...col.text('reminder_offsets', 64), default: "'5,1'" }),
      new TableColumn({ ...col.int('escalation_days'), default: 2 }),
    ]);
    await runner.addColumns('reports', [
      new TableColumn(col.instant('deadline_at', true)),
      new TableColumn(col.instant('late_since', true)),
      new TableColumn(col.instant('sent_at', true)),
      new TableColumn(col.bool('received_after_close')),
      new TableColumn(col.bool('on_paper')),
      new TableColumn(col.text('paper_reference', 255, true)),
      new TableColumn(col.key('deadline_watch_key', 64, true)),
    ]);
    await runner.createTable(
      new Table({
        name: 'consolidations',
        columns: [
          col.id(),
          col.int('cycle_id'),
          col.int('unit_id'),
          col.key('status', 16),
          col.instant('units_deadline_at', true),
          col.key('process_instance_key', 64, true),
          col.instant('closed_at', true),
          col.int('closed_by', true),
          col.longText(runner, 'snapshot', true),
        ],
        foreignKeys: [
          { columnNames: ['cycle_id'], referencedTableName: 'cycles', referencedColumnNames: ['id'] },
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
        ],
        indices: [new TableIndex({ name: 'ux_consolidations_cycle_unit', columnNames: ['cycle_id', 'unit_id'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'deadline_alarms',
        columns: [col.id(), col.int('report_id'), col.key('kind', 32), col.instant('due_at'), col.instant('raised_at'), col.int('notified')],
        foreignKeys: [{ columnNames: ['report_id'], referencedTableName: 'reports', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ux_deadline_alarms', columnNames: ['report_id', 'kind', 'due_at'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'urge_letters',
        columns: [col.id(), col.int('consolidation_id'), col.key('document_id'), col.longText(runner, 'unit_ids'), col.instant('requested_at'), col.int('requested_by', true)],
        foreignKeys: [{ columnNames: ['consolidation_id'], referencedTableName: 'consolidations', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ux_urge_letters_document', columnNames: ['document_id'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'draft_documents',
        columns: [{ ...col.key('id'), isPrimary: true }, col.int('cycle_id'), col.int('unit_id'), col.key('kind'), col.text('subject', 500), col.key('sha256', 64), col.int('pages'), col.instant('created_at')],
        foreignKeys: [
          { columnNames: ['cycle_id'], referencedTableName: 'cycles', referencedColumnNames: ['id'] },
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['draft_documents', 'urge_letters', 'deadline_alarms', 'consolidations']) await runner.dropTable(table);
    for (const column of ['deadline_watch_key', 'paper_reference', 'on_paper', 'received_after_close', 'sent_at', 'late_since', 'deadline_at']) await runner.dropColumn('reports', column);
    for (const column of ['escalation_days', 'reminder_offsets']) await runner.dropColumn('cycles', column);
  }
}
