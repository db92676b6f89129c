import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { OidcConfig } from '../../config/app-config';
import { NotFoundError, UnauthenticatedError } from '../../shared/errors';

/** What the browser keeps (in a short-lived httpOnly cookie) between leaving for the provider and coming back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the provider says signed in: `login` is matched against people.login. */
export interface ExternalIdentity {
  subject: string;
  login: string;
}

/**
 * Signing in through an outside identity provider (the province's). A port: the OpenID Connect
 * adapter below when OIDC_* is configured, otherwise one that says the route does not exist.
 */
export abstract class ExternalIdentityProvider {
  /** Where to send the browser, and what to remember until it comes back. */
  abstract begin(): Promise<{ authorizationUrl: string; pending: PendingSignIn }>;
  /** Checks the provider's answer against what was remembered; returns the signed-in identity. */
  abstract complete(answer: { code?: string; state?: string; error?: string }, pending: PendingSignIn | undefined): Promise<ExternalIdentity>;
}

export class NoExternalIdentityProvider extends ExternalIdentityProvider {
  begin(): Promise<never> {
    return Promise.reject(new NotFoundError('OpenID Connect sign-in (not configured)'));
  }

  complete(): Promise<never> {
    return Promise.reject(new NotFoundError('OpenID Connect sign-in (not configured)'));
  }
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const random = () => randomBytes(32).toString('base64url');
const failed = (why: string) => new UnauthenticatedError(`Sign-in through the identity provider failed: ${why}.`, 'oidc-failed');

/**
 * OpenID Connect authorization-code flow with PKCE (S256), state and nonce; the ID token's
 * signature (the provider's JWKS), issuer, audience, expiry and nonce are checked with `jose`.
 * The person is the one whose login equals the token's `preferred_username`.
 */
export class OpenIdConnectProvider extends ExternalIdentityProvider {
  private discovery: Promise<Discovery> | undefined;
  private jwks: ReturnType<typeof createRemoteJWKSet> | undefined;

  constructor(private readonly config: OidcConfig) {
    super();
  }

  async begin() {
    const { authorization_endpoint } = await this.discover();
    const pending: PendingSignIn = { state: random(), nonce: random(), codeVerifier: random() };
    const url = new URL(authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.config.clientId,
      redirect_uri: this.config.redirectUrl,
      scope: 'openid profile',
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: createHash('sha256').update(pending.codeVerifier).digest('base64url'),
      code_challenge_method: 'S256',
    }).toString();
    return { authorizationUrl: url.toString(), pending };
  }

  async complete(answer: { code?: string; state?: string; error?: string }, pending: PendingSignIn | undefined): Promise<ExternalIdentity> {
    if (!pending) throw failed('the sign-in was not started here, or took too long');
    if (typeof answer.state !== 'string' || answer.state !== pending.state) throw failed('the answer does not belong to this sign-in');
    if (answer.error) throw failed(`the provider answered "${String(answer.error).slice(0, 100)}"`);
    if (typeof answer.code !== 'string' || answer.code === '') throw failed('the provider sent no code');
    const discovery = await this.discover();

    const response = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(this.config.clientId)}:${encodeURIComponent(this.config.clientSecret)}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: answer.code, redirect_uri: this.config.redirectUrl, code_verifier: pending.codeVerifier }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw failed(`the token endpoint answered ${response.status}`);
    const tokens = (await response.json()) as { id_token?: unknown };
    if (typeof tokens.id_token !== 'string') throw failed('the provider sent no ID token');

    this.jwks ??= createRemoteJWKSet(new URL(discovery.jwks_uri));
    let claims: Record<string, unknown>;
    try {
      ({ payload: claims } = await jwtVerify(tokens.id_token, this.jwks, { issuer: discovery.issuer, audience: this.config.clientId }));
    } catch (error) {
      throw failed(`the ID token is not valid (${(error as Error).message})`);
    }
    if (claims.nonce !== pending.nonce) throw failed('the ID token belongs to another sign-in');
    if (typeof claims.sub !== 'string' || typeof claims.preferred_username !== 'string') throw failed('the ID token names no user');
    return { subject: claims.sub, login: claims.preferred_username };
  }

  /** The provider's metadata, fetched once (again after a failure). Its issuer must be the configured one. */
  private discover(): Promise<Discovery> {
    this.discovery ??= (async () => {
      const response = await fetch(`${this.config.issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`OpenID Connect discovery at ${this.config.issuerUrl} answered ${response.status}`);
      const discovery = (await response.json()) as Discovery;
      if (discovery.issuer !== this.config.issuerUrl) throw new Error(`OpenID Connect discovery names issuer "${discovery.issuer}", not the configured "${this.config.issuerUrl}"`);
      return discovery;
    })();
    this.discovery.catch(() => (this.discovery = undefined));
    return this.discovery;
  }
}
