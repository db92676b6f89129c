import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Whose credential: a person (keyed by login) or a unit (keyed by `<unit code>@<data set>`). */
export type CredentialOwnerKind = 'person' | 'unit';

/**
 * A signing certificate an administrator uploaded, with the signature image (a person) or the
 * seal (a unit). With a PKCS#12 file the server signs (its passphrase stored encrypted with
 * SIGNING_SECRET); with the certificate alone the person signs elsewhere (deferred signer).
 */
@Entity('signing_credentials')
export class SigningCredentialEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'owner_kind', type: 'varchar', length: 16 })
  ownerKind!: CredentialOwnerKind;

  @Column({ name: 'owner_key', type: 'varchar', length: 190 })
  ownerKey!: string;

  @Column({ type: 'blob', nullable: true })
  pkcs12!: Buffer | null;

  /** AES-256-GCM under SIGNING_SECRET: iv.tag.ciphertext, base64. Never returned, never logged. */
  @Column({ name: 'passphrase_encrypted', type: 'varchar', length: 1000, nullable: true })
  passphraseEncrypted!: string | null;

  /** The signer certificate, DER. */
  @Column({ type: 'blob' })
  certificate!: Buffer;

  @Column({ type: 'varchar', length: 1000 })
  subject!: string;

  @Column({ type: 'varchar', length: 1000 })
  issuer!: string;

  @Column({ name: 'not_before', type: 'datetime', precision: 3 })
  notBefore!: Date;

  @Column({ name: 'not_after', type: 'datetime', precision: 3 })
  notAfter!: Date;

  /** SHA-256 of the certificate, hex. */
  @Column({ type: 'varchar', length: 64 })
  fingerprint!: string;

  /** Signature image (person) or seal (unit), PNG. */
  @Column({ type: 'blob', nullable: true })
  image!: Buffer | null;

  @Column({ name: 'seal_diameter_mm', type: 'integer', nullable: true })
  sealDiameterMm!: number | null;

  @Column({ name: 'uploaded_by', type: 'integer' })
  uploadedBy!: number;

  @Column({ name: 'uploaded_at', type: 'datetime', precision: 3 })
  uploadedAt!: Date;
}
