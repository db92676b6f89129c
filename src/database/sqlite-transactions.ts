import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource } from 'typeorm';

/**
 * TypeORM's SQLite drivers give every caller one shared connection, so two transactions started at
 * once in one process do not run side by side: the second becomes a savepoint inside the first, and
 * a rollback of either undoes the other's work. Every transaction of an SQLite DataSource is
 * therefore queued, one at a time, in the order asked. A transaction started from inside a running
 * one's callback is nested work of that transaction (a savepoint), not a second one: it runs at once.
 * MySQL/MariaDB give each transaction its own pooled connection and need none of this.
 */
const insideQueuedTransaction = new AsyncLocalStorage<true>();

interface SqliteQueue {
  tail: Promise<unknown>;
  /** Transactions queued or running. */
  busy: number;
}

const queues = new WeakMap<DataSource, SqliteQueue>();

export function serializeSqliteTransactions(dataSource: DataSource): DataSource {
  if (dataSource.options.type === 'mysql') return dataSource;
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const queue: SqliteQueue = { tail: Promise.resolve(), busy: 0 };
  queues.set(dataSource, queue);
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) => {
    if (insideQueuedTransaction.getStore()) return transaction(...args);
    return enqueue(queue, () => insideQueuedTransaction.run(true, () => transaction(...args)));
  };
  return dataSource;
}

function enqueue<T>(queue: SqliteQueue, run: () => Promise<T> | T): Promise<T> {
  queue.busy++;
  const result = queue.tail.then(run, run);
  queue.tail = result.catch(() => undefined);
  const done = () => void queue.busy--;
  result.then(done, done);
  return result;
}

/**
 * Runs `work` — synchronous work on the raw better-sqlite3 connection that opens and closes its own
 * transaction — in its turn among this DataSource's transactions: at once when none is queued or
 * running (nothing else can then hold a transaction open on the shared connection, and synchronous
 * work lets nothing in between), else after those queued before it. Null when the DataSource is not
 * a queued better-sqlite3 one, or when a transaction is open that the queue does not know of (the
 * caller then takes TypeORM's way).
 */
export function runInSqliteQueue<T>(dataSource: DataSource, work: (connection: SqliteConnection) => T): Promise<T> | null {
  const queue = queues.get(dataSource);
  if (!queue || dataSource.options.type !== 'better-sqlite3' || insideQueuedTransaction.getStore()) return null;
  const connection = (dataSource.driver as unknown as { databaseConnection?: SqliteConnection }).databaseConnection;
  if (!connection) return null;
  const attempt = () => {
    if (connection.inTransaction) throw new OpenTransactionError();
    return work(connection);
  };
  if (queue.busy === 0 && !connection.inTransaction) {
    try {
      return Promise.resolve(work(connection));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return enqueue(queue, attempt);
}

/** A transaction was open on the connection outside the queue (e.g. one TypeORM's save() opened itself). */
export class OpenTransactionError extends Error {
  constructor() {
    super('a transaction is open on the SQLite connection outside the transaction queue');
  }
}

/** What this code uses of a better-sqlite3 Database. */
export interface SqliteConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): { run(...params: unknown[]): { changes: number } };
}
