import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';

const WAIT_SECONDS = 600;

/**
 * GET_LOCK names are server-wide, not per database: the lock is named after the database, or every
 * iso-cycle on one MariaDB server (test databases, other installations) would start one at a time,
 * each waiting for the others' migrations and seeds (the soak test's restarts waited for other test
 * servers' first starts). MariaDB allows 64 characters: a long database name is hashed.
 */
export function startupLockName(database: string): string {
  const name = `iso-cycle:start:${database}`;
  return name.length <= 64 ? name : `iso-cycle:start:${createHash('sha256').update(database).digest('hex').slice(0, 40)}`;
}

/**
 * Runs a process's start-up (migrations, the first seed, resuming cycle openings) alone among the
 * application processes on one MySQL/MariaDB database, so that processes started together behind a
 * load balancer do not migrate or seed twice. A named lock (GET_LOCK) belongs to its connection: a
 * process that dies while holding it frees it at once, and it needs no table (it is taken before
 * the migrations). SQLite serves one machine's processes: nothing to do.
 */
export async function withStartupLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  if (dataSource.options.type !== 'mysql') return work();
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    const [{ name: database }] = await runner.query('SELECT DATABASE() AS name');
    const lock = startupLockName(String(database));
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS taken', [lock, WAIT_SECONDS]);
    if (Number(row.taken) !== 1) throw new Error(`another iso-cycle process has been starting on this database for ${WAIT_SECONDS} s (lock "${lock}"); is one stuck?`);
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
