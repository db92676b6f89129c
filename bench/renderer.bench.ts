/**
 * Renderer benchmark (not a test): on the same pre-rendered HTML of the 2-page letter 4607 (fonts
 * inlined as data: URLs, as every document reaches the renderer),
 *  - bare:          a bare Chromium printToPDF loop, 2 reused pages, no safety settings;
 *  - bare, fonts from memory: the same loop, the fonts moved to the in-memory asset origin the
 *                   pooled renderer uses (interception only to serve them): the limit of that method;
 *  - naive:         a new page per PDF (JavaScript off, interception on), closed after;
 *  - naive, fonts from memory: the same with the asset origin (does a fresh page gain from it too?);
 *  - pooled:        PuppeteerPdfRenderer with a pool of 2 pages (what the application uses);
 *  - pooled, data: URLs: the same renderer printing the document as given (cacheInlinedAssets off),
 *                   i.e. the renderer before the asset origin;
 * each with 2 renders in flight (one per core), taking turns in blocks. Then the p95 latency of one
 * 2-page unit report through the whole composer (template → PDF → metadata), one 110-unit
 * consolidated report, and Chromium's peak memory (browser and child processes) meanwhile.
 *
 * Run:  node -r ./scripts/register-typescript.js bench/renderer.bench.ts [renders]  (or `npm run bench`)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { loadAppConfig } from '../src/config/load-app-config';
import { DocumentComposer } from '../src/documents/document-composer';
import { defaultTemplatesDir } from '../src/documents/documents.module';
import { tinosFont } from '../src/documents/fonts/document-font';
import { InlineAssetOrigin } from '../src/documents/rendering/inline-asset-origin';
import { PuppeteerPdfRenderer } from '../src/documents/rendering/puppeteer-pdf-renderer';
import { TemplateCatalogue } from '../src/documents/templates/template-catalogue';
import { projectRoot } from '../src/shared/project-root';
import { treeMemoryMb } from './support/process-memory';

const RENDERS = Number(process.argv[2] ?? 60);
const IN_FLIGHT = 2;
const WARM_UP = 4;

interface Result {
  name: string;
  renders: number;
  seconds: number;
  pdfPerSecond: number;
}

interface Contender {
  name: string;
  render: () => Promise<unknown>;
  renders: number;
  nanoseconds: bigint;
}

/** BLOCK renders of one contender, IN_FLIGHT at a time. */
async function runBlock(contender: Contender, block: number): Promise<void> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next++ < block) await contender.render();
    }),
  );
  contender.nanoseconds += process.hrtime.bigint() - started;
  contender.renders += block;
}

/**
 * The contenders take turns in blocks of 10 (order rotating every round), so that a change in the
 * machine's load during the run weighs on all of them alike.
 */
async function interleaved(contenders: Contender[], total: number): Promise<Result[]> {
  for (const contender of contenders) for (let i = 0; i < WARM_UP; i++) await contender.render();
  const block = 10;
  for (let round = 0; round * block < total; round++) {
    for (let i = 0; i < contenders.length; i++) await runBlock(contenders[(round + i) % contenders.length], block);
  }
  return contenders.map(({ name, renders, nanoseconds }) => {
    const seconds = Number(nanoseconds) / 1e9;
    return { name, renders, seconds: round(seconds, 2), pdfPerSecond: round(renders / seconds, 1) };
  });
}

/** Browsers and renderers to close even when the run fails (no Chromium left behind). */
const opened: Array<{ close(): Promise<unknown> }> = [];

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

async function launchBare(executablePath: string): Promise<Browser> {
  return track(await puppeteer.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] }));
}

function track<T extends { close(): Promise<unknown> }>(closable: T): T {
  opened.push(closable);
  return closable;
}

async function main(): Promise<void> {
  const config = loadAppConfig({ CHROMIUM_PATH: process.env.CHROMIUM_PATH });
  if (!config.chromiumPath) throw new Error('No Chromium found (set CHROMIUM_PATH)');
  const catalogue = new TemplateCatalogue(defaultTemplatesDir(), { zone: config.civilTimeZone, font: tinosFont() });
  const letter = catalogue.sample('letter');
  const html = catalogue.renderHtml('letter', letter, { title: 'bench' });
  const loadBefore = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

  const printToPdf = async (page: Page) => {
    const session = (page as unknown as { _client(): { send(method: string, params: object): Promise<{ data: string }> } })._client();
    await session.send('Page.printToPDF', { preferCSSPageSize: true, printBackground: true });
  };

  // Bare loop: what Chromium itself can do with two reused pages, without any safety setting.
  const bareBrowser = await launchBare(config.chromiumPath);
  const free: Page[] = await Promise.all([bareBrowser.newPage(), bareBrowser.newPage()]);
  const bare: Contender = {
    name: 'bare printToPDF loop (2 reused pages)',
    renders: 0,
    nanoseconds: 0n,
    render: async () => {
      const page = free.pop()!;
      try {
        await page.setContent(html, { waitUntil: 'load' });
        await printToPdf(page);
      } finally {
        free.push(page);
      }
    },
  };

  // The same loop with the fonts served from memory (the pooled renderer's method), no other setting.
  const origin = new InlineAssetOrigin();
  const servedBrowser = await launchBare(config.chromiumPath);
  const servedFree: Page[] = await Promise.all([servedBrowser.newPage(), servedBrowser.newPage()]);
  for (const page of servedFree) {
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      const asset = origin.lookup(request.url());
      if (asset) void request.respond({ status: 200, contentType: asset.mime, headers: { 'Cache-Control': 'max-age=31536000, immutable', 'Access-Control-Allow-Origin': '*' }, body: asset.body });
      else void request.continue();
    });
  }
  const bareServed: Contender = {
    name: 'bare printToPDF loop, fonts from memory (2 reused pages)',
    renders: 0,
    nanoseconds: 0n,
    render: async () => {
      const page = servedFree.pop()!;
      const lease = origin.externalize(html);
      try {
        await page.setContent(lease.html, { waitUntil: 'load' });
        await printToPdf(page);
      } finally {
        lease.release();
        servedFree.push(page);
      }
    },
  };

  // Naive: a fresh page for every PDF, with the same safety settings as the pooled renderer.
  const naiveBrowser = await launchBare(config.chromiumPath);
  const naive: Contender = {
    name: 'naive (new page per PDF)',
    renders: 0,
    nanoseconds: 0n,
    render: async () => {
      const page = await naiveBrowser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request) => (request.url().startsWith('data:') || request.url() === 'about:blank' ? request.continue() : request.abort()));
      await page.setContent(html, { waitUntil: 'load' });
      await page.pdf({ preferCSSPageSize: true, printBackground: true });
      await page.close();
    },
  };

  // Naive with the fonts from memory: whether a fresh page benefits from the origin too.
  const naiveServed: Contender = {
    name: 'naive, fonts from memory (new page per PDF)',
    renders: 0,
    nanoseconds: 0n,
    render: async () => {
      const page = await naiveBrowser.newPage();
      await page.setJavaScriptEnabled(false);
      await page.setRequestInterception(true);
      page.on('request', (request) => {
        const asset = origin.lookup(request.url());
        if (asset) void request.respond({ status: 200, contentType: asset.mime, headers: { 'Cache-Control': 'max-age=31536000, immutable', 'Access-Control-Allow-Origin': '*' }, body: asset.body });
        else if (request.url().startsWith('data:') || request.url() === 'about:blank') void request.continue();
        else void request.abort();
      });
      const lease = origin.externalize(html);
      try {
        await page.setContent(lease.html, { waitUntil: 'load' });
        await page.pdf({ preferCSSPageSize: true, printBackground: true });
      } finally {
        lease.release();
        await page.close();
      }
    },
  };

  // Pooled as before the asset origin: the document printed as given, data: URLs and all.
  const asGiven = track(new PuppeteerPdfRenderer({ executablePath: config.chromiumPath, poolSize: 2, timeoutMs: 120_000, cacheInlinedAssets: false }));
  await asGiven.warmUp();
  const pooledAsGiven: Contender = { name: 'pooled renderer, data: URLs as given (2 pages)', renders: 0, nanoseconds: 0n, render: () => asGiven.renderPdf(html) };

  // Pooled: the application's renderer; Chromium's memory sampled meanwhile.
  // A generous timeout: on a loaded machine the first renders of a cold Chromium take seconds.
  const renderer = track(new PuppeteerPdfRenderer({ executablePath: config.chromiumPath, poolSize: 2, timeoutMs: 120_000 }));
  await renderer.warmUp();
  const pid = (await renderer.browserPid())!;
  const peak = { rss: 0, pss: 0 };
  const sample = () => {
    const now = treeMemoryMb(pid);
    peak.rss = Math.max(peak.rss, now.rss);
    peak.pss = Math.max(peak.pss, now.pss);
  };
  sample();
  const sampler = setInterval(sample, 250);
  const pooledContender: Contender = { name: 'pooled renderer (2 pages)', renders: 0, nanoseconds: 0n, render: () => renderer.renderPdf(html) };

  const results = await interleaved([bare, bareServed, naive, naiveServed, pooledContender, pooledAsGiven], RENDERS);
  await bareBrowser.close();
  await servedBrowser.close();
  await naiveBrowser.close();
  await asGiven.close();
  const servedByPooled = renderer.inlinedAssetsServed;

  // Latency of one 2-page report (the unit report's sample, cut to its first figure groups so that
  // it fits two pages) through the whole composer, one at a time.
  const composer = new DocumentComposer(catalogue, renderer);
  const report = catalogue.sample('unit-report') as { figures: unknown[] };
  let pageCount = (await composer.compose('unit-report', report)).pageCount;
  while (pageCount > 2 && report.figures.length > 1) {
    report.figures = report.figures.slice(0, -1);
    pageCount = (await composer.compose('unit-report', report)).pageCount;
  }
  const latencies: number[] = [];
  for (let i = 0; i < WARM_UP + RENDERS; i++) {
    const started = process.hrtime.bigint();
    await composer.compose('unit-report', report);
    if (i >= WARM_UP) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  // The consolidated report of the sample (110 units, 10 pages), for the memory peak of a long document.
  const consolidated = catalogue.sample('consolidated-report');
  const started = process.hrtime.bigint();
  const big = await composer.compose('consolidated-report', consolidated);
  const consolidatedMs = Number(process.hrtime.bigint() - started) / 1e6;
  clearInterval(sampler);
  sample();
  await renderer.close();

  latencies.sort((a, b) => a - b);
  const percentile = (p: number) => round(latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)], 1);
  const [bareResult, bareServedResult, naiveResult, naiveServedResult, pooled, pooledAsGivenResult] = results;
  const summary = {
    date: new Date().toISOString(),
    loadAverage: { before: loadBefore, after: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') },
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    throughputDocument: { kind: 'letter', pages: 2, htmlKb: round(Buffer.byteLength(html) / 1024, 0) },
    latencyDocument: { kind: 'unit-report', pages: pageCount },
    inFlight: IN_FLIGHT,
    results,
    ratios: {
      pooledVsBare: round(pooled.pdfPerSecond / bareResult.pdfPerSecond, 2),
      pooledVsBareFontsFromMemory: round(pooled.pdfPerSecond / bareServedResult.pdfPerSecond, 2),
      pooledVsNaive: round(pooled.pdfPerSecond / naiveResult.pdfPerSecond, 2),
      pooledVsNaiveFontsFromMemory: round(pooled.pdfPerSecond / naiveServedResult.pdfPerSecond, 2),
      pooledVsPooledDataUrls: round(pooled.pdfPerSecond / pooledAsGivenResult.pdfPerSecond, 2),
    },
    latencyMs: { p50: percentile(50), p95: percentile(95), max: round(latencies[latencies.length - 1], 1), samples: latencies.length },
    consolidatedReport: { pages: big.pageCount, ms: round(consolidatedMs, 0) },
    chromiumPeakMb: { pss: round(peak.pss, 0), rssSum: round(peak.rss, 0) },
    fontRequestsAnsweredByPooledRenderer: servedByPooled,
  };
  const outDir = join(projectRoot(), 'bench', 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'renderer.json'), `${JSON.stringify(summary, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
}

main().catch(async (error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  await Promise.all(opened.map((closable) => closable.close().catch(() => undefined)));
  process.exit(1);
});
