import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseDocumentStore } from './database-document-store';
import { DocumentStore } from './document-store';
import { FilesystemDocumentStore } from './filesystem-document-store';

export type DocumentStoreBackend = 'filesystem' | 'database';
export const DOCUMENT_STORE_BACKENDS: readonly DocumentStoreBackend[] = ['filesystem', 'database'];

/** The configured store: files under <runtimeDir>/documents by default, or the database table. */
export function createDocumentStore(backend: DocumentStoreBackend, runtimeDir: string, dataSource: DataSource): DocumentStore {
  return backend === 'database' ? new DatabaseDocumentStore(dataSource) : new FilesystemDocumentStore(join(runtimeDir, 'documents'));
}
