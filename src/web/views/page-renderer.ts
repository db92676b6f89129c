import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import type { Response } from 'express';
import { projectRoot } from '../../shared/project-root';
import { formatCivilDate, formatDate, formatDateTime, formatNumber, REPORT_STATUS_LABELS, ROLE_LABELS } from './view-formats';

/** The pages' Handlebars views: `templates/web/<name>.hbs`, inside `layout.hbs`, with `partials/*.hbs`. */
export const VIEWS_DIR = join(projectRoot(), 'templates', 'web');

/** One entry of the site's navigation. */
export interface NavLink {
  href: string;
  label: string;
  current: boolean;
}

/** What every page's layout needs besides the page's own model. */
export interface PageShell {
  title: string;
  /** The signed-in person (header, navigation, sign-out form); absent on the login and error pages. */
  person?: { fullName: string; roles: string; nav: NavLink[] };
  /** The session's CSRF token, written into every form that changes something (`_csrf`). */
  csrfToken?: string;
  /** Shown in the page's live region: the outcome of the last action, or what went wrong. */
  messages?: { kind: 'ok' | 'error' | 'info'; text: string }[];
  /** The page's progressive-enhancement module under /js/, if any; the page works without it. */
  script?: string;
  /** The `<body>` class: a narrow page such as the login form. */
  bodyClass?: string;
}

/**
 * Renders the pages. Views are compiled once per process (a few ms at start-up), then each page is
 * a function call: the server time of a page is that of its queries. Handlebars escapes every
 * `{{value}}`: text from the database is never markup.
 */
@Injectable()
export class PageRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly views = new Map<string, Handlebars.TemplateDelegate>();
  private readonly layout: Handlebars.TemplateDelegate;
  private readonly fragments = new Map<string, Handlebars.TemplateDelegate>();

  constructor() {
    registerViewHelpers(this.handlebars);
    const partials = join(VIEWS_DIR, 'partials');
    for (const file of readdirSync(partials).filter((f) => f.endsWith('.hbs'))) {
      const source = readFileSync(join(partials, file), 'utf8');
      this.handlebars.registerPartial(basename(file, '.hbs'), source);
      this.fragments.set(basename(file, '.hbs'), this.handlebars.compile(source, { strict: false }));
    }
    for (const file of readdirSync(VIEWS_DIR).filter((f) => f.endsWith('.hbs'))) {
      this.views.set(basename(file, '.hbs'), this.handlebars.compile(readFileSync(join(VIEWS_DIR, file), 'utf8'), { strict: false }));
    }
    const layout = this.views.get('layout');
    if (!layout) throw new Error(`${VIEWS_DIR}/layout.hbs is missing`);
    this.layout = layout;
  }

  /** The page as HTML. */
  html(view: string, shell: PageShell, model: object = {}): string {
    const { text, encoded } = this.render(view, shell, model);
    return encoded.length === 0 ? text : Buffer.concat(chunksOf(text, encoded)).toString('utf8');
  }

  /**
   * One partial rendered on its own, for a page that keeps part of itself between requests and passes
   * it back as EncodedHtml; `model` is the partial's `@root`.
   */
  fragment(partial: string, model: object): string {
    const template = this.fragments.get(partial);
    if (!template) throw new Error(`no partial ${partial}.hbs in ${VIEWS_DIR}/partials`);
    return template(model);
  }

  /** Sends the page; `status` 422 re-shows a form with its errors, 403/404 an error page. */
  send(response: Response, view: string, shell: PageShell, model: object = {}, status = 200): void {
    // Written as it is, not through res.send: that would hash every page for an ETag that a page not
    // to be stored never uses (~0.3 ms for the dashboard's 190 KB).
    const { text, encoded } = this.render(view, shell, model);
    const chunks = encoded.length === 0 ? [Buffer.from(text, 'utf8')] : chunksOf(text, encoded);
    response.status(status).setHeader('Content-Type', 'text/html; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Content-Length', chunks.reduce((length, chunk) => length + chunk.length, 0));
    // The pieces as they are, in one writev: joining them first copied the dashboard's 190 KB again (6 % of its time).
    response.cork();
    for (let i = 0; i < chunks.length - 1; i++) response.write(chunks[i]);
    response.end(chunks[chunks.length - 1]);
  }

  /** The page's text, with a slot in place of each EncodedHtml of the model (`encoded`, by number). */
  private render(view: string, shell: PageShell, model: object): { text: string; encoded: (readonly Buffer[])[] } {
    const template = this.views.get(view);
    if (!template) throw new Error(`no view ${view}.hbs in ${VIEWS_DIR}`);
    const encoded: (readonly Buffer[])[] = [];
    const context: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(model)) {
      context[name] = value instanceof EncodedHtml ? `${SLOT}${encoded.push(value.chunks) - 1}${SLOT}` : value;
    }
    context.shell = shell;
    return { text: this.layout({ shell, body: template(context) }), encoded };
  }
}

/** The page as UTF-8 chunks: split() gives the text between slots at even places, a slot's number at odd ones. */
function chunksOf(text: string, encoded: (readonly Buffer[])[]): Buffer[] {
  return text.split(SLOT).flatMap((part, i) => (i % 2 === 0 ? [Buffer.from(part, 'utf8')] : encoded[Number(part)]));
}

/**
 * Markup already encoded as UTF-8, for a page that keeps part of itself between requests: a model
 * value of this kind goes into the page as it is, as `{{{value}}}` would put text, without being
 * encoded again (the dashboard's 200 rows of Vietnamese text took longer to encode per request than
 * the rest of the page to render).
 */
export class EncodedHtml {
  constructor(readonly chunks: readonly Buffer[]) {}
}

/** Marks an EncodedHtml's place in the rendered text: random, so no text from the database can contain it. */
const SLOT = `<!--encoded-html-${randomBytes(12).toString('hex')}-->`;

function registerViewHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('number', (value: unknown) => formatNumber(value));
  hb.registerHelper('date', (value: Date | string | null) => formatDate(value));
  hb.registerHelper('dateTime', (value: Date | string | null) => formatDateTime(value));
  hb.registerHelper('civilDate', (value: string | null) => formatCivilDate(value));
  hb.registerHelper('reportStatus', (value: string) => REPORT_STATUS_LABELS[value] ?? value);
  hb.registerHelper('role', (value: string) => ROLE_LABELS[value] ?? value);
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('not', (a: unknown) => !a);
  hb.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hb.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  /** `{{encode key}}`: a value inside a URL path or query. */
  hb.registerHelper('encode', (value: unknown) => encodeURIComponent(String(value ?? '')));
}
