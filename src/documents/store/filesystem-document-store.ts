import { existsSync, readdirSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DocumentFile, DocumentStore, DocumentStoreCorruptError, StoredDocument, sha256Hex } from './document-store';

interface Manifest {
  documentId: string;
  sha256: string;
  kind: string;
  templateVersion: string;
  storedAt: string;
  data: unknown;
}

/**
 * Files under a directory (AppConfig.runtimeDir/documents by default):
 * - `files/<sha256[0:2]>/<sha256>.pdf` the bytes, named by their hash;
 * - `documents/<id[0:2]>/<id>.json` the manifest: hash, template kind and version, data.
 * The manifest is created with link(2), which fails when it exists: of two concurrent puts of one
 * document, exactly one wins, and nothing is ever overwritten.
 * The files are written and synced asynchronously: a document's two fsyncs (~3 ms each here) used to
 * block the application's thread, and the workflow with it (BENCHMARKS.md, "Session 12").
 */
export class FilesystemDocumentStore extends DocumentStore {
  readonly description: string;

  constructor(private readonly root: string) {
    super();
    this.description = `filesystem ${root}`;
  }

  async put(file: DocumentFile, storedAt: Date): Promise<StoredDocument> {
    const existing = await this.get(file.documentId);
    if (existing) return existing;
    const sha256 = sha256Hex(file.pdf);
    const pdfPath = this.pdfPath(sha256);
    if (!existsSync(pdfPath)) await this.createOnce(pdfPath, file.pdf);
    const manifest: Manifest = { documentId: file.documentId, sha256, kind: file.kind, templateVersion: file.templateVersion, storedAt: storedAt.toISOString(), data: file.data };
    if (!(await this.createOnce(this.manifestPath(file.documentId), Buffer.from(JSON.stringify(manifest, null, 2))))) {
      return (await this.get(file.documentId))!; // another put of the document won
    }
    return { documentId: file.documentId, pdf: file.pdf, kind: file.kind, templateVersion: file.templateVersion, data: file.data, sha256, storedAt: new Date(manifest.storedAt) };
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    const manifestPath = this.manifestPath(documentId);
    let text: string;
    try {
      text = await readFile(manifestPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let manifest: Manifest;
    try {
      manifest = JSON.parse(text) as Manifest;
    } catch (error) {
      throw new DocumentStoreCorruptError(documentId, `manifest ${manifestPath} is unreadable (${(error as Error).message})`);
    }
    const pdfPath = this.pdfPath(manifest.sha256);
    let pdf: Buffer;
    try {
      pdf = await readFile(pdfPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new DocumentStoreCorruptError(documentId, `file ${pdfPath} is missing`);
      throw error;
    }
    return {
      documentId: manifest.documentId,
      pdf,
      kind: manifest.kind,
      templateVersion: manifest.templateVersion,
      data: manifest.data,
      sha256: manifest.sha256,
      storedAt: new Date(manifest.storedAt),
    };
  }

  async documentIds(): Promise<string[]> {
    const dir = join(this.root, 'documents');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .flatMap((prefix) => readdirSync(join(dir, prefix)))
      .filter((name) => name.endsWith('.json'))
      .map((name) => name.slice(0, -'.json'.length))
      .sort();
  }

  private pdfPath(sha256: string): string {
    return join(this.root, 'files', sha256.slice(0, 2), `${sha256}.pdf`);
  }

  private manifestPath(documentId: string): string {
    if (!/^[A-Za-z0-9-]+$/.test(documentId)) throw new RangeError(`"${documentId}" is not a document id`);
    return join(this.root, 'documents', documentId.slice(0, 2), `${documentId}.json`);
  }

  /** Writes a temporary file, then links it into place; an existing file is left as it is (false). */
  private async createOnce(path: string, bytes: Buffer): Promise<boolean> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temporary, bytes, { flush: true });
      await link(temporary, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    } finally {
      await rm(temporary, { force: true });
    }
  }
}
