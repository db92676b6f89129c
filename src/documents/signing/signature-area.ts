import { PDFArray, PDFDict, PDFDocument, PDFName, PDFNumber, PDFRef, PDFString, PDFHexString } from 'pdf-lib';

/**
 * The templates mark the signer block's signature area with a link to this address
 * (templates/_partials/signer.hbs); Chromium prints it as a link annotation whose rectangle is
 * the area, wherever the flow of the text put it. The address is reserved (.invalid) and the
 * annotation is taken out of every PDF.
 */
export const SIGN_AREA_URI = 'https://iso-cycle.invalid/sign-area';

/** Where the signature, the seal and the unit's signature information go: a page and a rectangle in points. */
export interface SignatureArea {
  pageIndex: number;
  /** [x1, y1, x2, y2], PDF user space (origin bottom left). */
  rect: [number, number, number, number];
}

/** Removes the marker annotations and returns the last one's area (the signer block closes the document). */
export function takeSignatureArea(document: PDFDocument): SignatureArea | undefined {
  let area: SignatureArea | undefined;
  document.getPages().forEach((page, pageIndex) => {
    const annots = page.node.Annots();
    if (!annots) return;
    for (let i = annots.size() - 1; i >= 0; i--) {
      const annot = annots.lookup(i);
      if (!(annot instanceof PDFDict) || annot.lookup(PDFName.of('Subtype')) !== PDFName.of('Link')) continue;
      const action = annot.lookup(PDFName.of('A'));
      const uri = action instanceof PDFDict ? action.lookup(PDFName.of('URI')) : undefined;
      if (!(uri instanceof PDFString || uri instanceof PDFHexString) || uri.decodeText() !== SIGN_AREA_URI) continue;
      const rect = annot.lookup(PDFName.of('Rect'), PDFArray).asArray().map((n) => (n as PDFNumber).asNumber());
      // Pages in order, annotations from the last: the last marker of the document wins.
      if (area === undefined || area.pageIndex < pageIndex) area = { pageIndex, rect: [Math.min(rect[0], rect[2]), Math.min(rect[1], rect[3]), Math.max(rect[0], rect[2]), Math.max(rect[1], rect[3])] };
      const ref = annots.get(i);
      annots.remove(i);
      if (ref instanceof PDFRef) document.context.delete(ref);
    }
    if (annots.size() === 0) page.node.delete(PDFName.of('Annots'));
  });
  return area;
}
