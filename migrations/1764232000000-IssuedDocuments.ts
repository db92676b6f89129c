import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * Issued documents and their number counters. A number is unique per (unit, year, register): the
 * counter row is the lock, the unique index on the documents is the last guard.
 */
export class IssuedDocuments1764232000000 implements MigrationInterface {
  name = 'IssuedDocuments1764232000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'document_number_counters',
        columns: [
          { ...col.int('unit_id'), isPrimary: true },
          { ...col.int('year'), isPrimary: true },
          { ...col.key('register', 32), isPrimary: true },
          col.int('last_number'),
        ],
        foreignKeys: [{ columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] }],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'issued_documents',
        columns: [
          { ...col.key('id', 36), isPrimary: true },
          col.int('unit_id'),
          col.key('register', 32),
          col.key('document_type', 32),
          col.key('template_kind', 64),
          col.text('subject', 1000),
          col.int('division_id', true),
          col.int('signer_person_id', true),
          col.text('signer_name', 120),
          col.longText(runner, 'recipients'),
          col.longText(runner, 'content'),
          col.int('copies'),
          col.key('corrects_document_id', 36, true),
          col.key('state', 32),
          col.int('number', true),
          col.int('year', true),
          col.text('symbol', 64, true),
          col.key('issue_date', 10, true),
          col.instant('numbered_at', true),
          col.key('sha256', 64, true),
          col.int('pages', true),
          col.key('template_version', 64, true),
          col.instant('stored_at', true),
          col.int('approved_by', true),
          col.instant('approved_at'),
          col.instant('voided_at', true),
          col.int('voided_by', true),
          col.text('void_note', 1000, true),
          col.instant('issued_at', true),
          col.instant('updated_at'),
        ],
        foreignKeys: [
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
          { columnNames: ['division_id'], referencedTableName: 'divisions', referencedColumnNames: ['id'] },
          { columnNames: ['corrects_document_id'], referencedTableName: 'issued_documents', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_issued_documents_number', columnNames: ['unit_id', 'year', 'register', 'number'], isUnique: true }),
          new TableIndex({ name: 'ix_issued_documents_state', columnNames: ['state'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('issued_documents');
    await runner.dropTable('document_number_counters');
  }
}
