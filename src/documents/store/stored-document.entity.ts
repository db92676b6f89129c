import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the database document store: the file's bytes with its hash, template and data. */
@Entity('stored_documents')
export class StoredDocumentEntity {
  @PrimaryColumn({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ name: 'template_version', type: 'varchar', length: 64 })
  templateVersion!: string;

  /** The template data as JSON text, exactly as stored. */
  @Column({ type: 'text' })
  data!: string;

  @Column({ type: 'blob' })
  content!: Buffer;

  @Column({ name: 'stored_at', type: 'datetime', precision: 3 })
  storedAt!: Date;
}
