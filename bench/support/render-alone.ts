/**
 * Renders `count` unit reports (the template's sample, 2 pages) through the application's composer and
 * pooled renderer, 2 in flight: the rendering a cycle of that many PDFs cannot avoid, with nothing else.
 * Prints {renders, pdfPerS} as JSON. Used by bench/cycle.bench.ts.
 */
import { loadAppConfig } from '../../src/config/load-app-config';
import { DocumentComposer } from '../../src/documents/document-composer';
import { defaultTemplatesDir } from '../../src/documents/documents.module';
import { tinosFont } from '../../src/documents/fonts/document-font';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { TemplateCatalogue } from '../../src/documents/templates/template-catalogue';

async function main() {
  const count = Number(process.argv[2] ?? 100);
  const config = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH });
  if (!config.chromiumPath) throw new Error('No Chromium found (set CHROMIUM_PATH)');
  const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: config.civilTimeZone, font: tinosFont() });
  const renderer = new PuppeteerPdfRenderer({ executablePath: config.chromiumPath, poolSize: 2, timeoutMs: 120_000 });
  try {
    await renderer.warmUp();
    const composer = new DocumentComposer(catalogue, renderer);
    const report = catalogue.sample('unit-report');
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all([0, 1].map(async () => {
      while (next++ < count) await composer.compose('unit-report', report);
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(JSON.stringify({ renders: count, pdfPerS: Math.round((count / seconds) * 10) / 10 }));
  } finally {
    await renderer.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
