import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SigningKeyError } from '../signing-key';

/**
 * Passphrases of uploaded PKCS#12 files, encrypted at rest with AES-256-GCM under a key derived
 * from SIGNING_SECRET (configuration, never the database): a copy of the database alone opens no key.
 */
export class PassphraseCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new SigningKeyError('SIGNING_SECRET must have at least 16 characters');
    this.key = createHash('sha256').update('iso-cycle signing passphrases\0').update(secret, 'utf8').digest();
  }

  encrypt(passphrase: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(passphrase, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
  }

  decrypt(stored: string, label: string): string {
    const [iv, tag, body] = stored.split('.').map((part) => Buffer.from(part, 'base64'));
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SigningKeyError(`${label}: the stored passphrase cannot be decrypted (SIGNING_SECRET changed?); an administrator uploads the certificate again`);
    }
  }
}
