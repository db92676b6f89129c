import { padesCms } from '../../signing/pades-cms';
import { SigningKey } from '../../signing/signing-key';
import { addSignatureField, embedSignature, prepareSignature, SignatureFieldRequest } from './pdf-signature';

/**
 * One PAdES signature with a key at hand: field (incremental update) → ByteRange and digest →
 * CMS → embedded. A signing service that returns the CMS for a digest fits between
 * prepareSignature and embedSignature instead.
 */
export async function signPdf(pdf: Buffer, key: SigningKey, field: SignatureFieldRequest): Promise<Buffer> {
  const prepared = prepareSignature(await addSignatureField(pdf, field));
  return embedSignature(prepared, await padesCms(prepared.digest, key));
}
