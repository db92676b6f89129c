import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentComposer } from '../document-composer';
import { IssueRenderer, RenderedDocument } from './issue-renderer';

/**
 * Issues documents through the renderer engineer's composer (templates/ + Chromium). The template
 * version is a hash of every file that shapes the kind's output — layout, partials and the kind's
 * own folder except its sample — so a stored document names exactly the templates it came from.
 */
export class ComposerIssueRenderer extends IssueRenderer {
  private readonly versions = new Map<string, string>();

  constructor(
    private readonly composer: DocumentComposer,
    private readonly templatesDir: string,
  ) {
    super();
  }

  async render(kind: string, data: Record<string, unknown>): Promise<RenderedDocument> {
    const composed = await this.composer.compose(kind, data);
    return { pdf: composed.pdf, pages: composed.pageCount, templateVersion: this.templateVersion(kind), signatureArea: composed.signatureArea };
  }

  templateVersion(kind: string): string {
    const cached = this.versions.get(kind);
    if (cached) return cached;
    const hash = createHash('sha256');
    for (const dir of ['_layout', '_partials', kind]) {
      const folder = join(this.templatesDir, dir);
      if (!existsSync(folder)) continue;
      for (const name of readdirSync(folder).sort()) {
        if (name === 'sample.json') continue;
        hash.update(`${dir}/${name}\0`).update(readFileSync(join(folder, name))).update('\0');
      }
    }
    const version = `sha256:${hash.digest('hex').slice(0, 16)}`;
    this.versions.set(kind, version);
    return version;
  }
}
