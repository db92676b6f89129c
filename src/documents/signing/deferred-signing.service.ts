import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PersonEntity } from '../../organization/person.entity';
import { Clock } from '../../shared/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { verifyDetachedCms } from '../../signing/cms-verification';
import { assemblePadesCms, padesSignedAttributes, signedAttributesDer } from '../../signing/pades-cms';
import { writeTransaction } from '../../database/write-transaction';
import { AuditTrail } from '../../audit/audit-trail.service';
import { DocumentIncidentError, IssuePipeline } from '../issuing/issue-pipeline';
import { IssuedDocumentEntity } from '../issuing/issued-document.entity';
import { embedSignature } from './pdf-signature';
import { PendingSignatureEntity } from './pending-signature.entity';

/** What the signer's token or signing service needs to sign one document. */
export interface SignatureToMake {
  documentId: string;
  symbol: string | null;
  subject: string;
  state: 'awaiting' | 'signed';
  /** SHA-256 of the PDF's signed byte ranges, base64: what a CMS-producing service signs (detached). */
  digest: string;
  digestAlgorithm: 'SHA-256';
  byteRange: [number, number, number, number];
  /** DER of the PAdES signed attributes over the digest for the registered certificate, base64: what a raw-signature token signs. */
  signedAttributes: string;
  /** SHA-256 of the certificate the signature must be made with, hex. */
  certificateSha256: string;
  createdAt: string;
}

/** What comes back: a CMS SignedData (detached, base64), or a raw signature over `signedAttributes` (base64). */
export interface SignatureReturned {
  cms?: string;
  signature?: string;
}

/** Told once a signature made elsewhere is embedded and the document went on (the report process completes its "Ký số" task). */
export type SignedListener = (documentId: string, signer: PersonEntity) => Promise<void>;

const invalid = (message: string) => ValidationFailedError.field('cms', 'signature-invalid', message);

/**
 * The deferred signer's server side: the signer (and no one else) reads the digest of a document
 * waiting for them, their USB token or remote signing service signs it, and the CMS comes back.
 * It is checked before anything changes — the signed digest, the signature, the PAdES
 * signing-certificate-v2 binding, the certificate is the one registered for that person, and it
 * chains to SIGNING_TRUST_ANCHORS — then embedded, and the pipeline goes on (the unit's
 * signature, hash, store, registers); listeners move the process on.
 */
export class DeferredSigningService {
  private readonly logger = new Logger(DeferredSigningService.name);
  private readonly listeners: SignedListener[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly pipeline: IssuePipeline,
    private readonly trustAnchorsFile: string | undefined,
    private readonly audit?: AuditTrail,
  ) {}

  onSigned(listener: SignedListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** The documents waiting for this person's signature, oldest first. */
  async pendingFor(personId: number): Promise<SignatureToMake[]> {
    const rows = await this.dataSource.getRepository(PendingSignatureEntity).find({ where: { signerPersonId: personId, state: 'awaiting' }, order: { createdAt: 'ASC' } });
    return Promise.all(rows.map((row) => this.describeRow(row)));
  }

  /** One document's digest and signed attributes; 404 unless it waits (or waited) for this person. */
  async describe(documentId: string, personId: number): Promise<SignatureToMake> {
    return this.describeRow(await this.pendingOf(documentId, personId));
  }

  /** The prepared file, for the signer to read what they sign. */
  async preparedPdf(documentId: string, personId: number): Promise<Buffer> {
    return (await this.pendingOf(documentId, personId)).preparedPdf;
  }

  /**
   * Checks the returned signature and embeds it, then issues the document. A signature that does
   * not pass is refused (422) and changes nothing. Sending again once signed (a lost answer, a
   * crash before the process moved on) only finishes what is left.
   */
  async submit(documentId: string, signer: PersonEntity, returned: SignatureReturned): Promise<IssuedDocumentEntity> {
    const pending = await this.pendingOf(documentId, signer.id);
    if (pending.state === 'awaiting') {
      const cms = this.cmsFrom(pending, returned);
      const signedPdf = this.checkedAndEmbedded(pending, cms, signer);
      await writeTransaction(this.dataSource, async (manager) => {
        const repository = manager.getRepository(PendingSignatureEntity);
        const current = await repository.findOneByOrFail({ documentId });
        if (current.state !== 'awaiting') return;
        current.state = 'signed';
        current.signedPdf = signedPdf;
        current.signedAt = this.clock.now();
        await repository.save(current);
        await this.audit?.record(manager, {
          actor: { personId: signer.id, login: signer.login },
          action: 'document.signed',
          subject: { type: 'document', id: documentId },
          unitId: current.unitId,
          detail: { certificateSha256: current.certificateSha256, digest: current.digest, how: returned.cms !== undefined ? 'cms' : 'raw-signature' },
        });
      });
    }
    let document: IssuedDocumentEntity;
    try {
      document = await this.pipeline.advance(documentId);
    } catch (error) {
      // Signed, but the rest (the unit's signature, the store) failed: the clerk's incident says why.
      if (error instanceof DocumentIncidentError) throw new ConflictError(`Chữ ký đã được nhận nhưng văn bản chưa phát hành được: ${error.incident.message}`, 'document-incident');
      throw error;
    }
    for (const listener of this.listeners) await listener(documentId, signer);
    return document;
  }

  private async pendingOf(documentId: string, personId: number): Promise<PendingSignatureEntity> {
    const pending = await this.dataSource.getRepository(PendingSignatureEntity).findOneBy({ documentId });
    // Another person's document is as absent as a missing one: its existence is not disclosed.
    if (!pending || pending.signerPersonId !== personId) throw new NotFoundError(`Văn bản chờ ký ${documentId}`);
    return pending;
  }

  private async describeRow(row: PendingSignatureEntity): Promise<SignatureToMake> {
    const document = await this.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: row.documentId });
    const certificate = row.certificate;
    return {
      documentId: row.documentId,
      symbol: document.symbol,
      subject: document.subject,
      state: row.state,
      digest: Buffer.from(row.digest, 'hex').toString('base64'),
      digestAlgorithm: 'SHA-256',
      byteRange: row.byteRange,
      signedAttributes: signedAttributesDer(padesSignedAttributes(Buffer.from(row.digest, 'hex'), certificate)).toString('base64'),
      certificateSha256: row.certificateSha256,
      createdAt: row.createdAt.toISOString(),
    };
  }

  private cmsFrom(pending: PendingSignatureEntity, returned: SignatureReturned): Buffer {
    if ((returned.cms === undefined) === (returned.signature === undefined)) throw invalid('Gửi đúng một trong hai: cms (CMS SignedData) hoặc signature (chữ ký trên signedAttributes)');
    if (returned.cms !== undefined) return decodeBase64('cms', returned.cms);
    const certificate = pending.certificate;
    const signature = decodeBase64('signature', returned.signature!);
    const attributes = padesSignedAttributes(Buffer.from(pending.digest, 'hex'), certificate);
    const algorithm = new X509Certificate(certificate).publicKey.asymmetricKeyType === 'ec' ? 'ecdsa-sha256' : 'rsa-sha256';
    return assemblePadesCms(attributes, signature, certificate, [], algorithm);
  }

  private checkedAndEmbedded(pending: PendingSignatureEntity, cms: Buffer, signer: PersonEntity): Buffer {
    if (!this.trustAnchorsFile) throw new ConflictError('Máy chủ chưa cấu hình SIGNING_TRUST_ANCHORS: không kiểm tra được chứng thư số của chữ ký', 'signing-not-configured');
    const [a, b, c, d] = pending.byteRange;
    const signedBytes = Buffer.concat([pending.preparedPdf.subarray(a, a + b), pending.preparedPdf.subarray(c, c + d)]);
    const check = verifyDetachedCms(cms, signedBytes, loadTrustAnchors(this.trustAnchorsFile), this.clock.now());
    // TEST SWITCH: DEFERRED_SIGNATURE_CHECK_OFF=1 embeds whatever comes back, so that a test shows the check is what refuses.
    if (process.env.DEFERRED_SIGNATURE_CHECK_OFF === '1') return embedSignature({ pdf: pending.preparedPdf, byteRange: pending.byteRange, digest: Buffer.from(pending.digest, 'hex') }, cms);
    if (check.problems.length > 0 || check.trusted !== true) {
      this.logger.warn(`signature for document ${pending.documentId} by ${signer.login} refused: ${check.problems.join('; ')}`);
      throw invalid(`Chữ ký số không hợp lệ: ${check.problems.join('; ') || 'chứng thư số không được tin cậy'}`);
    }
    const fingerprint = createHash('sha256').update(check.certificate!.raw).digest('hex');
    if (fingerprint !== pending.certificateSha256) throw invalid(`Chữ ký được tạo bằng chứng thư số "${check.signer}" không phải chứng thư số đã đăng ký cho ${signer.fullName}`);
    try {
      return embedSignature({ pdf: pending.preparedPdf, byteRange: pending.byteRange, digest: Buffer.from(pending.digest, 'hex') }, cms);
    } catch (error) {
      throw invalid(`Chữ ký số không vừa chỗ dành cho nó: ${(error as Error).message}`);
    }
  }
}

function decodeBase64(field: string, text: string): Buffer {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) throw ValidationFailedError.field(field, 'base64', `${field} phải là dữ liệu base64`);
  return Buffer.from(text, 'base64');
}

/** Every certificate of a PEM file. */
export function loadTrustAnchors(file: string): X509Certificate[] {
  const pem = readFileSync(file, 'latin1');
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
}
