import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../config/app-config';
import { dataSourceOptions } from './data-source-options';

/** The database cannot be reached at start: the message names it and says why. */
export class DatabaseUnavailableError extends Error {
  constructor(db: DatabaseConfig, cause: unknown) {
    super(`cannot open the database ${db.displayUrl}: ${(cause as Error).message ?? cause}`);
    this.name = 'DatabaseUnavailableError';
  }
}

/** Opens and closes one connection, so that start-up fails with one clear line instead of a framework stack trace. */
export async function probeDatabase(db: DatabaseConfig): Promise<void> {
  const probe = new DataSource({ ...dataSourceOptions(db), entities: [], migrations: [], ...(db.kind === 'mysql' ? { extra: { connectionLimit: 1, connectTimeout: 5000 } } : {}) } as never);
  try {
    await probe.initialize();
  } catch (error) {
    throw new DatabaseUnavailableError(db, error);
  } finally {
    if (probe.isInitialized) await probe.destroy();
  }
}
