import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuthController, PeopleAdminController } from './auth.controller';
import { AuthService } from './auth.service';
import { Argon2idPasswordHasher, PasswordHasher } from './passwords/password-hasher';
import { PersonUnitsResolver } from './person-units.resolver';
import { Sessions } from './sessions/sessions.service';
import { LoginThrottle } from './throttle/login-throttle.service';

/** Local accounts: argon2id passwords, server-side sessions, login throttling. */
@Module({
  imports: [AuditModule],
  providers: [AuthService, Sessions, LoginThrottle, PersonUnitsResolver, { provide: PasswordHasher, useClass: Argon2idPasswordHasher }],
  controllers: [AuthController, PeopleAdminController],
  exports: [Sessions, PasswordHasher],
})
export class IdentityModule {}
