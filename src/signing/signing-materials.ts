import { DataSource } from 'typeorm';
import { PassphraseCipher } from './admin/passphrase-cipher';
import { SigningCredentialEntity } from './admin/signing-credential.entity';
import { Pkcs12SigningKey } from './pkcs12-signing-key';
import { SigningKey } from './signing-key';
import { MissingCertificateError, PersonSigningMaterial, SigningKeystore, UnitSigning } from './signing-keystore';

/**
 * Where the sign step finds each signer's certificate and image (the port): what administrators
 * uploaded (signing_credentials) and, beside it, the keystore manifest on disk (SIGNING_KEYSTORE).
 * A missing one throws MissingCertificateError: the document waits, it is never issued unsigned.
 */
export abstract class SigningMaterials {
  abstract person(login: string, displayName: string): Promise<PersonSigningMaterial>;
  abstract unit(key: string, displayName: string): Promise<UnitSigning>;
}

/** The manifest alone (tests, and installations that keep keys on disk only). */
export class KeystoreMaterials extends SigningMaterials {
  constructor(private readonly keystore: SigningKeystore) {
    super();
  }
  async person(login: string, displayName: string): Promise<PersonSigningMaterial> {
    return this.keystore.personMaterial(login, displayName);
  }
  async unit(key: string, displayName: string): Promise<UnitSigning> {
    return this.keystore.unit(key, displayName);
  }
}

/**
 * What administrators uploaded first, then the manifest (when one is configured). A credential
 * with a PKCS#12 file signs on the server; one with the certificate alone signs elsewhere.
 */
export class StoredSigningMaterials extends SigningMaterials {
  private readonly keys = new Map<string, SigningKey>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly cipher: PassphraseCipher | undefined,
    private readonly keystore: SigningKeystore | undefined,
  ) {
    super();
  }

  async person(login: string, displayName: string): Promise<PersonSigningMaterial> {
    const row = await this.dataSource.getRepository(SigningCredentialEntity).findOneBy({ ownerKind: 'person', ownerKey: login });
    if (!row) {
      if (this.keystore?.has('people', login)) return this.keystore.personMaterial(login, displayName);
      throw new MissingCertificateError(`No signing certificate for ${displayName} (${login}): an administrator uploads the person's certificate and signature image (Quản trị › Chữ ký số)${this.keystore ? ` or adds people."${login}" to ${this.keystore.manifestPath}` : ''}; the document waits, unsigned documents are never issued`);
    }
    if (!row.image) throw new MissingCertificateError(`No signature image for ${displayName} (${login}): an administrator uploads it (Quản trị › Chữ ký số); the document waits`);
    if (!row.pkcs12) return { mode: 'deferred', certificate: row.certificate, signatureImage: row.image };
    return { mode: 'server', key: this.key(row, `person ${login}`), signatureImage: row.image };
  }

  async unit(key: string, displayName: string): Promise<UnitSigning> {
    const row = await this.dataSource.getRepository(SigningCredentialEntity).findOneBy({ ownerKind: 'unit', ownerKey: key });
    if (!row) {
      if (this.keystore?.has('units', key)) return this.keystore.unit(key, displayName);
      throw new MissingCertificateError(`No signing certificate for ${displayName} (${key}): an administrator uploads the unit's PKCS#12 file and seal image (Quản trị › Chữ ký số)${this.keystore ? ` or adds units."${key}" to ${this.keystore.manifestPath}` : ''}; the document waits, unsigned documents are never issued`);
    }
    if (!row.pkcs12) throw new MissingCertificateError(`The unit ${displayName} (${key}) has a certificate without its key: the unit's signature is made on the server, an administrator uploads its PKCS#12 file`);
    if (!row.image) throw new MissingCertificateError(`No seal image for ${displayName} (${key}): an administrator uploads it (Quản trị › Chữ ký số); the document waits`);
    return { key: this.key(row, `unit ${key}`), seal: row.image, sealDiameterMm: row.sealDiameterMm ?? 36 };
  }

  private key(row: SigningCredentialEntity, label: string): SigningKey {
    const cacheKey = `${row.id}:${row.fingerprint}:${row.uploadedAt.getTime()}`;
    const cached = this.keys.get(cacheKey);
    if (cached) return cached;
    if (!this.cipher || !row.passphraseEncrypted) throw new MissingCertificateError(`${label}: the PKCS#12 passphrase cannot be read without SIGNING_SECRET`);
    const key = Pkcs12SigningKey.fromBytes(row.pkcs12!, this.cipher.decrypt(row.passphraseEncrypted, label), `${label} (uploaded PKCS#12)`);
    this.keys.set(cacheKey, key);
    return key;
  }
}
