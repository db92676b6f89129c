import { PDFDocument, PDFName } from 'pdf-lib';

/**
 * The parts of a document printed in parts, as one PDF: every part's pages copied, in order, into a
 * new file (pdf-lib copies each page with what it refers to: fonts, links, the signer block's
 * marker). Chromium tags each part for accessibility, but the parts' structure trees cannot be
 * joined by page copying, and a tree covering only some pages misleads a screen reader: the joined
 * file is untagged, and none of the parts' trees is carried along as dead weight.
 */
export async function joinPdfParts(parts: PDFDocument[]): Promise<PDFDocument> {
  const joined = await PDFDocument.create({ updateMetadata: false });
  for (const part of parts) {
    for (const page of await joined.copyPages(part, part.getPageIndices())) {
      page.node.delete(PDFName.of('StructParents'));
      joined.addPage(page);
    }
  }
  return joined;
}
