import { spawnSync } from 'node:child_process';
import { createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { PendingSignatureEntity } from '../../src/documents/signing/pending-signature.entity';
import { readSignatures } from '../../src/documents/signing/pdf-signature';
import { DocumentStore } from '../../src/documents/store/document-store';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { assemblePadesCms, padesSignedAttributes, signedAttributesDer } from '../../src/signing/pades-cms';
import { SigningCredentialEntity } from '../../src/signing/admin/signing-credential.entity';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { TestCa, TestIdentity } from './support/test-ca';
import { blueSignature, redSeal } from './support/test-images';

/** pdfsig's report of a file, with the test CA trusted. */
function pdfsig(file: string, nssdir: string): string {
  const result = spawnSync('pdfsig', ['-nssdir', nssdir, file], { encoding: 'utf8' });
  return `${result.stdout}${result.stderr}`;
}

/**
 * A USB token or remote signing service, played by the test: it holds the person's private key
 * (made by the test CA) and sees only what the server hands out — the digest, or the DER of the
 * signed attributes — never the document.
 */
class ExternalToken {
  private readonly key;
  readonly certificate: Buffer;
  constructor(identity: TestIdentity) {
    this.key = createPrivateKey(identity.keyPem);
    this.certificate = new X509Certificate(identity.certificatePem).raw;
  }
  /** A raw RSA-SHA256 signature over the signed attributes (what a PKCS#11 token does). */
  signRaw(signedAttributes: Buffer): Buffer {
    return cryptoSign('sha256', signedAttributes, this.key);
  }
  /** A whole CMS SignedData over a digest (what a remote signing service returns). */
  signDigest(digest: Buffer): Buffer {
    const attributes = padesSignedAttributes(digest, this.certificate);
    return assemblePadesCms(attributes, cryptoSign('sha256', signedAttributesDer(attributes), this.key), this.certificate, [], 'rsa-sha256');
  }
}

/**
 * The deferred signer end to end, through HTTP and the report process: administrators register the
 * head's certificate alone (they sign with a token) and the unit's PKCS#12 with the images; the
 * approved report waits in a "Ký số" task; the token signs what GET hands out; bad signatures are
 * refused and change nothing; the good one is embedded, the unit signs, the document is issued and
 * the process moves on; pdfsig finds both signatures valid and trusted.
 * Signing does not depend on the database: the first one under test runs it.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('deferred signature of an issued report [%s]', (kind) => {
  const DATA_SET = 'quang-ngai-2025';
  const CODE = '21172';
  /** A second commune, whose head signs with a raw-signature token. */
  const OTHER = '21025';
  /** A third, for the check switched off. */
  const THIRD = '21211';
  let t: TestApp;
  let cycle: CycleEntity;
  let otherToken: ExternalToken;
  let dir: string;
  let ca: TestCa;
  let nssdir: string;
  let head: PersonEntity;
  let unit: UnitEntity;
  let token: ExternalToken;
  let stranger: ExternalToken;
  const admin = () => signIn(`administrator.skhcn@${DATA_SET}`);
  const signIn = async (login: string) => {
    const client = new ApiClient(t.baseUrl);
    expect((await client.login(login, DEMO_PASSWORD)).status).toBe(200);
    return client;
  };
  const settle = async () => {
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
  };

  /** The administrator registers the head's certificate alone (a token signs) and the unit's PKCS#12, with the images. */
  const register = async (code: string): Promise<ExternalToken> => {
    const theUnit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });
    const theHead = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.${code}@${DATA_SET}` });
    const headIdentity = ca.issue(theHead.fullName, { organization: theUnit.officialName });
    const unitIdentity = ca.issue(theUnit.officialName);
    const client = await admin();
    const put = async (path: string, body: unknown) => expect((await client.request('PUT', path, { body })).status).toBe(200);
    await put(`/api/admin/signing/people/${theHead.id}/certificate`, { certificate: headIdentity.certificatePem });
    await put(`/api/admin/signing/people/${theHead.id}/signature-image`, { png: blueSignature().toString('base64') });
    await put(`/api/admin/signing/units/${theUnit.id}/certificate`, { pkcs12: unitIdentity.pkcs12.toString('base64'), passphrase: unitIdentity.passphrase });
    await put(`/api/admin/signing/units/${theUnit.id}/seal`, { png: redSeal().toString('base64'), diameterMm: 36 });
    return new ExternalToken(headIdentity);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'iso-deferred-'));
    ca = new TestCa();
    nssdir = ca.nssDatabase(join(dir, 'nss'));
    const anchors = join(dir, 'anchors.pem');
    writeFileSync(anchors, ca.certificatePem);
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true, signing: { mode: 'pkcs12', keystore: undefined, trustAnchors: anchors, secret: 'deferred-signature-test-secret' } });
    unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: CODE });
    head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.${CODE}@${DATA_SET}` });
    token = await register(CODE);
    stranger = new ExternalToken(ca.issue('Người Khác'));
    otherToken = await register(OTHER);
    cycle = await insertCycle(t.dataSource, DATA_SET);
    await t.app.get(ConsolidationService).startConsolidations(cycle);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A report of the unit drafted and submitted by its staff, approved by its head through HTTP. */
  const approvedReport = async (code: string): Promise<ReportEntity> => {
    const reports = t.app.get(ReportsService);
    const report = await reports.startReport(cycle, await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code }));
    const staff = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.${code}@${DATA_SET}` });
    const actor = { personId: staff.id, login: staff.login };
    await reports.saveDraft(report.id, generateReportValues(formForYear(2026), seededRandom(7), { start: '2025-11-15', end: '2026-11-14' }), actor);
    await reports.submit(report.id, actor);
    await settle();
    const review = await (await signIn(`head.${code}@${DATA_SET}`)).request('POST', `/api/reports/${report.id}/review`, { body: { decision: 'approved' } });
    expect(review.status).toBe(201);
    await settle();
    return t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id });
  };

  it('lists certificates without keys or passphrases, and refuses a non-PNG image and a wrong passphrase', async () => {
    const client = await admin();
    const listed = await client.request('GET', `/api/admin/signing/credentials?unitId=${unit.id}`);
    expect(listed.status).toBe(200);
    expect(listed.body.map((c: { ownerKind: string; mode: string; hasImage: boolean }) => [c.ownerKind, c.mode, c.hasImage]).sort()).toEqual([
      ['person', 'deferred', true],
      ['unit', 'server', true],
    ]);
    const text = JSON.stringify(listed.body);
    expect(text).not.toMatch(/pkcs12|passphrase|PRIVATE KEY/i);
    expect(listed.body[0].fingerprint).toMatch(/^[0-9a-f]{64}$/);

    const notPng = await client.request('PUT', `/api/admin/signing/people/${head.id}/signature-image`, { body: { png: Buffer.from('GIF89a not a png at all').toString('base64') } });
    expect(notPng.status).toBe(422);
    const wrong = await client.request('PUT', `/api/admin/signing/units/${unit.id}/certificate`, { body: { pkcs12: ca.issue('x').pkcs12.toString('base64'), passphrase: 'definitely-wrong-passphrase' } });
    expect(wrong.status).toBe(422);
    expect(JSON.stringify(wrong.body)).not.toContain('definitely-wrong-passphrase');
    // The refused uploads changed nothing: the unit still signs with its own key.
    const row = await t.dataSource.getRepository(SigningCredentialEntity).findOneByOrFail({ ownerKind: 'unit', ownerKey: `${CODE}@${DATA_SET}` });
    expect(row.fingerprint).toBe(listed.body.find((c: { ownerKind: string }) => c.ownerKind === 'unit').fingerprint);
    expect(row.passphraseEncrypted).not.toContain(row.fingerprint);
    // Only an administrator: the head may not upload a certificate.
    expect((await (await signIn(head.login)).request('PUT', `/api/admin/signing/units/${unit.id}/seal`, { body: { png: redSeal().toString('base64'), diameterMm: 36 } })).status).toBe(403);
  });

  it('waits in the signer’s "Ký số" task, refuses bad signatures without a change, and issues once the token’s CMS comes back', async () => {
    const report = await approvedReport(CODE);
    const headClient = await signIn(head.login);

    // The process waits: the document is numbered, not stored; the head has a "Ký số" task.
    const inbox = await headClient.request('GET', '/api/inbox');
    const signTask = inbox.body.find((task: { elementId: string }) => task.elementId === 'sign-report');
    expect(signTask).toBeDefined();
    const pendingList = await headClient.request('GET', '/api/signatures');
    expect(pendingList.status).toBe(200);
    expect(pendingList.body).toHaveLength(1);
    const documentId: string = pendingList.body[0].documentId;
    expect((await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId })).state).toBe('numbered');
    expect(await t.app.get(DocumentStore).get(documentId)).toBeNull();

    const toSign = await headClient.request('GET', `/api/signatures/${documentId}`);
    expect(toSign.status).toBe(200);
    expect(toSign.body).toMatchObject({ documentId, state: 'awaiting', digestAlgorithm: 'SHA-256' });
    const digest = Buffer.from(toSign.body.digest, 'base64');
    expect(digest).toHaveLength(32);
    // Another person sees nothing of it.
    expect((await (await signIn(`staff.${CODE}@${DATA_SET}`)).request('GET', `/api/signatures/${documentId}`)).status).toBe(404);

    // Bad signatures: refused with 422, and nothing moves.
    const before = await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId });
    const refusals = [
      { label: 'another certificate of the same CA', body: { cms: stranger.signDigest(digest).toString('base64') }, message: /không phải chứng thư số đã đăng ký/ },
      { label: 'the wrong digest', body: { cms: token.signDigest(Buffer.alloc(32, 7)).toString('base64') }, message: /changed after signing/ },
      { label: 'an untrusted certificate', body: { cms: new ExternalToken(new TestCa('another CA').issue(head.fullName)).signDigest(digest).toString('base64') }, message: /does not chain to a trusted authority/ },
      { label: 'not a CMS', body: { cms: Buffer.from('not a cms at all').toString('base64') }, message: /not a CMS SignedData/ },
      { label: 'a raw signature by another key', body: { signature: stranger.signRaw(Buffer.from(toSign.body.signedAttributes, 'base64')).toString('base64') }, message: /does not verify/ },
      { label: 'both forms at once', body: { cms: 'AAAA', signature: 'AAAA' }, message: /đúng một trong hai/ },
    ];
    for (const refusal of refusals) {
      const response = await headClient.request('POST', `/api/signatures/${documentId}`, { body: refusal.body });
      expect(`${refusal.label}: ${response.status}`).toBe(`${refusal.label}: 422`);
      expect(JSON.stringify(response.body)).toMatch(refusal.message);
    }
    const after = await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId });
    expect(after.state).toBe('awaiting');
    expect(after.signedPdf).toBeNull();
    expect(after.preparedPdf.equals(before.preparedPdf)).toBe(true);
    expect((await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId })).state).toBe('numbered');
    expect((await t.app.get(WorkflowEngine).getUserTask(signTask.taskKey)).state).toBe('created');

    // The token's CMS over the digest: accepted, embedded, the unit signs, the document is issued.
    const accepted = await headClient.request('POST', `/api/signatures/${documentId}`, { body: { cms: token.signDigest(digest).toString('base64') } });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ documentId, state: 'issued' });
    await settle();
    expect((await t.app.get(WorkflowEngine).getUserTask(signTask.taskKey)).state).toBe('completed');
    const issued = await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id });
    expect(issued).toMatchObject({ status: 'issued', issuedDocumentId: documentId });
    expect(issued.sentAt).not.toBeNull();
    expect((await headClient.request('GET', '/api/signatures')).body).toEqual([]);
    const signedEvents = await t.dataSource.getRepository(AuditEventEntity).findBy({ action: 'document.signed' });
    expect(signedEvents.map((e) => [e.actorLogin, e.subjectId])).toEqual([[head.login, documentId]]);

    const stored = (await t.app.get(DocumentStore).get(documentId))!;
    const file = join(dir, 'deferred.pdf');
    writeFileSync(file, stored.pdf);
    const check = pdfsig(file, nssdir);
    expect(check.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(check.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
    expect(check).toContain(head.fullName);
    expect((await readSignatures(stored.pdf)).map((s) => s.fieldName)).toEqual(['Signature-person', 'Signature-unit']);

    // A byte changed after signing: pdfsig sees it.
    const tampered = Buffer.from(stored.pdf);
    const at = tampered.length >> 2;
    tampered[at] = tampered[at] ^ 0x01;
    writeFileSync(join(dir, 'tampered.pdf'), tampered);
    expect(pdfsig(join(dir, 'tampered.pdf'), nssdir)).not.toContain('Signature is Valid');

    // Sending again after the answer was lost only finishes what is left: nothing changes.
    const again = await headClient.request('POST', `/api/signatures/${documentId}`, { body: { cms: token.signDigest(digest).toString('base64') } });
    expect(again.status).toBe(201);
    expect((await t.app.get(DocumentStore).get(documentId))!.sha256).toBe(stored.sha256);
  });

  it('takes a raw signature over the signed attributes (a PKCS#11 token) and assembles the CMS with the registered certificate', async () => {
    const second = await approvedReport(OTHER);
    const headClient = await signIn(`head.${OTHER}@${DATA_SET}`);
    const [pending] = (await headClient.request('GET', '/api/signatures')).body;
    expect(pending).toBeDefined();
    const signature = otherToken.signRaw(Buffer.from(pending.signedAttributes, 'base64'));
    const accepted = await headClient.request('POST', `/api/signatures/${pending.documentId}`, { body: { signature: signature.toString('base64') } });
    expect(accepted.status).toBe(201);
    await settle();
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: second.id })).status).toBe('issued');
    const file = join(dir, 'raw.pdf');
    writeFileSync(file, (await t.app.get(DocumentStore).get(pending.documentId))!.pdf);
    const check = pdfsig(file, nssdir);
    expect(check.match(/Signature Validation: Signature is Valid\./g)).toHaveLength(2);
    expect(check.match(/Certificate Validation: Certificate is Trusted\./g)).toHaveLength(2);
  });

  it('embeds a stranger’s signature when the check is switched off (test-only): the check is what refuses it', async () => {
    await register(THIRD);
    const report = await approvedReport(THIRD);
    const headClient = await signIn(`head.${THIRD}@${DATA_SET}`);
    const [pending] = (await headClient.request('GET', '/api/signatures')).body;
    const cms = stranger.signDigest(Buffer.from(pending.digest, 'base64')).toString('base64');
    process.env.DEFERRED_SIGNATURE_CHECK_OFF = '1';
    try {
      expect((await headClient.request('POST', `/api/signatures/${pending.documentId}`, { body: { cms } })).status).toBe(201);
    } finally {
      delete process.env.DEFERRED_SIGNATURE_CHECK_OFF;
    }
    await settle();
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id })).status).toBe('issued');
    const file = join(dir, 'stranger.pdf');
    writeFileSync(file, (await t.app.get(DocumentStore).get(pending.documentId))!.pdf);
    // Issued under the head's name, signed by someone else: exactly what the check exists to stop.
    expect(pdfsig(file, nssdir)).toContain('Người Khác');
  });
});
