import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { WorkflowError } from '../workflow-engine';
import { WfEngineLock } from './workflow.entities';

const LOCK_NAME = 'embedded-workflow-engine';

/**
 * One running embedded engine per database. The holder writes a heartbeat every `staleAfterMs / 3`.
 * A second engine refuses to start while the lock is held, unless the lock is stale: its heartbeat is
 * older than `staleAfterMs`, or its holder ran on this host and that process is gone (so a restart
 * after `kill -9` does not wait). Liveness uses the real time, never the engine's (controllable) clock.
 */
export class EngineLock {
  readonly holder = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private heartbeat: NodeJS.Timeout | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly staleAfterMs = 30_000,
    private readonly onLost: (message: string) => void = () => undefined,
  ) {}

  async acquire(): Promise<void> {
    const repo = this.dataSource.getRepository(WfEngineLock);
    const now = Date.now();
    const current = await repo.findOneBy({ name: LOCK_NAME });
    if (!current) {
      try {
        await repo.insert({ name: LOCK_NAME, holder: this.holder, heartbeatAt: now, acquiredAt: now });
      } catch {
        return this.refuse((await repo.findOneBy({ name: LOCK_NAME }))!);
      }
    } else {
      if (current.holder !== this.holder && !isStale(current, now, this.staleAfterMs)) return this.refuse(current);
      const taken = await repo.update({ name: LOCK_NAME, holder: current.holder, heartbeatAt: current.heartbeatAt }, { holder: this.holder, heartbeatAt: now, acquiredAt: now });
      if (!taken.affected) return this.refuse((await repo.findOneBy({ name: LOCK_NAME }))!);
    }
    this.heartbeat = setInterval(() => void this.beat(), Math.max(1000, Math.floor(this.staleAfterMs / 3)));
    this.heartbeat.unref();
  }

  async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.dataSource.isInitialized) await this.dataSource.getRepository(WfEngineLock).delete({ name: LOCK_NAME, holder: this.holder });
  }

  private async beat(): Promise<void> {
    try {
      const result = await this.dataSource.getRepository(WfEngineLock).update({ name: LOCK_NAME, holder: this.holder }, { heartbeatAt: Date.now() });
      if (!result.affected) this.onLost(`the embedded workflow engine lost its database lock to another process`);
    } catch {
      // The database is unreachable: the next heartbeat retries; steps fail on their own meanwhile.
    }
  }

  private refuse(current: WfEngineLock): never {
    const age = Math.round((Date.now() - current.heartbeatAt) / 1000);
    throw new WorkflowError(
      'ENGINE_LOCKED',
      `Another embedded workflow engine is running against this database (holder ${current.holder}, last heartbeat ${age} s ago). ` +
        `Only one may run: stop the other process, or wait ${Math.round(this.staleAfterMs / 1000)} s after it died for its lock to go stale.`,
    );
  }
}

function isStale(lock: WfEngineLock, now: number, staleAfterMs: number): boolean {
  if (now - lock.heartbeatAt > staleAfterMs) return true;
  const [host, pid] = lock.holder.split(':');
  if (host !== hostname() || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
