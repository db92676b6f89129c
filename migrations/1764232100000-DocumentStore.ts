import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { col } from './support/columns';

/** The database backend of the document store (the filesystem is the default backend). */
export class DocumentStore1764232100000 implements MigrationInterface {
  name = 'DocumentStore1764232100000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'stored_documents',
        columns: [
          { ...col.key('document_id', 36), isPrimary: true },
          col.key('sha256', 64),
          col.key('kind', 64),
          col.key('template_version', 64),
          col.longText(runner, 'data'),
          col.blob(runner, 'content', false),
          col.instant('stored_at'),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('stored_documents');
  }
}
