import { DataSource } from 'typeorm';
import { AuditEventEntity } from '../../src/audit/audit-event.entity';
import { LoginThrottle } from '../../src/identity/throttle/login-throttle.service';
import { hashPassword as legacyScryptHash } from '../../src/organization/people/password-hasher';
import { PersonEntity } from '../../src/organization/person.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const STAFF = 'staff.21172@quang-ngai-2025';
const HEAD = 'head.21172@quang-ngai-2025';

describe.each(TEST_DATABASE_KINDS)('sessions and login [%s]', (kind) => {
  let t: TestApp;
  let dataSource: DataSource;
  const client = () => new ApiClient(t.baseUrl);
  const people = () => dataSource.getRepository(PersonEntity);

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], security: { loginMaxFailures: 3, loginMaxFailuresPerIp: 1000, loginLockoutMinutes: 15, sessionIdleMinutes: 30, sessionMaxAgeMinutes: 600 } });
    dataSource = t.dataSource;
  });
  afterAll(() => t.close());

  it('seeds every demo person with one shared argon2id hash of the documented password', async () => {
    const hashes = new Set((await people().find({ select: ['passwordHash'] })).map((p) => p.passwordHash));
    expect(hashes.size).toBe(1);
    expect([...hashes][0]).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('signs a demo person in with an httpOnly, SameSite=Lax cookie, and /me answers as that person', async () => {
    const c = client();
    const login = await c.login(STAFF, DEMO_PASSWORD);
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().find((h) => h.startsWith('iso_cycle_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(login.body).toMatchObject({ login: STAFF, roles: [{ role: 'staff', unitCode: '21172', dataSetId: 'quang-ngai-2025' }] });
    expect(login.body.csrfToken).toEqual(expect.any(String));
    const me = await c.request('GET', '/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ login: STAFF, csrfToken: login.body.csrfToken });
    expect(login.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(login.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a wrong password and an unknown login alike', async () => {
    const wrong = await client().login(HEAD, 'not-the-password');
    const unknown = await client().login('nobody@quang-ngai-2025', 'not-the-password');
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toEqual({ error: { code: 'invalid-credentials', message: 'Wrong login or password.' } });
  });

  it('rotates the session at login: the session the browser came with is closed', async () => {
    const c = client();
    await c.login(STAFF, DEMO_PASSWORD);
    const before = c.cookie!;
    await c.login(STAFF, DEMO_PASSWORD);
    expect(c.cookie).not.toBe(before);
    const stale = new ApiClient(t.baseUrl);
    stale.cookie = before;
    expect((await stale.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await c.request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('refuses logout without the CSRF token, then logs out and forgets the session', async () => {
    const c = client();
    await c.login(STAFF, DEMO_PASSWORD);
    const refused = await c.request('POST', '/api/auth/logout', { csrf: false });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('csrf-token-invalid');
    const kept = c.cookie;
    expect((await c.request('POST', '/api/auth/logout')).status).toBe(204);
    const after = new ApiClient(t.baseUrl);
    after.cookie = kept;
    expect((await after.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('ends a session after the idle timeout and at its absolute expiry', async () => {
    const idle = client();
    await idle.login(STAFF, DEMO_PASSWORD);
    t.clock.advance(29 * 60_000);
    expect((await idle.request('GET', '/api/auth/me')).status).toBe(200);
    t.clock.advance(29 * 60_000); // 58 minutes after login, 29 after the last request
    expect((await idle.request('GET', '/api/auth/me')).status).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await idle.request('GET', '/api/auth/me')).status).toBe(401);

    const busy = client();
    await busy.login(STAFF, DEMO_PASSWORD);
    for (let minutes = 0; minutes < 600; minutes += 20) {
      expect((await busy.request('GET', '/api/auth/me')).status).toBe(200);
      t.clock.advance(20 * 60_000);
    }
    expect((await busy.request('GET', '/api/auth/me')).status).toBe(401);
  });

  it('locks a login after repeated failures, keeps the lock in the database, and lifts it after the lockout', async () => {
    const login = 'deputy.21172@quang-ngai-2025';
    for (let i = 0; i < 3; i++) expect((await client().login(login, 'wrong-password')).status).toBe(401);
    const locked = await client().login(login, DEMO_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('too-many-attempts');
    expect(Number(locked.headers.get('retry-after'))).toBe(15 * 60);
    // A new service on the same database (as after a restart) still refuses.
    await expect(new LoginThrottle(dataSource, t.clock, t.config).assertOpen(login, null)).rejects.toThrow('Too many failed attempts');
    t.clock.advance(15 * 60_000);
    expect((await client().login(login, DEMO_PASSWORD)).status).toBe(200);
  });

  it('locks a client address after repeated failures across logins', async () => {
    const throttled = await startTestApp(kind, { dataSets: [], security: { loginMaxFailures: 100, loginMaxFailuresPerIp: 4 } });
    try {
      const c = new ApiClient(throttled.baseUrl);
      for (let i = 0; i < 4; i++) expect((await c.login(`someone-${i}@x`, 'wrong-password')).status).toBe(401);
      expect((await c.login('someone-else@x', 'wrong-password')).status).toBe(429);
    } finally {
      await throttled.close();
    }
  });

  it('accepts a legacy scrypt hash once and replaces it with argon2id, recorded in the audit trail', async () => {
    const login = 'clerk.21172@quang-ngai-2025';
    await people().update({ login }, { passwordHash: await legacyScryptHash('legacy-password-123') });
    expect((await client().login(login, 'legacy-password-123')).status).toBe(200);
    const person = await people().findOneByOrFail({ login });
    expect(person.passwordHash).toMatch(/^\$argon2id\$/);
    const events = await dataSource.getRepository(AuditEventEntity).find({ where: { subjectType: 'person', subjectId: String(person.id) }, order: { seq: 'ASC' } });
    expect(events.map((e) => e.action)).toEqual(['person.password-rehashed', 'person.signed-in']);
    expect((await client().login(login, 'legacy-password-123')).status).toBe(200);
  });

  it('changes the own password after checking the current one, and closes the other sessions', async () => {
    const login = 'division-head.21172@quang-ngai-2025';
    const here = client();
    const elsewhere = client();
    await here.login(login, DEMO_PASSWORD);
    await elsewhere.login(login, DEMO_PASSWORD);
    const wrong = await here.request('POST', '/api/auth/password', { body: { currentPassword: 'nope', newPassword: 'a-brand-new-password' } });
    expect(wrong.status).toBe(422);
    expect(wrong.body.error.fields).toEqual([{ path: 'currentPassword', code: 'incorrect', message: expect.any(String) }]);
    const short = await here.request('POST', '/api/auth/password', { body: { currentPassword: DEMO_PASSWORD, newPassword: 'short' } });
    expect(short.status).toBe(422);
    expect(short.body.error.fields[0]).toMatchObject({ path: 'newPassword', code: 'min-length' });
    expect((await here.request('POST', '/api/auth/password', { body: { currentPassword: DEMO_PASSWORD, newPassword: 'a-brand-new-password' } })).status).toBe(204);
    expect((await here.request('GET', '/api/auth/me')).status).toBe(200);
    expect((await elsewhere.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await client().login(login, DEMO_PASSWORD)).status).toBe(401);
    expect((await client().login(login, 'a-brand-new-password')).status).toBe(200);
  });

  it('lets an administrator reset a password in their data set, closing that person’s sessions', async () => {
    const target = await people().findOneByOrFail({ login: 'staff.21025@quang-ngai-2025' });
    const victim = client();
    await victim.login(target.login, DEMO_PASSWORD);
    const admin = client();
    await admin.login('administrator.skhcn@quang-ngai-2025', DEMO_PASSWORD);
    const reset = await admin.request('POST', `/api/admin/people/${target.id}/password-reset`, { body: { newPassword: 'reset-by-the-admin' } });
    expect(reset.status).toBe(204);
    expect((await victim.request('GET', '/api/auth/me')).status).toBe(401);
    expect((await client().login(target.login, 'reset-by-the-admin')).status).toBe(200);
    const staff = client();
    await staff.login(STAFF, DEMO_PASSWORD);
    expect((await staff.request('POST', `/api/admin/people/${target.id}/password-reset`, { body: { newPassword: 'reset-by-the-staff' } })).status).toBe(403);
  });

  it('refuses a public write that is not JSON (no cross-site form can log anyone in)', async () => {
    const form = await client().request('POST', '/api/auth/login', { rawBody: `login=${STAFF}&password=${DEMO_PASSWORD}`, contentType: 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(form.body.error.code).toBe('unsupported-media-type');
  });

  it('marks the cookie Secure when configured, or when a trusted proxy says the request came over TLS', async () => {
    const always = await startTestApp(kind, { dataSets: [], security: { cookieSecure: 'always' } });
    const proxied = await startTestApp(kind, { dataSets: [], security: { cookieSecure: 'auto', trustProxy: 'loopback' } });
    try {
      for (const [app, headers] of [[always, {}], [proxied, { 'x-forwarded-proto': 'https' }]] as const) {
        await app.dataSource.getRepository(PersonEntity).insert({ login: 'someone', fullName: 'Ai Đó', passwordHash: (await people().findOneByOrFail({ login: STAFF })).passwordHash, active: true });
        const response = await new ApiClient(app.baseUrl).request('POST', '/api/auth/login', { body: { login: 'someone', password: DEMO_PASSWORD }, headers });
        expect(response.status).toBe(200);
        expect(response.headers.getSetCookie().find((h) => h.startsWith('iso_cycle_session='))).toMatch(/; Secure/);
      }
    } finally {
      await always.close();
      await proxied.close();
    }
  });
});
