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
}
