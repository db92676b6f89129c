import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../src/config/app-config';
import { parseDatabaseUrl } from '../../src/config/load-app-config';
import { createDataSource } from '../../src/database/data-source-options';

/**
 * Database tests run on every kind listed in TEST_DATABASES (default: both). Each test file gets
 * its own fresh database — a temporary SQLite file, or a MariaDB database created for it and dropped
 * after — so files run in parallel without seeing each other.
 */
export type TestDatabaseKind = 'sqlite' | 'mariadb';

export const TEST_DATABASE_KINDS: TestDatabaseKind[] = (process.env.TEST_DATABASES ?? 'sqlite,mariadb')
  .split(',')
  .map((kind) => kind.trim())
  .filter((kind): kind is TestDatabaseKind => kind === 'sqlite' || kind === 'mariadb');

/** Server (without database) used for MariaDB tests. */
const TEST_MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';

export interface TestDatabase {
  kind: TestDatabaseKind;
  config: DatabaseConfig;
  /** Removes the database and everything in it. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-test-'));
    const config = parseDatabaseUrl(`sqlite:${join(dir, 'test.sqlite')}`, process.cwd(), []);
    return { kind, config, destroy: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const server = parseDatabaseUrl(TEST_MYSQL_URL, process.cwd(), []);
  const name = `iso_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ host: server.host, port: server.port, user: server.username, password: server.password });
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const config: DatabaseConfig = { ...server, database: name, displayUrl: `${TEST_MYSQL_URL.replace(/\/[^/]*$/, '')}/${name}` };
  return {
    kind,
    config,
    destroy: async () => {
      const conn = await createConnection({ host: server.host, port: server.port, user: server.username, password: server.password });
      try {
        await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.end();
      }
    },
  };
}

/** A fresh database with every migration applied, and its DataSource open. */
export async function openMigratedDatabase(kind: TestDatabaseKind): Promise<{ db: TestDatabase; dataSource: DataSource; close(): Promise<void> }> {
  const db = await createTestDatabase(kind);
  const dataSource = createDataSource(db.config);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return {
    db,
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await db.destroy();
    },
  };
}

/** Names of the tables this project created in the database (not the engine's own). */
export async function userTables(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] =
    dataSource.options.type === 'mysql'
      ? await dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()')
      : await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
  return rows.map((r) => r.name).sort();
}
