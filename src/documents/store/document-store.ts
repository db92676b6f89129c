import { createHash } from 'node:crypto';

/** An issued file with what it was made from: enough to re-render it and to prove it unchanged. */
export interface DocumentFile {
  documentId: string;
  pdf: Buffer;
  /** Template kind and version the file was rendered with. */
  kind: string;
  templateVersion: string;
  /** The exact data the template received. */
  data: unknown;
}

export interface StoredDocument extends DocumentFile {
  /** SHA-256 (hex) recorded when the file was stored. */
  sha256: string;
  storedAt: Date;
}

export const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Something in the store is missing or unreadable; the message says what and where. */
export class DocumentStoreCorruptError extends Error {
  readonly code = 'DOCUMENT_STORE_CORRUPT';
  constructor(
    readonly documentId: string,
    detail: string,
  ) {
    super(`Stored document ${documentId}: ${detail}`);
    this.name = 'DocumentStoreCorruptError';
  }
}

/**
 * The document store port (also the Nest DI token): every issued file, write-once. `put` keeps
 * the first file stored under a document id and returns it on every later call, whatever the
 * bytes offered then — an issued document never changes, and a pipeline that resumes after a
 * crash gets the file it had already stored instead of a second rendering.
 */
export abstract class DocumentStore {
  /** Human-readable name of the backend, for logs and verify-store. */
  abstract readonly description: string;

  abstract put(file: DocumentFile, storedAt: Date): Promise<StoredDocument>;

  /** The stored file as recorded, or null when the id was never stored. Throws DocumentStoreCorruptError when a part is missing. */
  abstract get(documentId: string): Promise<StoredDocument | null>;

  /** Every stored document id, sorted. */
  abstract documentIds(): Promise<string[]>;
}
