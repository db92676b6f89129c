import { AsnProp, AsnPropTypes, AsnIntegerArrayBufferConverter, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, GeneralNames } from '@peculiar/asn1-x509';

/**
 * The ESS signing-certificate-v2 attribute (RFC 5035), which the PAdES baseline requires among the
 * signed attributes: it binds the signature to the signer's certificate by hash, so that another
 * certificate with the same key cannot be substituted. Neither @peculiar/asn1-cms nor @signpdf
 * defines it; the schema below is declared with @peculiar/asn1-schema, which does the encoding.
 */
export const id_aa_signingCertificateV2 = '1.2.840.113549.1.9.16.2.47';

/** IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber } */
export class IssuerSerial {
  @AsnProp({ type: GeneralNames })
  issuer = new GeneralNames();

  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })
  serialNumber = new ArrayBuffer(0);

  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}

/**
 * ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT sha256, certHash OCTET STRING,
 * issuerSerial IssuerSerial OPTIONAL }. The DER of a DEFAULT value is its absence: SHA-256 leaves
 * hashAlgorithm unset.
 */
export class EssCertIdV2 {
  @AsnProp({ type: AlgorithmIdentifier, optional: true })
  hashAlgorithm?: AlgorithmIdentifier;

  @AsnProp({ type: OctetString })
  certHash = new OctetString();

  @AsnProp({ type: IssuerSerial, optional: true })
  issuerSerial?: IssuerSerial;

  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL } */
export class SigningCertificateV2 {
  @AsnProp({ type: EssCertIdV2, repeated: 'sequence' })
  certs: EssCertIdV2[] = [];

  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}
