import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { IssuedDocuments } from '../../src/documents/issuing/issued-documents';
import { NumberingService } from '../../src/documents/numbering/numbering.service';
import { DatabaseDocumentStore } from '../../src/documents/store/database-document-store';
import { DocumentStore, sha256Hex } from '../../src/documents/store/document-store';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { StoreVerifier } from '../../src/documents/store/store-verifier';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

const STORED_AT = new Date('2026-11-20T03:00:00.123Z');
const pdfBytes = (text: string) => Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`, 'utf8');
const DATA = { issuer: { name: 'Sở Khoa học và Công nghệ' }, subject: 'Kết quả duy trì, cải tiến HTQLCL năm 2026 — Đặng Thùy Trâm', figures: [1, 2.5, null, true] };

/** Every adapter of the DocumentStore port passes the same contract, on both databases. */
describe.each(TEST_DATABASE_KINDS)('document store contract [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const dirs: string[] = [];

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
  });
  afterAll(async () => {
    await close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const adapters: [string, () => DocumentStore][] = [
    ['filesystem', () => new FilesystemDocumentStore(dirs[dirs.push(mkdtempSync(join(tmpdir(), 'iso-store-'))) - 1])],
    ['database', () => new DatabaseDocumentStore(dataSource)],
  ];

  describe.each(adapters)('%s', (_name, makeStore) => {
    let store: DocumentStore;
    beforeAll(() => {
      store = makeStore();
    });

    it('gives back the bytes, their SHA-256, the data and the template version', async () => {
      const documentId = randomUUID();
      const pdf = pdfBytes('một');
      const put = await store.put({ documentId, pdf, kind: 'unit-report', templateVersion: 'v-abc', data: DATA }, STORED_AT);
      expect(put.sha256).toBe(sha256Hex(pdf));
      const got = (await store.get(documentId))!;
      expect(got.pdf.equals(pdf)).toBe(true);
      expect([got.sha256, got.kind, got.templateVersion, got.storedAt.toISOString()]).toEqual([sha256Hex(pdf), 'unit-report', 'v-abc', STORED_AT.toISOString()]);
      expect(got.data).toEqual(DATA);
      expect(await store.documentIds()).toContain(documentId);
    });

    it('keeps the first file of a document: a later put returns it unchanged', async () => {
      const documentId = randomUUID();
      const first = await store.put({ documentId, pdf: pdfBytes('first'), kind: 'letter', templateVersion: 'v1', data: { n: 1 } }, STORED_AT);
      const second = await store.put({ documentId, pdf: pdfBytes('second'), kind: 'letter', templateVersion: 'v2', data: { n: 2 } }, STORED_AT);
      expect(second.sha256).toBe(first.sha256);
      expect((await store.get(documentId))!.pdf.equals(pdfBytes('first'))).toBe(true);
    });

    it('lets exactly one of concurrent puts of one document win', async () => {
      const documentId = randomUUID();
      const results = await Promise.all(['a', 'b', 'c', 'd'].map((text) => store.put({ documentId, pdf: pdfBytes(text), kind: 'letter', templateVersion: 'v1', data: { text } }, STORED_AT)));
      expect(new Set(results.map((r) => r.sha256)).size).toBe(1);
      const stored = (await store.get(documentId))!;
      expect(sha256Hex(stored.pdf)).toBe(results[0].sha256);
    });

    it('answers null for a document it never stored', async () => {
      expect(await store.get(randomUUID())).toBeNull();
    });
  });
});

describe.each(TEST_DATABASE_KINDS)('verifying the store [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let root: string;

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    root = mkdtempSync(join(tmpdir(), 'iso-verify-'));
  });
  afterAll(async () => {
    await close();
    rmSync(root, { recursive: true, force: true });
  });

  /** Issues (numbers) a document and records it as stored with the given file. */
  async function storeIssued(store: DocumentStore, documents: IssuedDocuments, numbering: NumberingService, units: Awaited<ReturnType<typeof seedQuangNgai2025>>, text: string) {
    const approved = await documents.recordApproval(approvedReport(units));
    const numbered = await numbering.assignNumber(approved.id);
    const stored = await store.put({ documentId: numbered.id, pdf: pdfBytes(text), kind: 'unit-report', templateVersion: 'v1', data: {} }, STORED_AT);
    await dataSource.getRepository(IssuedDocumentEntity).update({ id: numbered.id }, { sha256: stored.sha256 });
    return numbered;
  }

  it('passes an intact store and names every tampered, missing or misrecorded file', async () => {
    const units = await seedQuangNgai2025(dataSource);
    const clock = new ControlledClock('2026-11-20T03:00:00Z');
    const documents = new IssuedDocuments(dataSource, clock);
    const numbering = new NumberingService(dataSource, clock);
    const fsStore = new FilesystemDocumentStore(root);
    const dbStore = new DatabaseDocumentStore(dataSource);

    const first = await storeIssued(fsStore, documents, numbering, units, 'first');
    const second = await storeIssued(fsStore, documents, numbering, units, 'second');
    expect(await new StoreVerifier(dataSource, fsStore).verify()).toEqual({ store: `filesystem ${root}`, checked: 2, mismatches: [] });

    // One byte changed on disk, in the file named by its hash.
    const sha = sha256Hex(pdfBytes('second'));
    writeFileSync(join(root, 'files', sha.slice(0, 2), `${sha}.pdf`), pdfBytes('secont'));
    // A document recorded as stored whose file is gone from the store.
    await dataSource.getRepository(IssuedDocumentEntity).update({ id: first.id }, { sha256: sha256Hex(pdfBytes('first')) });
    rmSync(join(root, 'documents', first.id.slice(0, 2), `${first.id}.json`));
    const fsResult = await new StoreVerifier(dataSource, fsStore).verify();
    expect(fsResult.mismatches).toEqual(
      expect.arrayContaining([
        { documentId: second.id, symbol: second.symbol, problem: `file hashes to ${sha256Hex(pdfBytes('secont'))}, the store recorded ${sha}` },
        { documentId: first.id, symbol: first.symbol, problem: `recorded as issued with SHA-256 ${sha256Hex(pdfBytes('first'))} but missing from the store` },
      ]),
    );
    expect(fsResult.mismatches).toHaveLength(2);

    // The database backend: intact, then one row's bytes changed behind the store's back.
    await dataSource.getRepository(IssuedDocumentEntity).update({ id: first.id }, { sha256: null });
    await dataSource.getRepository(IssuedDocumentEntity).update({ id: second.id }, { sha256: null });
    const third = await storeIssued(dbStore, documents, numbering, units, 'third');
    expect((await new StoreVerifier(dataSource, dbStore).verify()).mismatches).toEqual([]);
    await dataSource.query('UPDATE stored_documents SET content = ? WHERE document_id = ?', [pdfBytes('thirt'), third.id]);
    expect((await new StoreVerifier(dataSource, dbStore).verify()).mismatches).toEqual([
      { documentId: third.id, symbol: third.symbol, problem: `file hashes to ${sha256Hex(pdfBytes('thirt'))}, the store recorded ${sha256Hex(pdfBytes('third'))}` },
    ]);
    // The document's own record changed, the store intact.
    await dataSource.query('UPDATE stored_documents SET content = ? WHERE document_id = ?', [pdfBytes('third'), third.id]);
    await dataSource.getRepository(IssuedDocumentEntity).update({ id: third.id }, { sha256: 'f'.repeat(64) });
    expect((await new StoreVerifier(dataSource, dbStore).verify()).mismatches).toEqual([
      { documentId: third.id, symbol: third.symbol, problem: `the store recorded ${sha256Hex(pdfBytes('third'))}, the issued document records ${'f'.repeat(64)}` },
    ]);
    expect(readdirSync(root).sort()).toEqual(['documents', 'files']);
  });
});
