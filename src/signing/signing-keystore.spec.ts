import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingCertificateError, SigningKeystore } from './signing-keystore';
import { SigningKeyError } from './signing-key';

/** A throwaway self-signed certificate (openssl, as the test machine has it). */
const SELF_SIGNED_PEM = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '/dev/null', '-subj', '/CN=iso-cycle keystore spec', '-days', '1'], { encoding: 'utf8' });
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('the signing keystore manifest', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iso-keystore-'));
    writeFileSync(join(dir, 'a.p12'), 'not checked before use');
    writeFileSync(join(dir, 'a.pass'), 'secret');
    writeFileSync(join(dir, 'a.png'), PNG);
    writeFileSync(join(dir, 'not-png.png'), 'GIF89a');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const manifest = (content: unknown) => {
    const path = join(dir, `m-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('names every wrong entry at once: missing fields, missing files, images that are not PNG, a seal size out of range', () => {
    const path = manifest({
      people: { 'head.skhcn@quang-ngai-2025': { pkcs12: 'a.p12', passphraseFile: 'missing.pass', signatureImage: 'not-png.png' } },
      units: { 'skhcn@quang-ngai-2025': { pkcs12: 'a.p12', seal: 'a.png', sealDiameterMm: 5 } },
    });
    expect(() => SigningKeystore.load(path)).toThrow(SigningKeyError);
    const message = (() => {
      try {
        SigningKeystore.load(path);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toContain(`people."head.skhcn@quang-ngai-2025".passphraseFile: no file at ${join(dir, 'missing.pass')}`);
    expect(message).toContain(`people."head.skhcn@quang-ngai-2025".signatureImage: ${join(dir, 'not-png.png')} is not a PNG`);
    expect(message).toContain('units."skhcn@quang-ngai-2025".passphraseFile is required (a file path)');
    expect(message).toContain('units."skhcn@quang-ngai-2025".sealDiameterMm must be the seal\'s real diameter in millimetres (20–60)');
    expect(message).not.toContain('secret');
  });

  it('refuses a manifest that is not JSON, naming the variable and the file', () => {
    const path = manifest('{ people: ');
    expect(() => SigningKeystore.load(path)).toThrow(new RegExp(`^SIGNING_KEYSTORE \\(${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\): cannot read the manifest as JSON`));
  });

  it('says who has no certificate and what the administrator adds', () => {
    const keystore = SigningKeystore.load(manifest({ people: {}, units: {} }));
    expect(() => keystore.person('deputy.skhcn@quang-ngai-2025', 'Lê Văn Thắng')).toThrow(MissingCertificateError);
    expect(() => keystore.unit('skhcn@quang-ngai-2025', 'Sở Khoa học và Công nghệ')).toThrow(/^No signing certificate for Sở Khoa học và Công nghệ \(skhcn@quang-ngai-2025\): an administrator adds units."skhcn@quang-ngai-2025" \(pkcs12, passphraseFile, seal\)/);
  });

  it('takes a person with a certificate and no PKCS#12 as one who signs elsewhere (deferred)', () => {
    // Any X.509 certificate will do for the manifest: the one a test CA would issue is made elsewhere.
    writeFileSync(join(dir, 'head.pem'), SELF_SIGNED_PEM);
    const keystore = SigningKeystore.load(manifest({ people: { 'head.21172@quang-ngai-2025': { certificate: 'head.pem', signatureImage: 'a.png' } }, units: {} }));
    const material = keystore.personMaterial('head.21172@quang-ngai-2025', 'Nguyễn Văn A');
    expect(material.mode).toBe('deferred');
    expect(material.mode === 'deferred' && new X509Certificate(material.certificate).subject).toContain('CN=iso-cycle keystore spec');
    // The server holds no key for them: asking it to sign says so.
    expect(() => keystore.person('head.21172@quang-ngai-2025', 'Nguyễn Văn A')).toThrow(/signs elsewhere/);
    // A certificate file that is not one is refused when the key is read.
    writeFileSync(join(dir, 'bad.pem'), 'not a certificate');
    const bad = SigningKeystore.load(manifest({ people: { x: { certificate: 'bad.pem', signatureImage: 'a.png' } } }));
    expect(() => bad.personMaterial('x', 'X')).toThrow(/not an X.509 certificate/);
  });
});
