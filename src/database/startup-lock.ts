import { DataSource } from 'typeorm';

const LOCK_NAME = 'iso-cycle:start';
const WAIT_SECONDS = 600;

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
    const [row] = await runner.query('SELECT GET_LOCK(?, ?) AS taken', [LOCK_NAME, WAIT_SECONDS]);
    if (Number(row.taken) !== 1) throw new Error(`another iso-cycle process has been starting on this database for ${WAIT_SECONDS} s (lock "${LOCK_NAME}"); is one stuck?`);
    try {
      return await work();
    } finally {
      await runner.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
    }
  } finally {
    await runner.release();
  }
}
