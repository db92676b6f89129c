import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Totals } from '../reports/form/aggregation';
import { ReportValues } from '../reports/form/report-values';

export type ConsolidationStatus = 'open' | 'closed';

/** One unit's report as the consolidation took it in when the period closed. */
export interface IncludedReport {
  unitId: number;
  reportId: number;
  /** "12/BC-UBND ngày 10/11/2026", or the paper report's reference. */
  reference: string;
  late: boolean;
  figures: ReportValues['figures'];
}

/** A unit the consolidation lists as late (received after its deadline) or missing at closing. */
export interface LateOrMissingUnit {
  unitId: number;
  status: 'late' | 'missing';
  /** Received on (late), or the urge letters sent (missing). */
  note: string;
}

/**
 * What the consolidation froze when the consolidator closed the period (chốt số liệu): the reports
 * it counts, their totals by each figure's aggregation, and who was late or missing. The consolidated
 * report is rendered from this, so a report that arrives later never changes it.
 */
export interface ConsolidationSnapshot {
  closedAt: string;
  formId: string;
  /** Reporting units below (the whole subtree, not the consolidating unit itself). */
  expected: number;
  /** The reports counted: the direct units' own, and through each consolidating unit below, what its snapshot counted. */
  included: IncludedReport[];
  /** Totals of `included` (the subtree, never the consolidating unit's own figures). */
  subtreeTotals: Totals;
  lateOrMissing: LateOrMissingUnit[];
  counts: { expected: number; submitted: number; onTime: number; late: number; missing: number };
}

/** The consolidation at one unit with units below it, for one cycle. */
@Entity('consolidations')
@Index(['cycleId', 'unitId'], { unique: true })
export class ConsolidationEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'cycle_id', type: 'integer' })
  cycleId!: number;

  /** The consolidating unit. */
  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'varchar', length: 16 })
  status!: ConsolidationStatus;

  /** An earlier deadline this unit sets for the units reporting to it (a district for its communes). */
  @Column({ name: 'units_deadline_at', type: 'datetime', precision: 3, nullable: true })
  unitsDeadlineAt!: Date | null;

  @Column({ name: 'process_instance_key', type: 'varchar', length: 64, nullable: true })
  processInstanceKey!: string | null;

  @Column({ name: 'closed_at', type: 'datetime', precision: 3, nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'closed_by', type: 'integer', nullable: true })
  closedBy!: number | null;

  @Column({ type: 'text', nullable: true, transformer: { to: (v: ConsolidationSnapshot | null) => (v === null || v === undefined ? null : JSON.stringify(v)), from: (v: string | null) => (v ? (JSON.parse(v) as ConsolidationSnapshot) : null) } })
  snapshot!: ConsolidationSnapshot | null;
}

/** An urge letter (công văn đôn đốc) the consolidating unit issued to its late units. */
@Entity('urge_letters')
export class UrgeLetterEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'consolidation_id', type: 'integer' })
  consolidationId!: number;

  @Column({ name: 'document_id', type: 'varchar', length: 64 })
  documentId!: string;

  @Column({ name: 'unit_ids', type: 'text', transformer: { to: (v: number[]) => JSON.stringify(v), from: (v: string) => JSON.parse(v) as number[] } })
  unitIds!: number[];

  @Column({ name: 'requested_at', type: 'datetime', precision: 3 })
  requestedAt!: Date;

  @Column({ name: 'requested_by', type: 'integer', nullable: true })
  requestedBy!: number | null;
}

/** A document the system prepares for someone else to sign: stored, never numbered (the Ministry report draft). */
@Entity('draft_documents')
export class DraftDocumentEntity {
  @Column({ type: 'varchar', length: 64, primary: true })
  id!: string;

  @Column({ name: 'cycle_id', type: 'integer' })
  cycleId!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'varchar', length: 500 })
  subject!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'integer' })
  pages!: number;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;
}
