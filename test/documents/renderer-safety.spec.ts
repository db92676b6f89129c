import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import { AddressInfo } from 'node:net';
import { RendererUnavailableError, RenderTimeoutError } from '../../src/documents/rendering/pdf-renderer';
import { PuppeteerPdfRenderer } from '../../src/documents/rendering/puppeteer-pdf-renderer';
import { TemplateDataError } from '../../src/documents/templates/template-catalogue';
import { createTestComposer } from './render-support';
import { findLine, normalise, pageBox, pdfFonts, pdfPages } from './support/pdf-inspection';

/**
 * Hostile user text renders as text and cannot reach the network; the renderer survives a
 * Chromium crash, times out, and says clearly when Chromium is missing.
 */
const { catalogue, renderer, composer } = createTestComposer();
let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((_, response) => response.end('x'));
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await renderer.close();
  await new Promise((resolve) => server.close(resolve));
});

/** Let any request that slipped through reach the listener before counting. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

const VOWELS = 'aăâeêioôơuưy';
const TONED = [...VOWELS].map((v) => [v, ...'\u0300\u0301\u0303\u0309\u0323'.split('').map((mark) => `${v}${mark}`.normalize('NFC'))].join('')).join('');
const EVERY_DIACRITIC = `${TONED} đ ${TONED.toLocaleUpperCase('vi')} Đ`;

describe('hostile user text', () => {
  let pages: ReturnType<typeof pdfPages>;
  let pdf: Buffer;
  const words = Array.from({ length: 1500 }, (_, i) => `chữ${i}`).join(' ');
  const paragraph = words.slice(0, 10_000);
  const unbroken = 'Đ'.repeat(10_000);

  beforeAll(async () => {
    const img = `<img src="http://127.0.0.1:${port}/">`;
    const data = catalogue.sample('letter') as Record<string, any>;
    data.subject = `{{x}} ${img}`;
    data.issuer = { name: ['<script>alert(1)</script>', `Sở ${img}`] };
    data.addressees = ['{{#each x}}{{/each}}', `<link rel="stylesheet" href="http://127.0.0.1:${port}/s.css">`];
    data.body = [
      '{{x}} {{{x}}} {{> header}}',
      '<script>document.write("INJECTED")</script>',
      img,
      `<style>@import url(http://127.0.0.1:${port}/i.css); body { background: url(http://127.0.0.1:${port}/b.png) }</style><iframe src="http://127.0.0.1:${port}/f"></iframe>`,
      EVERY_DIACRITIC,
      paragraph,
      unbroken,
      { runs: [{ text: `<b>${img}</b>`, italic: true }, { text: 'kết thúc' }] },
    ];
    data.signer = { ...data.signer, name: `<img src=x onerror="fetch('http://127.0.0.1:${port}/js')">` };
    data.recipients = { list: [img], archiveDivision: 'KGVX' };
    connections = 0;
    pdf = (await composer.compose('letter', data)).pdf;
    pages = pdfPages(pdf);
    await settle();
  });

  test('renders as text, markup and template syntax included', () => {
    // Page numbers (in the top margin) left out: the long paragraphs run over several pages.
    const text = normalise(pages.flatMap((page) => page.lines.filter((line) => line.yMin > pageBox(page).top - 2).map((line) => line.text)).join(' '));
    expect(text).toContain('{{x}} {{{x}}} {{> header}}');
    expect(text).toContain('<script>document.write("INJECTED")</script>');
    expect(text).toContain(`<img src="http://127.0.0.1:${port}/">`);
    expect(text).toContain('V/v {{x}} <img');
    expect(text.replace(/\s/g, '')).toContain('<SCRIPT>ALERT(1)</SCRIPT>'); // issuer column: upper case, may wrap
    expect(text).toContain('{{#each x}}{{/each}};');
    expect(text).not.toMatch(/^INJECTED|[^(]"INJECTED"[^)]/);
    // Compared without spaces: the justified line may wrap anywhere in the sequence.
    expect(text.replace(/\s/g, '').includes(EVERY_DIACRITIC.replace(/\s/g, ''))).toBe(true);
    const compact = text.replace(/\s/g, '');
    expect(compact.includes(paragraph.replace(/\s/g, ''))).toBe(true);
    expect(compact.includes(unbroken)).toBe(true);
  });

  test('opens no connection', () => {
    expect(connections).toBe(0);
  });

  test('keeps every diacritic in the embedded serif (no fallback font)', () => {
    expect([...new Set(pdfFonts(pdf).map((font) => font.family))]).toEqual(['Tinos']);
  });

  test('holds the layout: margins, and the signer on the page of the closing mark', () => {
    for (const page of pages) {
      const box = pageBox(page);
      for (const line of page.lines) {
        expect({ text: line.text.slice(0, 40), inside: line.xMin >= box.left - 1 && line.xMax <= box.right + 1 && line.yMax <= box.bottom + 1.5 }).toEqual({
          text: line.text.slice(0, 40),
          inside: true,
        });
      }
    }
    const end = findLine(pages, (text) => text.endsWith('kết thúc./.'))!;
    expect(findLine(pages, /^Nơi nhận:$/)!.page).toBe(end.page);
    expect(findLine(pages, /onerror/)!.page).toBe(end.page);
  });
});

test('raw HTML reaching the renderer cannot load anything either (JavaScript off, requests aborted)', async () => {
  connections = 0;
  const url = `http://127.0.0.1:${port}`;
  const html = `<!DOCTYPE html><html><head>
    <link rel="stylesheet" href="${url}/a.css"><link rel="prefetch" href="${url}/p"><link rel="preload" as="image" href="${url}/pre.png">
    <style>@import url(${url}/i.css); @font-face { font-family: X; src: url(${url}/f.woff2); } body { font-family: X; background: url(${url}/b.png); }</style>
    </head><body>
    <p id="t">still here</p><script>document.getElementById('t').textContent = 'SCRIPT RAN'; fetch('${url}/fetch');</script>
    <img src="${url}/img.png"><iframe src="${url}/frame"></iframe><iframe src="file:///etc/passwd"></iframe>
    <object data="${url}/obj"></object><video poster="${url}/poster.png"></video><audio src="${url}/a.mp3" autoplay></audio>
    <a href="${url}/link">link</a></body></html>`;
  const pdf = await renderer.renderPdf(html);
  await settle();
  const text = pdfPages(pdf).flatMap((page) => page.lines.map((line) => line.text)).join('\n');
  expect(text).toContain('still here');
  expect(text).not.toContain('SCRIPT RAN');
  expect(text).not.toMatch(/root:x:0/);
  expect(connections).toBe(0);
  // A refresh to another address is a navigation: aborted like any other request.
  const refreshed = await renderer.renderPdf(`<meta http-equiv="refresh" content="0;url=${url}/refresh"><p>x</p>`);
  await settle();
  expect(connections).toBe(0);
  expect(pdfPages(refreshed)[0].lines.map((line) => line.text)).toEqual(['x']);
});

describe('fonts kept warm: inlined assets served from memory', () => {
  const executablePath = () => (renderer as unknown as { options: { executablePath: string } }).options.executablePath;

  test('prints exactly what the document as given prints, and a warm page stops asking for the fonts', async () => {
    const html = catalogue.renderHtml('letter', catalogue.sample('letter'));
    expect(html).toMatch(/url\(data:font\/woff2;base64,/);
    const warm = new PuppeteerPdfRenderer({ executablePath: executablePath(), poolSize: 1 });
    const asGiven = new PuppeteerPdfRenderer({ executablePath: executablePath(), poolSize: 1, cacheInlinedAssets: false });
    try {
      const reference = await asGiven.renderPdf(html);
      const first = await warm.renderPdf(html);
      // Regular, bold, italic (latin and vietnamese subsets) at least; not every face of every subset.
      expect(warm.inlinedAssetsServed).toBeGreaterThanOrEqual(6);
      // Measured: a new page sometimes asks once more on its second document (the first after its
      // initial about:blank); from then on its cache answers.
      const second = await warm.renderPdf(html);
      const served = warm.inlinedAssetsServed;
      const third = await warm.renderPdf(html);
      expect(warm.inlinedAssetsServed).toBe(served); // nothing asked for, nothing decoded again
      expect(asGiven.inlinedAssetsServed).toBe(0);
      for (const pdf of [first, second, third]) {
        expect(pdfPages(pdf)).toEqual(pdfPages(reference)); // same text at the same positions
        expect(pdfFonts(pdf).map(({ family, type, embedded }) => ({ family, type, embedded }))).toEqual(
          pdfFonts(reference).map(({ family, type, embedded }) => ({ family, type, embedded })),
        );
      }
      expect([...new Set(pdfFonts(first).map((font) => font.family))]).toEqual(['Tinos']);
    } finally {
      await warm.close();
      await asGiven.close();
    }
  });

  test('a document cannot reach an asset by URL that it did not inline, nor navigate to one', async () => {
    const html = catalogue.renderHtml('letter', catalogue.sample('letter'));
    const [assetUrl] = (await (async () => {
      const { InlineAssetOrigin } = await import('../../src/documents/rendering/inline-asset-origin');
      return new InlineAssetOrigin().externalize(html).html.match(/https:\/\/inline-assets\.invalid\/[0-9a-f]{64}/)!;
    })());
    connections = 0;
    // Never rendered by this renderer: unknown to it, the request is aborted (the text falls back).
    const fresh = new PuppeteerPdfRenderer({ executablePath: executablePath(), poolSize: 1 });
    try {
      const probe = `<style>@font-face{font-family:P;src:url(${assetUrl})} p{font-family:P}</style><p>thử</p>`;
      expect([...new Set(pdfFonts(await fresh.renderPdf(probe)).map((font) => font.family))]).not.toContain('Tinos');
      expect(fresh.inlinedAssetsServed).toBe(0);
      // A navigation to an asset URL is cancelled like any other: the document stays.
      await fresh.renderPdf(html);
      const refreshed = await fresh.renderPdf(`<meta http-equiv="refresh" content="0;url=${assetUrl}"><p>vẫn đây</p>`);
      expect(pdfPages(refreshed)[0].lines.map((line) => line.text)).toEqual(['vẫn đây']);
      await settle();
      expect(connections).toBe(0);
    } finally {
      await fresh.close();
    }
  });
});

test('missing data fails the render and names the field', () => {
  const data = catalogue.sample('letter') as Record<string, any>;
  delete data.signer.name;
  expect(() => catalogue.renderHtml('letter', data)).toThrow(TemplateDataError);
  expect(() => catalogue.renderHtml('letter', data)).toThrow(/"name"/);
});

test('a render that takes too long fails with a timeout, and the renderer keeps working', async () => {
  const heavy = `<table>${'<tr><td>ô</td></tr>'.repeat(200_000)}</table>`;
  await expect(renderer.renderPdf(heavy, { timeoutMs: 50 })).rejects.toBeInstanceOf(RenderTimeoutError);
  const pdf = await renderer.renderPdf('<p>sau</p>');
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
});

test('renders that time out while queued for a page give up their turn', async () => {
  const single = new PuppeteerPdfRenderer({ executablePath: (renderer as unknown as { options: { executablePath: string } }).options.executablePath, poolSize: 1 });
  try {
    await single.renderPdf('<p>ấm</p>');
    // The only page is busy with this one while the others wait and time out.
    const slow = single.renderPdf(`<table>${'<tr><td>ô</td></tr>'.repeat(2_000)}</table>`);
    const queued = Array.from({ length: 3 }, () => single.renderPdf('<p>x</p>', { timeoutMs: 1 }));
    // Queued behind the ones that give up: it must still get the page when the first render ends.
    const behind = single.renderPdf('<p>tiếp</p>');
    for (const render of queued) await expect(render).rejects.toBeInstanceOf(RenderTimeoutError);
    await slow;
    expect(pdfPages(await behind)[0].lines.map((line) => line.text)).toEqual(['tiếp']);
  } finally {
    await single.close();
  }
});

test('a crashed Chromium is replaced on the next render', async () => {
  const crashing = new PuppeteerPdfRenderer({ executablePath: (renderer as unknown as { options: { executablePath: string } }).options.executablePath, poolSize: 1 });
  try {
    await crashing.renderPdf('<p>một</p>');
    const pid = (await crashing.browserPid())!;
    process.kill(pid, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const pdf = await crashing.renderPdf('<p>hai</p>');
    expect(pdfPages(pdf)[0].lines.map((line) => line.text)).toEqual(['hai']);
    expect(await crashing.browserPid()).not.toBe(pid);
  } finally {
    await crashing.close();
  }
});

/** Running, not a zombie waiting for a parent that is gone (this machine's init does not reap them). */
function running(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

async function stillRunningAfter(pid: number, ms: number): Promise<boolean> {
  for (const until = Date.now() + ms; Date.now() < until && running(pid); ) await new Promise((resolve) => setTimeout(resolve, 100));
  return running(pid);
}

// A killed application must not leave its Chromium behind (hundreds of MB, for good). Over a pipe,
// Chromium reads the end of it when the process dies; over a websocket (the control) it runs on.
test.each([
  ['pipe', false],
  ['websocket', true],
])('when the process holding the renderer is killed with SIGKILL, over a %s its Chromium is left running: %s', async (transport, orphaned) => {
  const owner = spawn(process.execPath, ['-r', join(__dirname, '..', '..', 'scripts', 'register-typescript.js'), join(__dirname, 'support/renderer-owner.ts')], {
    env: { ...process.env, CHROMIUM_EXECUTABLE: (renderer as unknown as { options: { executablePath: string } }).options.executablePath, RENDERER_TRANSPORT: transport },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    owner.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    owner.once('exit', (code) => reject(new Error(`the renderer's owner exited (${code}) before printing Chromium's pid`)));
  });
  expect(running(pid)).toBe(true);
  owner.kill('SIGKILL');
  try {
    expect(await stillRunningAfter(pid, orphaned ? 3_000 : 15_000)).toBe(orphaned);
  } finally {
    if (running(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('several renders at once share the page pool', async () => {
  const pdfs = await Promise.all(Array.from({ length: 6 }, (_, i) => renderer.renderPdf(`<p>trang ${i}</p>`)));
  expect(pdfs.map((pdf) => pdfPages(pdf)[0].lines[0].text)).toEqual(['trang 0', 'trang 1', 'trang 2', 'trang 3', 'trang 4', 'trang 5']);
});

test('a page that printed a large document is closed, not reused; the next render gets a fresh page', async () => {
  const executable = (renderer as unknown as { options: { executablePath: string } }).options.executablePath;
  // Every PDF is over 100 bytes: each render retires its page.
  const retiring = new PuppeteerPdfRenderer({ executablePath: executable, poolSize: 1, retirePageAfterBytes: 100 });
  const keeping = new PuppeteerPdfRenderer({ executablePath: executable, poolSize: 1 });
  try {
    for (const text of ['một', 'hai', 'ba']) {
      expect(pdfPages(await retiring.renderPdf(`<p>${text}</p>`))[0].lines.map((line) => line.text)).toEqual([text]);
      expect(pdfPages(await keeping.renderPdf(`<p>${text}</p>`))[0].lines.map((line) => line.text)).toEqual([text]);
    }
    expect(retiring.pagesRetired).toBe(3);
    expect(keeping.pagesRetired).toBe(0); // a few-KB letter keeps its page
    const idlePages = (pool: PuppeteerPdfRenderer) => (pool as unknown as { idle: unknown[] }).idle.length;
    expect(idlePages(retiring)).toBe(0);
    expect(idlePages(keeping)).toBe(1);
  } finally {
    await retiring.close();
    await keeping.close();
  }
});

test('a missing Chromium is reported with the path and how to configure it', async () => {
  const missing = new PuppeteerPdfRenderer({ executablePath: '/nonexistent/chromium' });
  await expect(missing.renderPdf('<p>x</p>')).rejects.toBeInstanceOf(RendererUnavailableError);
  await expect(missing.renderPdf('<p>x</p>')).rejects.toThrow(/\/nonexistent\/chromium.*CHROMIUM_PATH/);
  const none = new PuppeteerPdfRenderer({ executablePath: undefined });
  await expect(none.renderPdf('<p>x</p>')).rejects.toThrow(/No Chromium executable was found.*CHROMIUM_PATH/);
});
