import { createHash } from 'node:crypto';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifiers,
  EncapsulatedContentInfo,
  id_contentType,
  id_data,
  id_messageDigest,
  id_signedData,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from '@peculiar/asn1-cms';
import { AsnArray, AsnConvert, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, Certificate, GeneralName, GeneralNames } from '@peculiar/asn1-x509';
import { ObjectIdentifier, OctetString as Asn1OctetString } from 'asn1js';
import { SigningKey } from './signing-key';
import { EssCertIdV2, IssuerSerial, SigningCertificateV2, id_aa_signingCertificateV2 } from './signing-certificate-v2';

export const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  ecdsaWithSHA256: '1.2.840.10045.4.3.2',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

/** The signed attributes as the SET OF that is actually signed (the [0] IMPLICIT in SignerInfo re-tagged). */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class SignedAttributeSet extends AsnArray<Attribute> {}

/**
 * The DER of the signed attributes as signed: a SET OF (RFC 5652 §5.4), whereas SignerInfo holds
 * them [0] IMPLICIT. Verification re-encodes the parsed attributes the same way (DER is unique).
 */
export function signedAttributesDer(attributes: Attribute[]): Buffer {
  return Buffer.from(AsnConvert.serialize(new SignedAttributeSet(attributes)));
}

/** The DER of an ASN.1 value built with asn1js (for attribute values that are plain universal types). */
const der = (value: { toBER(): ArrayBuffer }): ArrayBuffer => value.toBER();

/**
 * The signed attributes of a PAdES baseline B-B signature over `digest` (the SHA-256 of the PDF's
 * signed byte ranges) by `certificate` (DER): content-type, message-digest and
 * signing-certificate-v2; no signing-time (the PAdES baseline forbids it: the time is the signature
 * dictionary's /M). Deterministic: the same digest and certificate give the same DER, so a token
 * can sign `signedAttributesDer(...)` now and the CMS be assembled around its signature later.
 */
export function padesSignedAttributes(digest: Buffer, certificateDer: Buffer): Attribute[] {
  if (digest.length !== 32) throw new Error(`padesCms: a SHA-256 digest has 32 bytes, not ${digest.length}`);
  const tbs = AsnConvert.parse(certificateDer, Certificate).tbsCertificate;
  const signingCertificate = new SigningCertificateV2({
    certs: [
      new EssCertIdV2({
        certHash: new OctetString(createHash('sha256').update(certificateDer).digest()),
        issuerSerial: new IssuerSerial({ issuer: new GeneralNames([new GeneralName({ directoryName: tbs.issuer })]), serialNumber: tbs.serialNumber }),
      }),
    ],
  });
  const attributes = [
    new Attribute({ attrType: id_contentType, attrValues: [der(new ObjectIdentifier({ value: id_data }))] }),
    new Attribute({ attrType: id_messageDigest, attrValues: [der(new Asn1OctetString({ valueHex: digest }))] }),
    new Attribute({ attrType: id_aa_signingCertificateV2, attrValues: [AsnConvert.serialize(signingCertificate)] }),
  ];
  // DER orders a SET OF by the encodings of its elements; the [0] IMPLICIT copy keeps that order.
  attributes.sort((a, b) => Buffer.compare(Buffer.from(AsnConvert.serialize(a)), Buffer.from(AsnConvert.serialize(b))));
  return attributes;
}

/**
 * The CMS SignedData (ETSI.CAdES.detached) around a signature already made over
 * `signedAttributesDer(attributes)`: the signer info, the certificate and its chain.
 */
export function assemblePadesCms(attributes: Attribute[], signature: Buffer, certificateDer: Buffer, chain: readonly Buffer[], algorithm: SigningKey['algorithm']): Buffer {
  const tbs = AsnConvert.parse(certificateDer, Certificate).tbsCertificate;
  const sha256 = () => new AlgorithmIdentifier({ algorithm: OID.sha256 });
  const signatureAlgorithm =
    algorithm === 'rsa-sha256' ? new AlgorithmIdentifier({ algorithm: OID.sha256WithRSAEncryption, parameters: null }) : new AlgorithmIdentifier({ algorithm: OID.ecdsaWithSHA256 });
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({ issuerAndSerialNumber: new IssuerAndSerialNumber({ issuer: tbs.issuer, serialNumber: tbs.serialNumber }) }),
    digestAlgorithm: sha256(),
    signedAttrs: attributes,
    signatureAlgorithm,
    signature: new OctetString(signature),
  });
  const certificates = new CertificateSet([certificateDer, ...chain].map((bytes) => new CertificateChoices({ certificate: AsnConvert.parse(bytes, Certificate) })));
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([sha256()]),
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates,
    signerInfos: new SignerInfos([signerInfo]),
  });
  return Buffer.from(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) })));
}

/**
 * A detached CMS SignedData for a PAdES baseline B-B signature (ETSI EN 319 142-1, SubFilter
 * ETSI.CAdES.detached) over `digest` with `key`. @signpdf's P12 signer adds a signing-time and no
 * signing-certificate-v2, hence this builder on @peculiar/asn1-cms.
 */
export async function padesCms(digest: Buffer, key: SigningKey): Promise<Buffer> {
  const attributes = padesSignedAttributes(digest, key.certificate);
  const signature = await key.sign(signedAttributesDer(attributes));
  return assemblePadesCms(attributes, signature, key.certificate, key.chain, key.algorithm);
}
