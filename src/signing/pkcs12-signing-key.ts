import { createPrivateKey, sign as cryptoSign, KeyObject, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { SigningKey, SigningKeyError } from './signing-key';

/**
 * A key and its certificate chain from a PKCS#12 file (.p12/.pfx), as certification authorities
 * deliver them for server-side signing (the unit's own signature, pilots). node-forge reads the
 * file (PBES2/AES as OpenSSL 3 writes it, and the legacy 3DES/RC2 kind); the key then lives as a
 * Node KeyObject only.
 */
export class Pkcs12SigningKey extends SigningKey {
  readonly algorithm: 'rsa-sha256' | 'ecdsa-sha256';

  private constructor(
    private readonly key: KeyObject,
    readonly certificate: Buffer,
    readonly chain: readonly Buffer[],
  ) {
    super();
    this.algorithm = key.asymmetricKeyType === 'ec' ? 'ecdsa-sha256' : 'rsa-sha256';
  }

  /** `label` names the file in errors (the passphrase never appears in one). */
  static fromBytes(pkcs12: Buffer, passphrase: string, label: string): Pkcs12SigningKey {
    let p12: forge.pkcs12.Pkcs12Pfx;
    try {
      p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(forge.util.createBuffer(pkcs12.toString('binary'))), false, passphrase);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SigningKeyError(`${label}: the PKCS#12 file cannot be opened (wrong passphrase or not a PKCS#12 file: ${reason})`);
    }
    const keyBags = [...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[forge.pki.oids.pkcs8ShroudedKeyBag] ?? []), ...(p12.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag] ?? [])];
    const keyBag = keyBags.find((bag) => bag.key);
    if (!keyBag?.key) throw new SigningKeyError(`${label}: the PKCS#12 file holds no private key`);
    const key = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key));
    const certificates = (p12.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag] ?? [])
      .filter((bag) => bag.cert)
      .map((bag) => Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert!)).getBytes(), 'binary'));
    const own = certificates.find((der) => new X509Certificate(der).checkPrivateKey(key));
    if (!own) throw new SigningKeyError(`${label}: the PKCS#12 file holds no certificate for its private key`);
    return new Pkcs12SigningKey(key, own, certificates.filter((der) => der !== own));
  }

  async sign(data: Buffer): Promise<Buffer> {
    return cryptoSign('sha256', data, this.key);
  }
}
