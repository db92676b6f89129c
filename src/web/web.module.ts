import { readdirSync } from 'node:fs';
import { join, sep } from 'node:path';
import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { AdministrationModule } from '../administration/administration.module';
import { IdentityModule } from '../identity/identity.module';
import { InboxModule } from '../inbox/inbox.module';
import { SigningModule } from '../signing/signing.module';
import { ConsolidationModule } from '../consolidation/consolidation.module';
import { ReportsModule } from '../reports/reports.module';
import { projectRoot } from '../shared/project-root';
import { PageErrorFilter } from './page-error.filter';
import { PageShells } from './page-shell';
import { AccountPage } from './pages/account.page';
import { AdminPage } from './pages/admin.page';
import { SignaturesPage } from './pages/signatures.page';
import { InboxPage } from './pages/inbox.page';
import { ReportPage, ReportPageUnitResolver } from './pages/report.page';
import { SignInPage } from './pages/sign-in.page';
import { DocumentsPage } from './pages/documents.page';
import { ProcessPage } from './pages/process.page';
import { ProgressPage } from './pages/progress.page';
import { ProgressPageUnitResolver, QueryReportUnitResolver } from './pages/page-unit-resolvers';
import { AccessModule } from '../access/access.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { PageRenderer } from './views/page-renderer';

/** The pages, scripts and styles of the web app (`web/`), served as they are: there is no build step. */
export const WEB_DIR = join(projectRoot(), 'web');
/** bpmn-js's prebuilt viewer bundle and its stylesheets, straight from the npm package. */
export const BPMN_JS_DIST = join(projectRoot(), 'node_modules', 'bpmn-js', 'dist');
const VENDOR_BPMN_JS = '/vendor/bpmn-js/';

/**
 * Stylesheet and scripts from web/ (`/report` → web/report.html for a page not yet rendered on the
 * server), `/vendor/bpmn-js/…` → bpmn-js/dist/…; anything else falls through to the routes. Which
 * files web/ holds is read once: a page rendered on the server is not looked for on disk first (two
 * stat calls on libuv's thread pool per page). A file added to web/ is served after a restart.
 */
export function webFiles(): (request: Request, response: Response, next: NextFunction) => void {
  const files = new Set(readdirSync(WEB_DIR, { recursive: true, encoding: 'utf8' }).map((file) => `/${file.split(sep).join('/')}`));
  const inWeb = (path: string) => files.has(path) || files.has(`${path}.html`) || files.has(`${path.replace(/\/?$/, '/')}index.html`);
  const pages = express.static(WEB_DIR, { extensions: ['html'], index: 'index.html', dotfiles: 'ignore', maxAge: 0 });
  const bpmnJs = express.static(BPMN_JS_DIST, { index: false, dotfiles: 'ignore', maxAge: '1d' });
  return (request, response, next) => {
    if (request.path.startsWith('/api/')) return next();
    if (request.path.startsWith(VENDOR_BPMN_JS)) {
      const original = request.url;
      request.url = request.url.slice(VENDOR_BPMN_JS.length - 1);
      return bpmnJs(request, response, (error?: unknown) => {
        request.url = original;
        next(error);
      });
    }
    if (!inWeb(request.path)) return next();
    pages(request, response, next);
  };
}

/**
 * The web app for people (docs/web.md): pages rendered on the server from Handlebars views
 * (`templates/web/`) by page controllers (`src/web/pages/`), each route with its @Policy like any
 * API route, every action a plain HTML form (CSRF token in `_csrf`) answered by a redirect, so
 * everything works without JavaScript; small scripts under `web/js/` only enhance. Static files
 * (stylesheet, scripts, bpmn-js) pass no access guard and need none: they hold no data.
 */
@Module({
  imports: [IdentityModule, InboxModule, ReportsModule, ConsolidationModule, AccessModule, DeadlinesModule, AdministrationModule, SigningModule],
  controllers: [SignInPage, InboxPage, AccountPage, ReportPage, ProgressPage, DocumentsPage, ProcessPage, AdminPage, SignaturesPage],
  providers: [PageRenderer, PageShells, PageErrorFilter, ReportPageUnitResolver, ProgressPageUnitResolver, QueryReportUnitResolver],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(webFiles()).forRoutes({ path: '{*path}', method: RequestMethod.GET }, { path: '{*path}', method: RequestMethod.HEAD });
  }
}
