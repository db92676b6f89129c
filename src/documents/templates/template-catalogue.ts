import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { DocumentFont, FONT_FACE_SLOT } from '../fonts/document-font';
import { PrintPart, WHOLE_DOCUMENT } from '../printing/print-parts';
import { registerDocumentHelpers, TemplateHelperError } from './template-helpers';

/**
 * Templates as data (jsreport style): `templates/<kind>/` holds `content.hbs`, `style.css` and
 * `sample.json`; `templates/_partials/*.hbs` are shared by every kind and `templates/_layout/`
 * holds the page skeleton and the print rules common to all. Folders starting with "_" are not kinds.
 */
export class UnknownDocumentKindError extends Error {
  readonly code = 'UNKNOWN_DOCUMENT_KIND';
  constructor(readonly kind: string, known: string[]) {
    super(`Unknown document kind "${kind}" (known: ${known.join(', ')})`);
    this.name = 'UnknownDocumentKindError';
  }
}

/** The data does not fit the template: the message names the kind and the missing or wrong field. */
export class TemplateDataError extends Error {
  readonly code = 'TEMPLATE_DATA';
  constructor(readonly kind: string, detail: string) {
    super(`Document "${kind}": ${detail}`);
    this.name = 'TemplateDataError';
  }
}

export interface RenderHtmlOptions {
  /** An unissued document: "DỰ THẢO" mark, no number, blank day and month. */
  draft?: boolean;
  /** PDF/HTML title. */
  title?: string;
  /** Which part of a document printed in parts (print-parts.ts); the whole document otherwise. */
  part?: PrintPart;
  /**
   * 'slot': the font's @font-face rules left out, FONT_FACE_SLOT in their place, for a renderer given
   * them apart (PdfRenderOptions.fontFaceCss). Default 'inline': a self-contained document.
   */
  fontFace?: 'inline' | 'slot';
}

interface CompiledKind {
  content: Handlebars.TemplateDelegate;
  source: string;
  css: string;
}

const KIND_NAME = /^[a-z][a-z0-9-]*$/;

export class TemplateCatalogue {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, CompiledKind>();
  private readonly layout: Handlebars.TemplateDelegate;
  private readonly baseCss: string;
  private readonly partialSources = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly options: { zone: string; font: DocumentFont },
  ) {
    registerDocumentHelpers(this.handlebars, options.zone);
    const partialsDir = join(root, '_partials');
    for (const file of readdirSync(partialsDir).filter((name) => name.endsWith('.hbs'))) {
      const source = readFileSync(join(partialsDir, file), 'utf8');
      this.partialSources.set(`_partials/${file}`, source);
      this.handlebars.registerPartial(basename(file, '.hbs'), source);
    }
    this.layout = this.handlebars.compile(readFileSync(join(root, '_layout', 'layout.hbs'), 'utf8'), { strict: true });
    this.baseCss = readFileSync(join(root, '_layout', 'base.css'), 'utf8');
  }

  /** The font's @font-face rules (data: URLs), which documents rendered with `fontFace: 'slot'` leave out. */
  get fontFaceCss(): string {
    return this.options.font.fontFaceCss;
  }

  /** Every document kind, i.e. every folder with a content.hbs. */
  kinds(): string[] {
    return readdirSync(this.root)
      .filter((name) => KIND_NAME.test(name) && existsSync(join(this.root, name, 'content.hbs')) && statSync(join(this.root, name)).isDirectory())
      .sort();
  }

  has(kind: string): boolean {
    return KIND_NAME.test(kind) && existsSync(join(this.root, kind, 'content.hbs'));
  }

  /** The kind's sample data (sample.json), which renders on its own. */
  sample(kind: string): Record<string, unknown> {
    this.requireKind(kind);
    return JSON.parse(readFileSync(join(this.root, kind, 'sample.json'), 'utf8')) as Record<string, unknown>;
  }

  /** The complete, self-contained HTML document (fonts and styles inlined). */
  renderHtml(kind: string, data: unknown, options: RenderHtmlOptions = {}): string {
    const template = this.compiledKind(kind);
    const draft = options.draft === true;
    const part = options.part ?? WHOLE_DOCUMENT;
    let content: string;
    try {
      content = template.content(data, { data: { draft, kind, part } });
    } catch (error) {
      const call = error instanceof TemplateHelperError && error.loc ? this.quoteCall(kind, template.source, error) : '';
      throw new TemplateDataError(kind, `${describeHandlebarsError(error)}${call}`);
    }
    return this.layout(
      {
        kind,
        draft,
        title: options.title ?? kind,
        fontFamily: this.options.font.family,
        fontFaceCss: options.fontFace === 'slot' ? FONT_FACE_SLOT : this.options.font.fontFaceCss,
        baseCss: this.baseCss,
        kindCss: template.css,
        content,
        pageOffset: part.pageOffset,
      },
      { data: { draft, kind } },
    );
  }

  /**
   * Helper parameters are not checked by strict mode: a missing field reaches the helper as
   * undefined. Quote the call (e.g. `{{figure subtree}}`) so that the message names the field.
   */
  private quoteCall(kind: string, content: string, error: TemplateHelperError): string {
    const helper = error.message.split(':')[0];
    const sources: Array<[string, string]> = [[`${kind}/content.hbs`, content], ...this.partialSources];
    for (const [file, source] of sources) {
      const line = source.split('\n')[error.loc!.line - 1] ?? '';
      const call = /^\{\{[^}]*\}\}/.exec(line.slice(error.loc!.column))?.[0];
      if (call && call.includes(helper)) return ` in ${call} (${file}, line ${error.loc!.line})`;
    }
    return '';
  }

  private requireKind(kind: string): void {
    if (!this.has(kind)) throw new UnknownDocumentKindError(kind, this.kinds());
  }

  private compiledKind(kind: string): CompiledKind {
    const cached = this.compiled.get(kind);
    if (cached) return cached;
    this.requireKind(kind);
    const dir = join(this.root, kind);
    const cssFile = join(dir, 'style.css');
    const source = readFileSync(join(dir, 'content.hbs'), 'utf8');
    const compiled: CompiledKind = {
      content: this.handlebars.compile(source, { strict: true }),
      source,
      css: existsSync(cssFile) ? readFileSync(cssFile, 'utf8') : '',
    };
    this.compiled.set(kind, compiled);
    return compiled;
  }
}

/** Handlebars says `"name" not defined in [object Object] - 3:14`; say it in the caller's terms. */
function describeHandlebarsError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /^"([^"]+)" not defined in .* - (\d+:\d+)$/s.exec(message);
  if (missing) return `the data has no field "${missing[1]}" (required by the template at ${missing[2]})`;
  return message;
}
