import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/** Reporting cycles, units' reports with their submitted versions, reviews and evidence, and the task inbox. */
export class CyclesAndReports1764234000000 implements MigrationInterface {
  name = 'CyclesAndReports1764234000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'cycles',
        columns: [col.id(), col.int('year'), col.key('data_set_id'), col.instant('deadline_at'), col.key('period_start', 10), col.key('period_end', 10), col.key('status', 16), col.instant('opened_at'), col.int('opened_by', true)],
        foreignKeys: [{ columnNames: ['data_set_id'], referencedTableName: 'data_sets', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ux_cycles_data_set_year', columnNames: ['data_set_id', 'year'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'reports',
        columns: [
          col.id(),
          col.int('cycle_id'),
          col.int('unit_id'),
          col.key('form_id'),
          col.key('status', 16),
          col.longText(runner, 'draft_values'),
          col.bool('division_review'),
          col.key('process_instance_key', 64, true),
          { ...col.int('current_version'), default: 0 },
          col.int('approved_version', true),
          col.key('issued_document_id', 64, true),
          col.instant('updated_at'),
        ],
        foreignKeys: [
          { columnNames: ['cycle_id'], referencedTableName: 'cycles', referencedColumnNames: ['id'] },
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_reports_cycle_unit', columnNames: ['cycle_id', 'unit_id'], isUnique: true }),
          new TableIndex({ name: 'ix_reports_instance', columnNames: ['process_instance_key'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'report_versions',
        columns: [col.id(), col.int('report_id'), col.int('version_no'), col.longText(runner, 'values'), col.int('submitted_by'), col.instant('submitted_at')],
        foreignKeys: [{ columnNames: ['report_id'], referencedTableName: 'reports', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ux_report_versions', columnNames: ['report_id', 'version_no'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'report_reviews',
        columns: [col.id(), col.int('report_id'), col.int('version_no'), col.key('stage', 16), col.key('decision', 16), col.longText(runner, 'comment'), col.int('reviewer_id'), col.instant('decided_at')],
        foreignKeys: [{ columnNames: ['report_id'], referencedTableName: 'reports', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ix_report_reviews_report', columnNames: ['report_id', 'version_no'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'report_evidence',
        columns: [col.id(), col.int('report_id'), col.text('file_name', 255), col.text('media_type', 100), col.int('size_bytes'), col.key('sha256'), col.int('uploaded_by'), col.instant('uploaded_at')],
        foreignKeys: [{ columnNames: ['report_id'], referencedTableName: 'reports', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ix_report_evidence_report', columnNames: ['report_id'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'inbox_tasks',
        columns: [
          { ...col.key('task_key'), isPrimary: true },
          col.key('instance_key'),
          col.key('bpmn_process_id', 100),
          col.key('element_id', 100),
          col.text('name', 200),
          col.key('state', 16),
          col.int('cycle_id', true),
          col.int('unit_id', true),
          col.key('subject', 100, true),
          col.text('assignee', 120, true),
          col.instant('due_at', true),
          col.instant('created_at'),
          col.instant('completed_at', true),
          col.text('completed_by', 120, true),
        ],
        indices: [
          new TableIndex({ name: 'ix_inbox_tasks_state_unit', columnNames: ['state', 'unit_id'] }),
          new TableIndex({ name: 'ix_inbox_tasks_state_assignee', columnNames: ['state', 'assignee'] }),
          new TableIndex({ name: 'ix_inbox_tasks_subject', columnNames: ['subject'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'inbox_task_candidates',
        columns: [
          { ...col.key('task_key'), isPrimary: true },
          { ...col.key('candidate', 150), isPrimary: true },
        ],
        foreignKeys: [{ columnNames: ['task_key'], referencedTableName: 'inbox_tasks', referencedColumnNames: ['task_key'], onDelete: 'CASCADE' }],
        indices: [new TableIndex({ name: 'ix_inbox_task_candidates', columnNames: ['candidate', 'task_key'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['inbox_task_candidates', 'inbox_tasks', 'report_evidence', 'report_reviews', 'report_versions', 'reports', 'cycles']) await runner.dropTable(table);
  }
}
