import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { addSignatureField, embedSignature, prepareSignature, readSignatures } from '../../src/documents/signing/pdf-signature';
import { signPdf } from '../../src/documents/signing/sign-pdf';
import { verifyDetachedCms } from '../../src/signing/cms-verification';
import { Pkcs12SigningKey } from '../../src/signing/pkcs12-signing-key';
import { TestCa, TestIdentity } from './support/test-ca';

async function plainPdf(objectStreams: boolean): Promise<Buffer> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.TimesRoman);
  document.setTitle('BAO CAO');
  document.addPage([595, 842]).drawText('BAO CAO', { x: 250, y: 780, size: 14, font });
  return Buffer.from(await document.save({ useObjectStreams: objectStreams }));
}

/** pdfsig's report, one entry per signature. */
function pdfsig(file: string, nssdir: string): string {
  const result = spawnSync('pdfsig', ['-nssdir', nssdir, file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

describe('PAdES signatures (person, then unit, as incremental updates)', () => {
  let dir: string;
  let ca: TestCa;
  let nssdir: string;
  // Keys are slow to make on a busy machine: one person and one unit serve every case.
  let person: TestIdentity;
  let unit: TestIdentity;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iso-pades-'));
    ca = new TestCa();
    nssdir = ca.nssDatabase(join(dir, 'nss'));
    person = ca.issue('Trần Phước Hiền', { organization: 'Sở Khoa học và Công nghệ', passphrase: 'right-one' });
    unit = ca.issue('Sở Khoa học và Công nghệ tỉnh Quảng Ngãi');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([[false], [true]])('two signatures validated and trusted by pdfsig (object streams: %s)', async (objectStreams) => {
    const personKey = Pkcs12SigningKey.fromBytes(person.pkcs12, person.passphrase, 'person.p12');
    const unitKey = Pkcs12SigningKey.fromBytes(unit.pkcs12, unit.passphrase, 'unit.p12');
    const at = new Date('2026-11-20T03:00:00Z');
    const original = await plainPdf(objectStreams);
    const once = await signPdf(original, personKey, { fieldName: 'Signature-person', pageIndex: 0, rect: [300, 100, 450, 160], signerName: 'Trần Phước Hiền', reason: 'Ký duyệt', signingTime: at });
    const twice = await signPdf(once, unitKey, { fieldName: 'Signature-unit', pageIndex: 0, rect: [260, 90, 360, 190], signerName: 'Sở Khoa học và Công nghệ', reason: 'Phát hành', signingTime: at });
    expect(twice.subarray(0, once.length).equals(once)).toBe(true);
    const file = join(dir, `signed-${objectStreams}.pdf`);
    writeFileSync(file, twice);

    const report = pdfsig(file, nssdir);
    expect(report.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(report.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
    expect(report).toContain('ETSI.CAdES.detached');
    expect(report).not.toMatch(/Syntax Error|Internal Error/);
    expect(report).toContain('Trần Phước Hiền');

    const signatures = await readSignatures(twice);
    expect(signatures.map((s) => [s.fieldName, s.coversWholeFile])).toEqual([['Signature-person', false], ['Signature-unit', true]]);
    const anchors = [new X509Certificate(ca.certificatePem)];
    for (const s of signatures) expect(verifyDetachedCms(s.cms, s.signedBytes, anchors, s.signingTime!).problems).toEqual([]);
  });

  it('needs the incremental update: rewriting the file, as pdf-lib saves (and @signpdf/placeholder-pdf-lib adds fields), breaks the first signature', async () => {
    const key = Pkcs12SigningKey.fromBytes(person.pkcs12, person.passphrase, 'p.p12');
    const once = await signPdf(await plainPdf(false), key, { fieldName: 'S', pageIndex: 0, rect: [0, 0, 0, 0], signerName: 'Trần Phước Hiền', reason: 'Ký', signingTime: new Date('2026-11-20T03:00:00Z') });
    const rewritten = Buffer.from(await (await PDFDocument.load(once, { updateMetadata: false })).save({ useObjectStreams: false }));
    const [signature] = await readSignatures(rewritten);
    expect(verifyDetachedCms(signature.cms, signature.signedBytes, undefined, new Date()).digestMatches).toBe(false);
  });

  it('a byte changed after signing makes both pdfsig and our verification fail', async () => {
    const key = Pkcs12SigningKey.fromBytes(person.pkcs12, person.passphrase, 'p.p12');
    const signed = await signPdf(await plainPdf(false), key, { fieldName: 'S', pageIndex: 0, rect: [0, 0, 0, 0], signerName: 'Trần Phước Hiền', reason: 'Ký', signingTime: new Date('2026-11-20T03:00:00Z') });
    const tampered = Buffer.from(signed);
    // One letter of the title (UTF-16 hex in the Info dictionary): B becomes C.
    const at = tampered.indexOf('00420041004F');
    expect(at).toBeGreaterThan(0);
    tampered.write('0043', at, 'latin1');
    const file = join(dir, 'tampered.pdf');
    writeFileSync(file, tampered);
    expect(pdfsig(file, nssdir)).not.toContain('Signature is Valid');
    const [signature] = await readSignatures(tampered);
    expect(verifyDetachedCms(signature.cms, signature.signedBytes, undefined, new Date()).problems).toContain('the document changed after signing (the signed bytes do not hash to the signed digest)');
  });

  it('the CMS has signing-certificate-v2 and no signing-time (openssl cms reads it)', async () => {
    const key = Pkcs12SigningKey.fromBytes(person.pkcs12, person.passphrase, 'p.p12');
    const signed = await signPdf(await plainPdf(false), key, { fieldName: 'S', pageIndex: 0, rect: [0, 0, 0, 0], signerName: 'A', reason: 'Ký', signingTime: new Date('2026-11-20T03:00:00Z') });
    const [signature] = await readSignatures(signed);
    writeFileSync(join(dir, 'sig.der'), signature.cms);
    writeFileSync(join(dir, 'content.bin'), signature.signedBytes);
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
    const printed = execFileSync('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', join(dir, 'sig.der')], { encoding: 'utf8' });
    expect(printed).toContain('id-smime-aa-signingCertificateV2');
    expect(printed).not.toContain('signingTime');
    const verified = spawnSync('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, 'content.bin'), '-CAfile', join(dir, 'ca.pem'), '-purpose', 'any', '-out', '/dev/null'], { encoding: 'utf8' });
    expect(verified.stderr).toContain('Verification successful');
  });

  it('splits into prepare and embed, so a CMS made elsewhere (a remote signing service, here openssl) fits between', async () => {
    const prepared = prepareSignature(
      await addSignatureField(await plainPdf(false), { fieldName: 'Signature-remote', pageIndex: 0, rect: [0, 0, 0, 0], signerName: 'Trần Phước Hiền', reason: 'Ký từ xa', signingTime: new Date('2026-11-20T03:00:00Z') }),
    );
    const [a, b, c, d] = prepared.byteRange;
    writeFileSync(join(dir, 'remote-content.bin'), Buffer.concat([prepared.pdf.subarray(a, a + b), prepared.pdf.subarray(c, c + d)]));
    writeFileSync(join(dir, 'remote-cert.pem'), person.certificatePem);
    writeFileSync(join(dir, 'remote-key.pem'), person.keyPem);
    // The service gets the bytes' digest in real life; openssl needs the bytes, and signs the same digest.
    execFileSync('openssl', ['cms', '-sign', '-binary', '-in', join(dir, 'remote-content.bin'), '-signer', join(dir, 'remote-cert.pem'), '-inkey', join(dir, 'remote-key.pem'), '-outform', 'DER', '-out', join(dir, 'remote.der'), '-md', 'sha256']);
    const file = join(dir, 'remote.pdf');
    writeFileSync(file, embedSignature(prepared, readFileSync(join(dir, 'remote.der'))));
    const report = pdfsig(file, nssdir);
    expect(report).toContain('Signature Validation: Signature is Valid.');
    expect(report).toContain('Certificate Validation: Certificate is Trusted.');
  });

  it('a wrong passphrase names the file and not the passphrase', () => {
    expect(() => Pkcs12SigningKey.fromBytes(person.pkcs12, 'wrong-one', 'people/b.p12')).toThrow(/^people\/b\.p12: the PKCS#12 file cannot be opened/);
    try {
      Pkcs12SigningKey.fromBytes(person.pkcs12, 'wrong-one', 'people/b.p12');
    } catch (error) {
      expect((error as Error).message).not.toMatch(/right-one|wrong-one/);
    }
  });
});
