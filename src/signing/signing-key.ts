/**
 * A key that signs for one person or one unit, with its certificate (the port every key store is
 * an adapter of: a PKCS#12 file here; an HSM or a remote signing service through PKCS#11 or its API
 * elsewhere). It signs the DER of the CMS signed attributes and never hands its private key out.
 */
export abstract class SigningKey {
  /** The signer's certificate, DER. */
  abstract readonly certificate: Buffer;
  /** The certificates from the signer's issuer up (not the trust anchor necessarily), DER. */
  abstract readonly chain: readonly Buffer[];
  /** The signature algorithm the key produces (SHA-256 digest in every case). */
  abstract readonly algorithm: 'rsa-sha256' | 'ecdsa-sha256';
  /** Signs `data` (SHA-256 then the key's algorithm; ECDSA as a DER Ecdsa-Sig-Value). */
  abstract sign(data: Buffer): Promise<Buffer>;
}

/** The key or its certificate cannot be used: named, with what to do; never with the passphrase. */
export class SigningKeyError extends Error {
  readonly code = 'SIGNING_KEY';
  constructor(message: string) {
    super(message);
    this.name = 'SigningKeyError';
  }
}
