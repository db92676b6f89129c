import { Column, Entity, PrimaryColumn } from 'typeorm';

export type RegisterKind = 'outgoing' | 'incoming';

/** A register closed at year end: its cover (from/to number and date) is fixed from then on. */
@Entity('register_closings')
export class RegisterClosingEntity {
  @PrimaryColumn({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @PrimaryColumn({ name: 'register_kind', type: 'varchar', length: 16 })
  registerKind!: RegisterKind;

  @PrimaryColumn({ type: 'integer' })
  year!: number;

  @Column({ name: 'entry_count', type: 'integer' })
  entryCount!: number;

  @Column({ name: 'first_number', type: 'integer', nullable: true })
  firstNumber!: number | null;

  @Column({ name: 'last_number', type: 'integer', nullable: true })
  lastNumber!: number | null;

  @Column({ name: 'first_date', type: 'varchar', length: 10, nullable: true })
  firstDate!: string | null;

  @Column({ name: 'last_date', type: 'varchar', length: 10, nullable: true })
  lastDate!: string | null;

  @Column({ name: 'closed_at', type: 'datetime', precision: 3 })
  closedAt!: Date;

  @Column({ name: 'closed_by', type: 'integer' })
  closedBy!: number;
}
