import { readFileSync, writeFileSync } from 'node:fs';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliError } from '../cli/fatal';
import { ConfigModule } from '../config/config.module';
import { DocumentComposer } from './document-composer';
import { DocumentsModule } from './documents.module';
import { RendererUnavailableError, RenderTimeoutError } from './rendering/pdf-renderer';
import { SignerBlockError } from './templates/signer';
import { TemplateCatalogue, TemplateDataError, UnknownDocumentKindError } from './templates/template-catalogue';
import { TemplateHelperError } from './templates/template-helpers';

interface RenderOptions {
  data?: string;
  out: string;
  draft?: boolean;
  fontDir?: string;
}

/** `iso-cycle render <kind> --data <file.json> --out <file.pdf>`: one official document as PDF. */
@Command({
  name: 'render',
  arguments: '<kind>',
  description: 'Render an official document (a folder under templates/) from JSON data to PDF',
})
export class RenderCommand extends CommandRunner {
  async run([kind]: string[], options: RenderOptions): Promise<void> {
    if (!options.out) throw new CliError('render: --out <file.pdf> is required');
    @Module({ imports: [ConfigModule.forRoot(), DocumentsModule.forRoot({ timesNewRomanDir: options.fontDir })] })
    class RenderContextModule {}
    const app = await NestFactory.createApplicationContext(RenderContextModule, { logger: ['error', 'warn'] });
    app.enableShutdownHooks();
    try {
      const catalogue = app.get(TemplateCatalogue);
      if (!catalogue.has(kind)) throw new UnknownDocumentKindError(kind, catalogue.kinds());
      const data = options.data ? readJson(options.data) : catalogue.sample(kind);
      const document = await app.get(DocumentComposer).compose(kind, data, { draft: options.draft });
      writeFileSync(options.out, document.pdf);
      process.stdout.write(`${options.out}: ${kind}, ${document.pageCount} page(s), ${document.metadata.title}\n`);
    } catch (error) {
      if (
        error instanceof UnknownDocumentKindError ||
        error instanceof TemplateDataError ||
        error instanceof TemplateHelperError ||
        error instanceof SignerBlockError ||
        error instanceof RendererUnavailableError ||
        error instanceof RenderTimeoutError
      ) {
        throw new CliError(error.message);
      }
      throw error;
    } finally {
      await app.close();
    }
  }

  @Option({ flags: '--data <file.json>', description: "the document's data (default: the kind's sample.json)" })
  parseData(value: string): string {
    return value;
  }

  @Option({ flags: '--out <file.pdf>', description: 'where to write the PDF', required: true })
  parseOut(value: string): string {
    return value;
  }

  @Option({ flags: '--draft', description: 'a draft preview: "DỰ THẢO" mark, no number' })
  parseDraft(): boolean {
    return true;
  }

  @Option({ flags: '--font-dir <folder>', description: 'use Times New Roman from this folder (times.ttf, timesbd.ttf, timesi.ttf, timesbi.ttf) instead of Tinos' })
  parseFontDir(value: string): string {
    return value;
  }
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`render: cannot read --data ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`render: ${path} is not JSON: ${(error as Error).message}`);
  }
}
