import { Body, Controller, Delete, Get, Header, HttpCode, HttpStatus, Param, Post, Put, Query, StreamableFile } from '@nestjs/common';
import { ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Actor, CurrentActor } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { DeferredSigningService } from '../documents/signing/deferred-signing.service';
import { IdPipe } from '../http/ids';
import { PersonUnitsResolver } from '../identity/person-units.resolver';
import { PersonEntity } from '../organization/person.entity';
import { Role } from '../organization/roles';
import { ValidationFailedError } from '../shared/errors';
import { SigningCredentials } from './admin/signing-credentials.service';
import { CertificateUploadDto, CredentialsQueryDto, ImageUploadDto, SealUploadDto, SignatureReturnDto } from './signing.dto';

const DOCUMENT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const documentIdOf = (value: string) => {
  if (!DOCUMENT_ID.test(value)) throw ValidationFailedError.field('documentId', 'is-uuid', 'documentId must be a document id (UUID)');
  return value;
};

/**
 * The deferred signer's routes. Each person acts on the documents waiting for their own signature
 * only (another person's is answered 404), so the policy is the signed-in person's.
 */
@ApiTags('signatures')
@Controller('api/signatures')
export class SignaturesController {
  constructor(
    private readonly deferred: DeferredSigningService,
    private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Policy('signed-in')
  @ApiOperation({ summary: 'Documents waiting for my digital signature (USB token or remote signing service)' })
  pending(@CurrentActor() actor: Actor) {
    return this.deferred.pendingFor(actor.personId);
  }

  @Get(':documentId')
  @Policy('signed-in')
  @ApiOperation({ summary: 'What to sign: the byte-range digest (for a CMS) and the DER of the signed attributes (for a raw signature)' })
  describe(@Param('documentId') documentId: string, @CurrentActor() actor: Actor) {
    return this.deferred.describe(documentIdOf(documentId), actor.personId);
  }

  @Get(':documentId/pdf')
  @Policy('signed-in')
  @Header('content-type', 'application/pdf')
  @ApiOperation({ summary: 'The prepared document, as it will be signed' })
  async pdf(@Param('documentId') documentId: string, @CurrentActor() actor: Actor) {
    return new StreamableFile(await this.deferred.preparedPdf(documentIdOf(documentId), actor.personId));
  }

  @Post(':documentId')
  @Policy('signed-in')
  @ApiOperation({ summary: 'Send the signature back (CMS SignedData, or a raw signature): checked, embedded, then the document is issued' })
  async submit(@Param('documentId') documentId: string, @Body() body: SignatureReturnDto, @CurrentActor() actor: Actor) {
    const signer = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: actor.personId });
    const document = await this.deferred.submit(documentIdOf(documentId), signer, body);
    return { documentId: document.id, state: document.state, symbol: document.symbol, sha256: document.sha256 };
  }
}

const ADMINISTRATORS = [Role.Administrator];
const ofThePerson = unitFrom.resolver(PersonUnitsResolver);

/** Administrators: signing certificates and signature / seal images of people and units. */
@ApiTags('admin')
@Controller('api/admin/signing')
export class SigningAdminController {
  constructor(private readonly credentials: SigningCredentials) {}

  @Get('credentials')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.query('unitId') })
  @ApiOperation({ summary: "The unit's and its people's certificates: subject, issuer, validity, fingerprint (never a key or a passphrase)" })
  list(@Query() query: CredentialsQueryDto) {
    return this.credentials.list(query.unitId);
  }

  @Put('people/:id/certificate')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: ofThePerson })
  @ApiOperation({ summary: "A person's PKCS#12 (server-side signing) or certificate alone (they sign with a USB token or a remote service)" })
  putPersonCertificate(@Param('id', IdPipe) id: number, @Body() body: CertificateUploadDto, @CurrentActor() actor: Actor) {
    return this.credentials.putPersonCertificate(actor, id, body);
  }

  @Put('people/:id/signature-image')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: ofThePerson })
  @ApiOperation({ summary: "A person's signature image (blue, transparent PNG)" })
  putPersonImage(@Param('id', IdPipe) id: number, @Body() body: ImageUploadDto, @CurrentActor() actor: Actor) {
    return this.credentials.putPersonImage(actor, id, body.png);
  }

  @Delete('people/:id')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: ofThePerson })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiOperation({ summary: "Remove a person's certificate and image" })
  async removePerson(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.credentials.removePerson(actor, id);
  }

  @Put('units/:unitId/certificate')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.param('unitId') })
  @ApiOperation({ summary: "A unit's PKCS#12 (the unit's signature is made on the server)" })
  putUnitCertificate(@Param('unitId', IdPipe) unitId: number, @Body() body: CertificateUploadDto, @CurrentActor() actor: Actor) {
    return this.credentials.putUnitCertificate(actor, unitId, body);
  }

  @Put('units/:unitId/seal')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.param('unitId') })
  @ApiOperation({ summary: "A unit's seal image (red, transparent PNG) and its real diameter" })
  putUnitSeal(@Param('unitId', IdPipe) unitId: number, @Body() body: SealUploadDto, @CurrentActor() actor: Actor) {
    return this.credentials.putUnitSeal(actor, unitId, body.png, body.diameterMm);
  }

  @Delete('units/:unitId')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.param('unitId') })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  @ApiOperation({ summary: "Remove a unit's certificate and seal" })
  async removeUnit(@Param('unitId', IdPipe) unitId: number, @CurrentActor() actor: Actor): Promise<void> {
    await this.credentials.removeUnit(actor, unitId);
  }
}
