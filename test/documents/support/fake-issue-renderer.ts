import { PDFDocument, StandardFonts } from 'pdf-lib';
import { IssueRenderer, RenderedDocument } from '../../../src/documents/issuing/issue-renderer';

/**
 * A stand-in renderer for the tests that exercise the pipeline's steps, not rendering (the
 * end-to-end test uses the real templates and Chromium). Every call gives different bytes (a
 * counter in the file), so a second rendering of one document would show as a second hash.
 */
export class FakeIssueRenderer extends IssueRenderer {
  calls = 0;
  /** Calls fail while this is set, with this message. */
  failure: string | null = null;

  async render(kind: string, data: Record<string, unknown>): Promise<RenderedDocument> {
    this.calls++;
    if (this.failure) throw new Error(this.failure);
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    const page = pdf.addPage([595, 842]);
    const document = data.document as { number: number; symbol: string };
    // The standard PDF fonts have no Vietnamese letters: the fake prints ASCII only.
    const ascii = `${kind} ${document.number}/${document.symbol} rendering ${this.calls}`.replace(/[^\x20-\x7e]/g, '?');
    page.drawText(ascii, { x: 50, y: 800, size: 12, font });
    pdf.setCreationDate(new Date('2026-01-01T00:00:00Z'));
    pdf.setModificationDate(new Date('2026-01-01T00:00:00Z'));
    // A signer block's signature area, as the templates mark it, for the signing step.
    return { pdf: Buffer.from(await pdf.save()), pages: 1, templateVersion: 'fake-1', signatureArea: { pageIndex: 0, rect: [300, 80, 530, 176] } };
  }
}
