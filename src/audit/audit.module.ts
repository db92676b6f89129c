import { Module } from '@nestjs/common';
import { AuditHasher } from './audit-chain';
import { AuditController } from './audit.controller';
import { AuditTrail } from './audit-trail.service';

/** The hash-chained audit trail: every state change is recorded through AuditTrail.record. */
@Module({
  providers: [AuditTrail, AuditHasher],
  controllers: [AuditController],
  exports: [AuditTrail],
})
export class AuditModule {}
