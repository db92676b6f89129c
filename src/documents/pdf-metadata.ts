import { ParseSpeeds, PDFDocument } from 'pdf-lib';
import { SignatureArea, takeSignatureArea } from './signing/signature-area';

/** What the PDF's Info dictionary says about the document (Chromium itself only sets the title). */
export interface DocumentMetadata {
  title: string;
  /** The issuing unit. */
  author: string;
  /** Trích yếu: the document's subject line. */
  subject: string;
  /** Number and symbol ("4607/UBND-KGVX"); a draft carries "DỰ THẢO" and its symbol. */
  keywords: string[];
}

/**
 * Sets title, author, subject and keywords and counts the pages. pdf-lib rewrites the file's
 * structure but copies every object, so the fonts Chromium embedded stay as they are. The signer
 * block's marker link is taken out; its rectangle is returned for the signing step.
 */
export interface PrintedDocument {
  pdf: Buffer;
  pageCount: number;
  signatureArea: SignatureArea | undefined;
}

/**
 * pdf-lib yields to the event loop every 100 objects it parses and every 50 it writes, each time by
 * setTimeout(0), which waits at least 1 ms: a tagged 3-page report (thousands of objects, its
 * structure tree) spent ~30 ms a document waiting so, against ~6 ms of work. A document this size is
 * parsed and written in one go.
 */
export const AT_ONCE = { parse: { parseSpeed: ParseSpeeds.Fastest }, write: { objectsPerTick: Infinity } } as const;

export async function withPdfMetadata(pdf: Uint8Array | PDFDocument, metadata: DocumentMetadata): Promise<PrintedDocument> {
  const document = pdf instanceof PDFDocument ? pdf : await PDFDocument.load(pdf, { updateMetadata: false, ...AT_ONCE.parse });
  const signatureArea = takeSignatureArea(document);
  document.setTitle(metadata.title, { showInWindowTitleBar: true });
  document.setAuthor(metadata.author);
  document.setSubject(metadata.subject);
  document.setKeywords(metadata.keywords);
  document.setCreator('iso-cycle');
  document.setLanguage('vi');
  return { pdf: Buffer.from(await document.save({ useObjectStreams: false, ...AT_ONCE.write })), pageCount: document.getPageCount(), signatureArea };
}
