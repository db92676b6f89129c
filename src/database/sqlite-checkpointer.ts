import { Worker } from 'node:worker_threads';
import type { DataSource } from 'typeorm';

/**
 * In WAL mode SQLite copies the log back into the database file (a checkpoint) inside the commit that
 * takes the log past `wal_autocheckpoint` pages (1,000 by default), on the thread that commits. With
 * the engine's steps that was one commit in ~100 taking 5–13 ms (the copy and an fsync of the
 * database file): half of all commit time, with the event loop blocked meanwhile.
 *
 * So a thread of its own, with its own connection to the same file, runs a PASSIVE checkpoint a few
 * times a second (PASSIVE copies what no reader still needs and never waits for a lock), and the
 * application's connection keeps SQLite's own checkpoint only as a backstop, far higher, for when this
 * thread lags or has stopped. SQLite's locks make the two connections safe together; what a crash
 * keeps is unchanged (a commit is durable in the log, a checkpoint only moves it).
 */
export const CHECKPOINT_EVERY_MS = 250;
export const BACKSTOP_PAGES = 10_000;

/** Test switch: with false, no checkpointing thread is started (the application's commits checkpoint, as SQLite's default). */
export const checkpointer = { inBackground: process.env.SQLITE_CHECKPOINT_IN_BACKGROUND !== 'off' };

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = NORMAL');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // The file busy or gone (a test's folder removed): the next round, or the backstop, takes it.
  }
}, workerData.everyMs);
process.on('exit', () => (clearInterval(timer), db.close()));
`;

interface RawConnection {
  pragma(source: string): unknown;
}

/** Starts the checkpointing thread with the DataSource and stops it before the DataSource closes (file databases on better-sqlite3 only). */
export function checkpointInBackground(dataSource: DataSource): DataSource {
  if (dataSource.options.type !== 'better-sqlite3') return dataSource;
  const path = dataSource.options.database;
  if (typeof path !== 'string' || path === '' || path === ':memory:') return dataSource;
  const initialize = dataSource.initialize.bind(dataSource);
  const destroy = dataSource.destroy.bind(dataSource);
  let worker: Worker | null = null;
  dataSource.initialize = async () => {
    await initialize();
    if (!checkpointer.inBackground) return dataSource;
    const connection = (dataSource.driver as unknown as { databaseConnection: RawConnection }).databaseConnection;
    worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver: require.resolve('better-sqlite3'), everyMs: CHECKPOINT_EVERY_MS } });
    // Neither keeps the process alive nor takes it down: without the thread, the backstop still checkpoints.
    worker.unref();
    worker.on('error', () => {
      try {
        connection.pragma('wal_autocheckpoint = 1000');
      } catch {
        // already closed
      }
    });
    connection.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    return dataSource;
  };
  dataSource.destroy = async () => {
    const stopping = worker;
    worker = null;
    await stopping?.terminate();
    return destroy();
  };
  return dataSource;
}
