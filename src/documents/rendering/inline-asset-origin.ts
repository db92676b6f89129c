import { createHash } from 'node:crypto';

/**
 * Lets warm pages keep their decoded fonts between renders.
 *
 * Every document arrives self-contained: its fonts are data: URLs in its stylesheet (~578 KB for
 * Tinos). Chromium does not keep a decoded data: URL font from one document to the next, so each
 * render re-parsed and re-decoded them — most of a 2-page render's cost. Before a render, the
 * renderer moves each inlined asset of the document's `<style>` elements to a URL of this in-memory
 * origin named by the asset's SHA-256, and answers those requests itself from request interception.
 * Chromium keeps a font loaded from a URL decoded in the page's renderer: the next document asking
 * for the same bytes (the same URL) gets it without a request, decoded once per page instead of once
 * per render (BENCHMARKS.md, Renderer). Same bytes, same fonts in the PDF; nothing leaves the
 * machine (the host is in the reserved `.invalid` domain and never reaches the network).
 *
 * Only `<style>` element content is rewritten: user text in the body is never touched (it is escaped
 * anyway, but a paragraph may well read "url(data:…)").
 */
export const INLINE_ASSET_ORIGIN = 'https://inline-assets.invalid';

interface Asset {
  mime: string;
  body: Buffer;
  /** Renders in flight that reference it: never evicted while one may still request it. */
  inUse: number;
}

/** Released when the render ends; assets no render uses may then be evicted. */
export interface AssetLease {
  html: string;
  release(): void;
}

const STYLE_ELEMENT = /(<style\b[^>]*>)([\s\S]*?)(<\/style)/gi;
const DATA_URL = /url\(\s*(["']?)data:([a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*);base64,([A-Za-z0-9+/]+={0,2})\1\s*\)/gi;
const ASSET_URL = new RegExp(`^${INLINE_ASSET_ORIGIN.replace(/\./g, '\\.')}/([0-9a-f]{64})$`);

/** Stylesheets kept as rewritten (each key is the stylesheet itself, ~578 KB with the fonts). */
const STYLES_KEPT = 8;

export class InlineAssetOrigin {
  private readonly assets = new Map<string, Asset>();
  private readonly rewrittenStyles = new Map<string, { css: string; ids: string[] }>();
  private bytes = 0;

  /** @param maxBytes memory kept for assets no render is using (oldest dropped first). */
  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /** The document with its stylesheet's data: URLs replaced by URLs of this origin. */
  externalize(html: string): AssetLease {
    const used: Asset[] = [];
    const rewritten = html.replace(STYLE_ELEMENT, (_, open: string, css: string, close: string) => `${open}${this.rewriteStyle(css, used)}${close}`);
    this.evict();
    let released = false;
    return {
      html: rewritten,
      release: () => {
        if (released) return;
        released = true;
        for (const asset of used) asset.inUse--;
        this.evict();
      },
    };
  }

  /**
   * One stylesheet with its data: URLs moved here. Documents carry the same font stylesheet render
   * after render, so a stylesheet seen lately is answered from memory: a lookup by the string instead
   * of scanning, hashing and rewriting ~578 KB each time (measured: ~7 ms of the event loop a render).
   */
  private rewriteStyle(css: string, used: Asset[]): string {
    if (!css.includes('data:')) return css;
    const known = this.rewrittenStyles.get(css);
    if (known && known.ids.every((id) => this.assets.has(id))) {
      this.rewrittenStyles.delete(css); // re-inserted: most recently used last
      this.rewrittenStyles.set(css, known);
      for (const id of known.ids) this.use(id, this.assets.get(id)!, used);
      return known.css;
    }
    const ids: string[] = [];
    const rewritten = css.replace(DATA_URL, (_match, _quote, mime: string, base64: string) => {
      const id = createHash('sha256').update(base64).digest('hex');
      let asset = this.assets.get(id);
      if (!asset) {
        asset = { mime: mime.toLowerCase(), body: Buffer.from(base64, 'base64'), inUse: 0 };
        this.bytes += asset.body.length;
      }
      this.use(id, asset, used);
      ids.push(id);
      return `url(${INLINE_ASSET_ORIGIN}/${id})`;
    });
    this.rewrittenStyles.set(css, { css: rewritten, ids });
    for (const oldest of this.rewrittenStyles.keys()) {
      if (this.rewrittenStyles.size <= STYLES_KEPT) break;
      this.rewrittenStyles.delete(oldest);
    }
    return rewritten;
  }

  /** Marks an asset as used by the render being prepared, and as the most recently used. */
  private use(id: string, asset: Asset, used: Asset[]): void {
    this.assets.delete(id);
    this.assets.set(id, asset);
    asset.inUse++;
    used.push(asset);
  }

  /** The asset a request of a page asks for, or undefined when the URL is not one of this origin's. */
  lookup(url: string): { mime: string; body: Buffer } | undefined {
    const id = ASSET_URL.exec(url)?.[1];
    return id ? this.assets.get(id) : undefined;
  }

  /** Bytes held, for tests. */
  get size(): { assets: number; bytes: number } {
    return { assets: this.assets.size, bytes: this.bytes };
  }

  private evict(): void {
    for (const [id, asset] of this.assets) {
      if (this.bytes <= this.maxBytes) return;
      if (asset.inUse > 0) continue;
      this.assets.delete(id);
      this.bytes -= asset.body.length;
    }
  }
}
