import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A row of a unit's incoming register (sổ đăng ký văn bản đến), numbered per unit and year. */
@Entity('incoming_register_entries')
export class IncomingRegisterEntryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  /** The receiving unit. */
  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'integer' })
  year!: number;

  /** Số đến: gap-free per receiving unit and civil year. */
  @Column({ name: 'incoming_number', type: 'integer' })
  incomingNumber!: number;

  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ name: 'received_at', type: 'datetime', precision: 3 })
  receivedAt!: Date;

  /** Date received, YYYY-MM-DD. */
  @Column({ name: 'received_date', type: 'varchar', length: 10 })
  receivedDate!: string;

  /** The issuing unit. */
  @Column({ type: 'varchar', length: 250 })
  sender!: string;

  /** Number and symbol of the document ("12/BC-SKHCN"). */
  @Column({ type: 'varchar', length: 64 })
  symbol!: string;

  @Column({ name: 'document_date', type: 'varchar', length: 10 })
  documentDate!: string;

  @Column({ name: 'type_and_subject', type: 'varchar', length: 1100 })
  typeAndSubject!: string;

  /** Division or person handling it (filled by the receiving clerk). */
  @Column({ type: 'varchar', length: 250, nullable: true })
  handler!: string | null;

  @Column({ name: 'passed_on_date', type: 'varchar', length: 10, nullable: true })
  passedOnDate!: string | null;

  @Column({ type: 'varchar', length: 1100, nullable: true })
  notes!: string | null;
}
