import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, DataSourceOptions } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { ALL_ENTITIES } from './entities';
import { ALL_MIGRATIONS } from '../../migrations';
import { bindNumbersAsParameters } from './sqlite-bound-numbers';
import { checkpointInBackground } from './sqlite-checkpointer';
import { scanStatementsOnce } from './sqlite-statement-shapes';
import { serializeSqliteTransactions } from './sqlite-transactions';
import { installPropertyNameMemo } from './typeorm-property-names';

/**
 * One place that turns the validated database configuration into TypeORM options, for the
 * application, the CLI and the tests alike. Schema changes come only from migrations.
 */
export function dataSourceOptions(db: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: ALL_ENTITIES,
    migrations: ALL_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (db.kind === 'sqlite') {
    if (db.sqlitePath !== ':memory:') mkdirSync(dirname(db.sqlitePath!), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: db.sqlitePath!,
      // WAL keeps readers off the writer's back; NORMAL is durable against a process crash (kill -9),
      // which is the failure the engine's crash test exercises.
      enableWAL: true,
      // Prepared statements kept by SQL text (first in, first out); the application has a few hundred shapes.
      statementCacheSize: 1000,
      prepareDatabase: (sqlite: { pragma(source: string): unknown }) => {
        sqlite.pragma('synchronous = NORMAL');
        sqlite.pragma('busy_timeout = 10000');
        sqlite.pragma('foreign_keys = ON');
      },
    };
  }
  return {
    ...common,
    type: 'mysql',
    host: db.host,
    port: db.port,
    username: db.username,
    password: db.password,
    database: db.database,
    charset: 'utf8mb4_bin',
    // Instants are stored in UTC; civil dates are computed in the configured zone, never by the database.
    timezone: 'Z',
    supportBigNumbers: true,
    bigNumberStrings: false,
    extra: { connectionLimit: 10 },
  };
}

export function createDataSource(db: DatabaseConfig): DataSource {
  return adaptToDriver(new DataSource(dataSourceOptions(db)));
}

/** What the application needs of a DataSource beyond TypeORM's options (only the property-name memo applies on MySQL). */
export function adaptToDriver(dataSource: DataSource): DataSource {
  installPropertyNameMemo();
  return checkpointInBackground(bindNumbersAsParameters(scanStatementsOnce(serializeSqliteTransactions(dataSource))));
}
