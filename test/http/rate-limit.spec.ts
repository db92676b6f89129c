import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const PER_SESSION = 5;
const PER_ADDRESS = 20;

/**
 * The general rate limit of the API (RATE_LIMIT_PER_SESSION, RATE_LIMIT_PER_IP), through HTTP on the
 * real application. The limiter does not touch the database: one database kind is enough. The
 * clock is the application's: each test starts a minute later, with every bucket full again.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('API rate limiting [%s]', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], security: { rateLimit: { perSessionPerMinute: PER_SESSION, perAddressPerMinute: PER_ADDRESS } } });
  });
  afterAll(() => t.close());
  beforeEach(() => t.clock.advance(60_000));

  const signIn = async (login: string) => {
    const client = new ApiClient(t.baseUrl);
    expect((await client.login(`${login}@quang-ngai-2025`, DEMO_PASSWORD)).status).toBe(200);
    return client;
  };

  it('answers 429 with a Vietnamese message and Retry-After once a session has used its minute, and lets it go on after the wait', async () => {
    const staff = await signIn('staff.21211');
    const head = await signIn('head.21211');
    for (let i = 0; i < PER_SESSION; i++) expect((await staff.request('GET', '/api/auth/me')).status).toBe(200);
    const refused = await staff.request('GET', '/api/auth/me');
    expect(refused.status).toBe(429);
    // 5 a minute: one more every 12 seconds.
    expect(refused.headers.get('retry-after')).toBe('12');
    expect(refused.body).toEqual({ error: { code: 'rate-limited', message: 'Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau 12 giây.' } });
    // Another session from the same address is not held back by this one.
    expect((await head.request('GET', '/api/auth/me')).status).toBe(200);
    t.clock.advance(11_000);
    expect((await staff.request('GET', '/api/auth/me')).status).toBe(429);
    t.clock.advance(1_000);
    expect((await staff.request('GET', '/api/auth/me')).status).toBe(200);
  });

  it('limits one client address whatever cookies it invents, before reading the body; /health stays open', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) expect((await new ApiClient(t.baseUrl).request('GET', '/api/auth/me')).status).toBe(401);
    const anonymous = await new ApiClient(t.baseUrl).request('GET', '/api/auth/me');
    expect(anonymous.status).toBe(429);
    expect(anonymous.headers.get('retry-after')).toBe('3');
    const invented = new ApiClient(t.baseUrl);
    invented.cookie = `iso_cycle_session=${'A'.repeat(43)}`;
    expect((await invented.request('GET', '/api/auth/me')).status).toBe(429);
    // Malformed JSON would be a 400: the limiter answers first.
    expect((await new ApiClient(t.baseUrl).request('POST', '/api/auth/login', { rawBody: '{"login":' })).status).toBe(429);
    expect((await new ApiClient(t.baseUrl).request('GET', '/health')).status).toBe(200);
  });
});
