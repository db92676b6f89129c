import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DocumentMetadata, PrintedDocument } from '../pdf-metadata';
import { SignatureArea } from '../signing/signature-area';
import { PdfRenderer, PdfRenderOptions, RendererUnavailableError, RenderTimeoutError } from './pdf-renderer';
import { PuppeteerPdfRendererOptions } from './puppeteer-pdf-renderer';

/** The font's rules by number, with the rules themselves the first time the thread is sent them. */
export interface FontFaceReference {
  id: number;
  css?: string;
}
export type RenderRequest =
  | { type: 'render'; id: number; html: string; options?: PdfRenderOptions; fontFace?: FontFaceReference }
  | { type: 'document'; id: number; html: string; metadata: DocumentMetadata; options?: PdfRenderOptions; fontFace?: FontFaceReference }
  | { type: 'warm-up'; id: number }
  | { type: 'close'; id: number };
export interface RenderReply {
  id: number;
  pdf?: ArrayBuffer;
  /** With a document: its pages and the signer block's area (PrintedDocument). */
  pageCount?: number;
  signatureArea?: SignatureArea;
  error?: { name: string; message: string; timeoutMs?: number };
  /** The thread's Chromium, for the application's thread to stop if the thread dies. */
  browserPid?: number;
}

/** Font rules a thread keeps (FontFaceReference); the application's thread sends anew what it dropped. */
export const FONT_FACES_KEPT = 4;

/** From source (jest) the thread compiles TypeScript as the benchmarks' processes do; from dist it runs JavaScript. */
const FROM_SOURCE = __filename.endsWith('.ts');
const THREAD_ENTRY = join(__dirname, `pdf-render-thread.${FROM_SOURCE ? 'ts' : 'js'}`);
const TYPESCRIPT_HOOK = join(__dirname, '..', '..', '..', 'scripts', 'register-typescript.js');

/**
 * The Puppeteer adapter on a thread of its own (the application's binding). A render is a dozen round
 * trips with Chromium (set the content, wait for it to load, print, read the PDF back in chunks), each
 * answered by the Node thread that holds the connection. On the application's thread every answer
 * waited behind whatever ran there — the workflow engine's steps (~8 ms each), the simulated people,
 * TypeORM — so Chromium sat idle between round trips. Here the round trips are answered at once and
 * the PDF is decoded there, and pdf-lib writes its metadata there (renderDocument); the application's
 * thread only sends the HTML and takes the bytes.
 * A thread that died is replaced at the next render; Chromium's own crashes the adapter handles.
 */
export class ThreadedPdfRenderer extends PdfRenderer {
  private worker: Worker | undefined;
  private browserPid: number | undefined;
  private nextId = 0;
  /** The font rules the current thread holds, by their text (the catalogue's one string: found by identity). */
  private fontFacesSent = new Map<string, number>();
  private nextFontFaceId = 0;
  private readonly pending = new Map<number, { resolve: (reply: RenderReply) => void; reject: (error: Error) => void }>();
  private closed = false;

  constructor(private readonly options: PuppeteerPdfRendererOptions) {
    super();
  }

  async renderPdf(html: string, options?: PdfRenderOptions): Promise<Buffer> {
    return Buffer.from((await this.print({ type: 'render', id: this.nextId++, html, options })).pdf!);
  }

  /** pdf-lib's share (metadata, page count, signature area) is done on the thread too. */
  override async renderDocument(html: string, metadata: DocumentMetadata, options?: PdfRenderOptions): Promise<PrintedDocument> {
    const reply = await this.print({ type: 'document', id: this.nextId++, html, metadata, options });
    return { pdf: Buffer.from(reply.pdf!), pageCount: reply.pageCount!, signatureArea: reply.signatureArea };
  }

  /** Starts the thread and its Chromium. */
  override async warmUp(): Promise<void> {
    if (this.closed) throw new Error('The PDF renderer is closed');
    await this.answered({ type: 'warm-up', id: this.nextId++ });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    try {
      await this.answered({ type: 'close', id: this.nextId++ });
    } finally {
      await worker.terminate();
    }
  }

  private print(request: Extract<RenderRequest, { type: 'render' | 'document' }>): Promise<RenderReply> {
    if (this.closed) return Promise.reject(new Error('The PDF renderer is closed'));
    const { fontFaceCss, ...options } = request.options ?? {};
    if (fontFaceCss === undefined) return this.answered(request);
    this.thread(); // a new thread holds no rules yet
    let fontFace: FontFaceReference;
    const id = this.fontFacesSent.get(fontFaceCss);
    if (id !== undefined) {
      fontFace = { id };
    } else {
      // Rules are not expected to vary (one font); if they do, the thread keeps the last few (FONT_FACES_KEPT).
      if (this.fontFacesSent.size >= FONT_FACES_KEPT) this.fontFacesSent.clear();
      fontFace = { id: this.nextFontFaceId++, css: fontFaceCss };
      this.fontFacesSent.set(fontFaceCss, fontFace.id);
    }
    return this.answered({ ...request, options, fontFace });
  }

  /** The thread's reply, or its error rebuilt with its kind. */
  private async answered(request: RenderRequest): Promise<RenderReply> {
    const reply = await this.send(request);
    if (reply.error) throw rebuiltError(reply.error);
    return reply;
  }

  private send(request: RenderRequest): Promise<RenderReply> {
    const worker = this.thread();
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      worker.ref(); // a render in flight keeps the process alive, an idle thread does not
      worker.postMessage(request);
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(THREAD_ENTRY, {
      workerData: this.options,
      execArgv: FROM_SOURCE && !require.extensions?.['.ts'] ? [...process.execArgv, '--require', TYPESCRIPT_HOOK] : undefined,
    });
    worker.on('message', (reply: RenderReply) => {
      if (reply.browserPid !== undefined) this.browserPid = reply.browserPid;
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      // Chromium is a child of the process, not of the thread: it outlives a thread that died.
      if (this.browserPid !== undefined && !this.closed) killQuietly(this.browserPid);
      this.browserPid = undefined;
      for (const waiting of this.pending.values()) waiting.reject(error);
      this.pending.clear();
    };
    worker.on('error', (error) => fail(new RendererUnavailableError(`The PDF renderer's thread failed: ${error.message}`)));
    worker.on('exit', (code) => fail(new RendererUnavailableError(`The PDF renderer's thread stopped (exit code ${code})`)));
    worker.unref();
    this.worker = worker;
    this.fontFacesSent = new Map();
    return worker;
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function rebuiltError(error: NonNullable<RenderReply['error']>): Error {
  if (error.name === 'RenderTimeoutError' && error.timeoutMs !== undefined) return new RenderTimeoutError(error.timeoutMs);
  if (error.name === 'RendererUnavailableError') return new RendererUnavailableError(error.message);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
