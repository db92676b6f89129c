import { Injectable } from '@nestjs/common';
import { AfterQueryEvent, DataSource, EntitySubscriberInterface, QueryRunner } from 'typeorm';
import { AppConfig } from '../config/app-config';

/**
 * The tables a consolidation's progress and its totals so far are computed from: any write to one of
 * them may change what the dashboard shows (a report's status, a sending, a paper report, a unit's or
 * the cycle's deadline, a closing and its snapshot, an issued document's number, a unit's name).
 */
const PROGRESS_TABLES = ['reports', 'report_versions', 'consolidations', 'cycles', 'units', 'issued_documents', 'urge_letters'];
const WRITE = new RegExp(`^\\s*(?:INSERT\\s+(?:IGNORE\\s+)?INTO|REPLACE\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+(?:[\`"]?\\w+[\`"]?\\.)?[\`"]?(?:${PROGRESS_TABLES.join('|')})[\`"]?[\\s(]`, 'i');
const END_OF_TRANSACTION = /^\s*(?:COMMIT|ROLLBACK)\b/i;

interface Entry<T> {
  generation: number;
  value: Promise<T>;
}

/**
 * Consolidation progress per consolidation, kept until the next write that may change it, so that 50
 * people watching a dashboard do not each recompute 10,000 units' standing and the totals so far.
 *
 * Invalidation is by generation, from the database's own traffic (every statement TypeORM runs, raw
 * SQL included, passes through `afterQuery`): an INSERT, UPDATE or DELETE on one of the tables above
 * moves the generation, and so does the end (commit or rollback) of a transaction that wrote one, so
 * a computation that read while the write was not yet committed (MariaDB: the old rows; SQLite's one
 * connection: the uncommitted ones) is never served afterwards. A computation is kept under the
 * generation it started in, and served only while that is still the current one; computations in
 * flight are shared by the requests that arrive meanwhile. Statements run on the better-sqlite3
 * connection itself, outside TypeORM (the embedded engine's step writes, runInSqliteQueue), are not
 * seen: they write only the engine's wf_* tables, synchronously, and must stay so.
 *
 * Only where this process sees every write: the embedded engine runs one application process per
 * database (a second is refused, ENGINE_LOCKED; docs/workflow-engine.md). With Camunda 8 several
 * processes may write the same database, and a process's cache would not see the others' writes: there
 * progress is computed per request. (A command run beside a serving process that writes these tables
 * without the engine, `iso-cycle seed` re-importing unit names, is seen at the server's next own write.)
 */
@Injectable()
export class ProgressCache implements EntitySubscriberInterface {
  readonly enabled: boolean;
  /** Test switch: with false, writes no longer invalidate (a test proves the cache would then go stale). */
  invalidating = true;
  private generation = 0;
  private readonly entries = new Map<string | number, Entry<unknown>>();
  private readonly dirty = new WeakSet<QueryRunner>();

  constructor(dataSource: DataSource, config: AppConfig) {
    this.enabled = config.workflowEngine === 'embedded';
    if (this.enabled) dataSource.subscribers.push(this);
  }

  afterQuery(event: AfterQueryEvent<unknown>): void {
    if (!this.invalidating) return;
    const query = event.query;
    if (WRITE.test(query)) {
      this.generation++;
      this.dirty.add(event.queryRunner);
    } else if (this.dirty.has(event.queryRunner) && END_OF_TRANSACTION.test(query)) {
      this.generation++;
      this.dirty.delete(event.queryRunner);
    }
  }

  /** The value kept for this key if no relevant write happened since it was computed; computed otherwise. */
  get<T>(key: string | number, compute: () => Promise<T>): Promise<T> {
    if (!this.enabled) return compute();
    const kept = this.entries.get(key) as Entry<T> | undefined;
    if (kept && kept.generation === this.generation) return kept.value;
    const entry: Entry<T> = { generation: this.generation, value: compute() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}
