import { X509Certificate } from 'node:crypto';
import { verifyDetachedCms } from '../../signing/cms-verification';
import { VIETNAM_TIME_ZONE } from '../../shared/civil-date';
import { readSignatures } from './pdf-signature';
import { signingTimeText } from './pades-document-signer';

/** One signature of a PDF, checked. */
export interface SignatureCheck {
  fieldName: string;
  signer: string;
  /** /M, ISO 8601 in the civil zone. */
  time: string | undefined;
  subFilter: string | undefined;
  valid: boolean;
  trusted: boolean | undefined;
  /** How much of the file the signature covers: the whole, or a revision later ones were appended to. */
  coverage: string;
  problems: string[];
}

/** Reads the PEM certificates of a trust-anchor file. */
export function parseTrustAnchors(pem: string): X509Certificate[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]));
}

/** Every signature of `pdf`, verified (trust only when anchors are given). */
export async function checkPdfSignatures(pdf: Buffer, trustAnchors: X509Certificate[] | undefined, zone = VIETNAM_TIME_ZONE): Promise<SignatureCheck[]> {
  const signatures = await readSignatures(pdf);
  return signatures.map((signature) => {
    const verification = verifyDetachedCms(signature.cms, signature.signedBytes, trustAnchors, signature.signingTime ?? new Date());
    const problems = [...verification.problems];
    if (signature.subFilter !== 'ETSI.CAdES.detached') problems.push(`SubFilter is ${signature.subFilter ?? 'missing'}, not ETSI.CAdES.detached (PAdES)`);
    const [, , c, d] = signature.byteRange;
    const coverage = signature.coversWholeFile ? 'the whole file' : `bytes 0–${c + d} of ${pdf.length} (later revisions appended)`;
    const valid = verification.digestMatches && verification.signatureValid && verification.signingCertificateBound;
    return {
      fieldName: signature.fieldName,
      signer: verification.signer,
      time: signature.signingTime ? signingTimeText(signature.signingTime, zone) : undefined,
      subFilter: signature.subFilter,
      valid,
      trusted: verification.trusted,
      coverage,
      problems,
    };
  });
}
