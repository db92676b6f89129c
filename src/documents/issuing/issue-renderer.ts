/** A rendered official document and the template version it came from. */
export interface RenderedDocument {
  pdf: Buffer;
  pages: number;
  templateVersion: string;
}

/**
 * What the issue pipeline needs from rendering (also the Nest DI token): kind + data → PDF. The
 * production binding is ComposerIssueRenderer (templates + Chromium); the pipeline retries it.
 */
export abstract class IssueRenderer {
  abstract render(kind: string, data: Record<string, unknown>): Promise<RenderedDocument>;
}

/**
 * Signing (its own issue): the final bytes from the rendered ones. Optional; when none is
 * configured the rendered file is the final file. Must be safe to call again for the same document.
 */
export abstract class DocumentSigner {
  abstract sign(documentId: string, pdf: Buffer): Promise<Buffer>;
}
