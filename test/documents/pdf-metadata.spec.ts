import { PDFDocument, PDFName } from 'pdf-lib';
import { withPdfMetadata } from '../../src/documents/pdf-metadata';
import { createTestComposer } from './render-support';
import { pdfInfo } from './support/pdf-inspection';

/**
 * pdf-lib's share of every document (metadata, page count, the signer block's area) is done in one
 * go: pdf-lib otherwise yields by setTimeout(0) every 100 objects parsed and 50 written, ≥ 1 ms each,
 * and a tagged report has thousands of objects (~30 ms a document spent waiting).
 */
const { catalogue, renderer, composer } = createTestComposer();
afterAll(() => renderer.close());

test('a tagged report gets its metadata without pdf-lib once waiting on a timer', async () => {
  const data = catalogue.sample('unit-report');
  const { html, metadata } = composer.html('unit-report', data);
  const printed = await renderer.renderPdf(html);
  const raw = await PDFDocument.load(printed, { updateMetadata: false });
  expect(raw.catalog.has(PDFName.of('StructTreeRoot'))).toBe(true);
  expect(raw.context.enumerateIndirectObjects().length).toBeGreaterThan(300);

  const timers = jest.spyOn(global, 'setTimeout');
  const document = await withPdfMetadata(printed, metadata);
  expect(timers).not.toHaveBeenCalled();
  timers.mockRestore();

  expect(document.pageCount).toBe(raw.getPageCount());
  expect(document.signatureArea).toBeDefined();
  expect(pdfInfo(document.pdf).fields.Title).toBe(metadata.title);
});
