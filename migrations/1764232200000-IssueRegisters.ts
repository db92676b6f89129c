import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * What the issue pipeline leaves behind besides the document: incidents a clerk resolves, the
 * deliveries to recipient units, the outgoing and incoming registers and their year-end closings.
 */
export class IssueRegisters1764232200000 implements MigrationInterface {
  name = 'IssueRegisters1764232200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'document_incidents',
        columns: [
          col.id(),
          col.key('document_id', 36),
          col.key('step', 32),
          col.text('message', 2000),
          col.int('attempts'),
          col.instant('opened_at'),
          col.instant('resolved_at', true),
          col.key('resolution', 16, true),
          col.int('resolved_by', true),
          col.text('note', 1000, true),
        ],
        foreignKeys: [{ columnNames: ['document_id'], referencedTableName: 'issued_documents', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ix_document_incidents_document', columnNames: ['document_id'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'document_deliveries',
        columns: [col.id(), col.key('document_id', 36), col.int('recipient_unit_id'), col.instant('sent_at')],
        foreignKeys: [
          { columnNames: ['document_id'], referencedTableName: 'issued_documents', referencedColumnNames: ['id'] },
          { columnNames: ['recipient_unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
        ],
        indices: [new TableIndex({ name: 'ux_document_deliveries', columnNames: ['document_id', 'recipient_unit_id'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'outgoing_register_entries',
        columns: [
          col.id(),
          col.int('unit_id'),
          col.int('year'),
          col.key('register', 32),
          col.int('number'),
          col.key('document_id', 36),
          col.text('symbol', 64),
          col.key('issue_date', 10),
          col.text('type_and_subject', 1100),
          col.text('signer', 120),
          col.text('recipients', 2000),
          col.text('file_keeper', 250),
          col.int('copies'),
          col.key('sent_date', 10, true),
          col.text('notes', 1100, true),
          col.instant('registered_at'),
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
          { columnNames: ['document_id'], referencedTableName: 'issued_documents', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_outgoing_register_number', columnNames: ['unit_id', 'year', 'register', 'number'], isUnique: true }),
          new TableIndex({ name: 'ux_outgoing_register_document', columnNames: ['document_id'], isUnique: true }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'incoming_register_entries',
        columns: [
          col.id(),
          col.int('unit_id'),
          col.int('year'),
          col.int('incoming_number'),
          col.key('document_id', 36),
          col.instant('received_at'),
          col.key('received_date', 10),
          col.text('sender', 250),
          col.text('symbol', 64),
          col.key('document_date', 10),
          col.text('type_and_subject', 1100),
          col.text('handler', 250, true),
          col.key('passed_on_date', 10, true),
          col.text('notes', 1100, true),
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
          { columnNames: ['document_id'], referencedTableName: 'issued_documents', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_incoming_register_number', columnNames: ['unit_id', 'year', 'incoming_number'], isUnique: true }),
          new TableIndex({ name: 'ux_incoming_register_document', columnNames: ['unit_id', 'document_id'], isUnique: true }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'register_closings',
        columns: [
          { ...col.int('unit_id'), isPrimary: true },
          { ...col.key('register_kind', 16), isPrimary: true },
          { ...col.int('year'), isPrimary: true },
          col.int('entry_count'),
          col.int('first_number', true),
          col.int('last_number', true),
          col.key('first_date', 10, true),
          col.key('last_date', 10, true),
          col.instant('closed_at'),
          col.int('closed_by'),
        ],
        foreignKeys: [{ columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] }],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['register_closings', 'incoming_register_entries', 'outgoing_register_entries', 'document_deliveries', 'document_incidents']) await runner.dropTable(table);
  }
}
