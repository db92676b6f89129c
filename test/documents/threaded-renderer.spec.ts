import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { loadAppConfig } from '../../src/config/load-app-config';
import { DocumentComposer } from '../../src/documents/document-composer';
import { RendererUnavailableError, RenderTimeoutError } from '../../src/documents/rendering/pdf-renderer';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { RenderRequest, ThreadedPdfRenderer } from '../../src/documents/rendering/threaded-pdf-renderer';
import { FONT_FACE_SLOT } from '../../src/documents/fonts/document-font';
import { createTestComposer } from './render-support';
import { pdfFonts, pdfInfo, pdfPages } from './support/pdf-inspection';

/**
 * The application's renderer runs Puppeteer on a thread of its own. What comes back must be what the
 * adapter prints on the application's thread; its errors keep their kinds; a thread that dies is
 * replaced; and an idle thread does not keep the process alive.
 */
const { catalogue, renderer: direct } = createTestComposer();
const executablePath = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH }).chromiumPath;
const threaded = new ThreadedPdfRenderer({ executablePath, poolSize: 2 });

afterAll(async () => {
  await Promise.all([threaded.close(), direct.close()]);
});

const threadOf = (renderer: ThreadedPdfRenderer) => (renderer as unknown as { worker: Worker | undefined }).worker;

test('prints the same document as the adapter on the application\'s thread: text, positions, fonts, pages', async () => {
  const data = catalogue.sample('unit-report');
  const [onThread, onMain] = await Promise.all([new DocumentComposer(catalogue, threaded).compose('unit-report', data), new DocumentComposer(catalogue, direct).compose('unit-report', data)]);
  expect(onThread.pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(onThread.pageCount).toBe(onMain.pageCount);
  expect(pdfPages(onThread.pdf)).toEqual(pdfPages(onMain.pdf));
  expect(pdfFonts(onThread.pdf).map((font) => font.name.replace(/^[A-Z]{6}\+/, ''))).toEqual(pdfFonts(onMain.pdf).map((font) => font.name.replace(/^[A-Z]{6}\+/, '')));
  // pdf-lib's share, done on the thread: metadata, page count, the signer block's area.
  expect(onThread.signatureArea).toEqual(onMain.signatureArea);
  expect(onThread.signatureArea).toBeDefined();
  const fields = (pdf: Buffer) => (({ Title, Author, Subject, Keywords, Creator, Pages }) => ({ Title, Author, Subject, Keywords, Creator, Pages }))(pdfInfo(pdf).fields);
  expect(fields(onThread.pdf)).toEqual(fields(onMain.pdf));
  expect(fields(onThread.pdf).Title).toBe(onThread.metadata.title);
});

test('the font\'s rules given apart go to the thread once, every document is set in them, and a new thread is sent them again', async () => {
  const renderer = new ThreadedPdfRenderer({ executablePath, poolSize: 1 });
  try {
    const fontFaceCss = catalogue.fontFaceCss;
    const html = (text: string) => `<!DOCTYPE html><html><head><style>${FONT_FACE_SLOT}</style><style>html{font-family:'Tinos'}</style></head><body><p>${text}</p></body></html>`;
    const fontsOf = (pdf: Buffer) => pdfFonts(pdf).map((font) => font.name.replace(/^[A-Z]{6}\+/, ''));
    const sentBytes: number[] = [];
    const watch = () => {
      const worker = threadOf(renderer)!;
      const post = worker.postMessage.bind(worker);
      jest.spyOn(worker, 'postMessage').mockImplementation((message: RenderRequest, transfer?: any) => {
        sentBytes.push(JSON.stringify(message).length);
        post(message, transfer);
      });
    };
    const first = await renderer.renderPdf(html('Ủy ban nhân dân tỉnh Quảng Ngãi'), { fontFaceCss });
    watch();
    const second = await renderer.renderPdf(html('Sở Khoa học và Công nghệ'), { fontFaceCss });
    // The second document went without the rules (~580 KB): a few hundred bytes.
    expect(sentBytes).toHaveLength(1);
    expect(sentBytes[0]).toBeLessThan(2_000);
    expect(fontFaceCss.length).toBeGreaterThan(100_000);
    for (const [pdf, text] of [[first, 'Ủy ban nhân dân tỉnh Quảng Ngãi'], [second, 'Sở Khoa học và Công nghệ']] as const) {
      expect(fontsOf(pdf).every((name) => name.startsWith('Tinos'))).toBe(true);
      expect(pdfPages(pdf)[0].lines.map((line) => line.text)).toEqual([text]);
    }
    await threadOf(renderer)!.terminate();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await renderer.renderPdf(html('Đắk Lắk'), { fontFaceCss });
    expect(fontsOf(third).every((name) => name.startsWith('Tinos'))).toBe(true);
    expect(pdfPages(third)[0].lines.map((line) => line.text)).toEqual(['Đắk Lắk']);
  } finally {
    await renderer.close();
  }
});

test('renders in parallel on its pages, each answer to its own request', async () => {
  const texts = Array.from({ length: 6 }, (_, i) => `trang số ${i} — Đắk Lắk`);
  const pdfs = await Promise.all(texts.map((text) => threaded.renderPdf(`<p>${text}</p>`)));
  expect(pdfs.map((pdf) => pdfPages(pdf)[0].lines.map((line) => line.text).join(' '))).toEqual(texts);
});

test('a timeout comes back as a RenderTimeoutError, and the renderer keeps working', async () => {
  const heavy = `<table>${'<tr><td>ô</td></tr>'.repeat(200_000)}</table>`;
  const failure = await threaded.renderPdf(heavy, { timeoutMs: 50 }).catch((error: unknown) => error);
  expect(failure).toBeInstanceOf(RenderTimeoutError);
  expect((failure as RenderTimeoutError).timeoutMs).toBe(50);
  expect(pdfPages(await threaded.renderPdf('<p>sau</p>'))[0].lines.map((line) => line.text)).toEqual(['sau']);
});

test('no Chromium: a RendererUnavailableError naming the path, as on the application\'s thread', async () => {
  const missing = new ThreadedPdfRenderer({ executablePath: '/nonexistent/chromium' });
  try {
    const [onThread, onMain] = await Promise.all(
      [missing, new PuppeteerPdfRenderer({ executablePath: '/nonexistent/chromium' })].map((renderer) => renderer.renderPdf('<p>x</p>').catch((error: unknown) => error)),
    );
    expect(onThread).toBeInstanceOf(RendererUnavailableError);
    expect((onThread as Error).message).toBe((onMain as Error).message);
    expect((onThread as Error).message).toContain('/nonexistent/chromium');
  } finally {
    await missing.close();
  }
});

/** Running, not a zombie: a killed Chromium stays a zombie until the process that started it waits for it. */
const running = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('a thread that died fails its renders in flight clearly, its Chromium is stopped, and the next render starts a new one', async () => {
  const dying = new ThreadedPdfRenderer({ executablePath, poolSize: 1 });
  try {
    await dying.renderPdf('<p>một</p>');
    const first = threadOf(dying)!;
    const browser = (dying as unknown as { browserPid: number }).browserPid;
    expect(running(browser)).toBe(true);
    const inFlight = dying.renderPdf(`<table>${'<tr><td>ô</td></tr>'.repeat(5_000)}</table>`);
    await first.terminate();
    await expect(inFlight).rejects.toThrow(/The PDF renderer's thread stopped/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(running(browser)).toBe(false);
    expect(pdfPages(await dying.renderPdf('<p>hai</p>'))[0].lines.map((line) => line.text)).toEqual(['hai']);
    expect(threadOf(dying)).not.toBe(first);
  } finally {
    await dying.close();
  }
});

test('warming up starts the thread\'s Chromium before any document, and the first render uses it', async () => {
  const warm = new ThreadedPdfRenderer({ executablePath, poolSize: 1 });
  try {
    await warm.warmUp();
    const browser = (warm as unknown as { browserPid: number | undefined }).browserPid;
    expect(browser).toBeDefined();
    expect(running(browser!)).toBe(true);
    expect(pdfPages(await warm.renderPdf('<p>ấm</p>'))[0].lines.map((line) => line.text)).toEqual(['ấm']);
    expect((warm as unknown as { browserPid: number }).browserPid).toBe(browser);
  } finally {
    await warm.close();
  }
  await expect(warm.warmUp()).rejects.toThrow('The PDF renderer is closed');
});

test('after close it refuses to render, and closing again is harmless', async () => {
  const closing = new ThreadedPdfRenderer({ executablePath, poolSize: 1 });
  await closing.renderPdf('<p>x</p>');
  await closing.close();
  await closing.close();
  await expect(closing.renderPdf('<p>y</p>')).rejects.toThrow('The PDF renderer is closed');
});
