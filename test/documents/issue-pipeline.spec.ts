import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DocumentDeliveryEntity } from '../../src/documents/issuing/document-delivery.entity';
import { DocumentIncidentEntity } from '../../src/documents/issuing/document-incident.entity';
import { DocumentIncidentError, ISSUE_STEPS, IssuePipeline, IssuePipelineOptions, IssueRefusedError, IssueStep } from '../../src/documents/issuing/issue-pipeline';
import { IssuedDocumentEntity, IssueState } from '../../src/documents/issuing/issued-document.entity';
import { ApprovalMismatchError, CorrectionTargetError } from '../../src/documents/issuing/issued-documents';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { IncomingRegisterEntryEntity } from '../../src/documents/registers/incoming-register-entry.entity';
import { OutgoingRegisterEntryEntity } from '../../src/documents/registers/outgoing-register-entry.entity';
import { DatabaseDocumentStore } from '../../src/documents/store/database-document-store';
import { DocumentStore, sha256Hex } from '../../src/documents/store/document-store';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { PersonEntity } from '../../src/organization/person.entity';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { DocumentSigner, SigningRequest } from '../../src/documents/issuing/issue-renderer';
import { FakeIssueRenderer } from './support/fake-issue-renderer';
import { X509Certificate } from 'node:crypto';
import { PadesDocumentSigner, PERSON_SIGNATURE_FIELD, UNIT_SIGNATURE_FIELD } from '../../src/documents/signing/pades-document-signer';
import { readSignatures } from '../../src/documents/signing/pdf-signature';
import { AppearanceFonts } from '../../src/documents/signing/signature-appearance';
import { verifyDetachedCms } from '../../src/signing/cms-verification';
import { SigningKeystore } from '../../src/signing/signing-keystore';
import { TestCa } from '../signing/support/test-ca';
import { writeTestKeystore } from '../signing/support/test-keystore';
import { SeededUnits, approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

class SimulatedCrash extends Error {}

describe.each(TEST_DATABASE_KINDS)('the issue pipeline [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let units: SeededUnits;
  let root: string;
  const clock = new ControlledClock('2026-11-20T03:00:00Z');

  let signer: PadesDocumentSigner;
  let signerPersonId: number;
  let trustAnchors: X509Certificate[];
  let ca: TestCa;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    units = await seedQuangNgai2025(dataSource);
    root = mkdtempSync(join(tmpdir(), 'iso-pipeline-'));
    // The head of the standing agency signs, then the agency: keys from a CA made for this run.
    ca = new TestCa();
    trustAnchors = [new X509Certificate(ca.certificatePem)];
    const keystore = writeTestKeystore(join(root, 'keystore'), ca, {
      people: [{ login: 'head.skhcn@quang-ngai-2025', name: 'Trần Phước Hiền' }],
      units: [{ key: 'skhcn@quang-ngai-2025', name: 'Sở Khoa học và Công nghệ tỉnh Quảng Ngãi' }],
    });
    signer = new PadesDocumentSigner(dataSource, clock, SigningKeystore.load(keystore), AppearanceFonts.load());
    signerPersonId = await personId('head.skhcn@quang-ngai-2025');
  });
  afterAll(async () => {
    await close();
    rmSync(root, { recursive: true, force: true });
  });

  const pipelineWith = (store: DocumentStore, renderer: FakeIssueRenderer, options: IssuePipelineOptions = {}) =>
    new IssuePipeline(dataSource, clock, new NumberingService(dataSource, clock), renderer, store, options);
  const personId = async (login: string) => (await dataSource.getRepository(PersonEntity).findOneByOrFail({ login })).id;

  /** Everything the pipeline left for one document, to compare with what exactly-once means. */
  async function traces(documentId: string, store: DocumentStore) {
    const document = await dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId });
    const stored = await store.get(documentId);
    return {
      document,
      stored,
      outgoing: await dataSource.getRepository(OutgoingRegisterEntryEntity).findBy({ documentId }),
      incoming: await dataSource.getRepository(IncomingRegisterEntryEntity).findBy({ documentId }),
      deliveries: await dataSource.getRepository(DocumentDeliveryEntity).findBy({ documentId }),
    };
  }

  // Signing costs about a second a document on a busy machine: the filesystem-store runs sign
  // (both signatures, checked after the resume), the database-store runs issue unsigned.
  describe.each([
    ['filesystem store', () => new FilesystemDocumentStore(join(root, 'crash')), true],
    ['database store', () => new DatabaseDocumentStore(dataSource), false],
  ])('with a %s', (_storeName, makeStore, signed) => {
    it.each(ISSUE_STEPS.map((step) => [step]))('issues exactly once after a crash right after "%s"', async (step: IssueStep) => {
      const store = makeStore();
      const renderer = new FakeIssueRenderer();
      const recipients = [
        { unitId: units.province.id, name: 'UBND tỉnh' },
        { unitId: units.commune.id, name: 'UBND xã Tịnh Khê' },
        { name: 'Lưu: VT, TĐC' },
      ];
      const approved = approvedReport(units, { recipients, subject: `Báo cáo sau sự cố ở bước ${step}`, signerPersonId });
      const crashing = pipelineWith(store, renderer, {
        signer: signed ? signer : undefined,
        afterStep: (at) => {
          if (at === step) throw new SimulatedCrash(`crash after ${at}`);
        },
      });
      await expect(crashing.issue(approved)).rejects.toThrow(SimulatedCrash);

      // A fresh pipeline (a restarted process) picks up every document left between two steps.
      const { resumed } = await pipelineWith(store, renderer, { signer: signed ? signer : undefined }).resumeAll();
      // After the last step the document is already issued and there is nothing to resume.
      if (step !== 'register-incoming') expect(resumed).toContain(approved.id);
      const after = await traces(approved.id, store);

      expect(after.document.state).toBe(IssueState.Issued);
      expect(after.document.symbol).toBe(`${String(after.document.number).padStart(2, '0')}/BC-SKHCN`);
      expect(after.stored).not.toBeNull();
      expect(after.document.sha256).toBe(after.stored!.sha256);
      expect(sha256Hex(after.stored!.pdf)).toBe(after.document.sha256);
      expect(after.outgoing.map((r) => [r.number, r.symbol, r.issueDate, r.sentDate])).toEqual([[after.document.number, after.document.symbol, '2026-11-20', '2026-11-20']]);
      expect(after.deliveries.map((d) => d.recipientUnitId).sort()).toEqual([units.province.id, units.commune.id].sort());
      expect(after.incoming.map((r) => r.unitId).sort()).toEqual([units.province.id, units.commune.id].sort());
      // Rendered anew only when the crash came after rendering but before the file was stored.
      expect(renderer.calls).toBe(['render', 'sign', 'hash'].includes(step) ? 2 : 1);
      // The stored file carries both signatures, valid, trusted, the unit's covering the whole file.
      const signatures = await readSignatures(after.stored!.pdf);
      if (signed) {
        expect(signatures.map((s) => [s.fieldName, s.coversWholeFile])).toEqual([[PERSON_SIGNATURE_FIELD, false], [UNIT_SIGNATURE_FIELD, true]]);
        for (const s of signatures) expect(verifyDetachedCms(s.cms, s.signedBytes, trustAnchors, s.signingTime!).problems).toEqual([]);
      } else {
        expect(signatures).toEqual([]);
      }
    });
  });

  it('gives every document of the crash runs its own number, with no gap', async () => {
    const numbers = (await dataSource.getRepository(IssuedDocumentEntity).findBy({ unitId: units.skhcn.id, year: 2026 })).map((d) => d.number!).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    const registered = (await dataSource.getRepository(OutgoingRegisterEntryEntity).findBy({ unitId: units.skhcn.id, year: 2026 })).map((r) => r.number).sort((a, b) => a - b);
    expect(registered).toEqual(numbers);
    for (const unitId of [units.province.id, units.commune.id]) {
      const incoming = (await dataSource.getRepository(IncomingRegisterEntryEntity).findBy({ unitId, year: 2026 })).map((r) => r.incomingNumber).sort((a, b) => a - b);
      expect(incoming).toEqual(Array.from({ length: 2 * ISSUE_STEPS.length }, (_, i) => i + 1));
    }
  });

  it('retries rendering, then raises an incident that a clerk resolves', async () => {
    const store = new FilesystemDocumentStore(join(root, 'incidents'));
    const renderer = new FakeIssueRenderer();
    renderer.failure = 'Chromium is not reachable';
    const pipeline = pipelineWith(store, renderer, { maxAttempts: 3 });
    const approved = approvedReport(units);
    const error = await pipeline.issue(approved).catch((e) => e);
    expect(error).toBeInstanceOf(DocumentIncidentError);
    expect(renderer.calls).toBe(3);
    const incident = (error as DocumentIncidentError).incident;
    expect([incident.step, incident.message, incident.attempts]).toEqual(['render', 'Chromium is not reachable', 3]);
    // While the incident is open the document waits: no more attempts.
    await expect(pipeline.advance(approved.id)).rejects.toThrow(DocumentIncidentError);
    expect(renderer.calls).toBe(3);
    expect((await traces(approved.id, store)).document.state).toBe(IssueState.Numbered);

    await expect(pipeline.resolveIncident(incident.id, await personId('staff.skhcn@quang-ngai-2025'), 'thử lại')).rejects.toThrow(IssueRefusedError);
    renderer.failure = null;
    const issued = await pipeline.resolveIncident(incident.id, await personId('clerk.skhcn@quang-ngai-2025'), 'Đã khởi động lại dịch vụ in');
    expect(issued.state).toBe(IssueState.Issued);
    const resolved = await dataSource.getRepository(DocumentIncidentEntity).findOneByOrFail({ id: incident.id });
    expect([resolved.resolution, resolved.note]).toEqual(['retried', 'Đã khởi động lại dịch vụ in']);
  });

  it('stores and hashes the signed bytes, retrying a signing service that fails at first', async () => {
    const store = new FilesystemDocumentStore(join(root, 'signed'));
    /** Appends a marker, as a signature adds bytes; fails on its first call. */
    class FlakySigner extends DocumentSigner {
      calls = 0;
      async sign(_request: SigningRequest, pdf: Buffer): Promise<Buffer> {
        if (++this.calls === 1) throw new Error('signing service timed out');
        return Buffer.concat([pdf, Buffer.from('\n% signed\n')]);
      }
    }
    const signer = new FlakySigner();
    const issued = await pipelineWith(store, new FakeIssueRenderer(), { signer, maxAttempts: 3 }).issue(approvedReport(units));
    const stored = (await store.get(issued.id))!;
    expect(signer.calls).toBe(2);
    expect(stored.pdf.subarray(-10).toString()).toBe('\n% signed\n');
    expect(issued.sha256).toBe(sha256Hex(stored.pdf));
  });

  it('stops at signing when the signer has no certificate, and issues signed once an administrator added it', async () => {
    const store = new FilesystemDocumentStore(join(root, 'missing-certificate'));
    const deputy = await dataSource.getRepository(PersonEntity).findOneByOrFail({ login: 'deputy.skhcn@quang-ngai-2025' });
    const approved = approvedReport(units, { signerPersonId: deputy.id, signerName: deputy.fullName });
    const error = await pipelineWith(store, new FakeIssueRenderer(), { signer, maxAttempts: 1 })
      .issue(approved)
      .catch((e) => e);
    expect(error).toBeInstanceOf(DocumentIncidentError);
    const incident = (error as DocumentIncidentError).incident;
    expect(incident.step).toBe('sign');
    expect(incident.message).toContain(`No signing certificate for ${deputy.fullName} (deputy.skhcn@quang-ngai-2025): an administrator adds people."deputy.skhcn@quang-ngai-2025"`);
    // Nothing went out unsigned: no file, no register row; the number waits with the document.
    expect(await store.get(approved.id)).toBeNull();
    const waiting = await traces(approved.id, store);
    expect([waiting.document.state, waiting.outgoing.length]).toEqual([IssueState.Numbered, 0]);

    const keystore = writeTestKeystore(join(root, 'keystore-2'), ca, {
      people: [{ login: 'deputy.skhcn@quang-ngai-2025', name: deputy.fullName }],
      units: [{ key: 'skhcn@quang-ngai-2025', name: 'Sở Khoa học và Công nghệ tỉnh Quảng Ngãi' }],
    });
    const completed = new PadesDocumentSigner(dataSource, clock, SigningKeystore.load(keystore), AppearanceFonts.load());
    const issued = await pipelineWith(store, new FakeIssueRenderer(), { signer: completed }).resolveIncident(incident.id, await personId('clerk.skhcn@quang-ngai-2025'), 'Đã bổ sung chứng thư số');
    expect(issued.state).toBe(IssueState.Issued);
    const signatures = await readSignatures((await store.get(approved.id))!.pdf);
    expect(signatures.map((s) => verifyDetachedCms(s.cms, s.signedBytes, trustAnchors, s.signingTime!).problems)).toEqual([[], []]);
  }, 120_000);

  it('corrects an issued document with a new one that references it, leaving the old one as it was', async () => {
    const store = new FilesystemDocumentStore(join(root, 'corrections'));
    const pipeline = pipelineWith(store, new FakeIssueRenderer());
    const original = await pipeline.issue(approvedReport(units, { subject: 'Báo cáo có sai sót' }));
    const before = await dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: original.id });
    const correction = await pipeline.issue(approvedReport(units, { subject: 'Báo cáo đính chính', correctsDocumentId: original.id }));
    expect([correction.correctsDocumentId, correction.number]).toEqual([original.id, original.number! + 1]);
    expect(await dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: original.id })).toEqual(before);
    // The same approval again is the same document; other content under its id is refused.
    const again = approvedReport(units, { id: correction.id, subject: 'Báo cáo đính chính', correctsDocumentId: original.id });
    expect((await pipeline.issue(again)).number).toBe(correction.number);
    await expect(pipeline.issue({ ...again, subject: 'Nội dung khác' })).rejects.toThrow(ApprovalMismatchError);
  });

  it('refuses to void a document that has no incident', async () => {
    const store = new FilesystemDocumentStore(join(root, 'no-incident'));
    const pipeline = pipelineWith(store, new FakeIssueRenderer());
    const approved = approvedReport(units);
    await expect(pipeline.issue(approved)).resolves.toBeDefined();
    const crashing = pipelineWith(store, new FakeIssueRenderer(), {
      afterStep: (at) => {
        if (at === 'number') throw new SimulatedCrash('crash after number');
      },
    });
    const inProgress = approvedReport(units);
    await expect(crashing.issue(inProgress)).rejects.toThrow(SimulatedCrash);
    await expect(pipeline.voidDocument(inProgress.id, await personId('clerk.skhcn@quang-ngai-2025'), 'nhầm')).rejects.toThrow(/no open incident/);
    expect((await pipeline.advance(inProgress.id)).state).toBe(IssueState.Issued);
  });

  it('keeps a voided number in the outgoing register with its note, and never gives it again', async () => {
    const store = new FilesystemDocumentStore(join(root, 'void'));
    const renderer = new FakeIssueRenderer();
    const pipeline = pipelineWith(store, renderer, { maxAttempts: 2 });
    renderer.failure = 'template data is wrong';
    const doomed = approvedReport(units, { subject: 'Báo cáo không in được' });
    await expect(pipeline.issue(doomed)).rejects.toThrow(DocumentIncidentError);
    const clerk = await personId('clerk.skhcn@quang-ngai-2025');
    const voided = await pipeline.voidDocument(doomed.id, clerk, 'Sai mẫu, ban hành văn bản khác');
    expect(voided.state).toBe(IssueState.Voided);
    renderer.failure = null;
    await expect(pipeline.issue(approvedReport(units, { subject: 'Sửa văn bản đã hủy', correctsDocumentId: doomed.id }))).rejects.toThrow(CorrectionTargetError);
    const next = await pipeline.issue(approvedReport(units, { subject: 'Báo cáo thay thế' }));
    expect(next.number).toBe(voided.number! + 1);
    const rows = await dataSource.getRepository(OutgoingRegisterEntryEntity).find({ where: { unitId: units.skhcn.id, year: 2026 }, order: { number: 'ASC' } });
    const voidedRow = rows.find((r) => r.number === voided.number)!;
    expect([voidedRow.symbol, voidedRow.notes, voidedRow.sentDate]).toEqual([voided.symbol, 'Hủy số: Sai mẫu, ban hành văn bản khác', null]);
    expect(rows.filter((r) => r.number === voided.number)).toHaveLength(1);
    expect(await store.get(doomed.id)).toBeNull();
    // An issued document is final: it cannot be voided, only corrected by a new document.
    await expect(pipeline.voidDocument(next.id, clerk, 'nhầm')).rejects.toThrow(/cannot be voided; issue a correction/);
    const incidents = await dataSource.getRepository(DocumentIncidentEntity).findBy({ documentId: doomed.id });
    expect(incidents.map((i) => i.resolution)).toEqual(['voided']);
  });
});
