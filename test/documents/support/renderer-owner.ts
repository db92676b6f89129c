/**
 * A process that owns a renderer, for the test that kills it: renders one PDF (so Chromium runs),
 * prints Chromium's pid, then waits to be killed. RENDERER_TRANSPORT picks Puppeteer's transport.
 */
import { PuppeteerPdfRenderer } from '../../../src/documents/rendering/puppeteer-pdf-renderer';

const renderer = new PuppeteerPdfRenderer({ executablePath: process.env.CHROMIUM_EXECUTABLE, poolSize: 1, transport: process.env.RENDERER_TRANSPORT === 'websocket' ? 'websocket' : 'pipe' });

void (async () => {
  await renderer.renderPdf('<p>còn sống</p>');
  process.stdout.write(`${await renderer.browserPid()}\n`);
  setInterval(() => undefined, 60_000);
})();
