import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { WriteGeneration } from '../database/write-generation';

/**
 * The tables a consolidation's progress and its totals so far are computed from: any write to one of
 * them may change what the dashboard shows (a report's status, a sending, a paper report, a unit's or
 * the cycle's deadline, a closing and its snapshot, an issued document's number, a unit's name).
 */
const PROGRESS_TABLES = ['reports', 'report_versions', 'consolidations', 'cycles', 'units', 'issued_documents', 'urge_letters'];

interface Entry<T> {
  generation: number;
  value: Promise<T>;
}

/**
 * Consolidation progress per consolidation, kept until the next write that may change it, so that 50
 * people watching a dashboard do not each recompute 10,000 units' standing and the totals so far.
 *
 * Invalidation is by generation (WriteGeneration): any write to one of the tables above, and the end
 * of a transaction that wrote one, means the next reader computes again. Computations in flight are
 * shared by the requests that arrive meanwhile.
 *
 * Only where this process sees every write (the embedded engine). With Camunda 8 several processes
 * may write the same database, and a process's cache would not see the others' writes: there progress
 * is computed per request. (A command run beside a serving process that writes these tables
 * without the engine, `iso-cycle seed` re-importing unit names, is seen at the server's next own write.)
 */
@Injectable()
export class ProgressCache {
  readonly enabled: boolean;
  private readonly generation: WriteGeneration | null;
  private readonly entries = new Map<string | number, Entry<unknown>>();

  constructor(dataSource: DataSource, config: AppConfig) {
    this.enabled = config.workflowEngine === 'embedded';
    this.generation = this.enabled ? new WriteGeneration(dataSource, PROGRESS_TABLES) : null;
  }

  /** Test switch: with false, writes no longer invalidate (a test proves the cache would then go stale). */
  set invalidating(on: boolean) {
    if (this.generation) this.generation.moving = on;
  }

  /** The value kept for this key if no relevant write happened since it was computed; computed otherwise. */
  get<T>(key: string | number, compute: () => Promise<T>): Promise<T> {
    if (!this.generation) return compute();
    const kept = this.entries.get(key) as Entry<T> | undefined;
    if (kept && kept.generation === this.generation.current) return kept.value;
    const entry: Entry<T> = { generation: this.generation.current, value: compute() };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }
}
