import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

/** SHA-256 over every row of the given tables, in primary-key order: equal digests, unchanged data. */
export async function databaseDigest(dataSource: DataSource, tables: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const table of tables) {
    const rows = await dataSource.query(`SELECT * FROM ${table} ORDER BY 1`);
    hash.update(table).update(JSON.stringify(rows, (_key, value) => (value instanceof Date ? value.toISOString() : typeof value === 'boolean' ? Number(value) : value)));
  }
  return hash.digest('hex');
}
