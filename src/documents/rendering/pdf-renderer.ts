import { DocumentMetadata, PrintedDocument, withPdfMetadata } from '../pdf-metadata';

/**
 * The PDF renderer port: turns a self-contained HTML document (every asset inlined, the font's rules
 * possibly given apart: PdfRenderOptions.fontFaceCss) into a PDF.
 * The abstract class is also the Nest DI token; the Puppeteer adapter is the production binding.
 */
export interface PdfRenderOptions {
  /** Upper bound for this render, in milliseconds; the adapter's default applies otherwise. */
  timeoutMs?: number;
  /**
   * false: a PDF without a structure tree. For a part of a document printed in parts, whose joined
   * file cannot carry the parts' trees: Chromium and pdf-lib then skip a tree as large as the text.
   */
  tagged?: boolean;
  /**
   * The document font's @font-face rules, for HTML that holds FONT_FACE_SLOT (document-font.ts) in their place
   * (TemplateCatalogue.renderHtml, `fontFace: 'slot'`). The same ~580 KB on every render: the threaded
   * adapter hands them to its thread once. Copied into each document on the application's thread,
   * they cost ~7 ms a render there (BENCHMARKS.md, "Session 12").
   */
  fontFaceCss?: string;
}

export abstract class PdfRenderer {
  abstract renderPdf(html: string, options?: PdfRenderOptions): Promise<Buffer>;
  /**
   * The PDF with its metadata written, its pages counted and the signer block's area taken
   * (pdf-metadata.ts): pdf-lib's share of a document, which an adapter may do off the application's thread.
   */
  async renderDocument(html: string, metadata: DocumentMetadata, options?: PdfRenderOptions): Promise<PrintedDocument> {
    return withPdfMetadata(await this.renderPdf(html, options), metadata);
  }
  /** Starts what renders (a browser) now rather than at the first document; resolves once it runs. */
  async warmUp(): Promise<void> {}
  /** Releases the browser; the renderer may not be used afterwards. */
  abstract close(): Promise<void>;
}

/** No browser could be started: the message says which path was tried and how to configure another. */
export class RendererUnavailableError extends Error {
  readonly code = 'RENDERER_UNAVAILABLE';
  constructor(message: string) {
    super(message);
    this.name = 'RendererUnavailableError';
  }
}

export class RenderTimeoutError extends Error {
  readonly code = 'RENDER_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`PDF rendering did not finish within ${timeoutMs} ms`);
    this.name = 'RenderTimeoutError';
  }
}
