import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AppConfig } from '../config/app-config';
import { AuthController, PeopleAdminController } from './auth.controller';
import { AuthService } from './auth.service';
import { ExternalIdentityProvider, NoExternalIdentityProvider, OpenIdConnectProvider } from './oidc/external-identity-provider';
import { OidcController } from './oidc/oidc.controller';
import { Argon2idPasswordHasher, PasswordHasher } from './passwords/password-hasher';
import { PeopleDirectory } from './people-directory';
import { PersonUnitsResolver } from './person-units.resolver';
import { Sessions } from './sessions/sessions.service';
import { LoginThrottle } from './throttle/login-throttle.service';

/** Local accounts (argon2id passwords), OpenID Connect sign-in when configured, server-side sessions, login throttling. */
@Module({
  imports: [AuditModule],
  providers: [
    AuthService,
    Sessions,
    LoginThrottle,
    PersonUnitsResolver,
    PeopleDirectory,
    { provide: PasswordHasher, useClass: Argon2idPasswordHasher },
    {
      provide: ExternalIdentityProvider,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => (config.security.oidc ? new OpenIdConnectProvider(config.security.oidc) : new NoExternalIdentityProvider()),
    },
  ],
  controllers: [AuthController, PeopleAdminController, OidcController],
  exports: [Sessions, PasswordHasher, AuthService, PeopleDirectory],
})
export class IdentityModule {}
