import { createHash, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { ContentInfo, id_messageDigest, SignedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { OID, signedAttributesDer } from './pades-cms';
import { SigningCertificateV2, id_aa_signingCertificateV2 } from './signing-certificate-v2';

/** What one detached CMS signature proves about the bytes it covers. */
export interface CmsVerification {
  /** The signer certificate's subject (CN when it has one). */
  signer: string;
  certificate: X509Certificate | undefined;
  /** The message-digest attribute is the SHA-256 of the signed bytes. */
  digestMatches: boolean;
  /** The signature over the signed attributes verifies with the certificate's key. */
  signatureValid: boolean;
  /** The signing-certificate-v2 attribute is there and names this certificate (PAdES baseline). */
  signingCertificateBound: boolean;
  /** The chain reaches one of the trust anchors, each certificate valid at `at`; undefined when no anchor was given. */
  trusted: boolean | undefined;
  /** Every problem found, in words. Empty when the signature is valid (and trusted, if anchors were given). */
  problems: string[];
}

const commonName = (certificate: X509Certificate) => /(?:^|\n)CN=([^\n]+)/.exec(certificate.subject)?.[1] ?? certificate.subject.replace(/\n/g, ', ');

/**
 * Verifies a PAdES (ETSI.CAdES.detached) CMS over `signedBytes`: digest, signature, the
 * signing-certificate-v2 binding and, given trust anchors, the certificate chain at time `at`.
 * Revocation (OCSP/CRL) is not checked.
 */
export function verifyDetachedCms(cms: Buffer, signedBytes: Buffer, trustAnchors: readonly X509Certificate[] | undefined, at: Date): CmsVerification {
  const problems: string[] = [];
  let signedData: SignedData;
  try {
    signedData = AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
  } catch (error) {
    return { signer: '(unreadable)', certificate: undefined, digestMatches: false, signatureValid: false, signingCertificateBound: false, trusted: false, problems: [`the signature is not a CMS SignedData (${(error as Error).message})`] };
  }
  const certificates = (signedData.certificates ?? []).filter((c) => c.certificate).map((c) => new X509Certificate(Buffer.from(AsnConvert.serialize(c.certificate!))));
  const signerInfo = signedData.signerInfos[0];
  const sid = signerInfo?.sid.issuerAndSerialNumber;
  const serialHex = sid ? Buffer.from(sid.serialNumber).toString('hex').replace(/^0+/, '').toUpperCase() : '';
  const certificate = certificates.find((c) => c.serialNumber.replace(/^0+/, '').toUpperCase() === serialHex) ?? (sid ? undefined : certificates[0]);
  if (!signerInfo || !certificate) {
    return { signer: '(unknown)', certificate, digestMatches: false, signatureValid: false, signingCertificateBound: false, trusted: false, problems: ['the signature names no certificate that it carries'] };
  }
  const attribute = (type: string) => signerInfo.signedAttrs?.find((a) => a.attrType === type)?.attrValues[0];

  const digestValue = attribute(id_messageDigest);
  const digest = digestValue ? Buffer.from(AsnConvert.parse(digestValue, OctetString).buffer) : undefined;
  const digestMatches = digest !== undefined && digest.equals(createHash('sha256').update(signedBytes).digest());
  if (!digestMatches) problems.push('the document changed after signing (the signed bytes do not hash to the signed digest)');

  let signatureValid = false;
  if (signerInfo.signedAttrs) {
    try {
      signatureValid = cryptoVerify('sha256', signedAttributesDer(signerInfo.signedAttrs), certificate.publicKey, Buffer.from(signerInfo.signature.buffer));
    } catch {
      signatureValid = false;
    }
  }
  if (!signatureValid) problems.push('the signature does not verify with the signer certificate');
  if (attribute(OID.signingTime)) problems.push('a CMS signing-time attribute is present (PAdES baseline puts the time in /M only)');

  const bindingValue = attribute(id_aa_signingCertificateV2);
  const binding = bindingValue ? AsnConvert.parse(bindingValue, SigningCertificateV2) : undefined;
  const signingCertificateBound = binding !== undefined && Buffer.from(binding.certs[0]?.certHash.buffer ?? new ArrayBuffer(0)).equals(createHash('sha256').update(certificate.raw).digest());
  if (!signingCertificateBound) problems.push('no signing-certificate-v2 attribute names the signer certificate');

  let trusted: boolean | undefined;
  if (trustAnchors) {
    trusted = false;
    let current = certificate;
    for (let depth = 0; depth < 8; depth++) {
      if (!(new Date(current.validFrom) <= at && at <= new Date(current.validTo))) {
        problems.push(`certificate "${commonName(current)}" was not valid at the signing time`);
        break;
      }
      const anchor = trustAnchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
      if (anchor) {
        trusted = new Date(anchor.validFrom) <= at && at <= new Date(anchor.validTo);
        if (!trusted) problems.push(`the trust anchor "${commonName(anchor)}" was not valid at the signing time`);
        break;
      }
      const issuer = certificates.find((c) => c !== current && current.checkIssued(c) && current.verify(c.publicKey));
      if (!issuer) {
        problems.push(`the certificate of "${commonName(certificate)}" does not chain to a trusted authority`);
        break;
      }
      current = issuer;
    }
  }
  return { signer: commonName(certificate), certificate, digestMatches, signatureValid, signingCertificateBound, trusted, problems };
}
