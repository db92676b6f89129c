import { parentPort, workerData } from 'node:worker_threads';
import { PuppeteerPdfRenderer, PuppeteerPdfRendererOptions } from './puppeteer-pdf-renderer';
import { FONT_FACES_KEPT, RenderReply, RenderRequest } from './threaded-pdf-renderer';

/** The renderer's thread (threaded-pdf-renderer.ts): the Puppeteer adapter, answering one message per render. */
const renderer = new PuppeteerPdfRenderer(workerData as PuppeteerPdfRendererOptions);
const port = parentPort!;
/** The font rules sent once by the application's thread (FontFaceReference). */
const fontFaces = new Map<number, string>();

port.on('message', (request: RenderRequest) => {
  const reply = (message: RenderReply, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  if (request.type === 'warm-up') {
    renderer.warmUp().then(
      async () => reply({ id: request.id, browserPid: await renderer.browserPid() }),
      (error: unknown) => reply({ id: request.id, error: serializedError(error) }),
    );
    return;
  }
  if (request.type === 'close') {
    renderer.close().then(
      () => reply({ id: request.id }),
      (error: unknown) => reply({ id: request.id, error: serializedError(error) }),
    );
    return;
  }
  if (request.fontFace?.css !== undefined) {
    fontFaces.set(request.fontFace.id, request.fontFace.css);
    fontFaces.delete(request.fontFace.id - FONT_FACES_KEPT);
  }
  const options = request.fontFace ? { ...request.options, fontFaceCss: fontFaces.get(request.fontFace.id) } : request.options;
  if (request.fontFace && options?.fontFaceCss === undefined) {
    reply({ id: request.id, error: { name: 'Error', message: `The renderer's thread holds no font rules numbered ${request.fontFace.id}` } });
    return;
  }
  // Each answer names the browser: a thread that dies cannot close it, the application's thread then does.
  const printed =
    request.type === 'document'
      ? renderer.renderDocument(request.html, request.metadata, options)
      : renderer.renderPdf(request.html, options).then((pdf) => ({ pdf, pageCount: undefined, signatureArea: undefined }));
  printed.then(
    async ({ pdf, pageCount, signatureArea }) => {
      const bytes = ownBuffer(pdf);
      reply({ id: request.id, pdf: bytes, pageCount, signatureArea, browserPid: await renderer.browserPid() }, [bytes]);
    },
    (error: unknown) => reply({ id: request.id, error: serializedError(error) }),
  );
});

/** The bytes move to the application's thread without a copy when the buffer is all theirs. */
function ownBuffer(pdf: Buffer): ArrayBuffer {
  return pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength ? (pdf.buffer as ArrayBuffer) : new Uint8Array(pdf).buffer;
}

function serializedError(error: unknown): NonNullable<RenderReply['error']> {
  const e = error as Error & { timeoutMs?: number };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(error), ...(typeof e?.timeoutMs === 'number' ? { timeoutMs: e.timeoutMs } : {}) };
}
