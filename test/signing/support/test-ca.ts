import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

/**
 * A certification authority made for the tests, with certificates for people and units as a
 * Vietnamese CA issues them (C=VN, UTF-8 names). Keys are generated on each run and live in a
 * temporary folder: no private key is ever committed.
 */
export interface TestIdentity {
  /** The PKCS#12 file (key, certificate, CA certificate), AES-256 as OpenSSL 3 writes it. */
  pkcs12: Buffer;
  passphrase: string;
  certificatePem: string;
  /** The private key, for a test that plays a remote signing service (openssl cms). */
  keyPem: string;
}

export class TestCa {
  readonly certificatePem: string;
  private readonly key: forge.pki.rsa.PrivateKey;
  private readonly certificate: forge.pki.Certificate;
  private serial = 1;

  constructor(readonly name = 'iso-cycle test CA') {
    this.key = forgeKey();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(this.key.n, this.key.e);
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date('2020-01-01T00:00:00Z');
    cert.validity.notAfter = new Date('2045-01-01T00:00:00Z');
    const subject = [{ shortName: 'C', value: 'VN' }, { shortName: 'O', value: 'iso-cycle tests' }, { shortName: 'CN', value: name }];
    cert.setSubject(subject);
    cert.setIssuer(subject);
    cert.setExtensions([
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ]);
    cert.sign(this.key, forge.md.sha256.create());
    this.certificate = cert;
    this.certificatePem = forge.pki.certificateToPem(cert);
  }

  /** A signing certificate for `commonName` (UTF-8), valid 2020–2045 unless given. */
  issue(commonName: string, options: { organization?: string; passphrase?: string; notAfter?: Date } = {}): TestIdentity {
    const key = forgeKey();
    const cert = forge.pki.createCertificate();
    cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
    cert.serialNumber = (++this.serial).toString(16).padStart(2, '0');
    cert.validity.notBefore = new Date('2020-01-01T00:00:00Z');
    cert.validity.notAfter = options.notAfter ?? new Date('2045-01-01T00:00:00Z');
    cert.setSubject([
      { shortName: 'C', value: 'VN' },
      ...(options.organization ? [{ shortName: 'O', value: options.organization, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class }] : []),
      { shortName: 'CN', value: commonName, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    ]);
    cert.setIssuer(this.certificate.subject.attributes);
    cert.setExtensions([
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, nonRepudiation: true, critical: true },
      { name: 'authorityKeyIdentifier', keyIdentifier: this.certificate.generateSubjectKeyIdentifier().getBytes() },
    ]);
    cert.sign(this.key, forge.md.sha256.create());
    const passphrase = options.passphrase ?? `test-${this.serial}-passphrase`;
    const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert, this.certificate], passphrase, { algorithm: 'aes256' });
    return { pkcs12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), passphrase, certificatePem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(key) };
  }

  /** An NSS database that trusts this CA, for `pdfsig -nssdir` (libnss3-tools' certutil). */
  nssDatabase(folder: string): string {
    mkdirSync(folder, { recursive: true });
    const caFile = join(folder, 'ca.pem');
    writeFileSync(caFile, this.certificatePem);
    execFileSync('certutil', ['-N', '-d', `sql:${folder}`, '--empty-password']);
    execFileSync('certutil', ['-A', '-d', `sql:${folder}`, '-n', this.name, '-t', 'CT,C,C', '-i', caFile]);
    return `sql:${folder}`;
  }
}

/** RSA keys from Node's crypto (forge's pure-JS generation takes seconds), handed to forge. */
function forgeKey(): forge.pki.rsa.PrivateKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) as forge.pki.rsa.PrivateKey;
}
