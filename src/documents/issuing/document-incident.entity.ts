import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export enum IncidentResolution {
  /** The clerk had the cause fixed and the pipeline retried. */
  Retried = 'retried',
  /** The clerk voided the document; its number stays in the register with the note. */
  Voided = 'voided',
}

/** A document that could not be produced after its retries: it waits for a clerk. */
@Entity('document_incidents')
export class DocumentIncidentEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  /** The step that kept failing (render, sign, store…). */
  @Column({ type: 'varchar', length: 32 })
  step!: string;

  @Column({ type: 'varchar', length: 2000 })
  message!: string;

  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'opened_at', type: 'datetime', precision: 3 })
  openedAt!: Date;

  @Column({ name: 'resolved_at', type: 'datetime', precision: 3, nullable: true })
  resolvedAt!: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution!: IncidentResolution | null;

  @Column({ name: 'resolved_by', type: 'integer', nullable: true })
  resolvedBy!: number | null;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  note!: string | null;
}
