import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who runs a kind of once-across-processes work now, and until when unless renewed (SchedulerLeases). */
@Entity('scheduler_leases')
export class SchedulerLeaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  /** `host:pid:random` of the holding process. */
  @Column({ type: 'varchar', length: 200 })
  holder!: string;

  @Column({ name: 'expires_at', type: 'datetime', precision: 3 })
  expiresAt!: Date;

  @Column({ name: 'acquired_at', type: 'datetime', precision: 3 })
  acquiredAt!: Date;

  @Column({ name: 'renewed_at', type: 'datetime', precision: 3 })
  renewedAt!: Date;
}
