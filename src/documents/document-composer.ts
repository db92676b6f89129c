import { PDFDocument } from 'pdf-lib';
import { PdfRenderer } from './rendering/pdf-renderer';
import { DocumentMetadata, withPdfMetadata } from './pdf-metadata';
import { joinPdfParts } from './printing/join-parts';
import { LONG_TABLE_KINDS, PrintPartition } from './printing/print-parts';
import { TemplateCatalogue, TemplateDataError } from './templates/template-catalogue';
import { documentNumber } from './templates/vietnamese-format';
import { SignatureArea } from './signing/signature-area';

/**
 * The part of every kind's data that identifies the document. Each kind adds its content
 * (see docs/documents.md); these fields feed the header, the signer block and the PDF metadata.
 */
export interface OfficialDocumentHead {
  issuer: { parent?: string | string[]; name: string | string[] };
  document: { number?: number; symbol: string; place: string; date?: string };
  /** Type name of typed documents ("Báo cáo"); absent for a letter (công văn). */
  typeName?: string;
  /** Trích yếu; for a letter the text after "V/v". */
  subject: string;
}

export interface ComposeOptions {
  /** An unissued document: "DỰ THẢO" mark, no number. */
  draft?: boolean;
}

export interface ComposedDocument {
  pdf: Buffer;
  pageCount: number;
  metadata: DocumentMetadata;
  /** The signer block's signature area (absent when the kind has no signer block). */
  signatureArea?: SignatureArea;
}

export interface ComposerOptions {
  /**
   * Rows of a long table printed at once (print-parts.ts): a document with more is printed in parts
   * of this many rows, one after another, so that Chromium's memory does not grow with the tree.
   */
  rowsPerPrintPart?: number;
  /** The kinds with a table that grows with the tree, and how each is cut. */
  partitions?: Readonly<Record<string, PrintPartition>>;
}

/** 500 rows are ~30 pages: ~130 MB of Chromium's renderer above its ~370 MB at rest (BENCHMARKS.md, "Large document"). */
export const DEFAULT_ROWS_PER_PRINT_PART = 500;

/** Kind + data → HTML (templates) → PDF (renderer) → metadata. */
export class DocumentComposer {
  private readonly rowsPerPrintPart: number;
  private readonly partitions: Readonly<Record<string, PrintPartition>>;

  constructor(
    private readonly catalogue: TemplateCatalogue,
    private readonly renderer: PdfRenderer,
    options: ComposerOptions = {},
  ) {
    this.rowsPerPrintPart = options.rowsPerPrintPart ?? DEFAULT_ROWS_PER_PRINT_PART;
    this.partitions = options.partitions ?? LONG_TABLE_KINDS;
  }

  /** The HTML that would be printed: for previews and for the benchmark. */
  html(kind: string, data: unknown, options: ComposeOptions = {}): { html: string; metadata: DocumentMetadata } {
    const draft = options.draft === true;
    const metadata = documentMetadata(kind, data, draft);
    return { html: this.catalogue.renderHtml(kind, data, { draft, title: metadata.title }), metadata };
  }

  async compose(kind: string, data: unknown, options: ComposeOptions = {}): Promise<ComposedDocument> {
    const parts = this.partitions[kind]?.(data, this.rowsPerPrintPart) ?? [data];
    const draft = options.draft === true;
    const metadata = documentMetadata(kind, data, draft);
    // The font's rules go to the renderer apart (fontFace: 'slot'): a copy in every document cost the application's thread ~7 ms.
    const { fontFaceCss } = this.catalogue;
    if (parts.length === 1) {
      const html = this.catalogue.renderHtml(kind, data, { draft, title: metadata.title, fontFace: 'slot' });
      const { pdf, pageCount, signatureArea } = await this.renderer.renderDocument(html, metadata, { fontFaceCss });
      return { pdf, pageCount, metadata, signatureArea };
    }
    // One after another: each part's first page number is the count of the pages before it.
    const printed: PDFDocument[] = [];
    let pageOffset = 0;
    for (const [index, part] of parts.entries()) {
      const html = this.catalogue.renderHtml(kind, part, { draft, title: metadata.title, part: { first: index === 0, last: index === parts.length - 1, pageOffset }, fontFace: 'slot' });
      // Untagged: the joined file cannot carry the parts' structure trees (join-parts.ts), and
      // without them Chromium prints a part in half the time and pdf-lib loads it in a quarter.
      const pdf = await PDFDocument.load(await this.renderer.renderPdf(html, { tagged: false, fontFaceCss }), { updateMetadata: false });
      pageOffset += pdf.getPageCount();
      printed.push(pdf);
    }
    const { pdf, pageCount, signatureArea } = await withPdfMetadata(await joinPdfParts(printed), metadata);
    return { pdf, pageCount, metadata, signatureArea };
  }
}

const lineText = (value: string | string[]) => (Array.isArray(value) ? value.join(' ') : value);

/** Title "Báo cáo 12/BC-SKHCN: …" or "Công văn 4607/UBND-KGVX: V/v …", author the issuing unit. */
export function documentMetadata(kind: string, data: unknown, draft: boolean): DocumentMetadata {
  const head = data as Partial<OfficialDocumentHead> | undefined;
  const name = head?.issuer?.name;
  const symbol = head?.document?.symbol;
  const subject = head?.subject;
  if (!name || typeof symbol !== 'string' || typeof subject !== 'string') {
    throw new TemplateDataError(kind, 'the data needs issuer.name, document.symbol and subject');
  }
  const number = head.document?.number;
  if (!draft && typeof number !== 'number') throw new TemplateDataError(kind, 'an issued document needs document.number (a draft has none)');
  const numberSymbol = draft ? symbol : `${documentNumber(number!)}/${symbol}`;
  const typeLabel = head.typeName ? sentenceCase(head.typeName) : 'Công văn';
  const trichYeu = head.typeName ? subject : `V/v ${subject}`;
  return {
    title: `${draft ? 'DỰ THẢO - ' : ''}${typeLabel} ${draft ? '' : `${numberSymbol}: `}${trichYeu}`.replace(/\s+/g, ' '),
    author: lineText(name).replace(/\s+/g, ' '),
    subject: trichYeu,
    keywords: draft ? ['DỰ THẢO', symbol] : [numberSymbol],
  };
}

function sentenceCase(text: string): string {
  const lower = text.toLocaleLowerCase('vi');
  return lower.charAt(0).toLocaleUpperCase('vi') + lower.slice(1);
}
