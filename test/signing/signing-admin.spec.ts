import { verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { PassphraseCipher } from '../../src/signing/admin/passphrase-cipher';
import { SigningCredentialEntity } from '../../src/signing/admin/signing-credential.entity';
import { MissingCertificateError } from '../../src/signing/signing-keystore';
import { StoredSigningMaterials } from '../../src/signing/signing-materials';
import { SigningKeyError } from '../../src/signing/signing-key';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { TestCa } from './support/test-ca';
import { blueSignature, png, redSeal } from './support/test-images';

const SECRET = 'signing-admin-test-secret-0123';

/**
 * Administrators manage certificates and images through the API; the sign step reads what they
 * stored (StoredSigningMaterials). Passphrases are stored encrypted, never returned; removal is
 * recorded and leaves the signer without a certificate (the document would wait).
 */
describe.each(TEST_DATABASE_KINDS)('signing certificates administration [%s]', (kind) => {
  const DATA_SET = 'quang-ngai-2025';
  let t: TestApp;
  let admin: ApiClient;
  let ca: TestCa;
  let unit: UnitEntity;
  let person: PersonEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], signing: { secret: SECRET } });
    ca = new TestCa();
    unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21025' });
    person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.21025@${DATA_SET}` });
    admin = new ApiClient(t.baseUrl);
    expect((await admin.login(`administrator.skhcn@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
  });
  afterAll(() => t.close());

  it('stores a unit PKCS#12 the signer can use, its passphrase encrypted and never returned', async () => {
    const identity = ca.issue(unit.officialName, { passphrase: 'unit-passphrase-kept-secret' });
    // An image first is refused: there is no certificate to attach it to.
    expect((await admin.request('PUT', `/api/admin/signing/units/${unit.id}/seal`, { body: { png: redSeal().toString('base64'), diameterMm: 36 } })).status).toBe(409);
    const uploaded = await admin.request('PUT', `/api/admin/signing/units/${unit.id}/certificate`, { body: { pkcs12: identity.pkcs12.toString('base64'), passphrase: identity.passphrase } });
    expect(uploaded.status).toBe(200);
    const certificate = new X509Certificate(identity.certificatePem);
    expect(uploaded.body).toMatchObject({ ownerKind: 'unit', ownerKey: `21025@${DATA_SET}`, mode: 'server', fingerprint: certificate.fingerprint256.replace(/:/g, '').toLowerCase(), hasImage: false });
    expect(uploaded.body.subject).toContain(unit.officialName);
    expect(JSON.stringify(uploaded.body)).not.toContain(identity.passphrase);
    const seal = await admin.request('PUT', `/api/admin/signing/units/${unit.id}/seal`, { body: { png: redSeal().toString('base64'), diameterMm: 40 } });
    expect(seal.body).toMatchObject({ hasImage: true, sealDiameterMm: 40 });

    const row = await t.dataSource.getRepository(SigningCredentialEntity).findOneByOrFail({ ownerKind: 'unit', ownerKey: `21025@${DATA_SET}` });
    expect(row.passphraseEncrypted).not.toContain(identity.passphrase);
    expect(new PassphraseCipher(SECRET).decrypt(row.passphraseEncrypted!, 'row')).toBe(identity.passphrase);
    expect(() => new PassphraseCipher('another-secret-entirely').decrypt(row.passphraseEncrypted!, 'row')).toThrow(SigningKeyError);

    // The sign step finds the key and signs with it.
    const materials = new StoredSigningMaterials(t.dataSource, new PassphraseCipher(SECRET), undefined);
    const signing = await materials.unit(`21025@${DATA_SET}`, unit.officialName);
    expect(signing.sealDiameterMm).toBe(40);
    const signature = await signing.key.sign(Buffer.from('dữ liệu'));
    expect(cryptoVerify('sha256', Buffer.from('dữ liệu'), certificate.publicKey, signature)).toBe(true);
  });

  it('registers a person who signs elsewhere by the certificate alone, validates images, lists and removes', async () => {
    const identity = ca.issue(person.fullName);
    const put = (path: string, body: unknown) => admin.request('PUT', `/api/admin/signing/people/${person.id}/${path}`, { body });
    expect((await put('certificate', { certificate: identity.certificatePem })).body).toMatchObject({ mode: 'deferred', ownerKey: person.login });
    // Not a PNG; a PNG without transparency; too large a picture; not base64.
    const opaque = png(40, 40, () => [0, 0, 255, 255]).toString('base64');
    expect((await put('signature-image', { png: Buffer.from('<svg/>').toString('base64') })).body.error.fields[0].code).toBe('not-png');
    expect((await put('signature-image', { png: Buffer.from(opaque, 'base64').toString('base64') })).status).toBe(200);
    const rgb = Buffer.from(opaque, 'base64');
    rgb[25] = 2; // colour type RGB: no alpha channel (the CRC no longer matches, the check comes first)
    expect((await put('signature-image', { png: rgb.toString('base64') })).body.error.fields[0].code).toBe('not-transparent');
    expect((await put('signature-image', { png: png(2100, 16, () => [0, 0, 0, 0]).toString('base64') })).body.error.fields[0].code).toBe('image-size');
    expect((await put('signature-image', { png: 'not base64!' })).status).toBe(422);
    expect((await put('signature-image', { png: blueSignature().toString('base64') })).status).toBe(200);
    // A certificate that is not one, and both forms at once, are refused.
    expect((await put('certificate', { certificate: 'TUlJQ' })).status).toBe(422);
    expect((await put('certificate', { certificate: identity.certificatePem, pkcs12: 'AAAA', passphrase: 'x' })).status).toBe(422);

    const materials = new StoredSigningMaterials(t.dataSource, new PassphraseCipher(SECRET), undefined);
    const material = await materials.person(person.login, person.fullName);
    expect(material.mode).toBe('deferred');

    const listed = await admin.request('GET', `/api/admin/signing/credentials?unitId=${unit.id}`);
    expect(listed.body.map((c: { ownerKey: string }) => c.ownerKey).sort()).toEqual([`21025@${DATA_SET}`, person.login].sort());
    expect(JSON.stringify(listed.body)).not.toMatch(/BEGIN|passphrase|pkcs12/);

    expect((await admin.request('DELETE', `/api/admin/signing/people/${person.id}`)).status).toBe(204);
    expect((await admin.request('DELETE', `/api/admin/signing/people/${person.id}`)).status).toBe(404);
    await expect(materials.person(person.login, person.fullName)).rejects.toThrow(MissingCertificateError);
    await expect(materials.person(person.login, person.fullName)).rejects.toThrow(/No signing certificate for .*an administrator uploads/);

    const events = await t.dataSource.getRepository(AuditEventEntity).find({ order: { seq: 'ASC' } });
    const actions = events.filter((e) => e.action.startsWith('signing-credential.')).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['signing-credential.uploaded', 'signing-credential.seal-uploaded', 'signing-credential.signature-image-uploaded', 'signing-credential.removed']));
    expect(JSON.stringify(events.map((e) => e.detail))).not.toContain('unit-passphrase-kept-secret');
  });

  it('refuses a PKCS#12 upload when SIGNING_SECRET is not configured', async () => {
    const bare = await startTestApp(kind, { dataSets: [DATA_SET] });
    try {
      const client = new ApiClient(bare.baseUrl);
      expect((await client.login(`administrator.skhcn@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
      const identity = ca.issue('Đơn vị');
      const response = await client.request('PUT', `/api/admin/signing/units/${unit.id}/certificate`, { body: { pkcs12: identity.pkcs12.toString('base64'), passphrase: identity.passphrase } });
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('signing-secret-missing');
    } finally {
      await bare.close();
    }
  });
});
