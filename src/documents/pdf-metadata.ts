import { PDFDocument } from 'pdf-lib';
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

export async function withPdfMetadata(pdf: Uint8Array | PDFDocument, metadata: DocumentMetadata): Promise<PrintedDocument> {
  const document = pdf instanceof PDFDocument ? pdf : await PDFDocument.load(pdf, { updateMetadata: false });
  const signatureArea = takeSignatureArea(document);
  document.setTitle(metadata.title, { showInWindowTitleBar: true });
  document.setAuthor(metadata.author);
  document.setSubject(metadata.subject);
  document.setKeywords(metadata.keywords);
  document.setCreator('iso-cycle');
  document.setLanguage('vi');
  return { pdf: Buffer.from(await document.save({ useObjectStreams: false })), pageCount: document.getPageCount(), signatureArea };
}
