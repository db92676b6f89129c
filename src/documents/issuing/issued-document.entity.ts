import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Where a document stands in the issue pipeline. Every step is recorded before the next begins,
 * so that a crash resumes from the last recorded one. Rendering, signing and hashing leave no
 * record of their own: they are redone until the file is stored.
 */
export enum IssueState {
  /** Approved by the signer; no number yet. */
  Approved = 'approved',
  /** Number, symbol and date assigned. */
  Numbered = 'numbered',
  /** Rendered, signed, hashed and stored: the file exists and never changes. */
  Stored = 'stored',
  /** In the unit's outgoing register. */
  Registered = 'registered',
  /** A delivery exists for every recipient unit. */
  Sent = 'sent',
  /** Registered as incoming at every recipient unit: the pipeline is done. */
  Issued = 'issued',
  /** Could not be produced; a clerk voided it. The number stays in the register with the note. */
  Voided = 'voided',
}

export const FINAL_STATES: readonly IssueState[] = [IssueState.Issued, IssueState.Voided];

export interface Recipient {
  /** A unit of the data set that receives the document (sent and registered as incoming there). */
  unitId?: number;
  /** As printed under "Nơi nhận:" and in the register ("Sở Khoa học và Công nghệ", "Lưu: VT, TĐC"). */
  name: string;
}

@Entity('issued_documents')
@Index(['unitId', 'year', 'register', 'number'], { unique: true })
export class IssuedDocumentEntity {
  /** Chosen by the caller (e.g. the approved report version): the idempotency key of every step. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The issuing unit. */
  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  /** The numbering series (`general`; classified documents have their own). */
  @Column({ type: 'varchar', length: 32 })
  register!: string;

  /** Key of DOCUMENT_TYPES (bao-cao, cong-van…). */
  @Column({ name: 'document_type', type: 'varchar', length: 32 })
  documentType!: string;

  /** The template kind the renderer produces this document with. */
  @Column({ name: 'template_kind', type: 'varchar', length: 64 })
  templateKind!: string;

  /** Trích yếu. */
  @Column({ type: 'varchar', length: 1000 })
  subject!: string;

  /** The drafting division: closes a letter's symbol and keeps the file copy. */
  @Column({ name: 'division_id', type: 'integer', nullable: true })
  divisionId!: number | null;

  @Column({ name: 'signer_person_id', type: 'integer', nullable: true })
  signerPersonId!: number | null;

  @Column({ name: 'signer_name', type: 'varchar', length: 120 })
  signerName!: string;

  @Column({ type: 'simple-json' })
  recipients!: Recipient[];

  /** The approved content; the pipeline adds the issue facts (number, date, place) when rendering. */
  @Column({ type: 'simple-json' })
  content!: Record<string, unknown>;

  @Column({ type: 'integer' })
  copies!: number;

  /** A correction is a new document that names the one it corrects. */
  @Column({ name: 'corrects_document_id', type: 'varchar', length: 36, nullable: true })
  correctsDocumentId!: string | null;

  @Column({ type: 'varchar', length: 32 })
  state!: IssueState;

  @Column({ type: 'integer', nullable: true })
  number!: number | null;

  /** Civil year (Vietnam time) of the numbering instant: the series the number belongs to. */
  @Column({ type: 'integer', nullable: true })
  year!: number | null;

  /** "12/BC-SKHCN", "45/SKHCN-TĐC". */
  @Column({ type: 'varchar', length: 64, nullable: true })
  symbol!: string | null;

  /** Civil date of issue, YYYY-MM-DD, Vietnam time. */
  @Column({ name: 'issue_date', type: 'varchar', length: 10, nullable: true })
  issueDate!: string | null;

  @Column({ name: 'numbered_at', type: 'datetime', precision: 3, nullable: true })
  numberedAt!: Date | null;

  /** SHA-256 of the final bytes, as stored. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ type: 'integer', nullable: true })
  pages!: number | null;

  @Column({ name: 'template_version', type: 'varchar', length: 64, nullable: true })
  templateVersion!: string | null;

  @Column({ name: 'stored_at', type: 'datetime', precision: 3, nullable: true })
  storedAt!: Date | null;

  @Column({ name: 'approved_by', type: 'integer', nullable: true })
  approvedBy!: number | null;

  @Column({ name: 'approved_at', type: 'datetime', precision: 3 })
  approvedAt!: Date;

  @Column({ name: 'voided_at', type: 'datetime', precision: 3, nullable: true })
  voidedAt!: Date | null;

  @Column({ name: 'voided_by', type: 'integer', nullable: true })
  voidedBy!: number | null;

  @Column({ name: 'void_note', type: 'varchar', length: 1000, nullable: true })
  voidNote!: string | null;

  @Column({ name: 'issued_at', type: 'datetime', precision: 3, nullable: true })
  issuedAt!: Date | null;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;
}
