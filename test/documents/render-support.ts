import { loadAppConfig } from '../../src/config/load-app-config';
import { DocumentComposer } from '../../src/documents/document-composer';
import { defaultTemplatesDir } from '../../src/documents/documents.module';
import { tinosFont } from '../../src/documents/fonts/document-font';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { TemplateCatalogue } from '../../src/documents/templates/template-catalogue';

/** One warm renderer per test file, on the real Chromium (auto-detected or CHROMIUM_PATH). */
export function createTestComposer(): { catalogue: TemplateCatalogue; renderer: PuppeteerPdfRenderer; composer: DocumentComposer } {
  const config = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH });
  const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: config.civilTimeZone, font: tinosFont() });
  const renderer = new PuppeteerPdfRenderer({ executablePath: config.chromiumPath, poolSize: 2 });
  return { catalogue, renderer, composer: new DocumentComposer(catalogue, renderer) };
}
