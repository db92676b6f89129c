import { INLINE_ASSET_ORIGIN, InlineAssetOrigin } from './inline-asset-origin';

const font = (bytes: number[]) => Buffer.from(bytes).toString('base64');
const doc = (css: string, body = '<p>x</p>') => `<!DOCTYPE html><html><head><style>${css}</style></head><body>${body}</body></html>`;
const ASSET = new RegExp(`${INLINE_ASSET_ORIGIN.replace(/\./g, '\\.')}/[0-9a-f]{64}`, 'g');

describe('inline asset origin', () => {
  test('moves the stylesheet\'s data: URLs to content-addressed URLs and serves the same bytes', () => {
    const origin = new InlineAssetOrigin();
    const a = font([0, 1, 2, 250, 251]);
    const b = font([9, 9, 9]);
    const lease = origin.externalize(doc(`@font-face{src:url(data:font/woff2;base64,${a}) format('woff2')}\n@font-face{src:url("data:font/woff2;base64,${b}")}`));
    expect(lease.html).not.toContain('data:');
    const urls = lease.html.match(ASSET)!;
    expect(urls).toHaveLength(2);
    expect(origin.lookup(urls[0])).toEqual({ mime: 'font/woff2', body: Buffer.from(a, 'base64'), inUse: 1 });
    expect(origin.lookup(urls[1])!.body).toEqual(Buffer.from(b, 'base64'));
    // Same bytes, same URL: the page's cache answers the next document.
    expect(origin.externalize(doc(`@font-face{src:url(data:font/woff2;base64,${a})}`)).html.match(ASSET)).toEqual([urls[0]]);
    expect(origin.size.assets).toBe(2);
  });

  test('leaves the body alone, even text that reads like a data: URL, and any URL that is not its own', () => {
    const origin = new InlineAssetOrigin();
    const body = `<p>url(data:font/woff2;base64,${font([1, 2, 3])})</p><img src="data:image/png;base64,${font([4])}">`;
    const html = doc('p{color:red}', body);
    expect(origin.externalize(html).html).toBe(html);
    expect(origin.lookup(`${INLINE_ASSET_ORIGIN}/${'0'.repeat(64)}`)).toBeUndefined();
    expect(origin.lookup(`http://127.0.0.1/${'0'.repeat(64)}`)).toBeUndefined();
    expect(origin.lookup(`${INLINE_ASSET_ORIGIN}/../etc/passwd`)).toBeUndefined();
  });

  test('keeps its memory bounded, but never drops an asset a render in flight may still ask for', () => {
    const origin = new InlineAssetOrigin(10);
    const big = (seed: number) => doc(`@font-face{src:url(data:font/woff2;base64,${font(Array.from({ length: 8 }, () => seed))})}`);
    const first = origin.externalize(big(1));
    const second = origin.externalize(big(2));
    const [firstUrl] = first.html.match(ASSET)!;
    const [secondUrl] = second.html.match(ASSET)!;
    // 16 bytes over a limit of 10, yet both renders are in flight: both kept.
    expect(origin.lookup(firstUrl)).toBeDefined();
    expect(origin.lookup(secondUrl)).toBeDefined();
    first.release();
    first.release(); // releasing twice changes nothing
    expect(origin.lookup(firstUrl)).toBeUndefined();
    expect(origin.lookup(secondUrl)).toBeDefined();
    second.release();
    expect(origin.size).toEqual({ assets: 1, bytes: 8 });
  });

  test('a stylesheet seen before is rewritten the same, counts its render, and is rebuilt once its asset was dropped', () => {
    const origin = new InlineAssetOrigin(10);
    const css = `@font-face{src:url(data:font/woff2;base64,${font([7, 7, 7, 7, 7, 7, 7, 7])})}`;
    const first = origin.externalize(doc(css));
    const again = origin.externalize(doc(css, '<p>another document</p>'));
    expect(again.html).toBe(first.html.replace('<p>x</p>', '<p>another document</p>'));
    const [url] = first.html.match(ASSET)!;
    expect(origin.lookup(url)).toMatchObject({ inUse: 2 });
    first.release();
    expect(origin.lookup(url)).toMatchObject({ inUse: 1 });
    // Another font pushes this one out once no render uses it...
    again.release();
    origin.externalize(doc(`@font-face{src:url(data:font/woff2;base64,${font([8, 8, 8, 8, 8, 8, 8, 8])})}`)).release();
    expect(origin.lookup(url)).toBeUndefined();
    // ...and the known stylesheet brings it back rather than pointing at a URL nobody answers.
    const later = origin.externalize(doc(css));
    expect(later.html).toBe(first.html);
    expect(origin.lookup(url)!.body).toEqual(Buffer.from([7, 7, 7, 7, 7, 7, 7, 7]));
  });
});
