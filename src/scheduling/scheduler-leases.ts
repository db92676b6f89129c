import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { writeTransaction } from '../database/write-transaction';
import { ConflictError } from '../shared/errors';
import { SchedulerLeaseEntity } from './scheduler-lease.entity';

/** Kinds of work that run in one application process at a time. */
export const MAIL_OUTBOX_LEASE = 'mail-outbox';
export const CYCLE_OPENING_LEASE = 'cycle-opening';

/** Work under a lease: `lost` turns true when a renewal failed (another process may have taken over), so long work can stop between items. */
export interface LeaseTurn {
  readonly lost: boolean;
}

/**
 * Leases in `scheduler_leases`, so that work which must run once across several application
 * processes on one database (behind a load balancer, with the zeebe engine) runs in one of them at a
 * time. A lease is taken or renewed with one conditional UPDATE (`WHERE holder = me OR expires_at <=
 * now`): of two processes racing for an expired lease exactly one changes the row. The holder renews
 * it every `ttl / 3` while it works; a holder that dies (SIGKILL, a lost machine) stops renewing and
 * another process takes over once the lease has expired. Liveness uses each process's real time
 * (not the application clock, which tests move), so the machines' clocks must agree (NTP) to well
 * within the lease's length (`SCHEDULER_LEASE_SECONDS`, default 30).
 */
@Injectable()
export class SchedulerLeases {
  private readonly logger = new Logger(SchedulerLeases.name);
  /** This process, as it appears in `holder`. */
  readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly ensured = new Set<string>();
  private readonly queues = new Map<string, Promise<unknown>>();
  readonly ttlMs: number;

  constructor(
    private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.ttlMs = config.schedulerLeaseMs;
  }

  /** Takes the lease, or renews it when this process holds it; false when another process holds it and it has not expired. */
  async take(name: string): Promise<boolean> {
    await this.ensureRow(name);
    const now = new Date();
    return writeTransaction(this.dataSource, async (manager) => {
      // acquired_at first: MySQL evaluates a single-table UPDATE's assignments left to right.
      const changed = await this.execute(
        manager,
        `UPDATE scheduler_leases SET acquired_at = CASE WHEN holder = :me THEN acquired_at ELSE :now END, holder = :me, expires_at = :expires, renewed_at = :now
          WHERE name = :name AND (holder = :me OR expires_at <= :now)`,
        { me: this.holder, now, expires: new Date(now.getTime() + this.ttlMs), name },
      );
      return changed === 1;
    });
  }

  /** Gives the lease up at once (a clean stop), so another process need not wait for it to expire. */
  async release(name: string): Promise<void> {
    await writeTransaction(this.dataSource, (manager) =>
      this.execute(manager, 'UPDATE scheduler_leases SET expires_at = :now WHERE name = :name AND holder = :me', { now: new Date(0), name, me: this.holder }),
    );
  }

  /** The lease's row as it stands (null before anyone asked for it). */
  current(name: string): Promise<SchedulerLeaseEntity | null> {
    return this.dataSource.getRepository(SchedulerLeaseEntity).findOneBy({ name });
  }

  /**
   * Runs `work` if this process holds (or now takes) the lease, renewing it every `ttl / 3` until the
   * work is done; returns false without running it when another process holds the lease.
   */
  async whileHeld(name: string, work: (turn: LeaseTurn) => Promise<void>): Promise<boolean> {
    if (!(await this.take(name))) return false;
    const turn = { lost: false };
    const heartbeat = setInterval(() => {
      this.take(name)
        .then((held) => {
          if (!held && !turn.lost) this.logger.warn(`lease ${name} was taken by another process`);
          if (!held) turn.lost = true;
        })
        .catch((error) => this.logger.warn(`lease ${name} not renewed: ${(error as Error).message}`));
    }, Math.max(100, Math.floor(this.ttlMs / 3)));
    heartbeat.unref();
    try {
      await work(turn);
    } finally {
      clearInterval(heartbeat);
    }
    return true;
  }

  /**
   * Runs `work` alone across processes: waits up to `waitMs` for the lease (polling), holds it while
   * the work runs, releases it afterwards. Refused with a ConflictError when it stays taken.
   */
  async exclusive<T>(name: string, waitMs: number, work: (turn: LeaseTurn) => Promise<T>): Promise<T> {
    // The lease tells processes apart, not calls of one process: those queue here first.
    const before = this.queues.get(name) ?? Promise.resolve();
    const mine = before.then(() => this.exclusiveAcrossProcesses(name, waitMs, work));
    this.queues.set(name, mine.catch(() => undefined));
    return mine;
  }

  private async exclusiveAcrossProcesses<T>(name: string, waitMs: number, work: (turn: LeaseTurn) => Promise<T>): Promise<T> {
    const until = Date.now() + waitMs;
    for (;;) {
      let result: { value: T } | undefined;
      const ran = await this.whileHeld(name, async (turn) => {
        try {
          result = { value: await work(turn) };
        } finally {
          await this.release(name).catch((error) => this.logger.warn(`lease ${name} not released: ${(error as Error).message}`));
        }
      });
      if (ran) return result!.value;
      if (Date.now() >= until) {
        const holder = (await this.current(name))?.holder ?? 'unknown';
        throw new ConflictError(`Một tiến trình khác đang thực hiện việc này (${name}, ${holder}); vui lòng thử lại sau`, 'busy');
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private async ensureRow(name: string): Promise<void> {
    if (this.ensured.has(name)) return;
    const epoch = new Date(0);
    await this.dataSource.createQueryBuilder().insert().into(SchedulerLeaseEntity).values({ name, holder: '', expiresAt: epoch, acquiredAt: epoch, renewedAt: epoch }).orIgnore().execute();
    this.ensured.add(name);
  }

  /** A write with named parameters, through the driver's own escaping (dates as each database stores them); returns the rows changed. */
  private async execute(manager: EntityManager, sql: string, parameters: Record<string, unknown>): Promise<number> {
    const [query, values] = this.dataSource.driver.escapeQueryWithParameters(sql, parameters, {});
    const result = await manager.queryRunner!.query(query, values, true);
    return Number(result.affected ?? 0);
  }
}
