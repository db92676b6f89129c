import { DataSource } from 'typeorm';
import { isUniqueViolation, writeTransaction } from '../../database/write-transaction';
import { DocumentFile, DocumentStore, DocumentStoreCorruptError, StoredDocument, sha256Hex } from './document-store';
import { StoredDocumentEntity } from './stored-document.entity';

/**
 * The store in the application database (table stored_documents): one backup holds documents and
 * files together. The primary key on the document id makes the first put win.
 */
export class DatabaseDocumentStore extends DocumentStore {
  readonly description = 'database table stored_documents';

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async put(file: DocumentFile, storedAt: Date): Promise<StoredDocument> {
    const existing = await this.get(file.documentId);
    if (existing) return existing;
    const row: StoredDocumentEntity = Object.assign(new StoredDocumentEntity(), {
      documentId: file.documentId,
      sha256: sha256Hex(file.pdf),
      kind: file.kind,
      templateVersion: file.templateVersion,
      data: JSON.stringify(file.data),
      content: file.pdf,
      storedAt,
    });
    try {
      await writeTransaction(this.dataSource, (manager) => manager.getRepository(StoredDocumentEntity).insert(row));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    return (await this.get(file.documentId))!;
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    const row = await this.dataSource.getRepository(StoredDocumentEntity).findOneBy({ documentId });
    if (!row) return null;
    let data: unknown;
    try {
      data = JSON.parse(row.data);
    } catch (error) {
      throw new DocumentStoreCorruptError(documentId, `data is not JSON (${(error as Error).message})`);
    }
    return { documentId, pdf: Buffer.from(row.content), kind: row.kind, templateVersion: row.templateVersion, data, sha256: row.sha256, storedAt: row.storedAt };
  }

  async documentIds(): Promise<string[]> {
    const rows = await this.dataSource.getRepository(StoredDocumentEntity).find({ select: { documentId: true }, order: { documentId: 'ASC' } });
    return rows.map((r) => r.documentId);
  }
}
