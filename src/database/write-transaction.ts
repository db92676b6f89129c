import { DataSource, EntityManager } from 'typeorm';

/**
 * A write transaction that is safe under concurrency on both databases; use it for every write.
 * - SQLite: transactions of one process already run one at a time (sqlite-transactions.ts); across
 *   processes, each takes SQLite's single writer lock with its first statement (waiting up to
 *   busy_timeout), so it never reads a snapshot it would later fail to upgrade.
 * - MariaDB: each transaction has its own connection; a deadlock or lock-wait timeout rolls the
 *   whole transaction back, and it is run again.
 * The work must therefore be safe to run again from the start (it only sees its own rollback).
 */
const MAX_ATTEMPTS = 8;

export async function writeTransaction<T>(dataSource: DataSource, work: (manager: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'mysql') {
    const lockTable = dataSource.options.migrationsTableName ?? 'migrations';
    return withRetries(() =>
      dataSource.transaction(async (manager) => {
        // A write that changes nothing, only to take the writer lock now (BEGIN IMMEDIATE's effect).
        await manager.query(`UPDATE ${lockTable} SET id = id WHERE 0 = 1`);
        return work(manager);
      }),
    );
  }
  return withRetries(() => dataSource.transaction(work));
}

async function withRetries<T>(attempt: () => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= MAX_ATTEMPTS || !isTransient(error)) throw error;
      // Spread the retries of colliding transactions apart.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * n));
    }
  }
}

/** Deadlock (1213), lock wait timeout (1205), SQLite busy: the transaction was rolled back and may run again. */
export function isTransient(error: unknown): boolean {
  const e = error as { errno?: number; code?: string; driverError?: { errno?: number; code?: string } };
  const errno = e.driverError?.errno ?? e.errno;
  const code = e.driverError?.code ?? e.code;
  return errno === 1213 || errno === 1205 || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
}

/** A unique index refused the row (MariaDB 1062, SQLite constraint). */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { errno?: number; code?: string; driverError?: { errno?: number; code?: string } };
  const errno = e.driverError?.errno ?? e.errno;
  const code = e.driverError?.code ?? e.code;
  return errno === 1062 || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
