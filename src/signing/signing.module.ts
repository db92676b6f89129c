import { Module } from '@nestjs/common';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { PersonUnitsResolver } from '../identity/person-units.resolver';
import { SigningCredentials } from './admin/signing-credentials.service';
import { SigningAdminController, SignaturesController } from './signing.controller';

/**
 * The HTTP side of signing: the deferred signer's routes (the digest out, the CMS back) and the
 * administration of certificates and images. The pipeline's signer itself lives in IssuingModule.
 */
@Module({
  imports: [AccessModule, AuditModule],
  controllers: [SignaturesController, SigningAdminController],
  providers: [SigningCredentials, PersonUnitsResolver],
  exports: [SigningCredentials],
})
export class SigningModule {}
