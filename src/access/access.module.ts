import { Module } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { IdentityModule } from '../identity/identity.module';
import { AccessGuard } from './access.guard';
import { AccessPolicy } from './access-policy.service';

/**
 * Authorization: the global AccessGuard (every route declares a @Policy; none means refused) and
 * the AccessPolicy decisions that services and page controllers use for finer checks.
 */
@Module({
  imports: [IdentityModule, DiscoveryModule],
  providers: [AccessPolicy, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [AccessPolicy],
})
export class AccessModule {}
