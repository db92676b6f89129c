import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { writeTransaction } from '../database/write-transaction';
import { MAIL_OUTBOX_LEASE, SchedulerLeases } from '../scheduling/scheduler-leases';
import { Clock } from '../shared/clock';
import { OutgoingMailEntity } from './mail-outbox.entity';
import { MailRejectedError, MailSender } from './mail-sender';
import { outboxMessageId } from './notifier';

/** How often the outbox is looked at for mails that are due. */
export const OUTBOX_POLL_MS = 3_000;
/** A taken mail is not taken again before this, unless its sender records the outcome: a crash mid-send delays the retry by this much. */
export const OUTBOX_LEASE_MS = 10 * 60_000;
/** Attempts before a mail is given up as failed; retries wait 1, 2, 4 … minutes, at most an hour. */
export const OUTBOX_MAX_ATTEMPTS = 8;
const BATCH = 20;

export function retryDelayMs(attempts: number): number {
  return Math.min(60 * 60_000, 60_000 * 2 ** Math.max(0, attempts - 1));
}

export interface DispatchResult {
  sent: number;
  retrying: number;
  failed: number;
}

/**
 * Sends the outbox's due mails, at least once each, after the transactions that wrote them have
 * committed (it only sees committed rows). A mail is taken by moving its next attempt one lease
 * ahead (a conditional UPDATE, so two processes never take the same row), then sent, then recorded
 * `sent`; a failure schedules a retry with backoff, a permanent refusal or the last attempt records
 * `failed`. A crash after the send but before the record sends that mail again after the lease,
 * with the same Message-ID; a mail recorded `sent` is never sent again. Started by AppRuntime.
 *
 * With several application processes on one database only the holder of the `mail-outbox` lease
 * polls (SchedulerLeases; another takes over when it dies); the per-mail take still holds if two
 * ever poll at once (a holder stalled past its lease).
 */
@Injectable()
export class MailOutboxDispatcher implements OnModuleDestroy {
  private readonly logger = new Logger('MailOutbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  private started = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly sender: MailSender,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly leases: SchedulerLeases,
  ) {}

  /** Polls the outbox until the application stops, while this process holds the `mail-outbox` lease. */
  start(): void {
    if (this.timer || this.stopped) return;
    this.started = true;
    const tick = async () => {
      this.running = this.leases
        .whileHeld(MAIL_OUTBOX_LEASE, (turn) => this.dispatchDue(turn).then(() => undefined))
        .catch((error) => this.logger.error(`outbox dispatch failed: ${(error as Error).message}`));
      await this.running;
      // Often enough that the holder renews its lease between rounds too.
      if (!this.stopped) this.timer = setTimeout(tick, Math.min(OUTBOX_POLL_MS, Math.floor(this.leases.ttlMs / 3))).unref();
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  /** Sends every mail due now (in batches), and says what became of them. */
  async dispatchDue(turn: { readonly lost: boolean } = { lost: false }): Promise<DispatchResult> {
    const result: DispatchResult = { sent: 0, retrying: 0, failed: 0 };
    for (;;) {
      const due = await this.dataSource.getRepository(OutgoingMailEntity).find({
        where: { status: 'pending', nextAttemptAt: LessThanOrEqual(this.clock.now()) },
        order: { nextAttemptAt: 'ASC', id: 'ASC' },
        take: BATCH,
        select: ['id'],
      });
      if (due.length === 0 || this.stopped || turn.lost) return result;
      for (const mail of await this.takeMails(due.map(({ id }) => id), this.clock.now())) {
        // Taken but not sent (the process stops, the lease moved on): sent after the lease, as after a crash.
        if (this.stopped || turn.lost) return result;
        result[await this.dispatchOne(mail)]++;
      }
    }
  }

  private async dispatchOne(mail: OutgoingMailEntity): Promise<keyof DispatchResult> {
    const id = mail.id;
    const messageId = outboxMessageId(mail, this.config.mail.from);
    try {
      const receipt = await this.sender.send({ to: mail.toAddress, subject: mail.subject, text: mail.body, messageId });
      await writeTransaction(this.dataSource, (m) => m.update(OutgoingMailEntity, { id }, { status: 'sent', sentAt: this.clock.now(), transport: receipt.transport, messageId: receipt.messageId, lastError: null }));
      return 'sent';
    } catch (error) {
      const message = `${(error as Error).message ?? error}`.slice(0, 1000);
      const final = error instanceof MailRejectedError || mail.attempts >= OUTBOX_MAX_ATTEMPTS;
      await writeTransaction(this.dataSource, (m) =>
        m.update(OutgoingMailEntity, { id }, final ? { status: 'failed', lastError: message, messageId } : { nextAttemptAt: new Date(this.clock.now().getTime() + retryDelayMs(mail.attempts)), lastError: message, messageId }),
      );
      this.logger.warn(`mail ${id} to ${mail.toAddress}: ${final ? 'failed' : `attempt ${mail.attempts} failed, will retry`}: ${message}`);
      return final ? 'failed' : 'retrying';
    }
  }

  /**
   * Takes the due mails for this sender, in one transaction (those another took first are left out):
   * each one's next attempt moves one lease ahead in a conditional UPDATE.
   */
  private takeMails(ids: number[], now: Date): Promise<OutgoingMailEntity[]> {
    return writeTransaction(this.dataSource, async (manager) => {
      const taken: OutgoingMailEntity[] = [];
      for (const id of ids) {
        const update = await manager
          .createQueryBuilder()
          .update(OutgoingMailEntity)
          .set({ nextAttemptAt: new Date(now.getTime() + OUTBOX_LEASE_MS), attempts: () => 'attempts + 1' })
          .where('id = :id AND status = :status AND next_attempt_at <= :now', { id, status: 'pending', now })
          .execute();
        if (update.affected === 1) taken.push(await manager.findOneByOrFail(OutgoingMailEntity, { id }));
      }
      return taken;
    });
  }

  /** Before the database closes: no new round, the current one finished, connections released. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    // A clean stop hands the sending to another process at once instead of after the lease.
    if (this.started) await this.leases.release(MAIL_OUTBOX_LEASE).catch(() => undefined);
    await this.sender.close();
  }
}
