import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type CycleStatus = 'open' | 'closed';

/**
 * A yearly reporting cycle on one data set. It keeps the data set it opened with; its deadline is an
 * instant (on time through 14/11 23:59 Vietnam time by default) and its data period a pair of civil dates.
 */
@Entity('cycles')
@Index(['dataSetId', 'year'], { unique: true })
export class CycleEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'integer' })
  year!: number;

  @Column({ name: 'data_set_id', type: 'varchar', length: 64 })
  dataSetId!: string;

  /** Reports that arrive after this instant are late. */
  @Column({ name: 'deadline_at', type: 'datetime', precision: 3 })
  deadlineAt!: Date;

  /** First and last civil day (YYYY-MM-DD) the figures cover. */
  @Column({ name: 'period_start', type: 'varchar', length: 10 })
  periodStart!: string;

  @Column({ name: 'period_end', type: 'varchar', length: 10 })
  periodEnd!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: CycleStatus;

  @Column({ name: 'opened_at', type: 'datetime', precision: 3 })
  openedAt!: Date;

  @Column({ name: 'opened_by', type: 'integer', nullable: true })
  openedBy!: number | null;

  /**
   * Reminders go out this many working days before a unit's deadline (e.g. [5, 1]; stored "5,1").
   * TypeORM also runs `from` on the in-memory value after a save, hence the array case.
   */
  @Column({ name: 'reminder_offsets', type: 'varchar', length: 64, default: '5,1', transformer: { to: (v: number[] | undefined) => v?.join(','), from: (v: string | number[]) => (Array.isArray(v) ? v : v === '' ? [] : v.split(',').map(Number)) } })
  reminderOffsets!: number[];

  /** Working days after a unit's deadline before its lateness is escalated to the consolidating unit. */
  @Column({ name: 'escalation_days', type: 'integer', default: 2 })
  escalationDays!: number;
}
