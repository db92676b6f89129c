import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A file attached to a report as evidence (minutes, decisions, scans), stored with its SHA-256. */
@Entity('report_evidence')
export class ReportEvidenceEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'report_id', type: 'integer' })
  reportId!: number;

  @Column({ name: 'file_name', type: 'varchar', length: 255 })
  fileName!: string;

  @Column({ name: 'media_type', type: 'varchar', length: 100 })
  mediaType!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'uploaded_by', type: 'integer' })
  uploadedBy!: number;

  @Column({ name: 'uploaded_at', type: 'datetime', precision: 3 })
  uploadedAt!: Date;
}
