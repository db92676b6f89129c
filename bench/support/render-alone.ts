/**
 * Rendering with nothing else, through the application's composer and pooled renderer, 2 in flight:
 *
 *   render-alone.ts <count>               `count` unit reports, the template's sample (3 pages)
 *   render-alone.ts --store <documents>   every document a cycle stored (a filesystem document store's
 *                                         root, e.g. <out>/runtime/documents), each from the kind and
 *                                         data it was issued with: the same PDFs, pages and all
 *
 * Prints {renders, pages, pdfPerS} as JSON. Used by bench/cycle.bench.ts: the first is the baseline
 * every session measured against; the second is what the cycle itself rendered (its consolidated
 * reports run to dozens of pages, one per district and one for the province).
 */
import { loadAppConfig } from '../../src/config/load-app-config';
import { DocumentComposer } from '../../src/documents/document-composer';
import { defaultTemplatesDir } from '../../src/documents/documents.module';
import { tinosFont } from '../../src/documents/fonts/document-font';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { FilesystemDocumentStore } from '../../src/documents/store/filesystem-document-store';
import { TemplateCatalogue } from '../../src/documents/templates/template-catalogue';

interface Work {
  kind: string;
  data: unknown;
  /** Stored without a number: the draft of the report to the ministry, printed as a draft. */
  draft: boolean;
}

async function documentsToRender(catalogue: TemplateCatalogue, args: string[]): Promise<Work[]> {
  if (args[0] !== '--store') {
    const count = Number(args[0] ?? 100);
    if (!Number.isInteger(count) || count < 1) throw new Error(`render-alone: "${args[0]}" is not a number of renders`);
    const report = catalogue.sample('unit-report');
    return Array.from({ length: count }, () => ({ kind: 'unit-report', data: report, draft: false }));
  }
  if (!args[1]) throw new Error('render-alone: --store needs the document store\'s directory');
  const store = new FilesystemDocumentStore(args[1]);
  const work: Work[] = [];
  for (const id of await store.documentIds()) {
    const stored = await store.get(id);
    if (!stored) continue;
    const numbered = (stored.data as { document?: { number?: unknown } }).document?.number != null;
    work.push({ kind: stored.kind, data: stored.data, draft: !numbered });
  }
  if (work.length === 0) throw new Error(`render-alone: no stored document under ${args[1]}`);
  return work;
}

async function main() {
  const config = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH });
  if (!config.chromiumPath) throw new Error('No Chromium found (set CHROMIUM_PATH)');
  const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: config.civilTimeZone, font: tinosFont() });
  const work = await documentsToRender(catalogue, process.argv.slice(2));
  const renderer = new PuppeteerPdfRenderer({ executablePath: config.chromiumPath, poolSize: 2, timeoutMs: 120_000 });
  try {
    await renderer.warmUp();
    const composer = new DocumentComposer(catalogue, renderer);
    const started = process.hrtime.bigint();
    let next = 0;
    let pages = 0;
    await Promise.all([0, 1].map(async () => {
      while (next < work.length) {
        const { kind, data, draft } = work[next++];
        const { pageCount } = await composer.compose(kind, data, { draft });
        pages += pageCount;
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(JSON.stringify({ renders: work.length, pages, pdfPerS: Math.round((work.length / seconds) * 10) / 10 }));
  } finally {
    await renderer.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
