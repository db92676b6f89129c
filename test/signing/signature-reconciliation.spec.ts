import { createPrivateKey, sign as cryptoSign, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
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
import { SignatureReconciliation } from '../../src/reports/signature-reconciliation';
import { assemblePadesCms, padesSignedAttributes, signedAttributesDer } from '../../src/signing/pades-cms';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { createTestDatabase, TEST_DATABASE_KINDS, TestDatabase } from '../support/test-databases';
import { TestCa } from './support/test-ca';
import { blueSignature, redSeal } from './support/test-images';

/**
 * Accepting a signature made elsewhere commits it (pending row `signed`), issues the document, then
 * completes the signer's "Ký số báo cáo" task. A process killed after the commit left that task open
 * and the report process waiting for a signature it already had. Here both crashes are made
 * deterministic — one right after the commit (nothing issued yet), one after the document was issued
 * but before the engine step — the application stops, and its next start must complete each task
 * once, in the signer's name, and the reports end issued and sent; a third start changes nothing.
 *
 * SIGNATURE_RECONCILIATION_OFF=1 starts the later lives without the reconciliation (a test-only
 * switch): the test must then fail — the tasks stay open and the first report is never issued.
 */
const DATA_SET = 'quang-ngai-2025';
const RECONCILIATION_OFF = process.env.SIGNATURE_RECONCILIATION_OFF === '1';
/** Cut before the pipeline goes on, and cut after it, before the engine step. */
const BEFORE_ISSUE = '21172';
const BEFORE_TASK = '21025';

/** The next call of `object[method]` dies as a SIGKILL would cut it there; later calls run. */
function crashOnce<T extends object>(object: T, method: keyof T & string): void {
  const original = (object as Record<string, unknown>)[method];
  (object as Record<string, unknown>)[method] = async () => {
    (object as Record<string, unknown>)[method] = original;
    throw new Error(`killed (simulated) at ${method}`);
  };
}

describe.each(TEST_DATABASE_KINDS.slice(0, 1))('a "Ký số" step cut in half by a crash is finished at the next start [%s]', (kind) => {
  let db: TestDatabase;
  let runtimeDir: string;
  let dir: string;
  let anchors: string;
  let life: TestApp | undefined;

  const start = async (dataSets: string[] = []) => {
    life = await startTestApp(kind, {
      dataSets,
      runtime: true,
      restartOn: { db, runtimeDir },
      signing: { mode: 'pkcs12', keystore: undefined, trustAnchors: anchors, secret: 'signature-reconciliation-secret' },
      override: (builder) => {
        if (RECONCILIATION_OFF) builder.overrideProvider(SignatureReconciliation).useValue({ reconcile: async () => ({ completed: [], failed: [] }) });
      },
    });
    return life;
  };
  const stop = async () => {
    await life?.close();
    life = undefined;
  };
  const settle = async (t: TestApp) => {
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
  };
  const signIn = async (t: TestApp, login: string) => {
    const client = new ApiClient(t.baseUrl);
    expect((await client.login(login, DEMO_PASSWORD)).status).toBe(200);
    return client;
  };

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    runtimeDir = mkdtempSync(join(tmpdir(), 'iso-cycle-sign-reconcile-'));
    dir = mkdtempSync(join(tmpdir(), 'iso-sign-reconcile-'));
    anchors = join(dir, 'anchors.pem');
  });
  afterAll(async () => {
    await stop();
    await db?.destroy();
    rmSync(runtimeDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes each open "Ký số" task whose signature was accepted, once; the reports are issued; a further start changes nothing', async () => {
    const ca = new TestCa();
    writeFileSync(anchors, ca.certificatePem);
    let t = await start([DATA_SET]);
    const admin = await signIn(t, `administrator.skhcn@${DATA_SET}`);
    const cycle: CycleEntity = await insertCycle(t.dataSource, DATA_SET);
    const reports = t.app.get(ReportsService);

    /** The head signs with a token (certificate alone registered); the report is approved and waits in "Ký số". */
    const waiting = async (code: string, seed: number) => {
      const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code });
      const head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.${code}@${DATA_SET}` });
      const staff = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.${code}@${DATA_SET}` });
      const headIdentity = ca.issue(head.fullName);
      const unitIdentity = ca.issue(unit.officialName);
      const put = async (path: string, body: unknown) => expect((await admin.request('PUT', path, { body })).status).toBe(200);
      await put(`/api/admin/signing/people/${head.id}/certificate`, { certificate: headIdentity.certificatePem });
      await put(`/api/admin/signing/people/${head.id}/signature-image`, { png: blueSignature().toString('base64') });
      await put(`/api/admin/signing/units/${unit.id}/certificate`, { pkcs12: unitIdentity.pkcs12.toString('base64'), passphrase: unitIdentity.passphrase });
      await put(`/api/admin/signing/units/${unit.id}/seal`, { png: redSeal().toString('base64'), diameterMm: 36 });
      const report = await reports.startReport(cycle, unit, { divisionReview: false });
      await reports.saveDraft(report.id, generateReportValues(formForYear(cycle.year), seededRandom(seed), { start: cycle.periodStart, end: cycle.periodEnd }, unit.name), { personId: staff.id, login: staff.login });
      await reports.submit(report.id, { personId: staff.id, login: staff.login });
      await reports.review(report.id, 'approved', '', { personId: head.id, login: head.login });
      await settle(t);
      const client = await signIn(t, head.login);
      const [pending] = (await client.request('GET', '/api/signatures')).body;
      expect(pending).toBeDefined();
      // The token: a CMS over the digest, by the head's key.
      const certificate = new X509Certificate(headIdentity.certificatePem).raw;
      const attributes = padesSignedAttributes(Buffer.from(pending.digest, 'base64'), certificate);
      const cms = assemblePadesCms(attributes, cryptoSign('sha256', signedAttributesDer(attributes), createPrivateKey(headIdentity.keyPem)), certificate, [], 'rsa-sha256');
      return { report, head, client, documentId: pending.documentId as string, cms: cms.toString('base64') };
    };
    const first = await waiting(BEFORE_ISSUE, 11);
    const second = await waiting(BEFORE_TASK, 12);

    // The signature is committed, then the process dies: before the pipeline goes on, and after it (before the engine step).
    crashOnce(t.app.get(IssuePipeline), 'advance');
    expect((await first.client.request('POST', `/api/signatures/${first.documentId}`, { body: { cms: first.cms } })).status).toBe(500);
    crashOnce(t.app.get(WorkflowEngine), 'completeUserTask');
    expect((await second.client.request('POST', `/api/signatures/${second.documentId}`, { body: { cms: second.cms } })).status).toBe(500);

    const signTasks = async (app: TestApp, report: ReportEntity) =>
      (await app.app.get(WorkflowEngine).listUserTasks({ instanceKey: report.processInstanceKey!, state: 'created' })).map((task) => task.elementId);
    const rowState = async (app: TestApp, documentId: string) => (await app.dataSource.getRepository(PendingSignatureEntity).findOneByOrFail({ documentId })).state;
    const documentState = async (app: TestApp, documentId: string) => (await app.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId })).state;
    // The gap as the crashes leave it: the signature recorded, the "Ký số" task still open.
    expect([await rowState(t, first.documentId), await documentState(t, first.documentId), await signTasks(t, first.report)]).toEqual(['signed', 'numbered', ['sign-report']]);
    expect([await rowState(t, second.documentId), await documentState(t, second.documentId), await signTasks(t, second.report)]).toEqual(['signed', 'issued', ['sign-report']]);
    await stop();

    // Second life: the start completes each task; the process issues (or finds issued) and sends.
    t = await start();
    await settle(t);
    const observe = async (app: TestApp, item: typeof first) => {
      const report = await app.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: item.report.id });
      const history = await app.app.get(WorkflowEngine).getHistory(report.processInstanceKey!);
      return {
        status: report.status,
        sent: report.sentAt !== null,
        document: await documentState(app, item.documentId),
        open: await signTasks(app, report),
        signedBy: history.filter((h) => h.elementId === 'sign-report' && h.event === 'completed').map((h) => h.actor),
      };
    };
    const expected = (item: typeof first) => ({ status: 'issued', sent: true, document: 'issued', open: [], signedBy: [item.head.login] });
    expect(await observe(t, first)).toEqual(expected(first));
    expect(await observe(t, second)).toEqual(expected(second));
    expect((await (await signIn(t, first.head.login)).request('GET', '/api/signatures')).body).toEqual([]);
    await stop();

    // Third life: nothing left, nothing done twice.
    t = await start();
    expect(await t.app.get(SignatureReconciliation).reconcile()).toEqual({ completed: [], failed: [] });
    await settle(t);
    expect(await observe(t, first)).toEqual(expected(first));
    expect(await observe(t, second)).toEqual(expected(second));
  }, 300_000);
});
