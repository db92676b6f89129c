import { PreparedSignature } from '../signing/pdf-signature';
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
 * The person signs elsewhere (USB token, remote signing service): the file with their signature
 * field prepared (ByteRange set, /Contents empty), and the certificate the CMS must be made with.
 * The pipeline keeps it and the document waits until the CMS comes back.
 */
export interface DeferredSignature {
  deferred: true;
  prepared: PreparedSignature;
  /** DER of the certificate registered for the person. */
  certificate: Buffer;
}

export const isDeferred = (outcome: Buffer | DeferredSignature): outcome is DeferredSignature => !Buffer.isBuffer(outcome);

/**
 * Signing: the final bytes from the rendered ones (PadesDocumentSigner: the person's and the
 * unit's PAdES signatures), or, for a person who signs elsewhere, the prepared file to wait with.
 * When none is configured (DOCUMENT_SIGNING=unsigned) the rendered file is the final file. Must be
 * safe to call again for the same document.
 */
export abstract class DocumentSigner {
  abstract sign(request: SigningRequest, pdf: Buffer): Promise<Buffer | DeferredSignature>;

  /** The person's signature came back and is embedded: what follows it (the unit's signature). */
  async completeSigning(request: SigningRequest, _signedByPerson: Buffer): Promise<Buffer> {
    throw new Error(`Document ${request.documentId}: this signer does not defer signatures`);
  }
}
