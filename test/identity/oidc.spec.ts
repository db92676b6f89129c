import { createHash, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const CLIENT_ID = 'iso-cycle';
const CLIENT_SECRET = 'client-secret';
const REDIRECT_URL = 'http://iso.example.test/api/auth/oidc/callback';

/**
 * A small OpenID Connect provider on the loopback interface: discovery, JWKS, and a token endpoint
 * that checks the client, the code and its PKCE verifier. "The user signs in" is `approve`.
 */
class FakeProvider {
  issuer = '';
  private server!: Server;
  private readonly codes = new Map<string, { username: string; nonce: string; challenge: string; redirectUri: string }>();
  private keys!: { privateKey: CryptoKey; jwk: Record<string, unknown> };
  /** What the ID token says, for tests of a provider that sends wrong tokens. */
  audience = CLIENT_ID;

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    this.keys = { privateKey: privateKey as CryptoKey, jwk: { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' } };
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        void this.handle(req.method!, req.url!, req.headers.authorization, Buffer.concat(chunks).toString())
          .catch((error: Error) => [500, { error: error.message }] as [number, unknown])
          .then(([status, body]) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))),
      );
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.issuer = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/realms/quang-ngai`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** The user signs in at the provider as `username`: the code the browser brings back. */
  approve(authorizationUrl: string, username: string): { code: string; state: string } {
    const params = new URL(authorizationUrl).searchParams;
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, { username, nonce: params.get('nonce')!, challenge: params.get('code_challenge')!, redirectUri: params.get('redirect_uri')! });
    return { code, state: params.get('state')! };
  }

  private async handle(method: string, url: string, authorization: string | undefined, body: string): Promise<[number, unknown]> {
    const path = url.replace(/^\/realms\/quang-ngai/, '');
    if (method === 'GET' && path === '/.well-known/openid-configuration') {
      return [200, { issuer: this.issuer, authorization_endpoint: `${this.issuer}/auth`, token_endpoint: `${this.issuer}/token`, jwks_uri: `${this.issuer}/jwks` }];
    }
    if (method === 'GET' && path === '/jwks') return [200, { keys: [this.keys.jwk] }];
    if (method === 'POST' && path === '/token') {
      const form = new URLSearchParams(body);
      if (authorization !== `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`) return [401, { error: 'invalid_client' }];
      const grant = this.codes.get(form.get('code') ?? '');
      this.codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) return [400, { error: 'invalid_grant' }];
      const idToken = await new SignJWT({ nonce: grant.nonce, preferred_username: grant.username })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(this.issuer)
        .setAudience(this.audience)
        .setSubject(`sub-${grant.username}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(this.keys.privateKey);
      return [200, { id_token: idToken, access_token: 'opaque', token_type: 'Bearer' }];
    }
    return [404, { error: 'not_found' }];
  }
}

describe.each(TEST_DATABASE_KINDS)('signing in through OpenID Connect [%s]', (kind) => {
  const provider = new FakeProvider();
  let t: TestApp;

  beforeAll(async () => {
    await provider.start();
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], security: { oidc: { issuerUrl: provider.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUrl: REDIRECT_URL } } });
  });
  afterAll(async () => {
    await t.close();
    await provider.stop();
  });
  beforeEach(() => (provider.audience = CLIENT_ID));

  /** Start at iso-cycle, sign in at the provider as `username`, come back with `tamper` applied to the answer. */
  const roundTrip = async (username: string, tamper: (answer: { code: string; state: string }) => { code: string; state: string } = (a) => a) => {
    const client = new ApiClient(t.baseUrl);
    const start = await client.request('GET', '/api/auth/oidc/start');
    const pendingCookie = start.headers.getSetCookie().find((c) => c.startsWith('iso_cycle_oidc='))!;
    const answer = tamper(provider.approve(start.headers.get('location')!, username));
    const back = await client.request('GET', `/api/auth/oidc/callback?${new URLSearchParams(answer)}`, { headers: { cookie: pendingCookie.split(';')[0] } });
    return { client, start, pendingCookie, back };
  };

  it('sends the browser to the provider with PKCE, state and nonce, remembered in a short-lived httpOnly cookie', async () => {
    const { start, pendingCookie } = await roundTrip('staff.21172@quang-ngai-2025');
    expect(start.status).toBe(302);
    const location = new URL(start.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({ response_type: 'code', client_id: CLIENT_ID, redirect_uri: REDIRECT_URL, code_challenge_method: 'S256', scope: 'openid profile' });
    expect(location.searchParams.get('state')).toMatch(/^[\w-]{43}$/);
    expect(pendingCookie).toMatch(/HttpOnly/i);
    expect(pendingCookie).toMatch(/Path=\/api\/auth\/oidc/);
    expect(pendingCookie).toMatch(/Max-Age=600/);
  });

  it('opens a session for the person the provider vouches for, audited as an OpenID Connect sign-in', async () => {
    const { client, back } = await roundTrip('head.21172@quang-ngai-2025');
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/');
    const me = await client.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.login).toBe('head.21172@quang-ngai-2025');
    const [event] = await t.dataSource.getRepository(AuditEventEntity).find({ where: { action: 'person.signed-in' }, order: { seq: 'DESC' }, take: 1 });
    expect(JSON.parse(event.detail)).toMatchObject({ method: 'oidc', subject: 'sub-head.21172@quang-ngai-2025' });
  });

  it('refuses an answer that does not belong to the sign-in started in this browser', async () => {
    const { client, back } = await roundTrip('head.21172@quang-ngai-2025', (a) => ({ ...a, state: 'forged-state' }));
    expect(back.status).toBe(401);
    expect(back.body.error.code).toBe('oidc-failed');
    expect(client.cookie).toBeUndefined();
  });

  it('refuses an ID token issued to another client', async () => {
    provider.audience = 'some-other-application';
    const { back } = await roundTrip('head.21172@quang-ngai-2025');
    expect(back.status).toBe(401);
    expect(back.body.error.message).toContain('the ID token is not valid');
  });

  it('refuses a code that was not issued, and a person unknown here', async () => {
    expect((await roundTrip('head.21172@quang-ngai-2025', (a) => ({ ...a, code: 'made-up' }))).back.body.error.message).toContain('the token endpoint answered 400');
    const unknown = (await roundTrip('someone.else@province.gov.vn')).back;
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('unknown-person');
  });
});

describe('OpenID Connect not configured', () => {
  it('answers its routes with 404', async () => {
    const t = await startTestApp(TEST_DATABASE_KINDS[0]);
    try {
      const response = await new ApiClient(t.baseUrl).request('GET', '/api/auth/oidc/start');
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not-found');
    } finally {
      await t.close();
    }
  });
});
