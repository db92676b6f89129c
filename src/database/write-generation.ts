import { AfterQueryEvent, DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';

const END_OF_TRANSACTION = /^\s*(?:COMMIT|ROLLBACK)\b/i;

/**
 * A number that moves at every write to some tables, seen in the database's own traffic (every
 * statement TypeORM runs, raw SQL included, passes through `afterQuery`): an INSERT, UPDATE or DELETE
 * on one of them moves it, and so does the end (commit or rollback) of a transaction that wrote one,
 * so that a value read while the write was not yet committed (MariaDB: the old rows; SQLite's one
 * connection: the uncommitted ones) is never served afterwards. A cache keeps a value under the
 * generation its computation started in, and serves it only while that is still the current one.
 *
 * Only where this process sees every write: the embedded engine runs one application process per
 * database (a second is refused, ENGINE_LOCKED; docs/workflow-engine.md). Statements run on the
 * better-sqlite3 connection itself, outside TypeORM (the embedded engine's step writes), are not seen:
 * they write only the engine's wf_* tables.
 */
export class WriteGeneration implements EntitySubscriberInterface {
  /** Test switch: with false, writes no longer move the generation (a test proves a cache would then go stale). */
  moving = true;
  private value = 0;
  private readonly write: RegExp;
  private readonly dirty = new WeakSet<QueryRunner>();

  constructor(dataSource: DataSource, tables: readonly string[]) {
    this.write = new RegExp(`^\\s*(?:INSERT\\s+(?:IGNORE\\s+)?INTO|REPLACE\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(?:[\`"]?\\w+[\`"]?\\.)?[\`"]?(?:${tables.join('|')})[\`"]?[\\s(]`, 'i');
    dataSource.subscribers.push(this);
  }

  get current(): number {
    return this.value;
  }

  afterQuery(event: AfterQueryEvent<unknown>): void {
    if (!this.moving) return;
    const query = event.query;
    if (this.write.test(query)) {
      this.value++;
      this.dirty.add(event.queryRunner);
    } else if (this.dirty.has(event.queryRunner) && END_OF_TRANSACTION.test(query)) {
      this.value++;
      this.dirty.delete(event.queryRunner);
    }
  }
}
