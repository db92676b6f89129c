import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/** Data sets, their units and divisions, people and their roles per unit. */
export class Organization1764230500000 implements MigrationInterface {
  name = 'Organization1764230500000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'data_sets',
        columns: [
          { ...col.key('id'), isPrimary: true },
          col.text('title', 500),
          col.longText(runner, 'source'),
          col.key('content_sha256'),
          col.instant('imported_at'),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'units',
        columns: [
          col.id(),
          col.key('data_set_id'),
          col.key('code', 32),
          col.key('level', 32),
          col.text('type', 32),
          col.text('name', 200),
          col.text('name_with_type', 200),
          col.text('official_name', 250),
          col.text('parent_body', 250, true),
          col.text('symbol', 32),
          col.text('place_name', 200),
          col.text('head_title', 100),
          col.text('deputy_title', 100),
          col.text('collective_body', 100, true),
          col.bool('is_standing_agency'),
          col.int('reports_to_id', true),
          col.int('parent_id', true),
          col.int('sort_order'),
        ],
        foreignKeys: [
          { columnNames: ['data_set_id'], referencedTableName: 'data_sets', referencedColumnNames: ['id'] },
          { columnNames: ['reports_to_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
          { columnNames: ['parent_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_units_data_set_code', columnNames: ['data_set_id', 'code'], isUnique: true }),
          new TableIndex({ name: 'ix_units_reports_to', columnNames: ['reports_to_id'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'divisions',
        columns: [col.id(), col.int('unit_id'), col.text('symbol', 32), col.text('name', 200)],
        foreignKeys: [{ columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] }],
        indices: [new TableIndex({ name: 'ux_divisions_unit_symbol', columnNames: ['unit_id', 'symbol'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'people',
        columns: [col.id(), col.text('login', 120), col.text('full_name', 120), col.text('password_hash', 255), col.bool('active', true)],
        indices: [new TableIndex({ name: 'ux_people_login', columnNames: ['login'], isUnique: true })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'role_assignments',
        columns: [col.id(), col.int('person_id'), col.int('unit_id'), col.key('role', 32), col.text('title', 100, true), col.int('division_id', true)],
        foreignKeys: [
          { columnNames: ['person_id'], referencedTableName: 'people', referencedColumnNames: ['id'] },
          { columnNames: ['unit_id'], referencedTableName: 'units', referencedColumnNames: ['id'] },
          { columnNames: ['division_id'], referencedTableName: 'divisions', referencedColumnNames: ['id'] },
        ],
        indices: [
          new TableIndex({ name: 'ux_role_assignments', columnNames: ['person_id', 'unit_id', 'role'], isUnique: true }),
          new TableIndex({ name: 'ix_role_assignments_unit_role', columnNames: ['unit_id', 'role'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['role_assignments', 'people', 'divisions', 'units', 'data_sets']) await runner.dropTable(table);
  }
}
