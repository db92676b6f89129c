import { DataSource, QueryRunner } from 'typeorm';

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

export class SqlRows {
  private readonly shapes = new Map<Function, TableShape>();

  constructor(private readonly dataSource: DataSource) {}

  async insert<T extends object>(runner: QueryRunner, entity: new () => T, rows: T[]): Promise<void> {
    if (!rows.length) return;
    const shape = this.shape(entity);
    const columns = shape.columns.filter((column) => !column.generated);
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    const sql = `INSERT INTO \`${shape.table}\` (${columns.map((column) => `\`${column.column}\``).join(', ')}) VALUES ${rows.map(() => tuple).join(', ')}`;
    await runner.query(sql, rows.flatMap((row) => columns.map((column) => (row as Row)[column.property] ?? null)));
  }

  /** Returns the number of rows changed. */
  async update<T extends object>(runner: QueryRunner, entity: new () => T, set: Partial<T>, where: Partial<T>): Promise<number> {
    const shape = this.shape(entity);
    const assignments = Object.keys(set).map((property) => `\`${shape.byProperty.get(property)}\` = ?`);
    const [conditions, whereValues] = this.where(shape, where);
    const sql = `UPDATE \`${shape.table}\` SET ${assignments.join(', ')} WHERE ${conditions}`;
    const result = await runner.query(sql, [...Object.values(set).map((value) => value ?? null), ...whereValues], true);
    return result.affected ?? 0;
  }

  async deleteByIds<T extends { id: string }>(runner: QueryRunner, entity: new () => T, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const shape = this.shape(entity);
    await runner.query(`DELETE FROM \`${shape.table}\` WHERE \`${shape.byProperty.get('id')}\` IN (${ids.map(() => '?').join(', ')})`, ids);
  }

  async findOne<T extends object>(entity: new () => T, where: Partial<T>): Promise<T | null> {
    const shape = this.shape(entity);
    const [conditions, values] = this.where(shape, where);
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM \`${shape.table}\` WHERE ${conditions} LIMIT 1`, values);
    return rows.length ? this.toEntity(shape, rows[0]) : null;
  }

  private where(shape: TableShape, where: Row): [string, unknown[]] {
    const parts: string[] = [];
    const values: unknown[] = [];
    for (const [property, value] of Object.entries(where)) {
      const column = `\`${shape.byProperty.get(property)}\``;
      if (value === null) parts.push(`${column} IS NULL`);
      else {
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
