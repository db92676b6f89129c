import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The last number given in one series: per issuing unit, civil year (Vietnam time) and register.
 * Its row is the lock every numbering transaction of the series takes.
 */
@Entity('document_number_counters')
export class NumberCounterEntity {
  @PrimaryColumn({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @PrimaryColumn({ type: 'integer' })
  year!: number;

  /** The series: `general` for ordinary documents, `incoming` for incoming registers, `classified`… */
  @PrimaryColumn({ type: 'varchar', length: 32 })
  register!: string;

  @Column({ name: 'last_number', type: 'integer' })
  lastNumber!: number;
}
