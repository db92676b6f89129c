import { join } from 'node:path';
import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { projectRoot } from '../shared/project-root';

/** The pages, scripts and styles of the web app (`web/`), served as they are: there is no build step. */
export const WEB_DIR = join(projectRoot(), 'web');
/** bpmn-js's prebuilt viewer bundle and its stylesheets, straight from the npm package. */
export const BPMN_JS_DIST = join(projectRoot(), 'node_modules', 'bpmn-js', 'dist');
const VENDOR_BPMN_JS = '/vendor/bpmn-js/';

/** `/inbox` → web/inbox.html, `/vendor/bpmn-js/…` → bpmn-js/dist/…; anything else falls through to the routes. */
export function webFiles(): (request: Request, response: Response, next: NextFunction) => void {
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
    pages(request, response, next);
  };
}

/**
 * The web app for people: static pages whose small scripts call the JSON API under /api with the
 * session cookie and the session's CSRF token (docs/web.md). Static files pass no access guard
 * and need none: they hold no data; every piece of data comes from an API route with its @Policy.
 */
@Module({})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(webFiles()).forRoutes({ path: '{*path}', method: RequestMethod.GET }, { path: '{*path}', method: RequestMethod.HEAD });
  }
}
