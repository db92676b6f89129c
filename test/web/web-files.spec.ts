import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/** What the web module serves: the pages and bpmn-js's bundle, nothing outside them, and never in the API's way. */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('web files [sqlite]', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t.close());

  const get = (path: string) => fetch(`${t.baseUrl}${path}`, { redirect: 'manual' });

  it('serves the pages by their short paths, in Vietnamese, under the content security policy', async () => {
    for (const path of ['/login', '/inbox', '/report', '/documents', '/process', '/account', '/admin', '/signatures', '/']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 200]);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await response.text()).toContain('<html lang="vi">');
    }
    expect((await get('/js/app.js')).headers.get('content-type')).toMatch(/javascript/);
  });

  it('serves the bpmn-js viewer bundle from the npm package', async () => {
    const response = await get('/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js');
    expect(response.status).toBe(200);
    expect((await response.text()).length).toBeGreaterThan(100_000);
    expect((await get('/vendor/bpmn-js/assets/bpmn-js.css')).status).toBe(200);
  });

  it('serves nothing outside web/ and bpmn-js/dist, and leaves /api to the API', async () => {
    for (const path of ['/vendor/bpmn-js/../../../package.json', '/vendor/bpmn-js/%2e%2e/%2e%2e/%2e%2e/package.json', '/../package.json', '/%2e%2e/src/main.ts', '/.env']) {
      const response = await get(path);
      expect([path, response.status]).toEqual([path, 404]);
    }
    const me = await get('/api/auth/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});
