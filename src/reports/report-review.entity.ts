import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ReviewStage = 'division' | 'head';
export type ReviewDecision = 'approved' | 'returned';

/** A reviewer's decision on one submitted version, with the comments that go back to staff. */
@Entity('report_reviews')
export class ReportReviewEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'report_id', type: 'integer' })
  reportId!: number;

  @Column({ name: 'version_no', type: 'integer' })
  versionNo!: number;

  @Column({ type: 'varchar', length: 16 })
  stage!: ReviewStage;

  @Column({ type: 'varchar', length: 16 })
  decision!: ReviewDecision;

  @Column({ type: 'text' })
  comment!: string;

  @Column({ name: 'reviewer_id', type: 'integer' })
  reviewerId!: number;

  @Column({ name: 'decided_at', type: 'datetime', precision: 3 })
  decidedAt!: Date;
}
