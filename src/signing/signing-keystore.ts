import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Pkcs12SigningKey } from './pkcs12-signing-key';
import { SigningKey, SigningKeyError } from './signing-key';

/** A person's signing material: the key and the image of the handwritten signature (blue, transparent PNG). */
export interface PersonSigning {
  key: SigningKey;
  signatureImage: Buffer;
}

/**
 * A person who signs elsewhere (USB token, remote signing service): the server holds only the
 * certificate the signature must be made with, and the signature image (deferred signer).
 */
export interface DeferredPersonSigning {
  /** DER. */
  certificate: Buffer;
  signatureImage: Buffer;
}

/** How a person signs: with a key the server holds, or elsewhere (the digest goes out, the CMS comes back). */
export type PersonSigningMaterial = ({ mode: 'server' } & PersonSigning) | ({ mode: 'deferred' } & DeferredPersonSigning);

/** A unit's signing material: the key and the seal image (red, transparent PNG) with its real diameter. */
export interface UnitSigning {
  key: SigningKey;
  seal: Buffer;
  sealDiameterMm: number;
}

/** No certificate (or image) for whoever must sign: issue stops here, it never goes out unsigned. */
export class MissingCertificateError extends SigningKeyError {
  constructor(message: string) {
    super(message);
    this.name = 'MissingCertificateError';
  }
}

interface Entry {
  pkcs12: string;
  passphraseFile: string;
  /** A person who signs elsewhere: their certificate (PEM or DER) instead of pkcs12 and passphraseFile. */
  certificate?: string;
  signatureImage?: string;
  seal?: string;
  sealDiameterMm?: number;
}

interface Manifest {
  people: Record<string, Entry>;
  units: Record<string, Entry>;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * The signing keys and images an administrator keeps for the server-side signer: a JSON manifest
 * (SIGNING_KEYSTORE) naming, per person (login) and per unit (`<unit code>@<data set>`), a PKCS#12
 * file, a file holding its passphrase, and the signature or seal image; paths relative to the
 * manifest. Checked when loaded (shape, files present, PNGs); keys are opened when first used,
 * then kept. Passphrases are read from their files and never appear in a message.
 */
export class SigningKeystore {
  private readonly keys = new Map<string, SigningKey>();

  private constructor(
    readonly manifestPath: string,
    private readonly manifest: Manifest,
  ) {}

  static load(manifestPath: string): SigningKeystore {
    const where = `SIGNING_KEYSTORE (${manifestPath})`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (error) {
      throw new SigningKeyError(`${where}: cannot read the manifest as JSON (${(error as Error).message})`);
    }
    const problems: string[] = [];
    const base = dirname(manifestPath);
    const manifest: Manifest = { people: {}, units: {} };
    const object = parsed as Record<string, unknown>;
    for (const [section, image] of [['people', 'signatureImage'], ['units', 'seal']] as const) {
      const entries = object?.[section] ?? {};
      if (typeof entries !== 'object' || Array.isArray(entries)) {
        problems.push(`"${section}" must be an object keyed by ${section === 'people' ? 'login' : '<unit code>@<data set>'}`);
        continue;
      }
      for (const [name, raw] of Object.entries(entries as Record<string, Record<string, unknown>>)) {
        const entry: Entry = { pkcs12: '', passphraseFile: '' };
        // A person with a certificate and no PKCS#12 signs elsewhere (deferred): the server keeps no key.
        const deferred = section === 'people' && raw?.certificate !== undefined && raw?.pkcs12 === undefined;
        for (const field of deferred ? (['certificate', image] as const) : (['pkcs12', 'passphraseFile', image] as const)) {
          const value = raw?.[field];
          if (typeof value !== 'string' || value === '') {
            problems.push(`${section}."${name}".${field} is required (a file path)`);
            continue;
          }
          const path = isAbsolute(value) ? value : resolve(base, value);
          if (!existsSync(path)) problems.push(`${section}."${name}".${field}: no file at ${path}`);
          else if (field === image && !readFileSync(path).subarray(0, 8).equals(PNG_SIGNATURE)) problems.push(`${section}."${name}".${field}: ${path} is not a PNG`);
          entry[field] = path;
        }
        if (section === 'units') {
          const diameter = raw?.sealDiameterMm ?? 36;
          if (typeof diameter !== 'number' || !(diameter >= 20 && diameter <= 60)) problems.push(`units."${name}".sealDiameterMm must be the seal's real diameter in millimetres (20–60)`);
          entry.sealDiameterMm = diameter as number;
        }
        manifest[section][name] = entry;
      }
    }
    if (problems.length > 0) throw new SigningKeyError(`${where}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    return new SigningKeystore(manifestPath, manifest);
  }

  person(login: string, displayName: string): PersonSigning {
    const material = this.personMaterial(login, displayName);
    if (material.mode !== 'server') throw new SigningKeyError(`people."${login}" in ${this.manifestPath} signs elsewhere (certificate only): the server cannot sign for ${displayName}`);
    return material;
  }

  /** The person's key (server-side) or certificate (deferred); MissingCertificateError when the manifest has no entry. */
  personMaterial(login: string, displayName: string): PersonSigningMaterial {
    const entry = this.manifest.people[login];
    if (!entry) throw new MissingCertificateError(`No signing certificate for ${displayName} (${login}): an administrator adds people."${login}" (pkcs12, passphraseFile, signatureImage) to ${this.manifestPath}; the document waits, unsigned documents are never issued`);
    if (entry.certificate) return { mode: 'deferred', certificate: certificateDer(readFileSync(entry.certificate), `people."${login}".certificate`), signatureImage: readFileSync(entry.signatureImage!) };
    return { mode: 'server', key: this.key(`people."${login}"`, entry), signatureImage: readFileSync(entry.signatureImage!) };
  }

  has(section: 'people' | 'units', key: string): boolean {
    return key in this.manifest[section];
  }

  unit(key: string, displayName: string): UnitSigning {
    const entry = this.manifest.units[key];
    if (!entry) throw new MissingCertificateError(`No signing certificate for ${displayName} (${key}): an administrator adds units."${key}" (pkcs12, passphraseFile, seal) to ${this.manifestPath}; the document waits, unsigned documents are never issued`);
    return { key: this.key(`units."${key}"`, entry), seal: readFileSync(entry.seal!), sealDiameterMm: entry.sealDiameterMm! };
  }

  private key(label: string, entry: Entry): SigningKey {
    const cached = this.keys.get(label);
    if (cached) return cached;
    const passphrase = readFileSync(entry.passphraseFile, 'utf8').replace(/\r?\n$/, '');
    const key = Pkcs12SigningKey.fromBytes(readFileSync(entry.pkcs12), passphrase, `${label} (${entry.pkcs12})`);
    this.keys.set(label, key);
    return key;
  }
}

/** A certificate as DER, from PEM or DER bytes; `label` names it in the error. */
export function certificateDer(bytes: Buffer, label: string): Buffer {
  const text = bytes.toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  const der = pem ? Buffer.from(pem[1].replace(/\s+/g, ''), 'base64') : bytes;
  try {
    new X509Certificate(der);
  } catch {
    throw new SigningKeyError(`${label}: not an X.509 certificate (PEM or DER)`);
  }
  return der;
}

/** Width and height of a PNG, from its IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new SigningKeyError('not a PNG image');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
