import { DataSource, QueryRunner } from 'typeorm';
import type { SqliteConnection } from '../../database/sqlite-transactions';

/**
 * Plain parameterised SQL for the rows a step writes, built once per entity from TypeORM's metadata.
 * TypeORM's query builder costs more CPU per statement than SQLite needs to run it; a step writes
 * several rows, so the engine's hot path uses this instead (same tables, same column mapping).
 * Backquoted identifiers and `?` placeholders work on both SQLite and MySQL/MariaDB.
 */
interface TableShape {
  table: string;
  columns: { property: string; column: string; numeric: boolean; generated: boolean }[];
  byProperty: Map<string, string>;
}

type Row = Record<string, unknown>;

/** One planned write; `mustChange` makes it fail (and the transaction roll back) when it changes no row. */
export interface Statement {
  sql: string;
  params: unknown[];
  mustChange?: () => Error;
}

export class SqlRows {
  private readonly shapes = new Map<Function, TableShape>();
  /** Prepared better-sqlite3 statements by SQL (a step's statements take a few shapes). */
  private readonly prepared = new Map<string, ReturnType<SqliteConnection['prepare']>>();
  private preparedOn: SqliteConnection | null = null;

  constructor(private readonly dataSource: DataSource) {}

  async insert<T extends object>(runner: QueryRunner, entity: new () => T, rows: T[]): Promise<void> {
    const statement = this.insertStatement(entity, rows);
    if (statement) await this.runAll(runner, [statement]);
  }

  /** Returns the number of rows changed. */
  async update<T extends object>(runner: QueryRunner, entity: new () => T, set: Partial<T>, where: Partial<T>): Promise<number> {
    const { sql, params } = this.updateStatement(entity, set, where);
    const result = await runner.query(sql, params, true);
    return result.affected ?? 0;
  }

  async deleteByIds<T extends { id: string }>(runner: QueryRunner, entity: new () => T, ids: string[]): Promise<void> {
    const statement = this.deleteByIdsStatement(entity, ids);
    if (statement) await this.runAll(runner, [statement]);
  }

  insertStatement<T extends object>(entity: new () => T, rows: T[]): Statement | null {
    if (!rows.length) return null;
    const shape = this.shape(entity);
    const columns = shape.columns.filter((column) => !column.generated);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO \`${shape.table}\` (${columns.map((column) => `\`${column.column}\``).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    const params: unknown[] = [];
    for (const row of rows) for (const column of columns) params.push((row as Row)[column.property] ?? null);
    return { sql, params };
  }

  updateStatement<T extends object>(entity: new () => T, set: Partial<T>, where: Partial<T>, mustChange?: () => Error): Statement {
    const shape = this.shape(entity);
    const assignments = Object.keys(set).map((property) => `\`${shape.byProperty.get(property)}\` = ?`);
    const [conditions, whereValues] = this.where(shape, where);
    const sql = `UPDATE \`${shape.table}\` SET ${assignments.join(', ')} WHERE ${conditions}`;
    return { sql, params: [...Object.values(set).map((value) => value ?? null), ...whereValues], mustChange };
  }

  deleteByIdsStatement<T extends { id: string }>(entity: new () => T, ids: string[]): Statement | null {
    if (!ids.length) return null;
    const shape = this.shape(entity);
    return { sql: `DELETE FROM \`${shape.table}\` WHERE \`${shape.byProperty.get('id')}\` IN (${ids.map(() => '?').join(', ')})`, params: ids };
  }

  /** Runs the statements in order on the caller's query runner (inside the caller's transaction). */
  async runAll(runner: QueryRunner, statements: Statement[]): Promise<void> {
    for (const { sql, params, mustChange } of statements) {
      const result = await runner.query(sql, params, true);
      if (mustChange && !(result.affected ?? 0)) throw mustChange();
    }
  }

  /**
   * Runs the statements in one `BEGIN IMMEDIATE … COMMIT` on the raw better-sqlite3 connection, with
   * prepared statements, synchronously (nothing else runs on the connection meanwhile); rolled back
   * on any error. What TypeORM's transaction and query wrappers cost per statement is more than
   * SQLite needs to run it, and a step is a few statements.
   */
  runOnSqlite(connection: SqliteConnection, statements: Statement[]): void {
    if (this.preparedOn !== connection || this.prepared.size > 200) {
      this.prepared.clear();
      this.preparedOn = connection;
    }
    const prepare = (sql: string) => {
      let statement = this.prepared.get(sql);
      if (!statement) this.prepared.set(sql, (statement = connection.prepare(sql)));
      return statement;
    };
    prepare('BEGIN IMMEDIATE').run();
    try {
      for (const { sql, params, mustChange } of statements) {
        const { changes } = prepare(sql).run(params);
        if (mustChange && !changes) throw mustChange();
      }
      prepare('COMMIT').run();
    } catch (error) {
      if (connection.inTransaction) prepare('ROLLBACK').run();
      throw error;
    }
  }

  async findOne<T extends object>(entity: new () => T, where: Partial<T>): Promise<T | null> {
    const shape = this.shape(entity);
    const [conditions, values] = this.where(shape, where);
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM \`${shape.table}\` WHERE ${conditions} LIMIT 1`, values);
    return rows.length ? this.toEntity(shape, rows[0]) : null;
  }

  /** Every row matching `where` (a list value is `IN`). */
  async findAll<T extends object>(entity: new () => T, where: { [K in keyof T]?: T[K] | T[K][] }): Promise<T[]> {
    const shape = this.shape(entity);
    const [conditions, values] = this.where(shape, where);
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM \`${shape.table}\` WHERE ${conditions}`, values);
    return rows.map((raw) => this.toEntity<T>(shape, raw));
  }

  private where(shape: TableShape, where: Row): [string, unknown[]] {
    const parts: string[] = [];
    const values: unknown[] = [];
    for (const [property, value] of Object.entries(where)) {
      const column = `\`${shape.byProperty.get(property)}\``;
      if (value === null) parts.push(`${column} IS NULL`);
      else if (Array.isArray(value)) {
        parts.push(value.length ? `${column} IN (${value.map(() => '?').join(', ')})` : '0 = 1');
        values.push(...value);
      } else {
        parts.push(`${column} = ?`);
        values.push(value);
      }
    }
    return [parts.join(' AND '), values];
  }

  private toEntity<T>(shape: TableShape, raw: Row): T {
    const entity: Row = {};
    for (const column of shape.columns) {
      const value = raw[column.column];
      entity[column.property] = column.numeric && value !== null && value !== undefined ? Number(value) : value;
    }
    return entity as T;
  }

  private shape(entity: Function): TableShape {
    let shape = this.shapes.get(entity);
    if (!shape) {
      const metadata = this.dataSource.getMetadata(entity);
      const columns = metadata.columns.map((column) => ({
        property: column.propertyName,
        column: column.databaseName,
        numeric: ['integer', 'bigint', 'int'].includes(String(column.type)),
        generated: column.isGenerated,
      }));
      shape = { table: metadata.tableName, columns, byProperty: new Map(columns.map((column) => [column.property, column.column])) };
      this.shapes.set(entity, shape);
    }
    return shape;
  }
}
