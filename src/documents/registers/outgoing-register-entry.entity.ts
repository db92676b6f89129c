import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A row of the outgoing register (sổ đăng ký văn bản đi, Decree 30/2020 Appendix IV), one per
 * number given, voided numbers included. Columns (1)–(10) as the register prints them.
 */
@Entity('outgoing_register_entries')
export class OutgoingRegisterEntryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'integer' })
  year!: number;

  @Column({ type: 'varchar', length: 32 })
  register!: string;

  @Column({ type: 'integer' })
  number!: number;

  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  /** (1) number and symbol. */
  @Column({ type: 'varchar', length: 64 })
  symbol!: string;

  /** (2) date of the document, YYYY-MM-DD. */
  @Column({ name: 'issue_date', type: 'varchar', length: 10 })
  issueDate!: string;

  /** (3) type and subject. */
  @Column({ name: 'type_and_subject', type: 'varchar', length: 1100 })
  typeAndSubject!: string;

  /** (4) signer. */
  @Column({ type: 'varchar', length: 120 })
  signer!: string;

  /** (5) recipients, as listed under "Nơi nhận". */
  @Column({ type: 'varchar', length: 2000 })
  recipients!: string;

  /** (6) division or person keeping the file copy. */
  @Column({ name: 'file_keeper', type: 'varchar', length: 250 })
  fileKeeper!: string;

  /** (7) number of copies. */
  @Column({ type: 'integer' })
  copies!: number;

  /** (8) date sent, YYYY-MM-DD; null until sent. Column (9), the receiver's signature, is signed on paper. */
  @Column({ name: 'sent_date', type: 'varchar', length: 10, nullable: true })
  sentDate!: string | null;

  /** (10) notes: a voided number says so here. */
  @Column({ type: 'varchar', length: 1100, nullable: true })
  notes!: string | null;

  @Column({ name: 'registered_at', type: 'datetime', precision: 3 })
  registeredAt!: Date;
}
