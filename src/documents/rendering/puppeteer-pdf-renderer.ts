import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { Browser, HTTPRequest, Page } from 'puppeteer-core';
import { InlineAssetOrigin } from './inline-asset-origin';
import { PdfRenderer, PdfRenderOptions, RendererUnavailableError, RenderTimeoutError } from './pdf-renderer';
import { withFontFace } from '../fonts/document-font';

export interface PuppeteerPdfRendererOptions {
  /** Chromium executable (AppConfig.chromiumPath); undefined fails every render with a clear error. */
  executablePath: string | undefined;
  /** Pages kept open and reused; a render waits when all are busy. */
  poolSize?: number;
  /** Default upper bound of one render (queueing included). */
  timeoutMs?: number;
  /**
   * Serve the documents' inlined fonts from the in-memory asset origin so that warm pages keep them
   * decoded (default). False prints each document exactly as given, data: URLs and all (the
   * benchmark's comparison; the output is the same).
   */
  cacheInlinedAssets?: boolean;
  /**
   * A page that printed a PDF larger than this is closed rather than reused (default 1 MiB, ~20
   * pages): its renderer keeps the memory of the largest document it laid out, and a closed page gives
   * it back (measured: after a 4,046-unit consolidated report, Chromium held 0.6–1.4 GB with the page
   * kept, 0.40 GB with it closed; BENCHMARKS.md, Large document).
   */
  retirePageAfterBytes?: number;
  /**
   * How Puppeteer talks to Chromium: 'pipe' (default), so that Chromium exits when this process dies,
   * even by SIGKILL (its end of the pipe closes); 'websocket' leaves it running, orphaned. The option
   * exists for the test that shows the difference.
   */
  transport?: 'pipe' | 'websocket';
}

/**
 * Flags for a server without a display, often running as root (hence --no-sandbox). The rest stop
 * Chromium's own traffic (updates, sync, field trials, QUIC probes) so that a render opens no socket.
 * Request interception does not see everything (a <link rel="prefetch"> is fetched by the browser
 * process), so every request that does leave is also sent to a proxy that does not exist, loopback
 * included ("<-loopback>" removes Chromium's implicit bypass), and no host name resolves.
 */
const LAUNCH_ARGS = [
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
  '--host-resolver-rules=MAP * ~NOTFOUND',
  '--disable-features=NetworkPrediction,Prerender2,SpeculationRulesPrefetchFuture',
  '--dns-prefetch-disable',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-extensions',
  '--disable-domain-reliability',
  '--disable-dev-shm-usage',
  '--metrics-recording-only',
  '--mute-audio',
];

/** Only the document itself and inlined (data:) assets load; everything else is aborted. */
function isAllowed(request: HTTPRequest): boolean {
  const url = request.url();
  return url.startsWith('data:') || url === 'about:blank';
}

/**
 * One warm Chromium shared by every render, with a small pool of reusable pages. Pages run without
 * JavaScript and abort every request that is not inlined (jsreport's safety model). When Chromium
 * dies, the next render starts a new one. The documents' inlined fonts are handed to Chromium from
 * memory under content-addressed URLs (InlineAssetOrigin), so that a warm page decodes them once.
 */
export class PuppeteerPdfRenderer extends PdfRenderer {
  private readonly poolSize: number;
  private readonly timeoutMs: number;
  private browser: Promise<Browser> | undefined;
  private userDataDir: string | undefined;
  private idle: Page[] = [];
  private busy = 0;
  private waiting: Array<() => void> = [];
  private closed = false;
  /** Incremented on each launch: pages of an older browser are never returned to the pool. */
  private generation = 0;
  private readonly assets: InlineAssetOrigin | undefined;
  private assetResponses = 0;
  private readonly retireAfterBytes: number;
  private retired = 0;

  constructor(private readonly options: PuppeteerPdfRendererOptions) {
    super();
    this.poolSize = Math.max(1, options.poolSize ?? 2);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.assets = options.cacheInlinedAssets === false ? undefined : new InlineAssetOrigin();
    this.retireAfterBytes = options.retirePageAfterBytes ?? 1024 * 1024;
  }

  /** Starts Chromium now rather than on the first render. */
  override async warmUp(): Promise<void> {
    await this.getBrowser();
  }

  async renderPdf(html: string, options: PdfRenderOptions = {}): Promise<Buffer> {
    if (this.closed) throw new Error('The PDF renderer is closed');
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    let current: Page | undefined;
    html = withFontFace(html, options.fontFaceCss);
    const lease = this.assets?.externalize(html);
    const work = this.withPage(async (page) => {
      current = page;
      await page.setContent(lease?.html ?? html, { waitUntil: 'load', timeout: timeoutMs });
      if (timedOut) throw new RenderTimeoutError(timeoutMs);
      const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true, timeout: timeoutMs, tagged: options.tagged ?? true });
      return { result: Buffer.from(pdf), retire: pdf.length > this.retireAfterBytes };
    }, () => timedOut);
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        // Closing the page stops the work at once and frees its pool slot; a new page replaces it.
        current?.close().catch(() => undefined);
        reject(new RenderTimeoutError(timeoutMs));
      }, timeoutMs);
    });
    try {
      return await Promise.race([work, deadline]);
    } finally {
      clearTimeout(timer);
      work.catch(() => undefined);
      lease?.release();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const browser = this.browser;
    this.browser = undefined;
    this.idle = [];
    for (const wake of this.waiting.splice(0)) wake();
    if (browser) {
      const instance = await browser.catch(() => undefined);
      await instance?.close().catch(() => undefined);
    }
    this.removeUserDataDir();
  }

  /**
   * Inlined assets Chromium had to ask for since the start: a warm page asks once per font file,
   * then takes it from its cache (tests and the benchmark check it).
   */
  get inlinedAssetsServed(): number {
    return this.assetResponses;
  }

  /** Pages closed after a large document since the start (tests, benchmark). */
  get pagesRetired(): number {
    return this.retired;
  }

  /** Chromium's process id, for the benchmark's memory measurement. */
  async browserPid(): Promise<number | undefined> {
    return (await this.getBrowser()).process()?.pid;
  }

  /** Runs `use` on a page of the pool; the page goes back to the pool unless abandoned or retired. */
  private async withPage<T>(use: (page: Page) => Promise<{ result: T; retire: boolean }>, abandoned: () => boolean): Promise<T> {
    while (this.busy >= this.poolSize) {
      await new Promise<void>((wake) => this.waiting.push(wake));
      if (this.closed) throw new Error('The PDF renderer is closed');
    }
    // Timed out while queued: the caller has its error already; take no page, print for nobody.
    if (abandoned()) {
      this.waiting.shift()?.(); // pass on the wake-up this caller received
      throw new Error('abandoned while waiting for a page');
    }
    this.busy++;
    let page: Page | undefined;
    let reusable = false;
    const generation = this.generation;
    try {
      page = this.idle.pop() ?? (await this.newPage());
      const { result, retire } = await use(page);
      if (retire) this.retired++;
      reusable = !abandoned() && !retire;
      return result;
    } finally {
      this.busy--;
      if (page) {
        if (reusable && !this.closed && generation === this.generation && !page.isClosed()) this.idle.push(page);
        else page.close().catch(() => undefined);
      }
      this.waiting.shift()?.();
    }
  }

  private async newPage(): Promise<Page> {
    const browser = await this.getBrowser();
    const page = await browser.newPage();
    await page.setJavaScriptEnabled(false);
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.isInterceptResolutionHandled()) return;
      const asset = request.isNavigationRequest() ? undefined : this.assets?.lookup(request.url());
      if (isAllowed(request)) void request.continue();
      // An inlined asset moved to the in-memory origin: answered from memory, readable by the
      // document's opaque origin (fonts are CORS requests). Its URL is its hash, so the page's
      // renderer keeps the decoded font for the next document asking for the same URL (measured:
      // it does so even with the HTTP cache off; the header only says it may).
      else if (asset) {
        this.assetResponses++;
        void request.respond({
          status: 200,
          contentType: asset.mime,
          headers: { 'Cache-Control': 'public, max-age=31536000, immutable', 'Access-Control-Allow-Origin': '*' },
          body: asset.body,
        });
      }
      // An aborted navigation (meta refresh, a frame) would replace the document with an error page
      // mid-print; "204 No Content" cancels it and leaves the document as it is.
      else if (request.isNavigationRequest() && request.frame() === page.mainFrame()) void request.respond({ status: 204, body: '' });
      else void request.abort('blockedbyclient');
    });
    return page;
  }

  private getBrowser(): Promise<Browser> {
    if (this.browser) return this.browser;
    const executablePath = this.options.executablePath;
    if (!executablePath || !existsSync(executablePath)) {
      return Promise.reject(
        new RendererUnavailableError(
          executablePath
            ? `No Chromium executable at "${executablePath}". Install Chromium (apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable.`
            : 'No Chromium executable was found (looked in /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome…). Install Chromium (apt-get install chromium) or set CHROMIUM_PATH.',
        ),
      );
    }
    this.removeUserDataDir();
    const userDataDir = mkdtempSync(join(tmpdir(), 'iso-cycle-chromium-'));
    this.userDataDir = userDataDir;
    const generation = ++this.generation;
    const launching = puppeteer
      .launch({
        executablePath,
        headless: true,
        args: [...LAUNCH_ARGS, `--user-data-dir=${userDataDir}`],
        pipe: (this.options.transport ?? 'pipe') === 'pipe',
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      })
      .then((browser) => {
        browser.on('disconnected', () => {
          // A crash (or kill) loses every page: forget them, the next render relaunches.
          if (this.generation === generation && !this.closed) {
            this.browser = undefined;
            this.idle = [];
          }
        });
        return browser;
      })
      .catch((error: unknown) => {
        if (this.generation === generation) this.browser = undefined;
        throw new RendererUnavailableError(`Chromium at "${executablePath}" did not start: ${error instanceof Error ? error.message : String(error)}`);
      });
    this.browser = launching;
    return launching;
  }

  private removeUserDataDir(): void {
    if (this.userDataDir) rmSync(this.userDataDir, { recursive: true, force: true });
    this.userDataDir = undefined;
  }
}
