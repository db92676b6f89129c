/**
 * Large-document benchmark (not a test): Chromium's memory for the one document that grows with the
 * tree, the standing agency's consolidated report with its per-unit table, rendered through the
 * application's composer and pooled renderer (2 pages).
 *
 * For each size: the render's wall time, pages and bytes; Chromium's peak PSS while it prints
 * (browser and all its processes, sampled every 100 ms, and the largest single process of each kind);
 * then a 2-page unit report is rendered and Chromium's PSS read again. Twice, side by side: printed
 * in parts of 500 rows (the composer's default, print-parts.ts), and whole, in one document. The
 * page that printed a PDF over 1 MiB is closed in both (the renderer's default). The per-unit rows
 * are the template sample's, repeated, in groups of 60.
 *
 *   node -r ./scripts/register-typescript.js bench/large-document.bench.ts [units ...]
 */
import { readFileSync } from 'node:fs';
import { loadAppConfig } from '../src/config/load-app-config';
import { DocumentComposer } from '../src/documents/document-composer';
import { defaultTemplatesDir } from '../src/documents/documents.module';
import { tinosFont } from '../src/documents/fonts/document-font';
import { PuppeteerPdfRenderer } from '../src/documents/rendering/puppeteer-pdf-renderer';
import { TemplateCatalogue } from '../src/documents/templates/template-catalogue';
import { processTree, treeMemoryMb } from './support/process-memory';

const UNITS_PER_GROUP = 60;

type Sample = { unitTable: { groups: Array<{ title: string; units: Array<{ name: string }> }> }; lateOrMissing: Array<{ name: string }> };

/** The sample consolidated report grown to `units` rows (a tenth of them late or missing). */
function consolidatedReportOf(catalogue: TemplateCatalogue, units: number): Sample {
  const sample = structuredClone(catalogue.sample('consolidated-report')) as Sample;
  const group = sample.unitTable.groups[0];
  const row = group.units[0];
  sample.unitTable.groups = Array.from({ length: Math.ceil(units / UNITS_PER_GROUP) }, (_, g) => ({
    ...group,
    title: `${group.title} (${g + 1})`,
    units: Array.from({ length: Math.min(UNITS_PER_GROUP, units - g * UNITS_PER_GROUP) }, (_, i) => ({ ...row, name: `UBND xã Thử Nghiệm ${g + 1}-${i + 1}` })),
  }));
  sample.lateOrMissing = Array.from({ length: Math.round(units / 10) }, (_, i) => ({ ...sample.lateOrMissing[0], name: `UBND xã Báo Cáo Muộn ${i + 1}` }));
  return sample;
}

/** The largest PSS in MB of a process of each Chromium kind under `root` (browser, renderer, …). */
function pssByKind(root: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const pid of processTree(root)) {
    try {
      // Chromium rewrites its children's titles: their cmdline is one string, arguments spaced.
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const kind = /--utility-sub-type=([^\s\0]+)/.exec(command)?.[1] ?? /--type=([^\s\0]+)/.exec(command)?.[1] ?? 'browser';
      const pss = Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) / 1024;
      kinds[kind] = Math.max(kinds[kind] ?? 0, pss);
    } catch {
      // ended meanwhile
    }
  }
  return kinds;
}

async function measure(catalogue: TemplateCatalogue, executablePath: string, units: number, inParts: boolean) {
  const renderer = new PuppeteerPdfRenderer({ executablePath, poolSize: 2, timeoutMs: 900_000 });
  try {
    await renderer.warmUp();
    const pid = (await renderer.browserPid())!;
    const composer = new DocumentComposer(catalogue, renderer, inParts ? {} : { rowsPerPrintPart: Infinity });
    await composer.compose('unit-report', catalogue.sample('unit-report'));
    const before = treeMemoryMb(pid).pss;
    let peak = before;
    const largest: Record<string, number> = {};
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeMemoryMb(pid).pss);
      for (const [kind, mb] of Object.entries(pssByKind(pid))) largest[kind] = Math.max(largest[kind] ?? 0, mb);
    }, 100);
    const started = process.hrtime.bigint();
    const document = await composer.compose('consolidated-report', consolidatedReportOf(catalogue, units));
    const renderS = Number(process.hrtime.bigint() - started) / 1e9;
    clearInterval(sampler);
    await composer.compose('unit-report', catalogue.sample('unit-report'));
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let a closed page's process exit
    const round = (value: number) => Math.round(value);
    return {
      renderS: Math.round(renderS * 10) / 10,
      pages: document.pageCount,
      pdfMb: Math.round((document.pdf.length / 2 ** 20) * 10) / 10,
      chromiumMb: { before: round(before), peak: round(peak), afterNextDocument: round(treeMemoryMb(pid).pss) },
      largestProcessMb: Object.fromEntries(Object.entries(largest).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([kind, mb]) => [kind, round(mb)])),
      pagesRetired: renderer.pagesRetired,
    };
  } finally {
    await renderer.close();
  }
}

async function main() {
  const sizes = process.argv.slice(2).map(Number);
  const config = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH });
  if (!config.chromiumPath) throw new Error('No Chromium found (set CHROMIUM_PATH)');
  const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: config.civilTimeZone, font: tinosFont() });
  const results = [];
  for (const units of sizes.length ? sizes : [512, 4046]) {
    results.push({ units, inParts: await measure(catalogue, config.chromiumPath, units, true), whole: await measure(catalogue, config.chromiumPath, units, false) });
  }
  process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
