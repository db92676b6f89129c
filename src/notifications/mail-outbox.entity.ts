import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * - `pending`: to send when `next_attempt_at` has come (a dispatcher that takes the row moves
 *   `next_attempt_at` forward first, so a crash in the middle of a send only delays the retry);
 * - `sent`: the mail transport accepted it (never sent again);
 * - `failed`: every attempt failed, or the address was refused for good.
 */
export type OutgoingMailStatus = 'pending' | 'sent' | 'failed';

/** One e-mail to send, written in the same transaction as its notification: the outbox. */
@Entity('mail_outbox')
@Index(['dedupeKey', 'personId'], { unique: true })
export class OutgoingMailEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'person_id', type: 'integer' })
  personId!: number;

  @Column({ name: 'notification_id', type: 'integer', nullable: true })
  notificationId!: number | null;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 190 })
  dedupeKey!: string;

  @Column({ name: 'to_address', type: 'varchar', length: 254 })
  toAddress!: string;

  @Column({ type: 'varchar', length: 300 })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: OutgoingMailStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'datetime', precision: 3 })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'varchar', length: 1000, nullable: true })
  lastError!: string | null;

  /** The adapter that took it (`smtp`, `none`). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  transport!: string | null;

  /** The Message-ID the mail carried (stable across retries, so a receiver can drop a duplicate). */
  @Column({ name: 'message_id', type: 'varchar', length: 255, nullable: true })
  messageId!: string | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt!: Date | null;
}
