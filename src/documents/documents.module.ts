import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { DocumentComposer } from './document-composer';
import { loadDocumentFont } from './fonts/document-font';
import { PdfRenderer } from './rendering/pdf-renderer';
import { PuppeteerPdfRenderer } from './rendering/puppeteer-pdf-renderer';
import { ThreadedPdfRenderer } from './rendering/threaded-pdf-renderer';
import { TemplateCatalogue } from './templates/template-catalogue';

export interface DocumentsModuleOptions {
  /** Folder of the templates; default: the project's `templates/`. */
  templatesDir?: string;
  /** A folder with Times New Roman (times.ttf, timesbd.ttf, timesi.ttf, timesbi.ttf); default: the bundled Tinos. */
  timesNewRomanDir?: string;
  /** Pages kept warm in Chromium. */
  pagePoolSize?: number;
  renderTimeoutMs?: number;
  /** false: Puppeteer on the application's thread rather than its own (threaded-pdf-renderer.ts); default: RENDERER_THREAD. */
  rendererThread?: boolean;
}

/** The project's `templates/` folder, found from this file both in src/ (tests) and in dist/src/ (CLI). */
export function defaultTemplatesDir(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'templates');
    if (existsSync(join(candidate, '_layout', 'layout.hbs'))) return candidate;
  }
  throw new Error(`No templates/ folder with _layout/layout.hbs above ${__dirname}`);
}

/** Closes Chromium when the application stops. */
@Injectable()
class RendererShutdown implements OnApplicationShutdown {
  constructor(@Inject(PdfRenderer) private readonly renderer: PdfRenderer) {}
  async onApplicationShutdown(): Promise<void> {
    await this.renderer.close();
  }
}

/**
 * Official documents: the template catalogue, the PDF renderer (Puppeteer on the configured
 * Chromium) and the composer that joins them. Needs AppConfig (ConfigModule).
 */
@Module({})
export class DocumentsModule {
  static forRoot(options: DocumentsModuleOptions = {}): DynamicModule {
    return {
      module: DocumentsModule,
      providers: [
        {
          provide: PdfRenderer,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            const rendererOptions = { executablePath: config.chromiumPath, poolSize: options.pagePoolSize, timeoutMs: options.renderTimeoutMs };
            return (options.rendererThread ?? config.rendererThread) ? new ThreadedPdfRenderer(rendererOptions) : new PuppeteerPdfRenderer(rendererOptions);
          },
        },
        {
          provide: TemplateCatalogue,
          inject: [AppConfig],
          useFactory: (config: AppConfig) =>
            new TemplateCatalogue(options.templatesDir ?? defaultTemplatesDir(), {
              zone: config.civilTimeZone,
              font: loadDocumentFont(options.timesNewRomanDir ?? config.documentFontDir),
            }),
        },
        {
          provide: DocumentComposer,
          inject: [TemplateCatalogue, PdfRenderer],
          useFactory: (catalogue: TemplateCatalogue, renderer: PdfRenderer) => new DocumentComposer(catalogue, renderer),
        },
        RendererShutdown,
      ],
      exports: [PdfRenderer, TemplateCatalogue, DocumentComposer],
    };
  }
}
