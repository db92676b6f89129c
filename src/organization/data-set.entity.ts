import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One organisation data set: a province's hierarchy at a point in time (e.g. quang-ngai-2025). */
@Entity('data_sets')
export class DataSetEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 500 })
  title!: string;

  /** Where the data came from, as the file says: kept for audit. */
  @Column({ type: 'text' })
  source!: string;

  /** SHA-256 of the imported file's canonical content. */
  @Column({ name: 'content_sha256', type: 'varchar', length: 64 })
  contentSha256!: string;

  @Column({ name: 'imported_at', type: 'datetime', precision: 3 })
  importedAt!: Date;
}
