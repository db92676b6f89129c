import { closeSync, existsSync, fsync, linkSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
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
 * A document's files are written at once and synced together off the application's thread: its two
 * fsyncs (~3–7 ms each here) used to block it, and the workflow with it; done with fs/promises
 * instead, a put took a dozen trips through libuv's pool and the documents' pipelines waited longer
 * (BENCHMARKS.md, "Session 12"). Only the fsyncs leave the thread; the rest is cheap system calls.
 */
export class FilesystemDocumentStore extends DocumentStore {
  readonly description: string;

  constructor(private readonly root: string) {
    super();
    this.description = `filesystem ${root}`;
  }

  async put(file: DocumentFile, storedAt: Date): Promise<StoredDocument> {
    const manifestPath = this.manifestPath(file.documentId);
    if (existsSync(manifestPath)) return (await this.get(file.documentId))!;
    const sha256 = sha256Hex(file.pdf);
    const pdfPath = this.pdfPath(sha256);
    const manifest: Manifest = { documentId: file.documentId, sha256, kind: file.kind, templateVersion: file.templateVersion, storedAt: storedAt.toISOString(), data: file.data };
    const files = [...(existsSync(pdfPath) ? [] : [{ path: pdfPath, bytes: file.pdf }]), { path: manifestPath, bytes: Buffer.from(JSON.stringify(manifest, null, 2)) }];
    const written: Temporary[] = [];
    try {
      for (const { path, bytes } of files) written.push(writeTemporary(path, bytes));
      await Promise.all(written.map(({ fd }) => fsyncAsync(fd)));
      for (const temporary of written) {
        closeSync(temporary.fd);
        temporary.fd = -1;
      }
      // The PDF first: a manifest never names bytes that are not in place.
      const linked = written.map(({ path, temporary }) => linkOnce(temporary, path));
      if (!linked[linked.length - 1]) return (await this.get(file.documentId))!; // another put of the document won
    } finally {
      for (const { fd, temporary } of written) {
        if (fd >= 0) closeSync(fd);
        rmSync(temporary, { force: true });
      }
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
}

const fsyncAsync = promisify(fsync);

interface Temporary {
  path: string;
  temporary: string;
  /** Open until synced; -1 once closed. */
  fd: number;
}

/** The bytes in a new file beside `path`, not yet synced. */
function writeTemporary(path: string, bytes: Buffer): Temporary {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(temporary, 'wx');
  try {
    writeFileSync(fd, bytes);
  } catch (error) {
    closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  return { path, temporary, fd };
}

/** Links the file into place; false when one is there already (it is left as it is). */
function linkOnce(temporary: string, path: string): boolean {
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return false;
  }
}
