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

export function serializeSqliteTransactions(dataSource: DataSource): DataSource {
  if (dataSource.options.type === 'mysql') return dataSource;
  const manager = dataSource.manager;
  const transaction = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (manager as { transaction: unknown }).transaction = (...args: unknown[]) => {
    if (insideQueuedTransaction.getStore()) return transaction(...args);
    const run = () => insideQueuedTransaction.run(true, () => transaction(...args));
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };
  return dataSource;
}
