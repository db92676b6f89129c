import { Controller, Get, HttpStatus, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Policy } from '../../access/policy';
import { AppConfig } from '../../config/app-config';
import { AuthService } from '../auth.service';
import { readSessionSecret, writeSessionCookie } from '../sessions/session-cookie';
import { Sessions } from '../sessions/sessions.service';
import { ExternalIdentityProvider, PendingSignIn } from './external-identity-provider';

/** Holds state, nonce and PKCE verifier while the browser is at the provider: httpOnly, 10 minutes, only sent to these routes. */
const PENDING_COOKIE = 'iso_cycle_oidc';
const PENDING_PATH = '/api/auth/oidc';

function readPending(request: Request): PendingSignIn | undefined {
  const raw = (request.cookies as Record<string, unknown> | undefined)?.[PENDING_COOKIE];
  if (typeof raw !== 'string' || raw.length > 500) return undefined;
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as Partial<PendingSignIn>;
    return typeof value.state === 'string' && typeof value.nonce === 'string' && typeof value.codeVerifier === 'string' ? (value as PendingSignIn) : undefined;
  } catch {
    return undefined;
  }
}

/** Sign-in through the province's identity provider (OpenID Connect), when OIDC_* is configured; 404 otherwise. */
@ApiTags('auth')
@Controller('api/auth/oidc')
export class OidcController {
  constructor(
    private readonly provider: ExternalIdentityProvider,
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Get('start')
  @Policy('public')
  @ApiOperation({ summary: 'Start signing in through the identity provider (redirects there)' })
  @ApiResponse({ status: HttpStatus.FOUND, description: 'Redirect to the identity provider.' })
  async start(@Req() request: Request, @Res() response: Response): Promise<void> {
    const { authorizationUrl, pending } = await this.provider.begin();
    response.cookie(PENDING_COOKIE, Buffer.from(JSON.stringify(pending)).toString('base64url'), { ...this.cookieOptions(request), maxAge: 10 * 60_000 });
    response.redirect(HttpStatus.FOUND, authorizationUrl);
  }

  @Get('callback')
  @Policy('public')
  @ApiOperation({ summary: 'Where the identity provider sends the browser back: opens a session and redirects to the application' })
  @ApiResponse({ status: HttpStatus.SEE_OTHER, description: 'Signed in; redirect to the application.' })
  async callback(@Query() query: Record<string, unknown>, @Req() request: Request, @Res() response: Response): Promise<void> {
    const pending = readPending(request);
    response.clearCookie(PENDING_COOKIE, this.cookieOptions(request));
    const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : undefined);
    const identity = await this.provider.complete({ code: text('code'), state: text('state'), error: text('error') }, pending);
    const previous = readSessionSecret(request);
    const { secret, session } = await this.auth.signInExternal(identity, { address: request.ip ?? null, userAgent: request.get('user-agent') ?? null }, previous ? Sessions.idOf(previous) : null);
    writeSessionCookie(request, response, secret, session.expiresAt, this.config.security.cookieSecure);
    response.redirect(HttpStatus.SEE_OTHER, '/');
  }

  private cookieOptions(request: Request) {
    const mode = this.config.security.cookieSecure;
    return { httpOnly: true, sameSite: 'lax' as const, path: PENDING_PATH, secure: mode === 'always' || (mode === 'auto' && request.secure) };
  }
}
