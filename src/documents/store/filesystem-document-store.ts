import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
    if (!existsSync(pdfPath)) this.createOnce(pdfPath, file.pdf);
    const manifest: Manifest = { documentId: file.documentId, sha256, kind: file.kind, templateVersion: file.templateVersion, storedAt: storedAt.toISOString(), data: file.data };
    this.createOnce(this.manifestPath(file.documentId), Buffer.from(JSON.stringify(manifest, null, 2)));
    return (await this.get(file.documentId))!;
  }

  async get(documentId: string): Promise<StoredDocument | null> {
    const manifestPath = this.manifestPath(documentId);
    if (!existsSync(manifestPath)) return null;
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    } catch (error) {
      throw new DocumentStoreCorruptError(documentId, `manifest ${manifestPath} is unreadable (${(error as Error).message})`);
    }
    const pdfPath = this.pdfPath(manifest.sha256);
    if (!existsSync(pdfPath)) throw new DocumentStoreCorruptError(documentId, `file ${pdfPath} is missing`);
    return {
      documentId: manifest.documentId,
      pdf: readFileSync(pdfPath),
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

  /** Writes a temporary file, then links it into place; an existing file is left as it is. */
  private createOnce(path: string, bytes: Buffer): void {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, bytes, { flush: true });
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temporary, { force: true });
    }
  }
}

