import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * pending_signatures: a document whose signer signs elsewhere (USB token, remote signing service)
 * waits here between "render" and "sign", with the prepared file (ByteRange set, /Contents empty)
 * whose digest went out; the CMS that comes back is checked and embedded, then the pipeline goes on.
 * signing_credentials: the certificates and images administrators upload for people and units
 * (PKCS#12 with its passphrase encrypted, or the certificate alone for a person who signs elsewhere).
 */
export class DeferredSignaturesAndCredentials1795814161630 implements MigrationInterface {
  name = 'DeferredSignaturesAndCredentials1795814161630';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'pending_signatures',
        columns: [
          { ...col.key('document_id', 36), isPrimary: true },
          col.int('signer_person_id'),
          col.int('unit_id'),
          col.key('state', 16),
          col.blob(runner, 'prepared_pdf', false),
          col.text('byte_range', 200),
          col.key('digest', 64),
          col.blob(runner, 'certificate', false),
          col.key('certificate_sha256', 64),
          col.text('signature_area', 500),
          col.key('template_version', 64),
          col.longText(runner, 'data'),
          col.blob(runner, 'signed_pdf', true),
          col.instant('created_at'),
          col.instant('signed_at', true),
        ],
        indices: [new TableIndex({ name: 'ix_pending_signatures_signer', columnNames: ['signer_person_id', 'state'] })],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'signing_credentials',
        columns: [
          col.id(),
          col.key('owner_kind', 16),
          col.key('owner_key', 190),
          col.blob(runner, 'pkcs12', true),
          col.text('passphrase_encrypted', 1000, true),
          col.blob(runner, 'certificate', false),
          col.text('subject', 1000),
          col.text('issuer', 1000),
          col.instant('not_before'),
          col.instant('not_after'),
          col.key('fingerprint', 64),
          col.blob(runner, 'image', true),
          col.int('seal_diameter_mm', true),
          col.int('uploaded_by'),
          col.instant('uploaded_at'),
        ],
        indices: [new TableIndex({ name: 'ux_signing_credentials_owner', columnNames: ['owner_kind', 'owner_key'], isUnique: true })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('signing_credentials');
    await runner.dropTable('pending_signatures');
  }
}
