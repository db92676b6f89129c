import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A reminder before a unit's deadline, its lateness at the deadline (the unit's head is told), or
 * the escalation to the consolidating unit some working days later.
 */
export type DeadlineAlarmKind = 'reminder' | 'deadline' | 'escalation';

/** One alarm raised for one report: unique by (report, kind, due instant), so a retried job never raises it twice. */
@Entity('deadline_alarms')
@Index(['reportId', 'kind', 'dueAt'], { unique: true })
export class DeadlineAlarmEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'report_id', type: 'integer' })
  reportId!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: DeadlineAlarmKind;

  @Column({ name: 'due_at', type: 'datetime', precision: 3 })
  dueAt!: Date;

  @Column({ name: 'raised_at', type: 'datetime', precision: 3 })
  raisedAt!: Date;

  /** People notified (in the app, and by mail where they have an address). */
  @Column({ type: 'integer' })
  notified!: number;
}
