import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MissingCertificateError, SigningKeystore } from './signing-keystore';
import { SigningKeyError } from './signing-key';

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
});
