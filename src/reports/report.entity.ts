import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ReportValues } from './form/report-values';

/**
 * Where a unit's report stands. `not-started` until the first draft is saved; `in-review` once submitted;
 * `returned` when a reviewer sends it back; `approved` by the head; `issued` when the official document exists.
 */
export type ReportStatus = 'not-started' | 'drafting' | 'in-review' | 'returned' | 'approved' | 'issued';

/** One unit's yearly report in one cycle: the working draft, its status and its process instance. */
@Entity('reports')
@Index(['cycleId', 'unitId'], { unique: true })
export class ReportEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'cycle_id', type: 'integer' })
  cycleId!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  /** The form the report was started on; it keeps it when a newer form appears. */
  @Column({ name: 'form_id', type: 'varchar', length: 64 })
  formId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: ReportStatus;

  /** The working draft (what staff edit); submitted versions are kept in report_versions. */
  @Column({ name: 'draft_values', type: 'text', transformer: { to: (v: ReportValues) => JSON.stringify(v), from: (v: string) => JSON.parse(v) } })
  draftValues!: ReportValues;

  /** Whether a division head reviews before the unit's head (configured per unit). */
  @Column({ name: 'division_review', type: 'boolean', default: false })
  divisionReview!: boolean;

  @Column({ name: 'process_instance_key', type: 'varchar', length: 64, nullable: true })
  processInstanceKey!: string | null;

  /** Number of the latest submitted version (0 before the first submission). */
  @Column({ name: 'current_version', type: 'integer', default: 0 })
  currentVersion!: number;

  @Column({ name: 'approved_version', type: 'integer', nullable: true })
  approvedVersion!: number | null;

  @Column({ name: 'issued_document_id', type: 'varchar', length: 64, nullable: true })
  issuedDocumentId!: string | null;

  @Column({ name: 'updated_at', type: 'datetime', precision: 3 })
  updatedAt!: Date;

  /** This unit's own deadline (an extension granted to it alone); null: its consolidation's or the cycle's. */
  @Column({ name: 'deadline_at', type: 'datetime', precision: 3, nullable: true })
  deadlineAt!: Date | null;

  /** Set by the engine's deadline timer when the deadline passed before the report was sent. */
  @Column({ name: 'late_since', type: 'datetime', precision: 3, nullable: true })
  lateSince!: Date | null;

  /** When the issued report reached the consolidating unit. */
  @Column({ name: 'sent_at', type: 'datetime', precision: 3, nullable: true })
  sentAt!: Date | null;

  /** It arrived after the consolidating unit closed its period: registered and flagged, never consolidated. */
  @Column({ name: 'received_after_close', type: 'boolean', default: false })
  receivedAfterClose!: boolean;

  /** Received on paper and entered on the unit's behalf (nhập hộ), its scan attached as evidence. */
  @Column({ name: 'on_paper', type: 'boolean', default: false })
  onPaper!: boolean;

  /** Number, symbol and date as printed on the paper report (e.g. "45/BC-UBND ngày 12/11/2026"). */
  @Column({ name: 'paper_reference', type: 'varchar', length: 255, nullable: true })
  paperReference!: string | null;

  /** The instance of the report's deadline watch (processes/report-deadline.bpmn). */
  @Column({ name: 'deadline_watch_key', type: 'varchar', length: 64, nullable: true })
  deadlineWatchKey!: string | null;
}
