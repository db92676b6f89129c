import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { ReportValues } from './form/report-values';

/** A submitted version of a report, kept forever: reviews attach to it and diffs compare them. */
@Entity('report_versions')
@Index(['reportId', 'versionNo'], { unique: true })
export class ReportVersionEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'report_id', type: 'integer' })
  reportId!: number;

  @Column({ name: 'version_no', type: 'integer' })
  versionNo!: number;

  @Column({ type: 'text', transformer: { to: (v: ReportValues) => JSON.stringify(v), from: (v: string) => JSON.parse(v) } })
  values!: ReportValues;

  @Column({ name: 'submitted_by', type: 'integer' })
  submittedBy!: number;

  @Column({ name: 'submitted_at', type: 'datetime', precision: 3 })
  submittedAt!: Date;
}
