import { SignatureArea } from '../signing/signature-area';

/** A rendered official document and the template version it came from. */
export interface RenderedDocument {
  pdf: Buffer;
  pages: number;
  templateVersion: string;
  /** Where the signer block leaves room for the signature and the seal (absent: the kind has no signer block). */
  signatureArea?: SignatureArea;
}

/**
 * What the issue pipeline needs from rendering (also the Nest DI token): kind + data → PDF. The
 * production binding is ComposerIssueRenderer (templates + Chromium); the pipeline retries it.
 */
export abstract class IssueRenderer {
  abstract render(kind: string, data: Record<string, unknown>): Promise<RenderedDocument>;
}

/** What signing needs to know of the document besides its bytes. */
export interface SigningRequest {
  documentId: string;
  /** The issuing unit: its signature and seal follow the person's. */
  unitId: number;
  /** The person who signs (the competent person of the signer block). */
  signerPersonId: number | null;
  signerName: string;
  /** From the rendering: where the images go. */
  signatureArea: SignatureArea | undefined;
}

/**
 * Signing: the final bytes from the rendered ones (PadesDocumentSigner: the person's and the
 * unit's PAdES signatures). When none is configured (DOCUMENT_SIGNING=unsigned) the rendered
 * file is the final file. Must be safe to call again for the same document.
 */
export abstract class DocumentSigner {
  abstract sign(request: SigningRequest, pdf: Buffer): Promise<Buffer>;
}
