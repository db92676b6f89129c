import { Column, Entity, PrimaryColumn } from 'typeorm';
import { SignatureArea } from './signature-area';

export type PendingSignatureState = 'awaiting' | 'signed';

/**
 * A document waiting for its signer's signature made elsewhere (USB token, remote signing service):
 * the prepared file whose digest went out, kept until the CMS comes back. Written once per document
 * (the digest handed out never changes); `signed_pdf` holds the file with the person's signature.
 */
@Entity('pending_signatures')
export class PendingSignatureEntity {
  @PrimaryColumn({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ name: 'signer_person_id', type: 'integer' })
  signerPersonId!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: PendingSignatureState;

  /** The file with the person's signature field, /ByteRange set and /Contents empty. */
  @Column({ name: 'prepared_pdf', type: 'blob' })
  preparedPdf!: Buffer;

  @Column({ name: 'byte_range', type: 'simple-json' })
  byteRange!: [number, number, number, number];

  /** SHA-256 (hex) of the signed byte ranges: what the token signs (inside the signed attributes). */
  @Column({ type: 'varchar', length: 64 })
  digest!: string;

  /** DER of the certificate registered for the person when the file was prepared (the signed attributes name it). */
  @Column({ type: 'blob' })
  certificate!: Buffer;

  /** SHA-256 (hex) of the certificate the person must sign with (the one an administrator registered). */
  @Column({ name: 'certificate_sha256', type: 'varchar', length: 64 })
  certificateSha256!: string;

  @Column({ name: 'signature_area', type: 'simple-json' })
  signatureArea!: SignatureArea;

  @Column({ name: 'template_version', type: 'varchar', length: 64 })
  templateVersion!: string;

  /** The template data, as the store keeps it with the file. */
  @Column({ type: 'simple-json' })
  data!: Record<string, unknown>;

  @Column({ name: 'signed_pdf', type: 'blob', nullable: true })
  signedPdf!: Buffer | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'signed_at', type: 'datetime', precision: 3, nullable: true })
  signedAt!: Date | null;
}
