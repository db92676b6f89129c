import { createHash, X509Certificate } from 'node:crypto';
import { findByIdOrNotFound } from '../../database/find-by-id';
import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { Actor } from '../../access/actor';
import { AuditTrail } from '../../audit/audit-trail.service';
import { AppConfig } from '../../config/app-config';
import { writeTransaction } from '../../database/write-transaction';
import { PersonEntity } from '../../organization/person.entity';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { Pkcs12SigningKey } from '../pkcs12-signing-key';
import { SigningKeyError } from '../signing-key';
import { certificateDer, pngSize } from '../signing-keystore';
import { PassphraseCipher } from './passphrase-cipher';
import { CredentialOwnerKind, SigningCredentialEntity } from './signing-credential.entity';

/** Limits of what an administrator uploads (decoded sizes). */
export const CREDENTIAL_LIMITS = { pkcs12Bytes: 32 * 1024, certificateBytes: 16 * 1024, imageBytes: 64 * 1024, imagePixels: 2000 } as const;

/** A credential as listed: what identifies the certificate; never the key, never the passphrase. */
export interface CredentialView {
  ownerKind: CredentialOwnerKind;
  ownerKey: string;
  /** The person's id or the unit's id. */
  ownerId: number;
  ownerName: string;
  /** server: a PKCS#12 file the server signs with; deferred: the certificate alone (USB token, remote signing). */
  mode: 'server' | 'deferred';
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  /** SHA-256 of the certificate, hex. */
  fingerprint: string;
  hasImage: boolean;
  sealDiameterMm: number | null;
  uploadedAt: string;
}

export interface CertificateUpload {
  /** PKCS#12 (.p12/.pfx), base64. */
  pkcs12?: string;
  passphrase?: string;
  /** The certificate alone (PEM text or DER base64): the person signs elsewhere. */
  certificate?: string;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const field = (path: string, code: string, message: string) => ValidationFailedError.field(path, code, message);

function base64(path: string, text: string, maxBytes: number): Buffer {
  const clean = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean) || clean.length % 4 !== 0) throw field(path, 'base64', `${path} phải là dữ liệu base64`);
  const bytes = Buffer.from(clean, 'base64');
  if (bytes.length > maxBytes) throw field(path, 'too-large', `${path} quá lớn (tối đa ${Math.round(maxBytes / 1024)} KB)`);
  return bytes;
}

/**
 * Administrators' management of signing certificates and signature / seal images (issue 11):
 * upload a person's or a unit's PKCS#12 (opened once to check it; its passphrase kept encrypted
 * with SIGNING_SECRET) or a person's certificate alone (they sign elsewhere), the images (PNG,
 * bounded), list them (subject, issuer, validity, fingerprint) and remove them. Every change is in
 * the audit trail, without the file or the passphrase.
 */
@Injectable()
export class SigningCredentials {
  private readonly logger = new Logger(SigningCredentials.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly audit: AuditTrail,
  ) {}

  /** The unit's credential and those of the people who hold a role in it. */
  async list(unitId: number): Promise<CredentialView[]> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    const personIds = [...new Set((await this.dataSource.getRepository(RoleAssignmentEntity).find({ where: { unitId }, select: ['personId'] })).map((a) => a.personId))];
    const people = personIds.length === 0 ? [] : await this.dataSource.getRepository(PersonEntity).findBy({ id: In(personIds) });
    const byLogin = new Map(people.map((p) => [p.login, p]));
    const rows = await this.dataSource.getRepository(SigningCredentialEntity).find({ order: { ownerKind: 'ASC', ownerKey: 'ASC' } });
    const views: CredentialView[] = [];
    for (const row of rows) {
      if (row.ownerKind === 'unit' && row.ownerKey === unitKey(unit)) views.push(view(row, unit.id, unit.officialName));
      const person = row.ownerKind === 'person' ? byLogin.get(row.ownerKey) : undefined;
      if (person) views.push(view(row, person.id, person.fullName));
    }
    return views;
  }

  async putPersonCertificate(actor: Actor, personId: number, upload: CertificateUpload): Promise<CredentialView> {
    const person = await this.person(personId);
    const parsed = this.parseUpload(upload, true);
    return this.save(actor, 'person', person.login, person.id, person.fullName, parsed, null);
  }

  async putUnitCertificate(actor: Actor, unitId: number, upload: CertificateUpload): Promise<CredentialView> {
    const unit = await this.unit(unitId);
    const parsed = this.parseUpload(upload, false);
    return this.save(actor, 'unit', unitKey(unit), unit.id, unit.officialName, parsed, unit.id);
  }

  async putPersonImage(actor: Actor, personId: number, png: string): Promise<CredentialView> {
    const person = await this.person(personId);
    return this.saveImage(actor, 'person', person.login, person.id, person.fullName, checkedPng(png), null, null);
  }

  async putUnitSeal(actor: Actor, unitId: number, png: string, diameterMm: number): Promise<CredentialView> {
    const unit = await this.unit(unitId);
    return this.saveImage(actor, 'unit', unitKey(unit), unit.id, unit.officialName, checkedPng(png), diameterMm, unit.id);
  }

  async removePerson(actor: Actor, personId: number): Promise<void> {
    const person = await this.person(personId);
    await this.remove(actor, 'person', person.login, null);
  }

  async removeUnit(actor: Actor, unitId: number): Promise<void> {
    const unit = await this.unit(unitId);
    await this.remove(actor, 'unit', unitKey(unit), unit.id);
  }

  private parseUpload(upload: CertificateUpload, personMaySignElsewhere: boolean): { certificate: Buffer; pkcs12: Buffer | null; passphraseEncrypted: string | null } {
    if (upload.pkcs12 !== undefined && upload.certificate !== undefined) throw field('pkcs12', 'one-of', 'Gửi tệp PKCS#12 hoặc chứng thư số, không gửi cả hai');
    if (upload.certificate !== undefined) {
      if (!personMaySignElsewhere) throw field('certificate', 'pkcs12-required', 'Chữ ký của đơn vị được ký trên máy chủ: cần tệp PKCS#12 (khóa và chứng thư số)');
      const text = upload.certificate.trim();
      const bytes = text.startsWith('-----BEGIN') ? Buffer.from(text, 'latin1') : base64('certificate', text, CREDENTIAL_LIMITS.certificateBytes);
      if (bytes.length > CREDENTIAL_LIMITS.certificateBytes) throw field('certificate', 'too-large', 'Chứng thư số quá lớn');
      try {
        return { certificate: certificateDer(bytes, 'certificate'), pkcs12: null, passphraseEncrypted: null };
      } catch (error) {
        throw field('certificate', 'not-a-certificate', 'Không phải chứng thư số X.509 (PEM hoặc DER)');
      }
    }
    if (upload.pkcs12 === undefined) throw field('pkcs12', 'required', 'Cần tệp PKCS#12 (hoặc, với người ký bằng USB token, chứng thư số)');
    if (upload.passphrase === undefined) throw field('passphrase', 'required', 'Cần mật khẩu của tệp PKCS#12');
    if (!this.config.signing.secret) throw new ConflictError('Máy chủ chưa cấu hình SIGNING_SECRET: không lưu được mật khẩu của tệp PKCS#12', 'signing-secret-missing');
    const pkcs12 = base64('pkcs12', upload.pkcs12, CREDENTIAL_LIMITS.pkcs12Bytes);
    let key: Pkcs12SigningKey;
    try {
      key = Pkcs12SigningKey.fromBytes(pkcs12, upload.passphrase, 'the uploaded PKCS#12 file');
    } catch (error) {
      // The reason names the file only (Pkcs12SigningKey never puts the passphrase in a message).
      throw field('pkcs12', 'pkcs12-unreadable', `Không mở được tệp PKCS#12 (sai mật khẩu hoặc không phải tệp PKCS#12): ${(error as SigningKeyError).message}`);
    }
    return { certificate: key.certificate, pkcs12, passphraseEncrypted: new PassphraseCipher(this.config.signing.secret).encrypt(upload.passphrase) };
  }

  private async save(actor: Actor, kind: CredentialOwnerKind, key: string, ownerId: number, name: string, parsed: { certificate: Buffer; pkcs12: Buffer | null; passphraseEncrypted: string | null }, unitId: number | null): Promise<CredentialView> {
    const x509 = new X509Certificate(parsed.certificate);
    const fingerprint = createHash('sha256').update(parsed.certificate).digest('hex');
    const now = this.clock.now();
    const row = await writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(SigningCredentialEntity);
      const existing = await repository.findOneBy({ ownerKind: kind, ownerKey: key });
      const next = Object.assign(existing ?? new SigningCredentialEntity(), {
        ownerKind: kind,
        ownerKey: key,
        pkcs12: parsed.pkcs12,
        passphraseEncrypted: parsed.passphraseEncrypted,
        certificate: parsed.certificate,
        subject: x509.subject.replace(/\n/g, ', ').slice(0, 1000),
        issuer: x509.issuer.replace(/\n/g, ', ').slice(0, 1000),
        notBefore: new Date(x509.validFrom),
        notAfter: new Date(x509.validTo),
        fingerprint,
        image: existing?.image ?? null,
        sealDiameterMm: existing?.sealDiameterMm ?? null,
        uploadedBy: actor.personId,
        uploadedAt: now,
      });
      const saved = await repository.save(next);
      await this.audit.record(manager, {
        actor,
        action: 'signing-credential.uploaded',
        subject: { type: kind, id: key },
        unitId,
        before: existing ? { fingerprint: existing.fingerprint } : undefined,
        after: { fingerprint },
        detail: { mode: parsed.pkcs12 ? 'server' : 'deferred', subject: saved.subject, fingerprint },
      });
      return saved;
    });
    this.logger.log(`signing certificate for ${kind} ${key} uploaded by ${actor.login} (${fingerprint})`);
    return view(row, ownerId, name);
  }

  private async saveImage(actor: Actor, kind: CredentialOwnerKind, key: string, ownerId: number, name: string, png: Buffer, diameterMm: number | null, unitId: number | null): Promise<CredentialView> {
    const row = await writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(SigningCredentialEntity);
      const existing = await repository.findOneBy({ ownerKind: kind, ownerKey: key });
      if (!existing) throw new ConflictError('Tải chứng thư số lên trước, rồi mới đến ảnh chữ ký hoặc con dấu', 'certificate-first');
      existing.image = png;
      if (diameterMm !== null) existing.sealDiameterMm = diameterMm;
      existing.uploadedAt = this.clock.now();
      existing.uploadedBy = actor.personId;
      const saved = await repository.save(existing);
      await this.audit.record(manager, { actor, action: kind === 'unit' ? 'signing-credential.seal-uploaded' : 'signing-credential.signature-image-uploaded', subject: { type: kind, id: key }, unitId, detail: { bytes: png.length, sha256: createHash('sha256').update(png).digest('hex'), ...(diameterMm !== null ? { sealDiameterMm: diameterMm } : {}) } });
      return saved;
    });
    return view(row, ownerId, name);
  }

  private async remove(actor: Actor, kind: CredentialOwnerKind, key: string, unitId: number | null): Promise<void> {
    await writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(SigningCredentialEntity);
      const existing = await repository.findOneBy({ ownerKind: kind, ownerKey: key });
      if (!existing) throw new NotFoundError(`Chứng thư số của ${key}`);
      await repository.delete({ id: existing.id });
      await this.audit.record(manager, { actor, action: 'signing-credential.removed', subject: { type: kind, id: key }, unitId, before: { fingerprint: existing.fingerprint }, detail: { fingerprint: existing.fingerprint } });
    });
  }

  private person(id: number): Promise<PersonEntity> {
    return findByIdOrNotFound(this.dataSource, PersonEntity, id, 'Person');
  }

  private unit(id: number): Promise<UnitEntity> {
    return findByIdOrNotFound(this.dataSource, UnitEntity, id, 'Unit');
  }
}

export const unitKey = (unit: UnitEntity) => `${unit.code}@${unit.dataSetId}`;

function view(row: SigningCredentialEntity, ownerId: number, ownerName: string): CredentialView {
  return {
    ownerKind: row.ownerKind,
    ownerKey: row.ownerKey,
    ownerId,
    ownerName,
    mode: row.pkcs12 ? 'server' : 'deferred',
    subject: row.subject,
    issuer: row.issuer,
    notBefore: row.notBefore.toISOString(),
    notAfter: row.notAfter.toISOString(),
    fingerprint: row.fingerprint,
    hasImage: row.image !== null,
    sealDiameterMm: row.sealDiameterMm,
    uploadedAt: row.uploadedAt.toISOString(),
  };
}

/** A PNG within the limits: magic bytes, IHDR, and a size an appearance can hold. */
function checkedPng(text: string): Buffer {
  const png = base64('png', text, CREDENTIAL_LIMITS.imageBytes);
  if (png.length < 33 || !png.subarray(0, 8).equals(PNG_MAGIC) || png.toString('latin1', 12, 16) !== 'IHDR') throw field('png', 'not-png', 'Ảnh phải là tệp PNG (nền trong suốt)');
  // Signature and seal are drawn over the text: the image must carry transparency (RGBA, grey + alpha, or a tRNS chunk).
  const colourType = png[25];
  if (colourType !== 4 && colourType !== 6 && !png.includes('tRNS', 33, 'latin1')) throw field('png', 'not-transparent', 'Ảnh phải có nền trong suốt (PNG có kênh alpha)');
  const { width, height } = pngSize(png);
  if (width < 16 || height < 16 || width > CREDENTIAL_LIMITS.imagePixels || height > CREDENTIAL_LIMITS.imagePixels) throw field('png', 'image-size', `Kích thước ảnh phải từ 16 đến ${CREDENTIAL_LIMITS.imagePixels} điểm ảnh mỗi chiều`);
  return png;
}
