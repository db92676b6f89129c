import { createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, ElementHandle, Page } from 'puppeteer-core';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { PendingSignatureEntity } from '../../src/documents/signing/pending-signature.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { assemblePadesCms, padesSignedAttributes, signedAttributesDer } from '../../src/signing/pades-cms';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { TestCa, TestIdentity } from '../signing/support/test-ca';
import { blueSignature, redSeal } from '../signing/support/test-images';
import { insertCycle } from '../support/cycle-fixture';
import { FormClient } from '../support/form-client';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { ARTIFACTS, DATA_SET, launchBrowser, screenshot } from './browser-support';

/** A token's CMS over a digest, made with the identity's key (as the deferred signature spec's token does). */
function signDigest(identity: TestIdentity, digest: Buffer): Buffer {
  const certificate = new X509Certificate(identity.certificatePem).raw;
  const attributes = padesSignedAttributes(digest, certificate);
  return assemblePadesCms(attributes, cryptoSign('sha256', signedAttributesDer(attributes), createPrivateKey(identity.keyPem)), certificate, [], 'rsa-sha256');
}

/**
 * The signer's page in Chromium: a head whose certificate alone is registered (they sign with a USB
 * token) sees the approved report waiting, downloads its digest through the page's link, the test's
 * "token" signs it, and the .p7s goes back through the page's file input; the document is issued and
 * leaves the list. A signature by another certificate is refused at the field and changes nothing.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('the signer’s page /signatures [sqlite]', () => {
  const CODE = '21172';
  /** A head whose token returns a raw signature over the signed attributes. */
  const RAW_CODE = '21025';
  /** A head who pastes the signature (PEM) into the page without JavaScript. */
  const PASTE_CODE = '21211';
  let t: TestApp;
  let browser: Browser;
  let dir: string;
  let ca: TestCa;
  let headIdentity: TestIdentity;
  let report: ReportEntity;
  let rawIdentity: TestIdentity;
  let rawReport: ReportEntity;
  let pasteIdentity: TestIdentity;
  let pasteReport: ReportEntity;

  const settle = async () => {
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'iso-signatures-page-'));
    ca = new TestCa();
    writeFileSync(join(dir, 'anchors.pem'), ca.certificatePem);
    // The browser keeps the session cookie by real time: the application's clock is today.
    t = await startTestApp('sqlite', {
      dataSets: [DATA_SET],
      runtime: true,
      clock: new ControlledClock(new Date()),
      signing: { mode: 'pkcs12', keystore: undefined, trustAnchors: join(dir, 'anchors.pem'), secret: 'signatures-page-browser-secret' },
    });
    const admin = new ApiClient(t.baseUrl);
    expect((await admin.login(`administrator.skhcn@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
    const cycle = await insertCycle(t.dataSource, DATA_SET);
    const reports = t.app.get(ReportsService);
    /** The head's certificate alone (a token signs), the unit's PKCS#12; the report approved, waiting in "Ký số". */
    const waiting = async (code: string, seed: number) => {
      const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });
      const head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.${code}@${DATA_SET}` });
      const staff = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.${code}@${DATA_SET}` });
      const identity = ca.issue(head.fullName);
      const unitIdentity = ca.issue(unit.officialName);
      const put = async (path: string, body: unknown) => expect((await admin.request('PUT', path, { body })).status).toBe(200);
      await put(`/api/admin/signing/people/${head.id}/certificate`, { certificate: identity.certificatePem });
      await put(`/api/admin/signing/people/${head.id}/signature-image`, { png: blueSignature().toString('base64') });
      await put(`/api/admin/signing/units/${unit.id}/certificate`, { pkcs12: unitIdentity.pkcs12.toString('base64'), passphrase: unitIdentity.passphrase });
      await put(`/api/admin/signing/units/${unit.id}/seal`, { png: redSeal().toString('base64'), diameterMm: 36 });
      const started = await reports.startReport(cycle, unit, { divisionReview: false });
      await reports.saveDraft(started.id, generateReportValues(formForYear(cycle.year), seededRandom(seed), { start: cycle.periodStart, end: cycle.periodEnd }, unit.name), { personId: staff.id, login: staff.login });
      await reports.submit(started.id, { personId: staff.id, login: staff.login });
      await reports.review(started.id, 'approved', '', { personId: head.id, login: head.login });
      return { identity, report: started };
    };
    ({ identity: headIdentity, report } = await waiting(CODE, 5));
    ({ identity: rawIdentity, report: rawReport } = await waiting(RAW_CODE, 6));
    ({ identity: pasteIdentity, report: pasteReport } = await waiting(PASTE_CODE, 7));
    await settle();
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const upload = async (page: Page, selector: string, name: string, bytes: Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    await ((await page.$(selector)) as ElementHandle<HTMLInputElement>).uploadFile(path);
  };

  /** The signer's own browser profile (downloads land in `downloads`), signed in through the login page the signer page sends them to. */
  const signerPage = async (login: string, downloads: string) => {
    mkdirSync(downloads, { recursive: true });
    const context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloads } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    page.on('pageerror', (error) => console.error(`page error (${login}):`, error));
    await page.goto(`${t.baseUrl}/signatures`);
    await page.waitForSelector('#login-form');
    await page.type('#login', login);
    await page.type('#password', DEMO_PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/signatures');
    await page.waitForSelector('#signature-list li[data-document], #signatures-none');
    return { context, page };
  };
  /** Clicks a download link of the page and reads the file it saved. */
  const download = async (page: Page, selector: string, downloads: string): Promise<Buffer> => {
    const name = await page.$eval(selector, (a) => a.getAttribute('download')!);
    await page.click(selector);
    const file = join(downloads, name);
    for (let i = 0; i < 100 && !existsSync(file); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    return readFileSync(file);
  };

  it('downloads the digest, takes the token’s .p7s through the file input, refuses a stranger’s, and the report is issued', async () => {
    const downloads = join(dir, 'downloads');
    const { context, page } = await signerPage(`head.${CODE}@${DATA_SET}`, downloads);
    try {

      const documentIds = await page.$$eval('#signature-list li[data-document]', (nodes) => nodes.map((n) => n.getAttribute('data-document')!));
      expect(documentIds).toHaveLength(1);
      const [documentId] = documentIds;
      const pending = await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId });
      const card = `#signature-list li[data-document="${documentId}"]`;
      const numbered = await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId });
      expect(await page.$eval(`#title-${documentId}`, (n) => n.textContent ?? '')).toBe(`Số ${numbered.symbol}: ${numbered.subject}`);
      // The digest as hex on the page is the one the server keeps.
      expect((await page.$eval(`#digest-hex-${documentId}`, (n) => n.textContent ?? '')).replace(/\s/g, '')).toBe(pending.digest);
      expect(await page.$eval(`#pdf-${documentId}`, (a) => a.getAttribute('href'))).toBe(`/api/signatures/${documentId}/pdf`);
      // The head's menu leads here; every input has a label.
      expect(await page.$eval('#site-header nav a[aria-current="page"]', (a) => a.getAttribute('href'))).toBe('/signatures');
      expect(await page.$$eval('#main input, #main select, #main textarea', (nodes) => nodes.filter((n) => !(n as HTMLInputElement).labels?.length).map((n) => n.outerHTML))).toEqual([]);

      // Download the digest by clicking the page's link.
      const digest = await download(page, `#digest-${documentId}`, downloads);
      expect(digest.toString('hex')).toBe(pending.digest);

      // A wrong file: another certificate of the same CA. Refused at the field; nothing changes.
      // The page's form, without JavaScript: the file goes to the server, which answers the page again with the refusal at the field.
      expect(await page.$$('script')).toEqual([]);
      await upload(page, `#file-${documentId}`, 'stranger.p7s', signDigest(ca.issue('Người Khác'), digest));
      await Promise.all([page.waitForNavigation(), page.click(`#sign-form-${documentId} button[type="submit"]`)]);
      expect(await page.$eval(`#file-error-${documentId}`, (n) => n.textContent)).toMatch(/không phải chứng thư số đã đăng ký/);
      expect(await page.$eval(`#file-${documentId}`, (n) => n.getAttribute('aria-invalid'))).toBe('true');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe(`file-${documentId}`);
      await screenshot(page, 'signatures-refused');
      const after = await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId });
      expect([after.state, after.signedPdf]).toEqual(['awaiting', null]);
      expect((await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId })).state).toBe('numbered');
      expect((await t.app.get(WorkflowEngine).listUserTasks({ instanceKey: report.processInstanceKey!, state: 'created' })).map((task) => task.elementId)).toEqual(['sign-report']);
      expect(await page.$(card)).not.toBeNull();

      // Phone width: nothing wider than the screen.
      await page.setViewport({ width: 360, height: 740 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      await screenshot(page, 'signatures-phone');

      // The token's .p7s over the downloaded digest: accepted, the item leaves the list, the report is issued.
      await upload(page, `#file-${documentId}`, 'token.p7s', signDigest(headIdentity, digest));
      await Promise.all([page.waitForNavigation(), page.click(`#sign-form-${documentId} button[type="submit"]`)]);
      await page.waitForSelector('#signatures-none');
      expect(await page.$eval('#messages', (n) => n.textContent ?? '')).toMatch(/đã được ban hành/);
      await settle();
      expect((await t.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId })).state).toBe('issued');
      expect(await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id })).toMatchObject({ status: 'issued', issuedDocumentId: documentId });
      expect(await t.app.get(WorkflowEngine).listUserTasks({ instanceKey: report.processInstanceKey!, state: 'created' })).toEqual([]);
      await page.reload();
      await page.waitForSelector('#signatures-none');
    } finally {
      await context.close();
    }
  }, 120_000);
  it('takes a raw signature over the downloaded signed attributes, the server picking the kind from the bytes', async () => {
    const downloads = join(dir, 'downloads-raw');
    const { context, page } = await signerPage(`head.${RAW_CODE}@${DATA_SET}`, downloads);
    try {
      const [documentId] = await page.$$eval('#signature-list li[data-document]', (nodes) => nodes.map((n) => n.getAttribute('data-document')!));
      expect(documentId).toBeDefined();
      const attributes = await download(page, `#attributes-${documentId}`, downloads);
      const signature = cryptoSign('sha256', attributes, createPrivateKey(rawIdentity.keyPem));
      // Left on "Tự nhận biết": the server reads a raw signature from the bytes (no CMS content type in them).
      await upload(page, `#file-${documentId}`, 'token.sig', signature);
      expect(await page.$eval(`#kind-auto-${documentId}`, (n) => (n as HTMLInputElement).checked)).toBe(true);
      await Promise.all([page.waitForNavigation(), page.click(`#sign-form-${documentId} button[type="submit"]`)]);
      await page.waitForSelector('#signatures-none');
      await settle();
      expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: rawReport.id })).status).toBe('issued');
    } finally {
      await context.close();
    }
  }, 120_000);

  it('works without JavaScript: the digest as a file, a pasted signature refused at the field, then a pasted PEM taken; another person sees none of it', async () => {
    const signer = new FormClient(t.baseUrl);
    await signer.signIn(`head.${PASTE_CODE}@${DATA_SET}`, DEMO_PASSWORD);
    const page = await signer.get('/signatures');
    expect(page.status).toBe(200);
    const documentId = /data-document="([0-9a-f-]{36})"/.exec(page.html)![1];
    const pending = await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId });
    // FormClient reads pages as text: the binary file is fetched with its session cookie.
    const cookie = [...(signer as unknown as { cookies: Map<string, string> }).cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const digestFile = await fetch(`${t.baseUrl}/signatures/${documentId}/digest`, { headers: { cookie } });
    expect(digestFile.headers.get('content-disposition')).toMatch(/^attachment; filename=".*\.sha256\.bin"$/);
    const digest = Buffer.from(await digestFile.arrayBuffer());
    expect(digest.toString('hex')).toBe(pending.digest);
    // Another head: the document is as absent as a missing one.
    const other = new FormClient(t.baseUrl);
    await other.signIn(`head.${CODE}@${DATA_SET}`, DEMO_PASSWORD);
    expect((await other.get(`/signatures/${documentId}/digest`)).status).toBe(404);
    expect((await other.get('/signatures')).html).not.toContain(documentId);

    const action = /<form id="sign-form-[^"]+"[^>]*action="([^"]+)"/.exec(page.html)![1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
    const garbage = await signer.postMultipart(action, { text: 'không phải chữ ký', kind: 'auto' });
    expect(garbage.status).toBe(422);
    expect(garbage.html).toMatch(new RegExp(`id="file-${documentId}"[^>]*aria-invalid="true"`));
    expect(garbage.html).toContain('không phải chữ ký</textarea>');
    expect((await t.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId })).state).toBe('awaiting');
    const pem = `-----BEGIN PKCS7-----\n${signDigest(pasteIdentity, digest).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PKCS7-----\n`;
    const taken = await signer.postMultipart(action, { text: pem, kind: 'auto' });
    expect(taken).toMatchObject({ status: 303, location: `/signatures?done=signed&document=${documentId}` });
    const after = await signer.get(taken.location!);
    expect(after.html).toMatch(/Đã nhận chữ ký\. Văn bản số .* (đã được ban hành|đang được xử lý)\./);
    expect(after.html).toContain('id="signatures-none"');
    // The message is said of one's own documents only.
    expect((await other.get(taken.location!)).html).not.toContain('Đã nhận chữ ký');
    await settle();
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: pasteReport.id })).status).toBe('issued');
  }, 120_000);
});
