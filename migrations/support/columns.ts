import { QueryRunner, TableColumnOptions } from 'typeorm';

/**
 * Column builders that give the same meaning on SQLite and MySQL/MariaDB, so that one set of
 * migrations serves both. MySQL tables inherit utf8mb4 with a binary collation from the database
 * (see the first migration): Vietnamese text is compared and stored byte-exact.
 */
export const isMysql = (runner: QueryRunner) => runner.connection.options.type === 'mysql';

export const col = {
  id: (name = 'id'): TableColumnOptions => ({ name, type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' }),
  /** A string key (uuid, code): bounded so it can be indexed on MySQL. */
  key: (name: string, length = 64, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
  text: (name: string, length = 255, nullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable: nullable }),
  int: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'integer', isNullable: nullable }),
  bigint: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable: nullable }),
  bool: (name: string, dflt = false): TableColumnOptions => ({ name, type: 'boolean', isNullable: false, default: dflt ? 1 : 0 }),
  /** An instant, stored UTC with milliseconds. */
  instant: (name: string, nullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable: nullable }),
  /** Unbounded text: JSON documents, engine state (megabytes). LONGTEXT on MySQL, TEXT on SQLite. */
  longText: (runner: QueryRunner, name: string, nullable = false): TableColumnOptions => ({ name, type: isMysql(runner) ? 'longtext' : 'text', isNullable: nullable }),
  /** Bytes of a stored file (up to 4 GiB on MySQL). */
  blob: (runner: QueryRunner, name: string, nullable = true): TableColumnOptions => ({ name, type: isMysql(runner) ? 'longblob' : 'blob', isNullable: nullable }),
};
