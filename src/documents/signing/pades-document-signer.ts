import { DateTime } from 'luxon';
import { PDFDocument } from 'pdf-lib';
import { DataSource } from 'typeorm';
import { PersonEntity } from '../../organization/person.entity';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { VIETNAM_TIME_ZONE } from '../../shared/civil-date';
import { SigningKeyError } from '../../signing/signing-key';
import { SigningKeystore, UnitSigning, pngSize } from '../../signing/signing-keystore';
import { KeystoreMaterials, SigningMaterials } from '../../signing/signing-materials';
import { DeferredSignature, DocumentSigner, SigningRequest } from '../issuing/issue-renderer';
import { AppearanceFonts, sealAppearance, signatureImageAppearance, signerBlockLayout } from './signature-appearance';
import { signPdf } from './sign-pdf';
import { addSignatureField, prepareSignature } from './pdf-signature';
import { SignatureArea } from './signature-area';

/** Field names of the two signatures, in the order they are made. */
export const PERSON_SIGNATURE_FIELD = 'Signature-person';
export const UNIT_SIGNATURE_FIELD = 'Signature-unit';

/** The unit's signing time as Appendix I prints it: ISO 8601 with the Vietnam offset, to the second. */
export function signingTimeText(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toISO({ suppressMilliseconds: true, includeOffset: true })!;
}

/**
 * The sign step of the issue pipeline with the server-side keystore: the competent person's PAdES
 * signature with the signature image, then the issuing unit's with the seal and the unit's
 * signature information, each an incremental update (the first stays valid). Anything missing —
 * certificate, image, the template's signature area — stops the document with a message that says
 * what an administrator must add; nothing is issued unsigned.
 */
export class PadesDocumentSigner extends DocumentSigner {
  private readonly materials: SigningMaterials;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    materials: SigningMaterials | SigningKeystore,
    private readonly fonts: AppearanceFonts,
    private readonly zone: string = VIETNAM_TIME_ZONE,
  ) {
    super();
    this.materials = materials instanceof SigningKeystore ? new KeystoreMaterials(materials) : materials;
  }

  /**
   * The person's signature then the unit's; for a person who signs elsewhere, the file with the
   * person's field prepared instead (the unit's certificate is checked first all the same, so a
   * digest never goes out for a document that could not be finished).
   */
  async sign(request: SigningRequest, pdf: Buffer): Promise<Buffer | DeferredSignature> {
    const { area, person, unit } = await this.parties(request);
    const personSigning = await this.materials.person(person.login, person.fullName);
    const unitSigning = await this.materials.unit(unitKey(unit), unit.officialName);
    const layout = signerBlockLayout(area.rect, pngSize(personSigning.signatureImage), unitSigning.sealDiameterMm);
    const field = {
      fieldName: PERSON_SIGNATURE_FIELD,
      pageIndex: area.pageIndex,
      rect: layout.signature,
      signerName: person.fullName,
      reason: `${request.signerName} ký ban hành`,
      location: unit.placeName,
      signingTime: this.clock.now(),
      appearance: (document: PDFDocument, width: number, height: number) => signatureImageAppearance(document, personSigning.signatureImage, width, height),
    };
    if (personSigning.mode === 'deferred') {
      return { deferred: true, prepared: prepareSignature(await addSignatureField(pdf, field)), certificate: personSigning.certificate };
    }
    return this.completeSigning(request, await signPdf(pdf, personSigning.key, field));
  }

  /** The unit's signature with the seal and the unit's signature information, over the person-signed file. */
  override async completeSigning(request: SigningRequest, byPerson: Buffer): Promise<Buffer> {
    const { area, person, unit } = await this.parties(request);
    const unitSigning: UnitSigning = await this.materials.unit(unitKey(unit), unit.officialName);
    const personSigning = await this.materials.person(person.login, person.fullName);
    const layout = signerBlockLayout(area.rect, pngSize(personSigning.signatureImage), unitSigning.sealDiameterMm);
    const unitTime = this.clock.now();
    const [x1, y1, x2, y2] = area.rect;
    const rect: [number, number, number, number] = [Math.min(x1, layout.seal[0]), Math.min(y1, layout.seal[1]), Math.max(x2, layout.seal[2]), Math.max(y2, layout.seal[3])];
    return signPdf(byPerson, unitSigning.key, {
      fieldName: UNIT_SIGNATURE_FIELD,
      pageIndex: area.pageIndex,
      rect,
      signerName: unit.officialName,
      reason: 'Phát hành văn bản',
      location: unit.placeName,
      signingTime: unitTime,
      appearance: (document) => sealAppearance(document, this.fonts, rect, layout, unitSigning.seal, [unit.officialName, signingTimeText(unitTime, this.zone)]),
    });
  }

  private async parties(request: SigningRequest): Promise<{ area: SignatureArea; person: PersonEntity; unit: UnitEntity }> {
    const area = request.signatureArea;
    if (!area) throw new SigningKeyError(`Document ${request.documentId}: the rendered document has no signature area (templates/_partials/signer.hbs marks it); it cannot be signed`);
    if (request.signerPersonId === null) throw new SigningKeyError(`Document ${request.documentId}: no signer person is recorded, so no one's certificate can sign it`);
    const person = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: request.signerPersonId });
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: request.unitId });
    return { area, person, unit };
  }
}

const unitKey = (unit: UnitEntity) => `${unit.code}@${unit.dataSetId}`;
